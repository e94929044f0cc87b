"""Primitives, tracers and trace levels: the kernel every AD mode stands on.

A *primitive* is a function optkit knows how to differentiate: a numpy implementation plus a
JVP rule and a VJP rule per argument (autograd's design; JAX's Autodidax for the levels).
A *tracer* stands in for an array while a derivative is being taken. Each transformation
(``jvp``, ``vjp``) opens a *trace* at a fresh level; ``bind`` hands a primitive call to the
trace of highest level among its arguments, which computes on the arguments' values one level
down. Nested derivatives stay apart because each level only unwraps its own tracers
(the "perturbation confusion" of Siskind & Pearlmutter 2005).

Rule signatures, for a primitive ``p(x0, x1, ..., **params)`` with output ``ans``:
  JVP rule of argument i:  ``jvp_i(t_i, ans, x0, x1, ..., **params)``  -> contribution to dp
  VJP rule of argument i:  ``vjp_i(g, ans, x0, x1, ..., **params)``    -> cotangent of x_i
Rules are written with ordinary numpy calls, so on tracer inputs they are themselves traced:
that is what makes forward-over-reverse (Hessian-vector products) work through every rule.
Broadcasting is undone once, in ``unbroadcast``; no rule does it itself.
"""

from __future__ import annotations

import math
import sys

import numpy as np

from . import views
from .errors import (
    ComplexValueError,
    EscapedTracerError,
    NotDifferentiableError,
    TracerConversionError,
    complex_error,
)

__all__ = [
    "Primitive",
    "Tracer",
    "Trace",
    "bind",
    "split_args",
    "primitive",
    "unbroadcast",
    "value_of",
    "concrete",
    "new_level",
    "NotDifferentiableError",
    "TracerConversionError",
    "EscapedTracerError",
    "ComplexValueError",
    "check_complex",
    "check_real_args",
    "is_complex",
    "dtype_of",
    "inexact",
    "COMPLEX128",
    "FLOAT64",
    "ZERO",
    "EXACT_REFCOUNTS",
]


def _escaped_error(prim):
    return EscapedTracerError(
        f"{prim.name}: this traced value belongs to an optkit transformation (grad, jvp, hvp, "
        "...) that has already returned; it was kept past its call, e.g. stored in a global, a "
        "list or an attribute inside the function being differentiated. Return what you need "
        "from the function instead."
    )


class _Zero:
    """Marker rule: this argument's derivative contribution is identically zero."""

    __slots__ = ()

    def __repr__(self):
        return "ZERO"


ZERO = _Zero()


class Primitive:
    """A differentiable operation: ``impl`` on plain arrays, one JVP and one VJP rule per argument.

    ``jvps``/``vjps`` are tuples indexed by argument position; an entry ``None`` means the
    argument is not differentiable (an index, a shape), ``ZERO`` that its derivative vanishes.
    A *linear* primitive's JVP is the primitive itself applied to the tangent.

    ``screened`` is True when the traces must look closer before differentiating a call:
    the primitive has no differentiable argument (``nondiff``) or real-only rules (not
    ``complex``, so ``check_real_args`` refuses a complex argument). It is kept in step with
    both flags, so that the traces' hot path reads one attribute for the two questions.
    """

    __slots__ = ("name", "impl", "jvps", "vjps", "linear", "derived_jvp", "_nondiff",
                 "accumulate", "_complex", "screened", "deferrable", "__weakref__")

    def __init__(self, name, impl, jvps, vjps, linear=False, accumulate=None, complex=None):
        self.name = name
        self._nondiff = False
        # its rules hold for complex values too (JAX's convention, see ``vspace``); a linear
        # primitive's do unless it says otherwise (its transpose has real coefficients)
        self.complex = linear if complex is None else complex
        self.impl = impl
        self.jvps = jvps
        self.vjps = vjps
        self.linear = linear
        # linear with no JVP rule of its own: the forward trace applies impl to the tangents
        self.derived_jvp = linear and all(r is ZERO or r is None for r in jvps)
        # optional fast path for a first-order backward pass: accumulate(buf, g, *args, **params)
        # adds the cotangent of argument 0 into ``buf`` in place (``buf`` None: allocate it)
        self.accumulate = accumulate
        # no differentiable argument at all (comparisons, sign, floor): the output is a constant
        self.nondiff = all(r is None for r in vjps) and all(r is None for r in jvps)
        # its JVP rules are pure functions of their inputs (optkit's own rules, see
        # ``primitive``): a JVP trace may run them later than the call (``Trace.defers``)
        self.deferrable = False

    @property
    def nondiff(self):
        return self._nondiff

    @nondiff.setter
    def nondiff(self, value):
        self._nondiff = bool(value)
        self.screened = self._nondiff or not self._complex

    @property
    def complex(self):
        return self._complex

    @complex.setter
    def complex(self, value):
        self._complex = bool(value)
        self.screened = self._nondiff or not self._complex

    def __call__(self, *args, **params):
        return bind(self, args, params)

    def __repr__(self):
        return f"<primitive {self.name}>"


