"""Reverse mode: a tape of nodes recorded in evaluation order, swept backwards once.

Nodes are appended to the tape as they are created, so the tape is already a topological
order: the backward pass is one reverse loop, with no recursion and no sort. Each node keeps
its inputs only until its cotangent has been pushed to its parents, then lets them go.

The pass tracks which cotangents are *owned*: arrays it made and no one else holds. It adds
into those in place, and a VJP rule with an ``inplace`` attribute, ``rule.inplace(g, ans,
*args, **params)``, may overwrite an owned float64 ``g`` of the output's shape that only it
consumes (returning the cotangent, or None to decline): each saves a full-size temporary.
"""

from __future__ import annotations

import math
from sys import getrefcount

import numpy as np

from .captured import active
from .core import (
    EXACT_REFCOUNTS,
    FLOAT64,
    ZERO,
    Trace,
    Tracer,
    bind,
    check_complex,
    check_real_args,
    is_complex,
    split_args,
    unbroadcast,
    value_of,
)
from .errors import nondiff_argument_error
from .liveness import KEPT, kept_positions
from .numpy_dispatch import tracer_pair
from .vspace import tangent_dtype

_new = object.__new__
_ndarray = np.ndarray
# parameters that hold no array (axes, slices, flags): the in-place guard skips them
_SCALAR_PARAMS = frozenset({int, float, bool, slice, str, type(None)})
_LIVENESS_MIN_SIZE = 4096  # below this, arrays sit in cache anyway: skip the bookkeeping

__all__ = ["ReverseTrace", "ReverseTracer", "Node", "backward"]


class Node:
    """One recorded primitive call: ``parents`` are (argument index, parent node) pairs."""

    __slots__ = ("prim", "args", "params", "ans", "parents", "ct", "owned", "shape")
    cplx = False  # the value is real: its cotangent is kept real (see ComplexNode)

    def __init__(self, prim, args, params, ans, parents, shape):
        self.prim = prim
        self.args = args
        self.params = params
        self.ans = ans
        self.parents = parents
        self.ct = None
        self.owned = False  # ct is a buffer the backward pass allocated and may add into
        self.shape = shape


class ComplexNode(Node):
    """A node whose value is complex. Cotangents follow JAX's convention (``vspace``): the
    transpose for the pairing ``Re(sum(a * b))``. A cotangent such a node pushes to a real
    parent is projected on the real line there, so every real node's cotangent stays real."""

    __slots__ = ()
    cplx = True


ReverseTracer, ReverseTracerArray = tracer_pair(
    "ReverseTracer", """``_a`` is the value (one level down), ``_b`` the node that produced it.""",
    __name__)


class ReverseTrace(Trace):
    __slots__ = ("tape", "complex", "captured")

    def __init__(self):
        self.tape = []
        # the plain arrays the tape keeps are held read-only here until the outermost
        # differentiation ends (captured.holding); None outside one
        self.captured = active()
        # some node is complex: the backward pass then projects, and real-only rules check
        # their arguments (check_real_args)
        self.complex = False

    def new_leaf(self, value):
        cls = Node
        if getattr(value, "dtype", None) is not FLOAT64 and is_complex(value):
            cls = ComplexNode
            self.complex = True
        node = cls(None, None, None, value, (), getattr(value, "shape", ()))
        return ReverseTracer(self, value, node)

    def process(self, prim, args, params):
        # the plain arrays a node keeps, held read-only until the outermost differentiation
        # ends (captured.holding); none for a primitive it does not record (nondiff)
        cap = None if prim._nondiff else self.captured
        vals, parents, lower = split_args(self, args, cap)
        if prim.screened:  # no differentiable argument, or real-only rules
            if prim.nondiff:
                return bind(prim, vals, params)
            if self.complex:
                check_real_args(prim, vals)
        if params and cap is not None:  # index arrays: in a parameter of another type
            for p in params.values():
                if p.__class__ not in _SCALAR_PARAMS:
                    cap.hold_params(params)
                    break
        cls = Node
        if lower:  # the enclosing level computes (and checks) the value
            ans = bind(prim, vals, params, True)  # a value only: see Trace.defers
            v = ans._a  # a lower level's tracer (an HVP: a JVP tracer); test its value
            if getattr(v, "dtype", None) is not FLOAT64 and is_complex(v):
                cls = ComplexNode
                self.complex = True
        else:
            ans = prim.impl(*vals, **params)
            if getattr(ans, "dtype", None) is not FLOAT64 and check_complex(prim, ans):
                cls = ComplexNode
                self.complex = True
        keep_ans = True
        if getattr(ans, "size", 1) >= _LIVENESS_MIN_SIZE:
            # let go of inputs no VJP rule of this node reads: a smaller working set in cache
            nargs = len(vals)
            mask = 0  # bit i: argument i is traced here
            for j, _ in parents:
                mask |= 1 << j
            keep_ans, keep = (KEPT.get((prim, mask, nargs))
                              or kept_positions(prim, mask, nargs))
            if keep is not None:
                vals = [v if j in keep else None for j, v in enumerate(vals)]
        node = cls(prim, vals, params, ans if keep_ans else None, parents,
                   getattr(ans, "shape", ()))
        self.tape.append(node)
        # inline construction: this is the hot path of every traced operation
        t = _new(ReverseTracerArray if getattr(ans, "ndim", 0) else ReverseTracer)
        t._trace, t._a, t._b, t._view = self, ans, node, None
        return t


