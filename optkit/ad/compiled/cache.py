"""The program cache of a compiled function: one entry per input signature (shapes and
dtypes), holding its generated programs or the reason it runs eagerly."""

from __future__ import annotations

import numpy as np

from ..core import FLOAT64
from ..staging import Const

__all__ = ["signature", "same_recording", "Entry"]

_FLOAT64_KEY = np.result_type(FLOAT64).str


def signature(args):
    """The cache key of a call: each argument's shape and dtype (numpy's result type, so
    byte order is not part of it)."""
    if len(args) == 1:  # one float64 array, the call of every solver iteration: no conversion
        a = args[0]
        if type(a) is np.ndarray and a.dtype is FLOAT64:
            return ((a.shape, _FLOAT64_KEY),)
    return tuple((np.shape(a), np.result_type(a).str) for a in args)


def same_recording(p1, p2):
    """True if two recordings of one function are the same program: the same equations
    (primitives and parameters), constants and wiring (which value each equation reads and
    which values are the outputs: f returning u - v on one call and v - u on the next records
    the same equations and constants, and ``x[i]`` with another index array the same
    equations and no constant at all)."""
    if len(p1.eqns) != len(p2.eqns) or len(p1.outputs) != len(p2.outputs):
        return False
    if not all(_same_input(a, b) for a, b in zip(p1.outputs, p2.outputs, strict=True)):
        return False
    for e1, e2 in zip(p1.eqns, p2.eqns, strict=True):
        if e1.prim is not e2.prim or len(e1.inputs) != len(e2.inputs):
            return False
        if not all(_same_input(a, b) for a, b in zip(e1.inputs, e2.inputs, strict=True)):
            return False
        if e1.params is not e2.params and not _same_value(e1.params, e2.params):
            return False
    return True


def _same_input(a, b):
    """Constants equal in value, or variables of the same number (recordings number their
    variables in order, so equal recordings number them alike)."""
    if isinstance(a, Const) or isinstance(b, Const):
        return isinstance(a, Const) and isinstance(b, Const) and _same_value(a.value, b.value)
    return a.id == b.id


def _same_value(a, b):
    """Equal values of the same type (arrays: shape, dtype and entries, NaN equal to NaN;
    containers entry by entry); False when unsure."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        if a.shape != b.shape or a.dtype != b.dtype or a.dtype.hasobject:
            return False
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(map(_same_value, a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same_value(a[k], b[k]) for k in a)
    if isinstance(a, slice):
        return _same_value((a.start, a.stop, a.step), (b.start, b.stop, b.step))
    if isinstance(a, (float, complex, np.inexact)) and a != a and b != b:
        return True  # NaN
    try:
        equal = a == b
    except Exception:  # noqa: BLE001 - an object that cannot be compared: not the same
        return False
    return bool(equal) if isinstance(equal, (bool, np.bool_)) else False


class Entry:
    """The programs of one input signature."""

    __slots__ = ("dynamic", "programs", "calls")

    def __init__(self):
        self.dynamic = None     # why this signature runs eagerly, or None
        self.programs = {}      # kind -> generated Python function
        self.calls = {}         # kind -> calls so far, while not compiled (warm-up)
