"""Joining and splitting arrays: concatenate, the stacking functions and ``block`` built on it,
``append``, the split functions (slices) and ``pad``.

``concatenate`` is linear in every argument; the transpose of argument ``i`` is the slice of
the cotangent where that argument landed (a ``getitem``, so higher orders work too). The list
may mix traced values and plain arrays; plain ones are constants.
"""

from __future__ import annotations

import numpy as np

from ..core import (
    COMPLEX128,
    FLOAT64,
    NotDifferentiableError,
    Tracer,
    function_impls,
    inexact,
    primitive,
    value_of,
)
from .indexing import getitem, scatter_add, stack_sequence
from .shape import atleast_2d_function, atleast_3d_function, reshape_function

_concatenates = {}


def _concatenate(*arrays, axis):
    return np.concatenate(arrays, axis=axis)


def _piece_vjp(i):
    def vjp(g, ans, *arrays, axis):
        start = sum(np.shape(a)[axis] for a in arrays[:i])
        stop = start + np.shape(arrays[i])[axis]
        return getitem(g, index=(slice(None),) * axis + (slice(start, stop),))

    return vjp


def concatenate_of(n):
    """The concatenate primitive for ``n`` arrays (rules are per argument position)."""
    prim = _concatenates.get(n)
    if prim is None:
        prim = primitive("concatenate", _concatenate,
                         vjp=tuple(_piece_vjp(i) for i in range(n)), linear=True)
        _concatenates[n] = prim
    return prim


def _as_piece(a):
    a = stack_sequence(a)
    return a if isinstance(a, Tracer) else inexact(a)


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
    if dtype is not None and np.dtype(dtype) not in (FLOAT64, COMPLEX128):
        raise TypeError(f"{name}(dtype={dtype!r}): traced values are float64 or complex128 "
                        "only")


def _join(pieces, axis):
    ndim = np.ndim(value_of(pieces[0]))
    if ndim == 0:
        raise ValueError("zero-dimensional arrays cannot be concatenated")
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis {axis} is out of bounds for arrays of {ndim} dimensions")
    axis = int(axis) % ndim
    if len(pieces) == 1:
        return pieces[0].copy()  # a new object, as numpy returns: item assignment must not alias
    return concatenate_of(len(pieces))(*pieces, axis=axis)


