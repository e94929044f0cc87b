"""Indexing: ``x[index]``, its transpose (scatter-add), functional item assignment, ``take``,
``delete``, diagonals (``diagonal``/``diag``, with their transpose ``diag_embed``), triangles.

All are linear, so each declares itself linear and writes only its transpose (VJP).
``x[i] = v`` on a traced ``x`` becomes ``x <- setitem(x, i, v)``: autograd's most requested
missing feature (HIPS/autograd #58), done by re-pointing the tracer at the updated value.
With a repeated fancy index numpy keeps the last write; only that value gets a derivative.
"""

from __future__ import annotations

import operator

import numpy as np

from ..core import FLOAT64, Tracer, concrete, dtype_of, function_impls, primitive, value_of


def selects_each_once(index):
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


_SCATTER_MIN_SIZE = 4096  # below this, the extra Python costs more than the pass it saves


def _scattered(g, index, shape):
    """Zeros of ``shape`` with ``g`` written at the basic ``index``. For a step-1 slice of a
    1-d array (x[1:], x[:-1]) only the entries outside it are zeroed: one pass over memory."""
    if type(index) is slice and len(shape) == 1 and shape[0] >= _SCATTER_MIN_SIZE:
        start, stop, step = index.indices(shape[0])
        if step == 1 and start <= stop:
            out = np.empty(shape, dtype_of(g))
            out[:start] = 0.0
            out[stop:] = 0.0
            out[start:stop] = g
            return out
    out = np.zeros(shape, FLOAT64 if type(g) is np.float64 else dtype_of(g))
    out[index] = g
    return out


def _getitem_accumulate(buf, g, x, index):
    basic = type(index) is slice or type(index) is int or selects_each_once(index)
    if buf is None:
        if basic:  # the first contribution: written, no zeros to read back
            return _scattered(g, index, np.shape(x))
        buf = np.zeros(np.shape(x), dtype_of(g))
    if basic:
        buf[index] += g
    else:
        np.add.at(buf, index, g)
    return buf


getitem = primitive("getitem", _getitem, vjp=_getitem_vjp, linear=True,
                    accumulate=_getitem_accumulate)


def _scatter_add(g, index, shape):
    if selects_each_once(index):
        return _scattered(g, index, shape)
    out = np.zeros(shape, dtype_of(g))
    np.add.at(out, index, g)
    return out


def _scatter_add_vjp(g, ans, x, index, shape):
    return getitem(g, index=index)


scatter_add = primitive("scatter_add", _scatter_add, vjp=_scatter_add_vjp, linear=True)


def _setitem(x, v, index, won):
    # x's dtype, or float64 for integers: a complex v written into a real x is numpy's
    # ComplexWarning, as on plain arrays
    out = np.array(x, dtype=dtype_of(x) if dtype_of(x).kind in "fc" else float, copy=True)
    out[index] = v
    return out


def _setitem_vjp_x(g, ans, x, v, index, won):
    return _setitem_prim(g, 0.0, index=index, won=None)


def _setitem_vjp_v(g, ans, x, v, index, won):
    c = getitem(g, index=index)
    if won is not None:
        c = c * won
    extra = np.ndim(v) - np.ndim(c)
    if extra > 0:  # numpy lets the value carry extra leading size-1 dims
        c = np.reshape(c, (1,) * extra + np.shape(c))
    return c


# ``won`` (None for indices without repeats) marks the entries of ``x[index]`` whose write
# survives: with a repeated fancy index numpy keeps the last write, so only that one counts.
_setitem_prim = primitive("setitem", _setitem, vjp=(_setitem_vjp_x, _setitem_vjp_v), linear=True)


def _surviving_writes(shape, index):
    """Which entries of ``x[index] = v`` survive (None if all do): numpy's own order decides."""
    if selects_each_once(index) or _distinct_integer_index(shape, index):
        return None
    target = np.full(shape, -1, dtype=np.intp)
    selected = np.shape(target[index])
    target[index] = np.arange(int(np.prod(selected)), dtype=np.intp).reshape(selected)
    won = np.zeros(int(np.prod(selected)), dtype=bool)
    won[target[index].ravel()] = True
    return None if won.all() else won.reshape(selected).astype(float)


def _distinct_integer_index(shape, index):
    """True if ``index`` is made of integer arrays only and names each position once (checked
    in O(k log k) for k indices, not with a pass over the whole target)."""
    items = index if isinstance(index, tuple) else (index,)
    if len(items) > len(shape) or not all(
            isinstance(i, np.ndarray) and i.dtype.kind in "iu" for i in items):
        return False
    dims = shape[:len(items)]
    if 0 in dims:
        return False
    arrays = np.broadcast_arrays(*items)
    linear = np.ravel_multi_index(tuple(a % n for a, n in zip(arrays, dims, strict=True)), dims)
    return np.unique(linear).size == linear.size


def _check_index(index):
    """A plain index, with lists turned into arrays (numpy's meaning of a list index)."""
    items = index if isinstance(index, tuple) else (index,)
    if any(isinstance(item, Tracer) for item in items):
        # a mask or integer array computed from traced values (x[x > 0]) is a constant of
        # this evaluation; concrete() tells a compiled program not to freeze it
        items = tuple(concrete(item, "an index computed from traced values")
                      if isinstance(item, Tracer) else item for item in items)
        for item in items:
            if isinstance(item, (np.ndarray, np.generic)) and item.dtype.kind not in "biu":
                raise TypeError("an index must be a plain integer, slice or integer/boolean "
                                "array, not a traced float value")
        index = items if isinstance(index, tuple) else items[0]
    if isinstance(index, list):
        return np.asarray(index)
    if isinstance(index, tuple) and any(isinstance(item, list) for item in index):
        return tuple(np.asarray(item) if isinstance(item, list) else item for item in index)
    return index


