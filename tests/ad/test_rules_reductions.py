"""Table: reductions (sum, mean, prod, max/min/amax/amin, var, std, trace), both modes, order 2.

Plus the cases a table cannot show: ties in max/min split the derivative evenly, and prod's
derivatives are exact when entries are zero.
"""

import numpy as np
import pytest

import optkit

from .table import Row, check_row, rng
from .values import check_values

R = rng(0)
X = R.uniform(-1.0, 1.0, size=(3, 4))
T = R.uniform(-1.0, 1.0, size=(2, 3, 4))
V = R.uniform(0.5, 1.5, size=(5,))
Z1 = X.copy()
Z1[1, 2] = 0.0                          # one zero
Z2 = X.copy()
Z2[0, 1] = Z2[0, 3] = 0.0               # two zeros in row 0
SQ = R.uniform(-1.0, 1.0, size=(4, 4))

ROWS = [
    Row("sum", np.sum, (X,)),
    Row("sum-axis0", lambda a: np.sum(a, axis=0), (X,)),
    Row("sum-axis-neg", lambda a: np.sum(a, axis=-1), (T,)),
    Row("sum-axis-tuple", lambda a: np.sum(a, axis=(0, 2)), (T,)),
    Row("sum-keepdims", lambda a: np.sum(a, axis=1, keepdims=True), (T,)),
    Row("sum-method", lambda a: a.sum(axis=0) * a.sum(), (X,)),
    Row("sum-where-initial", lambda a: np.sum(a, axis=1, where=X > 0, initial=1.5), (X,)),
    Row("sum-where-broadcast", lambda a: np.sum(a ** 2, where=np.array([True, False, True, True])),
        (X,)),
    Row("mean", np.mean, (X,)),
    Row("mean-where", lambda a: np.mean(a, axis=0, where=X < 0.5), (X,)),
    Row("mean-where-all", lambda a: np.mean(a ** 2, where=X > -0.5, keepdims=True), (T[0],)),
    Row("mean-axis", lambda a: np.mean(a, axis=1), (T,)),
    Row("mean-tuple-keepdims", lambda a: np.mean(a, axis=(-1, 0), keepdims=True), (T,)),
    Row("mean-method", lambda a: a.mean(axis=0), (X,)),
    Row("prod", np.prod, (X,)),
    Row("prod-axis0", lambda a: np.prod(a, axis=0), (X,)),
    Row("prod-axis-neg", lambda a: np.prod(a, axis=-1), (T,)),
    Row("prod-axis-tuple", lambda a: np.prod(a, axis=(0, 2)), (T,)),
    Row("prod-keepdims", lambda a: np.prod(a, axis=1, keepdims=True), (T,)),
    Row("prod-method", lambda a: a.prod(axis=1), (X,)),
    Row("prod-vector", np.prod, (V,)),
    Row("prod-one-zero", lambda a: np.prod(a, axis=1), (Z1,)),
    Row("prod-one-zero-all", np.prod, (Z1,)),
    Row("prod-two-zeros", lambda a: np.prod(a, axis=1), (Z2,)),
    Row("prod-two-zeros-all", lambda a: np.prod(a) + np.sum(a), (Z2,)),
    Row("prod-ufunc-reduce", np.multiply.reduce, (V,)),
    Row("prod-initial-where", lambda a: np.prod(a, axis=0, initial=2.0, where=X > 0), (X,)),
    Row("ufunc-reduce-default-axis0", np.add.reduce, (X,)),
    Row("ufunc-reduce-axis", lambda a: np.multiply.reduce(a, 1), (T,)),
    Row("ufunc-reduce-none-keepdims", lambda a: np.add.reduce(a, axis=None, keepdims=True),
        (X,)),
    Row("ufunc-reduce-maximum", lambda a: np.maximum.reduce(a, axis=-1), (T,)),
    Row("ufunc-reduce-fmin", np.fmin.reduce, (X,)),
    Row("max", np.max, (X,)),
    Row("max-axis", lambda a: np.max(a, axis=0), (X,)),
    Row("max-axis-tuple", lambda a: np.max(a, axis=(0, 2)), (T,)),
    Row("max-keepdims", lambda a: np.max(a, axis=-1, keepdims=True), (T,)),
    Row("max-method", lambda a: a.max(axis=1), (X,)),
    Row("amax", lambda a: np.amax(a, axis=1), (X,)),
    Row("max-initial", lambda a: np.max(a, axis=1, initial=0.0), (X,)),
    Row("max-where-initial", lambda a: np.max(a, axis=0, where=X < 0.5, initial=-5.0), (X,)),
    Row("min-initial-where", lambda a: np.min(a, where=X > -0.5, initial=0.7), (X,)),
    Row("min", np.min, (X,)),
    Row("min-axis", lambda a: np.min(a, axis=1), (T,)),
    Row("min-keepdims", lambda a: np.min(a, axis=(1, 2), keepdims=True), (T,)),
    Row("min-method", lambda a: a.min(axis=0), (X,)),
    Row("amin", lambda a: np.amin(a, axis=0), (X,)),
    Row("var", np.var, (X,)),
    Row("var-axis", lambda a: np.var(a, axis=0), (X,)),
    Row("var-ddof", lambda a: np.var(a, axis=1, ddof=1), (T,)),
    Row("var-tuple-keepdims", lambda a: np.var(a, axis=(0, 2), keepdims=True), (T,)),
    Row("var-method", lambda a: a.var(ddof=1), (X,)),
    Row("std", np.std, (X,)),
    Row("std-axis-ddof", lambda a: np.std(a, axis=0, ddof=1), (X,)),
    Row("std-keepdims", lambda a: np.std(a, axis=-1, keepdims=True), (T,)),
    Row("std-method", lambda a: a.std(axis=1), (X,)),
    Row("ptp", np.ptp, (X,)),
    Row("ptp-axis-keepdims", lambda a: np.ptp(a, axis=1, keepdims=True), (T,)),
    Row("average", np.average, (X,)),
    Row("average-axis-weights-1d", lambda a: np.average(a, axis=1, weights=V[:4]), (X,)),
    Row("average-weights-traced", lambda a, w: np.average(a, weights=w), (X, X + 2.0)),
    Row("average-returned", lambda a: np.stack(np.average(a, axis=0, returned=True)), (X,)),
    Row("average-weights-returned",
        lambda a: np.stack(np.average(a, axis=-1, weights=a * a, returned=True)), (T,)),
    Row("trace", np.trace, (SQ,)),
    Row("trace-offset", lambda a: np.trace(a, 1), (X,)),
    Row("trace-offset-neg", lambda a: np.trace(a, offset=-2), (X,)),
    Row("trace-3d-axes", lambda a: np.trace(a, axis1=1, axis2=2), (T,)),
    Row("linalg-trace", lambda a: np.linalg.trace(a, offset=1), (T,)),
    Row("trace-method", lambda a: a.trace(offset=1, axis1=2, axis2=0), (T,)),
]


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_derivatives(row):
    check_row(row)


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_values(row):
    check_values(row)


