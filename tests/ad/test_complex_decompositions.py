"""Complex svd, qr, cholesky, pinv and lstsq: JAX's conventions, against differences.

Each row goes through ``check_complex_row``: the JVP along a complex direction, ``grad`` of a
real loss against ``dL/dx - i dL/dy`` by central differences (real and imaginary parts
perturbed), the VJP against ``grad``, and the HVP against a difference of ``grad``.

A complex SVD is unique only up to a phase per singular triple (u_j, v_j) -> e^{i phi}
(u_j, v_j), and a complex QR up to a phase per column of Q (and row of R): LAPACK's choice
can jump inside a difference step, so rows differentiate functions invariant under those
phases (``U diag(s) V^H``, ``u_j v_j^H``, ``|U|``, ``Q_j R_jk conj(R_jj)``...).
"""

import numpy as np
import pytest

import optkit

from .table import Row, check_complex_row, check_row


def _cmat(shape, seed):
    r = np.random.default_rng(seed)
    return r.standard_normal(shape) + 1j * r.standard_normal(shape)


def _with_singular_values(m, n, s, seed, batch=()):
    """A complex m x n matrix (or a stack) whose singular values are ``s``."""
    k = len(s)
    u = np.linalg.qr(_cmat(batch + (m, k), seed))[0]
    v = np.linalg.qr(_cmat(batch + (n, k), seed + 1))[0]
    return np.matmul(u * np.asarray(s), np.conj(np.swapaxes(v, -1, -2)))


TALL = _with_singular_values(4, 3, [3.0, 2.0, 1.0], 0)
WIDE = _with_singular_values(3, 4, [2.5, 1.5, 0.8], 2)
SQUARE = _with_singular_values(3, 3, [2.0, 1.2, 0.5], 4)
TALL_B = _with_singular_values(3, 2, [2.0, 1.0], 6, (2,))
WIDE_B = _with_singular_values(2, 3, [1.5, 0.7], 8, (2,))
_Q = np.linalg.qr(_cmat((3, 3), 10))[0]
HERM = (_Q * [3.0, -2.0, 1.0]) @ np.conj(_Q.T)    # Hermitian, |eigenvalues| distinct


def _svd(a):
    return np.linalg.svd(a, full_matrices=False)


def _recompose(a):
    u, s, vh = _svd(a)
    return (u * s[..., None, :]) @ vh


def _leading_term(a):        # u_1 v_1^H: phase invariant
    u, _, vh = _svd(a)
    return u[..., :, :1] * vh[..., :1, :]


def _polar(a):
    u, _, vh = _svd(a)
    return u @ vh


def _u_projector(a):         # U U^H
    u = _svd(a).U
    return u @ np.conj(np.swapaxes(u, -1, -2))


def _v_abs(a):
    return np.abs(_svd(a).Vh) ** 2


def _u_phase_fixed(a):       # each column of U times the conjugate phase of v_j's first entry
    u, _, vh = _svd(a)
    return u * vh[..., :, :1].T if np.ndim(a) == 2 else u * np.swapaxes(vh[..., :, :1], -1, -2)


SVD_ROWS = [
    Row("svd-recompose-tall", _recompose, (TALL,)),
    Row("svd-recompose-wide", _recompose, (WIDE,)),
    Row("svd-leading-term-tall", _leading_term, (TALL,)),
    Row("svd-leading-term-wide", _leading_term, (WIDE,)),
    Row("svd-leading-term-square", _leading_term, (SQUARE,)),
    Row("svd-polar-square", _polar, (SQUARE,)),
    Row("svd-polar-tall", _polar, (TALL,)),
    Row("svd-U-projector-tall", _u_projector, (TALL,)),
    Row("svd-U-phase-fixed-wide", _u_phase_fixed, (WIDE,)),
    Row("svd-Vh-abs-wide", _v_abs, (WIDE,)),
    Row("svd-S", lambda a: _svd(a).S, (TALL,)),
    Row("svd-batch-leading-term", _leading_term, (TALL_B,)),
    Row("svd-batch-polar-wide", _polar, (WIDE_B,)),
    Row("svdvals", np.linalg.svdvals, (WIDE,)),
    Row("svd-hermitian-recompose",
        lambda a: (lambda u, s, vh: (u * s) @ vh)(*np.linalg.svd(a, hermitian=True)), (HERM,)),
    Row("svd-hermitian-values", lambda a: np.linalg.svd(a, hermitian=True, compute_uv=False),
        (HERM,)),
    Row("norm-nuc", lambda a: np.linalg.norm(a, "nuc"), (TALL,)),
    Row("norm-2", lambda a: np.linalg.norm(a, 2), (WIDE,)),
    Row("cond", np.linalg.cond, (SQUARE,)),
]


