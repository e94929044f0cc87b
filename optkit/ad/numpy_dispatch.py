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

from . import views
from .core import (
    EMPTY,
    Tracer,
    bind,
    function_impls,
    ufunc_primitives,
    value_of,
)
from .equivalents import conversion_hint
from .errors import NotDifferentiableError, conversion_error
from .ndarray_methods import ArrayMethods, NdarrayMethods, UnsupportedMethodError
from .rules.indexing import getitem

__all__ = ["ArrayTracer", "ScalarTracer", "tracer_pair", "UnsupportedMethodError",
           "no_rule_error"]

# fmax and fmin skip a NaN, so their reductions are nanmax and nanmin (np.max would give NaN)
_REDUCE = {np.add: np.sum, np.multiply: np.prod, np.maximum: np.max, np.minimum: np.min,
           np.fmax: np.nanmax, np.fmin: np.nanmin}
_ACCUMULATE = {np.add: np.cumsum, np.multiply: np.cumprod}


def no_rule_error(name):
    return NotDifferentiableError(
        f"optkit has no derivative rule for {name}, which was called on a traced value. "
        "Register one with @optkit.custom_primitive (value, JVP and VJP rules), or pass a "
        "hand-written derivative (jac=...) instead of differentiating through it."
    )


def _refuse(what, hint):
    raise conversion_error(what, hint)


def _ufunc_name(ufunc):
    """``numpy.sin``, ``scipy.special.jv``: where the user found the ufunc."""
    name = ufunc.__name__
    if getattr(np, name, None) is ufunc:
        return f"numpy.{name}"
    special = sys.modules.get("scipy.special")
    if special is not None and getattr(special, name, None) is ufunc:
        return f"scipy.special.{name}"
    return f"the ufunc {name}"


class ScalarTracer(NdarrayMethods, Tracer):
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
        if func in views.VIEW_FUNCTIONS and args and isinstance(args[0], Tracer):
            # the split functions return a list: every piece is a view
            for piece in out if type(out) is list else (out,):
                if isinstance(piece, Tracer):
                    views.mark_view(piece, args[0])
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
            "Library code that converts its input with np.asarray cannot be traced: "
            "optkit.special, optkit.stats, optkit.linalg and optkit.signal have "
            "differentiable equivalents of such scipy functions (same arguments); "
            "instead of plain_array.dot(x) write plain_array @ x." + conversion_hint(),
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

    # copy.copy/copy.deepcopy: a new traced value, as np.copy (item assignment into the copy
    # must not reach the original)
    def __copy__(self):
        return np.copy(self)

    def __deepcopy__(self, memo):
        return np.copy(self)

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
        views.before_write(self, new)
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


class ArrayTracer(ArrayMethods, ScalarTracer):
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
            views.mark_view(out, self)
            return out
        elif type(index) is tuple and all(type(i) is slice or type(i) is int for i in index):
            out = bind(getitem, (self,), {"index": index})  # x[:, 0]: nothing to check either
        else:
            out = function_impls[operator.getitem](self, index)
            if not _is_basic(index):
                return out  # advanced indexing copies, as in numpy
        if isinstance(out, ArrayTracer):  # a view unless it selected one element
            views.mark_view(out, self)
        return out

    def __setitem__(self, index, value):
        views.before_write(self, value)
        self._repoint(function_impls[operator.setitem](self, index, value))

    def _repoint(self, new):
        # numpy writes in place: re-point this tracer at the new value (same slot layout in
        # every subclass), so that every name bound to it sees the change
        self.__class__ = type(new)
        self._trace, self._a, self._b = new._trace, new._a, new._b

    def _overwrite(self, new):
        """An in-place method: this array becomes ``new`` (a traced value of its shape)."""
        views.before_write(self, new)
        self._repoint(new)


def tracer_pair(name, doc, module, mixin=None):
    """The two tracer classes of one trace: ``name`` (0-d values) and ``name + "Array"``.

    ``Cls(trace, a, b)`` makes a tracer whose value one level down is ``a`` and whose
    mode-specific slot ``_b`` is ``b`` (a tangent, a tape node, a program variable); it is an
    instance of the array class when ``a`` has at least one dimension, since arrays get the
    sequence protocol (indexing, ``len``) and 0-d values must not have it. ``mixin``, a class
    with empty ``__slots__``, overrides methods of both (the staging trace's conversions);
    ``module`` is the caller's ``__name__``, where the classes say they live.
    """

    def __new__(cls, trace, a, b):
        if cls is scalar and getattr(a, "ndim", 0):
            cls = array
        return object.__new__(cls)

    def __init__(self, trace, a, b):
        self._trace = trace
        self._a = a
        self._b = b
        self._view = None

    namespace = {"__slots__": (), "__doc__": doc, "__module__": module, "__new__": __new__,
                 "__init__": __init__}
    bases = (ScalarTracer,) if mixin is None else (mixin, ScalarTracer)
    scalar = type(name, bases, namespace)
    array = type(name + "Array", (scalar, ArrayTracer), {
        "__slots__": (), "__module__": module,
        "__doc__": f"A {name} of an array with at least one dimension."})
    return scalar, array


def _is_basic(index):
    items = index if isinstance(index, tuple) else (index,)
    return all(item is None or item is Ellipsis or isinstance(item, (slice, int, np.integer))
               for item in items)
