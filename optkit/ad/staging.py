"""Staging: run a function once on real values and record every primitive call as a program.

The staging trace is the outermost level while a function is compiled; forward and reverse
traces opened inside it (``value_and_grad``, ``hvp``) record their own work through it, so the
recorded program is the whole straight-line computation: value, gradient or HVP.

A staged tracer carries a concrete value, so user code runs exactly as it does eagerly. Anything
that turns a traced value into a Python value (``bool``, ``float``, ``int``, an index,
``np.asarray``) would bake that value into the program, so it marks the trace *dynamic*
instead: such a function is then run eagerly on every call (``jax.jit`` refuses these; optkit
falls back).

The arrays a recording captures (constants, index arrays) are held by reference and read-only
until it ends (``captured``): f writing into one after a traced computation used it raises
``InPlaceWriteError`` instead of leaving the mutated values in the program.
"""

from __future__ import annotations

import weakref

import numpy as np

from .captured import Captured, InPlaceWriteError
from .core import FLOAT64, Trace, Tracer, check_complex, check_real_args, new_level, split_args
from .numpy_dispatch import tracer_pair

__all__ = ["Var", "Const", "Eqn", "Program", "StagedValues", "StagingTrace", "StagedTracer",
           "InPlaceWriteError", "stage", "WORTH_KEEPING"]


class Var:
    """A value computed inside the program."""

    __slots__ = ("id", "shape", "dtype")

    def __init__(self, id, value):
        self.id = id
        self.shape = getattr(value, "shape", ())
        dtype = getattr(value, "dtype", None)
        self.dtype = dtype if dtype is not None else np.result_type(value)

    def __repr__(self):
        return f"v{self.id}"


