"""``numpy.linalg`` solves, inverses, determinants and factorizations, with forward and reverse
rules (products are in ``products``, ``einsum`` in ``einsum``; ``matrix_power`` is here, as its
negative powers need ``inv``). The rules are the standard matrix-calculus results: Giles 2008,
"An extended collection of matrix derivative results for forward and reverse mode AD" (solve,
inv, det, slogdet); Murray 2016, "Differentiation of the Cholesky decomposition" (cholesky);
Magnus & Neudecker 1999, ch. 8 (eigh; eigenvector derivatives need distinct eigenvalues). Every rule
is numpy code over primitives, so the rules are differentiated in turn (Hessian-vector products
through a solve, a Cholesky...).

Notation: ``A`` the matrix argument, ``t`` a tangent, ``g`` a cotangent, ``X.mT`` the
transpose of the last two axes. Stacks of matrices (leading batch axes) work as in numpy.

``cholesky`` and ``eigh`` read one triangle of ``A``, exactly as numpy (LAPACK) does, and their
derivatives are those of that function: a tangent ``t`` acts through the symmetric matrix
``sym(t) = M*t + (M*t).mT - I*t`` built from the triangle ``M`` that is read, and a cotangent
lives on that triangle. For a symmetric parametrization ``A(theta)`` this is the usual
symmetric-input derivative; values always equal numpy's, even for a non-symmetric ``A``.

Complex matrices (JAX's conventions, ``vspace``): ``solve``, ``inv`` and ``det`` are
holomorphic, so their rules hold as written (a VJP is the plain transpose). ``slogdet`` of a
complex matrix has the sign ``det/|det|``: ``d log|det| = Re tr(A^{-1} dA)`` and
``d sign = i sign Im tr(A^{-1} dA)``. ``eigh`` of a Hermitian matrix reads the lower triangle
with a real diagonal, as LAPACK does: ``dw_i = Re(v_i^H dS v_i)`` and ``dV = V (F o V^H dS V)``,
the eigenvectors' derivative in the gauge ``Im(v_i^H dv_i) = 0`` (as JAX; LAPACK's phase of each
eigenvector is arbitrary, so only phase-invariant functions of ``V`` are meaningful).
``cholesky`` of a complex matrix reads it in the same way, ``A = L L^H``: ``dL = L Phi(L^{-1}
dS L^{-H})`` (Murray 2016, with conjugate transposes).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..core import (
    function_impls,
    is_complex,
    primitive,
    value_of,
)
from .matrices import col, hermitian_from_lower, hermitian_to_lower, masks, mT, ndim, uncol
from .products import matmul


# ---- linalg.solve and inv -------------------------------------------------------------------
# numpy >= 2: b is a vector only if b.ndim == 1; otherwise a (stack of) matrices.
def _solve_vec(a, v):
    """a^{-1} v for a (stack of) vector(s) v."""
    if ndim(v) == 1:
        return np.linalg.solve(a, v)
    return uncol(np.linalg.solve(a, col(v)))


def _matvec(a, v):
    if ndim(a) == 2 or ndim(v) == 1:
        return np.matmul(a, v)
    return uncol(np.matmul(a, col(v)))


def _solve(a, b):
    return np.linalg.solve(a, b)


def _solve_d0(t, ans, a, b):
    # d x = -A^{-1} dA x  (Giles 2008, sec. 2.3.1)
    if ndim(b) == 1:
        return -_solve_vec(a, _matvec(t, ans))
    return -np.linalg.solve(a, np.matmul(t, ans))


def _solve_d1(t, ans, a, b):
    return np.linalg.solve(a, t)


def _solve_vjp0(g, ans, a, b):
    # bbar = A^{-T} xbar, Abar = -bbar x^T
    if ndim(b) == 1:
        gb = _solve_vec(mT(a), g)
        return -(col(gb) * ans[..., None, :])
    return -np.matmul(np.linalg.solve(mT(a), g), mT(ans))


def _solve_vjp1(g, ans, a, b):
    if ndim(b) == 1:
        return _solve_vec(mT(a), g)
    return np.linalg.solve(mT(a), g)


solve = primitive("solve", _solve, jvp=(_solve_d0, _solve_d1), vjp=(_solve_vjp0, _solve_vjp1),
                  complex=True)


def _solve_function(a, b):
    return solve(a, b)


def _inv_d(t, ans, a):
    return -np.matmul(ans, np.matmul(t, ans))


def _inv_vjp(g, ans, a):
    inv_t = mT(ans)
    return -np.matmul(inv_t, np.matmul(g, inv_t))


inv = primitive("inv", np.linalg.inv, jvp=_inv_d, vjp=_inv_vjp, complex=True)


def _inv_function(a):
    return inv(a)


# ---- det and slogdet --------------------------------------------------------------------------
def _scalar_to_matrix(s):
    """Per-matrix scalars (shape batch) to shape batch + (1, 1), for broadcasting."""
    return np.expand_dims(s, (-2, -1))


def _det_d(t, ans, a):
    # d det A = det A * tr(A^{-1} dA)
    return ans * np.sum(mT(inv(a)) * t, axis=(-2, -1))


def _det_vjp(g, ans, a):
    return _scalar_to_matrix(g * ans) * mT(inv(a))


det = primitive("det", np.linalg.det, jvp=_det_d, vjp=_det_vjp, complex=True)


def _det_function(a):
    return det(a)


# slogdet returns two arrays; one primitive computes both (one LU) packed on a last axis of 2:
# [..., 0] the sign (derivative zero), [..., 1] log|det A| (derivative tr(A^{-1} dA)).
_SIGN_LOG = np.array([0.0, 1.0])


def _slogdet_packed(a):
    sign, logabsdet = np.linalg.slogdet(a)
    return np.stack([sign, logabsdet], axis=-1)


def _slogdet_d(t, ans, a):
    d = np.sum(mT(inv(a)) * t, axis=(-2, -1))
    if is_complex(ans):  # d sign = i sign Im(d), d log|det| = Re(d)
        return np.stack([ans[..., 0] * (1j * np.imag(d)), np.real(d) + 0j], axis=-1)
    return np.expand_dims(d, -1) * _SIGN_LOG


def _slogdet_vjp(g, ans, a):
    if is_complex(ans):
        # the transpose of d -> (i sign Im d, Re d) for Re(sum(a * b)), d = tr(A^{-1} dA)
        c = np.real(g[..., 1]) - 1j * np.real(1j * g[..., 0] * ans[..., 0])
        return _scalar_to_matrix(c) * mT(inv(a))
    return _scalar_to_matrix(g[..., 1]) * mT(inv(a))


slogdet_packed = primitive("slogdet", _slogdet_packed, jvp=_slogdet_d, vjp=_slogdet_vjp,
                           complex=True)


class SlogdetResult(NamedTuple):
    """As ``numpy.linalg.slogdet``'s result: ``sign`` and ``logabsdet``."""

    sign: object
    logabsdet: object


