"""Decompositions and what is built on them: ``svd``, ``svdvals``, ``qr``, ``pinv``, ``lstsq``,
``matrix_rank`` and ``cond``, with forward and reverse rules.

Sources: Townsend 2016, "Differentiating the singular value decomposition" (svd: forward and
reverse, with the terms for non-square matrices); Wan & Zhang 2019, "Automatic differentiation
for complex valued SVD" (the complex case and its gauge term, as in JAX's svd JVP); Walter &
Lehmann 2018, "Algorithmic differentiation of linear algebra functions with application in
optimum experimental design" (qr, forward) and Liao, Liu, Wang & Xiang 2019, "Differentiable
programming tensor networks" (qr, reverse; also in Seeger et al. 2017, "Auto-differentiating
linear algebra"); Golub & Pereyra 1973, "The differentiation of pseudo-inverses and nonlinear
least squares problems whose variables separate" (pinv, and through it lstsq). As in
``linalg``, every rule is numpy code over primitives, so rules are differentiated in turn
(HVPs).

Notation: ``A = U diag(s) V^H`` (reduced: ``U`` m x k, ``V`` n x k, ``k = min(m, n)``; ``X^H``
the conjugate transpose, ``X^T`` for a real ``X``),
``A = QR``, ``A+`` the pseudo-inverse, ``t`` a tangent, ``g`` a cotangent, ``X.mT`` the
transpose of the last two axes. Stacks of matrices work as in numpy.

Where a derivative exists:
- the singular vectors need distinct, nonzero singular values; there the reduced SVD is smooth
  up to LAPACK's choice of a sign per pair of columns (real case: ``U^T dU`` is skew, so no
  continuous gauge freedom). A complex SVD is unique up to a phase ``e^{i phi_j}`` shared by
  ``u_j`` and ``v_j``, a continuous gauge: the rules take the gauge in which ``V^H dV`` has a
  zero diagonal (JAX's), so only phase-invariant functions of the vectors (``U diag(s) V^H``,
  ``u_j v_j^H``, ``|U|``) have meaningful derivatives, and at a zero singular value the phase
  is undefined (inf/NaN). At a repeated singular value the vectors' derivative comes out
  inf/NaN, never a plausible number. The singular values alone
  (``svdvals``, ``svd(compute_uv=False)``, the norms 2, -2, 'nuc') keep the first-order rule
  ``ds_i = Re(u_i^H dA v_i)`` there, which gives the gradient ``U diag(f'(s)) V^H`` of a symmetric
  function ``f(s)`` (Lewis 1996), finite even where singular values repeat.
- ``full_matrices=True`` (non-square) and QR's ``complete`` mode (m > n) add columns that are
  any orthonormal basis of a complement: not a function of ``A``, so they are refused.
- ``qr`` needs an invertible R (full column rank; for a wide matrix, an invertible leading
  square block).
- ``pinv`` and ``lstsq`` are differentiable where the rank is locally constant (Golub &
  Pereyra), e.g. at full-rank inputs; the rank is numpy's, fixed by ``rcond``.

Complex matrices follow JAX's conventions (``vspace``): ``X^T`` becomes ``X^H`` in every
formula; none of these maps is holomorphic (they involve ``A^H``), so each reverse rule is the
adjoint for ``Re tr(X^H Y)`` applied to the conjugated cotangent and conjugated back (the
transpose for ``Re(sum(a * b))``). LAPACK's complex QR has a real diagonal in ``R``, which fixes
``Q``'s phases up to a sign per column, as in the real case.

Values read out of the trace: ``lstsq``'s rank (an int, which also decides whether residuals
are returned), ``matrix_rank`` and the order of ``svd(hermitian=True)``'s singular values are
constants of an evaluation, so a compiled function calling them runs eagerly
(``optkit.compile`` says so with a ``CompileWarning``).
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np

from ..core import (
    NotDifferentiableError,
    concrete,
    function_impls,
    is_complex,
    primitive,
    value_of,
)
from .matrices import as_operand, hermitian_from_lower, masks, mT


def _matrix_shape(a, name):
    shape = np.shape(value_of(a))
    if len(shape) < 2:
        raise ValueError(f"np.linalg.{name}: `a` must be at least 2-d (a stack of matrices), "
                         f"got shape {shape}")
    return shape[-2:]


def _diag(x):
    """The diagonal of the last two axes of a (stack of) square matrix(es)."""
    return np.diagonal(x, axis1=-2, axis2=-1)


# ---- svd (reduced) ------------------------------------------------------------------------------
# One primitive computes U, s and V (V = Vh^H, so the three share the last axis k), packed on
# axis -2: [..., :m, :] U, [..., m, :] s, [..., m+1:, :] V. For a complex A the packed array is
# complex and its s row has a zero imaginary part.
def _svd_packed(a):
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return np.concatenate([u, s[..., None, :], _h(vh)], axis=-2)


def _svd_parts(packed, m):
    s = packed[..., m, :]
    return packed[..., :m, :], (np.real(s) if is_complex(s) else s), packed[..., m + 1:, :]


def _cj(x):
    """The complex conjugate (the value itself if real)."""
    return np.conjugate(x) if is_complex(x) else x


def _h(x):
    """The conjugate transpose of the last two axes (the transpose if real)."""
    return _cj(mT(x))


def _svd_gaps(s, eye):
    """Townsend's F: F[i, j] = 1 / (s_j^2 - s_i^2) off the diagonal, 0 on it, inf where s_i and
    s_j repeat. LAPACK returns equal singular values a few ulps apart (how many depends on the
    build), so "repeated" is a relative test, |s_j^2 - s_i^2| <= 16 k eps max(s)^2 (backward
    stable SVDs: each s_i is within a few k eps max(s) of the exact one; Golub & Van Loan,
    sec. 8.6): there the singular vectors are not differentiable, and the derivatives that
    need them come out inf/NaN, never as huge plausible numbers."""
    s2 = s * s
    gap = s2[..., None, :] - s2[..., :, None]
    k = eye.shape[-1]
    tol = (16.0 * k * np.finfo(np.float64).eps) * np.max(s2, axis=-1, keepdims=True)[..., None]
    repeated = np.logical_and(np.abs(gap) <= tol, eye == 0.0)  # comparisons are constants
    return np.where(repeated, np.inf, (1.0 - eye) / np.where(repeated, 1.0, gap + eye))


def _svd_d(t, ans, a):
    # Townsend 2016 (real), Wan & Zhang 2019 (complex), as JAX's svd JVP: with dP = U^H dA V,
    #   ds = Re diag(dP),  dV = V (F o (S dP + dP^H S)) + (I - V V^H) dA^H U S^-1,
    #   dU = U (F o (dP S + S dP^H) + i Im(diag(dP)) S^-1) + (I - U U^H) dA V S^-1.
    # A complex SVD is unique up to a phase e^{i phi_j} shared by u_j and v_j; the term
    # i Im(dP_jj) / s_j is the gauge V^H dV with a zero diagonal (JAX's choice), so only
    # functions invariant under those phases (U diag(s) V^H, u_j v_j^H, |U|) are meaningful.
    m, n = _matrix_shape(a, "svd")
    k = min(m, n)
    u, s, v = _svd_parts(ans, m)
    eye = np.eye(k)
    p = np.matmul(_h(u), np.matmul(t, v))           # dP = U^H dA V
    ps = p * s[..., None, :]                        # dP S
    sp = s[..., :, None] * p                        # S dP
    with np.errstate(divide="ignore", invalid="ignore"):   # repeated or zero singular values
        f = _svd_gaps(s, eye)
        inner_u = f * (ps + _h(ps))
        if is_complex(p):                            # the gauge term, i Im(dP_jj) / s_j
            inner_u = inner_u + eye * (1j * np.imag(p) / s[..., None, :])
        du = np.matmul(u, inner_u)                  # U (F o (dP S + S dP^H) + ...)
        dv = np.matmul(v, f * (sp + _h(sp)))        # V (F o (S dP + dP^H S))
        if m > k:   # + (I - U U^H) dA V S^-1
            du = du + (np.matmul(t, v) - np.matmul(u, p)) / s[..., None, :]
        if n > k:   # + (I - V V^H) dA^H U S^-1
            dv = dv + (np.matmul(_h(t), u) - np.matmul(v, _h(p))) / s[..., None, :]
    ds = _diag(p)                                   # ds_i = Re(u_i^H dA v_i)
    if is_complex(ds):
        ds = np.real(ds) + 0j
    return np.concatenate([du, ds[..., None, :], dv], axis=-2)


def _svd_vjp(g, ans, a):
    # Townsend 2016 (real case), Wan & Zhang 2019 (complex): the adjoint of _svd_d for the
    # inner product Re tr(X^H Y), applied to the conjugated cotangents (Ubar, sbar, Vbar) =
    # conj(gU, Re gs, gV), and conjugated back (JAX's pairing Re(sum(a * b)), see vspace):
    # Abar = U [(F o (U^H Ubar - Ubar^H U)) S + diag(sbar) + S (F o (V^H Vbar - Vbar^H V))
    #           + i Im(diag(U^H Ubar)) S^-1] V^H
    #        + (I - U U^H) Ubar S^-1 V^H + U S^-1 Vbar^H (I - V V^H)
    m, n = _matrix_shape(a, "svd")
    k = min(m, n)
    u, s, v = _svd_parts(ans, m)
    gu, gs, gv = _svd_parts(g, m)
    gu, gv = _cj(gu), _cj(gv)
    eye = np.eye(k)
    uu = np.matmul(_h(u), gu)
    vv = np.matmul(_h(v), gv)
    with np.errstate(divide="ignore", invalid="ignore"):   # repeated or zero singular values
        f = _svd_gaps(s, eye)
        inner = ((f * (uu - _h(uu))) * s[..., None, :] + eye * gs[..., None, :]
                 + s[..., :, None] * (f * (vv - _h(vv))))
        if is_complex(uu):
            inner = inner + eye * (1j * np.imag(uu) / s[..., None, :])
        out = np.matmul(u, np.matmul(inner, _h(v)))
        if m > k:
            out = out + np.matmul((gu - np.matmul(u, uu)) / s[..., None, :], _h(v))
        if n > k:
            out = out + np.matmul(u, _h((gv - np.matmul(v, vv)) / s[..., None, :]))
    return _cj(out)


svd_packed = primitive("svd", _svd_packed, jvp=(_svd_d,), vjp=(_svd_vjp,), complex=True)


class SVDResult(NamedTuple):
    """As ``numpy.linalg.svd``'s result: ``U``, ``S`` (descending) and ``Vh``."""

    U: object
    S: object
    Vh: object


