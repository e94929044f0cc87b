"""Code generation for a blocked region (``regions``): one Python loop over blocks of rows.

Inside the loop each region value is the block ``[lo, hi)`` of its rows, held in a work
buffer of one block (reused once the value is dead, as ``buffers`` does for whole arrays); a
value read after the region is written straight into its full-size array instead, through
``out=`` on the block's view. Slices of outside arrays are views of the matching rows, sums
accumulate one partial sum per block, and scatters add into a zero array allocated before
the loop. The last block may be shorter: the block buffers are cut to its length.
"""

from __future__ import annotations

import functools

import numpy as np

from ..staging import Var
from .regions import leading_slice

__all__ = ["region_lines"]

_IND = "        "  # the loop body's indentation


def region_lines(region, eqns, fused, live_after, names, buffers):
    """The source lines running ``region``; block buffers are added to ``buffers``
    (``{parameter name: (shape, dtype)}``). ``live_after``: ids of values read after it."""
    emit = _Emitter(region, eqns, fused, live_after, names, buffers)
    return emit.run()


class _Emitter:
    def __init__(self, region, eqns, fused, live_after, names, buffers):
        self.region = region
        self.eqns = eqns
        self.fused = fused
        self.live_after = live_after
        self.names = names
        self.buffers = buffers
        self.own = []           # this region's block buffer names
        self.free = {}          # (row shape, dtype) -> free buffer names
        self.holder = {}        # var id -> block buffer name holding it
        self.rows_of = {}       # outside value key -> local name of its rows
        self.target = {}        # sink var id -> name of the array written
        self.views = {}         # (array written, block index) -> local name of its view
        self.before, self.body, self.after = [], [], []

    # -- operands --
    def _rows(self, v):
        """The name of ``v``'s rows ``[lo, hi)`` in this block."""
        if isinstance(v, Var) and v.id in self.region.rowwise:
            return f"v{v.id}"
        key = ("v", v.id) if isinstance(v, Var) else ("c", id(v.value))
        name = self.rows_of.get(key)
        if name is None:
            name = self.rows_of[key] = f"x{len(self.rows_of)}_"
            self.body.append(f"{_IND}{name} = {self.names.ref(v)}[lo:hi]")
        return name

    def _operand(self, v, out_ndim):
        shape = v.shape if isinstance(v, Var) else np.shape(v.value)
        if len(shape) < out_ndim or (shape and shape[0] == 1):
            return self.names.ref(v)  # broadcast along the rows: read whole
        return self._rows(v)

    def _block_index(self, index, shape):
        start, step, rest = leading_slice(index, shape)
        if step == 1:
            first = f"lo + {start}:hi + {start}" if start else "lo:hi"
        else:
            plus = f" + {start}" if start else ""
            first = f"lo * {step}{plus}:hi * {step}{plus}:{step}"
        return ", ".join([first] + [self.names.const(i) if type(i) is int else self.names.bind(i)
                                    for i in rest])

    # -- block buffers --
    def _buffer(self, v):
        key = (tuple(v.shape[1:]), v.dtype)
        pool = self.free.get(key)
        if pool:
            name = pool.pop()
        else:
            name = f"r{len(self.buffers)}"
            self.buffers[name] = ((self.region.rows, *v.shape[1:]), v.dtype)
            self.own.append(name)
        self.holder[v.id] = name
        return name

    def _release(self, ids):
        for i in ids:
            name = self.holder.pop(i, None)
            if name is not None:
                shape, dtype = self.buffers[name]
                self.free.setdefault((tuple(shape[1:]), dtype), []).append(name)

    # -- equations --
    def run(self):
        region, eqns = self.region, self.eqns
        last = {}
        for pos, k in enumerate(region.eqns):
            for v in self._reads(k):
                last[v.id] = pos
        ends = {}
        for i, pos in last.items():
            ends.setdefault(pos, []).append(i)
        for pos, k in enumerate(region.eqns):
            role = region.roles[k]
            eqn = eqns[k]
            if role == "map":
                self._map(eqn, ends.get(pos, ()))
            elif role == "slice":
                src = eqn.inputs[0]
                index = self._block_index(eqn.params["index"], src.shape if isinstance(src, Var)
                                          else np.shape(src.value))
                self.body.append(f"{_IND}v{eqn.out.id} = {self.names.ref(src)}[{index}]")
                if eqn.out.id in self.live_after:
                    self.after.append(f"    v{eqn.out.id} = {self.names.ref(src)}"
                                      f"[{self.names.bind(eqn.params['index'])}]")
            elif role == "sum":
                fname = self.names.bind(functools.partial(eqn.prim.impl, **eqn.params))
                x = self._rows(eqn.inputs[0])
                out = f"v{eqn.out.id}"
                self.before.append(f"    {out} = {self.names.bind(eqn.out.dtype.type(0))}")
                self.body.append(f"{_IND}{out} = {out} + {fname}({x})")
            elif role == "scatter":
                shape = eqn.params["shape"]
                self.before.append(
                    f"    v{eqn.out.id} = {self.names.bind(np.zeros)}("
                    f"{shape!r}, {self.names.bind(eqn.out.dtype)})")
                self.target[eqn.out.id] = f"v{eqn.out.id}"
                self._scatter(f"v{eqn.out.id}", eqn)
            else:  # accumulate: acc[index] += g
                acc, scatter = self.fused[k]
                target = self.target.get(acc.id, f"v{acc.id}")
                self.target[eqn.out.id] = target
                self._scatter(target, scatter)
                self.after.append(f"    v{eqn.out.id} = {target}")
            if role != "map":
                self._release(ends.get(pos, ()))
        return self._assemble()

    def _reads(self, k):
        if k in self.fused:
            acc, scatter = self.fused[k]
            return [acc, scatter.inputs[0]]
        return [v for v in self.eqns[k].inputs if isinstance(v, Var)]

    def _map(self, eqn, ending):
        out = eqn.out
        ndim = len(out.shape)
        args = ", ".join(self._operand(v, ndim) for v in eqn.inputs)
        fname = self.names.bind(eqn.prim.impl)
        if out.id in self.live_after:
            full = f"F{out.id}"
            self.before.append(f"    {full} = {self.names.bind(np.empty)}("
                               f"{tuple(out.shape)!r}, {self.names.bind(out.dtype)})")
            self.body.append(f"{_IND}v{out.id} = {fname}({args}, out={full}[lo:hi])")
            self.after.append(f"    v{out.id} = {full}")
            self._release(ending)
            return
        # an elementwise ufunc may write over an operand read for the last time
        self._release(ending)
        self.body.append(f"{_IND}v{out.id} = {fname}({args}, out={self._buffer(out)})")

    def _scatter(self, target, scatter):
        index = self._block_index(scatter.params["index"], scatter.params["shape"])
        g = self._rows(scatter.inputs[0])
        view = self.views.get((target, index))
        if view is None:  # the block's view of the written rows, made once per block
            view = self.views[(target, index)] = f"w{len(self.views)}_"
            self.body.append(f"{_IND}{view} = {target}[{index}]")
        self.body.append(f"{_IND}{self.names.bind(np.add)}({view}, {g}, out={view})")

    def _assemble(self):
        n = self.region.length
        lines = [f"    # blocked region: {self.region.describe()}", *self.before,
                 f"    for lo in range(0, {n}, {self.region.rows}):",
                 f"{_IND}hi = lo + {self.region.rows}"]
        if n % self.region.rows:
            lines.append(f"{_IND}if hi > {n}:")
            lines.append(f"{_IND}    hi = {n}")
            lines.extend(f"{_IND}    {b} = {b}[:{n} - lo]" for b in self.own)
        return lines + self.body + self.after
