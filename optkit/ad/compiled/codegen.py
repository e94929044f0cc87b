"""Code generation: an optimised program becomes Python source whose lines call numpy
directly (no tracers, no dispatch, no tape), executed once into a ``Replay``. Chains of
elementwise operations become loops over cache-sized blocks (``regions``, ``blockcode``)."""

from __future__ import annotations

import builtins
import functools
import itertools
import math
import threading
from types import SimpleNamespace

import numpy as np

from ..core import FLOAT64
from ..rules.indexing import selects_each_once
from ..staging import Const, Var
from .affine import fold_affine
from .algebra import fold_products, merge_scatters, outer_matmuls
from .assemble import join_scatters
from .blockcode import region_lines
from .buffers import plan_buffers
from .inplace import IN_PLACE, in_place
from .outer import outer_products
from .passes import dce, elementwise, fold_and_cse, fold_negations, fuse_scatter_adds, use_counts
from .regions import BLOCK_SIZE, MIN_BLOCKS, Region, find_regions, may_block, reads_large_matrix

__all__ = ["codegen", "Replay", "clear_codes"]

_OPERATORS = {np.add: "{} + {}", np.subtract: "{} - {}", np.multiply: "{} * {}",
              np.true_divide: "{} / {}", np.negative: "-{}"}


# scatters below this size are written out (zeros, then a slice assignment); larger ones call
# the rule, which zeroes only the entries outside a slice (one pass over memory fewer)
_INLINE_SCATTER_MAX = 4096


class _Names:
    """The generated function's globals: each bound value under a fresh name."""

    def __init__(self):
        self.namespace = {"np_add_at": np.add.at, "np_add_reduce": np.add.reduce,
                          "np_zeros": np.zeros, "np_asarray": np.asarray}
        self._counter = itertools.count()
        self._arrays = {}  # float -> name of its 0-d array

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

    def array_const(self, value):
        """A float as a read-only 0-d float64 array: ``c * x`` for a float64 array ``x``
        gives the same bits and skips numpy's conversion of a Python scalar (~0.1 us a call,
        a quarter of a small array's product)."""
        name = self._arrays.get(value)
        if name is None:
            array = np.array(value, dtype=FLOAT64)
            array.flags.writeable = False
            name = self._arrays[value] = self.bind(array)
        return name


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
    """The line computing ``eqn``: into a work buffer, as an operator, or as a call (the
    reductions and small scatters written out, without the rule's Python wrapper)."""
    impl = eqn.prim.impl
    args = ", ".join(names.ref(v) for v in eqn.inputs)
    if buffer is not None:
        fname = names.bind(impl if not eqn.params else functools.partial(impl, **eqn.params))
        return f"    {out} = {fname}({args}, out=b{buffer})"
    if impl in _OPERATORS and not eqn.params:
        # operators take numpy's scalar fast path, which ufunc calls do not
        return f"    {out} = " + _OPERATORS[impl].format(*_operands(names, eqn))
    name = eqn.prim.name
    if name == "getitem":
        return f"    {out} = {names.ref(eqn.inputs[0])}[{names.bind(eqn.params['index'])}]"
    if name in ("reshape", "transpose") and isinstance(eqn.inputs[0], Var):
        x = eqn.inputs[0]
        # an array's own method: np.reshape's and np.transpose's Python wrappers cost 0.2
        # and 0.5 us a call, a quarter of a small product each (a value of at least one
        # dimension is an ndarray: the inputs are made arrays, numpy returns them; a 0-d
        # one may be a scalar, np.reshape's 0.9 us, np.asarray's 0.2 us)
        if name == "reshape":
            shape = tuple(eqn.params["shape"])
            if not x.shape:
                return f"    {out} = np_asarray(v{x.id}).reshape({shape!r})"
            return f"    {out} = v{x.id}.reshape({shape!r})"
        if len(x.shape) == 2 and eqn.params["axes"] in ((1, 0), None):
            return f"    {out} = v{x.id}.T"
    if name in ("sum", "mean"):  # rules.reductions' _sum and _mean, inlined
        p = eqn.params
        keep = ", None, None, True" if p["keepdims"] else ""
        line = f"    {out} = np_add_reduce({args}, {names.const(p['axis'])}{keep})"
        return line + (f" / {names.const(p['count'])}" if name == "mean" else "")
    if (name == "scatter_add" and selects_each_once(eqn.params["index"])
            and math.prod(eqn.params["shape"]) < _INLINE_SCATTER_MAX):
        # rules.indexing's _scattered for a small array: zeros, then g written at the index
        return (f"    {out} = np_zeros({eqn.params['shape']!r}, {names.bind(eqn.out.dtype)})\n"
                f"    {out}[{names.bind(eqn.params['index'])}] = {args}")
    fname = names.bind(impl if not eqn.params else functools.partial(impl, **eqn.params))
    return f"    {out} = {fname}({args})"


