"""In-place operators: ``t = a - b`` written as ``a -= b; t = a`` when ``a`` is a temporary
of the program read for the last time.

A small array's arithmetic costs numpy about as much in allocating the result as in the
arithmetic itself: at 1000 float64 elements ``c = a * b`` takes ~440 ns, ``a *= b`` ~330 ns,
and a chain of two products ~980 ns against ~760 ns with the second in place. Work buffers
(``buffers``) remove the allocation for large arrays only: below ``_BUFFER_MIN_SIZE`` an
``out=`` keyword costs more than it saves. An in-place operator is the same ufunc on the same
operands in the same order, written into the left operand's memory: the same bits.

``a`` qualifies when it is the fresh result of an elementwise operation of the unblocked
program (not an input, a constant, a view, a work buffer, a region's value, or an array a
scatter writes into), of the result's shape and float64 dtype, and neither ``a`` nor any view
of it is read after the operation, returned, or read by a blocked region. ``c * t`` and
``c + t`` with ``c`` a constant (not NaN) are taken as ``t * c`` and ``t + c``: IEEE
multiplication and addition are commutative, and with one NaN operand at most the result
is that NaN either way.
"""

from __future__ import annotations

import math

import numpy as np

from ..staging import Const, Var
from .passes import elementwise

__all__ = ["IN_PLACE", "in_place"]

IN_PLACE = {np.add: "+=", np.subtract: "-=", np.multiply: "*=", np.true_divide: "/="}
_COMMUTATIVE = (np.add, np.multiply)
_VIEWS = {"getitem", "reshape", "transpose", "broadcast_to"}


def in_place(plain, inputs, pinned, excluded, fused=()):
    """``{position: operand index}``: the equations of ``plain`` (the unblocked equations in
    replay order) to write as in-place operators into that operand (a temporary read there
    for the last time). ``pinned``: values read after the replay or by blocked regions;
    ``excluded``: positions written another way (work buffers, fused or direct scatters),
    whose results are not fresh temporaries either; ``fused``: ``{position: (acc, scatter)}``
    of the fused adds, whose result is their accumulator's memory."""
    if not any(e.prim.impl in IN_PLACE for e in plain):
        return {}
    base = {v.id: v.id for v in inputs}  # var id -> the id of the array it is memory of
    fresh = set()  # ids of temporaries: elementwise results written nowhere else
    for k, eqn in enumerate(plain):
        src = fused[k][0] if k in fused else eqn.inputs[0] if eqn.inputs else None
        if (k in fused or eqn.prim.name in _VIEWS) and isinstance(src, Var):
            base[eqn.out.id] = base.get(src.id, src.id)
        else:
            base[eqn.out.id] = eqn.out.id
            if (k not in excluded and elementwise(eqn.prim) and not eqn.params
                    and eqn.out.shape and eqn.out.dtype == np.float64):
                fresh.add(eqn.out.id)
    last = {}
    for k, eqn in enumerate(plain):
        for v in eqn.inputs:
            if isinstance(v, Var):
                last[base.get(v.id, v.id)] = k
    held = {base.get(v.id, v.id) for v in pinned if isinstance(v, Var)}
    chosen = {}
    for k, eqn in enumerate(plain):
        if k in excluded or eqn.prim.impl not in IN_PLACE or eqn.params:
            continue
        out = eqn.out
        if not out.shape or out.dtype != np.float64 or math.prod(out.shape) == 0:
            continue
        order = (0, 1) if eqn.prim.impl in _COMMUTATIVE else (0,)
        for i in order:
            a, b = eqn.inputs[i], eqn.inputs[1 - i]
            if (isinstance(a, Var) and a.id in fresh and base.get(a.id) == a.id
                    and a.shape == out.shape and a.id not in held and last.get(a.id) == k
                    and (i == 0 or _not_nan_const(b)) and _float_operand(b)):
                chosen[k] = i
                break
    return chosen


def _not_nan_const(v):
    return isinstance(v, Const) and not np.any(np.isnan(v.value))


def _float_operand(v):
    """``b`` in ``a op= b`` leaves ``a``'s float64 dtype and shape as ``a op b`` has them."""
    if isinstance(v, Var):
        return v.dtype == np.float64
    value = v.value
    return (type(value) in (int, float) or isinstance(value, np.ndarray)
            and value.dtype == np.float64)
