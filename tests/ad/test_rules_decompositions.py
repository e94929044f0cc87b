"""Table: svd, svdvals, qr, pinv, lstsq, matrix_rank and cond, both modes, second order.

Singular vectors and QR factors are unique only up to the sign of each column (LAPACK's
choice flips where a pivot crosses zero, even inside a finite-difference step), so rows
differentiate sign-invariant functions of them: ``U diag(s) V^T``, ``U V^T``, each column
times its own first entry, ``Q_j R_jj``. Inputs have distinct, well separated singular values.
"""

import numpy as np
import pytest

import optkit
from optkit import NotDifferentiableError
from optkit.ad.core import value_of

from .table import Row, check_row, rng
from .values import check_values

R = rng(0)


def _orthonormal(m, k, batch=()):
    return np.linalg.qr(R.standard_normal(batch + (m, k)))[0]


def _with_singular_values(m, n, s, batch=()):
    """An m x n matrix (or a stack) whose singular values are ``s``."""
    k = len(s)
    u, v = _orthonormal(m, k, batch), _orthonormal(n, k, batch)
    return np.matmul(u * np.asarray(s), np.swapaxes(v, -1, -2))


TALL = _with_singular_values(4, 3, [3.0, 2.0, 1.0])
WIDE = _with_singular_values(3, 4, [2.5, 1.5, 0.8])
SQUARE = _with_singular_values(3, 3, [2.0, 1.2, 0.5])
TALL_B = _with_singular_values(3, 2, [2.0, 1.0], (2,))
WIDE_B = _with_singular_values(2, 3, [1.5, 0.7], (2,))
_Q = _orthonormal(3, 3)
SYM = (_Q * [3.0, -2.0, 1.0]) @ _Q.T          # symmetric, |eigenvalues| distinct
RHS, RHS2, RHS3 = R.standard_normal(4), R.standard_normal((4, 2)), R.standard_normal(3)


def _diag(x):
    return np.diagonal(x, axis1=-2, axis2=-1)


def _svd(a, **kw):
    return np.linalg.svd(a, full_matrices=False, **kw)


def _recompose(a):
    u, s, vh = _svd(a)
    return (u * s[..., None, :]) @ vh


def _u(a, **kw):
    u = np.linalg.svd(a, **kw).U
    return u * u[..., :1, :]


def _vh(a, **kw):
    vh = np.linalg.svd(a, **kw).Vh
    return vh * vh[..., :, :1]


def _polar(a):
    u, _, vh = _svd(a)
    return u @ vh


def _q(a, **kw):
    q, r = np.linalg.qr(a, **kw)
    return q * _diag(r)[..., None, :]


def _rows_signed(r):
    return r * _diag(r)[..., :, None]


def _r(a, **kw):
    return _rows_signed(np.linalg.qr(a, **kw)[1])


