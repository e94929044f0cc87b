"""``optkit.compile``: trace once per input signature, replay straight-line numpy code.

The first call at a given input shape and dtype stages the function (``staging.stage``);
derivative programs are staged on first use by running the eager transformations
(``value_and_grad``, ``hvp``) under the staging trace. Each program is optimised
(constant folding, common-subexpression elimination, dead-code elimination, buffer reuse
through ufuncs' ``out=``) and turned into Python source whose lines call numpy directly: no
tracers, no dispatch, no tape on later calls.

Soundness rules (a replay never differs from eager evaluation):
- a conversion of a traced value to a Python bool/int/float/array while staging marks the
  signature *dynamic*: it runs eagerly on every call, with a one-time ``CompileWarning``;
- the function is staged twice on its first call: if the two recordings differ in a constant
  (random numbers drawn inside the function, global state that changed), it is dynamic too;
- a new input shape or dtype is staged afresh; programs are cached per signature.
Like ``jax.jit``, a compiled function must not depend on global state that changes *between*
calls: values read from it are frozen into the program.
"""

from __future__ import annotations

import builtins
import functools
import itertools
import threading
import warnings

import numpy as np

from .api import _as_input, hvp, value_and_grad
from .core import Tracer, ufunc_primitives
from .rules.indexing import _is_basic as _basic_index
from .staging import Const, Var, stage

__all__ = ["compile", "CompiledFunction", "CompileWarning"]

_BUFFER_MIN_SIZE = 4096  # below this, numpy's own small-array cache is as fast as reuse


class CompileWarning(UserWarning):
    """A compiled function fell back to eager evaluation (the message says why)."""


# ---- program optimisation --------------------------------------------------------------------
def _key_of(x):
    if isinstance(x, Var):
        return ("v", x.id)
    v = x.value
    if isinstance(v, (int, float, bool, np.number)) or v is None:
        return ("c", type(v).__name__, v)
    return ("c", id(v))


def _freeze(v):
    """A hashable key for a parameter value; arrays by identity (never by truncated repr)."""
    if isinstance(v, np.ndarray):
        return ("array", id(v))
    if isinstance(v, slice):
        return ("slice", v.start, v.stop, v.step)
    if isinstance(v, (tuple, list)):
        return (type(v).__name__,) + tuple(_freeze(i) for i in v)
    try:
        hash(v)
    except TypeError:
        return ("id", id(v))
    return (type(v).__name__, v)


def _params_key(params):
    return tuple(sorted((k, _freeze(v)) for k, v in params.items()))


_SQUARE = ufunc_primitives[np.square]
_COMMUTATIVE = {np.add, np.multiply, np.maximum, np.minimum, np.hypot, np.logaddexp}


def _fold_and_cse(program):
    """Constant folding and common-subexpression elimination, in one forward sweep."""
    replace = {}  # var id -> Var or Const it is equal to
    seen = {}
    eqns = []
    for eqn in program.eqns:
        inputs = [replace.get(v.id, v) if isinstance(v, Var) else v for v in eqn.inputs]
        if (eqn.prim.name == "power" and isinstance(inputs[1], Const)
                and type(inputs[1].value) in (int, float) and inputs[1].value == 2):
            # x ** 2 is numpy's square (its own fast path): as a ufunc it can write out=
            eqn = type(eqn)(_SQUARE, inputs[:1], eqn.params, eqn.out)
            inputs = inputs[:1]
        if _elementwise(eqn.prim):
            inputs = _scalarize_uniform(inputs, eqn.out.shape)
            alias = _identity_operand(eqn.prim.impl, inputs, eqn.out.shape)
            if alias is not None:
                replace[eqn.out.id] = alias
                continue
        if all(isinstance(v, Const) for v in inputs):
            value = eqn.prim.impl(*(v.value for v in inputs), **eqn.params)
            replace[eqn.out.id] = Const(value)
            continue
        operands = tuple(_key_of(v) for v in inputs)
        if eqn.prim.impl in _COMMUTATIVE:  # a*b and b*a are one value
            operands = tuple(sorted(operands, key=repr))
        key = (id(eqn.prim), operands, _params_key(eqn.params))
        twin = seen.get(key)
        if twin is not None:
            replace[eqn.out.id] = twin
            continue
        seen[key] = eqn.out
        eqn = type(eqn)(eqn.prim, inputs, eqn.params, eqn.out)
        eqns.append(eqn)
    outputs = [replace.get(v.id, v) if isinstance(v, Var) else v for v in program.outputs]
    return eqns, outputs