def _slogdet_function(a):
    packed = slogdet_packed(a)
    if is_complex(packed):  # the log of |det| is real, as numpy's
        return SlogdetResult(packed[..., 0], np.real(packed[..., 1]))
    return SlogdetResult(packed[..., 0], packed[..., 1])


# ---- cholesky -----------------------------------------------------------------------------------
# Murray 2016 for A = L L^H; a complex A is read as numpy's LAPACK reads it, the Hermitian matrix
# with A's strict lower triangle and the real part of its diagonal (``hermitian_from_lower``).
def _cholesky(a):
    return np.linalg.cholesky(a)


def _cholesky_d(t, ans, a):
    # Murray 2016, eq. 8: dL = L Phi(L^{-1} dA L^{-H})
    lower, eye, phi = masks(np.shape(value_of(a))[-1])
    linv = inv(ans)
    x = np.matmul(linv, np.matmul(hermitian_from_lower(t, lower, eye), _ct(linv)))
    return np.matmul(ans, phi * x)


def _cholesky_vjp(g, ans, a):
    # Murray 2016, eq. 10: Abar = L^{-H} Phi(L^H Lbar) L^{-1}, on the triangle read. For complex
    # values this adjoint (for Re tr(X^H Y)) acts on Lbar = conj(g) and is conjugated back
    # (JAX's pairing, see vspace); the triangle map is the same in both pairings.
    lower, eye, phi = masks(np.shape(value_of(a))[-1])
    linv = inv(ans)
    g = lower * g
    if is_complex(g):
        g = np.conjugate(g)
    p = phi * np.matmul(_ct(ans), g)
    out = hermitian_to_lower(np.matmul(_ct(linv), np.matmul(p, linv)), lower, eye)
    return np.conjugate(out) if is_complex(out) else out