ROWS = [
    # svd: reduced, and full_matrices=True where it is the same (square)
    Row("svd-recompose-tall", _recompose, (TALL,)),
    Row("svd-recompose-wide", _recompose, (WIDE,)),
    Row("svd-U-tall", lambda a: _u(a, full_matrices=False), (TALL,)),
    Row("svd-U-wide", lambda a: _u(a, full_matrices=False), (WIDE,)),
    Row("svd-Vh-tall", lambda a: _vh(a, full_matrices=False), (TALL,)),
    Row("svd-Vh-wide", lambda a: _vh(a, full_matrices=False), (WIDE,)),
    Row("svd-S", lambda a: _svd(a).S, (TALL,)),
    Row("svd-polar", _polar, (TALL,)),
    Row("svd-square-full", _u, (SQUARE,)),
    Row("svd-square-full-Vh", _vh, (SQUARE,)),
    Row("svd-batch-U", lambda a: _u(a, full_matrices=False), (TALL_B,)),
    Row("svd-batch-Vh-wide", lambda a: _vh(a, full_matrices=False), (WIDE_B,)),
    Row("svd-batch-S", lambda a: _svd(a)[1], (WIDE_B,)),
    Row("svd-values-only", lambda a: np.linalg.svd(a, compute_uv=False), (TALL,)),
    Row("svd-values-only-wide-batch", lambda a: np.linalg.svd(a, compute_uv=False), (WIDE_B,)),
    Row("svdvals", np.linalg.svdvals, (WIDE,)),
    Row("svdvals-batch", np.linalg.svdvals, (TALL_B,)),
    # qr: reduced (tall, square, wide), 'r', 'complete' of a square matrix
    Row("qr-Q-tall", _q, (TALL,)),
    Row("qr-R-tall", _r, (TALL,)),
    Row("qr-recompose", lambda a: np.matmul(*np.linalg.qr(a)), (TALL,)),
    Row("qr-Q-square", _q, (SQUARE,)),
    Row("qr-R-square", _r, (SQUARE,)),
    Row("qr-Q-wide", _q, (WIDE,)),
    Row("qr-R-wide", _r, (WIDE,)),
    Row("qr-batch-Q", _q, (TALL_B,)),
    Row("qr-batch-R-wide", _r, (WIDE_B,)),
    Row("qr-mode-r", lambda a: _rows_signed(np.linalg.qr(a, mode="r")), (TALL,)),
    Row("qr-complete-square", lambda a: _q(a, mode="complete"), (SQUARE,)),
    # pinv
    Row("pinv-tall", np.linalg.pinv, (TALL,)),
    Row("pinv-wide", np.linalg.pinv, (WIDE,)),
    Row("pinv-square", np.linalg.pinv, (SQUARE,)),
    Row("pinv-batch", np.linalg.pinv, (WIDE_B,)),
    Row("pinv-rtol", lambda a: np.linalg.pinv(a, rtol=None), (TALL,)),
    Row("pinv-hermitian", lambda a: np.linalg.pinv(a, hermitian=True), (SYM,)),
    # cond
    Row("cond", np.linalg.cond, (TALL,)),
    Row("cond-neg-2", lambda a: np.linalg.cond(a, -2), (WIDE_B,)),
    Row("cond-fro", lambda a: np.linalg.cond(a, "fro"), (SQUARE,)),
    Row("cond-1", lambda a: np.linalg.cond(a, 1), (SQUARE,)),
]


# Rows whose functions read a value out of the trace (lstsq's rank, matrix_rank, the order of
# svd(hermitian=True)'s singular values): kept apart from ROWS, which compile to a program.
VALUE_DEPENDENT_ROWS = [
    Row("svd-hermitian-values", lambda a: np.linalg.svd(a, hermitian=True, compute_uv=False),
        (SYM,)),
    Row("svd-hermitian-S", lambda a: np.linalg.svd(a, hermitian=True).S, (SYM,)),
    Row("svd-hermitian-U", lambda a: _u(a, hermitian=True), (SYM,)),
    Row("svd-hermitian-Vh", lambda a: _vh(a, hermitian=True), (SYM,)),
    # lstsq: x (over- and underdetermined), residuals, s
    Row("lstsq-x", lambda a, b: np.linalg.lstsq(a, b)[0], (TALL, RHS)),
    Row("lstsq-x-matrix-b", lambda a, b: np.linalg.lstsq(a, b, rcond=None)[0], (TALL, RHS2)),
    Row("lstsq-x-min-norm", lambda a, b: np.linalg.lstsq(a, b)[0], (WIDE, RHS3)),
    Row("lstsq-x-square", lambda a, b: np.linalg.lstsq(a, b, rcond=-1)[0], (SQUARE, RHS3)),
    Row("lstsq-residuals", lambda a, b: np.linalg.lstsq(a, b)[1], (TALL, RHS2)),
    Row("lstsq-s", lambda a: np.linalg.lstsq(a, RHS)[3], (TALL,)),
    Row("matrix_rank", lambda a: np.linalg.matrix_rank(a) * a, (TALL,)),
]


@pytest.mark.parametrize("row", ROWS + VALUE_DEPENDENT_ROWS, ids=str)
def test_decompositions(row):
    check_row(row)