class Const:
    """A value from outside: closed-over data, a Python number, a seed cotangent."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __repr__(self):
        return f"Const({self.value!r})"


class Eqn:
    """``out = prim(*inputs, **params)``."""

    __slots__ = ("prim", "inputs", "params", "out")

    def __init__(self, prim, inputs, params, out):
        self.prim = prim
        self.inputs = inputs
        self.params = params
        self.out = out


class Program:
    """A recorded straight-line program: ``outputs = eqns(inputs)``."""

    def __init__(self, inputs, eqns, outputs, dynamic_reason):
        self.inputs = inputs
        self.eqns = eqns
        self.outputs = outputs          # Var or Const per output
        self.dynamic_reason = dynamic_reason


class _ValueDependentConversions:
    """Conversions to Python values still work on a staged tracer, but make the program
    value-dependent (the trace is told, see ``StagingTrace.on_leak``)."""

    __slots__ = ()

    def __bool__(self):
        self._trace.on_leak("bool() of a traced value (value-dependent control flow)")
        return bool(self._a)

    def __float__(self):
        self._trace.on_leak("float() of a traced value")
        return float(self._a)

    def __int__(self):
        self._trace.on_leak("int() of a traced value")
        return int(self._a)

    def __index__(self):
        self._trace.on_leak("a traced value used as an index")
        return int(self._a)

    def __array__(self, dtype=None, copy=None):
        self._trace.on_leak("np.asarray()/np.array() of a traced value")
        return np.asarray(self._a, dtype=dtype)

    def tolist(self):
        self._trace.on_leak(".tolist() of a traced value")
        return np.asarray(self._a).tolist()

    def item(self, *args):
        self._trace.on_leak(".item() of a traced value")
        return np.asarray(self._a).item(*args)


StagedTracer, StagedTracerArray = tracer_pair(
    "StagedTracer", """``_a`` is the concrete value, ``_b`` the program variable holding it.""",
    __name__, _ValueDependentConversions)


# ``StagedValues(min_elements=WORTH_KEEPING)`` keeps a value only where its arguments hold
# this many array elements in all: below, a numpy call costs about what keeping its value
# does (a weak reference per argument, a dict entry, memory numpy would have reused).
# Measured on the build of a compiled HVP, thread CPU: chained Rosenbrock n = 1e3 1.28 ms
# keeping every value, 1.06 keeping none; logistic regression 20000 x 200 6.7 ms keeping
# every value, 9.4 keeping none (its products with the matrix are kept at this threshold).
WORTH_KEEPING = 4096


class StagedValues:
    """Values computed while staging, for recordings made right after (``optkit.compile``'s
    check records f twice more after staging a program that contains f's work).

    A primitive applied to the very same argument objects (identity: arrays are held by weak
    reference, so an id reused by a new array is told apart; other arguments, numbers, are
    held) with equal parameters gives the value it gave before, so a recording that
    ``reuse``s looks it up instead of computing it. Such a recording must keep its values to
    itself (the check compares equations and constants only): an argument written in place
    between the two calls would make a looked-up value stale. Values are kept up to
    ``max_bytes`` in all, and only those of primitives whose array arguments hold at least
    ``min_elements`` elements in all (see ``WORTH_KEEPING``); others are computed again.
    """

    __slots__ = ("_memo", "_room", "_min_elements")

    def __init__(self, max_bytes=1 << 24, min_elements=0):
        self._memo = {}
        self._room = max_bytes
        self._min_elements = min_elements

    def keep(self, prim, vals, params, ans):
        if self._min_elements:
            work = 0
            for v in vals:
                if type(v) is np.ndarray:
                    work += v.size
            if work < self._min_elements:
                return  # computing it again costs about what keeping it does
        size = getattr(ans, "nbytes", 0)
        if size <= self._room:
            self._room -= size
            self._memo[(prim, *map(id, vals))] = (tuple(map(_reference, vals)), params, ans)

    def find(self, prim, vals, params):
        """The value kept for ``prim(*vals, **params)``, or None."""
        hit = self._memo.get((prim, *map(id, vals)))
        if hit is None or not all(_referent(r) is v for r, v in zip(hit[0], vals, strict=True)):
            return None
        if hit[1] is not params:
            try:
                if not bool(hit[1] == params):
                    return None
            except (TypeError, ValueError):  # parameters holding arrays: not compared
                return None
        return hit[2]


def _reference(value):
    return weakref.ref(value) if type(value) is np.ndarray else value


def _referent(reference):
    return reference() if type(reference) is weakref.ref else reference


class StagingTrace(Trace):
    __slots__ = ("eqns", "dynamic_reason", "counter", "values", "reuse", "captured")

    def __init__(self):
        self.eqns = []
        self.dynamic_reason = None
        self.counter = 0
        self.captured = Captured()  # the arrays recorded by reference, read-only meanwhile
        self.values = None  # StagedValues that keeps what is computed, or None
        self.reuse = False  # look values up in ``values`` before computing them

    def on_leak(self, what):
        if self.dynamic_reason is None:
            self.dynamic_reason = what

    def new_var(self, value):
        self.counter += 1
        return Var(self.counter, value)

    def process(self, prim, args, params):
        # staging is the outermost level: every tracer here is one of ours
        # the plain arrays among the arguments are captured in the same pass
        vals, carried, _ = split_args(self, args, self.captured)
        ins = [Const(a) for a in args]
        for i, var in carried:
            ins[i] = var
        if params:
            self.captured.hold_all(params)
        ans = self.values.find(prim, vals, params) if self.reuse else None
        if ans is None:
            ans = prim.impl(*vals, **params)
            # a complex value from or to a primitive with real-only rules is refused as in
            # eager differentiation: such a function runs eagerly instead (and raises there)
            if getattr(ans, "dtype", None) is not FLOAT64:
                check_complex(prim, ans)
            if prim.screened and not prim.nondiff:
                check_real_args(prim, vals)
            if self.values is not None:
                self.values.keep(prim, vals, params, ans)
        if isinstance(ans, tuple):  # pragma: no cover - no primitive returns several outputs
            raise TypeError(f"primitive {prim.name} returned a tuple; cannot stage it")
        out = self.new_var(ans)
        self.eqns.append(Eqn(prim, ins, params, out))
        return StagedTracer(self, ans, out)


def _flatten(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def stage(fn, example_args, *, values=None, reuse=False):
    """Run ``fn(*example_args)`` under a staging trace; return ``(program, outputs)``.

    ``values``: a ``StagedValues`` that keeps the values computed; with ``reuse``, values it
    holds are looked up instead of computed (see ``StagedValues`` for when that is allowed).

    Raises ``InPlaceWriteError`` (a ValueError) when ``fn`` modifies an array in place after
    a traced computation used it (``captured``); the arrays' flags are restored either way.
    """
    with new_level(StagingTrace) as trace:
        trace.values, trace.reuse = values, reuse and values is not None
        tracers = []
        inputs = []
        for a in example_args:
            var = trace.new_var(a)
            inputs.append(var)
            tracers.append(StagedTracer(trace, a, var))
        try:
            out = fn(*tracers)
        except BaseException as exc:
            explained = trace.captured.explain(exc)  # before the flags are released
            trace.captured.release(check=False)
            if explained is not None:
                raise explained from exc
            raise
        trace.captured.release()
    outs = []
    values = []
    for o in _flatten(out):
        if isinstance(o, StagedTracer) and o._trace is trace:
            outs.append(o._b)
            values.append(o._a)
        elif isinstance(o, Tracer):
            raise TypeError("a compiled function returned a tracer of another transformation")
        else:
            outs.append(Const(o))
            values.append(o)
    return Program(inputs, trace.eqns, outs, trace.dynamic_reason), out