def _concatenate_function(arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    _check_join_kwargs("np.concatenate", out, dtype)
    pieces = _pieces(arrays, "np.concatenate")
    if axis is None:
        pieces = [reshape_function(p, (-1,)) for p in pieces]
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
    return _join([reshape_function(p, grown) for p in pieces], axis)


def _hstack_function(tup, *, dtype=None, casting="same_kind"):
    _check_join_kwargs("np.hstack", None, dtype)
    pieces = [p if np.ndim(value_of(p)) else reshape_function(p, (1,))
              for p in _pieces(tup, "np.hstack")]
    return _join(pieces, 0 if np.ndim(value_of(pieces[0])) == 1 else 1)


def _vstack_function(tup, *, dtype=None, casting="same_kind"):
    _check_join_kwargs("np.vstack", None, dtype)
    pieces = [atleast_2d_function(p) for p in _pieces(tup, "np.vstack")]
    return _join(pieces, 0)


def _dstack_function(tup):
    pieces = [atleast_3d_function(p) for p in _pieces(tup, "np.dstack")]
    return _join(pieces, 2)


def _column_stack_function(tup):
    pieces = []
    for p in _pieces(tup, "np.column_stack"):
        shape = np.shape(value_of(p))
        if len(shape) < 2:  # numpy: 0-d and 1-d inputs become columns
            p = reshape_function(p, (-1, 1))
        pieces.append(p)
    return _join(pieces, 1)


def _append_function(arr, values, axis=None):
    pieces = _pieces((arr, values), "np.append")
    if axis is None:
        pieces = [reshape_function(p, (-1,)) for p in pieces]
        axis = 0
    return _join(pieces, axis)


def _block_function(arrays):
    """``np.block``: the innermost lists join along the last axis, the next along the one
    before, and so on; every piece first gets leading size-1 axes up to the result's ndim."""
    def depth_of(item):
        if isinstance(item, tuple):
            raise TypeError("np.block: use lists, not tuples, to nest the blocks")
        if isinstance(item, list):
            if not item:
                raise ValueError("np.block: lists must not be empty")
            depths = {depth_of(e) for e in item}
            if len(depths) != 1:
                raise ValueError("np.block: list depths are mismatched")
            return depths.pop() + 1
        return 0

    def leaves(item):
        return [x for e in item for x in leaves(e)] if isinstance(item, list) else [item]

    depth = depth_of(arrays)
    ndim = max([depth] + [np.ndim(value_of(a)) for a in leaves(arrays)])

    def build(item, level):
        if not isinstance(item, list):
            item = _as_piece(item)
            shape = np.shape(value_of(item))
            return reshape_function(item, (1,) * (ndim - len(shape)) + shape)
        return _join([build(e, level + 1) for e in item], ndim - depth + level)

    return build(arrays, 0)


# ---- splitting: each piece is a slice ------------------------------------------------------
def _split_pieces(ary, indices_or_sections, axis, name, even):
    shape = np.shape(value_of(ary))
    if not -len(shape) <= axis < len(shape):
        raise ValueError(f"np.{name}: axis {axis} is out of bounds for {len(shape)}-d input")
    axis = int(axis) % len(shape)
    n = shape[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        sections = int(indices_or_sections)
        if sections <= 0:
            raise ValueError(f"np.{name}: the number of sections must be larger than 0")
        if even and n % sections:
            raise ValueError(f"np.{name}: array split does not result in an equal division")
        each, extra = divmod(n, sections)
        sizes = [each + 1] * extra + [each] * (sections - extra)
        bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(int).tolist()
    else:
        bounds = [0] + [int(i) for i in indices_or_sections] + [n]
    lead = (slice(None),) * axis
    return [getitem(ary, index=lead + (slice(start, stop),))
            for start, stop in zip(bounds[:-1], bounds[1:], strict=True)]


def _split_function(ary, indices_or_sections, axis=0):
    return _split_pieces(ary, indices_or_sections, axis, "split", even=True)


def _array_split_function(ary, indices_or_sections, axis=0):
    return _split_pieces(ary, indices_or_sections, axis, "array_split", even=False)


def _hsplit_function(ary, indices_or_sections):
    ndim = np.ndim(value_of(ary))
    if ndim == 0:
        raise ValueError("np.hsplit: the input must be at least 1-d")
    return _split_pieces(ary, indices_or_sections, 1 if ndim > 1 else 0, "hsplit", even=True)


def _axis_split(axis, name):
    def function(ary, indices_or_sections):
        if np.ndim(value_of(ary)) <= axis:
            raise ValueError(f"np.{name}: the input must be at least {axis + 1}-d")
        return _split_pieces(ary, indices_or_sections, axis, name, even=True)

    return function


# ---- pad --------------------------------------------------------------------------------
_GATHER_MODES = ("edge", "reflect", "symmetric", "wrap")


def _pad_function(array, pad_width, mode="constant", **kwargs):
    """Constant padding is a scatter into a frame of constants; edge/reflect/symmetric/wrap
    padding is a gather whose index is numpy's own padding of ``arange`` along each axis."""
    shape = np.shape(value_of(array))
    widths = np.broadcast_to(np.asarray(pad_width, dtype=np.intp), (len(shape), 2))
    if np.any(widths < 0):
        raise ValueError("np.pad: pad_width may not be negative")
    if mode == "constant":
        values = kwargs.pop("constant_values", 0.0)
        if kwargs:
            raise TypeError(f"np.pad(mode='constant'): unexpected arguments {sorted(kwargs)}")
        if isinstance(values, Tracer):
            raise NotDifferentiableError("np.pad: constant_values must be plain numbers")
        new = tuple(int(n + b + a) for n, (b, a) in zip(shape, widths, strict=True))
        inner = tuple(slice(int(b), int(b) + n) for n, (b, _) in zip(shape, widths, strict=True))
        out = scatter_add(array, index=inner, shape=new)
        frame = np.pad(np.zeros(shape), widths, mode="constant", constant_values=values)
        return out + frame if np.any(frame) else out
    if mode not in _GATHER_MODES:
        raise NotDifferentiableError(
            f"np.pad(mode={mode!r}) has no rule in optkit; use one of 'constant', "
            + ", ".join(repr(m) for m in _GATHER_MODES))
    index = [np.pad(np.arange(n), (int(b), int(a)), mode=mode, **kwargs)
             for n, (b, a) in zip(shape, widths, strict=True)]
    return getitem(array, index=np.ix_(*index))


function_impls.update({
    np.split: _split_function,
    np.array_split: _array_split_function,
    np.hsplit: _hsplit_function,
    np.vsplit: _axis_split(0, "vsplit"),
    np.dsplit: _axis_split(2, "dsplit"),
    np.pad: _pad_function,
    np.concatenate: _concatenate_function,
    np.stack: _stack_function,
    np.hstack: _hstack_function,
    np.vstack: _vstack_function,
    np.dstack: _dstack_function,
    np.column_stack: _column_stack_function,
    np.append: _append_function,
    np.block: _block_function,
})