def _elementwise(prim):
    """An elementwise ufunc (not a gufunc such as matmul): safe to scalarize and write out=."""
    impl = prim.impl
    return isinstance(impl, np.ufunc) and impl.signature is None


def _scalarize_uniform(inputs, out_shape):
    """A constant array of one repeated value becomes a scalar when the others fill the shape."""
    result = list(inputs)
    for i, v in enumerate(inputs):
        if isinstance(v, Const) and isinstance(v.value, np.ndarray) and v.value.size > 1:
            others = [np.shape(w.value) if isinstance(w, Const) else w.shape
                      for j, w in enumerate(inputs) if j != i]
            if np.broadcast_shapes(*others, ()) == out_shape:
                first = v.value.flat[0]
                if v.value.dtype.kind == "f" and np.all(v.value == first):
                    result[i] = Const(float(first))
    return result


def _identity_operand(ufunc, inputs, out_shape):
    """``x * 1``, ``1 * x``, ``x + 0``, ``0 + x``, ``x - 0``, ``x / 1``: the operand itself."""
    if len(inputs) != 2:
        return None
    a, b = inputs
    unit = {np.multiply: (1.0, 1.0), np.add: (0.0, 0.0), np.subtract: (None, 0.0),
            np.true_divide: (None, 1.0)}.get(ufunc)
    if unit is None:
        return None
    for const, other, neutral in ((a, b, unit[0]), (b, a, unit[1])):
        if (neutral is not None and isinstance(const, Const) and isinstance(other, Var)
                and isinstance(const.value, (int, float)) and const.value == neutral
                and other.shape == out_shape and other.dtype == np.float64):
            return other
    return None


def _dce(eqns, outputs):
    live = {v.id for v in outputs if isinstance(v, Var)}
    kept = []
    for eqn in reversed(eqns):
        if eqn.out.id in live:
            kept.append(eqn)
            live.update(v.id for v in eqn.inputs if isinstance(v, Var))
    kept.reverse()
    return kept


# ---- buffer reuse ----------------------------------------------------------------------------
_VIEW_PRIMS = {"getitem", "reshape", "transpose", "broadcast_to"}


def _plan_buffers(eqns, inputs, outputs, fused=()):
    """Give each large float ufunc output a work buffer, reusing buffers that are dead.

    Returns ``({equation index: buffer number}, {buffer number: shape})``. The buffers are
    allocated once per program and written with ``out=`` on every call, so a replay allocates
    only its outputs. Views (slices, reshapes) alias their base, so a buffer is free only after
    the last use of every variable aliasing it; a variable an output depends on for its memory
    (an output, or the base of an output view) never lives in a buffer.
    """
    base = {v.id: None for v in inputs}
    for k, eqn in enumerate(eqns):
        if k in fused:  # writes into its accumulator: an alias of it
            base[eqn.out.id] = base.get(fused[k][0].id)
        elif eqn.prim.name in _VIEW_PRIMS and isinstance(eqn.inputs[0], Var):
            base[eqn.out.id] = base.get(eqn.inputs[0].id)
        else:
            base[eqn.out.id] = eqn.out.id
    release_at = {}
    last_use = {}
    for k, eqn in enumerate(eqns):
        for v in eqn.inputs:
            if isinstance(v, Var) and base.get(v.id) is not None:
                last_use[base[v.id]] = k
    for b, k in last_use.items():
        release_at.setdefault(k, []).append(b)
    pinned = {base.get(v.id) for v in outputs if isinstance(v, Var)}
    free = {}      # shape -> buffer numbers free for reuse
    holder = {}    # variable id -> buffer number holding it
    plan, shapes = {}, {}
    for k, eqn in enumerate(eqns):
        out = eqn.out
        planned = (k not in fused and _elementwise(eqn.prim) and out.dtype == np.float64
                   and int(np.prod(out.shape)) >= _BUFFER_MIN_SIZE and out.id not in pinned)
        if planned:
            # an elementwise ufunc may write over an input it reads for the last time (numpy
            # handles overlapping operands): fewer buffers, a smaller working set in cache
            for b in release_at.pop(k, ()):
                if b in holder:
                    free.setdefault(shapes[holder[b]], []).append(holder[b])
            pool = free.get(out.shape)
            number = pool.pop() if pool else len(shapes)
            shapes[number] = out.shape
            plan[k] = holder[out.id] = number
        for b in release_at.get(k, ()):
            if b in holder:
                free.setdefault(shapes[holder[b]], []).append(holder[b])
    return plan, shapes