# ---- singular values only ---------------------------------------------------------------------
# The rules use U and V of a fresh reduced SVD (through the svd primitive when ``a`` is traced,
# so second-order rules differentiate it): ds_i = u_i^T dA v_i, Abar = U diag(sbar) V^T.
def _svdvals(a):
    return np.linalg.svd(a, compute_uv=False)


def _singular_vectors(a):
    u, _, v = _svd_parts(svd_packed(a), _matrix_shape(a, "svd")[0])
    return u, v


# A = U diag(s) V^H: ds_i = Re(u_i^H dA v_i), whose transpose for Re(sum(a * b)) is
# A-bar = conj(U diag(s-bar) V^H) (the real case without the conjugates)
def _svdvals_d(t, ans, a):
    u, v = _singular_vectors(a)
    if is_complex(u):
        return np.real(np.sum(np.conjugate(u) * np.matmul(t, v), axis=-2))
    return np.sum(u * np.matmul(t, v), axis=-2)


def _svdvals_vjp(g, ans, a):
    u, v = _singular_vectors(a)
    return np.matmul(_cj(u) * g[..., None, :], mT(v))


svdvals = primitive("svdvals", _svdvals, jvp=(_svdvals_d,), vjp=(_svdvals_vjp,), complex=True)


def _lower_symmetric(a, name):
    """The Hermitian (real: symmetric) matrix numpy's ``hermitian=True`` paths see: eigh reads
    the lower triangle (and the real part of the diagonal)."""
    m, n = _matrix_shape(a, name)
    if m != n:
        raise ValueError(f"np.linalg.{name}(hermitian=True): `a` must be square, got {m} x {n}")
    lower, eye, _ = masks(n)
    return hermitian_from_lower(a, lower, eye)


