"""Plain numpy calls on traced values become primitive calls.

``ArrayTracer`` answers numpy's protocols: ``__array_ufunc__`` for ufuncs, ``__array_function__``
for the rest of the numpy API (NEP 13 and NEP 18), Python operators and the ndarray methods.
Anything optkit has no rule for raises ``NotDifferentiableError`` naming the function; anything
that would turn a traced value into a plain one raises ``TracerConversionError``. Nothing is
ever silently treated as a constant.
"""

from __future__ import annotations

import operator
import sys

import numpy as np

from .core import (
    EMPTY,
    NotDifferentiableError,
    Tracer,
    TracerConversionError,
    bind,
    complex_error,
    concrete,
    function_impls,
    ufunc_primitives,
    value_of,
)
from .rules.indexing import getitem

__all__ = ["ArrayTracer", "ScalarTracer", "UnsupportedMethodError", "no_rule_error",
           "stale_view_error", "pending_update_error"]

_REDUCE = {np.add: np.sum, np.multiply: np.prod, np.maximum: np.max, np.minimum: np.min,
           np.fmax: np.max, np.fmin: np.min}
_ACCUMULATE = {np.add: np.cumsum, np.multiply: np.cumprod}


class UnsupportedMethodError(NotDifferentiableError, AttributeError):
    """An ndarray method or attribute that traced values do not offer.

    Also an AttributeError, so that ``hasattr(x, name)`` stays False instead of raising.
    """


def no_rule_error(name):
    return NotDifferentiableError(
        f"optkit has no derivative rule for {name}, which was called on a traced value. "
        "Register one with @optkit.custom_primitive (value, JVP and VJP rules), or pass a "
        "hand-written derivative (jac=...) instead of differentiating through it."
    )


def stale_view_error():
    return NotDifferentiableError(
        "a view of a traced array (a slice, reshape or transpose of it) was used after its base "
        "array was written to; numpy would show the write through the view, optkit's view is a "
        "copy. Take the view after the write, or index the array again."
    )


def pending_update_error():
    return NotDifferentiableError(
        "an in-place operator changed a view of a traced array (v = y[:2]; v += 1), and the "
        "array was used before the change was assigned back: numpy would show it in the array, "
        "optkit's view is a copy. Write `y[:2] += 1` (or assign the result back) instead."
    )


def _refuse(what, hint):
    raise TracerConversionError(f"{what} on a traced value would discard its derivative. {hint}")


def _ufunc_name(ufunc):
    """``numpy.sin``, ``scipy.special.jv``: where the user found the ufunc."""
    name = ufunc.__name__
    if getattr(np, name, None) is ufunc:
        return f"numpy.{name}"
    special = sys.modules.get("scipy.special")
    if special is not None and getattr(special, name, None) is ufunc:
        return f"scipy.special.{name}"
    return f"the ufunc {name}"