def _as_rules(rules, name, kind):
    if rules is None:
        return ()
    if callable(rules) or rules is ZERO:
        return (rules,)
    if isinstance(rules, (tuple, list)):
        return tuple(rules)
    raise TypeError(f"primitive {name!r}: {kind} must be a callable or a tuple of callables")


def primitive(name, impl, jvp=None, vjp=None, *, linear=False, accumulate=None, complex=None):
    """Define a primitive: ``impl`` computes on plain arrays; ``jvp``/``vjp`` give its rules.

    ``jvp`` and ``vjp`` are a callable (one differentiable argument) or a tuple with one entry
    per positional argument. ``linear=True`` derives the JVP: ``jvp_i(t) = impl(..., t, ...)``;
    with ``jvp`` given too, those rules serve when some tangent is absent (no zeros are formed
    for it) and the primitive itself, applied to the tangents, when all are present.
    ``accumulate(buf, g, *args, **params)``, optional, is an in-place form of argument 0's VJP
    used when the cotangent is a plain array (it saves a full-size temporary for slicing).
    ``complex=True`` declares that the rules hold for complex values, with JAX's conventions
    (``vspace``); a complex result of any other primitive is refused, naming it. Linear
    primitives default to True.
    """
    vjps = _as_rules(vjp, name, "vjp")
    if linear and jvp is None:  # the JVP is the primitive itself, applied by the forward trace
        jvps = tuple(None if v is None else ZERO for v in vjps)
    else:
        jvps = _as_rules(jvp, name, "jvp")
    prim = Primitive(name, impl, jvps, vjps, linear, accumulate, complex)
    prim.deferrable = True
    return prim


# float64, the common traced dtype: the traces test each result's dtype against it by identity,
# a cheap fast path; any other dtype goes through check_complex
FLOAT64 = np.dtype(np.float64)
COMPLEX128 = np.dtype(np.complex128)


def _refcounts_are_exact():
    """True when ``sys.getrefcount`` counts an array's holders as CPython 3.11 to 3.13 does:
    every holder once, plus one for its own argument.

    The eager traces write into a temporary in place only when the count proves that nothing
    else holds it (``reverse`` and ``forward``). Where references may be borrowed without a
    count (Python 3.14's stack references) or the count is not stable (a free-threaded build),
    a count could miss a holder and an in-place write would change a user's array, so the
    traces then never write in place: slower, never wrong. Checked once, at import.
    """
    if sys.version_info >= (3, 14) or not getattr(sys, "_is_gil_enabled", lambda: True)():
        return False
    probe = np.empty(2)
    holder = [probe]
    return sys.getrefcount(probe) == 3 and len(holder) == 1


EXACT_REFCOUNTS = _refcounts_are_exact()


def dtype_of(x):
    """The dtype of a plain value (a Python float is float64, a Python complex complex128)."""
    dtype = getattr(x, "dtype", None)
    if dtype is not None:
        return dtype
    return COMPLEX128 if isinstance(x, complex) else FLOAT64


def inexact(x):
    """A plain constant (a list, a number, an array) as a float64 or complex128 array."""
    x = np.asarray(x)
    return x.astype(COMPLEX128 if x.dtype.kind == "c" else FLOAT64, copy=False)


