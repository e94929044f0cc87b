"""Shape primitives: reshape, transpose, broadcast_to and the numpy functions built on them.

All are linear: each writes only its transpose (the VJP); the JVP is the primitive itself.
"""

from __future__ import annotations

import numpy as np

from ..core import function_impls, primitive, value_of


def _reshape(x, shape):
    return np.reshape(x, shape)


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


def _reshape_function(a, shape=None, order="C", **kwargs):
    if shape is None:
        shape = kwargs.pop("newshape")
    if order != "C":
        raise ValueError("np.reshape on traced values supports order='C' only")
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    # resolve -1 once, so the rule sees a concrete shape
    shape = np.empty(_shape_of(a), dtype=bool).reshape(shape).shape
    return reshape(a, shape=shape)


def _ravel_function(a, order="C"):
    return _reshape_function(a, (-1,), order=order)


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
        return array
    return broadcast_to(array, shape=shape)


def _atleast_1d_function(*arys):
    out = [a if np.ndim(value_of(a)) >= 1 else _reshape_function(a, (1,)) for a in arys]
    return out[0] if len(out) == 1 else out


function_impls.update({
    np.reshape: _reshape_function,
    np.ravel: _ravel_function,
    np.transpose: _transpose_function,
    np.swapaxes: _swapaxes_function,
    np.moveaxis: _moveaxis_function,
    np.expand_dims: _expand_dims_function,
    np.squeeze: _squeeze_function,
    np.broadcast_to: _broadcast_to_function,
    np.atleast_1d: _atleast_1d_function,
})
