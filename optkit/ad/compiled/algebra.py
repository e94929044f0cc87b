"""Exact algebraic rewrites of a staged program: fewer numpy calls, the same bits.

Each rewrite below gives bit-for-bit the result of the equations it replaces (the reasoning is
beside it), so it changes neither the compiled result nor its agreement with eager AD. The
reverse pass writes such chains on its own: the cotangent of ``100 * d ** 2`` is
``100 * (2 * d)``, and that of ``-(100 * u) * (2 * x)`` carries a negation through a product.

- ``c1 * (c2 * x) -> (c1 * c2) * x`` when ``c2`` is a power of two with ``|c2| >= 1`` and
  ``|c1| >= 1``: ``c2 * x`` is exact (a scaling by a power of two), so both sides round the one
  real number ``c1 c2 x``; with ``|c1|, |c2| >= 1`` the intermediate overflows only when the
  result does.
- ``(-a) * b -> a * (-b)`` when ``b = c * y`` for a real constant ``c``: ``a * ((-c) * y)``
  (negation is exact and rounding is symmetric in sign); and ``(-a) * c -> a * (-c)``.
- ``q + (-a) * b -> q - a * b`` and ``q - (-a) * b -> q + a * b`` (``x - y`` is ``x + (-y)``
  in IEEE arithmetic, and ``(-a) * b`` is ``-(a * b)`` exactly), where the negation cannot
  go into a constant.
- ``scatter(g, i) + scatter(h, i) -> scatter(g + h, i)`` (the reverse pass of two reads of
  one slice): the entries at ``i`` were ``g`` written then ``h`` added, now ``g + h``
  written; zeros elsewhere either way.
- ``a @ b`` of 2-d arrays contracting an axis of length 1 is the outer product ``a * b``:
  one product per entry, rounded once, with no sum (a BLAS call with k = 1 is much slower
  than the multiplication).

Only a value used once is rewritten away (``passes.use_counts``); outputs never are.
"""

from __future__ import annotations

import math

import numpy as np

from ..core import ufunc_primitives
from ..rules.indexing import selects_each_once
from ..staging import Const, Var
from .passes import params_key, use_counts

__all__ = ["fold_products", "merge_scatters", "outer_matmuls"]

_MULTIPLY = ufunc_primitives[np.multiply]
_ADD = ufunc_primitives[np.add]
_SUBTRACT = ufunc_primitives[np.subtract]
_SCATTER = "scatter_add"


def _real_scalar(v):
    """The Python float of a finite real scalar constant, else None."""
    if not isinstance(v, Const):
        return None
    value = v.value
    if type(value) in (float, int) or (isinstance(value, np.floating)
                                       and value.dtype == np.float64):
        value = float(value)
        return value if math.isfinite(value) else None
    return None


def _power_of_two(c):
    return c != 0.0 and math.frexp(c)[0] in (0.5, -0.5)


def _scaled(eqn):
    """``(c, x)`` if ``eqn`` is ``c * x`` or ``x * c`` for a real scalar ``c``, else None."""
    if eqn is None or eqn.prim.impl is not np.multiply or eqn.params or len(eqn.inputs) != 2:
        return None
    a, b = eqn.inputs
    for c, x in ((a, b), (b, a)):
        value = _real_scalar(c)
        if value is not None and isinstance(x, Var):
            return value, x
    return None


def _float64_like(eqn, other):
    return (eqn.out.dtype == np.float64 and other.dtype == np.float64
            and other.shape == eqn.out.shape)


def fold_products(eqns, outputs):
    """The two product rewrites of the module docstring, in one forward sweep."""
    uses = use_counts(eqns, outputs)
    producer = {}
    result = list(eqns)
    for k, eqn in enumerate(eqns):
        producer[eqn.out.id] = k
        if eqn.prim.impl in (np.add, np.subtract) and not eqn.params and len(eqn.inputs) == 2:
            _negated_term(result, k, producer, uses)
            continue
        if eqn.prim.impl is not np.multiply or eqn.params or len(eqn.inputs) != 2:
            continue
        outer = _scaled(eqn)
        if outer is not None:  # c1 * (c2 * x)
            c1, inner_var = outer
            j = producer.get(inner_var.id)
            inner = None if j is None else _scaled(result[j])
            if (inner is not None and uses[inner_var.id] == 1 and _power_of_two(inner[0])
                    and abs(inner[0]) >= 1.0 and abs(c1) >= 1.0
                    and math.isfinite(c1 * inner[0]) and _float64_like(eqn, inner[1])):
                result[k] = type(eqn)(_MULTIPLY, [Const(c1 * inner[0]), inner[1]], {}, eqn.out)
                result[j] = None
                continue
        for i in (0, 1):  # (-a) * b
            neg = eqn.inputs[i]
            j = producer.get(neg.id) if isinstance(neg, Var) else None
            other = eqn.inputs[1 - i]
            if j is None or uses[neg.id] != 1 or result[j] is None:
                continue
            negation = result[j]
            if (negation.prim.impl is not np.negative or negation.params
                    or not isinstance(negation.inputs[0], Var)
                    or not _float64_like(eqn, negation.inputs[0])):
                continue
            a = negation.inputs[0]
            c = _real_scalar(other)
            if c is not None:
                result[k] = type(eqn)(_MULTIPLY, [a, Const(-c)], {}, eqn.out)
                result[j] = None
                break
            m = producer.get(other.id) if isinstance(other, Var) else None
            scaled = None if m is None else _scaled(result[m])
            if scaled is None or uses[other.id] != 1 or not _float64_like(result[m], scaled[1]):
                continue
            result[m] = type(eqn)(_MULTIPLY, [Const(-scaled[0]), scaled[1]], {}, other)
            result[k] = type(eqn)(_MULTIPLY, [a, other], {}, eqn.out)
            result[j] = None
            break
    return [e for e in result if e is not None]


