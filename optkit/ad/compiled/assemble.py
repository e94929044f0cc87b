"""A vector assembled from pieces: scatters into disjoint slices that cover it, one join.

The gradient of a function of a flat parameter vector ``p`` that reads ``p`` in pieces
(``W1 = p[:2048].reshape(32, 64)``, ``b1 = p[2048:2112]``, ...) is the sum of the pieces'
cotangents scattered back: a zero vector, then each piece written or added at its slice
(``fuse_scatter_adds``), a call per piece and one more. When the slices are disjoint and
together cover the vector, each entry is one piece's entry plus zeros, so the sum is the
pieces joined in the order of their slices, one ``concatenate``:

    scatter(g1, a:b) + scatter(g2, b:c) + scatter(g3, c) -> concatenate([g1, g2, [g3]])

with ``n`` the vector's length, ``0 = a < b < c = n - 1``. Exact (``x + 0 == x``; only a
zero's sign may differ, ``-0 + 0`` being ``+0``). Applied to a sum of at least two scatters
into a float64 vector, each scatter of a 1-d float64 piece at a slice of unit step or at one
element, each scatter and partial sum used once.
"""

from __future__ import annotations

import itertools

import numpy as np

from ..core import FLOAT64
from ..rules.joining import concatenate_of
from ..rules.shape import reshape
from ..staging import Var
from .passes import use_counts

__all__ = ["join_scatters"]


def _piece(eqn, n):
    """``(start, stop)`` of the scatter ``eqn`` into a vector of ``n`` entries, or None."""
    if eqn.prim.name != "scatter_add" or tuple(eqn.params["shape"]) != (n,):
        return None
    g, index = eqn.inputs[0], eqn.params["index"]
    if not isinstance(g, Var) or g.dtype != FLOAT64:
        return None
    if isinstance(index, (int, np.integer)) and not isinstance(index, bool):
        start = int(index) % n if -n <= index < n else None
        return None if start is None or g.shape != () else (start, start + 1)
    if type(index) is slice:
        start, stop, step = index.indices(n)
        if step == 1 and stop > start and g.shape == (stop - start,):
            return start, stop
    return None


def _counts(eqns, uses):
    """``{k: number of scatters}`` for each sum ``eqns[k]`` of scatters into a float64
    vector (each used once) at a slice or an element, with no more scatters than entries
    (more would overlap); one forward sweep."""
    count, producer, sums = {}, {}, {}
    for k, eqn in enumerate(eqns):
        producer[eqn.out.id] = k
        shape = eqn.out.shape
        if len(shape) != 1 or eqn.out.dtype != FLOAT64:
            continue
        if _piece(eqn, shape[0]) is not None:
            count[eqn.out.id] = 1
        elif eqn.prim.impl is np.add and not eqn.params and len(eqn.inputs) == 2:
            a, b = (count.get(v.id) if isinstance(v, Var) and uses[v.id] == 1
                    and v.shape == shape else None for v in eqn.inputs)
            if a is not None and b is not None and a + b <= shape[0]:
                count[eqn.out.id] = sums[k] = a + b
    return sums, producer


def _tree(k, eqns, producer):
    """The spans ``((start, stop), j)`` of the scatters ``eqns[j]`` summed by ``eqns[k]``
    and the sums inside, ``k`` included."""
    n = eqns[k].out.shape[0]
    spans, sums, stack = [], [], [k]
    while stack:
        j = stack.pop()
        eqn = eqns[j]
        if eqn.prim.name == "scatter_add":
            spans.append((_piece(eqn, n), j))
        else:
            sums.append(j)
            stack.extend(producer[v.id] for v in eqn.inputs)
    return sorted(spans), sums


def join_scatters(eqns, outputs):
    """The rewrite of the module docstring, for each largest such sum."""
    if sum(eqn.prim.name == "scatter_add" for eqn in eqns) < 2:
        return eqns
    sums, producer = _counts(eqns, use_counts(eqns, outputs))
    fresh = None
    result = [[eqn] for eqn in eqns]
    done = set()
    for k in sorted(sums, reverse=True):  # the outermost sum first
        if k in done:
            continue
        spans, inner = _tree(k, eqns, producer)
        done.update(inner)
        n = eqns[k].out.shape[0]
        if spans[0][0][0] != 0 or spans[-1][0][1] != n or any(
                a[1] != b[0] for (a, _), (b, _) in itertools.pairwise(spans)):
            continue  # overlapping slices, or a gap
        eqn, lines, pieces = eqns[k], [], []
        for _, j in spans:
            g = eqns[j].inputs[0]
            if g.shape == ():
                if fresh is None:  # new variables are numbered after every other
                    fresh = max([e.out.id for e in eqns] + [v.id for e in eqns
                                                            for v in e.inputs
                                                            if isinstance(v, Var)])
                fresh += 1
                one = Var(fresh, np.empty(0))
                one.shape, one.dtype = (1,), g.dtype
                lines.append(type(eqn)(reshape, [g], {"shape": (1,)}, one))
                g = one
            pieces.append(g)
        lines.append(type(eqn)(concatenate_of(len(pieces)), pieces, {"axis": 0}, eqn.out))
        for j in [j for _, j in spans] + inner:
            result[j] = []
        result[k] = lines
    return [e for group in result for e in group]