class ScalarTracer(Tracer):
    """The numpy face of every tracer; a 0-d tracer is exactly this.

    It has no ``__getitem__``/``__len__``: numpy treats any object with them as a sequence, and
    replaces our clear error with "setting an array element with a sequence" when a traced
    scalar is written into a plain array. ``ArrayTracer`` adds them for arrays.
    """

    __slots__ = ()
    __array_priority__ = 1000.0

    # ---- numpy protocols -----------------------------------------------------------------
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if kwargs:
            if kwargs.get("out") is not None:
                _refuse(
                    f"Writing the result of {_ufunc_name(ufunc)} into `out=`",
                    "Drop `out=` (and in-place operators on plain arrays such as `a += x`); "
                    "write `a = a + x` instead.",
                )
            kwargs.pop("out", None)
        if method == "__call__":
            if kwargs:
                raise NotDifferentiableError(
                    f"{_ufunc_name(ufunc)} with keyword arguments {sorted(kwargs)} is not "
                    "supported on traced values"
                )
            prim = ufunc_primitives.get(ufunc)
            if prim is None:
                raise no_rule_error(_ufunc_name(ufunc))
            return bind(prim, inputs, EMPTY)
        if method == "outer" and len(inputs) == 2 and not kwargs:
            # ufunc.outer(a, b) is ufunc(a, b) with a's axes in front of b's
            a, b = inputs
            return ufunc(np.reshape(a, np.shape(value_of(a)) + (1,) * np.ndim(value_of(b))), b)
        table = _REDUCE if method == "reduce" else _ACCUMULATE if method == "accumulate" else {}
        func = table.get(ufunc)
        if func is None:
            raise no_rule_error(f"{_ufunc_name(ufunc)}.{method}")
        # ufunc.reduce/accumulate default to axis=0, where np.sum/np.cumsum default to None
        params = {"axis": kwargs.pop("axis", 0)}
        if method == "reduce" and "keepdims" in kwargs:
            params["keepdims"] = kwargs.pop("keepdims")
        if kwargs.get("dtype") is None:
            kwargs.pop("dtype", None)
        if kwargs:
            raise NotDifferentiableError(
                f"{_ufunc_name(ufunc)}.{method} with keyword arguments {sorted(kwargs)} is not "
                "supported on traced values"
            )
        return func(*inputs, **params)

    def __array_function__(self, func, types, args, kwargs):
        impl = function_impls.get(func)
        if impl is None:
            module = getattr(func, "__module__", None) or "numpy"
            raise no_rule_error(f"{module}.{func.__name__}")
        out = impl(*args, **kwargs)
        if func in _VIEW_FUNCTIONS and args:
            if type(out) is list:  # the split functions: every piece is a view
                for piece in out:
                    _mark_view(piece, args[0])
            else:
                _mark_view(out, args[0])
        return out

    # ---- metadata ----------------------------------------------------------------------
    # the value one level down is an ndarray, a numpy scalar, a tracer, or a Python float
    @property
    def shape(self):
        return getattr(self._a, "shape", ())

    @property
    def ndim(self):
        return getattr(self._a, "ndim", 0)

    @property
    def size(self):
        return getattr(self._a, "size", 1)

    @property
    def dtype(self):
        return np.result_type(value_of(self))

    @property
    def T(self):
        return np.transpose(self)

    @property
    def mT(self):
        return np.swapaxes(self, -1, -2)

    # ---- conversions that would lose the derivative --------------------------------------
    def __array__(self, dtype=None, copy=None):
        _refuse(
            "Converting to a plain numpy array (np.asarray, np.array, or writing it into a "
            "plain ndarray)",
            "Keep it traced: call numpy functions on it directly, build arrays with "
            "np.stack/np.concatenate, or assign into y = np.zeros_like(x) where x is traced. "
            "Library code that converts its input with np.asarray cannot be traced: instead of "
            "scipy.special.logsumexp, softmax, log_softmax or polygamma use "
            "optkit.special.logsumexp, softmax, log_softmax or polygamma (same arguments); "
            "instead of plain_array.dot(x) write plain_array @ x.",
        )

    def __float__(self):
        _refuse(
            "float() (also what writing it into a plain numpy array does, as in "
            "`y = np.zeros(3); y[0] = x[0] ** 2`)",
            "To fill an array with traced entries, create it from the traced value: "
            "y = np.zeros_like(x) (then y[0] = x[0] ** 2 works), or build it with "
            "np.stack([...]) of traced entries. Otherwise use the value in numpy "
            "expressions instead of float().",
        )

    def __int__(self):
        _refuse("int()", "Integers are not differentiable; compute indices from constants.")

    def __index__(self):
        _refuse("Using it as an index", "Index with plain integers or integer arrays.")

    def __complex__(self):
        _refuse("complex()", "optkit differentiates real float64 computations; complex "
                "support is not available yet (an open issue). Work with the real and "
                "imaginary parts separately, as real arrays.")

    def __bool__(self):
        _refuse("bool()", "Compare explicitly (`if s > 1:`), which gives a plain boolean.")

    def tolist(self):
        _refuse(".tolist()", "Keep it as an array in numpy expressions.")

    def item(self, *args):
        _refuse(".item()", "Keep it as an array in numpy expressions.")

    __hash__ = object.__hash__

    # comparisons are not differentiable; they give plain booleans, so `if s > 1:` works
    def __lt__(self, other):
        return np.less(self, other)

    def __le__(self, other):
        return np.less_equal(self, other)

    def __gt__(self, other):
        return np.greater(self, other)

    def __ge__(self, other):
        return np.greater_equal(self, other)

    def __eq__(self, other):
        return np.equal(self, other)

    def __ne__(self, other):
        return np.not_equal(self, other)

    # ---- arithmetic operators ------------------------------------------------------------
    def __add__(self, other):
        return bind(ufunc_primitives[np.add], (self, other), EMPTY)

    def __radd__(self, other):
        return bind(ufunc_primitives[np.add], (other, self), EMPTY)

    def __sub__(self, other):
        return bind(ufunc_primitives[np.subtract], (self, other), EMPTY)

    def __rsub__(self, other):
        return bind(ufunc_primitives[np.subtract], (other, self), EMPTY)

    def __mul__(self, other):
        return bind(ufunc_primitives[np.multiply], (self, other), EMPTY)

    def __rmul__(self, other):
        return bind(ufunc_primitives[np.multiply], (other, self), EMPTY)

    def __truediv__(self, other):
        return bind(ufunc_primitives[np.true_divide], (self, other), EMPTY)

    def __rtruediv__(self, other):
        return bind(ufunc_primitives[np.true_divide], (other, self), EMPTY)

    def __pow__(self, other):
        return bind(ufunc_primitives[np.power], (self, other), EMPTY)

    def __rpow__(self, other):
        return bind(ufunc_primitives[np.power], (other, self), EMPTY)

    def __neg__(self):
        return bind(ufunc_primitives[np.negative], (self,), EMPTY)

    def __pos__(self):
        return self

    def __abs__(self):
        return bind(ufunc_primitives[np.absolute], (self,), EMPTY)

    def __matmul__(self, other):
        return bind(ufunc_primitives[np.matmul], (self, other), EMPTY)

    def __rmatmul__(self, other):
        return bind(ufunc_primitives[np.matmul], (other, self), EMPTY)

    def __floordiv__(self, other):
        return np.floor_divide(self, other)

    def __rfloordiv__(self, other):
        return np.floor_divide(other, self)

    def __mod__(self, other):
        return np.remainder(self, other)

    def __rmod__(self, other):
        return np.remainder(other, self)

    # ---- in-place operators ------------------------------------------------------------------
    # numpy updates an array in place, so every name bound to it sees the change: re-point this
    # tracer as __setitem__ does. A 0-d value stays immutable like the numpy scalar it usually
    # stands for (x[0], np.sum(x)): `s += t` rebinds s and leaves other references alone.
    def _inplace(self, new):
        if not self.shape:
            return new
        if np.shape(value_of(new)) != self.shape:
            raise ValueError(
                f"in-place operation would change the traced array's shape {self.shape} to "
                f"{np.shape(value_of(new))}"
            )
        view = self._view
        if type(view) is tuple:
            # `x[i] += v`: Python reads the view x[i], updates it, and assigns it back with
            # x[i] = <this result>. Until that assignment, x itself is out of date: mark it.
            view[0][1] = new
            return new
        _before_write(self, new)
        self.__class__ = type(new)
        self._trace, self._a, self._b = new._trace, new._a, new._b
        return self

    def __iadd__(self, other):
        return self._inplace(self + other)

    def __isub__(self, other):
        return self._inplace(self - other)

    def __imul__(self, other):
        return self._inplace(self * other)

    def __itruediv__(self, other):
        return self._inplace(self / other)

    def __ipow__(self, other):
        return self._inplace(self**other)

    def __imatmul__(self, other):
        return self._inplace(self @ other)

    def __imod__(self, other):
        return self._inplace(self % other)

    # ---- ndarray methods -----------------------------------------------------------------
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
        _mark_view(out, self)
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
        if np.dtype(dtype).kind == "c":
            raise complex_error(f".astype({dtype!r}) asked for a complex value")
        if np.dtype(dtype).kind != "f":
            _refuse(f".astype({dtype!r})", "Only float dtypes keep a derivative.")
        if np.dtype(dtype) != np.float64:
            raise NotDifferentiableError(
                f".astype({dtype!r}): optkit differentiates in float64 only"
            )
        return self.copy() if copy else self  # numpy copies by default: writes must not alias

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


