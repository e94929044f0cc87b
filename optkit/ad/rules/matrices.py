"""Helpers shared by the linear-algebra rule families: the last-two-axes transpose, operand
coercion, column vectors, and the triangle masks of factorizations that read one triangle."""

from __future__ import annotations

import numpy as np

from ..core import Tracer, inexact

__all__ = ["mT", "as_operand", "ndim", "col", "uncol", "masks", "sym_from_lower", "to_lower"]


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