def _fuse_scatter_adds(eqns, outputs):
    """``add(acc, scatter_add(g, index))`` -> ``acc[index] += g`` when ``acc`` is a private array.

    The reverse pass of ``x[i]`` scatters its cotangent into a zero array the size of ``x``
    and adds it to the running sum; in a compiled program the running sum is a private
    buffer, so the cotangent is added in place: no zero array, no full-size addition.
    Returns ``{add index: (accumulator var, scatter eqn)}`` and the set of skipped eqns.
    """
    uses = {}
    for eqn in eqns:
        for v in eqn.inputs:
            if isinstance(v, Var):
                uses[v.id] = uses.get(v.id, 0) + 1
    for v in outputs:
        if isinstance(v, Var):
            uses[v.id] = uses.get(v.id, 0) + 2  # never private
    producer = {}
    private = set()  # var ids holding a fresh array nobody else refers to
    fused, skipped = {}, set()
    for k, eqn in enumerate(eqns):
        producer[eqn.out.id] = k
        name = eqn.prim.name
        if name == "scatter_add" or (_elementwise(eqn.prim)
                                     and eqn.out.dtype == np.float64 and eqn.out.shape):
            private.add(eqn.out.id)
        if name != "add" or len(eqn.inputs) != 2:
            continue
        for acc, sc in (eqn.inputs, eqn.inputs[::-1]):
            if not (isinstance(acc, Var) and isinstance(sc, Var)) or acc.id == sc.id:
                continue
            j = producer.get(sc.id)
            if j is None or eqns[j].prim.name != "scatter_add" or j in skipped:
                continue
            if (acc.id in private and uses.get(acc.id) == 1 and uses.get(sc.id) == 1
                    and acc.shape == eqn.out.shape and acc.dtype == np.float64
                    and isinstance(eqns[j].inputs[0], Var)):
                fused[k] = (acc, eqns[j])
                skipped.add(j)
                private.add(eqn.out.id)
                break
    return fused, skipped


_OPERATORS = {np.add: "{} + {}", np.subtract: "{} - {}", np.multiply: "{} * {}",
              np.true_divide: "{} / {}", np.negative: "-{}"}


