"""Table: concatenate, stack, hstack, vstack, column_stack, dstack, append, both modes, order 2.

Lists mix traced values and plain arrays; rows with two arguments check each in turn.
"""

import numpy as np
import pytest

import optkit

from .table import Row, check_row, rng
from .values import check_values

R = rng(4)
X = R.uniform(-1.0, 1.0, size=(3, 4))
Y = R.uniform(-1.0, 1.0, size=(3, 4))
C = R.uniform(-1.0, 1.0, size=(3, 2))
V = R.uniform(-1.0, 1.0, size=(4,))
U = R.uniform(-1.0, 1.0, size=(4,))
ONES = np.ones((1, 4))
B = R.uniform(-1.0, 1.0, size=(4, 6))

ROWS = [
    Row("concatenate", lambda a, b: np.concatenate([a, b]), (X, Y)),
    Row("concatenate-axis1", lambda a, c: np.concatenate([a, c, a ** 2], axis=1), (X, C)),
    Row("concatenate-axis-neg", lambda a, c: np.concatenate((c, a), axis=-1), (X, C)),
    Row("concatenate-axis-none", lambda a, c: np.concatenate([a, c], axis=None) ** 2, (X, C)),
    Row("concatenate-plain", lambda a: np.concatenate([ONES, a, 2 * ONES]) ** 2, (X,)),
    Row("concatenate-list-entry", lambda v: np.concatenate([[1.0, 2.0], v, v]) ** 2, (V,)),
    Row("concatenate-traced-list", lambda v: np.concatenate([[v[0] * v[1], 2.0], v]) ** 2, (V,)),
    Row("concatenate-single", lambda a: np.concatenate([a]) ** 2, (X,)),
    Row("stack", lambda a, b: np.stack([a, b]) ** 2, (X, Y)),
    Row("stack-axis1", lambda a, b: np.stack([a, b, a * b], axis=1), (X, Y)),
    Row("stack-axis-neg", lambda a: np.stack([a, np.zeros((3, 4)), a], axis=-1) ** 2, (X,)),
    Row("stack-scalars", lambda v: np.stack([v[0] * v[1], v[2], np.sum(v)]), (V,)),
    Row("hstack-1d", lambda v, u: np.hstack([v, u, v * u]), (V, U)),
    Row("hstack-2d", lambda a, c: np.hstack((a, c)) ** 2, (X, C)),
    Row("hstack-scalars", lambda v: np.hstack([v[0], v[1:] ** 2]), (V,)),
    Row("vstack-1d", lambda v, u: np.vstack([v, u]) ** 2, (V, U)),
    Row("vstack-2d", lambda a, v: np.vstack([a, v, ONES]) ** 2, (X, V)),
    Row("column_stack", lambda v, u: np.column_stack([v, u ** 2]), (V, U)),
    Row("column_stack-2d", lambda a, v: np.column_stack([a.T, v]) ** 2, (X, V)),
    Row("dstack", lambda a, b: np.dstack([a, b]) ** 2, (X, Y)),
    Row("dstack-1d", lambda v, u: np.dstack([v, u]) ** 2, (V, U)),
    Row("append", lambda a, v: np.append(a, v) ** 2, (X, V)),
    Row("block-2x2", lambda a, c: np.block([[a, c], [np.ones((1, 4)), c[:1] ** 2]]) ** 2,
        (X, C)),
    Row("block-flat", lambda v: np.block([v[0], v[1:], 3.0]) ** 2, (V,)),
    Row("block-3d", lambda a: np.block([[[a]], [[a * 2]]]) ** 2, (X,)),
    Row("split", lambda b: np.split(b, 3, axis=1)[1] ** 2, (B,)),
    Row("split-indices", lambda b: np.split(b, [1, 3])[1] ** 2, (B,)),
    Row("split-rejoined", lambda b: np.concatenate(np.split(b, 2)[::-1]) * B, (B,)),
    Row("array_split", lambda b: np.array_split(b, 4, axis=-1)[3] ** 2, (B,)),
    Row("hsplit", lambda b: np.hsplit(b, [1, 4])[2] ** 2, (B,)),
    Row("hsplit-1d", lambda v: np.hsplit(v, 2)[0] ** 2, (V,)),
    Row("vsplit", lambda b: np.vsplit(b, 2)[1] ** 2, (B,)),
    Row("dsplit", lambda b: np.dsplit(b.reshape(2, 2, 6), 3)[2] ** 2, (B,)),
    Row("pad", lambda b: np.pad(b, 1) ** 2, (B,)),
    Row("pad-constant-values", lambda b: np.pad(b, ((1, 0), (2, 3)), constant_values=2.0) ** 2,
        (B,)),
    Row("pad-edge", lambda b: np.pad(b, 2, mode="edge") ** 2, (B,)),
    Row("pad-reflect", lambda b: np.pad(b, (1, 3), mode="reflect") ** 2, (B,)),
    Row("pad-symmetric", lambda b: np.pad(b, 2, mode="symmetric") ** 2, (B,)),
    Row("pad-wrap-wide", lambda b: np.pad(b, ((0, 0), (5, 7)), mode="wrap") ** 2, (B,)),
    Row("append-axis", lambda a, v: np.append(a, v[None, :], axis=0) ** 2, (X, V)),
]


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_derivatives(row):
    check_row(row)


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_values(row):
    check_values(row)


def test_stack_of_scalars_builds_a_gradient():
    # a common pattern: build a vector of residuals from traced scalars
    def f(x):
        r = np.stack([x[0] - 1.0, 10.0 * (x[1] - x[0] ** 2)])
        return np.sum(r * r)

    x = np.array([0.5, 0.7])
    expected = [2 * (x[0] - 1) - 400 * x[0] * (x[1] - x[0] ** 2), 200 * (x[1] - x[0] ** 2)]
    np.testing.assert_allclose(optkit.grad(f)(x), expected, rtol=1e-14)


def test_concatenated_copy_does_not_alias():
    def f(x):
        y = np.concatenate([x])
        y[0] = 0.0
        return np.sum(x) + np.sum(y)

    np.testing.assert_array_equal(optkit.grad(f)(V), [1.0, 2.0, 2.0, 2.0])


def test_pad_edge_gradient_counts_copies():
    g = optkit.grad(lambda v: np.sum(np.pad(v, (2, 1), mode="edge")))(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(g, [3.0, 1.0, 2.0])


def test_joining_errors():
    with pytest.raises(ValueError, match="same shape"):
        optkit.grad(lambda v: np.sum(np.stack([v, v[:2]])))(V)
    with pytest.raises(TypeError, match="out="):
        optkit.grad(lambda v: np.sum(np.concatenate([v, v], out=np.empty(8))))(V)
    with pytest.raises(ValueError, match="out of bounds"):
        optkit.grad(lambda v: np.sum(np.concatenate([v, v], axis=1)))(V)
    with pytest.raises(TypeError, match="tuple"):
        optkit.grad(lambda v: np.sum(np.block((v, v))))(V)
    with pytest.raises(ValueError, match="equal division"):
        optkit.grad(lambda v: np.sum(np.split(v, 3)[0]))(V)
    with pytest.raises(optkit.NotDifferentiableError, match="mean"):
        optkit.grad(lambda v: np.sum(np.pad(v, 1, mode="mean")))(V)
