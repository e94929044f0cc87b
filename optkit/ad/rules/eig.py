"""``np.linalg.eig`` and ``eigvals`` of general (non-symmetric, real or complex) matrices.

Standard first-order perturbation theory for a diagonalizable ``A = V diag(w) V^{-1}`` with
simple eigenvalues (Magnus 1985, "On differentiating eigenvalues and eigenvectors"; Giles 2008,
sec. 3.1): with ``X = V^{-1} dA V``,

- ``dw = diag(X)``;
- ``dV = V (F o X) + V diag(c)``, ``F[i, j] = 1 / (w_j - w_i)`` off the diagonal, 0 on it, and
  ``c`` fixes the normalization LAPACK gives each eigenvector: unit 2-norm
  (``Re(v_i^H dv_i) = 0``) and its component of largest modulus real (``Im(conj(v_ki) dv_ki) =
  0``), so ``dV`` is the derivative of exactly what numpy returns.

The VJPs are the transposes of these maps for ``Re(sum(a * b))`` (JAX's convention,
``vspace``); a real ``A`` gets the real part. At a repeated eigenvalue (relative gap below
``1e-10``) neither is differentiable in general, and the rules raise ``ValueError`` rather than
return infinities. numpy returns real arrays when every eigenvalue of a real matrix is real; so
does the traced value, and the rules hold in either dtype.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..core import concrete, function_impls, is_complex, primitive, value_of
from .matrices import mT

_REPEATED = 1e-10  # relative eigenvalue gap below which the derivative is refused


def _eig_packed(a):
    w, v = np.linalg.eig(a)
    return np.concatenate([w[..., None, :], v], axis=-2)


def _gaps(w, name):
    """``F`` of the module docstring; ``ValueError`` at a repeated eigenvalue."""
    n = np.shape(value_of(w))[-1]
    eye = np.eye(n)
    wc = concrete(w, f"the eigenvalue gaps of {name}")
    gap = wc[..., None, :] - wc[..., :, None]
    scale = np.maximum(np.max(np.abs(wc), axis=-1, keepdims=True)[..., None], 1e-300)
    if np.any((np.abs(gap) + eye) <= _REPEATED * scale):
        raise ValueError(
            f"{name}: the matrix has a repeated eigenvalue, where its eigenvalues and "
            "eigenvectors are not differentiable (no derivative is returned rather than an "
            "infinite one)")
    return (1.0 - eye) / (w[..., None, :] - w[..., :, None] + eye)


def _largest(v):
    """Row index of each eigenvector's component of largest modulus (a constant) and
    ``s_i = conj(v_ki) / |v_ki|^2`` there."""
    k = np.argmax(np.abs(concrete(v, "the normalization of np.linalg.eig")), axis=-2)
    vk = np.take_along_axis(v, k[..., None, :], axis=-2)[..., 0, :]
    return k, np.conjugate(vk) / (vk * np.conjugate(vk))


def _eig_d(t, ans, a):
    w, v = ans[..., 0, :], ans[..., 1:, :]
    f = _gaps(w, "np.linalg.eig")
    x = np.matmul(np.linalg.solve(v, t), v)                 # X = V^{-1} dA V
    dw = np.diagonal(x, axis1=-2, axis2=-1)
    dv0 = np.matmul(v, f * x)
    k, s = _largest(v)
    a_part = np.real(np.sum(np.conjugate(v) * dv0, axis=-2))
    dvk = np.take_along_axis(dv0, k[..., None, :], axis=-2)[..., 0, :]
    dv = dv0 - v * (a_part + 1j * np.imag(s * dvk))[..., None, :]
    if not (is_complex(ans) or is_complex(t)):
        dv = np.real(dv)
    return np.concatenate([dw[..., None, :], dv], axis=-2)


def _eig_vjp(g, ans, a):
    w, v = ans[..., 0, :], ans[..., 1:, :]
    gw, gv = g[..., 0, :], g[..., 1:, :]
    f = _gaps(w, "np.linalg.eig")
    k, s = _largest(v)
    q = np.sum(gv * v, axis=-2)
    # the cotangent of dV0 = V (F o X): the normalization terms transposed
    n = np.shape(value_of(v))[-1]
    at_k = (np.arange(n)[:, None] == k[..., None, :])       # (n, n) mask of the rows k_i
    g0 = gv - np.conjugate(v) * np.real(q)[..., None, :] - at_k * (1j * np.imag(q) * s)[
        ..., None, :]
    xbar = f * np.matmul(mT(v), g0) + np.eye(n) * gw[..., None, :]
    vinv_t = mT(np.linalg.inv(v))
    out = np.matmul(vinv_t, np.matmul(xbar, mT(v)))          # A-bar = V^{-T} X-bar V^T
    if not (is_complex(ans) or is_complex(g)):  # all real: a real node's cotangent is real
        out = np.real(out)
    return out


eig_packed = primitive("eig", _eig_packed, jvp=_eig_d, vjp=_eig_vjp, complex=True)


def _eigvals_d(t, ans, a):
    _gaps(ans, "np.linalg.eigvals")
    w, v = np.linalg.eig(a)
    return np.diagonal(np.matmul(np.linalg.solve(v, t), v), axis1=-2, axis2=-1)


def _eigvals_vjp(g, ans, a):
    _gaps(ans, "np.linalg.eigvals")
    w, v = np.linalg.eig(a)
    # dw_i = (V^{-1} dA V)_ii: A-bar = V^{-T} diag(w-bar) V^T
    return mT(np.matmul(v * g[..., None, :], np.linalg.inv(v)))


eigvals = primitive("eigvals", np.linalg.eigvals, jvp=_eigvals_d, vjp=_eigvals_vjp, complex=True)


class EigResult(NamedTuple):
    """As ``numpy.linalg.eig``'s result: ``eigenvalues`` and ``eigenvectors``."""

    eigenvalues: object
    eigenvectors: object


def _eig_function(a):
    packed = eig_packed(a)
    return EigResult(packed[..., 0, :], packed[..., 1:, :])


function_impls.update({
    np.linalg.eig: _eig_function,
    np.linalg.eigvals: eigvals,
})