def is_complex(x):
    """True if ``x`` (a plain value or a tracer at any level) holds complex numbers."""
    while isinstance(x, Tracer):
        x = x._a
    if isinstance(x, complex):
        return True
    return getattr(getattr(x, "dtype", None), "kind", "") == "c"


def check_complex(prim, ans):
    """Refuse a complex result of a primitive whose rules are real-only; return ``is_complex``.

    Every trace calls this on each result whose dtype is not exactly float64 (a cheap identity
    test on the hot path). A primitive declares complex rules with ``complex=True``; any other
    one is refused at its first complex result, naming it, rather than differentiated with a
    real formula that would be silently wrong.
    """
    if isinstance(ans, complex) or getattr(getattr(ans, "dtype", None), "kind", "") == "c":
        if not prim.complex:
            raise complex_error(prim.name)
        return True
    return False


def check_real_args(prim, values):
    """Refuse a complex argument of a primitive whose rules are real-only.

    The input-side twin of ``check_complex``: a real-only rule applied to a complex argument
    is wrong even when the result is real (a user's primitive of ``|z|^2``). A trace calls it
    for a ``screened`` call with a differentiable argument (a primitive without complex rules)
    once it holds a complex value (its ``complex`` flag, set by complex inputs and results), so
    real code pays nothing; a complex *constant* reaching such a primitive before any traced
    value is complex is not looked at (its result, if complex, still is by ``check_complex``).
    The staging trace (``optkit.compile``) checks every such call.
    """
    for v in values:
        if v.__class__ is float or getattr(v, "dtype", None) is FLOAT64:
            continue
        if is_complex(v):
            raise complex_error(prim.name)


# Filled by the rule modules: numpy ufunc -> primitive, numpy function -> implementation.
ufunc_primitives: dict = {}
function_impls: dict = {}
EMPTY: dict = {}


# --------------------------------------------------------------------------------------------
# Trace levels
# --------------------------------------------------------------------------------------------

_level = [0]


class Trace:
    """One active transformation. Subclasses implement ``process(prim, args, params)``."""

    __slots__ = ("level", "__weakref__")

    def process(self, prim, args, params):  # pragma: no cover - abstract
        raise NotImplementedError

    def on_leak(self, what):
        """A concrete value is being read out of one of this trace's tracers (see ``concrete``)."""

    def accumulate(self, prim, buf, owned, g, args, params):
        """Add the cotangent ``g`` of ``prim``'s argument 0, one of this trace's tracers, into
        ``buf`` in place with ``prim.accumulate``; return the new buffer, a tracer this trace
        owns, or None to leave it to the VJP rule and an addition (the default).

        The backward pass asks when a cotangent is traced (forward-over-reverse). ``buf`` is
        None, or the cotangent so far, which may be updated in place only if ``owned``.
        """
        return None

    def inplace(self, fn, g, ans, args, params):
        """Apply a VJP rule's in-place form ``fn`` (see ``reverse``) to ``g``, one of this
        trace's tracers that the backward pass owns; return the result or None to decline
        (the default: the pass then calls the rule itself)."""
        return None

    def owns(self, c):
        """True if ``c``, one of this trace's tracers fresh from a rule, holds arrays that no
        one else does (so that ``inplace`` may overwrite them). Default: never."""
        return False

    # True if ``process(prim, args, params, defer)`` takes a fourth argument: with it True,
    # the call is a higher level's computing its own value (a reverse trace recording), and
    # the trace may defer work that only its own later calls read (the JVP trace defers the
    # tangent, see ``forward.Deferred``)
    defers = False


class new_level:  # noqa: N801 - used as a context manager, reads as a function
    """``with new_level(TraceType) as trace``: a trace one level above every active one.

    The level is released on exit, normal or not (the class form of try/finally, cheaper to
    enter than a generator-based context manager on this hot path).
    """

    __slots__ = ("trace",)

    def __init__(self, trace_type, *args):
        self.trace = trace_type(*args)

    def __enter__(self):
        _level[0] += 1
        self.trace.level = _level[0]
        return self.trace

    def __exit__(self, *exc):
        _level[0] -= 1
        self.trace.level = -1  # closed: its tracers may no longer be used (see bind)
        return False


