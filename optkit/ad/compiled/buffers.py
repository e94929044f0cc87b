"""Buffer reuse: large elementwise results are written with ``out=`` into work buffers that
are allocated once per program and reused once the values they hold are dead."""

from __future__ import annotations

import math

import numpy as np

from ..staging import Var
from .passes import elementwise

__all__ = ["plan_buffers"]

_BUFFER_MIN_SIZE = 4096  # below this, numpy's own small-array cache is as fast as reuse
_VIEW_PRIMS = {"getitem", "reshape", "transpose", "broadcast_to"}


def plan_buffers(eqns, inputs, outputs, fused=()):
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
        planned = (k not in fused and elementwise(eqn.prim) and out.dtype == np.float64
                   and math.prod(out.shape) >= _BUFFER_MIN_SIZE and out.id not in pinned)
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
