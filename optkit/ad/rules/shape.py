"""Shape primitives: reshape, transpose, broadcast_to, flip, roll and the numpy functions built
on them (ravel, swapaxes, moveaxis, expand_dims, squeeze, atleast_nd, broadcast_arrays, tile,
repeat, rot90).

All are linear: each writes only its transpose (the VJP); the JVP is the primitive itself.
Composites (tile, repeat) are plain compositions of the primitives, so every derivative order
comes for free.
"""

from __future__ import annotations

import functools

import numpy as np

from ..core import function_impls, primitive, value_of
from .indexing import getitem


def _reshape(x, shape):
    # the method skips np.reshape's Python-level wrapper (most of the cost on small arrays)
    return x.reshape(shape) if type(x) is np.ndarray else np.reshape(x, shape)


def _reshape_vjp(g, ans, x, shape):
    return reshape(g, shape=np.shape(x))


reshape = primitive("reshape", _reshape, vjp=_reshape_vjp, linear=True)


def _transpose(x, axes):
    return np.transpose(x, axes)


def _transpose_vjp(g, ans, x, axes):
    inverse = None if axes is None else tuple(np.argsort(axes))
    return transpose(g, axes=inverse)


transpose = primitive("transpose", _transpose, vjp=_transpose_vjp, linear=True)


def _broadcast_to(x, shape):
    return np.broadcast_to(x, shape)


def _broadcast_to_vjp(g, ans, x, shape):
    return g  # the reverse engine sums the broadcast axes away (core.unbroadcast)


broadcast_to = primitive("broadcast_to", _broadcast_to, vjp=_broadcast_to_vjp, linear=True)


def _shape_of(x):
    return np.shape(value_of(x))


@functools.lru_cache(maxsize=1024)
def _resolve_shape(old, new):
    """``new`` with its -1 resolved (numpy's own errors for a bad shape), so that the rule
    sees a concrete shape; cached, since a traced function reshapes the same shapes on every
    call and asking numpy costs more than the rest of the reshape."""
    return np.empty(old, dtype=bool).reshape(new).shape


def reshape_function(a, shape=None, order="C", **kwargs):
    if shape is None:
        shape = kwargs.pop("newshape")
    if order not in ("C", "F"):
        # 'A' and 'K' follow the memory layout, which a traced value does not have
        raise ValueError(f"np.reshape/ravel on traced values supports order 'C' or 'F', not "
                         f"{order!r}")
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    try:
        shape = _resolve_shape(_shape_of(a), shape)
    except TypeError:  # an unhashable entry: let numpy name what is wrong with it
        shape = np.empty(_shape_of(a), dtype=bool).reshape(shape).shape
    if order == "F":  # Fortran order is C order on the reversed axes
        flipped = reshape(transpose(a, axes=None), shape=shape[::-1])
        return transpose(flipped, axes=None)
    return reshape(a, shape=shape)


def _ravel_function(a, order="C"):
    return reshape_function(a, (-1,), order=order)


def _transpose_function(a, axes=None):
    if axes is not None:
        ndim = len(_shape_of(a))
        axes = tuple(int(ax) % ndim for ax in axes)
    return transpose(a, axes=axes)


def _swapaxes_function(a, axis1, axis2):
    ndim = len(_shape_of(a))
    axes = list(range(ndim))
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return transpose(a, axes=tuple(axes))


def _moveaxis_function(a, source, destination):
    ndim = len(_shape_of(a))
    source = np.atleast_1d(source) % ndim
    destination = np.atleast_1d(destination) % ndim
    order = [n for n in range(ndim) if n not in source]
    for dest, src in sorted(zip(destination, source, strict=True)):
        order.insert(int(dest), int(src))
    return transpose(a, axes=tuple(order))


def _expand_dims_function(a, axis):
    shape = np.expand_dims(np.empty(_shape_of(a), dtype=bool), axis).shape
    return reshape(a, shape=shape)


def _squeeze_function(a, axis=None):
    shape = np.squeeze(np.empty(_shape_of(a), dtype=bool), axis).shape
    return reshape(a, shape=shape)


def _broadcast_to_function(array, shape, subok=False):
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    if _shape_of(array) == shape:
        return array.copy()  # a new object (numpy returns a view): writes must not alias
    return broadcast_to(array, shape=shape)


def _atleast_1d_function(*arys):
    out = [a if np.ndim(value_of(a)) >= 1 else reshape_function(a, (1,)) for a in arys]
    return out[0] if len(out) == 1 else tuple(out)


function_impls.update({
    np.reshape: reshape_function,
    np.ravel: _ravel_function,
    np.transpose: _transpose_function,
    np.swapaxes: _swapaxes_function,
    np.moveaxis: _moveaxis_function,
    np.expand_dims: _expand_dims_function,
    np.squeeze: _squeeze_function,
    np.broadcast_to: _broadcast_to_function,
    np.atleast_1d: _atleast_1d_function,
})


# ---- flips, rolls, tiling ------------------------------------------------------------------
def _flip(x, axes):
    return np.flip(x, axes)


def _flip_vjp(g, ans, x, axes):
    return flip(g, axes=axes)


flip = primitive("flip", _flip, vjp=_flip_vjp, linear=True)


def _roll(x, shift, axis):
    return np.roll(x, shift, axis)


def _roll_vjp(g, ans, x, shift, axis):
    back = -shift if isinstance(shift, int) else tuple(-s for s in shift)
    return roll(g, shift=back, axis=axis)