# ---- code generation -------------------------------------------------------------------------
def _codegen(program, name):
    eqns, outputs = _fold_and_cse(program)
    eqns = _dce(eqns, outputs)
    fused, skipped = _fuse_scatter_adds(eqns, outputs)
    plan, buffer_shapes = _plan_buffers(eqns, program.inputs, outputs, fused)
    namespace = {"np_add_at": np.add.at}
    counter = itertools.count()

    def const(value):
        if type(value) in (int, float) and np.isfinite(value):
            return repr(value)
        return _bind(value)

    def _bind(value):
        key = f"c{next(counter)}"
        namespace[key] = value
        return key

    def ref(v):
        return f"v{v.id}" if isinstance(v, Var) else const(v.value)

    params = [f"v{v.id}" for v in program.inputs]
    if buffer_shapes:  # work buffers: keyword parameters, so a concurrent call can pass fresh ones
        params.append("*")
        params.extend(f"b{i}=None" for i in buffer_shapes)
    lines = [f"def {name}({', '.join(params)}):"]
    for k, eqn in enumerate(eqns):
        if k in skipped:
            continue
        out = f"v{eqn.out.id}"
        if k in fused:
            acc, scatter = fused[k]
            index = scatter.params["index"]
            g = ref(scatter.inputs[0])
            if _basic_index(index):
                lines.append(f"    v{acc.id}[{_bind(index)}] += {g}")
            else:
                lines.append(f"    np_add_at(v{acc.id}, {_bind(index)}, {g})")
            lines.append(f"    {out} = v{acc.id}")
            continue
        args = ", ".join(ref(v) for v in eqn.inputs)
        impl = eqn.prim.impl
        fname = _bind(impl if not eqn.params else functools.partial(impl, **eqn.params))
        if k in plan:
            lines.append(f"    {out} = {fname}({args}, out=b{plan[k]})")
        elif eqn.prim.impl in _OPERATORS and not eqn.params:
            # operators take numpy's scalar fast path, which ufunc calls do not
            lines.append(f"    {out} = " + _OPERATORS[eqn.prim.impl].format(
                *(ref(v) for v in eqn.inputs)))
        elif eqn.prim.name == "getitem":
            lines.append(f"    {out} = {ref(eqn.inputs[0])}[{_bind(eqn.params['index'])}]")
        else:
            lines.append(f"    {out} = {fname}({args})")
    rets = ", ".join(ref(v) for v in outputs)
    lines.append(f"    return ({rets},)")
    source = "\n".join(lines) + "\n"
    exec(builtins.compile(source, f"<optkit.compile {name}>", "exec"), namespace)
    return _Replay(namespace[name], source, len(eqns), buffer_shapes)


class _Replay:
    """A generated program with its work buffers, allocated on the first call.

    One call at a time uses the shared buffers; a concurrent call (another thread) gets
    private ones, so replays are thread-safe.
    """

    def __init__(self, fn, source, n_eqns, buffer_shapes):
        self.fn = fn
        self.source = source
        self.n_eqns = n_eqns
        self.buffer_shapes = buffer_shapes
        self.buffers = None
        self.lock = threading.Lock()

    def _fresh(self):
        return {f"b{i}": np.empty(shape) for i, shape in self.buffer_shapes.items()}

    def __call__(self, *args):
        if not self.buffer_shapes:
            return self.fn(*args)
        if not self.lock.acquire(blocking=False):
            return self.fn(*args, **self._fresh())
        try:
            if self.buffers is None:
                self.buffers = self._fresh()
            return self.fn(*args, **self.buffers)
        finally:
            self.lock.release()


# ---- the compiled function -------------------------------------------------------------------
def _signature(args):
    return tuple((np.shape(a), np.result_type(a).str) for a in args)


def _same_constants(p1, p2):
    if len(p1.eqns) != len(p2.eqns):
        return False
    for e1, e2 in zip(p1.eqns, p2.eqns, strict=True):
        if e1.prim is not e2.prim or len(e1.inputs) != len(e2.inputs):
            return False
        for a, b in zip(e1.inputs, e2.inputs, strict=True):
            if isinstance(a, Const) != isinstance(b, Const):
                return False
            if isinstance(a, Const) and a.value is not b.value:
                try:
                    if not np.array_equal(a.value, b.value):
                        return False
                except (TypeError, ValueError):
                    return False
    return True


class _Entry:
    """The programs of one input signature."""

    __slots__ = ("dynamic", "programs", "checked")

    def __init__(self):
        self.dynamic = None     # why this signature runs eagerly, or None
        self.programs = {}      # kind -> generated Python function
        self.checked = False    # two recordings of f were compared