def _hermitian_svd(a, compute_uv):
    """numpy's ``hermitian=True`` algorithm step by step (eigh, then |w| sorted descending, the
    signs moved into Vh), so values and signs are numpy's; derivatives go through eigh."""
    if not compute_uv:
        return np.sort(np.abs(np.linalg.eigvalsh(a)), axis=-1)[..., ::-1]
    w, v = np.linalg.eigh(a)
    sgn = np.sign(w)
    s = np.abs(w)
    order = np.argsort(s, axis=-1)[..., ::-1]
    sgn = np.take_along_axis(sgn, order, axis=-1)
    s = np.take_along_axis(s, order, axis=-1)
    u = np.take_along_axis(v, order[..., None, :], axis=-1)
    return SVDResult(u, s, _h(u * sgn[..., None, :]))


def _svd_function(a, full_matrices=True, compute_uv=True, hermitian=False):
    m, n = _matrix_shape(a, "svd")
    if hermitian:
        if m != n:
            raise ValueError(f"np.linalg.svd(hermitian=True): `a` must be square, got {m} x {n}")
        return _hermitian_svd(a, compute_uv)
    if not compute_uv:
        return svdvals(a)
    if full_matrices and m != n:
        raise NotDifferentiableError(
            f"np.linalg.svd(full_matrices=True) of a {m} x {n} matrix: the extra "
            f"{max(m, n) - min(m, n)} singular vectors are any orthonormal basis of a "
            "complement, not a differentiable function of `a`; pass full_matrices=False")
    packed = svd_packed(a)
    u, s, v = _svd_parts(packed, m)
    return SVDResult(u, s, _h(v))


