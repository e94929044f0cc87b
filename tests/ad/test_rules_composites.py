"""Table: numpy functions composed of differentiable operations (interp, trapezoid, polyval,
convolve, linspace, meshgrid, vander, cov, corrcoef, gradient, ediff1d, insert, select,
nan_to_num, resize, unique), both modes, order 2, values equal to numpy's; and their refusals
of argument values they do not support."""

import numpy as np
import pytest

import optkit

from .table import Row, check_row, rng
from .values import check_values

R = rng(0)
XP = np.linspace(0.0, 1.0, 6)  # knots 0.2 apart; evaluation points stay 0.03+ away from them
FP = R.standard_normal(6)
XI = np.array([-0.5, 0.13, 0.31, 0.55, 0.77, 0.95, 1.4])
X2 = np.array([[0.07, 0.46], [0.66, 0.88], [0.25, 0.13]])
XP_PERIODIC = np.array([0.72, 0.05, 0.5, 0.9, 0.3])  # unsorted, as numpy allows with a period
XI_PERIODIC = np.array([-1.6, -0.2, 0.15, 0.4, 0.61, 0.97, 1.8, 2.35])
Y = R.standard_normal(7)
Y2 = R.standard_normal((4, 5))
T = np.sort(R.uniform(0.0, 3.0, 7))
T2 = np.cumsum(R.uniform(0.5, 1.0, (4, 5)), axis=0)
P = R.standard_normal(4)
A, V = R.standard_normal(7), R.standard_normal(4)
S0, S1 = np.array(-0.7), np.array(1.3)
S3 = R.standard_normal(3)
M, M6 = R.standard_normal((3, 6)), R.standard_normal((6, 2))
FW, AW = np.array([1.0, 2.0, 1.0, 3.0, 1.0, 2.0]), R.uniform(0.5, 1.5, 6)
V41 = R.standard_normal((4, 1))
A5, B5 = np.array([-1.2, 0.4, 0.9, -0.3, 1.5]), np.array([0.1, 0.8, -0.6, 0.2, 1.1])
SPECIAL = np.array([0.0, np.inf, np.nan, -np.inf, 0.0])
DISTINCT = R.permutation(np.linspace(-1.0, 1.0, 7))
ROWS_DISTINCT = np.array([[1.0, 0.5], [-1.0, 0.3], [1.5, -0.2], [0.4, 0.9]])

# rows of functions that read values out of the trace (the segment np.interp evaluates): kept
# apart from ROWS, which compile to a program
VALUE_DEPENDENT_ROWS = [
    Row("interp", lambda x, xp, fp: np.sin(np.interp(x, xp, fp)), (XI, XP, FP)),
    Row("interp-2d-x", lambda x, fp: np.interp(x, XP, fp) ** 2, (X2, FP)),
    # numpy dispatches on x, xp and fp only: a traced left/right needs one of them traced too
    Row("interp-left-right", lambda x, fp: np.interp(x, XP, fp, fp[1] * 2.0, fp[2] ** 2) ** 2,
        (XI, FP)),
    Row("interp-scalar-x", lambda x, fp: np.interp(x, XP, fp) * fp, (np.array(0.43), FP)),
    Row("interp-period", lambda x, xp, fp: np.cos(np.interp(x, xp, fp, period=1.0)),
        (XI_PERIODIC, XP_PERIODIC, FP[:5])),
    # traced coordinates: whether they are evenly spaced picks numpy's formula
    Row("gradient-coordinates", lambda x, f: np.gradient(f ** 2, x, edge_order=2), (T, Y)),
    Row("unique", lambda a: np.unique(a) ** 2 * np.arange(7.0), (DISTINCT,)),
    Row("unique-axis", lambda a: np.unique(a, axis=0) ** 2, (ROWS_DISTINCT,)),
    Row("unique-return-index", lambda a: np.unique(a, return_index=True)[0][::2] ** 2,
        (DISTINCT,)),
]