roll = primitive("roll", _roll, vjp=_roll_vjp, linear=True)


def _axes_tuple(axis, ndim, name):
    """``axis`` (None, int or ints) as a tuple of non-negative ints; None means every axis."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for ax in axes:
        if not -ndim <= ax < ndim:
            raise ValueError(f"{name}: axis {ax} is out of bounds for an array of {ndim} dims")
        out.append(int(ax) % ndim)
    return tuple(out)


def _flip_function(m, axis=None):
    axes = _axes_tuple(axis, len(_shape_of(m)), "np.flip")
    return flip(m, axes=axes) if axes else m


def _fliplr_function(m):
    if len(_shape_of(m)) < 2:
        raise ValueError("np.fliplr: the input must be at least 2-d")
    return flip(m, axes=(1,))


def _flipud_function(m):
    if len(_shape_of(m)) < 1:
        raise ValueError("np.flipud: the input must be at least 1-d")
    return flip(m, axes=(0,))


def _roll_function(a, shift, axis=None):
    as_int = isinstance(shift, (int, np.integer))
    shift = int(shift) if as_int else tuple(int(s) for s in shift)
    if axis is not None:
        axis = _axes_tuple(axis, len(_shape_of(a)), "np.roll")
    return roll(a, shift=shift, axis=axis)


def _rot90_function(m, k=1, axes=(0, 1)):
    # the same flips and transposes numpy composes, so the rules come for free
    ndim = len(_shape_of(m))
    ax0, ax1 = _axes_tuple(axes, ndim, "np.rot90")
    if ax0 == ax1:
        raise ValueError("np.rot90: axes must be different")
    k %= 4
    if k == 0:
        return m
    if k == 2:
        return flip(m, axes=(ax0, ax1))
    perm = list(range(ndim))
    perm[ax0], perm[ax1] = perm[ax1], perm[ax0]
    if k == 1:
        return transpose(flip(m, axes=(ax1,)), axes=tuple(perm))
    return flip(transpose(m, axes=tuple(perm)), axes=(ax1,))


def _tile_function(A, reps):
    """``np.tile`` as reshape -> broadcast_to -> reshape: the VJP is a sum over the copies."""
    reps = (int(reps),) if isinstance(reps, (int, np.integer)) else tuple(int(r) for r in reps)
    shape = _shape_of(A)
    d = max(len(shape), len(reps))
    shape = (1,) * (d - len(shape)) + shape
    reps = (1,) * (d - len(reps)) + reps
    if all(r == 1 for r in reps):
        return reshape_function(A, shape)
    spread = tuple(n for pair in zip((1,) * d, shape, strict=True) for n in pair)
    stretched = tuple(n for pair in zip(reps, shape, strict=True) for n in pair)
    out = broadcast_to(reshape_function(A, spread), shape=stretched)
    return reshape(out, shape=tuple(r * n for r, n in zip(reps, shape, strict=True)))


def _repeat_function(a, repeats, axis=None):
    if axis is None:
        a = _ravel_function(a)
        axis = 0
    shape = _shape_of(a)
    (axis,) = _axes_tuple(axis, len(shape), "np.repeat")
    counts = np.asarray(repeats)
    if counts.dtype.kind not in "iu":
        raise TypeError(f"np.repeat: repeats must be integers, got dtype {counts.dtype}")
    if counts.size == 1:
        # each entry copied r times: broadcast along a new axis right after `axis`
        r = int(counts.reshape(()))
        if r < 0:
            raise ValueError("np.repeat: repeats may not be negative")
        spread = shape[: axis + 1] + (1,) + shape[axis + 1:]
        wide = shape[: axis + 1] + (r,) + shape[axis + 1:]
        out = broadcast_to(reshape(a, shape=spread), shape=wide)
        return reshape(out, shape=shape[:axis] + (shape[axis] * r,) + shape[axis + 1:])
    # uneven counts: a fancy index, whose VJP adds the copies back up
    index = np.repeat(np.arange(shape[axis]), counts)
    return getitem(a, index=(slice(None),) * axis + (index,))


def _broadcast_arrays_function(*args, subok=False):
    shape = np.broadcast_shapes(*(_shape_of(a) for a in args))
    return tuple(_broadcast_to_function(a, shape) if hasattr(a, "_trace")
                 else np.broadcast_to(a, shape) for a in args)


def atleast_2d_function(*arys):
    out = []
    for a in arys:
        shape = _shape_of(a)
        if len(shape) < 2:
            a = reshape_function(a, (1,) * (2 - len(shape)) + shape)
        out.append(a)
    return out[0] if len(out) == 1 else tuple(out)


def atleast_3d_function(*arys):
    out = []
    for a in arys:
        shape = _shape_of(a)
        if len(shape) == 0:
            a = reshape_function(a, (1, 1, 1))
        elif len(shape) == 1:
            a = reshape_function(a, (1,) + shape + (1,))
        elif len(shape) == 2:
            a = reshape_function(a, shape + (1,))
        out.append(a)
    return out[0] if len(out) == 1 else tuple(out)


function_impls.update({
    np.flip: _flip_function,
    np.fliplr: _fliplr_function,
    np.flipud: _flipud_function,
    np.roll: _roll_function,
    np.rot90: _rot90_function,
    np.tile: _tile_function,
    np.repeat: _repeat_function,
    np.broadcast_arrays: _broadcast_arrays_function,
    np.atleast_2d: atleast_2d_function,
    np.atleast_3d: atleast_3d_function,
})
