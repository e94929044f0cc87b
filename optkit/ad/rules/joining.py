"""Joining arrays: concatenate and the stacking functions built on it.

``concatenate`` is linear in every argument; the transpose of argument ``i`` is the slice of
the cotangent where that argument landed (a ``getitem``, so higher orders work too). The list
may mix traced values and plain arrays; plain ones are constants.
"""

from __future__ import annotations

import numpy as np

from ..core import Tracer, function_impls, primitive, value_of
from .indexing import getitem, stack_sequence
from .shape import _atleast_2d_function, _atleast_3d_function, _reshape_function

_concatenates = {}


def _concatenate(*arrays, axis):
    return np.concatenate(arrays, axis=axis)


def _piece_vjp(i):
    def vjp(g, ans, *arrays, axis):
        start = sum(np.shape(a)[axis] for a in arrays[:i])
        stop = start + np.shape(arrays[i])[axis]
        return getitem(g, index=(slice(None),) * axis + (slice(start, stop),))

    return vjp


def _concatenate_of(n):
    """The concatenate primitive for ``n`` arrays (rules are per argument position)."""
    prim = _concatenates.get(n)
    if prim is None:
        prim = primitive("concatenate", _concatenate,
                         vjp=tuple(_piece_vjp(i) for i in range(n)), linear=True)
        _concatenates[n] = prim
    return prim


def _as_piece(a):
    a = stack_sequence(a)
    return a if isinstance(a, Tracer) else np.asarray(a, dtype=float)


def _pieces(arrays, name):
    if isinstance(arrays, (Tracer, np.ndarray)):
        raise TypeError(f"{name}: pass a sequence of arrays, not a single array")
    pieces = [_as_piece(a) for a in arrays]
    if not pieces:
        raise ValueError(f"{name}: need at least one array to join")
    return pieces


def _check_join_kwargs(name, out, dtype):
    if out is not None:
        raise TypeError(f"{name}(..., out=) cannot write a traced value; drop `out`")
    if dtype is not None and np.dtype(dtype) != np.float64:
        raise TypeError(f"{name}(dtype={dtype!r}): traced values are float64 only")


def _join(pieces, axis):
    ndim = np.ndim(value_of(pieces[0]))
    if ndim == 0:
        raise ValueError("zero-dimensional arrays cannot be concatenated")
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis {axis} is out of bounds for arrays of {ndim} dimensions")
    axis = int(axis) % ndim
    if len(pieces) == 1:
        return pieces[0].copy()  # a new object, as numpy returns: item assignment must not alias
    return _concatenate_of(len(pieces))(*pieces, axis=axis)


def _concatenate_function(arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    _check_join_kwargs("np.concatenate", out, dtype)
    pieces = _pieces(arrays, "np.concatenate")
    if axis is None:
        pieces = [_reshape_function(p, (-1,)) for p in pieces]
        axis = 0
    return _join(pieces, axis)


def _stack_function(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    _check_join_kwargs("np.stack", out, dtype)
    pieces = _pieces(arrays, "np.stack")
    shapes = {np.shape(value_of(p)) for p in pieces}
    if len(shapes) != 1:
        raise ValueError("np.stack: all input arrays must have the same shape")
    shape = shapes.pop()
    ndim = len(shape) + 1
    if not -ndim <= axis < ndim:
        raise ValueError(f"np.stack: axis {axis} is out of bounds for {ndim}-d output")
    axis = int(axis) % ndim
    grown = shape[:axis] + (1,) + shape[axis:]
    return _join([_reshape_function(p, grown) for p in pieces], axis)


def _hstack_function(tup, *, dtype=None, casting="same_kind"):
    _check_join_kwargs("np.hstack", None, dtype)
    pieces = [p if np.ndim(value_of(p)) else _reshape_function(p, (1,))
              for p in _pieces(tup, "np.hstack")]
    return _join(pieces, 0 if np.ndim(value_of(pieces[0])) == 1 else 1)


def _vstack_function(tup, *, dtype=None, casting="same_kind"):
    _check_join_kwargs("np.vstack", None, dtype)
    pieces = [_atleast_2d_function(p) for p in _pieces(tup, "np.vstack")]
    return _join(pieces, 0)


def _dstack_function(tup):
    pieces = [_atleast_3d_function(p) for p in _pieces(tup, "np.dstack")]
    return _join(pieces, 2)


def _column_stack_function(tup):
    pieces = []
    for p in _pieces(tup, "np.column_stack"):
        shape = np.shape(value_of(p))
        if len(shape) < 2:  # numpy: 0-d and 1-d inputs become columns
            p = _reshape_function(p, (-1, 1))
        pieces.append(p)
    return _join(pieces, 1)


def _append_function(arr, values, axis=None):
    pieces = _pieces((arr, values), "np.append")
    if axis is None:
        pieces = [_reshape_function(p, (-1,)) for p in pieces]
        axis = 0
    return _join(pieces, axis)


function_impls.update({
    np.concatenate: _concatenate_function,
    np.stack: _stack_function,
    np.hstack: _hstack_function,
    np.vstack: _vstack_function,
    np.dstack: _dstack_function,
    np.column_stack: _column_stack_function,
    np.append: _append_function,
})
