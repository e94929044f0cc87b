"""The ndarray methods and attributes of traced values, as mixins of the tracer classes.

Each method calls the numpy function of the same name (which dispatches to its rule), so a
method has no rule of its own; an ndarray name without a traced version raises
``UnsupportedMethodError`` naming it (``NdarrayMethods.__getattr__``).
"""

from __future__ import annotations

import numpy as np

from . import views
from .core import concrete, function_impls, value_of
from .errors import NotDifferentiableError, conversion_error
from .rules.elementwise import astype

__all__ = ["NdarrayMethods", "ArrayMethods", "UnsupportedMethodError"]


class UnsupportedMethodError(NotDifferentiableError, AttributeError):
    """An ndarray method or attribute that traced values do not offer.

    Also an AttributeError, so that ``hasattr(x, name)`` stays False instead of raising.
    """


class NdarrayMethods:
    """ndarray's methods and attributes for every tracer (mixed into ``ScalarTracer``)."""

    __slots__ = ()

    def sum(self, axis=None, dtype=None, out=None, keepdims=False, **kwargs):
        return np.sum(self, axis=axis, out=out, keepdims=keepdims, **kwargs)

    def mean(self, axis=None, dtype=None, out=None, keepdims=False, **kwargs):
        return np.mean(self, axis=axis, out=out, keepdims=keepdims, **kwargs)

    def prod(self, axis=None, dtype=None, out=None, keepdims=False, **kwargs):
        return np.prod(self, axis=axis, out=out, keepdims=keepdims, **kwargs)

    def max(self, axis=None, out=None, keepdims=False, **kwargs):
        return np.max(self, axis=axis, out=out, keepdims=keepdims, **kwargs)

    def min(self, axis=None, out=None, keepdims=False, **kwargs):
        return np.min(self, axis=axis, out=out, keepdims=keepdims, **kwargs)

    def var(self, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
        return np.var(self, axis=axis, out=out, ddof=ddof, keepdims=keepdims)

    def std(self, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
        return np.std(self, axis=axis, out=out, ddof=ddof, keepdims=keepdims)

    def cumsum(self, axis=None, dtype=None, out=None):
        return np.cumsum(self, axis=axis, out=out)

    def cumprod(self, axis=None, dtype=None, out=None):
        return np.cumprod(self, axis=axis, out=out)

    def reshape(self, *shape, order="C"):
        if len(shape) == 1 and not isinstance(shape[0], int):
            shape = shape[0]
        # np.reshape's rule straight away, as __array_function__ would (a view: mark it)
        out = function_impls[np.reshape](self, shape, order=order)
        views.mark_view(out, self)
        return out

    def transpose(self, *axes):
        if len(axes) == 1 and not isinstance(axes[0], int):
            axes = axes[0]
        return np.transpose(self, axes or None)

    def swapaxes(self, axis1, axis2):
        return np.swapaxes(self, axis1, axis2)

    def squeeze(self, axis=None):
        return np.squeeze(self, axis=axis)

    def ravel(self, order="C"):
        return np.ravel(self, order=order)

    def flatten(self, order="C"):
        return np.ravel(self, order=order)

    def dot(self, other):
        return np.dot(self, other)

    def clip(self, min=None, max=None, **kwargs):  # noqa: A002 - ndarray's own signature
        return np.clip(self, min, max, **kwargs)

    def diagonal(self, offset=0, axis1=0, axis2=1):
        return np.diagonal(self, offset, axis1, axis2)

    def trace(self, offset=0, axis1=0, axis2=1):
        return np.trace(self, offset, axis1, axis2)

    def repeat(self, repeats, axis=None):
        return np.repeat(self, repeats, axis=axis)

    def take(self, indices, axis=None):
        return np.take(self, indices, axis=axis)

    def copy(self, order="C"):
        # a distinct object, so that item assignment into the copy leaves this one alone
        twin = object.__new__(type(self))
        twin._trace, twin._a, twin._b = self._trace, self._a, self._b
        twin._view = None
        return twin

    def astype(self, dtype, copy=True, **kwargs):
        dtype = np.dtype(dtype)
        if dtype.kind not in "fc":
            raise conversion_error(f".astype({dtype!r})",
                                   "Only float and complex dtypes keep a derivative.")
        if dtype.kind == "f" and self.dtype.kind == "c":
            raise conversion_error(f".astype({dtype!r}) of a complex value",
                                   "Take np.real(x) (or np.abs(x)) explicitly.")
        if dtype == self.dtype:
            return self.copy() if copy else self  # numpy copies by default: writes must not alias
        return astype(self, dtype=dtype)

    def all(self, *args, **kwargs):
        return np.all(concrete(self, ".all()"), *args, **kwargs)

    def any(self, *args, **kwargs):
        return np.any(concrete(self, ".any()"), *args, **kwargs)

    def argmax(self, *args, **kwargs):
        return np.argmax(concrete(self, ".argmax()"), *args, **kwargs)

    def argmin(self, *args, **kwargs):
        return np.argmin(concrete(self, ".argmin()"), *args, **kwargs)

    def nonzero(self):
        return np.nonzero(concrete(self, ".nonzero()"))

    def argsort(self, axis=-1, kind=None, order=None, **kwargs):
        return np.argsort(self, axis=axis, kind=kind, order=order, **kwargs)

    def argpartition(self, kth, axis=-1, kind="introselect", order=None):
        return np.argpartition(self, kth, axis=axis, kind=kind, order=order)

    def searchsorted(self, v, side="left", sorter=None):
        return np.searchsorted(self, v, side=side, sorter=sorter)

    def compress(self, condition, axis=None, out=None):
        return np.compress(condition, self, axis=axis, out=out)

    def round(self, decimals=0, out=None):
        return np.round(self, decimals, out)

    def conjugate(self):
        return np.conjugate(self)

    conj = conjugate

    @property
    def real(self):
        return np.real(self)

    @property
    def imag(self):
        return np.imag(self)

    @property
    def itemsize(self):
        return self.dtype.itemsize

    @property
    def nbytes(self):
        return self.size * self.dtype.itemsize

    @property
    def strides(self):
        return np.empty(self.shape, self.dtype).strides  # C order, as every traced value

    @property
    def device(self):
        return "cpu"

    def to_device(self, device, /, *, stream=None):
        if device != "cpu":
            raise ValueError(f"device: optkit traces on the CPU only, got {device!r}")
        return self

    def __getattr__(self, name):
        # only reached for names the class does not define: say which ndarray API is missing
        if not name.startswith("_") and hasattr(np.ndarray, name):
            hint = {"flat": " Use x.ravel() (reading) or x.reshape(-1) instead."}.get(name, "")
            if not hint and callable(getattr(np, name, None)):
                hint = f" Try np.{name}(x, ...), which names what is missing if it has no rule."
            raise UnsupportedMethodError(
                f"ndarray.{name} is not supported on traced values.{hint}")
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


class ArrayMethods:
    """ndarray's in-place methods, for tracers of arrays (mixed into ``ArrayTracer``)."""

    __slots__ = ()

    def sort(self, axis=-1, kind=None, order=None, **kwargs):
        self._overwrite(np.sort(self, axis=axis, kind=kind, order=order, **kwargs))

    def partition(self, kth, axis=-1, kind="introselect", order=None):
        self._overwrite(np.partition(self, kth, axis=axis, kind=kind, order=order))

    def fill(self, value):
        if np.ndim(value_of(value)) != 0:
            raise ValueError(f"fill: value must be a scalar, got shape {np.shape(value_of(value))}")
        # np.where keeps this array's trace even when value is a plain constant
        self._overwrite(np.where(np.ones(self.shape, dtype=bool), value, self))

    def put(self, indices, values, mode="raise"):
        if mode != "raise":
            raise ValueError(f"put: only mode='raise' is supported on traced values, got {mode!r}")
        flat = np.ravel(self).copy()
        where = np.ravel(np.asarray(indices))
        if where.dtype.kind not in "iu":
            raise TypeError(f"put: indices must be integers, got dtype {where.dtype}")
        vals = np.ravel(values)
        count = np.shape(value_of(vals))[0]
        if count == 0:
            raise ValueError("put: values must not be empty")
        if count != where.size:  # numpy repeats values cyclically
            vals = vals[np.arange(where.size) % count]
        flat[where] = vals
        self._overwrite(np.reshape(flat, self.shape).copy())
