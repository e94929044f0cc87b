"""Optimisation passes over a staged program: constant folding, common-subexpression
elimination, dead-code elimination, the folding of a negation into a product by a constant
and the fusion of scatter-adds into their accumulator.

Each pass takes the equations (``staging.Eqn``) and the outputs, and returns new ones; none
changes what the program computes.
"""

from __future__ import annotations

import numpy as np

from ..core import FLOAT64, ufunc_primitives
from ..staging import Const, Var

__all__ = ["FreshVars", "fold_and_cse", "dce", "fold_negations", "fuse_scatter_adds", "elementwise",
           "use_counts", "params_key"]


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


def params_key(params):
    """A hashable key of an equation's parameters (arrays by identity)."""
    return tuple(sorted((k, _freeze(v)) for k, v in params.items()))


_SQUARE = ufunc_primitives[np.square]
_COMMUTATIVE = {np.add, np.multiply, np.maximum, np.minimum, np.hypot, np.logaddexp}


def fold_and_cse(program, swept=None):
    """Constant folding and common-subexpression elimination, in one forward sweep.

    Linear in the number of equations: each is looked up once in a dict of the keys seen;
    what a rule is (elementwise, commutative, with units) is decided once per primitive,
    and a parameter dict's key once per dict (equations of one rule share theirs).

    ``swept``: the ids of equations that come out of an earlier sweep unchanged (another
    sweep after a few rewrites): such an equation whose inputs are not replaced has nothing
    to fold and no twin among the others of that sweep, so it is keyed only when an
    equation of its primitive that is not one of them is (the result is the full sweep's).
    """
    replace = {}  # var id -> Var or Const it is equal to
    get = replace.get
    seen = {}
    keys = {}  # id(params) -> params_key(params); the dicts live as long as the sweep
    unkeyed = {}  # primitive -> swept equations not keyed yet
    rewritten = set()  # primitives of the equations keyed that were not swept
    eqns = []
    for eqn in program.eqns:
        if swept is not None and id(eqn) in swept and not any(
                type(v) is Var and v.id in replace for v in eqn.inputs):
            eqns.append(eqn)
            if eqn.prim not in rewritten:
                unkeyed.setdefault(eqn.prim, []).append(eqn)
                continue
            key = _key(eqn.prim, eqn.inputs, eqn.params, keys)
            twin = seen.get(key)
            if twin is not None:
                eqns.pop()
                replace[eqn.out.id] = twin
            else:
                seen[key] = eqn.out
            continue
        inputs = [get(v.id, v) if type(v) is Var else v for v in eqn.inputs]
        prim = eqn.prim
        if (prim.name == "power" and type(inputs[1]) is Const
                and type(inputs[1].value) in (int, float) and inputs[1].value == 2):
            # x ** 2 is numpy's square (its own fast path): as a ufunc it can write out=
            prim = _SQUARE
            inputs = inputs[:1]
        info = _INFO.get(prim) or _info(prim)
        operands, variables, arrays = _operand_keys(inputs)
        if info[0]:  # elementwise
            if arrays:
                inputs = _scalarize_uniform(inputs, eqn.out.shape)
                operands, variables, arrays = _operand_keys(inputs)
            if info[2]:  # with units: x * 1, x + 0, ...
                alias = _identity_operand(prim.impl, inputs, eqn.out.shape)
                if alias is not None:
                    replace[eqn.out.id] = alias
                    continue
        if not variables:
            value = prim.impl(*(v.value for v in inputs), **eqn.params)
            replace[eqn.out.id] = Const(value)
            continue
        if swept is not None and prim not in rewritten:
            rewritten.add(prim)
            for earlier in unkeyed.pop(prim, ()):  # unique among themselves and before eqn
                seen.setdefault(_key(prim, earlier.inputs, earlier.params, keys), earlier.out)
        key = _key(prim, inputs, eqn.params, keys, operands)
        twin = seen.get(key)
        if twin is not None:
            replace[eqn.out.id] = twin
            continue
        seen[key] = eqn.out
        eqns.append(type(eqn)(prim, inputs, eqn.params, eqn.out))
    outputs = [get(v.id, v) if type(v) is Var else v for v in program.outputs]
    return eqns, outputs