@pytest.mark.parametrize("row", ROWS + VALUE_DEPENDENT_ROWS, ids=str)
def test_decompositions_value_through_tracer(row):
    check_values(row, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("row", VALUE_DEPENDENT_ROWS, ids=str)
def test_value_dependent_rows_compile_to_eager_evaluation(row):
    x = row.args[0]

    def f(a):
        return np.sum(row.fun(a, *row.args[1:]))

    compiled = optkit.compile(f)
    with pytest.warns(optkit.CompileWarning, match="running eagerly"):
        value, grad = compiled.value_and_grad(x)
    assert compiled.is_dynamic(x) is not None
    np.testing.assert_allclose(value, f(x), rtol=1e-14)
    np.testing.assert_allclose(grad, optkit.grad(f)(x), rtol=1e-14)


# ---- values are numpy's, signs included ----------------------------------------------------
def _traced(f, x):
    """f's value computed through a forward trace: every output, as plain values."""
    out = []

    def keep(a):
        out.append(f(a))
        return np.sum(a)

    optkit.jvp(keep, x, np.ones(np.shape(x)))
    if isinstance(out[0], tuple):
        return tuple(value_of(y) for y in out[0])
    return value_of(out[0])


@pytest.mark.parametrize("f, x", [
    (lambda a: np.linalg.svd(a, full_matrices=False), TALL),
    (np.linalg.svd, SQUARE),
    (lambda a: np.linalg.svd(a, hermitian=True), SYM),
    (np.linalg.qr, TALL),
    (np.linalg.qr, WIDE),
    (lambda a: np.linalg.qr(a, mode="complete"), SQUARE),
    (lambda a: np.linalg.lstsq(a, RHS2), TALL),
    (lambda a: np.linalg.lstsq(a, RHS), TALL),
    (lambda a: np.linalg.lstsq(a, RHS3), WIDE),
], ids=["svd", "svd-square", "svd-hermitian", "qr", "qr-wide", "qr-complete", "lstsq",
        "lstsq-vector", "lstsq-wide"])
def test_values_and_signs_are_numpys(f, x):
    got, expected = _traced(f, x), f(x)
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert np.shape(g) == np.shape(e)
        np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-13)


def test_lstsq_rank_and_empty_residuals_as_numpy():
    x, residuals, rank, s = _traced(lambda a: np.linalg.lstsq(a, RHS3), WIDE)
    assert rank == 3 and isinstance(rank, (int, np.integer))
    assert np.shape(residuals) == (0,)
    deficient = TALL @ np.diag([1.0, 1.0, 0.0])   # rank 2 < n: no residuals, as numpy
    _, residuals, rank, _ = _traced(lambda a: np.linalg.lstsq(a, RHS), deficient)
    assert rank == 2 and np.shape(residuals) == (0,)


def test_hermitian_pinv_reads_the_lower_triangle_as_numpy():
    a = SYM + np.triu(R.standard_normal((3, 3)), 1)    # numpy ignores the upper triangle
    np.testing.assert_allclose(_traced(lambda m: np.linalg.pinv(m, hermitian=True), a),
                               np.linalg.pinv(a, hermitian=True), rtol=1e-12, atol=1e-13)
    check_row(Row("pinv-hermitian-nonsymmetric", lambda m: np.linalg.pinv(m, hermitian=True),
                  (a,)))


def test_qr_deprecated_full_mode_warns_as_numpy_and_is_reduced():
    with pytest.warns(DeprecationWarning, match="'full' option is deprecated"):
        q, r = _traced(lambda a: np.linalg.qr(a, mode="full"), TALL)
    q0, r0 = np.linalg.qr(TALL)
    np.testing.assert_allclose(q, q0, rtol=1e-14)
    np.testing.assert_allclose(r, r0, rtol=1e-14)


# ---- what is refused, and how ------------------------------------------------------------------
@pytest.mark.parametrize("f, error, match", [
    (lambda a: np.linalg.svd(a), NotDifferentiableError, "pass full_matrices=False"),
    (lambda a: np.linalg.qr(a, mode="complete"), NotDifferentiableError, "pass mode='reduced'"),
    (lambda a: np.linalg.qr(a, mode="raw"), NotDifferentiableError, "mode='raw'"),
    (lambda a: np.linalg.qr(a, mode="economic"), NotDifferentiableError, "mode='economic'"),
    (lambda a: np.linalg.qr(a, mode="thin"), ValueError, "mode='thin'"),
    (lambda a: np.linalg.svd(a[0]), ValueError, "`a` must be at least 2-d"),
    (lambda a: np.linalg.svd(a, hermitian=True), ValueError, "`a` must be square"),
    (lambda a: np.linalg.lstsq(a, np.ones(3)), ValueError, "`b` must be 1-d or 2-d with 4 rows"),
    (lambda a: np.linalg.lstsq(a[None], np.ones(4)), ValueError, "`a` must be 2-d"),
    (lambda a: np.linalg.pinv(a, rcond=1e-10, rtol=1e-10), ValueError, "`rtol` and `rcond`"),
    (lambda a: np.linalg.cond(a, "fro"), ValueError, "`x` must be square"),
], ids=["svd-full_matrices", "qr-complete", "qr-raw", "qr-economic", "qr-unknown-mode", "svd-1d",
        "svd-hermitian-nonsquare", "lstsq-b-rows", "lstsq-3d", "pinv-rcond-rtol", "cond-p"])