def _negation_of(result, v, producer, uses):
    """The index of the equation ``v = -a`` (``v`` used once, float64 like ``a``), or None."""
    j = producer.get(v.id) if isinstance(v, Var) else None
    if j is None or uses[v.id] != 1 or result[j] is None:
        return None
    negation = result[j]
    if (negation.prim.impl is not np.negative or negation.params
            or not isinstance(negation.inputs[0], Var)
            or negation.inputs[0].dtype != np.float64 or negation.inputs[0].shape != v.shape):
        return None
    return j


def _negated_term(result, k, producer, uses):
    """``q + (-a) * b -> q - a * b`` and ``q - (-a) * b -> q + a * b`` at equation ``k``."""
    eqn = result[k]
    subtract = eqn.prim.impl is np.subtract
    for i in ((1,) if subtract else (1, 0)):
        p = eqn.inputs[i]
        m = producer.get(p.id) if isinstance(p, Var) else None
        if (m is None or uses[p.id] != 1 or result[m] is None
                or result[m].prim.impl is not np.multiply or result[m].params
                or p.dtype != np.float64 or eqn.out.dtype != np.float64):
            continue
        product = result[m]
        for side in (0, 1):
            j = _negation_of(result, product.inputs[side], producer, uses)
            if j is None:
                continue
            inputs = list(product.inputs)
            inputs[side] = result[j].inputs[0]
            result[m] = type(eqn)(_MULTIPLY, inputs, {}, p)
            result[j] = None
            prim = _ADD if subtract else _SUBTRACT
            result[k] = type(eqn)(prim, [eqn.inputs[1 - i], p], {}, eqn.out)
            return


def outer_matmuls(eqns):
    """``a @ b`` with ``a`` of shape (m, 1) and ``b`` of shape (1, n) -> ``a * b``."""
    result = []
    for eqn in eqns:
        if eqn.prim.impl is np.matmul and not eqn.params and len(eqn.inputs) == 2:
            a, b = (np.shape(v.value) if isinstance(v, Const) else v.shape for v in eqn.inputs)
            dtypes = [v.dtype if isinstance(v, Var) else np.result_type(v.value)
                      for v in eqn.inputs]
            if (len(a) == 2 and len(b) == 2 and a[1] == 1 and b[0] == 1
                    and all(d == np.float64 for d in dtypes)):
                eqn = type(eqn)(_MULTIPLY, list(eqn.inputs), {}, eqn.out)
        result.append(eqn)
    return result


def merge_scatters(eqns, outputs):
    """``scatter(g, i) + scatter(h, i) -> scatter(g + h, i)`` when both scatters are used
    once, scatter to one shape at one basic index and ``g``, ``h`` are float64 arrays of one
    shape. The sum gets a new variable, numbered after every other."""
    if sum(eqn.prim.name == _SCATTER for eqn in eqns) < 2:
        return eqns  # nothing to merge (the common case outside slicing code)
    uses = use_counts(eqns, outputs)
    producer = {eqn.out.id: k for k, eqn in enumerate(eqns)}
    fresh = max([e.out.id for e in eqns] + [v.id for e in eqns for v in e.inputs
                                            if isinstance(v, Var)], default=0)
    result = [[eqn] for eqn in eqns]  # a merged sum is two equations: g + h, its scatter
    for k, eqn in enumerate(eqns):
        if eqn.prim.impl is not np.add or eqn.params or len(eqn.inputs) != 2:
            continue
        found = [producer.get(v.id) if isinstance(v, Var) and uses[v.id] == 1 else None
                 for v in eqn.inputs]
        if None in found or found[0] == found[1]:
            continue
        first, second = (result[j][-1] for j in found)
        if (first.prim.name != _SCATTER or second.prim.name != _SCATTER
                or params_key(first.params) != params_key(second.params)
                or not selects_each_once(first.params["index"])):
            continue
        g, h = first.inputs[0], second.inputs[0]
        if not (isinstance(g, Var) and isinstance(h, Var) and g.shape == h.shape
                and g.dtype == h.dtype == eqn.out.dtype == np.float64):
            continue
        fresh += 1
        total = Var(fresh, np.empty(0))
        total.shape, total.dtype = g.shape, g.dtype
        result[k] = [type(eqn)(_ADD, [g, h], {}, total),
                     type(eqn)(first.prim, [total], first.params, eqn.out)]
        for j in found:  # the scatters go; a merged sum's g + h stays
            result[j].pop()
    return [e for group in result for e in group]
