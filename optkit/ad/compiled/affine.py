"""Affine folds: a bias add, and the column sum of the reverse pass, taken into the matrix
product beside them by a column (a row) of ones appended to its constant matrix.

A dense layer ``C @ W + b`` (``C`` the data, ``b`` added to every row) costs numpy a BLAS
call and a broadcast pass over the product; its reverse pass, ``C.T @ D`` and ``D`` summed
over its rows, a BLAS call and a reduction. numpy runs a broadcast or a reduction over rows
of a small product (256 x 64) at about half the cost of the product itself, while a BLAS call
with one more row or column costs what it did. So:

- ``C @ W + b -> [C | 1] @ [W; b]`` for a constant 2-d ``C`` and a row ``b``. When ``W`` is
  a slice of a 1-d value ``p`` reshaped (row-major) and ``b`` the slice of ``p`` right after
  it, ``[W; b]`` is itself a slice of ``p`` reshaped, a view (the layout of a flat parameter
  vector that packs a layer's weights and then its bias); else ``W`` and ``b`` are joined,
  a copy of ``(k + 1) m`` entries made only when the product has more rows than ``W``
  (``C`` of shape ``(n, k)``, ``n > k``: the copy is smaller than the add's pass; 2112
  entries against 16384 for the MLP of ``bench/ad.py`` with its parameters in a dict).
- ``Ct @ D`` and ``sum(D, axis=0)`` for a constant 2-d ``Ct`` -> ``R = [Ct; 1^T] @ D``,
  the product ``R[:k]`` and the sum ``R[k]`` (``k`` the rows of ``Ct``).

Both are exact up to summation order: every product by the ones is exact (``1 * b == b``),
so each entry is the same sum of the same rounded products, added in BLAS's order instead
of the product's sum then the bias (or numpy's pairwise sum over rows). Only float64 values
are folded, the product in the first form only when used once, and only constants of at
most ``_CONST_MAX_BYTES`` (the fold keeps a copy with the ones; for a large matrix the
broadcast pass is small beside the product anyway).
"""

from __future__ import annotations

import numpy as np

from ..core import FLOAT64, ufunc_primitives
from ..rules.indexing import getitem
from ..rules.joining import concatenate_of
from ..rules.shape import reshape
from ..staging import Const, Var
from .passes import FreshVars, use_counts

__all__ = ["fold_affine"]

_MATMUL = ufunc_primitives[np.matmul]
_JOIN = concatenate_of(2)
_CONST_MAX_BYTES = 1 << 22


def _matrix(v):
    """The float64 2-d array of a constant ``v`` (small enough to copy), else None."""
    if not isinstance(v, Const):
        return None
    a = v.value
    if (type(a) is not np.ndarray or a.ndim != 2 or a.dtype != FLOAT64
            or a.nbytes > _CONST_MAX_BYTES):
        return None
    return a


def _float64(v, ndim):
    return isinstance(v, Var) and v.dtype == FLOAT64 and len(v.shape) == ndim


def _span(eqn):
    """``(p, start, stop)`` if ``eqn`` is ``p[start:stop]`` of a 1-d ``p`` (unit step)."""
    if eqn is None or eqn.prim.name != "getitem" or not _float64(eqn.inputs[0], 1):
        return None
    index = eqn.params["index"]
    if type(index) is not slice:
        return None
    p = eqn.inputs[0]
    start, stop, step = index.indices(p.shape[0])
    if step != 1 or stop <= start:
        return None
    return p, start, stop


def _with_ones_column(c):
    a = np.concatenate([c, np.ones((c.shape[0], 1))], axis=1)
    a.flags.writeable = False
    return a


def _with_ones_row(c):
    a = np.concatenate([c, np.ones((1, c.shape[1]))], axis=0)
    a.flags.writeable = False
    return a