def stack_sequence(v):
    """A (nested) list or tuple holding traced values, as one traced array (np.array's
    meaning of the list); anything else unchanged."""
    if isinstance(v, (list, tuple)) and any(isinstance(e, (Tracer, list, tuple)) for e in v):
        return np.stack([stack_sequence(e) for e in v])
    return v


def _getitem_function(x, index):
    return getitem(x, index=_check_index(index))


def _setitem_function(x, index, v):
    index = _check_index(index)
    v = stack_sequence(v)
    return _setitem_prim(x, v, index=index, won=_surviving_writes(np.shape(value_of(x)), index))


function_impls[operator.getitem] = _getitem_function
function_impls[operator.setitem] = _setitem_function


def _take(a, indices, axis=None, out=None, mode="raise"):
    if out is not None:
        raise TypeError("np.take(..., out=) cannot write a traced value; drop `out`")
    if axis is None:
        a = np.ravel(a)
        axis = 0
    shape = np.shape(value_of(a))
    if not -len(shape) <= axis < len(shape):
        raise ValueError(f"np.take: axis {axis} is out of bounds for {len(shape)}-d input")
    axis = int(axis) % len(shape)
    indices = np.asarray(indices)
    if indices.dtype.kind not in "iu":
        raise TypeError(f"np.take: indices must be integers, got dtype {indices.dtype}")
    if mode == "wrap":
        indices = indices % shape[axis]
    elif mode == "clip":
        indices = np.clip(indices, 0, shape[axis] - 1)
    elif mode != "raise":
        raise ValueError(f"np.take: mode must be 'raise', 'wrap' or 'clip', got {mode!r}")
    return getitem(a, index=(slice(None),) * axis + (indices,))


def _delete_function(arr, obj, axis=None):
    if axis is None:
        arr = np.ravel(arr)
        axis = 0
    n = np.shape(value_of(arr))[axis]
    return _take(arr, np.delete(np.arange(n), obj), axis=axis)


# ---- diagonals and triangles ---------------------------------------------------------------
def _diagonal(x, offset, axis1, axis2):
    return np.diagonal(x, offset, axis1, axis2)


def _diagonal_vjp(g, ans, x, offset, axis1, axis2):
    return diag_embed(g, offset=offset, axis1=axis1, axis2=axis2, shape=np.shape(x))


diagonal = primitive("diagonal", _diagonal, vjp=_diagonal_vjp, linear=True)


def _diag_embed(v, offset, axis1, axis2, shape):
    """Zeros of ``shape`` with ``v`` written on the diagonal that ``np.diagonal`` reads."""
    out = np.zeros(shape, dtype_of(v))
    n = np.shape(v)[-1]
    rows = np.arange(n) + max(-offset, 0)
    cols = np.arange(n) + max(offset, 0)
    np.moveaxis(out, (axis1, axis2), (-2, -1))[..., rows, cols] = v  # writes through the view
    return out


def _diag_embed_vjp(g, ans, v, offset, axis1, axis2, shape):
    return diagonal(g, offset=offset, axis1=axis1, axis2=axis2)


diag_embed = primitive("diag_embed", _diag_embed, vjp=_diag_embed_vjp, linear=True)


def _diagonal_function(a, offset=0, axis1=0, axis2=1):
    ndim = np.ndim(value_of(a))
    if ndim < 2:
        raise ValueError("np.diagonal: the input must be at least 2-d")
    for name, ax in (("axis1", axis1), ("axis2", axis2)):
        if not -ndim <= ax < ndim:
            raise ValueError(f"np.diagonal: {name}={ax} is out of bounds for {ndim}-d input")
    axis1, axis2 = int(axis1) % ndim, int(axis2) % ndim
    if axis1 == axis2:
        raise ValueError("np.diagonal: axis1 and axis2 cannot be the same")
    return diagonal(a, offset=int(offset), axis1=axis1, axis2=axis2)


def _diag_function(v, k=0):
    shape = np.shape(value_of(v))
    if len(shape) == 2:  # through np.diagonal, which marks the result as a view of v
        return np.diagonal(v, int(k), 0, 1)
    if len(shape) != 1:
        raise ValueError("np.diag: the input must be 1-d (to build a matrix) or 2-d")
    n = shape[0] + abs(int(k))
    return diag_embed(v, offset=int(k), axis1=0, axis2=1, shape=(n, n))


def _diagflat_function(v, k=0):
    return _diag_function(np.ravel(v), k)


def _triangle_mask(x, k, lower):
    shape = np.shape(value_of(x))[-2:]
    return np.tri(*shape, k=k if lower else k - 1, dtype=bool)


def _tril_function(m, k=0):
    return np.where(_triangle_mask(m, k, True), m, 0.0)


def _triu_function(m, k=0):
    return np.where(_triangle_mask(m, k, False), 0.0, m)


def _linalg_diagonal_function(x, /, *, offset=0):
    return _diagonal_function(x, offset, -2, -1)


def _compress_function(condition, a, axis=None, out=None):
    if out is not None:
        raise TypeError("np.compress(..., out=) cannot write a traced value; drop `out`")
    keep = np.flatnonzero(concrete(condition, "np.compress condition"))
    if axis is None:
        return _take(np.ravel(a), keep)
    return _take(a, keep, axis=axis)


function_impls.update({
    np.compress: _compress_function,
    np.linalg.diagonal: _linalg_diagonal_function,
    np.take: _take,
    np.delete: _delete_function,
    np.diagonal: _diagonal_function,
    np.diag: _diag_function,
    np.diagflat: _diagflat_function,
    np.tril: _tril_function,
    np.triu: _triu_function,
})