cholesky = primitive("cholesky", _cholesky, jvp=_cholesky_d, vjp=_cholesky_vjp, complex=True)


def _cholesky_function(a, /, *, upper=False):
    if upper:  # numpy reads the upper triangle: the lower triangle of A^T (conj(A^H) if complex)
        return mT(cholesky(mT(a)))
    return cholesky(a)


# ---- eigh ---------------------------------------------------------------------------------------
# Packed like slogdet: [..., 0, :] the eigenvalues w, [..., 1:, :] the eigenvectors V.
def _eigh_packed(a, uplo):
    w, v = np.linalg.eigh(a, UPLO=uplo)
    return np.concatenate([w[..., None, :], v], axis=-2)


def _eigh_gaps(w, eye):
    """F of Magnus & Neudecker: F[i, j] = 1 / (w_j - w_i) off the diagonal, 0 on it.

    A repeated eigenvalue gives an infinite entry: the eigenvectors' derivative is undefined
    there (it comes out inf/nan, never a plausible number), while the eigenvalues' derivative
    does not involve F and stays finite.
    """
    gap = w[..., None, :] - col(w)
    with np.errstate(divide="ignore"):
        return (1.0 - eye) / (gap + eye)


def _triangle(uplo, t):
    """The triangle read by LAPACK as lower triangle: 'U' reads the lower triangle of t^H
    (of t^T if real). The map is its own transpose for Re(sum(a * b))."""
    if uplo == "L":
        return t
    return np.conjugate(mT(t)) if is_complex(t) else mT(t)


def _ct(v):
    """The conjugate transpose of the last two axes (the transpose if real)."""
    return np.conjugate(mT(v)) if is_complex(v) else mT(v)


def _eigh_d(t, ans, a, uplo):
    n = np.shape(value_of(a))[-1]
    lower, eye, _ = masks(n)
    w, v = ans[..., 0, :], ans[..., 1:, :]
    if is_complex(ans):
        w = np.real(w)
    ds = hermitian_from_lower(_triangle(uplo, t), lower, eye)
    x = np.matmul(_ct(v), np.matmul(ds, v))
    dw = np.sum(x * eye, axis=-1)                # dw_i = v_i^H dA v_i
    if is_complex(dw):
        dw = np.real(dw)
    with np.errstate(invalid="ignore"):          # inf * 0 where eigenvalues repeat
        dv = np.matmul(v, _eigh_gaps(w, eye) * x)   # dV = V (F o V^T dA V)
    return np.concatenate([dw[..., None, :], dv], axis=-2)   # the packed layout


def _eigh_vjp(g, ans, a, uplo):
    n = np.shape(value_of(a))[-1]
    lower, eye, _ = masks(n)
    w, v = ans[..., 0, :], ans[..., 1:, :]
    gw, gv = g[..., 0, :], g[..., 1:, :]
    if is_complex(ans):
        w = np.real(w)
    if is_complex(gw):
        gw = np.real(gw)  # the eigenvalues are real: only their cotangent's real part pairs
    with np.errstate(invalid="ignore"):          # inf * 0 where eigenvalues repeat
        inner = gw[..., None, :] * eye + _eigh_gaps(w, eye) * np.matmul(mT(v), gv)
    # S-bar = conj(V) (diag(w-bar) + F o V^T V-bar) V^T (V real: V (...) V^T)
    s = np.matmul(np.conjugate(v) if is_complex(v) else v, np.matmul(inner, mT(v)))
    return _triangle(uplo, hermitian_to_lower(s, lower, eye))


