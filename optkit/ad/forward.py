"""Forward mode: a JVP tracer carries (primal, tangent) through every primitive.

Absent tangents are ``None`` (symbolic zeros), so constants cost nothing.
"""

from __future__ import annotations

import numpy as np

from .core import FLOAT64, ZERO, Trace, Tracer, bind, check_real
from .numpy_dispatch import ArrayTracer, ScalarTracer

_new = object.__new__

__all__ = ["JVPTrace", "JVPTracer"]


class JVPTracer(ScalarTracer):
    """``_a`` is the primal (one level down), ``_b`` the tangent (same shape)."""

    __slots__ = ()

    def __new__(cls, trace, primal, tangent):
        # arrays get the sequence protocol (indexing, len); 0-d values must not have it
        if cls is JVPTracer and getattr(primal, "ndim", 0):
            cls = JVPTracerArray
        return object.__new__(cls)

    def __init__(self, trace, primal, tangent):
        self._trace = trace
        self._a = primal
        self._b = tangent
        self._view = None



class JVPTracerArray(JVPTracer, ArrayTracer):
    """A JVPTracer of an array with at least one dimension."""

    __slots__ = ()

class JVPTrace(Trace):
    __slots__ = ()

    def process(self, prim, args, params):
        if prim.nondiff:
            return bind(prim, [a._a if isinstance(a, Tracer) and a._trace is self else a
                               for a in args], params)
        primals = list(args)
        tangents = [None] * len(args)
        lower = False  # does any argument carry a tracer of an enclosing level?
        i = 0  # counted by hand: cheaper than enumerate on this hot path
        for a in args:
            if isinstance(a, Tracer):
                if a._trace is self:
                    primals[i] = p = a._a
                    tangents[i] = a._b
                    if isinstance(p, Tracer):
                        lower = True
                else:
                    lower = True
            i += 1
        if lower:  # the enclosing level computes (and checks) the value
            ans = bind(prim, primals, params)
        else:
            ans = prim.impl(*primals, **params)
            if getattr(ans, "dtype", None) is not FLOAT64:
                check_real(prim, ans)
        jvps = prim.jvps
        # a linear primitive applied to the tangents: one operation (a - b: ta - tb in one pass,
        # not ta + (-tb)); with rules of its own, only when no tangent is absent
        if prim.linear and (prim.derived_jvp or _all_present(tangents)):
            targs = list(primals)
            for i, t in enumerate(tangents):
                if t is not None:
                    targs[i] = t
                elif i < len(prim.jvps) and prim.jvps[i] is not None:
                    targs[i] = np.zeros_like(primals[i], dtype=float)
            out = bind(prim, targs, params)
        else:
            out = None
            for i, t in enumerate(tangents):
                if t is None:
                    continue
                rule = jvps[i] if i < len(jvps) else None
                if rule is ZERO:
                    continue
                if rule is None:
                    raise _nondiff_argument(prim, i)
                c = rule(t, ans, *primals, **params)
                out = c if out is None else out + c
        if out is None:
            out = np.zeros_like(ans, dtype=float)
        else:
            shape = getattr(ans, "shape", ())
            if getattr(out, "shape", ()) != shape:
                out = np.broadcast_to(out, shape)
        # inline construction: this is the hot path of every traced operation
        t = _new(JVPTracerArray if getattr(ans, "ndim", 0) else JVPTracer)
        t._trace, t._a, t._b, t._view = self, ans, out, None
        return t


def _all_present(tangents):
    for t in tangents:
        if t is None:
            return False
    return True


def _nondiff_argument(prim, i):
    from .core import NotDifferentiableError

    return NotDifferentiableError(
        f"argument {i} of {prim.name!r} is not differentiable (it is an index, shape or flag); "
        "pass a constant there"
    )