# ---- ties: an earlier entry counts as the larger (one-sided; see tests/ad/test_kinks.py) -------
@pytest.mark.parametrize("fun, first", [
    (np.max, True), (np.amax, True), (lambda a: a.max(), True),
    (lambda a: -np.min(-a), False),  # min takes the last tied entry
])
def test_max_tie_goes_to_the_first_tied_entry(fun, first):
    x = np.array([1.0, 3.0, 3.0, 2.0])
    expected = [0.0, 1.0, 0.0, 0.0] if first else [0.0, 0.0, 1.0, 0.0]
    np.testing.assert_array_equal(optkit.grad(fun)(x), expected)
    _, tangent = optkit.jvp(fun, x, np.array([0.0, 1.0, 3.0, 5.0]))
    assert tangent == (1.0 if first else 3.0)  # the chosen tied entry's tangent


def test_min_tie_along_an_axis_goes_to_the_last_tied_entry():
    x = np.array([[1.0, 1.0, 1.0], [4.0, 2.0, 2.0]])
    g = optkit.grad(lambda a: np.sum(np.min(a, axis=1) * np.array([3.0, 1.0])))(x)
    np.testing.assert_allclose(g, [[0.0, 0.0, 3.0], [0.0, 0.0, 1.0]])


def test_ties_over_several_axes_and_staged():
    x = np.ones((2, 3, 2))

    def f(a):
        return np.sum(np.max(a, axis=(0, 2)) * np.array([1.0, 2.0, 3.0])) - np.min(a)

    expected = np.zeros((2, 3, 2))
    expected[0, :, 0] = [1.0, 2.0, 3.0]  # max over axes (0, 2): the first of each slice
    expected[1, 2, 1] -= 1.0             # min over everything: the last entry
    np.testing.assert_array_equal(optkit.grad(f)(x), expected)
    np.testing.assert_array_equal(optkit.grad(optkit.compile(f))(x), expected)


# ---- prod at zeros: exact, with no division by the entries -------------------------------------
def test_prod_gradient_with_one_zero():
    x = np.array([2.0, 0.0, 3.0, 4.0])
    np.testing.assert_array_equal(optkit.grad(np.prod)(x), [0.0, 24.0, 0.0, 0.0])


