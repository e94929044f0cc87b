"""Table: shape functions (reshape, ravel, transpose, swapaxes, moveaxis, expand_dims, squeeze,
broadcast_to, atleast_nd, flip, roll, rot90, tile, repeat), both modes, order 2."""

import numpy as np
import pytest

import optkit

from .table import Row, check_row, rng
from .values import check_values

R = rng(3)
X = R.uniform(-1.0, 1.0, size=(3, 4))
T = R.uniform(-1.0, 1.0, size=(2, 3, 4))
V = R.uniform(-1.0, 1.0, size=(5,))
S = R.uniform(-1.0, 1.0, size=(3, 1, 4, 1))
W = np.array([[0.3, -1.0, 2.0, 0.5], [1.5, 0.2, -0.7, 1.1], [0.4, 0.9, -0.3, 0.6]])


def weighted(a):
    """A non-symmetric scalar of the output, so a transposed or misplaced entry is caught."""
    return np.sum(a * np.arange(1.0, a.size + 1.0).reshape(np.shape(a)))


ROWS = [
    Row("reshape", lambda a: np.reshape(a, (4, 3)), (X,)),
    Row("reshape-minus-one", lambda a: np.reshape(a, (2, -1)) ** 2, (T,)),
    Row("reshape-method-args", lambda a: a.reshape(6, 4), (T,)),
    Row("reshape-method-tuple", lambda a: a.reshape((2, 2, 3)), (X,)),
    Row("reshape-int", lambda a: np.reshape(a, 12), (X,)),
    Row("reshape-fortran", lambda a: weighted(np.reshape(a, (4, -1), order="F")), (T,)),
    Row("ravel-fortran", lambda a: weighted(np.ravel(a, order="F")), (T,)),
    Row("flatten-fortran", lambda a: weighted(a.flatten("F")), (X,)),
    Row("ravel", lambda a: np.ravel(a) * np.arange(24.0), (T,)),
    Row("ravel-method", lambda a: a.ravel() ** 2, (X,)),
    Row("flatten-method", lambda a: a.flatten() ** 3, (X,)),
    Row("transpose", lambda a: weighted(np.transpose(a)), (T,)),
    Row("transpose-axes", lambda a: np.transpose(a, (1, 2, 0)), (T,)),
    Row("transpose-negative-axes", lambda a: np.transpose(a, (-1, 0, 1)), (T,)),
    Row("T", lambda a: a.T @ a, (X,)),
    Row("transpose-method", lambda a: a.transpose(2, 0, 1) ** 2, (T,)),
    Row("transpose-method-tuple", lambda a: a.transpose((0, 2, 1)), (T,)),
    Row("swapaxes", lambda a: weighted(np.swapaxes(a, 0, 2)), (T,)),
    Row("swapaxes-method", lambda a: a.swapaxes(-1, 1) ** 2, (T,)),
    Row("moveaxis", lambda a: weighted(np.moveaxis(a, 0, -1)), (T,)),
    Row("moveaxis-tuple", lambda a: np.moveaxis(a, (0, 1), (2, 0)) ** 2, (T,)),
    Row("expand_dims", lambda a: np.expand_dims(a, 1) * np.ones((3, 2, 4)), (X,)),
    Row("expand_dims-tuple", lambda a: np.expand_dims(a, (0, -1)) ** 2, (X,)),
    Row("squeeze", lambda a: np.squeeze(a) ** 2, (S,)),
    Row("squeeze-axis", lambda a: np.squeeze(a, axis=1) ** 2, (S,)),
    Row("squeeze-method", lambda a: a.squeeze(axis=(1, 3)) * X, (S,)),
    Row("broadcast_to", lambda a: np.broadcast_to(a, (3, 5)) ** 2, (V,)),
    Row("broadcast_to-column", lambda a: np.broadcast_to(a[:, None], (5, 2)) ** 2, (V,)),
    Row("broadcast_to-same", lambda a: np.broadcast_to(a, (3, 4)) * a, (X,)),
    Row("broadcast_arrays", lambda a, v: np.prod(np.stack(np.broadcast_arrays(a, v[:4], 2.0)),
                                                  axis=0), (X, V)),
    Row("atleast_1d", lambda a: np.atleast_1d(np.sum(a)) ** 2, (V,)),
    Row("atleast_2d", lambda a: np.atleast_2d(a) ** 2, (V,)),
    Row("atleast_3d", lambda a: np.atleast_3d(a) ** 2, (X,)),
    Row("flip", lambda a: weighted(np.flip(a)), (T,)),
    Row("flip-axis", lambda a: weighted(np.flip(a, axis=1)), (T,)),
    Row("flip-axes", lambda a: np.flip(a, axis=(0, -1)) ** 2, (T,)),
    Row("fliplr", lambda a: weighted(np.fliplr(a)), (X,)),
    Row("flipud", lambda a: weighted(np.flipud(a)), (X,)),
    Row("roll", lambda a: weighted(np.roll(a, 3)), (X,)),
    Row("roll-axis", lambda a: weighted(np.roll(a, -1, axis=1)), (T,)),
    Row("roll-axes", lambda a: weighted(np.roll(a, (1, 2), axis=(0, 2))), (T,)),
    Row("rot90", lambda a: weighted(np.rot90(a)), (X,)),
    Row("rot90-k2", lambda a: weighted(np.rot90(a, 2)), (X,)),
    Row("rot90-k3-axes", lambda a: weighted(np.rot90(a, 3, axes=(2, 0))), (T,)),
    Row("rot90-k-neg", lambda a: weighted(np.rot90(a, -1)), (X,)),
    Row("tile", lambda a: weighted(np.tile(a, 3)), (V,)),
    Row("tile-2d", lambda a: weighted(np.tile(a, (2, 3))), (X,)),
    Row("tile-more-reps", lambda a: weighted(np.tile(a, (2, 1, 2))), (X,)),
    Row("tile-fewer-reps", lambda a: weighted(np.tile(a, 2)), (T,)),
    Row("repeat", lambda a: weighted(np.repeat(a, 2)), (X,)),
    Row("repeat-axis", lambda a: weighted(np.repeat(a, 3, axis=1)), (X,)),
    Row("repeat-axis-neg", lambda a: weighted(np.repeat(a, 2, axis=-3)), (T,)),
    Row("repeat-counts", lambda a: weighted(np.repeat(a, [2, 0, 1], axis=0)), (X,)),
    Row("repeat-method", lambda a: weighted(a.repeat(2, axis=0)), (X,)),
    Row("composite-chain", lambda a: np.tile(np.flip(a, 0).T, (1, 2))[1:, ::3] * W[0, :3, None],
        (X,)),
]


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_derivatives(row):
    check_row(row)


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_values(row):
    check_values(row)


def test_tile_gradient_counts_copies():
    g = optkit.grad(lambda a: np.sum(np.tile(a, (2, 3)) ** 2))(V)
    np.testing.assert_allclose(g, 2 * 6 * V)


def test_repeat_gradient_counts_copies():
    g = optkit.grad(lambda a: np.sum(np.repeat(a, [1, 0, 2, 3, 1])))(V)
    np.testing.assert_array_equal(g, [1.0, 0.0, 2.0, 3.0, 1.0])


def test_shape_errors_name_the_function():
    with pytest.raises(ValueError, match="fliplr"):
        optkit.grad(lambda a: np.sum(np.fliplr(a)))(V)
    with pytest.raises(ValueError, match="rot90"):
        optkit.grad(lambda a: np.sum(np.rot90(a, axes=(1, 1))))(X)
    with pytest.raises(ValueError, match="order"):
        optkit.grad(lambda a: np.sum(np.ravel(a, order="K")))(X)
    with pytest.raises(TypeError, match="repeat"):
        optkit.grad(lambda a: np.sum(np.repeat(a, 1.5)))(V)