def _bias_fold(eqn, result, producer, uses, fresh):
    """The equations of ``[C | 1] @ [W; b]`` for the add ``eqn``, with the index of the
    product they replace, or None."""
    def at(v):
        k = producer.get(v.id) if isinstance(v, Var) else None
        return (k, result[k]) if k is not None and result[k] is not None else (None, None)

    for m, b in (eqn.inputs, eqn.inputs[::-1]):
        j, product = at(m)
        if (product is None or product.prim.impl is not np.matmul or product.params
                or uses[m.id] != 1 or not _float64(b, 1) or eqn.out.dtype != FLOAT64):
            continue
        c, w = product.inputs
        c = _matrix(c)
        if (c is None or not _float64(w, 2) or eqn.out.shape != m.shape
                or b.shape != w.shape[1:]):  # a row added to every row (not a broadcast (1,))
            continue
        rows, cols = w.shape
        ones = Const(_with_ones_column(c))
        stacked = fresh((rows + 1, cols))
        span = _adjacent(w, b, at)
        if span is not None:  # [W; b] is a slice of p: a view
            p, start, stop = span
            flat = fresh((stop - start,))
            return j, [type(eqn)(getitem, [p], {"index": slice(start, stop)}, flat),
                       type(eqn)(reshape, [flat], {"shape": (rows + 1, cols)}, stacked),
                       type(eqn)(_MATMUL, [ones, stacked], {}, eqn.out)]
        if c.shape[0] <= rows:  # the join would copy more entries than the add reads
            continue
        row = fresh((1, cols))  # else [W; b] joined: a copy of W, smaller than the product
        return j, [type(eqn)(reshape, [b], {"shape": (1, cols)}, row),
                   type(eqn)(_JOIN, [w, row], {"axis": 0}, stacked),
                   type(eqn)(_MATMUL, [ones, stacked], {}, eqn.out)]
    return None


def _adjacent(w, b, at):
    """``(p, start, stop)`` when ``w`` is ``p[start:k].reshape(w.shape)`` and ``b`` is
    ``p[k:stop]`` (``[W; b]`` is ``p[start:stop]`` reshaped), else None."""
    rows, cols = w.shape
    shaped = at(w)[1]
    if (shaped is None or shaped.prim.name != "reshape"
            or tuple(shaped.params["shape"]) != (rows, cols)):
        return None
    weights, bias = _span(at(shaped.inputs[0])[1]), _span(at(b)[1])
    if (weights is None or bias is None or weights[0] is not bias[0]
            or weights[2] - weights[1] != rows * cols or bias[1] != weights[2]
            or bias[2] - bias[1] != cols):
        return None
    return weights[0], weights[1], bias[2]


def _column_sums(eqns):
    """``{k: j}``: the sum over rows ``eqns[k]`` of a 2-d float64 ``D`` and the first
    product ``eqns[j]`` of a constant matrix by that ``D``."""
    sums = {}
    for k, eqn in enumerate(eqns):
        if (eqn.prim.name == "sum" and tuple(eqn.params["axis"] or ()) == (0,)
                and _float64(eqn.inputs[0], 2)):
            sums.setdefault(eqn.inputs[0].id, k)
    if not sums:
        return {}
    pairs = {}
    for j, eqn in enumerate(eqns):
        if eqn.prim.impl is not np.matmul or eqn.params or len(eqn.inputs) != 2:
            continue
        c, d = eqn.inputs
        k = sums.get(d.id) if isinstance(d, Var) else None
        if (k is not None and k not in pairs and _matrix(c) is not None
                and _float64(d, 2) and eqn.out.dtype == FLOAT64):
            pairs[k] = j
    return pairs


def fold_affine(eqns, outputs):
    """The two folds of the module docstring; the equations they make are numbered after
    every other. The values a fold leaves unread (the slices of ``W`` and ``b``) are left
    for dead-code elimination."""
    pairs = _column_sums(eqns)
    if not pairs and not any(e.prim.impl is np.matmul for e in eqns):
        return eqns
    uses = use_counts(eqns, outputs)
    fresh = FreshVars(eqns)
    result = [[eqn] for eqn in eqns]
    producer = {}
    flat = list(eqns)
    for k, eqn in enumerate(eqns):
        producer[eqn.out.id] = k
        if eqn.prim.impl is np.add and not eqn.params and len(eqn.inputs) == 2:
            folded = _bias_fold(eqn, flat, producer, uses, fresh)
            if folded is not None:
                j, lines = folded
                result[j], flat[j] = [], None
                result[k] = lines
    for k, j in pairs.items():
        total, product = eqns[k], eqns[j]
        if not result[k] or not result[j]:
            continue
        c, d = product.inputs
        rows = c.value.shape[0]
        both = fresh((rows + 1, d.shape[1]))
        index = slice(rows, rows + 1) if total.params["keepdims"] else rows
        lines = [type(product)(_MATMUL, [Const(_with_ones_row(c.value)), d], {}, both),
                 type(product)(getitem, [both], {"index": slice(0, rows)}, product.out),
                 type(total)(getitem, [both], {"index": index}, total.out)]
        first, last = min(j, k), max(j, k)
        result[first], result[last] = lines, []
    return [e for group in result for e in group]