def test_prod_gradient_with_two_zeros_vanishes():
    x = np.array([2.0, 0.0, 3.0, 0.0])
    np.testing.assert_array_equal(optkit.grad(np.prod)(x), np.zeros(4))


def test_prod_hessian_at_zero_matches_hand_derivation():
    # d2 prod / dx_i dx_j = product of the entries other than i and j (0 on the diagonal)
    x = np.array([2.0, 0.0, 3.0, 4.0])
    expected = np.zeros((4, 4))
    for i in range(4):
        for j in range(4):
            if i != j:
                expected[i, j] = np.prod(np.delete(x, [i, j]))
    np.testing.assert_allclose(optkit.hessian(np.prod)(x), expected, rtol=1e-14)
    v = np.array([1.0, -2.0, 0.5, 3.0])
    np.testing.assert_allclose(optkit.hvp(np.prod, x, v), expected @ v, rtol=1e-14)


def test_prod_along_axis_with_zeros_matches_finite_differences():
    x = Z2[:, :3]
    f = lambda a: np.sum(np.prod(a, axis=0) ** 2)  # noqa: E731
    g = optkit.grad(f)(x)
    h = 1e-6
    fd = np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        e = np.zeros_like(x)
        e[idx] = h
        fd[idx] = (f(x + e) - f(x - e)) / (2 * h)
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-9)


# ---- argument errors ------------------------------------------------------------------------
def test_reduction_with_out_raises():
    with pytest.raises(TypeError, match="out="):
        optkit.grad(lambda a: np.prod(a, out=np.empty(())))(V)
    with pytest.raises(TypeError, match="out="):
        optkit.grad(lambda a: np.max(a, out=np.empty(())))(V)


def test_max_of_empty_raises():
    with pytest.raises(ValueError, match="zero-size"):
        optkit.jvp(lambda a: np.max(a[:0]), V, V)
    with pytest.raises(ValueError, match="initial"):
        optkit.jvp(lambda a: np.max(a, where=V > 0), V, V)


def test_var_without_degrees_of_freedom_raises():
    with pytest.raises(ValueError, match="ddof"):
        optkit.grad(lambda a: np.var(a, ddof=5))(V)


def test_std_of_constant_data_has_zero_subgradient_and_no_warning():
    x = np.full(4, 2.5)
    np.testing.assert_array_equal(optkit.grad(np.std)(x), np.zeros(4))
    # std has no second derivative there (a norm at 0): NaN, not a silent 0
    assert np.all(np.isnan(optkit.hvp(np.std, x, np.arange(4.0))))
    g = optkit.grad(lambda a: np.sum(np.std(a, axis=1, ddof=1)))(np.array([[1.0, 1.0],
                                                                          [0.0, 2.0]]))
    np.testing.assert_allclose(g, [[0.0, 0.0], [-0.5 ** 0.5, 0.5 ** 0.5]], rtol=1e-15)


# ---- NaN-ignoring reductions ------------------------------------------------------------------
N = X.copy()
N[1, 2] = N[2, 0] = np.nan
KNOWN = ~np.isnan(N)
NAN_FUNCTIONS = [
    ("nansum", np.nansum),
    ("nansum-axis", lambda a: np.nansum(a, axis=0)),
    ("nanprod-axis", lambda a: np.nanprod(a, axis=1)),
    ("nanmean-keepdims", lambda a: np.nanmean(a, axis=1, keepdims=True)),
    ("nanmax-axis", lambda a: np.nanmax(a, axis=0)),
    ("nanmin", np.nanmin),
    ("fmax-reduce-axis", lambda a: np.fmax.reduce(a, axis=0)),  # skips NaN as nanmax does
    ("fmin-reduce", lambda a: np.fmin.reduce(a, axis=None)),
    ("nanvar-ddof", lambda a: np.nanvar(a, axis=1, ddof=1)),
    ("nanstd-axis", lambda a: np.nanstd(a, axis=0)),
    ("nanstd", np.nanstd),
]


@pytest.mark.parametrize("name, fun", NAN_FUNCTIONS, ids=[f[0] for f in NAN_FUNCTIONS])
def test_nan_reductions(name, fun):
    # the NaN entries are fixed; the others vary: derivatives and values as for numpy
    row = Row(name, lambda a: fun(np.where(KNOWN, a, np.nan)), (np.where(KNOWN, N, 0.5),))
    check_row(row)
    check_values(row)


def test_nanmax_of_an_all_nan_slice_is_nan():
    x = np.array([[np.nan, np.nan], [1.0, np.nan]])
    with pytest.warns(RuntimeWarning):
        expected = np.nanmax(x, axis=1)
    got, _ = optkit.jvp(lambda a: np.nanmax(a, axis=1), x, np.ones((2, 2)))
    np.testing.assert_array_equal(got, expected)
