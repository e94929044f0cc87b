"""Which inputs a VJP rule reads: the tape keeps only those alive (and likewise for the JVP
rules, what a deferred tangent keeps: ``jvp_kept``).

A reverse pass must keep, until the backward sweep, every value some rule will read; anything
else held by the tape only bloats the working set (at n = 1e6 that is the difference between
cache and main memory). ``kept(prim, i)`` answers, for the VJP rule of argument ``i``, which of
(``ans``, argument 0, argument 1, ...) it reads, by looking at the rule's bytecode once.
"""

from __future__ import annotations

import dis
import inspect

from .core import ZERO

__all__ = ["kept_positions", "KEPT", "jvp_kept", "JVP_KEPT"]

# kept_positions' answers by (prim, mask, nargs): the tape reads it first, on its hot path
KEPT: dict = {}
# jvp_kept's, likewise, for the JVP trace's deferred tangents
JVP_KEPT: dict = {}


def _loaded_names(fn):
    code = getattr(fn, "__code__", None)
    if code is None:
        return None  # not a plain function: assume it reads everything
    names = set(code.co_cellvars)  # captured by an inner function: read somewhere
    for ins in dis.get_instructions(code):
        if ins.opname.startswith("LOAD_FAST") or ins.opname.startswith("LOAD_DEREF"):
            value = ins.argval
            names.update(value if isinstance(value, tuple) else (value,))
    return names


def _rule_reads(rule, nargs):
    """(reads ans, tuple of argument positions read) for ``rule(g, ans, *args, **params)``."""
    loaded = _loaded_names(rule)
    if loaded is None:
        return True, tuple(range(nargs))
    try:
        params = list(inspect.signature(rule).parameters.values())
    except (TypeError, ValueError):
        return True, tuple(range(nargs))
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    var = [p for p in params if p.kind == p.VAR_POSITIONAL]
    if len(positional) < 2:
        return True, tuple(range(nargs))
    reads_ans = positional[1].name in loaded
    arg_params = positional[2:]
    read = [j for j, p in enumerate(arg_params[:nargs]) if p.name in loaded]
    if len(arg_params) < nargs:  # the rest arrive through *args
        if not var or var[0].name in loaded:
            read.extend(range(len(arg_params), nargs))
    return reads_ans, tuple(read)


def _union_of_reads(rules, mask, nargs, opaque):
    """(reads ans, positions read, or None for all) over the rules of the traced arguments
    (the set bits of ``mask``); a rule that is not a plain callable is skipped
    (``opaque='skip'``) or read as reading everything (``opaque='all'``)."""
    keep_ans = False
    keep = set()
    for i in range(nargs):
        rule = rules[i] if i < len(rules) else None
        if not mask >> i & 1 or rule is None or rule is ZERO:
            continue
        if not callable(rule):
            if opaque == "all":
                return True, None
            continue
        a, read = _rule_reads(rule, nargs)
        keep_ans |= a
        keep.update(read)
    return keep_ans, None if len(keep) == nargs else frozenset(keep)


def kept_positions(prim, mask, nargs):
    """(keep ans, positions of args to keep, or None for all) for a node of ``prim`` whose
    traced arguments are the set bits of ``mask``; cached under ``(prim, mask, nargs)``."""
    if prim.accumulate is not None:
        result = (True, None)  # the in-place accumulate path reads its arguments
    else:
        result = _union_of_reads(prim.vjps, mask, nargs, opaque="skip")
    KEPT[(prim, mask, nargs)] = result
    return result


def jvp_kept(prim, mask, nargs):
    """As ``kept_positions``, for the JVP rules: what a deferred tangent of ``prim``
    (``forward.Deferred``) must keep, its traced arguments the set bits of ``mask``.

    A linear primitive applied to the tangents themselves reads its untraced arguments."""
    if prim.linear and (prim.derived_jvp or mask == (1 << nargs) - 1):
        result = (False, frozenset(i for i in range(nargs) if not mask >> i & 1))
    else:
        result = _union_of_reads(prim.jvps, mask, nargs, opaque="all")
    JVP_KEPT[(prim, mask, nargs)] = result
    return result
