"""Large outer products as matrix products of depth 2.

The reverse pass of ``h @ w`` with ``w`` a column writes the outer product ``g w^T``, an
``(m, 1) @ (1, n)`` product; forward-over-reverse writes the sum of two
(``dg w^T + g dw^T``). numpy is slow at both forms that compute it one product per entry: a
BLAS call with a contraction of length 1, and a broadcast multiplication, which numpy runs
row by row (measured on one OpenBLAS thread, 256 x 64 entries: 22 us as a BLAS call, 12 us
as a multiplication), while a BLAS call contracting 2 takes 4.6 us (two joins of the
operands included, 4.8 us). So, for outer products of at least ``_MIN_ENTRIES`` entries
(below it the multiplication is faster: 64 x 64, 4.3 us against 2.8 us; 30 x 20, 1.3 against
2.2):

- ``a @ b + c @ d -> [a | c] @ [b; d]`` (``a``, ``c`` columns, ``b``, ``d`` rows, each
  product used once): each entry is the sum of the same two products, added by BLAS.
- ``a @ b -> [a | 0] @ [b; 0]``: each entry is ``a_i b_j + 0 * 0``, the product itself
  (``x + 0 == x``; only a zero product's sign may differ, ``-0 + 0`` being ``+0``).

Exact up to summation order (BLAS may fuse a product into its sum) and the sign of a zero.
The smaller outer products are left to ``algebra.outer_matmuls`` (one multiplication).
"""

from __future__ import annotations

import numpy as np

from ..core import FLOAT64, ufunc_primitives
from ..rules.joining import concatenate_of
from ..staging import Const, Var
from .passes import FreshVars, use_counts

__all__ = ["outer_products", "MIN_ENTRIES"]

_MATMUL = ufunc_primitives[np.matmul]
_JOIN = concatenate_of(2)
MIN_ENTRIES = 4096


def _shape(v):
    return np.shape(v.value) if isinstance(v, Const) else v.shape


def _dtype(v):
    return np.result_type(v.value) if isinstance(v, Const) else v.dtype


def _outer(eqn):
    """``(a, b)`` if ``eqn`` is a float64 ``(m, 1) @ (1, n)`` product of at least
    ``MIN_ENTRIES`` entries, else None."""
    if eqn is None or eqn.prim.impl is not np.matmul or eqn.params or len(eqn.inputs) != 2:
        return None
    a, b = eqn.inputs
    sa, sb = _shape(a), _shape(b)
    if (len(sa) != 2 or len(sb) != 2 or sa[1] != 1 or sb[0] != 1
            or sa[0] * sb[1] < MIN_ENTRIES
            or not _dtype(a) == _dtype(b) == eqn.out.dtype == FLOAT64):
        return None
    return a, b


def _depth_two(eqn, columns, rows, fresh):
    """The equations of ``[columns] @ [rows]`` computing ``eqn.out``."""
    (m, _), (_, n) = _shape(columns[0]), _shape(rows[0])
    left, right = fresh((m, 2)), fresh((2, n))
    return [type(eqn)(_JOIN, list(columns), {"axis": 1}, left),
            type(eqn)(_JOIN, list(rows), {"axis": 0}, right),
            type(eqn)(_MATMUL, [left, right], {}, eqn.out)]


def outer_products(eqns, outputs):
    """The two rewrites of the module docstring; the equations they make are numbered after
    every other."""
    if not any(_outer(e) for e in eqns):
        return eqns
    uses = use_counts(eqns, outputs)
    fresh = FreshVars(eqns)
    producer = {eqn.out.id: k for k, eqn in enumerate(eqns)}
    result = [[eqn] for eqn in eqns]
    done = set()
    for k, eqn in enumerate(eqns):  # sums of two outer products first
        if eqn.prim.impl is not np.add or eqn.params or len(eqn.inputs) != 2:
            continue
        found = [producer.get(v.id) if isinstance(v, Var) and uses[v.id] == 1 else None
                 for v in eqn.inputs]
        if None in found or found[0] == found[1] or done.intersection(found):
            continue
        pair = [_outer(eqns[j]) for j in found]
        if None in pair or _shape(eqns[found[0]].out) != eqn.out.shape:
            continue
        (a, b), (c, d) = pair
        if _shape(eqns[found[1]].out) != eqn.out.shape:
            continue
        result[k] = _depth_two(eqn, (a, c), (b, d), fresh)
        for j in found:
            result[j] = []
        done.update(found)
    for j, eqn in enumerate(eqns):
        ab = None if j in done else _outer(eqn)
        if ab is not None:
            (m, _), (_, n) = _shape(ab[0]), _shape(ab[1])
            zeros = [Const(_zeros((m, 1))), Const(_zeros((1, n)))]
            result[j] = _depth_two(eqn, (ab[0], zeros[0]), (ab[1], zeros[1]), fresh)
    return [e for group in result for e in group]


def _zeros(shape):
    z = np.zeros(shape)
    z.flags.writeable = False
    return z