def test_unsupported_modes_and_bad_input_name_the_argument(f, error, match):
    with pytest.raises(error, match=match):
        optkit.grad(lambda a: np.sum(f(a)[0]))(TALL)


# ---- derivatives with known closed forms ---------------------------------------------------------
def test_norm_gradients_are_the_singular_vector_formulas():
    u, _, vh = np.linalg.svd(TALL, full_matrices=False)
    np.testing.assert_allclose(optkit.grad(lambda a: np.linalg.norm(a, "nuc"))(TALL), u @ vh,
                               rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(optkit.grad(lambda a: np.linalg.norm(a, 2))(TALL),
                               np.outer(u[:, 0], vh[0]), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(optkit.grad(lambda a: np.linalg.norm(a, -2))(TALL),
                               np.outer(u[:, -1], vh[-1]), rtol=1e-12, atol=1e-14)


def test_singular_values_stay_differentiable_where_they_repeat():
    a = 2.0 * _orthonormal(3, 3)   # all singular values 2: U V^T = a / 2 whatever the basis
    g = optkit.grad(lambda m: np.linalg.norm(m, "nuc"))(a)
    np.testing.assert_allclose(g, a / 2.0, atol=1e-14)
    g = optkit.grad(lambda m: np.sum(np.linalg.svdvals(m) ** 2))(a)   # = ||m||_F^2
    np.testing.assert_allclose(g, 2.0 * a, atol=1e-14)
    # singular vectors are not differentiable there: NaN/inf, never a plausible number
    g = optkit.grad(lambda m: np.sum(_svd(m).U ** 3))(a)
    assert not np.all(np.isfinite(g))


def test_hvp_through_lstsq():
    # f(b) = ||A+ b||^2 has the Hessian 2 A+^T A+
    p = np.linalg.pinv(TALL)
    v = R.standard_normal(4)
    hv = optkit.hvp(lambda b: np.sum(np.linalg.lstsq(TALL, b)[0] ** 2), RHS, v)
    np.testing.assert_allclose(hv, 2.0 * p.T @ (p @ v), rtol=1e-12)

    # in A: against a central difference of the (AD) gradient
    def f(a):
        return np.sum(np.linalg.lstsq(a, RHS)[0] ** 2)

    w = R.standard_normal(TALL.shape)
    grad, h = optkit.grad(f), 1e-5
    expected = (grad(TALL + h * w) - grad(TALL - h * w)) / (2 * h)
    np.testing.assert_allclose(optkit.hvp(f, TALL, w), expected, rtol=1e-7, atol=1e-9)


def test_separable_least_squares_by_variable_projection():
    # Golub & Pereyra 1973: fit y = c1 exp(-w1 t) + c2 exp(-w2 t); for fixed rates w the
    # coefficients c solve a linear least-squares problem, and the residual is minimized in w
    t = np.linspace(0.0, 4.0, 30)
    y = 2.0 * np.exp(-0.5 * t) + 1.0 * np.exp(-2.0 * t)

    def projected_residual(w):
        phi = np.exp(-t[:, None] * w)
        return np.linalg.lstsq(phi, y)[1][0]

    # compile=False: lstsq reads its rank from the value, so a compiled objective runs eagerly
    res = optkit.minimize(projected_residual, np.array([0.3, 1.5]), method="newton-cg",
                          compile=False, gtol=1e-10)
    assert res.success, res.message
    np.testing.assert_allclose(np.sort(res.x), [0.5, 2.0], rtol=1e-5)
