"""Indexing: ``x[index]``, its transpose (scatter-add) and functional item assignment.

All three are linear, so each declares itself linear and writes only its transpose (VJP).
``x[i] = v`` on a traced ``x`` becomes ``x <- setitem(x, i, v)``: autograd's most requested
missing feature (HIPS/autograd #58), done by re-pointing the tracer at the updated value.
"""

from __future__ import annotations

import operator

import numpy as np

from ..core import function_impls, primitive, value_of


def _is_basic(index):
    """True if ``index`` selects each element at most once (slices, ints, None, ..., masks)."""
    items = index if isinstance(index, tuple) else (index,)
    for item in items:
        if item is None or item is Ellipsis or isinstance(item, (slice, int, np.integer)):
            continue
        if isinstance(item, np.ndarray) and item.dtype == bool:
            continue
        return False
    return True


def _getitem(x, index):
    return x[index]


def _getitem_vjp(g, ans, x, index):
    return scatter_add(g, index=index, shape=np.shape(x))


def _getitem_accumulate(buf, g, x, index):
    if buf is None:
        buf = np.zeros(np.shape(x))
    if _is_basic(index):
        buf[index] += g
    else:
        np.add.at(buf, index, g)
    return buf


getitem = primitive("getitem", _getitem, vjp=_getitem_vjp, linear=True,
                    accumulate=_getitem_accumulate)


def _scatter_add(g, index, shape):
    out = np.zeros(shape)
    if _is_basic(index):
        out[index] = g
    else:
        np.add.at(out, index, g)
    return out


def _scatter_add_vjp(g, ans, x, index, shape):
    return getitem(g, index=index)


scatter_add = primitive("scatter_add", _scatter_add, vjp=_scatter_add_vjp, linear=True)


def _setitem(x, v, index):
    out = np.array(x, dtype=float, copy=True)
    out[index] = v
    return out


def _setitem_vjp_x(g, ans, x, v, index):
    return _setitem_prim(g, 0.0, index=index)


def _setitem_vjp_v(g, ans, x, v, index):
    return getitem(g, index=index)


_setitem_prim = primitive("setitem", _setitem, vjp=(_setitem_vjp_x, _setitem_vjp_v), linear=True)


def _check_index(index):
    items = index if isinstance(index, tuple) else (index,)
    for item in items:
        if hasattr(item, "_trace"):
            raise TypeError(
                "an index must be a plain integer, slice or integer/boolean array, not a traced "
                "value"
            )
    return index


def _getitem_function(x, index):
    index = _check_index(index)
    if isinstance(index, list):
        index = np.asarray(index)
    return getitem(x, index=index)


def _setitem_function(x, index, v):
    index = _check_index(index)
    if isinstance(index, list):
        index = np.asarray(index)
    return _setitem_prim(x, v, index=index)


function_impls[operator.getitem] = _getitem_function
function_impls[operator.setitem] = _setitem_function


def _take(a, indices, axis=None, out=None, mode="raise"):
    if out is not None:
        raise TypeError("np.take(..., out=) cannot write a traced value; drop `out`")
    indices = np.asarray(indices)
    if axis is None:
        return getitem(np.ravel(a), index=indices)
    axis = axis % np.ndim(value_of(a))
    return getitem(a, index=(slice(None),) * axis + (indices,))


function_impls[np.take] = _take