def backward(trace, out_node, g, leaves, keep=False):
    """Push cotangent ``g`` from ``out_node`` back to ``leaves``; return their cotangents.

    Runs after ``trace``'s level is closed, so the rules' own numpy calls are traced by the
    enclosing levels only (that is how a derivative of a derivative is taken). The tape is
    consumed; unless ``keep``, each node also drops its inputs once used.

    Where the output is not finite (f is NaN or inf at x: log of a negative number, x / 0),
    the rules' arithmetic on those values would warn too; numpy has already warned about the
    user's own computation, so the pass runs with numpy's floating-point warnings off.
    """
    value = value_of(out_node.ans)
    if value.__class__ is np.float64 or value.__class__ is float:  # the common scalar f
        finite = math.isfinite(value)
    else:
        finite = value is None or np.all(np.isfinite(value))
    if not finite:
        with np.errstate(all="ignore"):
            return _backward(trace, out_node, g, leaves, keep)
    return _backward(trace, out_node, g, leaves, keep)


def _backward(trace, out_node, g, leaves, keep):
    out_node.ct = g
    out_node.owned = False
    tape = trace.tape
    trace.tape = None
    any_complex = trace.complex  # else every node is real: no projection to test for
    pop = tape.pop
    for _ in range(len(tape)):
        node = pop()  # last recorded first; popping lets each node go once it is done
        g = node.ct
        if g is None:
            continue
        node.ct = None
        prim = node.prim
        args = node.args
        params = node.params
        ans = node.ans
        vjps = prim.vjps
        plain = not isinstance(g, Tracer)
        cplx = any_complex and node.cplx
        # g is a private array with one consumer: a rule's in-place form may overwrite it
        mine = (node.owned and len(node.parents) == 1 and not cplx
                and (not plain or g.__class__ is _ndarray and g.ndim > 0))
        for i, parent in node.parents:
            rule = vjps[i] if i < len(vjps) else None
            if rule is ZERO:
                continue
            if rule is None:
                raise nondiff_argument_error(prim, i)
            pct = parent.ct
            if i == 0 and prim.accumulate is not None and not cplx:
                if plain:
                    if not isinstance(pct, Tracer):  # a traced pct must stay traced
                        if pct is not None and not parent.owned:
                            pct = np.array(pct, dtype=tangent_dtype(pct))
                        parent.ct = prim.accumulate(pct, g, *args, **params)
                        parent.owned = True
                        continue
                else:  # a traced cotangent (an HVP): its trace may accumulate in place
                    ct = g._trace.accumulate(prim, pct, parent.owned, g, args, params)
                    if ct is not None:
                        parent.ct = ct
                        parent.owned = True
                        continue
            if (mine and (inplace := getattr(rule, "inplace", None)) is not None
                    and (c := (inplace(g, ans, *args, **params) if plain else
                               g._trace.inplace(inplace, g, ans, args, params))) is not None):
                fresh = True  # g, overwritten: still private
            else:
                c = rule(g, ans, *args, **params)
                fresh = False
            if getattr(c, "shape", ()) != parent.shape:
                c = unbroadcast(c, parent.shape)
            if cplx and not parent.cplx and is_complex(c):
                c = np.real(c)  # a real value's cotangent is real (JAX's convention)
            if pct is None:
                # a new array that no one else holds (only c and getrefcount's argument) and
                # that owns its memory: the pass may add into it, or a rule's in-place form
                # overwrite it
                if c.__class__ is _ndarray:
                    # small arrays sit in cache: the test would cost more than it saves
                    parent.owned = (c.size >= _LIVENESS_MIN_SIZE and c.dtype is FLOAT64
                                    and c.flags.owndata
                                    and c.flags.writeable
                                    and (fresh or (EXACT_REFCOUNTS and getrefcount(c) == 2)))
                else:  # a tracer (an HVP) may be owned too: its trace says
                    parent.owned = (parent.shape != () and isinstance(c, Tracer)
                                    and (fresh or c._trace.owns(c)))
                parent.ct = c
            elif (parent.owned and plain and not isinstance(c, Tracer)
                  and not isinstance(pct, Tracer) and not (any_complex and parent.cplx)):
                np.add(pct, c, out=pct)
            else:
                parent.ct = pct + c
                parent.owned = (plain and not isinstance(parent.ct, Tracer)
                                and getattr(parent.ct, "ndim", 0) > 0)
        if not keep:
            node.args = node.ans = None
    out = []
    for leaf in leaves:
        out.append(leaf.ct)
        leaf.ct = None
    return out
