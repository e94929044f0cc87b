"""The program cache of a compiled function: one entry per input signature (shapes and
dtypes), holding its generated programs or the reason it runs eagerly."""

from __future__ import annotations

import numpy as np

from ..core import FLOAT64
from ..staging import Const

__all__ = ["signature", "same_constants", "Entry"]

_FLOAT64_KEY = np.result_type(FLOAT64).str


def signature(args):
    """The cache key of a call: each argument's shape and dtype (numpy's result type, so
    byte order is not part of it)."""
    if len(args) == 1:  # one float64 array, the call of every solver iteration: no conversion
        a = args[0]
        if type(a) is np.ndarray and a.dtype is FLOAT64:
            return ((a.shape, _FLOAT64_KEY),)
    return tuple((np.shape(a), np.result_type(a).str) for a in args)


def same_constants(p1, p2):
    """True if two recordings of one function have the same equations and constants."""
    if len(p1.eqns) != len(p2.eqns):
        return False
    for e1, e2 in zip(p1.eqns, p2.eqns, strict=True):
        if e1.prim is not e2.prim or len(e1.inputs) != len(e2.inputs):
            return False
        for a, b in zip(e1.inputs, e2.inputs, strict=True):
            if isinstance(a, Const) != isinstance(b, Const):
                return False
            if isinstance(a, Const) and a.value is not b.value:
                try:
                    if not np.array_equal(a.value, b.value):
                        return False
                except (TypeError, ValueError):
                    return False
    return True


class Entry:
    """The programs of one input signature."""

    __slots__ = ("dynamic", "programs", "calls")

    def __init__(self):
        self.dynamic = None     # why this signature runs eagerly, or None
        self.programs = {}      # kind -> generated Python function
        self.calls = {}         # kind -> calls so far, while not compiled (warm-up)