def _key(prim, inputs, params, keys, operands=None):
    """The CSE key of ``prim(*inputs, **params)``; ``keys`` memoizes parameter keys by
    dict, ``operands`` are ``_operand_keys(inputs)[0]`` when known."""
    if operands is None:
        operands = _operand_keys(inputs)[0]
    if len(operands) > 1 and (_INFO.get(prim) or _info(prim))[1]:
        # a*b and b*a are one value: any fixed order makes the key canonical; hash is cheap
        # (a collision of two different operands can only miss a twin, never merge two)
        operands.sort(key=hash)
    if not params:
        pkey = ()
    else:
        pkey = keys.get(id(params))
        if pkey is None:
            pkey = keys[id(params)] = params_key(params)
    return prim, tuple(operands), pkey


_NUMBERS = (int, float, bool, np.number)


def _operand_keys(inputs):
    """``(keys, variables, arrays)``: the inputs' parts of an equation's key (a variable by
    its number, a number by its value, another constant by identity), how many are
    variables, and whether an array constant is among them."""
    keys, variables, arrays = [], 0, False
    for v in inputs:
        if type(v) is Var:
            keys.append(v.id)
            variables += 1
            continue
        value = v.value
        if isinstance(value, _NUMBERS) or value is None:
            keys.append(("c", type(value).__name__, value))
        else:
            keys.append(("c", id(value)))
            arrays = arrays or isinstance(value, np.ndarray)
    return keys, variables, arrays


_INFO = {}  # primitive -> (elementwise, commutative, has units)


_FACTS_MAX = 4096  # primitives remembered (custom primitives made in a loop: no leak)


def _info(prim):
    """What the sweep needs to know of ``prim``, decided once per primitive."""
    impl = prim.impl
    if len(_INFO) >= _FACTS_MAX:
        _INFO.clear()
    info = _INFO[prim] = (elementwise(prim), impl in _COMMUTATIVE, impl in _UNITS)
    return info


_ELEMENTWISE = {}  # primitive -> elementwise(primitive), decided once per primitive


def elementwise(prim):
    """An elementwise ufunc (not a gufunc such as matmul): safe to scalarize and write out=."""
    answer = _ELEMENTWISE.get(prim)
    if answer is None:
        if len(_ELEMENTWISE) >= _FACTS_MAX:
            _ELEMENTWISE.clear()
        impl = prim.impl
        answer = _ELEMENTWISE[prim] = isinstance(impl, np.ufunc) and impl.signature is None
    return answer


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


_UNITS = {np.multiply: (1.0, 1.0), np.add: (0.0, 0.0), np.subtract: (None, 0.0),
          np.true_divide: (None, 1.0)}  # ufunc -> its unit on the left, on the right


def _identity_operand(ufunc, inputs, out_shape):
    """``x * 1``, ``1 * x``, ``x + 0``, ``0 + x``, ``x - 0``, ``x / 1``: the operand itself."""
    unit = _UNITS.get(ufunc)
    if unit is None or len(inputs) != 2:
        return None
    a, b = inputs
    for const, other, neutral in ((a, b, unit[0]), (b, a, unit[1])):
        if (neutral is not None and isinstance(const, Const) and isinstance(other, Var)
                and isinstance(const.value, (int, float)) and const.value == neutral
                and other.shape == out_shape and other.dtype == np.float64):
            return other
    return None


def dce(eqns, outputs):
    """Dead-code elimination: only the equations some output depends on, in order."""
    live = {v.id for v in outputs if isinstance(v, Var)}
    kept = []
    for eqn in reversed(eqns):
        if eqn.out.id in live:
            kept.append(eqn)
            live.update(v.id for v in eqn.inputs if isinstance(v, Var))
    kept.reverse()
    return kept