ROWS = [
    Row("trapezoid", lambda y: np.trapezoid(y ** 2), (Y,)),
    Row("trapezoid-x", lambda y, x: np.trapezoid(y * x, x), (Y, T)),
    Row("trapezoid-dx", lambda y, dx: np.trapezoid(y, dx=dx) * dx, (Y2, S1)),
    Row("trapezoid-x2d-axis0", lambda y, x: np.trapezoid(y ** 2, x, axis=0), (Y2, T2)),
    Row("trapezoid-x1d-axis0", lambda y, x: np.trapezoid(y, x=x ** 2, axis=0), (Y2, T[:4])),
    Row("polyval", lambda p, x: np.polyval(p, x), (P, Y)),
    Row("polyval-2d-x", lambda p, x: np.polyval(p, x), (P, Y2)),
    Row("convolve", lambda a, v: np.convolve(a, v) ** 2, (A, V)),
    Row("convolve-same", lambda a, v: np.convolve(a, v, "same") ** 2, (A, V)),
    Row("convolve-valid", lambda a, v: np.convolve(a, v, mode="valid") ** 2, (A, V)),
    Row("convolve-short-first", lambda v, a: np.convolve(v, a, "same") ** 2, (V, A)),
    Row("linspace", lambda a, b: np.linspace(a, b, 5) ** 2, (S0, S1)),
    Row("linspace-open", lambda a, b: np.linspace(a, b, 4, endpoint=False) ** 2, (S0, S1)),
    Row("linspace-arrays-axis", lambda a, b: np.linspace(a, b, 3, axis=-1) ** 2, (S3, S1)),
    Row("linspace-retstep", lambda a, b: np.linspace(a, b, 6, retstep=True)[1] ** 2, (S0, S1)),
    Row("linspace-one", lambda a, b: np.linspace(a, b, 1) ** 2, (S0, S1)),
    Row("meshgrid", lambda x, y: np.sin(np.stack(np.meshgrid(x, y))) * np.sum(x), (S3, Y[:4])),
    Row("meshgrid-ij-sparse", lambda x, y: np.meshgrid(x, y, indexing="ij", sparse=True)[0] ** 2
        * np.meshgrid(x, y, indexing="ij", sparse=True)[1], (S3, Y[:4])),
    Row("meshgrid-3", lambda x, y: np.meshgrid(x, y, x[:2], copy=False)[2] * x[0] ** 2, (S3, P)),
    Row("vander", np.vander, (Y[:4],)),
    Row("vander-N-increasing", lambda x: np.vander(x, 5, increasing=True), (Y[:3],)),
    Row("vander-N1", lambda x: np.vander(x, N=1) * x, (Y[:3],)),
    Row("cov", np.cov, (M,)),
    Row("cov-rowvar-bias", lambda m: np.cov(m, rowvar=False, bias=True), (M6,)),
    Row("cov-ddof-y", lambda m, y: np.cov(m, y, ddof=2), (M, Y[:6])),
    Row("cov-1d", lambda x: np.cov(x) * x, (Y,)),
    # (numpy multiplies a float fweights array by aweights in place: hand it a copy)
    Row("cov-weights", lambda m: np.cov(m, fweights=FW.copy(), aweights=AW), (M,)),
    Row("cov-fweights-bias", lambda m: np.cov(m, bias=True, fweights=FW), (M,)),
    Row("cov-aweights-rowvar", lambda m: np.cov(m, rowvar=False, aweights=AW), (M6,)),
    Row("corrcoef", np.corrcoef, (M,)),
    Row("corrcoef-y-rowvar", lambda x, y: np.corrcoef(x, y, rowvar=False), (M6, Y[:6])),
    Row("corrcoef-1d", lambda x: np.corrcoef(x) * x, (Y,)),
    Row("gradient", lambda f: np.gradient(f ** 2), (Y,)),
    Row("gradient-2d", lambda f: np.stack(np.gradient(f ** 2)), (Y2,)),
    Row("gradient-spacing-edge2", lambda f, h: np.gradient(f ** 2, h, edge_order=2), (Y2[0], S1)),
    Row("gradient-per-axis", lambda f: np.stack(np.gradient(f ** 2, 0.5, 2.0, edge_order=2)),
        (Y2,)),
    Row("gradient-axis-coordinates", lambda f: np.gradient(f ** 2, T[:4], axis=0), (Y2,)),
    Row("gradient-even-coordinates", lambda f: np.gradient(f ** 2, np.arange(7.0) / 4), (Y,)),
    Row("ediff1d", lambda a: np.ediff1d(a) ** 2, (Y2,)),
    Row("ediff1d-ends", lambda a, b: np.ediff1d(a, to_end=b, to_begin=[1.0, 2.0]) ** 2,
        (Y2, S3)),
    Row("insert", lambda a, v: np.insert(a, 2, v) ** 2, (Y, S1)),
    Row("insert-axis-broadcast", lambda a, v: np.insert(a, [1, 3], v, axis=1) ** 2, (Y2, V41)),
    Row("insert-slice", lambda a, v: np.insert(a, slice(0, 4, 2), v) ** 2, (Y2, S3[:2])),
    Row("select", lambda a, b: np.select([a > 0, b < 0.5], [a ** 2, b * a], default=-1.0),
        (A5, B5)),
    Row("select-broadcast", lambda a, b: np.select([B5 > 0], [a[:, None] * b]), (A5, B5)),
    Row("nan_to_num", lambda x: np.sin(np.nan_to_num(x + SPECIAL)), (A5,)),
    Row("nan_to_num-values", lambda x: np.nan_to_num(x + SPECIAL, nan=0.5, posinf=3.0,
                                                     neginf=-2.0) ** 2, (A5,)),
    Row("resize", lambda a: np.resize(a, (3, 4)) ** 2, (A5,)),
    Row("resize-int", lambda a: np.resize(a, 3) ** 2, (Y2,)),
]


