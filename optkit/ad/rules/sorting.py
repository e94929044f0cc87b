"""Sorting and order statistics: sort, take_along_axis, median, quantile, percentile, and the
index-valued functions (argsort, argmax, searchsorted, ...), whose outputs are constants.

A sort is a permutation fixed by the values: ``sort(x) = x[argsort(x)]``, a gather with a
constant index, so its derivative moves each cotangent back to where the entry came from
(ties put the earlier entry last, one valid choice where the map is not differentiable, and
the one max, min, np.maximum and np.minimum make).
Order statistics are then fixed linear combinations of sorted entries.
"""

from __future__ import annotations

import numpy as np

from ..core import concrete, function_impls, value_of
from .indexing import getitem


def _along_axis_index(shape, indices, axis):
    """The fancy index that ``np.take_along_axis(arr, indices, axis)`` applies."""
    index = []
    for dim in range(len(shape)):
        if dim == axis:
            index.append(indices)
        else:
            grid = [1] * len(shape)
            grid[dim] = shape[dim]
            index.append(np.arange(shape[dim]).reshape(grid))
    return tuple(index)


def _take_along_axis_function(arr, indices, axis=-1):
    indices = np.asarray(indices)
    if indices.dtype.kind not in "iu":
        raise TypeError(f"np.take_along_axis: indices must be integers, got {indices.dtype}")
    if axis is None:
        arr = np.ravel(arr)
        axis = 0
    shape = np.shape(value_of(arr))
    if indices.ndim != len(shape):
        raise ValueError("np.take_along_axis: indices and arr must have the same number of dims")
    if not -len(shape) <= axis < len(shape):
        raise ValueError(f"np.take_along_axis: axis {axis} is out of bounds for {len(shape)}-d")
    axis = int(axis) % len(shape)
    return getitem(arr, index=_along_axis_index(shape, indices, axis))


def _sort_function(a, axis=-1, kind=None, order=None, *, stable=None):
    if order is not None:
        raise TypeError("np.sort(order=) applies to structured arrays, not traced values")
    if axis is None:
        a = np.ravel(a)
        axis = -1
    # the permutation is a constant of this evaluation (concrete() tells a compiled program)
    return _take_along_axis_function(a, _tie_order(concrete(a, "np.sort of a traced value"),
                                                   axis), axis)


def _tie_order(values, axis):
    """``np.argsort(values, axis)`` with tied entries in reverse order of position: an earlier
    entry counts as the larger, infinitesimally, as for max, min, maximum and minimum. So the
    last of the sorted entries is the one np.max's derivative takes, and the first np.min's."""
    n = np.shape(values)[axis]
    return (n - 1) - np.argsort(np.flip(values, axis), axis=axis, kind="stable")


def _partition_function(a, kth, axis=-1, kind="introselect", order=None):
    if order is not None:
        raise TypeError("np.partition(order=) applies to structured arrays, not traced values")
    if axis is None:
        a = np.ravel(a)
        axis = -1
    # like sort: the permutation is a constant of this evaluation
    order_ = np.argpartition(concrete(a, "np.partition of a traced value"), kth, axis=axis)
    return _take_along_axis_function(a, order_, axis)


def _merged_last(a, axis):
    """``a`` with the ``axis`` axes (None: all) merged into one last axis, and the kept shape."""
    shape = np.shape(value_of(a))
    ndim = len(shape)
    if axis is None:
        return np.reshape(a, (-1,)), (), tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    for ax in axes:
        if not -ndim <= ax < ndim:
            raise ValueError(f"axis {ax} is out of bounds for {ndim}-d input")
    axes = tuple(sorted({int(ax) % ndim for ax in axes}))
    kept = tuple(i for i in range(ndim) if i not in axes)
    if kept + axes != tuple(range(ndim)):
        a = np.transpose(a, kept + axes)
    kept_shape = tuple(shape[i] for i in kept)
    return np.reshape(a, kept_shape + (-1,)), kept_shape, axes


def _quantile_linear(a, q, axis, keepdims, name):
    """numpy's default ``method="linear"`` (Hyndman & Fan 1996, definition 7)."""
    q = np.asarray(q, dtype=float)
    if np.any(q < 0.0) or np.any(q > 1.0):
        raise ValueError(f"np.{name}: quantiles must be in [0, 1] (percentiles in [0, 100])")
    ndim = np.ndim(value_of(a))
    flat, kept_shape, axes = _merged_last(a, axis)
    n = np.shape(value_of(flat))[-1]
    if n == 0:
        raise ValueError(f"np.{name}: cannot take a quantile of an empty array")
    ordered = np.moveaxis(_sort_function(flat, axis=-1), -1, 0)   # (n, *kept)
    position = q * (n - 1)
    lo = np.floor(position).astype(np.intp)
    hi = np.minimum(lo + 1, n - 1)
    frac = (position - lo).reshape(q.shape + (1,) * len(kept_shape))
    below, above = getitem(ordered, index=lo), getitem(ordered, index=hi)
    step = above - below  # numpy's lerp, from the nearer end, for the same rounding
    out = np.where(frac >= 0.5, above - step * (1.0 - frac), below + step * frac)
    # numpy: a slice holding a NaN has a NaN quantile (the sort put the NaNs last)
    out = np.where(np.isnan(getitem(ordered, index=n - 1)), np.nan, out)
    if keepdims:
        full = tuple(1 if i in axes else n_ for i, n_ in
                     enumerate(np.shape(value_of(a)))) if ndim else ()
        out = np.reshape(out, q.shape + full)
    return out


def _check_quantile_kwargs(name, out, method, weights):
    if out is not None:
        raise TypeError(f"np.{name}(..., out=) cannot write a traced value; drop `out`")
    if method != "linear" or weights is not None:
        raise NotImplementedError(
            f"np.{name}: traced values support method='linear' without weights only")


def _quantile_function(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                       keepdims=False, *, weights=None):
    _check_quantile_kwargs("quantile", out, method, weights)
    return _quantile_linear(a, q, axis, keepdims, "quantile")


def _percentile_function(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                         keepdims=False, *, weights=None):
    _check_quantile_kwargs("percentile", out, method, weights)
    return _quantile_linear(a, np.asarray(q, dtype=float) / 100.0, axis, keepdims, "percentile")


def _median_function(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    _check_quantile_kwargs("median", out, "linear", None)
    return _quantile_linear(a, 0.5, axis, keepdims, "median")


def _constant(func):
    """A function whose output carries no derivative (indices, counts, booleans)."""
    what = f"np.{func.__name__} of a traced value"

    def on_values(*args, **kwargs):
        return func(*[concrete(a, what) for a in args],
                    **{k: concrete(v, what) for k, v in kwargs.items()})

    return on_values


function_impls.update({
    np.take_along_axis: _take_along_axis_function,
    np.sort: _sort_function,
    np.partition: _partition_function,
    np.median: _median_function,
    np.quantile: _quantile_function,
    np.percentile: _percentile_function,
})
function_impls.update({
    func: _constant(func)
    for func in (np.argsort, np.argmax, np.argmin, np.argpartition, np.nonzero,
                 np.flatnonzero, np.count_nonzero, np.searchsorted, np.isclose, np.allclose,
                 np.array_equal, np.array_equiv)
})