@pytest.mark.parametrize("row", SVD_ROWS, ids=str)
def test_complex_svd(row):
    check_complex_row(row, rtol=1e-5, atol=1e-7)


def test_complex_svd_values_and_shapes_are_numpys():
    def f(a):
        u, s, vh = _svd(a)
        np.testing.assert_allclose(optkit.ad.core.value_of(u), np.linalg.svd(TALL, False)[0])
        np.testing.assert_allclose(optkit.ad.core.value_of(vh), np.linalg.svd(TALL, False)[2])
        assert optkit.ad.core.value_of(s).dtype == np.float64
        return np.sum(s)

    optkit.grad(f)(TALL)

    def h(a):
        u, s, vh = np.linalg.svd(a, hermitian=True)
        for mine, numpys in zip((u, s, vh), np.linalg.svd(HERM, hermitian=True), strict=True):
            np.testing.assert_allclose(optkit.ad.core.value_of(mine), numpys, atol=1e-14)
        return np.sum(s)

    optkit.grad(h)(HERM)


def test_complex_singular_vectors_are_not_differentiable_where_values_repeat():
    q = np.linalg.qr(_cmat((3, 3), 11))[0]
    a = 2.0 * q                       # all singular values 2
    g = optkit.grad(lambda m: np.sum(np.abs(_leading_term(m)) ** 2 * np.arange(3.0)))(a)
    assert not np.all(np.isfinite(g))
    # the singular values themselves stay differentiable (Lewis 1996): nuc norm -> conj(U V^H)
    g = optkit.grad(lambda m: np.linalg.norm(m, "nuc"))(a)
    np.testing.assert_allclose(g, np.conj(a / 2.0), atol=1e-14)


# ---- cholesky: A = L L^H, unique (positive diagonal), reading the lower (upper) triangle -------
_C = _cmat((3, 3), 12)
HPD = _C @ np.conj(_C.T) + 3.0 * np.eye(3)
HPD_B = np.stack([HPD, HPD + np.diag([1.0, 2.0, 0.5]) + 0.3j * np.triu(np.ones((3, 3)), 1)
                  - 0.3j * np.tril(np.ones((3, 3)), -1)])
NONHERM = HPD + 0.4 * np.triu(_cmat((3, 3), 13), 1)   # differs from HPD above the diagonal

CHOLESKY_ROWS = [
    Row("cholesky", np.linalg.cholesky, (HPD,)),
    Row("cholesky-upper", lambda a: np.linalg.cholesky(a, upper=True), (HPD,)),
    Row("cholesky-batch", np.linalg.cholesky, (HPD_B,)),
    Row("cholesky-logdet", lambda a: 2 * np.sum(np.log(np.real(np.diagonal(
        np.linalg.cholesky(a))))), (HPD,)),
    Row("cholesky-reads-lower", np.linalg.cholesky, (NONHERM,)),
]


@pytest.mark.parametrize("row", CHOLESKY_ROWS, ids=str)
def test_complex_cholesky(row):
    check_complex_row(row, rtol=1e-5, atol=1e-7)


def test_complex_cholesky_value_is_numpys():
    for upper in (False, True):
        def f(a, upper=upper):
            c = np.linalg.cholesky(a, upper=upper)
            np.testing.assert_allclose(optkit.ad.core.value_of(c),
                                       np.linalg.cholesky(NONHERM, upper=upper), atol=1e-14)
            return np.sum(np.abs(c))

        optkit.grad(f)(NONHERM)


# ---- qr: LAPACK's R has a real diagonal, which leaves a sign per column -------------------------
def _signs(r):
    """+-1 per row of R: the sign of its (real) diagonal."""
    return np.sign(np.real(np.diagonal(r, axis1=-2, axis2=-1)))


def _q(a, **kw):
    q, r = np.linalg.qr(a, **kw)
    return q * _signs(r)[..., None, :]


def _r(a, **kw):
    r = np.linalg.qr(a, **kw)
    r = r if kw.get("mode") == "r" else r[1]
    return r * _signs(r)[..., :, None]