@pytest.mark.parametrize("row", ROWS + VALUE_DEPENDENT_ROWS, ids=str)
def test_derivatives(row):
    check_row(row)


@pytest.mark.parametrize("row", ROWS + VALUE_DEPENDENT_ROWS, ids=str)
def test_values(row):
    check_values(row)


@pytest.mark.parametrize("row", VALUE_DEPENDENT_ROWS, ids=str)
def test_value_dependent_rows_compile_to_eager_evaluation(row):
    def f(x):
        return np.sum(row.fun(x, *row.args[1:]))

    compiled = optkit.compile(f)
    with pytest.warns(optkit.CompileWarning, match="running eagerly"):
        value, grad = compiled.value_and_grad(row.args[0])
    np.testing.assert_allclose(value, f(row.args[0]), rtol=1e-14)
    np.testing.assert_allclose(grad, optkit.grad(f)(row.args[0]), rtol=1e-14)


HVP_CASES = [
    ("interp", lambda x: np.sum(np.sin(np.interp(x ** 2, XP, np.cos(x[:6])))), XI),
    ("convolve", lambda a: np.sum(np.convolve(a, np.sin(a[:3]), "same") ** 2), A),
    ("polyval-trapezoid", lambda p: np.trapezoid(np.polyval(p, T) ** 2, T), P),
    ("linspace-vander", lambda s: np.sum(np.vander(np.linspace(s[0], s[1], 4)) ** 2), S3),
    ("cov-corrcoef", lambda m: np.sum(np.cov(m) * np.corrcoef(m) ** 2), M),
    ("gradient-ediff1d", lambda f: np.sum(np.gradient(f ** 3, 0.3, edge_order=2)
                                          * np.ediff1d(f, to_end=f[0])), Y),
    ("select-nan_to_num-unique", lambda a: np.sum(np.select(
        [a > 0], [np.unique(a) ** 3], np.nan_to_num(a ** 2 + SPECIAL, posinf=1.0, neginf=2.0))),
     A5),
    ("insert-resize", lambda a: np.sum(np.resize(np.insert(a, 1, a[0] ** 2), (2, 4)) ** 3), A5),
]


