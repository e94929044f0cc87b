"""Reductions: sum (linear) and the reductions built on it or written with their own rules."""

from __future__ import annotations

import numpy as np

from ..core import Tracer, function_impls, primitive, value_of


def _normalize_axis(axis, ndim):
    if axis is None:
        return None
    if isinstance(axis, (int, np.integer)):
        return (int(axis) % ndim,) if ndim else ()
    return tuple(sorted(int(a) % ndim for a in axis))


def _sum(x, axis, keepdims):
    return np.add.reduce(x, axis=axis, keepdims=keepdims)


def _expand_reduced(g, shape, axis, keepdims):
    """Give ``g`` (a reduction's output) back the reduced axes, as size-1 dims of ``shape``."""
    if keepdims or axis is None and np.ndim(g) == 0:
        return g
    if axis is None:
        return g
    kept = list(shape)
    for a in axis:
        kept[a] = 1
    return np.reshape(g, tuple(kept))


def _sum_vjp(g, ans, x, axis, keepdims):
    shape = np.shape(x)
    g = _expand_reduced(g, shape, axis, keepdims)
    if isinstance(g, Tracer) or np.size(x) > _SMALL:
        return np.broadcast_to(g, shape)  # a view: no pass over memory
    return np.full(shape, g)  # for small arrays, 5x cheaper to call than broadcast_to


_SMALL = 1 << 14


sum_ = primitive("sum", _sum, vjp=_sum_vjp, linear=True)


def _sum_function(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    if out is not None:
        raise TypeError("np.sum(..., out=) cannot write a traced value; drop `out`")
    if initial is not None or where is not None:
        raise TypeError("np.sum(initial=, where=) is not supported on traced values")
    if axis is not None:
        axis = _normalize_axis(axis, np.ndim(value_of(a)))
    return sum_(a, axis=axis, keepdims=bool(keepdims))


def _mean_function(a, axis=None, dtype=None, out=None, keepdims=False, where=None):
    if where is not None:
        raise TypeError("np.mean(where=) is not supported on traced values")
    shape = np.shape(value_of(a))
    naxis = _normalize_axis(axis, len(shape))
    count = np.prod([shape[i] for i in naxis]) if naxis is not None else np.prod(shape)
    return _sum_function(a, axis=naxis, out=out, keepdims=keepdims) / float(count)


function_impls.update({np.sum: _sum_function, np.mean: _mean_function})