eigh_packed = primitive("eigh", _eigh_packed, jvp=(_eigh_d,), vjp=(_eigh_vjp,), complex=True)


# eigvalsh: eigenvalues only, so its rules never meet F. For a spectral function f(w) with f
# symmetric, V diag(f'(w)) V^T is the gradient even where eigenvalues repeat (Lewis 1996,
# "Derivatives of spectral functions"), so such functions stay finite there.
def _eigvalsh(a, uplo):
    return np.linalg.eigvalsh(a, UPLO=uplo)


def _eigvalsh_d(t, ans, a, uplo):
    lower, eye, _ = masks(np.shape(value_of(a))[-1])
    v = np.linalg.eigh(a, UPLO=uplo)[1]
    ds = hermitian_from_lower(_triangle(uplo, t), lower, eye)
    if is_complex(v) or is_complex(ds):
        return np.real(np.sum(np.conjugate(v) * np.matmul(ds, v), axis=-2))
    return np.sum(v * np.matmul(ds, v), axis=-2)       # dw_i = v_i^T dA v_i


def _eigvalsh_vjp(g, ans, a, uplo):
    lower, eye, _ = masks(np.shape(value_of(a))[-1])
    v = np.linalg.eigh(a, UPLO=uplo)[1]
    left = np.conjugate(v) if is_complex(v) else v
    s = np.matmul(left * g[..., None, :], mT(v))      # conj(V) diag(w-bar) V^T
    return _triangle(uplo, hermitian_to_lower(s, lower, eye))


eigvalsh = primitive("eigvalsh", _eigvalsh, jvp=(_eigvalsh_d,), vjp=(_eigvalsh_vjp,),
                     complex=True)


class EighResult(NamedTuple):
    """As ``numpy.linalg.eigh``'s result: ascending ``eigenvalues`` and ``eigenvectors``."""

    eigenvalues: object
    eigenvectors: object


def _uplo(uplo):
    if uplo not in ("L", "U"):
        raise ValueError(f"UPLO must be 'L' or 'U', got {uplo!r}")
    return uplo


def _eigh_function(a, UPLO="L"):  # noqa: N803 - numpy's parameter name
    packed = eigh_packed(a, uplo=_uplo(UPLO))
    w = packed[..., 0, :]
    return EighResult(np.real(w) if is_complex(packed) else w, packed[..., 1:, :])


def _eigvalsh_function(a, UPLO="L"):  # noqa: N803 - numpy's parameter name
    return eigvalsh(a, uplo=_uplo(UPLO))


def _matrix_power_function(a, n):
    if not isinstance(n, (int, np.integer)):
        raise TypeError(f"np.linalg.matrix_power: exponent n must be an integer, got {n!r}")
    if n < 0:
        a, n = inv(a), -n
    if n == 0:
        return np.zeros_like(a) + np.eye(np.shape(value_of(a))[-1])
    result = None
    power = a
    while True:  # binary powering: O(log n) products
        if n & 1:
            result = power if result is None else matmul(result, power)
        n >>= 1
        if not n:
            return result
        power = matmul(power, power)


function_impls.update({
    np.linalg.matrix_power: _matrix_power_function,
    np.linalg.solve: _solve_function,
    np.linalg.inv: _inv_function,
    np.linalg.det: _det_function,
    np.linalg.slogdet: _slogdet_function,
    np.linalg.cholesky: _cholesky_function,
    np.linalg.eigh: _eigh_function,
    np.linalg.eigvalsh: _eigvalsh_function,
})