@pytest.mark.parametrize("name, f, x", HVP_CASES, ids=[c[0] for c in HVP_CASES])
def test_hvp_matches_differences_of_gradients(name, f, x):
    v = rng(1).standard_normal(x.shape)
    h = 1e-5
    fd = (optkit.grad(f)(x + h * v) - optkit.grad(f)(x - h * v)) / (2 * h)
    np.testing.assert_allclose(optkit.hvp(f, x, v), fd, rtol=1e-6, atol=1e-7)


# ---- interp ----------------------------------------------------------------------------------
def test_interp_values_at_knots_ends_and_nan_are_numpys():
    x = np.array([-1.0, 0.0, 0.2, 0.5, 1.0, 2.0, np.nan, np.inf, -np.inf])
    xp = np.array([0.0, 0.2, 0.2, 0.6, 1.0, 1.0])  # repeated knots, also at the end
    for kw in ({}, {"left": -3.0, "right": 4.0}, {"period": 0.7}):
        def f(fp, kw=kw):
            # (numpy warns on x % period of an infinite x)
            return np.interp(x[:-2] if kw.get("period") else x, xp, fp, **kw)

        got, _ = optkit.jvp(f, FP, np.ones(6))
        np.testing.assert_array_equal(got, f(FP))


def test_interp_derivative_is_the_slope_from_the_right_and_nan_stays_local():
    xp, fp = np.array([0.0, 1.0, 3.0]), np.array([0.0, 2.0, 3.0])
    slopes = optkit.jvp(lambda x: np.interp(x, xp, fp), np.array([-1.0, 0.0, 1.0, 3.0, 4.0]),
                        np.ones(5))[1]
    np.testing.assert_array_equal(slopes, [0.0, 2.0, 0.5, 0.0, 0.0])
    g = optkit.grad(lambda f: np.sum(np.interp(np.array([0.5, np.nan, np.inf]), xp, f)))(fp)
    np.testing.assert_array_equal(g, [0.5, 0.5, 1.0])


def test_interp_single_sample_point():
    f = optkit.grad(lambda fp: np.sum(np.interp(np.array([-1.0, 0.5, 2.0]), [0.5], fp)))
    np.testing.assert_array_equal(f(np.array([3.0])), [3.0])


@pytest.mark.parametrize("kwargs, match", [
    ({"xp": np.ones((2, 3)), "fp": np.ones((2, 3))}, "xp"),
    ({"fp": np.ones(5)}, "same length"),
    ({"left": np.ones(2)}, "left"),
    ({"right": np.ones(2)}, "right"),
    ({"period": 0.0}, "period"),
])
def test_interp_rejects_bad_arguments_naming_them(kwargs, match):
    args = {"xp": XP, "fp": FP, **kwargs}
    with pytest.raises(ValueError, match=match):
        optkit.grad(lambda x: np.sum(np.interp(x, **args)))(XI)


def test_interp_rejects_a_traced_period_and_complex_fp():
    with pytest.raises(TypeError, match="period"):
        optkit.grad(lambda x: np.sum(np.interp(x, XP, FP, period=x[0] + 2.0)))(XI)
    with pytest.raises(TypeError, match="fp"):
        optkit.grad(lambda x: np.sum(np.interp(x, XP, FP + 1j).real))(XI)


def test_unique_gathers_the_first_occurrence_and_returns_numpys_constants():
    x = np.array([2.0, 1.0, 2.0, 3.0, 1.0])
    g = optkit.grad(lambda a: np.sum(np.unique(a) * np.array([1.0, 10.0, 100.0])))(x)
    np.testing.assert_array_equal(g, [10.0, 1.0, 0.0, 100.0, 0.0])
    seen = []

    def f(a):
        values, *rest = np.unique(a, return_index=True, return_inverse=True, return_counts=True)
        seen.append(rest)
        return np.sum(values)

    optkit.grad(f)(x)
    for got, expected in zip(seen[0], np.unique(x, True, True, True)[1:], strict=True):
        assert type(got) is np.ndarray
        np.testing.assert_array_equal(got, expected)


