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

import struct
import weakref

import numpy as np

from .captured import Captured, InPlaceWriteError
from .core import FLOAT64, Trace, Tracer, check_complex, check_real_args, new_level, split_args
from .numpy_dispatch import tracer_pair

__all__ = ["Var", "Const", "Eqn", "Program", "StagedValues", "PointValues", "StagingTrace",
           "StagedTracer", "InPlaceWriteError", "stage", "WORTH_KEEPING"]


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
        self.stale = frozenset()  # ids of Vars whose staged value was not computed (``stage``)


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


# ``PointValues`` keys arrays up to this many bytes by their contents (the cotangents a
# reverse pass makes afresh, such as a mean's, are found again), larger ones by identity
_BY_CONTENT = 1 << 18


class PointValues:
    """Values computed while staging at one point, looked up by how they were computed, for
    a later staging at the same point (``optkit.compile``: the value and gradient at x, then
    the HVP program staged at x, whose f and gradient are that same work).

    A value's key is its computation: the primitive, its parameters and the keys of its
    arguments, down to the staged inputs (by position) and the constants (numbers and arrays
    up to 256 KiB by value, other objects by identity, held here so no id is reused). Unlike
    ``StagedValues`` (identity of argument objects) this finds the reverse pass's work too,
    whose cotangent arrays are made afresh by each pass. A staging given these values with
    ``reuse`` looks a value up before computing it, and every staging given them records its
    own (its variables' keys in ``keys``). Sound only when the inputs at the two stagings are
    the same bits (the caller checks) and the constants were not written in between (as
    everywhere in ``optkit.compile``: captured arrays are constants). Values are kept up to
    ``max_bytes`` in all and only where the arguments hold ``min_elements`` array elements.
    """

    __slots__ = ("_ids", "_values", "_held", "_room", "_min_elements", "keys", "_arrays")

    def __init__(self, max_bytes=1 << 24, min_elements=WORTH_KEEPING):
        self._ids = {}  # a computation (nested keys interned as ints) -> its int key
        self._values = {}  # int key -> value
        self._held = []  # constants keyed by identity
        self._room = max_bytes
        self._min_elements = min_elements
        self.keys = {}  # Var id -> int key, of the last staging given these values
        self._arrays = {}  # id of an array met -> (the array, its int key)

    def _intern(self, key):
        ids = self._ids
        found = ids.get(key)
        if found is None:
            found = ids[key] = len(ids)
        return found

    def input_key(self, position):
        return self._intern(("input", position))

    def _object_key(self, value):
        cls = value.__class__
        if cls is float:
            return ("float", struct.pack("d", value))  # -0.0 and 0.0 apart
        if cls is np.ndarray and value.nbytes <= _BY_CONTENT:  # a rule's fresh cotangent, too
            return ("array", value.dtype.str, value.shape, value.strides, value.tobytes())
        if isinstance(value, np.generic):
            return ("scalar", value.dtype.str, value.tobytes())
        if cls is int or cls is bool or cls is str or value is None:
            return (cls, value)
        if cls is tuple or cls is slice:  # an index: its parts' keys
            parts = value if cls is tuple else (value.start, value.stop, value.step)
            return (cls, *(self._intern(self._object_key(v)) for v in parts))
        self._held.append(value)
        return ("id", id(value))

    def eqn_key(self, prim, ins, params):
        """The int key of ``prim(*ins, **params)`` (``ins``: the equation's Var and Const),
        or None when an argument was computed by a staging not given these values."""
        keys = self.keys
        parts = []
        for a in ins:
            if a.__class__ is Var:
                k = keys.get(a.id)
                if k is None:
                    return None
                parts.append(k)
            elif a.value.__class__ is np.ndarray:  # a constant met again: its key by identity
                value = a.value
                met = self._arrays.get(id(value))
                if met is None or met[0] is not value:
                    met = self._arrays[id(value)] = (value, self._intern(self._object_key(value)))
                parts.append(met[1])
            else:
                parts.append(self._intern(self._object_key(a.value)))
        if params:
            parts.append(tuple((name, self._intern(self._object_key(v)))
                               for name, v in params.items()))
        return self._intern((prim, *parts))

    def find(self, key):
        return self._values.get(key)

    def keep(self, key, vals, ans):
        work = 0
        for v in vals:
            if type(v) is np.ndarray:
                work += v.size
        if work < self._min_elements:
            return
        size = getattr(ans, "nbytes", 0)
        if size <= self._room:
            self._room -= size
            self._values[key] = ans

    def value_of(self, var):
        """The value kept for ``var`` of the last staging given these values, or None."""
        key = self.keys.get(var.id) if isinstance(var, Var) else None
        return None if key is None else self._values.get(key)


def _reference(value):
    return weakref.ref(value) if type(value) is np.ndarray else value


def _referent(reference):
    return reference() if type(reference) is weakref.ref else reference


