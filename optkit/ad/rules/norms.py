"""``np.linalg.norm`` and the array API's ``vector_norm`` and ``matrix_norm``: vector norms
(2, 1, inf, -inf, 0, general p) and matrix norms (Frobenius, 1, inf, -1, -inf, and from the
singular values 2, -2, 'nuc'), with ``axis`` and ``keepdims``.

The 2-norm is the primitive ``reductions.norm2``, whose rule gives the subgradient 0 at
``x = 0`` (no NaN, no warning). The matrix norms 2, -2 and 'nuc' take the singular values from
the primitive ``decompositions.svdvals``, whose rule ``U diag(sbar) V^T`` stays finite where
singular values repeat (a subgradient there). The other norms are compositions of abs, sum,
max, min and powers.
"""

from __future__ import annotations

import numpy as np

from ..core import function_impls, value_of
from .decompositions import svdvals
from .reductions import norm2


def _vector_norm(x, ord, axis, keepdims):  # noqa: A002 - numpy's parameter name
    if ord is None or ord == 2:
        return norm2(x, axis=axis, keepdims=keepdims)
    if isinstance(ord, str):
        raise ValueError(f"np.linalg.norm: ord={ord!r} is not valid for a vector norm")
    if ord == np.inf:
        return np.max(np.abs(x), axis=axis, keepdims=keepdims)
    if ord == -np.inf:
        return np.min(np.abs(x), axis=axis, keepdims=keepdims)
    if ord == 0:  # the count of nonzeros: piecewise constant, its derivative is 0
        return np.sum(np.not_equal(x, 0.0) * 1.0, axis=axis, keepdims=keepdims)
    if ord == 1:
        return np.sum(np.abs(x), axis=axis, keepdims=keepdims)
    p = float(ord)
    total = np.sum(np.abs(x) ** p, axis=axis, keepdims=keepdims)
    # at x = 0 the root's derivative is infinite: take the subgradient 0 there, as for p = 2
    zero = total == 0.0
    return np.where(zero, 0.0, np.where(zero, 1.0, total) ** (1.0 / p))


def _matrix_norm(x, ord, axis, keepdims):  # noqa: A002 - numpy's parameter name
    row, col = axis
    if ord is None or ord == "fro":
        return norm2(x, axis=tuple(sorted(axis)), keepdims=keepdims)
    if ord in ("nuc", 2, -2):
        out = _singular_value_norm(x, ord, row, col)
    elif ord in (1, -1, np.inf, -np.inf):
        out = _max_sum_norm(x, ord, row, col)
    else:
        raise ValueError(f"np.linalg.norm: ord={ord!r} is not valid for a matrix norm")
    if keepdims:
        shape = list(np.shape(value_of(x)))
        shape[row] = shape[col] = 1
        out = np.reshape(out, tuple(shape))
    return out


def _singular_value_norm(x, ord, row, col):  # noqa: A002 - numpy's parameter name
    """The largest (2) or smallest (-2) singular value, or their sum ('nuc')."""
    s = svdvals(np.moveaxis(x, (row, col), (-2, -1)))   # descending, as numpy's
    if ord == "nuc":
        return np.sum(s, axis=-1)
    return s[..., 0] if ord == 2 else s[..., -1]


def _max_sum_norm(x, ord, row, col):  # noqa: A002 - numpy's parameter name
    """The largest (or smallest) absolute column sum (ord 1, -1) or row sum (inf, -inf)."""
    inner, outer = (row, col) if ord in (1, -1) else (col, row)
    if outer > inner:
        outer -= 1
    sums = np.sum(np.abs(x), axis=inner)
    return np.max(sums, axis=outer) if ord > 0 else np.min(sums, axis=outer)


def _norm_function(x, ord=None, axis=None, keepdims=False):  # noqa: A002 - numpy's name
    ndim = np.ndim(value_of(x))
    if axis is None:
        if ord is None:
            return norm2(x, axis=None, keepdims=bool(keepdims))
        if ndim not in (1, 2):
            raise ValueError("np.linalg.norm: with ord given and no axis, the input must be "
                             "1-d or 2-d")
        axis = tuple(range(ndim))
    axis = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    for ax in axis:
        if not -ndim <= ax < ndim:
            raise ValueError(f"np.linalg.norm: axis {ax} is out of bounds for {ndim}-d input")
    axis = tuple(int(ax) % ndim for ax in axis)
    if len(axis) == 1:
        return _vector_norm(x, ord, axis, bool(keepdims))
    if len(axis) == 2 and axis[0] != axis[1]:
        return _matrix_norm(x, ord, axis, bool(keepdims))
    raise ValueError(f"np.linalg.norm: axis must name one or two distinct axes, got {axis}")


def _vector_norm_function(x, /, *, axis=None, keepdims=False, ord=2):  # noqa: A002
    """The array API's ``vector_norm``: several axes (or none: all) form one vector."""
    shape = np.shape(value_of(x))
    ndim = len(shape)
    if axis is None:
        axes = tuple(range(ndim))
    else:
        axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
        for ax in axes:
            if not -ndim <= ax < ndim:
                raise ValueError(f"np.linalg.vector_norm: axis {ax} is out of bounds for "
                                 f"{ndim}-d input")
        axes = tuple(sorted({int(ax) % ndim for ax in axes}))
    if len(axes) == 1:
        return _vector_norm(x, ord, axes, bool(keepdims))
    kept = tuple(i for i in range(ndim) if i not in axes)
    if kept:
        x = np.transpose(x, kept + axes)
    out = _vector_norm(np.reshape(x, tuple(shape[i] for i in kept) + (-1,)), ord,
                       (len(kept),), False)
    if keepdims:
        out = np.reshape(out, tuple(1 if i in axes else n for i, n in enumerate(shape)))
    return out


def _matrix_norm_function(x, /, *, keepdims=False, ord="fro"):  # noqa: A002
    """The array API's ``matrix_norm``, over the last two axes."""
    ndim = np.ndim(value_of(x))
    if ndim < 2:
        raise ValueError("np.linalg.matrix_norm: the input must be at least 2-d")
    return _matrix_norm(x, ord, (ndim - 2, ndim - 1), bool(keepdims))


function_impls.update({
    np.linalg.norm: _norm_function,
    np.linalg.vector_norm: _vector_norm_function,
    np.linalg.matrix_norm: _matrix_norm_function,
})