def bind(prim, args, params, value=False):
    """Apply ``prim`` to ``args``: the highest-level tracer's trace handles it, else ``impl``.

    ``value=True``: the caller is a higher level computing its value (see ``Trace.defers``).
    """
    top = None
    for a in args:
        if isinstance(a, Tracer):
            t = a._trace
            if top is None or t.level > top.level:
                top = t
            view = a._view
            if view is not None:  # a view, or an array that has views (rare): still valid?
                # views.check's test, inlined: owners of views are common (x[1:] - x[:-1])
                cell = view[0] if view.__class__ is tuple else view
                if cell[1] is not None or (cell is not view and cell[0] != view[1]):
                    views.check(view)
    if top is None:
        return prim.impl(*args, **params)
    if top.level < 0:  # every tracer here outlived its trace
        raise _escaped_error(prim)
    if value and top.defers:
        return top.process(prim, args, params, True)
    return top.process(prim, args, params)


def split_args(trace, args, captured=None):
    """Split a primitive call's arguments for ``trace.process``: ``(values, carried, lower)``.

    ``values`` are the arguments with ``trace``'s own tracers replaced by their values one
    level down; ``carried`` lists ``(position, tracer._b)`` for those tracers (a tangent, a tape
    node, a program variable); ``lower`` is True when some argument is still traced by an
    enclosing level, which must then compute the value (``bind`` on ``values``).

    ``captured``: a ``captured.Captured`` that holds the plain arrays among the arguments
    (the reverse trace's, for the arrays its tape keeps), in the same pass.
    """
    values = list(args)
    carried = []
    lower = False
    i = 0  # counted by hand: cheaper than enumerate on this hot path
    for a in args:
        if isinstance(a, Tracer):
            if a._trace is trace:
                values[i] = v = a._a
                carried.append((i, a._b))
                if isinstance(v, Tracer):
                    lower = True
            else:
                lower = True
        elif captured is not None and isinstance(a, np.ndarray) and id(a) not in captured._held:
            captured.hold(a)
        i += 1
    return values, carried, lower


def value_of(x):
    """The plain numpy value under any number of tracer levels (for shapes and dtypes)."""
    while isinstance(x, Tracer):
        x = x._a
    return x


def concrete(x, what):
    """Like ``value_of``, for a *value* that leaves the traced world (an argmax, a mask).

    Each trace is told, so that a staged (compiled) program knows it depends on the value.
    """
    while isinstance(x, Tracer):
        x._trace.on_leak(what)
        x = x._a
    return x


_GEMV_MIN_SIZE = 2048  # below this, numpy's reduction costs no more than the BLAS call
_BLAS_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))  # gemv's real dtypes


def unbroadcast(g, shape):
    """Sum ``g`` over the axes that broadcasting added or stretched, giving ``shape``."""
    gshape = getattr(g, "shape", ())
    if gshape == shape:
        return g
    # ndarray.sum and the tracers' .sum skip numpy's Python-level np.sum wrapper
    extra = len(gshape) - len(shape)
    if extra:
        if (type(g) is np.ndarray and len(gshape) > extra and g.size >= _GEMV_MIN_SIZE
                and g.dtype in _BLAS_DTYPES and g.flags.c_contiguous):
            # summing the leading axes away (a bias's gradient) as ones @ g: BLAS's gemv is
            # about 3x faster than numpy's reduction over the outer axis of a C-ordered array,
            # which adds row after row just as gemv does (a sum down to a scalar keeps numpy's
            # more accurate pairwise summation)
            rows = math.prod(gshape[:extra])
            g = np.dot(np.ones(rows, g.dtype), g.reshape(rows, -1)).reshape(gshape[extra:])
        else:
            g = g.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g


class Tracer:
    """Base class of traced values: ``_trace`` owns it, ``_a`` is the value one level down.

    Every subclass shares this slot layout (``_b`` is mode-specific), so that item assignment
    can re-point a tracer at a new value, even one of another level. The numpy protocols
    live in ``numpy_dispatch.ArrayTracer``, view tracking in ``views``.
    """

    # _view: None, or an owner cell, or a view's (owner cell, version); see ``views``
    __slots__ = ("_trace", "_a", "_b", "_view")

    def __repr__(self):
        return f"{type(self).__name__}(level={self._trace.level}, value={value_of(self)!r})"
