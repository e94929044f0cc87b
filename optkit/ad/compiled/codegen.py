"""Code generation: an optimised program becomes Python source whose lines call numpy
directly (no tracers, no dispatch, no tape), executed once into a ``Replay``."""

from __future__ import annotations

import builtins
import functools
import itertools
import threading

import numpy as np

from ..rules.indexing import selects_each_once
from ..staging import Var
from .buffers import plan_buffers
from .passes import dce, fold_and_cse, fuse_scatter_adds

__all__ = ["codegen", "Replay"]

_OPERATORS = {np.add: "{} + {}", np.subtract: "{} - {}", np.multiply: "{} * {}",
              np.true_divide: "{} / {}", np.negative: "-{}"}


class _Names:
    """The generated function's globals: each bound value under a fresh name."""

    def __init__(self):
        self.namespace = {"np_add_at": np.add.at}
        self._counter = itertools.count()

    def bind(self, value):
        key = f"c{next(self._counter)}"
        self.namespace[key] = value
        return key

    def const(self, value):
        if type(value) in (int, float) and np.isfinite(value):
            return repr(value)
        return self.bind(value)

    def ref(self, v):
        return f"v{v.id}" if isinstance(v, Var) else self.const(v.value)


def _fused_lines(names, out, acc, scatter):
    """``acc[index] += g`` (``np.add.at`` when the index may repeat), then ``out = acc``."""
    index = names.bind(scatter.params["index"])
    g = names.ref(scatter.inputs[0])
    if selects_each_once(scatter.params["index"]):
        first = f"    v{acc.id}[{index}] += {g}"
    else:
        first = f"    np_add_at(v{acc.id}, {index}, {g})"
    return [first, f"    {out} = v{acc.id}"]


def _line(names, out, eqn, buffer):
    """The one line computing ``eqn``: into a work buffer, as an operator, or as a call."""
    impl = eqn.prim.impl
    args = ", ".join(names.ref(v) for v in eqn.inputs)
    fname = names.bind(impl if not eqn.params else functools.partial(impl, **eqn.params))
    if buffer is not None:
        return f"    {out} = {fname}({args}, out=b{buffer})"
    if impl in _OPERATORS and not eqn.params:
        # operators take numpy's scalar fast path, which ufunc calls do not
        return f"    {out} = " + _OPERATORS[impl].format(*(names.ref(v) for v in eqn.inputs))
    if eqn.prim.name == "getitem":
        return f"    {out} = {names.ref(eqn.inputs[0])}[{names.bind(eqn.params['index'])}]"
    return f"    {out} = {fname}({args})"


def codegen(program, name):
    """Optimise ``program`` and compile it to a ``Replay`` of a function called ``name``."""
    eqns, outputs = fold_and_cse(program)
    eqns = dce(eqns, outputs)
    fused, skipped = fuse_scatter_adds(eqns, outputs)
    plan, buffer_shapes = plan_buffers(eqns, program.inputs, outputs, fused)
    names = _Names()
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
            lines.extend(_fused_lines(names, out, *fused[k]))
        else:
            lines.append(_line(names, out, eqn, plan.get(k)))
    rets = ", ".join(names.ref(v) for v in outputs)
    lines.append(f"    return ({rets},)")
    source = "\n".join(lines) + "\n"
    exec(builtins.compile(source, f"<optkit.compile {name}>", "exec"), names.namespace)
    return Replay(names.namespace[name], source, len(eqns), buffer_shapes)


class Replay:
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