def use_counts(eqns, outputs):
    """Var id -> how many equations read it; a program output counts two more, so a test for
    a single use never passes for it (it must survive the replay as it is)."""
    uses = {}
    for eqn in eqns:
        for v in eqn.inputs:
            if isinstance(v, Var):
                uses[v.id] = uses.get(v.id, 0) + 1
    for v in outputs:
        if isinstance(v, Var):
            uses[v.id] = uses.get(v.id, 0) + 2
    return uses


class FreshVars:
    """A source of new variables for a rewrite, numbered after every other of the program
    ``eqns``: ``fresh(shape)`` is a float64 Var of that shape."""

    def __init__(self, eqns):
        self.last = max([e.out.id for e in eqns] + [v.id for e in eqns for v in e.inputs
                                                    if isinstance(v, Var)], default=0)

    def __call__(self, shape):
        self.last += 1
        v = Var(self.last, np.empty(0))
        v.shape, v.dtype = tuple(shape), np.dtype(FLOAT64)
        return v


def fold_negations(eqns, outputs):
    """``-(a * c)`` -> ``a * (-c)`` for a real constant ``c`` when the product is used only by
    the negation: one pass over the data fewer, and the same bits (negation is exact and
    rounding is symmetric in sign). The reverse pass writes ``-(2 * x)`` and the like."""
    if not any(eqn.prim.impl is np.negative for eqn in eqns):
        return eqns
    uses = use_counts(eqns, outputs)
    producer = {eqn.out.id: k for k, eqn in enumerate(eqns)}
    result = list(eqns)
    for k, eqn in enumerate(eqns):
        if eqn.prim.impl is not np.negative or eqn.params or not isinstance(eqn.inputs[0], Var):
            continue
        j = producer.get(eqn.inputs[0].id)
        if j is None or uses[eqn.inputs[0].id] != 1:
            continue
        mul = result[j]
        if mul is None or mul.prim.impl is not np.multiply or mul.params:
            continue
        consts = [v for v in mul.inputs if isinstance(v, Const)]
        if (len(consts) != 1 or not _real_float(consts[0].value)
                or mul.out.shape != eqn.out.shape or mul.out.dtype != eqn.out.dtype):
            continue
        inputs = [Const(-v.value) if v is consts[0] else v for v in mul.inputs]
        result[j] = type(eqn)(mul.prim, inputs, mul.params, eqn.out)
        result[k] = None
    return [e for e in result if e is not None]


def _real_float(value):
    return type(value) is float or (isinstance(value, (np.floating, np.ndarray))
                                    and value.dtype.kind == "f")


def fuse_scatter_adds(eqns, outputs):
    """``add(acc, scatter_add(g, index))`` -> ``acc[index] += g`` when ``acc`` is a private array.

    The reverse pass of ``x[i]`` scatters its cotangent into a zero array the size of ``x``
    and adds it to the running sum; in a compiled program the running sum is a private
    buffer, so the cotangent is added in place: no zero array, no full-size addition.
    Only when the sum keeps the accumulator's dtype: a complex cotangent added to a float64
    accumulator promotes the sum and cannot be added in place.
    Returns ``{add index: (accumulator var, scatter eqn)}`` and the set of skipped eqns.
    """
    if not any(eqn.prim.name == "scatter_add" for eqn in eqns):
        return {}, set()
    uses = use_counts(eqns, outputs)
    producer = {}
    private = set()  # var ids holding a fresh array nobody else refers to
    fused, skipped = {}, set()
    for k, eqn in enumerate(eqns):
        producer[eqn.out.id] = k
        name = eqn.prim.name
        if name == "scatter_add" or (elementwise(eqn.prim)
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
                    and eqn.out.dtype == acc.dtype and isinstance(eqns[j].inputs[0], Var)):
                fused[k] = (acc, eqns[j])
                skipped.add(j)
                private.add(eqn.out.id)
                break
    return fused, skipped
