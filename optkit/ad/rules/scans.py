"""Scans along an axis: cumsum (linear), cumprod, the array API's cumulative_sum/prod, diff.

cumsum's transpose is a cumulative sum taken from the other end. cumprod on traced values is a
doubling scan of multiplications (Hillis & Steele 1986, "Data parallel algorithms"): log2(n)
steps of slices, products and concatenations, each with its own rules, so every derivative
order is exact, also when entries are zero (no division by x anywhere).
"""

from __future__ import annotations

import numpy as np

from ..core import function_impls, primitive, value_of
from .shape import flip


def _cumsum(x, axis):
    return np.cumsum(x, axis=axis)


def _cumsum_vjp(g, ans, x, axis):
    return flip(cumsum(flip(g, axes=(axis,)), axis=axis), axes=(axis,))


cumsum = primitive("cumsum", _cumsum, vjp=_cumsum_vjp, linear=True)


def _scan_axis(a, axis, name):
    """``(a, axis)`` with ``axis=None`` meaning the flattened array, as numpy's scans do."""
    if axis is None:
        return np.ravel(a), 0
    ndim = np.ndim(value_of(a))
    if not -ndim <= axis < ndim:
        raise ValueError(f"np.{name}: axis {axis} is out of bounds for {ndim}-d input")
    return a, int(axis) % ndim


def _check_out(name, out):
    if out is not None:
        raise TypeError(f"np.{name}(..., out=) cannot write a traced value; drop `out`")


def _cumsum_function(a, axis=None, dtype=None, out=None):
    _check_out("cumsum", out)
    a, axis = _scan_axis(a, axis, "cumsum")
    return cumsum(a, axis=axis)


def _cumprod_function(a, axis=None, dtype=None, out=None):
    _check_out("cumprod", out)
    a, axis = _scan_axis(a, axis, "cumprod")
    n = np.shape(value_of(a))[axis]
    lead = (slice(None),) * axis
    step = 1
    while step < n:  # after this step, entry i holds the product of entries i-2*step+1 .. i
        shifted = a[lead + (slice(step, None),)] * a[lead + (slice(None, n - step),)]
        a = np.concatenate([a[lead + (slice(None, step),)], shifted], axis=axis)
        step *= 2
    return a


def _diff_function(a, n=1, axis=-1, prepend=None, append=None):
    if not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"np.diff: order n must be a non-negative integer, got {n!r}")
    ndim = np.ndim(value_of(a))
    if ndim == 0:
        raise ValueError("np.diff: the input must be at least 1-d")
    if not -ndim <= axis < ndim:
        raise ValueError(f"np.diff: axis {axis} is out of bounds for {ndim}-d input")
    axis = int(axis) % ndim
    if prepend is not None or append is not None:
        shape = list(np.shape(value_of(a)))
        shape[axis] = 1
        pieces = [a]
        if prepend is not None:
            pieces.insert(0, prepend if np.ndim(value_of(prepend)) else
                          np.broadcast_to(prepend, tuple(shape)))
        if append is not None:
            pieces.append(append if np.ndim(value_of(append)) else
                          np.broadcast_to(append, tuple(shape)))
        a = np.concatenate(pieces, axis=axis)
    lead = (slice(None),) * axis
    for _ in range(n):
        a = a[lead + (slice(1, None),)] - a[lead + (slice(None, -1),)]
    return a


def _cumulative(name, scan, start):
    """The array API's ``cumulative_sum``/``cumulative_prod``: ``include_initial`` prepends the
    identity; ``axis`` may be omitted for 1-d input only."""
    def function(x, /, *, axis=None, dtype=None, out=None, include_initial=False):
        _check_out(name, out)
        shape = np.shape(value_of(x))
        if axis is None:
            if len(shape) != 1:
                raise ValueError(f"np.{name}: axis is required for input of more than 1 dim")
            axis = 0
        x, axis = _scan_axis(x, axis, name)
        y = scan(x, axis=axis)
        if include_initial:
            first = tuple(1 if i == axis else n for i, n in enumerate(shape))
            y = np.concatenate([np.full(first, start), y], axis=axis)
        return y

    return function


function_impls.update({
    np.cumulative_sum: _cumulative("cumulative_sum", _cumsum_function, 0.0),
    np.cumulative_prod: _cumulative("cumulative_prod", _cumprod_function, 1.0),
    np.cumsum: _cumsum_function,
    np.cumprod: _cumprod_function,
    np.diff: _diff_function,
})