# ---- the others ------------------------------------------------------------------------------
@pytest.mark.parametrize("f, error, match", [
    (lambda a: np.convolve(a, V, mode="circular"), ValueError, "mode"),
    (lambda a: np.convolve(np.reshape(a, (7, 1)), V), ValueError, "`a`"),
    (lambda a: np.convolve(a, np.zeros(0)), ValueError, "`v` cannot be empty"),
    (lambda a: np.trapezoid(a, axis=1), ValueError, "axis"),
    (lambda a: np.polyval(a[0], a), ValueError, "`p`"),
    (lambda a: np.linspace(a[0], a[1], -1), ValueError, "num"),
    (lambda a: np.linspace(a[0], a[1], 3, dtype=np.float32), TypeError, "dtype"),
    (lambda a: np.linspace(a[0], a[1], 3, device="gpu"), ValueError, "device"),
    (lambda a: np.meshgrid(a, a, indexing="yx")[0], ValueError, "indexing"),
    (lambda a: np.vander(np.reshape(a, (7, 1))), ValueError, "`x`"),
    (lambda a: np.vander(a, -2), ValueError, "`N`"),
    (lambda a: np.cov(a, ddof=1.5), ValueError, "ddof"),
    (lambda a: np.cov(np.reshape(a[:6], (1, 2, 3))), ValueError, "`m`"),
    (lambda a: np.cov(a, np.zeros((1, 1, 7))), ValueError, "`y`"),
    (lambda a: np.cov(a, fweights=-np.ones(7)), ValueError, "fweights"),
    (lambda a: np.cov(a, fweights=np.full(7, 1.5)), TypeError, "fweights"),
    (lambda a: np.cov(a, aweights=np.ones(3)), RuntimeError, "aweights"),
    (lambda a: np.cov(M, aweights=a[:6]), TypeError, "aweights"),
    (lambda a: np.cov(a, dtype=np.float32), TypeError, "dtype"),
    (lambda a: np.gradient(a, edge_order=3), ValueError, "edge_order"),
    (lambda a: np.gradient(a[:2], edge_order=2), ValueError, "edge_order"),
    (lambda a: np.gradient(a, axis=1), ValueError, "axis"),
    (lambda a: np.gradient(np.reshape(a[:6], (2, 3)), axis=(0, -2)), ValueError, "axis"),
    (lambda a: np.gradient(a, 1.0, 2.0), TypeError, "varargs"),
    (lambda a: np.gradient(a, np.ones(3)), ValueError, "varargs"),
    (lambda a: np.insert(np.arange(3), 1, a[0]), TypeError, "arr"),
    (lambda a: np.select([a > 0], [a, a]), ValueError, "condlist"),
    (lambda a: np.select([a], [a]), TypeError, "condlist"),
    (lambda a: np.nan_to_num(a, copy=False), ValueError, "copy"),
    (lambda a: np.resize(a, (2, -1)), ValueError, "new_shape"),
])
def test_unsupported_argument_values_raise_naming_them(f, error, match):
    with pytest.raises(error, match=match):
        optkit.grad(lambda a: np.sum(f(a)))(A)


def test_cov_with_too_few_observations_warns_as_numpy_does():
    with np.errstate(divide="ignore", invalid="ignore"):
        with pytest.warns(RuntimeWarning, match="Degrees of freedom"):
            got, _ = optkit.jvp(lambda a: np.cov(a, ddof=7), A, np.ones(7))
        with pytest.warns(RuntimeWarning, match="Degrees of freedom"):
            np.testing.assert_array_equal(got, np.cov(A, ddof=7))


def test_linspace_with_equal_ends_and_vander_with_no_columns_match_numpy():
    got, _ = optkit.jvp(lambda a: np.linspace(a, a, 4), S0, np.array(1.0))
    np.testing.assert_array_equal(got, np.linspace(S0, S0, 4))
    got, _ = optkit.jvp(lambda x: np.vander(x, 0), Y[:3], np.ones(3))
    assert np.shape(got) == (3, 0)
