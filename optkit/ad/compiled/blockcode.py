"""Code generation for a blocked region (``regions``): one Python loop over blocks of rows.

Inside the loop each region value is the block ``[lo, hi)`` of its rows, held in a work
buffer of one block (reused once the value is dead, as ``buffers`` does for whole arrays); a
value read after the region is written straight into its full-size array instead, through
``out=`` on the block's view. Slices of outside arrays are views of the matching rows, sums
accumulate one partial sum per block (a ``vecmat`` the product of the block's rows), a
``matvec`` computes its block from the block's rows of its matrix, and scatters add into a
zero array allocated before the loop, or, where the first write of each block covers rows no
earlier block wrote, into an uninitialised one whose first write assigns
(``_Emitter._plan_sinks``). The last block may be shorter: the block buffers are cut to its
length.
"""

from __future__ import annotations

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
        self.assigned = {}      # sink var id -> (offset, carries) for a sink written with "="
        self.direct = {}        # map value id -> the sink id it is written into directly
        self.carries = []       # names of the rows carried to the next block
        self.sink_of = {}       # var id (a sink, or a fused add's result) -> the sink's id
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

    def _operand(self, v, out_ndim, float64=False):
        if float64 and not isinstance(v, Var) and type(v.value) is float:
            return self.names.array_const(v.value)  # same bits, no scalar conversion
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
        self._plan_sinks()
        for pos, k in enumerate(region.eqns):
            role = region.roles[k]
            eqn = eqns[k]
            if role == "map":
                self._map(eqn, ends.get(pos, ()))
            elif role == "matvec":  # C[lo:hi] @ x, x read whole
                c, x = eqn.inputs
                self._map(eqn, ends.get(pos, ()), f"{self._rows(c)}, {self.names.ref(x)}")
            elif role == "vecmat":  # y += s[lo:hi] @ C[lo:hi], from zeros (as a sum)
                s, c = eqn.inputs
                out = f"v{eqn.out.id}"
                self.before.append(f"    {out} = {self.names.bind(np.zeros)}("
                                   f"{tuple(eqn.out.shape)!r}, {self.names.bind(eqn.out.dtype)})")
                self.body.append(f"{_IND}{out} += {self.names.bind(np.matmul)}("
                                 f"{self._rows(s)}, {self._rows(c)})")
            elif role == "slice":
                src = eqn.inputs[0]
                index = self._block_index(eqn.params["index"], src.shape if isinstance(src, Var)
                                          else np.shape(src.value))
                self.body.append(f"{_IND}v{eqn.out.id} = {self.names.ref(src)}[{index}]")
                if eqn.out.id in self.live_after:
                    self.after.append(f"    v{eqn.out.id} = {self.names.ref(src)}"
                                      f"[{self.names.bind(eqn.params['index'])}]")
            elif role == "sum":  # rules.reductions' _sum, without its Python wrapper
                keep = ", None, None, True" if eqn.params["keepdims"] else ""
                axis = self.names.const(eqn.params["axis"])
                x = self._rows(eqn.inputs[0])
                out = f"v{eqn.out.id}"
                self.before.append(f"    {out} = {self.names.bind(eqn.out.dtype.type(0))}")
                self.body.append(f"{_IND}{out} = {out} + np_add_reduce({x}, {axis}{keep})")
            elif role == "scatter":
                self.target[eqn.out.id] = f"v{eqn.out.id}"
                if eqn.out.id in self.assigned:
                    self._first_write(eqn)
                else:
                    self.before.append(
                        f"    v{eqn.out.id} = {self.names.bind(np.zeros)}("
                        f"{eqn.params['shape']!r}, {self.names.bind(eqn.out.dtype)})")
                    self._scatter(f"v{eqn.out.id}", eqn)
            else:  # accumulate: acc[index] += g
                acc, scatter = self.fused[k]
                target = self.target.get(acc.id, f"v{acc.id}")
                self.target[eqn.out.id] = target
                sink = self.sink_of.get(acc.id)
                if sink in self.assigned:
                    self.sink_of[eqn.out.id] = sink
                    self._shifted_write(target, scatter, sink)
                else:
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

    def _map(self, eqn, ending, args=None):
        """An elementwise ufunc, or a ``matvec`` (its ``args`` given), into its block."""
        out = eqn.out
        ndim = len(out.shape)
        float64 = out.dtype == np.float64 and all(v.dtype == np.float64 for v in eqn.inputs
                                                  if isinstance(v, Var))
        if args is None:
            args = ", ".join(self._operand(v, ndim, float64) for v in eqn.inputs)
        fname = self.names.bind(eqn.prim.impl)
        sink = self.direct.get(out.id)
        if sink is not None:  # the first write of a sink, computed straight into its rows
            view = self._view(f"v{sink}", self.assigned[sink][0])
            self._release(ending)
            self.body.append(f"{_IND}v{out.id} = {fname}({args}, out={view})")
            self.body.append(("carried", sink))  # the previous block's carried rows, later
            return
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

    # -- sinks written with "=" --
    def _plan_sinks(self):
        """Sinks whose first write assigns instead of adding to zeros (``np.empty``, not
        ``np.zeros``: an allocation that the kernel does not zero, and no pass adding to 0).

        Eligible: every write is a step-1 slice of rows, whole rows, the first write has the
        lowest offset ``s0`` and every other offset ``s`` exceeds it by at most the rows of a
        block. In block ``[lo, hi)`` the first write assigns rows ``[lo + s0, hi + s0)``; a
        write at ``s > s0`` adds rows up to ``hi + s0`` and carries its last ``s - s0`` rows
        to the next block, which adds them after its own assignment (after the loop: into
        rows past the assigned ones, zeroed before it). Each row receives the same terms as
        with zeros; a carried term comes second instead of first (the summation order in
        ``regions``). The first write's value is computed straight into the sink when the
        region reads it nowhere else."""
        region, eqns = self.region, self.eqns
        writes = {}        # sink id -> [(offset, var written)]
        reads = {}
        for k in region.eqns:
            for v in self._reads(k):
                reads[v.id] = reads.get(v.id, 0) + 1
        mapped = {eqns[k].out.id for k in region.eqns if region.roles[k] == "map"}
        rows, n = region.rows, region.length
        shortest = n - (len(range(0, n, rows)) - 1) * rows
        for k in region.eqns:
            role = region.roles[k]
            if role == "scatter":
                sink, scatter = eqns[k].out.id, eqns[k]
            elif role == "accumulate":
                acc, scatter = self.fused[k]
                sink = self.sink_of.get(acc.id)
                if sink is None:
                    continue
            else:
                continue
            self.sink_of[eqns[k].out.id] = sink
            shape = scatter.params["shape"]
            found = leading_slice(scatter.params["index"], shape)
            whole = found is not None and found[1] == 1 and all(
                type(i) is slice and i == slice(None) for i in found[2])
            writes.setdefault(sink, []).append((found[0] if whole else None, scatter))
        for sink, items in writes.items():
            offsets = [s for s, _ in items]
            if None in offsets or offsets[0] != min(offsets):
                continue
            if any(s - offsets[0] > min(rows, shortest) for s in offsets):
                continue
            first = items[0][1]
            if any(sc.inputs[0].dtype != first.inputs[0].dtype for _, sc in items):
                continue
            self.assigned[sink] = (offsets[0], [])  # (s0, lines adding the carried rows)
            g = first.inputs[0]
            if (isinstance(g, Var) and g.id in mapped and reads.get(g.id) == 1
                    and g.id not in self.live_after):
                self.direct[g.id] = sink

    def _view(self, target, start, stop=None):
        stop = start if stop is None else stop
        index = (f"lo + {start}" if start else "lo") + ":" + (f"hi + {stop}" if stop else "hi")
        view = self.views.get((target, index))
        if view is None:
            view = self.views[(target, index)] = f"w{len(self.views)}_"
            self.body.append(f"{_IND}{view} = {target}[{index}]")
        return view

    def _first_write(self, eqn):
        sink, target = eqn.out.id, f"v{eqn.out.id}"
        s0 = self.assigned[sink][0]
        shape, n = eqn.params["shape"], self.region.length
        self.before.append(f"    {target} = {self.names.bind(np.empty)}({shape!r}, "
                           f"{self.names.bind(eqn.out.dtype)})")
        if s0:
            self.before.append(f"    {target}[:{s0}] = 0.0")
        if n + s0 < shape[0]:
            self.before.append(f"    {target}[{n + s0}:] = 0.0")
        g = eqn.inputs[0]
        if self.direct.get(getattr(g, "id", None)) != sink:
            view = self._view(target, s0)
            self.body.append(f"{_IND}{view}[...] = {self._rows(g)}")
            self.body.append(("carried", sink))  # the previous block's carried rows, later

    def _shifted_write(self, target, scatter, sink):
        s0, carried = self.assigned[sink]
        start = leading_slice(scatter.params["index"], scatter.params["shape"])[0]
        g = self._rows(scatter.inputs[0])
        add = self.names.bind(np.add)
        first = self._view(target, s0)
        if start == s0:
            self.body.append(f"{_IND}{add}({first}, {g}, out={first})")
            return
        k = start - s0
        carry = f"k{len(self.carries)}_"
        self.carries.append(carry)
        row_shape = tuple(scatter.params["shape"][1:])
        self.before.append(f"    {carry} = {self.names.bind(np.zeros)}("
                           f"{(k, *row_shape)!r}, {self.names.bind(scatter.inputs[0].dtype)})")
        carried.append(f"{_IND}{first}[:{k}] += {carry}")
        view = self._view(target, start, s0)
        self.body.append(f"{_IND}{add}({view}, {g}[:hi - lo - {k}], out={view})")
        self.body.append(f"{_IND}{carry} = {g}[hi - lo - {k}:].copy()")
        n = self.region.length
        self.after.insert(0, f"    {target}[{n + s0}:{n + start}] += {carry}")

    def _assemble(self):
        n = self.region.length
        lines = [f"    # blocked region: {self.region.describe()}", *self.before,
                 f"    for lo in range(0, {n}, {self.region.rows}):",
                 f"{_IND}hi = lo + {self.region.rows}"]
        if n % self.region.rows:
            lines.append(f"{_IND}if hi > {n}:")
            lines.append(f"{_IND}    hi = {n}")
            lines.extend(f"{_IND}    {b} = {b}[:{n} - lo]" for b in self.own)
        for line in self.body:
            if type(line) is tuple:  # ("carried", sink): its carried rows, once assigned
                lines.extend(self.assigned[line[1]][1])
            else:
                lines.append(line)
        return lines + self.after