def _operands(names, eqn):
    """The operands' names; a float constant next to a float64 array is a 0-d array."""
    array_operand = all(isinstance(v, Const) or (v.dtype == FLOAT64 and v.shape)
                        for v in eqn.inputs)
    return [names.array_const(v.value)
            if array_operand and eqn.out.dtype == FLOAT64 and isinstance(v, Const)
            and type(v.value) is float else names.ref(v) for v in eqn.inputs]


def codegen(program, name, blocked="auto", block_size=BLOCK_SIZE, folded=False):
    """Optimise ``program`` and compile it to a ``Replay`` of a function called ``name``.

    ``blocked``: run chains of elementwise operations and slices over blocks of
    ``block_size`` elements (``regions``): True wherever possible, ``'auto'`` where a region
    spans at least ``regions.MIN_BLOCKS`` blocks, False never. ``folded``: ``program``'s
    equations and outputs are already ``fold_and_cse``'s (the sweep is idempotent, so it is
    not run again).
    """
    eqns, outputs = (program.eqns, program.outputs) if folded else fold_and_cse(program)
    swept = eqns
    rewritten = fold_affine(outer_matmuls(outer_products(eqns, outputs)), outputs)
    changed = _rewritten(eqns, rewritten)
    live = dce(rewritten, outputs)
    eqns = merge_scatters(fold_products(fold_negations(live, outputs), outputs), outputs)
    eqns = join_scatters(eqns, outputs)
    if changed or _rewritten(live, eqns):
        # the rewrites may make two equations equal (-(2 * -v) and 2 * v): a second CSE
        # sweep, needed only where they rewrote something, and there only for the
        # equations they made (with the others of their primitives)
        eqns, outputs = fold_and_cse(SimpleNamespace(eqns=eqns, outputs=outputs),
                                     swept={id(e) for e in swept})
    fused, skipped = fuse_scatter_adds(eqns, outputs)
    if not (may_block([*program.inputs, *(e.out for e in eqns)], blocked, block_size)
            or blocked == "auto" and reads_large_matrix(eqns)):
        schedule, notes = [k for k in range(len(eqns)) if k not in skipped], []
    else:
        schedule, notes = find_regions(eqns, fused, skipped, block_size,
                                       1 if blocked is True else MIN_BLOCKS)
    regions = [r for r in schedule if isinstance(r, Region)]
    # the unblocked equations in their new order (a fused scatter just before its add);
    # what a region reads is pinned: never in a work buffer another equation reuses
    plain, plain_fused, position = [], {}, {}
    for k in schedule:
        if isinstance(k, Region):
            continue
        if k in fused:
            plain.append(fused[k][1])
            plain_fused[len(plain)] = fused[k]
        position[k] = len(plain)
        plain.append(eqns[k])
    pinned = list(outputs) + [v for r in regions for v in r.reads.values()]
    plan, buffer_shapes = plan_buffers(plain, program.inputs, pinned, plain_fused)
    buffers = {f"b{i}": (shape, FLOAT64) for i, shape in buffer_shapes.items()}
    names = _Names()
    body = []
    direct = _direct_scatters(eqns, schedule, fused, outputs, plan, position)
    written = {position[k] for k in schedule if not isinstance(k, Region) and k not in fused
               and k not in direct and k not in direct.values() and position[k] not in plan}
    inplace = in_place(plain, program.inputs, pinned, set(range(len(plain))) - written,
                       plain_fused)
    for item in schedule:
        if isinstance(item, Region):
            live = _read_outside(item, eqns, fused, schedule, outputs)
            body.extend(region_lines(item, eqns, fused, live, names, buffers))
            continue
        eqn = eqns[item]
        out = f"v{eqn.out.id}"
        if item in fused:
            body.extend(_fused_lines(names, out, *fused[item]))
        elif item in direct:  # the scatter's zeros first, then g computed into its entries
            scatter = eqns[direct[item]]
            target, index = f"v{scatter.out.id}", names.bind(scatter.params["index"])
            body.append(f"    {target} = np_zeros({scatter.params['shape']!r}, "
                        f"{names.bind(scatter.out.dtype)})")
            body.append(f"    {out} = {names.bind(eqn.prim.impl)}("
                        f"{', '.join(_operands(names, eqn))}, out={target}[{index}])")
        elif position.get(item) in inplace:  # a temporary read for the last time
            i = inplace[position[item]]
            operands = _operands(names, eqn)
            body.append(f"    {operands[i]} {IN_PLACE[eqn.prim.impl]} {operands[1 - i]}")
            body.append(f"    {out} = {operands[i]}")
        elif item not in direct.values():
            body.append(_line(names, out, eqn, plan.get(position[item])))
    params = [f"v{v.id}" for v in program.inputs]
    if buffers:  # work buffers: keyword parameters, so a concurrent call can pass fresh ones
        params.append("*")
        params.extend(f"{b}=None" for b in buffers)
    rets = ", ".join(names.ref(v) for v in outputs)
    lines = [f"def {name}({', '.join(params)}):", *body, f"    return ({rets},)"]
    source = "\n".join(lines) + "\n"
    exec(_code(source, name), names.namespace)
    report = [f"region: {r.describe()}" for r in regions] + [f"unblocked: {n}" for n in notes]
    replay = Replay(names.namespace[name], source, len(eqns), buffers, report)
    replay.unblocked_ids = frozenset(eqns[k].out.id for k in schedule if not isinstance(k, Region)
                                     and eqns[k].prim.name != "getitem")
    return replay