def _svdvals_function(x, /):
    _matrix_shape(x, "svdvals")
    return svdvals(x)


# ---- qr (reduced, m >= n) ----------------------------------------------------------------
# Packed on axis -2: [..., :m, :] Q (m x n), [..., m:, :] R (n x n, upper triangular).
def _qr_packed(a):
    q, r = np.linalg.qr(a)
    return np.concatenate([q, r], axis=-2)


def _times_inv(x, r):
    """x R^-1, by a solve with R^T rather than an explicit inverse."""
    return mT(np.linalg.solve(mT(r), mT(x)))


def _qr_d(t, ans, a):
    # Walter & Lehmann: with X = Q^H dA R^-1, Omega = Q^H dQ is the skew-Hermitian matrix whose
    # strictly lower triangle is X's, dR = (X - Omega) R, dQ = Q Omega + (I - Q Q^H) dA R^-1.
    # Complex: LAPACK's R has a real diagonal, which fixes Omega's imaginary diagonal to
    # i Im(diag(X)) (as JAX's qr JVP).
    m, n = _matrix_shape(a, "qr")
    q, r = ans[..., :m, :], ans[..., m:, :]
    t_rinv = _times_inv(t, r)
    x = np.matmul(_h(q), t_rinv)
    low = np.tril(x, -1)
    omega = low - _h(low)
    if is_complex(x):
        omega = omega + np.eye(n) * (1j * np.imag(x))
    dq = np.matmul(q, omega)
    if m > n:
        dq = dq + t_rinv - np.matmul(q, x)
    return np.concatenate([dq, np.matmul(x - omega, r)], axis=-2)