class StagingTrace(Trace):
    __slots__ = ("eqns", "dynamic_reason", "counter", "values", "reuse", "captured", "point",
                 "varying", "stale")

    def __init__(self):
        self.eqns = []
        self.dynamic_reason = None
        self.counter = 0
        self.captured = Captured()  # the arrays recorded by reference, read-only meanwhile
        self.values = None  # StagedValues that keeps what is computed, or None
        self.reuse = False  # look values up in ``values`` before computing them
        self.point = None  # PointValues: recorded, and looked up before computing
        # ``stage(..., defer=k)``: ids of the Vars that read an input from position k on, and
        # of those whose value was not computed (a matrix product's, and what reads one)
        self.varying = None
        self.stale = set()

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
        varying = self.varying
        if varying is not None and any(var.id in varying for _, var in carried):
            return self._deferred(prim, vals, ins, params, carried)
        ans = self.values.find(prim, vals, params) if self.reuse else None
        point = self.point
        key = None if point is None else point.eqn_key(prim, ins, params)
        if ans is None and key is not None:
            ans = point.find(key)
            if ans is not None and self.values is not None:
                self.values.keep(prim, vals, params, ans)  # for the check's recordings
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
            if key is not None:
                point.keep(key, vals, ans)
        if isinstance(ans, tuple):  # pragma: no cover - no primitive returns several outputs
            raise TypeError(f"primitive {prim.name} returned a tuple; cannot stage it")
        out = self.new_var(ans)
        if key is not None:
            point.keys[out.id] = key
        self.eqns.append(Eqn(prim, ins, params, out))
        return StagedTracer(self, ans, out)

    def _deferred(self, prim, vals, ins, params, carried):
        """``process`` for an equation that reads a deferred input: recorded as any other;
        a matrix product is not computed (a zero-filled stand-in of its shape and dtype, from
        numpy's own product over an empty shared axis) and what reads a stand-in is computed
        from it, its value stale. Stale values are neither kept nor looked up (``values``,
        ``point``); the caller must not use them (``Program.stale``)."""
        stale = self.stale
        if prim.impl is np.matmul and _contractible(vals):
            a, b = vals
            ans = np.matmul(a[..., :0] if a.ndim > 1 else a[:0],
                            b[..., :0, :] if b.ndim > 1 else b[:0], **params)
            is_stale = True
        else:
            is_stale = any(var.id in stale for _, var in carried)
            if is_stale:
                with np.errstate(all="ignore"):  # stand-in zeros: 0/0 where real values are not
                    ans = prim.impl(*vals, **params)
            else:
                ans = prim.impl(*vals, **params)
            if getattr(ans, "dtype", None) is not FLOAT64:
                check_complex(prim, ans)
            if prim.screened and not prim.nondiff:
                check_real_args(prim, vals)
        if isinstance(ans, tuple):  # pragma: no cover - no primitive returns several outputs
            raise TypeError(f"primitive {prim.name} returned a tuple; cannot stage it")
        out = self.new_var(ans)
        self.varying.add(out.id)
        if is_stale:
            stale.add(out.id)
        self.eqns.append(Eqn(prim, ins, params, out))
        return StagedTracer(self, ans, out)


def _contractible(vals):
    """True for a real floating-point matrix product of two arrays of one dimension or more
    (what the stand-in of ``StagingTrace._deferred`` reproduces exactly in shape and dtype)."""
    if len(vals) != 2:
        return False
    a, b = vals
    return (type(a) is np.ndarray and type(b) is np.ndarray and a.ndim >= 1 and b.ndim >= 1
            and a.dtype.kind == "f" and b.dtype.kind == "f")


def _flatten(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def stage(fn, example_args, *, values=None, reuse=False, point=None, defer=None):
    """Run ``fn(*example_args)`` under a staging trace; return ``(program, outputs)``.

    ``defer``: a position k; the matrix products that read an input from k on are recorded
    but not computed, and neither is what reads their results (zero stand-ins): the
    program is what it would be, but those values are stale (``program.stale``, their Var
    ids; empty if nothing was deferred) and an output among them must be computed by the
    program itself. Sound because a recording never depends on a traced value (reading one
    makes it dynamic, ``on_leak``). The HVP staged with f and g's work at hand
    (``PointValues``): its products with a matrix, the costly part, then run once, compiled.

    ``values``: a ``StagedValues`` that keeps the values computed; with ``reuse``, values it
    holds are looked up instead of computed (see ``StagedValues`` for when that is allowed).
    ``point``: a ``PointValues`` of an earlier staging at the same input bits: its values
    are looked up by computation, and this staging's are added (see ``PointValues``).

    Raises ``InPlaceWriteError`` (a ValueError) when ``fn`` modifies an array in place after
    a traced computation used it (``captured``); the arrays' flags are restored either way.
    """
    with new_level(StagingTrace) as trace:
        trace.values, trace.reuse = values, reuse and values is not None
        trace.point = point
        if point is not None:
            point.keys = {}
        tracers = []
        inputs = []
        if defer is not None:
            trace.varying = set()
        for position, a in enumerate(example_args):
            var = trace.new_var(a)
            if defer is not None and position >= defer:
                trace.varying.add(var.id)
            if point is not None:
                point.keys[var.id] = point.input_key(position)
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
    program = Program(inputs, trace.eqns, outs, trace.dynamic_reason)
    program.stale = trace.stale
    return program, out
