"""Table: scans (cumsum, cumprod, diff), both modes, order 2, plus cumprod through zeros."""

import numpy as np
import pytest

import optkit

from .table import Row, check_row, rng
from .values import check_values

R = rng(1)
X = R.uniform(-1.0, 1.0, size=(3, 4))
T = R.uniform(-1.0, 1.0, size=(2, 3, 5))
V = R.uniform(-1.5, 1.5, size=(9,))
Z = X.copy()
Z[1, 1] = Z[2, 0] = 0.0

ROWS = [
    Row("cumsum", np.cumsum, (X,)),
    Row("cumsum-axis0", lambda a: np.cumsum(a, axis=0), (X,)),
    Row("cumsum-axis-neg", lambda a: np.cumsum(a, axis=-1), (T,)),
    Row("cumsum-method", lambda a: a.cumsum(axis=1), (T,)),
    Row("cumsum-squared", lambda a: np.cumsum(a * a), (V,)),
    Row("cumsum-ufunc-accumulate", np.add.accumulate, (V,)),
    Row("ufunc-accumulate-default-axis0", np.add.accumulate, (X,)),
    Row("ufunc-accumulate-axis", lambda a: np.multiply.accumulate(a, axis=2), (T,)),
    Row("cumprod", np.cumprod, (X,)),
    Row("cumprod-vector-9", np.cumprod, (V,)),
    Row("cumprod-axis0", lambda a: np.cumprod(a, axis=0), (X,)),
    Row("cumprod-axis-neg", lambda a: np.cumprod(a, axis=-1), (T,)),
    Row("cumprod-method", lambda a: a.cumprod(axis=1), (X,)),
    Row("cumprod-zeros", lambda a: np.cumprod(a, axis=1), (Z,)),
    Row("cumprod-zeros-flat", np.cumprod, (Z,)),
    Row("cumprod-ufunc-accumulate", np.multiply.accumulate, (V,)),
    Row("cumulative_sum", lambda a: np.cumulative_sum(a, axis=0) ** 2, (X,)),
    Row("cumulative_sum-initial", lambda a: np.cumulative_sum(a, include_initial=True) ** 2,
        (V,)),
    Row("cumulative_prod", lambda a: np.cumulative_prod(a, axis=-1), (T,)),
    Row("cumulative_prod-initial",
        lambda a: np.cumulative_prod(a, axis=1, include_initial=True), (Z,)),
    Row("diff", np.diff, (V,)),
    Row("diff-2d", np.diff, (X,)),
    Row("diff-n2", lambda a: np.diff(a, n=2), (V,)),
    Row("diff-n3-axis0", lambda a: np.diff(a ** 2, n=2, axis=0), (X,)),
    Row("diff-axis-1", lambda a: np.diff(a, axis=1), (T,)),
    Row("diff-n0", lambda a: np.diff(a, n=0) * a, (V,)),
    Row("diff-prepend-scalar", lambda a: np.diff(a, prepend=1.0), (X,)),
    Row("diff-append-array", lambda a: np.diff(a, axis=0, append=np.ones((1, 4))), (X,)),
    Row("diff-prepend-traced", lambda a, b: np.diff(a, prepend=b), (V, V[:2])),
]


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_derivatives(row):
    check_row(row)


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_values(row):
    check_values(row)


def test_cumprod_gradient_through_a_zero_matches_hand_derivation():
    # f = sum(cumprod(x)) = x0 + x0 x1 + x0 x1 x2 ; at x1 = 0: df/dx = [1, x0 + x0 x2, 0]
    x = np.array([2.0, 0.0, 3.0])
    np.testing.assert_allclose(optkit.grad(lambda a: np.sum(np.cumprod(a)))(x), [1.0, 8.0, 0.0])


def test_cumsum_transpose_is_a_reverse_cumsum():
    g = optkit.grad(lambda a: np.sum(np.cumsum(a) * np.arange(1.0, 5.0)))(np.zeros(4))
    np.testing.assert_array_equal(g, [10.0, 9.0, 7.0, 4.0])


def test_diff_rejects_negative_order():
    with pytest.raises(ValueError, match="non-negative"):
        optkit.grad(lambda a: np.sum(np.diff(a, n=-1)))(V)