# Python's compile() of the generated source is a sixth of a small program's build; a
# program built again (a new CompiledFunction of the same f: each solve of optkit.minimize
# or the SciPy adapter compiles its objective) has the same source, its constants bound by
# name in a namespace of its own, so the code object is kept by source text
_CODE_MAX_ENTRIES = 256
_CODE_MAX_CHARS = 1 << 16  # larger sources compile again (their staging dwarfs compile())
_codes = {}
_codes_lock = threading.Lock()


def _code(source, name):
    """``builtins.compile(source)``, kept for the next program with that source."""
    code = _codes.get(source)
    if code is None:
        code = builtins.compile(source, f"<optkit.compile {name}>", "exec")
        if len(source) <= _CODE_MAX_CHARS:
            with _codes_lock:
                if len(_codes) >= _CODE_MAX_ENTRIES:
                    del _codes[next(iter(_codes))]  # the oldest
                _codes[source] = code
    return code


def clear_codes():
    """Forget the kept code objects (``bench/build.py`` times a first build with it)."""
    with _codes_lock:
        _codes.clear()


def _rewritten(before, after):
    """True unless ``after`` holds the very equations of ``before``, in order."""
    return len(before) != len(after) or any(a is not b for a, b in zip(before, after,
                                                                        strict=True))


def _direct_scatters(eqns, schedule, fused, outputs, plan, position):
    """``{k: j}``: the small scatter ``j`` of ``g = eqns[k]`` into zeros gets ``g`` written
    straight into its entries (``ufunc(..., out=zeros[index])``): no temporary, no copy.
    Where ``g`` is an elementwise ufunc's float64 result without a work buffer, read by the
    scatter alone, at a basic index selecting each entry once with ``g``'s shape."""
    if not any(eqn.prim.name == "scatter_add" for eqn in eqns):
        return {}
    uses = use_counts(eqns, outputs)
    producer = {eqns[k].out.id: k for k in schedule if not isinstance(k, Region)}
    direct = {}
    for j in schedule:
        if isinstance(j, Region) or eqns[j].prim.name != "scatter_add":
            continue
        eqn, (g,) = eqns[j], eqns[j].inputs
        shape, index = eqn.params["shape"], eqn.params["index"]
        k = producer.get(g.id) if isinstance(g, Var) else None
        if (k is None or k in fused or uses[g.id] != 1 or not selects_each_once(index)
                or math.prod(shape) >= _INLINE_SCATTER_MAX or eqns[k].params
                or not elementwise(eqns[k].prim) or plan.get(position[k]) is not None
                or not g.dtype == eqn.out.dtype == FLOAT64):
            continue
        zeros = np.zeros(shape, bool)
        entries = zeros[index]  # a view (basic index), not a copy (mask) or an element
        if (type(entries) is np.ndarray and entries.base is zeros and entries.size
                and entries.shape == g.shape):
            direct[k] = j
    return direct


def _read_outside(region, eqns, fused, schedule, outputs):
    """Ids of the values that equations outside ``region`` (or the outputs) read."""
    inside = set(region.eqns)
    ids = {v.id for v in outputs if isinstance(v, Var)}
    for item in schedule:
        for k in (item.eqns if isinstance(item, Region) else [item]):
            if k in inside:
                continue
            if k in fused:
                acc, scatter = fused[k]
                ids.update(v.id for v in (acc, scatter.inputs[0]) if isinstance(v, Var))
            else:
                ids.update(v.id for v in eqns[k].inputs if isinstance(v, Var))
    return ids


class Replay:
    """A generated program with its work buffers, allocated on the first call.

    One call at a time uses the shared buffers; a concurrent call (another thread) gets
    private ones, so replays are thread-safe. ``blocking`` lists the blocked regions and,
    for each large result left unblocked, the reason (for debugging).
    """

    def __init__(self, fn, source, n_eqns, buffer_specs, blocking=()):
        self.fn = fn
        self.source = source
        self.n_eqns = n_eqns
        self.buffer_specs = buffer_specs  # parameter name -> (shape, dtype)
        self.blocking = list(blocking)
        self.unblocked_ids = frozenset()  # ids of the values computed outside blocked regions
        self.buffers = None
        self.lock = threading.Lock()

    def _fresh(self):
        return {name: np.empty(shape, dtype) for name, (shape, dtype) in self.buffer_specs.items()}

    def __call__(self, *args):
        if not self.buffer_specs:
            return self.fn(*args)
        if not self.lock.acquire(blocking=False):
            return self.fn(*args, **self._fresh())
        try:
            if self.buffers is None:
                self.buffers = self._fresh()
            return self.fn(*args, **self.buffers)
        finally:
            self.lock.release()
