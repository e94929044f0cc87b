"""Forward mode: a JVP tracer carries (primal, tangent) through every primitive.

Absent tangents are ``None`` (symbolic zeros), so constants cost nothing. Under a reverse
trace (forward-over-reverse: an HVP) a large result's tangent may be a ``Deferred``, computed
when first read: read it with ``tangent_of`` (the trace's own calls do).
"""

from __future__ import annotations

import math
from sys import getrefcount

import numpy as np

from .captured import active, hold_operands
from .core import (
    EXACT_REFCOUNTS,
    FLOAT64,
    ZERO,
    Trace,
    Tracer,
    bind,
    check_complex,
    check_real_args,
    dtype_of,
    is_complex,
    split_args,
)
from .errors import nondiff_argument_error
from .liveness import JVP_KEPT, jvp_kept
from .numpy_dispatch import tracer_pair
from .vspace import tangent_zeros

_new = object.__new__
_ndarray = np.ndarray

__all__ = ["JVPTrace", "JVPTracer", "Deferred", "tangent", "tangent_of"]


_DEFER_MIN_SIZE = 4096  # below this, computing a tangent costs less than deferring it


def tangent(prim, params, ans, primals, carried):
    """The tangent of ``prim``'s output ``ans``: ``carried`` lists (position, tangent) for the
    traced arguments, ``primals`` the arguments' values (entries no rule reads may be None)."""
    jvps = prim.jvps
    # a linear primitive applied to the tangents: one operation (a - b: ta - tb in one pass,
    # not ta + (-tb)); with rules of its own, only when no tangent is absent
    if prim.linear and (prim.derived_jvp or len(carried) == len(primals)):
        targs = list(primals)
        for i, t in carried:
            targs[i] = t
        if len(carried) != len(primals):  # some tangents absent: zeros where a rule needs one
            absent = [True] * len(primals)
            for i, _ in carried:
                absent[i] = False
            for i in range(len(primals)):
                if absent[i] and i < len(jvps) and jvps[i] is not None:
                    targs[i] = tangent_zeros(primals[i])
        out = bind(prim, targs, params)
    else:
        out = None
        for i, t in carried:
            rule = jvps[i] if i < len(jvps) else None
            if rule is ZERO:
                continue
            if rule is None:
                raise nondiff_argument_error(prim, i)
            c = rule(t, ans, *primals, **params)
            if out is None:
                out = c
            elif (out.__class__ is _ndarray and c.__class__ is _ndarray
                  and out.dtype is FLOAT64 and c.dtype is FLOAT64 and out.shape == c.shape
                  and out.flags.owndata and out.flags.writeable
                  and EXACT_REFCOUNTS and getrefcount(out) == 2):
                np.add(out, c, out=out)  # a new array only this sum holds: no temporary
            else:
                out = out + c
    if out is None:
        return tangent_zeros(ans)
    shape = getattr(ans, "shape", ())
    if getattr(out, "shape", ()) != shape:
        out = np.broadcast_to(out, shape)
    return out


class Deferred:
    """A tangent not computed yet: ``tangent(prim, params, ans, primals, carried)``, run by
    ``force`` when first read and kept in ``value``.

    It holds only what the JVP rules read (``liveness.jvp_kept``; mostly what the tape keeps
    for the VJP rules anyway), and lets it go once computed. Its rules are optkit's own
    (``Primitive.deferrable``): pure functions of their inputs, which traced values never
    change (``views``), so the tangent is the one computing at once would give, bit for bit
    (a plain array that ``f`` writes to after using it is read late, as the tape reads it).
    A rule's refusal (a non-differentiable argument) is raised at the call, not deferred.
    """

    __slots__ = ("prim", "params", "ans", "primals", "carried", "value", "__weakref__")

    def __init__(self, prim, params, ans, primals, carried):
        jvps = prim.jvps
        nargs = len(primals)
        if not (prim.linear and (prim.derived_jvp or len(carried) == nargs)):
            for i, _ in carried:  # as ``tangent`` would, at once
                if (jvps[i] if i < len(jvps) else None) is None:
                    raise nondiff_argument_error(prim, i)
        mask = 0
        for i, _ in carried:
            mask |= 1 << i
        keep_ans, keep = JVP_KEPT.get((prim, mask, nargs)) or jvp_kept(prim, mask, nargs)
        self.prim = prim
        self.params = params
        self.ans = ans if keep_ans else _Shape(ans)
        self.primals = primals if keep is None else [
            v if j in keep else None for j, v in enumerate(primals)]
        self.carried = carried
        self.value = None

    def force(self):
        """The tangent, computed once; every deferred tangent it reads is forced first, by
        an explicit stack (a chain of any length, no recursion)."""
        stack = [self]
        while stack:
            d = stack[-1]
            if d.value is not None:
                stack.pop()
                continue
            waiting = [t for _, t in d.carried if t.__class__ is Deferred and t.value is None]
            if waiting:
                stack.extend(waiting)
                continue
            carried = [(i, t.value if t.__class__ is Deferred else t) for i, t in d.carried]
            d.value = tangent(d.prim, d.params, d.ans, d.primals, carried)
            d.params = d.ans = d.primals = d.carried = None  # let the inputs go
            stack.pop()
        return self.value


