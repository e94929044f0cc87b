"""Helpers shared by the linear-algebra rule families: the last-two-axes transpose, operand
coercion, column vectors, and the triangle masks of factorizations that read one triangle."""

from __future__ import annotations

import numpy as np

from ..core import Tracer, inexact, is_complex

__all__ = ["mT", "as_operand", "ndim", "col", "uncol", "masks", "sym_from_lower", "to_lower",
           "hermitian_from_lower", "hermitian_to_lower"]


def mT(a):
    """Transpose of the last two axes (a view for plain arrays)."""
    try:
        return a.mT
    except AttributeError:
        return np.swapaxes(a, -1, -2)


def as_operand(x):
    """Constant operands may be lists or scalars; traced and plain arrays pass unchanged."""
    return x if isinstance(x, (np.ndarray, Tracer)) else inexact(x)


def ndim(x):
    try:
        return x.ndim
    except AttributeError:
        return np.ndim(x)


def col(v):
    if isinstance(v, float):   # the cotangent seed of a scalar output
        v = np.float64(v)
    return v[..., None]


def uncol(v):
    return v[..., 0]


def masks(n):
    """(lower triangle incl. diagonal, identity, Murray's Phi: lower with halved diagonal)."""
    lower = np.tri(n)
    eye = np.eye(n)
    return lower, eye, lower - 0.5 * eye


def sym_from_lower(t, lower, eye):
    """The symmetric matrix that a factorization reading the lower triangle of ``t`` sees."""
    low = lower * t
    return low + mT(low) - eye * t


def to_lower(s, lower, eye):
    """Cotangent of the lower triangle, given the cotangent ``s`` of the symmetric matrix."""
    s = 0.5 * (s + mT(s))
    return (2.0 * lower - eye) * s


# complex Hermitian matrices: LAPACK reads the strict lower triangle and the real part of the
# diagonal; these two are that reading and its transpose (the same map for Re tr(X^H Y) and for
# JAX's pairing Re(sum(a * b)))
def _herm_from_lower(t, lower, eye):
    low = (lower - eye) * t
    return low + np.conjugate(mT(low)) + eye * np.real(t)


def _herm_to_lower(s, lower, eye):
    return (lower - eye) * (s + np.conjugate(mT(s))) + eye * np.real(s)


def hermitian_from_lower(t, lower, eye):
    """The Hermitian (symmetric if real) matrix a factorization reading ``t``'s lower triangle
    sees: ``sym_from_lower``, with conjugates and a real diagonal for a complex ``t``."""
    return _herm_from_lower(t, lower, eye) if is_complex(t) else sym_from_lower(t, lower, eye)


def hermitian_to_lower(s, lower, eye):
    """Cotangent of the triangle read, given the cotangent ``s`` of the Hermitian matrix."""
    return _herm_to_lower(s, lower, eye) if is_complex(s) else to_lower(s, lower, eye)