class ArrayTracer(ScalarTracer):
    """A tracer of an array with at least one dimension: indexing, ``len``, iteration."""

    __slots__ = ()

    def __len__(self):
        return self.shape[0]

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __getitem__(self, index):
        if type(index) is int:  # the common case, straight to the rule
            out = bind(getitem, (self,), {"index": index})
        elif type(index) is slice:
            out = bind(getitem, (self,), {"index": index})
            _mark_view(out, self)
            return out
        elif type(index) is tuple and all(type(i) is slice or type(i) is int for i in index):
            out = bind(getitem, (self,), {"index": index})  # x[:, 0]: nothing to check either
        else:
            out = function_impls[operator.getitem](self, index)
            if not _is_basic(index):
                return out  # advanced indexing copies, as in numpy
        if isinstance(out, ArrayTracer):  # a view unless it selected one element
            _mark_view(out, self)
        return out

    def __setitem__(self, index, value):
        _before_write(self, value)
        self._repoint(function_impls[operator.setitem](self, index, value))

    def _repoint(self, new):
        # numpy writes in place: re-point this tracer at the new value (same slot layout in
        # every subclass), so that every name bound to it sees the change
        self.__class__ = type(new)
        self._trace, self._a, self._b = new._trace, new._a, new._b

    def _overwrite(self, new):
        """An in-place method: this array becomes ``new`` (a traced value of its shape)."""
        _before_write(self, new)
        self._repoint(new)

    # ---- in-place ndarray methods ----------------------------------------------------------
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