def _qr_vjp(g, ans, a):
    # Liao et al. 2019 (real), and its complex form, the adjoint of _qr_d for Re tr(X^H Y) on
    # (Qbar, Rbar) = conj(gQ, gR), conjugated back (JAX's pairing, see vspace):
    #   M = R Rbar^H - Qbar^H Q,
    #   C = the Hermitian matrix with M's strict lower triangle and the diagonal Re(diag M),
    #   Abar = (Qbar + Q C) R^-H.
    # That triangle of R Rbar^H reads only Rbar's upper triangle, so a cotangent on R's
    # (constant zero) lower part is ignored, and Re drops the imaginary part of diag(Rbar),
    # which pairs with nothing (R's diagonal is real).
    m, n = _matrix_shape(a, "qr")
    q, r = ans[..., :m, :], ans[..., m:, :]
    gq, gr = _cj(g[..., :m, :]), _cj(g[..., m:, :])
    mm = np.matmul(r, _h(gr)) - np.matmul(_h(gq), q)
    low = np.tril(mm, -1)
    diag = np.eye(n) * mm
    sym = low + _h(low) + (np.real(diag) if is_complex(diag) else diag)
    return _cj(_h(np.linalg.solve(r, _h(gq + np.matmul(q, sym)))))


qr_packed = primitive("qr", _qr_packed, jvp=(_qr_d,), vjp=(_qr_vjp,), complex=True)


class QRResult(NamedTuple):
    """As ``numpy.linalg.qr``'s result: ``Q`` and ``R``."""

    Q: object
    R: object


_QR_MODES = ("reduced", "complete", "r", "raw")


def _qr_function(a, mode="reduced"):
    m, n = _matrix_shape(a, "qr")
    if mode in ("f", "full"):   # numpy's deprecated spelling of 'reduced', with its warning
        warnings.warn("The 'full' option is deprecated in favor of 'reduced'.\n"
                      "For backward compatibility let mode default.", DeprecationWarning,
                      stacklevel=3)
        mode = "reduced"
    if mode in ("raw", "e", "economic"):
        raise NotDifferentiableError(
            f"np.linalg.qr(mode={mode!r}) returns LAPACK's Householder reflectors, which optkit "
            "has no rule for; pass mode='reduced'")
    if mode not in _QR_MODES:
        raise ValueError(f"np.linalg.qr: mode={mode!r} is not one of {_QR_MODES}")
    if mode == "complete" and m > n:
        raise NotDifferentiableError(
            f"np.linalg.qr(mode='complete') of a {m} x {n} matrix: the extra columns of Q are "
            "any orthonormal basis of a complement, not a differentiable function of `a`; "
            "pass mode='reduced'")
    if m >= n:
        packed = qr_packed(a)
        q, r = packed[..., :m, :], packed[..., m:, :]
    else:
        # wide: Householder QR of [A1 A2] (A1 square) reflects A1's columns only, so
        # A1 = Q R1 and R = [R1, Q^H A2] (the values numpy computes)
        packed = qr_packed(a[..., :m])
        q, r1 = packed[..., :m, :], packed[..., m:, :]
        r = np.concatenate([r1, np.matmul(_h(q), a[..., m:])], axis=-1)
    if mode == "r":
        return r
    return QRResult(q, r)


# ---- pinv -------------------------------------------------------------------------------------
# Golub & Pereyra 1973, for A+ of locally constant rank:
#   d(A+) = -A+ dA A+ + A+ A+^H dA^H (I - A A+) + (I - A+ A) dA^H A+^H A+
# (the two projector terms vanish for full column, resp. row, rank; kept for the general case).
# Not holomorphic for complex A (dA^H): the reverse rule is the adjoint for Re tr(X^H Y) applied
# to conj(g) and conjugated back (JAX's pairing, see vspace).
def _pinv(a, rcond):
    return np.linalg.pinv(a, rcond=rcond)