class CompiledFunction:
    """The result of ``optkit.compile(f)``: call it like ``f``; differentiate it like ``f``.

    ``value_and_grad``, ``grad`` and ``hvp`` of a compiled function run compiled programs when
    given plain arrays; other transformations (or traced inputs) evaluate ``f`` eagerly.
    """

    _optkit_compiled = True

    def __init__(self, fun):
        self.fun = fun
        self._cache = {}
        self._warned = False
        functools.update_wrapper(self, fun)

    # -- program building --
    def _entry(self, args):
        sig = _signature(args)
        entry = self._cache.get(sig)
        if entry is None:
            entry = self._cache[sig] = _Entry()
        return entry

    def _program(self, kind, args):
        entry = self._entry(args)
        if entry.dynamic is not None:
            return None
        fn = entry.programs.get(kind)
        if fn is not None:
            return fn
        value_args = args if kind == "value" else args[:1]
        try:
            program, _ = stage(self._target(kind), args)
            if not entry.checked and program.dynamic_reason is None:
                # a second recording of f alone must agree: random numbers drawn inside f or
                # global state that changed would be frozen into the program otherwise
                first = program if kind == "value" else stage(self.fun, value_args)[0]
                again = stage(self.fun, value_args)[0]
                if not _same_constants(first, again):
                    entry.dynamic = ("two tracings disagree (random numbers or changing "
                                     "global state)")
                entry.checked = True
        except Exception as exc:  # eager evaluation will raise it again, or succeed
            entry.dynamic = f"an error while tracing ({type(exc).__name__}: {exc})"
        if entry.dynamic is None:
            entry.dynamic = program.dynamic_reason
        if entry.dynamic is not None:
            return None  # the caller runs eagerly, then warns (see _eager)
        fn = entry.programs[kind] = _codegen(program, kind)
        return fn

    def _target(self, kind):
        f = self.fun
        if kind == "value":
            return f
        if kind == "value_and_grad":
            return value_and_grad(f)
        if kind == "hvp":
            return lambda x, v: hvp(f, x, v)
        raise ValueError(kind)  # pragma: no cover

    def _eager(self, args, run):
        """``run()``, the eager evaluation of a dynamic signature, then the one-time warning.

        The warning comes after: when eager evaluation raises (the error tracing met, most
        often), the error is said once, by the exception alone."""
        out = run()
        self._warn(self._entry(args).dynamic)
        return out

    def _warn(self, reason):
        if not self._warned:
            self._warned = True
            warnings.warn(
                f"optkit.compile({getattr(self.fun, '__name__', 'f')}): running eagerly, "
                f"because tracing met {reason}",
                CompileWarning,
                stacklevel=4,
            )

    # -- calling --
    def __call__(self, *args, **kwargs):
        if kwargs or any(isinstance(a, Tracer) for a in args):
            return self.fun(*args, **kwargs)
        args = tuple(_as_input(a, f"argument {i}") for i, a in enumerate(args))
        fn = self._program("value", args)
        if fn is None:
            return self._eager(args, lambda: self.fun(*args))
        out = fn(*args)
        return out[0] if len(out) == 1 else out

    def value_and_grad(self, x):
        """``(f(x), grad f(x))`` from the compiled program (eager if dynamic)."""
        x = _as_input(x)
        fn = self._program("value_and_grad", (x,))
        if fn is None:
            return self._eager((x,), lambda: value_and_grad(self.fun)(x))
        value, g = fn(x)
        return _plain(value, None), _plain(g, x)

    def hvp(self, x, v):
        """Hessian-vector product from the compiled program (eager if dynamic)."""
        x = _as_input(x)
        v = _as_input(v, "v")
        fn = self._program("hvp", (x, v))
        if fn is None:
            return self._eager((x, v), lambda: hvp(self.fun, x, v))
        (out,) = fn(x, v)
        return _plain(out, x)

    def is_dynamic(self, *args):
        """The reason this signature runs eagerly, or None if it is compiled."""
        args = tuple(_as_input(a) for a in args)
        entry = self._cache.get(_signature(args))
        return None if entry is None else entry.dynamic


def _plain(value, like):
    if np.ndim(value) == 0 and (like is None or np.ndim(like) == 0):
        return float(value)
    return np.asarray(value, dtype=np.float64)


def compile(fun):  # noqa: A001 - the public name, as jax.jit is to JAX
    """Compile ``fun`` for repeated evaluation: trace once per input signature, replay fast.

    Returns a ``CompiledFunction``. ``optkit.value_and_grad``, ``optkit.grad`` and
    ``optkit.hvp`` of it replay compiled derivative programs.
    """
    if isinstance(fun, CompiledFunction):
        return fun
    if not callable(fun):
        raise TypeError(f"compile expects a callable, got {type(fun).__name__}")
    return CompiledFunction(fun)
