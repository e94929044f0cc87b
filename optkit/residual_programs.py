"""Compiled derivative programs of residual functions, kept for the solves that follow.

Staging a Jacobian program costs 10-20 eager Jacobians (tracing it twice, to check it, then
generating code), and a least-squares solve evaluates J 10-60 times: within one solve the
program barely pays for itself. Solves repeat, though (several starts, a fit in a loop, a
benchmark), so each computation of r gets an entry (``Kept``) holding the count of its eager
evaluations over all solves (the warm-up of ``optkit.residual_ad`` is counted there, so a
short solve repeated compiles in its second run) and the programs once staged, which a later
solve of the same computation at the same shapes replays from its first evaluation.

"The same computation" is decided as ``optkit.compile`` decides that two tracings agree
(``compiled.cache.same_recording``): r is traced once at each solve's first derivative (about
a third of an eager J), and the recording must have the same equations, wiring and
parameters, and constants equal by value, as the one kept. That alone would miss an array
changed *in place* between the solves (the kept recording holds it by reference, and the
program may have folded values computed from it), so the bytes of every array the kept
recording reads are copied when it is kept (at most ``SNAPSHOT_BYTES`` in all, else nothing is
kept) and compared again on every look-up: a changed array, a rebound global, other data in a
closure, random numbers, all make a miss, and the solve gets an entry of its own.

A kept program belongs to its first solve's function; it is called only at the signature it
was compiled for, where it never traces that function again. At most ``ENTRIES`` recordings
(and ``TOTAL_BYTES`` of snapshots) are kept, the least recently used dropped first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from .ad.compiled.cache import same_recording, signature
from .ad.staging import Const, stage

__all__ = ["ENTRIES", "SNAPSHOT_BYTES", "TOTAL_BYTES", "Kept", "clear", "entry", "find", "keep",
           "recording"]

ENTRIES = 32
SNAPSHOT_BYTES = 1 << 22  # 4 MB of arrays read by r, copied to check them on a look-up
TOTAL_BYTES = 1 << 24  # the snapshots of all entries together

_lock = threading.Lock()
_kept: OrderedDict = OrderedDict()  # (signature, number of equations) -> [Kept, ...]


class Kept:
    """One recording of r with the bytes of the arrays it reads, its programs by kind, and
    the eager evaluations of each kind made so far."""

    __slots__ = ("recording", "snapshots", "programs", "calls", "nbytes")

    def __init__(self, recording, snapshots):
        self.recording = recording
        self.snapshots = snapshots  # [(array, its bytes when kept), ...]
        self.nbytes = sum(len(b) for _, b in snapshots)
        self.programs = {}  # kind -> its program, compiled at this signature
        self.calls = {}  # kind -> eager evaluations so far, over all solves (the warm-up)

    def unchanged(self):
        return all(a.tobytes() == b for a, b in self.snapshots)


def recording(fun, x):
    """``fun``'s recording at ``x`` with its cache key, or None: r could not be traced
    (it fails, or writes into an array it read), or its trace reads values."""
    try:
        program, _ = stage(fun, (x,))
    except Exception:  # noqa: BLE001 - the solve's own evaluation reports it, if it recurs
        return None
    if program.dynamic_reason is not None:
        return None
    return (signature((x,)), len(program.eqns)), program


_IMMUTABLE = (bool, int, float, complex, str, bytes, type(None), slice, np.generic, np.dtype)


def _arrays(program):
    """The arrays ``program`` reads (its constants, and arrays among its parameters), or
    None when it reads another mutable object (a list, a dict, an object of a class), whose
    change between solves no snapshot of arrays would see."""
    found = {}

    def visit(value):
        if isinstance(value, np.ndarray):
            found[id(value)] = value
            return True
        if isinstance(value, tuple):
            return all(visit(v) for v in value)
        return isinstance(value, _IMMUTABLE)

    for eqn in program.eqns:
        if not all(visit(v.value) for v in eqn.inputs if isinstance(v, Const)):
            return None
        if not all(visit(v) for v in (eqn.params or {}).values()):  # a dict per equation
            return None
    if not all(visit(v.value) for v in program.outputs if isinstance(v, Const)):
        return None
    return list(found.values())


def entry(key_and_recording):
    """The ``Kept`` entry of this recording: found (``find``), else a new one (``keep``);
    None when it cannot be kept."""
    return find(key_and_recording) or keep(key_and_recording)


def find(key_and_recording):
    """The ``Kept`` entry recording the same computation, its arrays unchanged; or None."""
    if key_and_recording is None:
        return None
    key, program = key_and_recording
    with _lock:
        for kept in _kept.get(key, ()):
            if same_recording(kept.recording, program) and kept.unchanged():
                _kept.move_to_end(key)
                return kept
    return None


def keep(key_and_recording):
    """A new ``Kept`` entry for this recording (its arrays' bytes copied now), or None when
    they hold more than ``SNAPSHOT_BYTES``, an array of objects, or the recording reads
    another mutable object (``_arrays``)."""
    if key_and_recording is None:
        return None
    key, program = key_and_recording
    arrays = _arrays(program)
    if (arrays is None or sum(a.nbytes for a in arrays) > SNAPSHOT_BYTES
            or any(a.dtype.hasobject for a in arrays)):
        return None
    kept = Kept(program, [(a, a.tobytes()) for a in arrays])
    with _lock:
        _kept.setdefault(key, []).insert(0, kept)
        _kept.move_to_end(key)
        while (sum(len(v) for v in _kept.values()) > ENTRIES
               or sum(k.nbytes for v in _kept.values() for k in v) > TOTAL_BYTES):
            oldest = next(iter(_kept))
            _kept[oldest].pop()
            if not _kept[oldest]:
                del _kept[oldest]
    return kept


def clear():
    """Drop every kept program (for tests, and for a benchmark's first solves)."""
    with _lock:
        _kept.clear()