def _pinv_d(t, ans, a, rcond):
    x, tt = ans, _h(t)
    out = -np.matmul(x, np.matmul(t, x))
    w = tt - np.matmul(np.matmul(tt, a), x)                 # dA^H (I - A A+)
    out = out + np.matmul(x, np.matmul(_h(x), w))
    z = np.matmul(tt, np.matmul(_h(x), x))                 # dA^H A+^H A+
    return out + z - np.matmul(x, np.matmul(a, z))


def _pinv_vjp(g, ans, a, rcond):
    # the adjoint, term by term (G = conj(g)):
    #   Abar = -A+^H G A+^H + (I - A A+) G^H A+ A+^H + A+^H A+ G^H (I - A+ A)
    x, xt, gt = ans, _h(ans), mT(g)                         # mT(g) = G^H
    out = -np.matmul(xt, np.matmul(_cj(g), xt))
    h = np.matmul(gt, np.matmul(x, xt))
    out = out + h - np.matmul(a, np.matmul(x, h))
    k = np.matmul(np.matmul(xt, x), gt)
    return _cj(out + k - np.matmul(np.matmul(k, x), a))


pinv = primitive("pinv", _pinv, jvp=(_pinv_d,), vjp=(_pinv_vjp,), complex=True)

_UNSET = object()   # numpy's "argument not given" for pinv's rtol


def _pinv_function(a, rcond=None, hermitian=False, *, rtol=_UNSET):
    m, n = _matrix_shape(a, "pinv")
    if rcond is None:   # numpy's defaults
        if rtol is _UNSET:
            rcond = 1e-15
        elif rtol is None:
            rcond = max(m, n) * np.finfo(float).eps
        else:
            rcond = rtol
    elif rtol is not _UNSET:
        raise ValueError("np.linalg.pinv: `rtol` and `rcond` can't be both set")
    if hermitian:
        a = _lower_symmetric(a, "pinv")
    return pinv(a, rcond=rcond)


# ---- lstsq ------------------------------------------------------------------------------------
# x = A+ b, numpy's value (LAPACK gelsd); its rules are those of A+ b, with r = b - A x:
#   dx = A+ (db - dA x) + A+ A+^H dA^H r + (I - A+ A) dA^H A+^H x       (Golub & Pereyra)
# The primitive takes b as a matrix (a vector b is a column, added and removed outside). x is
# holomorphic in b (its reverse rule is the plain transpose), not in a complex A (dA^H).
def _lstsq(a, b, rcond):
    return np.linalg.lstsq(a, b, rcond=rcond)[0]


def _lstsq_pinv(a, rcond):
    """A+ with gelsd's rank: s_i <= rcond * s_1 are zero, a negative rcond means eps."""
    return pinv(a, rcond=rcond if rcond >= 0 else np.finfo(float).eps)


def _lstsq_da(t, ans, a, b, rcond):
    p, tt = _lstsq_pinv(a, rcond), _h(t)
    r = b - np.matmul(a, ans)
    y = np.matmul(tt, np.matmul(_h(p), ans))
    return (-np.matmul(p, np.matmul(t, ans)) + np.matmul(p, np.matmul(_h(p), np.matmul(tt, r)))
            + y - np.matmul(p, np.matmul(a, y)))


def _lstsq_db(t, ans, a, b, rcond):
    return np.matmul(_lstsq_pinv(a, rcond), t)