# ---- views: numpy shares memory between an array and its views; optkit's values are
# immutable, so a view is a copy. To stay right, a view remembers the version of its base:
# reading a view after its base was written, or writing through a view, is refused.
_VIEW_FUNCTIONS = {np.reshape, np.ravel, np.transpose, np.swapaxes, np.moveaxis, np.squeeze,
                   np.expand_dims, np.broadcast_to, np.diagonal, np.atleast_1d, np.atleast_2d,
                   np.atleast_3d, np.flip, np.fliplr, np.flipud, np.rot90, np.linalg.diagonal,
                   np.split, np.array_split, np.hsplit, np.vsplit, np.dsplit}


def _mark_view(out, base):
    if not isinstance(out, Tracer) or not isinstance(base, Tracer) or out is base:
        return
    cell = base._view
    if cell is None:
        cell = base._view = [0, None]    # base becomes an owner: [version, pending update]
    elif type(cell) is tuple:            # a view of a view: same owner
        cell = cell[0]
    out._view = (cell, cell[0])


def _before_write(tracer, value):
    """Called before ``tracer`` is overwritten with ``value`` (item assignment, ``+=``)."""
    cell = tracer._view
    if cell is None:
        return
    if type(cell) is tuple:
        raise NotDifferentiableError(
            "item assignment through a view of a traced array (a slice, reshape or transpose "
            "of it) is not supported: numpy would change the base array too. Write into the "
            "array itself (y[0] = v instead of y[:2][0] = v), or copy the view first "
            "(v = y[:2].copy())."
        )
    if cell[1] is not None and cell[1] is not value:
        raise pending_update_error()
    cell[1] = None
    cell[0] += 1  # views taken before this write are now stale


def _is_basic(index):
    items = index if isinstance(index, tuple) else (index,)
    return all(item is None or item is Ellipsis or isinstance(item, (slice, int, np.integer))
               for item in items)