QR_ROWS = [
    Row("qr-Q-tall", _q, (TALL,)),
    Row("qr-R-tall", _r, (TALL,)),
    Row("qr-Q-square", _q, (SQUARE,)),
    Row("qr-R-square", _r, (SQUARE,)),
    Row("qr-Q-wide", _q, (WIDE,)),
    Row("qr-R-wide", _r, (WIDE,)),
    Row("qr-recompose", lambda a: np.matmul(*np.linalg.qr(a)), (TALL,)),
    Row("qr-batch-Q", _q, (TALL_B,)),
    Row("qr-batch-R-wide", _r, (WIDE_B,)),
    Row("qr-mode-r", lambda a: _r(a, mode="r"), (TALL,)),
    Row("qr-complete-square", lambda a: _q(a, mode="complete"), (SQUARE,)),
]


@pytest.mark.parametrize("row", QR_ROWS, ids=str)
def test_complex_qr(row):
    check_complex_row(row, rtol=1e-5, atol=1e-7)


def test_complex_qr_values_are_numpys():
    for a in (TALL, WIDE):
        def f(x, a=a):
            q, r = np.linalg.qr(x)
            want_q, want_r = np.linalg.qr(a)
            np.testing.assert_allclose(optkit.ad.core.value_of(q), want_q, atol=1e-14)
            np.testing.assert_allclose(optkit.ad.core.value_of(r), want_r, atol=1e-14)
            return np.sum(np.abs(r))

        optkit.grad(f)(a)


# ---- pinv and lstsq (Golub & Pereyra, with conjugate transposes) -------------------------------
_RHS = _cmat((4,), 20)
_RHS2 = _cmat((4, 2), 21)
_RHS3 = _cmat((3,), 22)

PINV_LSTSQ_ROWS = [
    Row("pinv-tall", np.linalg.pinv, (TALL,)),
    Row("pinv-wide", np.linalg.pinv, (WIDE,)),
    Row("pinv-square", np.linalg.pinv, (SQUARE,)),
    Row("pinv-batch", np.linalg.pinv, (WIDE_B,)),
    Row("pinv-hermitian", lambda a: np.linalg.pinv(a, hermitian=True), (HERM,)),
    Row("lstsq-x", lambda a, b: np.linalg.lstsq(a, b)[0], (TALL, _RHS)),
    Row("lstsq-x-matrix-b", lambda a, b: np.linalg.lstsq(a, b, rcond=None)[0], (TALL, _RHS2)),
    Row("lstsq-x-min-norm", lambda a, b: np.linalg.lstsq(a, b)[0], (WIDE, _RHS3)),
    Row("lstsq-x-square", lambda a, b: np.linalg.lstsq(a, b, rcond=-1)[0], (SQUARE, _RHS3)),
    Row("lstsq-residuals", lambda a, b: np.linalg.lstsq(a, b)[1], (TALL, _RHS2)),
    Row("lstsq-s", lambda a: np.linalg.lstsq(a, _RHS)[3], (TALL,)),
]


@pytest.mark.parametrize("row", PINV_LSTSQ_ROWS, ids=str)
def test_complex_pinv_lstsq(row):
    check_complex_row(row, rtol=1e-5, atol=1e-7)


def test_complex_pinv_lstsq_values_are_numpys():
    def f(a):
        np.testing.assert_allclose(optkit.ad.core.value_of(np.linalg.pinv(a, hermitian=True)),
                                   np.linalg.pinv(NONHERM, hermitian=True), atol=1e-13)
        x, res, rank, s = np.linalg.lstsq(a, _RHS[:3])
        want = np.linalg.lstsq(NONHERM, _RHS[:3])
        for mine, numpys in zip((x, s), (want[0], want[3]), strict=True):
            np.testing.assert_allclose(optkit.ad.core.value_of(mine), numpys, atol=1e-13)
        assert rank == want[2] and np.shape(optkit.ad.core.value_of(res)) == (0,)
        return np.sum(np.abs(x))

    optkit.grad(f)(NONHERM)
    res = np.linalg.lstsq(TALL, _RHS)[1]
    got = optkit.jvp(lambda a: np.linalg.lstsq(a, _RHS)[1], TALL, TALL)[0]
    np.testing.assert_allclose(got, res, rtol=1e-12)
    assert np.isrealobj(got) and got.shape == (1,)


@pytest.mark.parametrize("row", SVD_ROWS + CHOLESKY_ROWS + QR_ROWS + PINV_LSTSQ_ROWS, ids=str)
def test_check_grads(row):
    # optkit's own checker: complex directions, both modes, second order
    check_row(row)