def _lstsq_vjp_a(g, ans, a, b, rcond):
    # the adjoint for Re tr(X^H Y), on G = conj(g), conjugated back:
    #   Abar = -A+^H G x^H + r (A+ A+^H G)^H + A+^H x ((I - A+ A) G)^H
    p = _lstsq_pinv(a, rcond)
    g = _cj(g)
    pt_g = np.matmul(_h(p), g)
    r = b - np.matmul(a, ans)
    return _cj(-np.matmul(pt_g, _h(ans)) + np.matmul(r, _h(np.matmul(p, pt_g)))
               + np.matmul(np.matmul(_h(p), ans), _h(g - np.matmul(p, np.matmul(a, g)))))


def _lstsq_vjp_b(g, ans, a, b, rcond):
    return np.matmul(mT(_lstsq_pinv(a, rcond)), g)


lstsq = primitive("lstsq", _lstsq, jvp=(_lstsq_da, _lstsq_db), vjp=(_lstsq_vjp_a, _lstsq_vjp_b),
                  complex=True)


def _lstsq_function(a, b, rcond=None):
    """numpy's 4-tuple: x, residuals (sums of squares, when rank == n < m), rank, s."""
    a, b = as_operand(a), as_operand(b)
    shape_a, shape_b = np.shape(value_of(a)), np.shape(value_of(b))
    if len(shape_a) != 2:
        raise ValueError(f"np.linalg.lstsq: `a` must be 2-d, got shape {shape_a}")
    if len(shape_b) not in (1, 2) or shape_b[0] != shape_a[0]:
        raise ValueError(f"np.linalg.lstsq: `b` must be 1-d or 2-d with {shape_a[0]} rows "
                         f"(as `a`), got shape {shape_b}")
    m, n = shape_a
    if rcond is None:   # numpy's default
        rcond = np.finfo(float).eps * max(m, n)
    rank = np.linalg.lstsq(concrete(a, "the rank in np.linalg.lstsq"), np.zeros(m), rcond)[2]
    column = len(shape_b) == 1
    b2 = b[:, None] if column else b
    x = lstsq(a, b2, rcond=rcond)
    if rank == n and m > n:
        r = b2 - np.matmul(a, x)
        residuals = np.sum(np.real(r * np.conjugate(r)) if is_complex(r) else r * r, axis=0)
    else:   # as numpy: empty unless A has full column rank and more rows than columns
        residuals = np.zeros(0)
    return (x[:, 0] if column else x), residuals, rank, svdvals(a)


# ---- matrix_rank and cond ---------------------------------------------------------------------
def _matrix_rank_function(A, tol=None, hermitian=False, *, rtol=None):  # noqa: N803 - numpy's
    """An integer, piecewise constant in ``A``: numpy's value, a constant of the trace."""
    return np.linalg.matrix_rank(concrete(A, "np.linalg.matrix_rank of a traced value"),
                                 tol=concrete(tol, "the tol of np.linalg.matrix_rank"),
                                 hermitian=hermitian, rtol=rtol)


def _cond_function(x, p=None):
    """numpy's definitions: s_max / s_min (p None or 2), s_min / s_max (-2), or
    norm(x, p) * norm(inv(x), p) for square x (p 'fro', 'nuc', 1, -1, inf, -inf)."""
    m, n = _matrix_shape(x, "cond")
    if p is None or p == 2 or p == -2:
        s = svdvals(x)
        big, small = s[..., 0], s[..., -1]
        return small / big if p == -2 else big / small
    if m != n:
        raise ValueError(f"np.linalg.cond(p={p!r}): `x` must be square, got {m} x {n}")
    axes = (-2, -1)
    return np.linalg.norm(x, p, axis=axes) * np.linalg.norm(np.linalg.inv(x), p, axis=axes)


function_impls.update({
    np.linalg.svd: _svd_function,
    np.linalg.svdvals: _svdvals_function,
    np.linalg.qr: _qr_function,
    np.linalg.pinv: _pinv_function,
    np.linalg.lstsq: _lstsq_function,
    np.linalg.matrix_rank: _matrix_rank_function,
    np.linalg.cond: _cond_function,
})