class _Shape:
    """Stands for a result no JVP rule reads: ``tangent`` needs only its shape and dtype."""

    __slots__ = ("shape", "dtype", "ndim")

    def __init__(self, ans):
        self.shape = getattr(ans, "shape", ())
        self.dtype = dtype_of(ans)
        self.ndim = len(self.shape)


def tangent_of(t):
    """The tangent of ``t``, one of a JVP trace's tracers, computed if it was deferred."""
    b = t._b
    if b.__class__ is Deferred:
        t._b = b = b.force()
    return b


JVPTracer, JVPTracerArray = tracer_pair(
    "JVPTracer", """``_a`` is the primal (one level down), ``_b`` the tangent (same shape).""",
    __name__)


class JVPTrace(Trace):
    __slots__ = ("complex", "captured")
    defers = True  # a reverse trace recording over it gets deferred tangents (see process)

    def __init__(self):
        self.complex = False  # some traced value is complex: real-only rules check arguments
        self.captured = active()  # deferred tangents' plain arrays are held here (captured)

    def new_leaf(self, primal, tangent):
        """The tracer of an input: ``primal`` with its ``tangent``."""
        if getattr(primal, "dtype", None) is not FLOAT64 and is_complex(primal):
            self.complex = True
        return JVPTracer(self, primal, tangent)

    def process(self, prim, args, params, defer=False):
        """Compute ``prim``'s value and tangent. With ``defer`` (``Trace.defers``) the tangent
        of a large result is *deferred*: computed when first read (``Deferred``). A reverse
        trace recording over this one (an HVP's forward pass) asks for it: of the forward
        tangents, its backward pass reads only those of the values its VJP rules read (and
        what they depend on); the rest (at n = 1e6, the Rosenbrock terms summed into f) are
        never computed."""
        primals, carried, lower = split_args(self, args)
        if prim.screened:  # no differentiable argument, or real-only rules
            if prim.nondiff:
                return bind(prim, primals, params)
            if self.complex:
                check_real_args(prim, primals)
        if lower:  # the enclosing level computes (and checks) the value
            ans = bind(prim, primals, params)
            v = ans._a  # a lower level's tracer: test its value
            if getattr(v, "dtype", None) is not FLOAT64 and is_complex(v):
                self.complex = True
        else:
            ans = prim.impl(*primals, **params)
            if getattr(ans, "dtype", None) is not FLOAT64 and check_complex(prim, ans):
                self.complex = True
        pending = False
        for _, t in carried:
            if t.__class__ is Deferred:
                pending = True
        if (defer and not lower and prim.deferrable
                and (pending or ans.__class__ is _ndarray and ans.size >= _DEFER_MIN_SIZE)):
            hold_operands(self.captured, args, params)  # read when forced: held until then
            out = Deferred(prim, params, ans, primals, carried)
        else:
            if pending:
                carried = [(i, t.force() if t.__class__ is Deferred else t) for i, t in carried]
                for a in args:  # read from now on: point the tracers at the arrays
                    if isinstance(a, Tracer) and a._trace is self and a._b.__class__ is Deferred:
                        a._b = a._b.value
            out = tangent(prim, params, ans, primals, carried)
        # inline construction: this is the hot path of every traced operation
        t = _new(JVPTracerArray if getattr(ans, "ndim", 0) else JVPTracer)
        t._trace, t._a, t._b, t._view = self, ans, out, None
        return t

    def owns(self, c):
        # c: held by the backward pass's local, this call's argument and getrefcount's; its
        # primal and tangent: by c alone (and the locals a, t and getrefcount's argument),
        # each a new float64 array
        if (not EXACT_REFCOUNTS or c._trace is not self or c._view is not None
                or getrefcount(c) != 3):
            return False
        a, t = c._a, c._b
        return (a.__class__ is _ndarray and t.__class__ is _ndarray and a is not t
                and a.dtype is FLOAT64 and t.dtype is FLOAT64 and a.shape == t.shape
                and a.flags.owndata and t.flags.owndata and a.flags.writeable
                and t.flags.writeable
                and getrefcount(a) == 3 and getrefcount(t) == 3)

    def inplace(self, fn, g, ans, args, params):
        """A VJP rule is linear in its cotangent: with no argument (nor ``ans``) traced, its
        in-place form applies to the primal and the tangent of ``g`` alike. With one traced,
        a form that declares its map a product (``fn.factor``, see ``scale_inplace``) takes
        the product rule in place; any other declines."""
        traced = isinstance(ans, Tracer)
        for x in args:
            if isinstance(x, Tracer):
                traced = True
        if traced:
            factor = getattr(fn, "factor", None)
            spec = None if factor is None else factor(ans, *args, **params)
            return None if spec is None else self.scale_inplace(g, *spec)
        a = fn(g._a, ans, *args, **params)
        if a is None:
            return None
        t = fn(g._b, ans, *args, **params)  # same dtype and shape as g._a: not declined
        out = _new(JVPTracerArray if a.ndim else JVPTracer)
        out._trace, out._a, out._b, out._view = self, a, t, None
        return out

    def scale_inplace(self, g, y, c):
        """``g * (c * y)`` written over ``g``, a tracer whose primal and tangent arrays the
        backward pass owns (``owns``); None to decline.

        An in-place VJP form declares ``fn.factor(ans, *args, **params) -> (y, c)`` when its
        map is ``g -> g * (c * y)``: ``y`` one of the rule's inputs (or ``ans``), ``c`` a
        power of two. With ``y`` traced the product rule runs on ``g``'s buffers:
        ``g_t <- c g_t y_a + c g_a y_t``, ``g_a <- c g_a y_a``, one temporary instead of five
        (the allocating path forms ``c * y``, then ``g * that``: value, two tangent terms
        and their sum). Scaling ``g`` by ``c`` first is exact, so every product rounds as
        the allocating path's does: the bits are the same.
        """
        if (c != 1.0 and math.frexp(c)[0] != 0.5) or not c:  # not a power of two: inexact
            return None
        ga, gt = g._a, g._b
        if isinstance(y, Tracer):
            if y._trace is not self:
                return None
            ya, yt = y._a, tangent_of(y)
            if (ya.__class__ is not _ndarray or yt.__class__ is not _ndarray
                    or ya.dtype is not FLOAT64 or yt.dtype is not FLOAT64
                    or ya.shape != ga.shape or yt.shape != ga.shape):
                return None
            if c != 1.0:
                np.multiply(ga, c, out=ga)
                np.multiply(gt, c, out=gt)
            tmp = np.multiply(ga, yt)
            np.multiply(gt, ya, out=gt)
            np.add(gt, tmp, out=gt)
            np.multiply(ga, ya, out=ga)
        else:  # a plain factor: the map is linear with plain coefficients, as untraced
            if not (c == 1.0 and (y.__class__ is float or y.__class__ is int
                                  or (y.__class__ is _ndarray or y.__class__ is np.float64)
                                  and y.dtype is FLOAT64
                                  and (y.ndim == 0 or y.shape == ga.shape))):
                return None
            np.multiply(ga, y, out=ga)
            np.multiply(gt, y, out=gt)
        out = _new(JVPTracerArray if ga.ndim else JVPTracer)
        out._trace, out._a, out._b, out._view = self, ga, gt, None
        return out

    def accumulate(self, prim, buf, owned, g, args, params):
        """In place on the primal and the tangent of the cotangent buffer (see ``Trace``):
        ``prim`` is linear, so its accumulation applies to a tangent as to a value. Only for
        float64 arrays with no level below (an HVP's backward pass); the first contribution
        makes a fresh buffer, which the backward pass then owns."""
        a, t = g._a, g._b
        if (type(a) is not np.ndarray or type(t) is not np.ndarray or a.dtype is not FLOAT64
                or t.dtype is not FLOAT64):
            return None
        primals = list(args)
        for i, x in enumerate(args):
            if isinstance(x, Tracer):
                if x._trace is not self or isinstance(x._a, Tracer):
                    return None
                primals[i] = x._a
        if buf is None:
            ba = bt = None
        elif (owned and isinstance(buf, Tracer) and buf._trace is self
              and type(buf._a) is np.ndarray and type(buf._b) is np.ndarray):
            ba, bt = buf._a, buf._b  # fresh arrays made here: nothing else reads them
        else:
            return None
        ba = prim.accumulate(ba, a, *primals, **params)
        bt = prim.accumulate(bt, t, *primals, **params)
        out = _new(JVPTracerArray if ba.ndim else JVPTracer)
        out._trace, out._a, out._b, out._view = self, ba, bt, None
        return out

