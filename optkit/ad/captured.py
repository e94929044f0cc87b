"""Arrays captured by a recording are held read-only until it ends.

A recording (``staging.stage``) keeps the numpy arrays a traced computation reads (closed-over
constants, index arrays) by *reference*, as autograd's tape does: copying them would cost a
pass over every closed-over design matrix on every trace. A function that writes into such an
array after a traced computation used it would then leave the mutated values in the program,
and in the convexity analysis that reads it, silently.

The choice (of three considered): each captured writeable array, and each writeable array it
is a view of (its ``base`` chain), is made read-only (``flags.writeable = False``) for the rest
of the recording, so the write raises inside f at the line that makes it; flags are restored
when the recording ends, whether f returned or raised. The cost is one flag per captured array
(and base), whatever its size: a 20000 x 200 design matrix is not copied. Copying small arrays
instead (another option) would not help the gradient: the reverse pass reads a constant after f
returned, so it would see the mutated value anyway; comparing snapshots of every array at the
end (the third) would copy the large ones.

One hole is left by flags alone: a view made *before* the array was captured keeps its own
flag, so a write through it still succeeds. Arrays of at most ``SNAPSHOT_BYTES`` are therefore
also copied at capture and compared when the recording ends; a write into a larger array
through such an older view is not detected.

Writing into an array *before* a traced computation reads it (building it up, then using it)
is unaffected: only captured arrays are locked, from their first use on.
"""

from __future__ import annotations

import numpy as np

__all__ = ["InPlaceWriteError", "Captured", "SNAPSHOT_BYTES"]

SNAPSHOT_BYTES = 1 << 16  # arrays up to this size are also compared when the recording ends

_ADVICE = ("optkit records the arrays a traced computation reads by reference and holds them "
           "read-only while it traces, so an array may not be modified in place after a "
           "traced computation used it: build a new array instead (np.where, "
           "np.concatenate, or .copy() it before modifying)")


class InPlaceWriteError(ValueError):
    """f modified an array in place after a traced computation used it."""


class Captured:
    """The arrays one recording captured: locked while it runs (``hold``), released at its
    end (``release``), which also checks the small ones for writes through older views."""

    __slots__ = ("_held", "_locked", "_snapshots")

    def __init__(self):
        self._held = {}        # id -> array (held, so that an id is not reused meanwhile)
        self._locked = []      # (depth in its base chain, array) made read-only here
        self._snapshots = []   # (array, copy at capture)

    def hold(self, a):
        """Capture ``a`` (an ndarray) for the rest of the recording."""
        if id(a) in self._held:
            return
        self._held[id(a)] = a
        if a.nbytes <= SNAPSHOT_BYTES and not a.dtype.hasobject:
            self._snapshots.append((a, a.copy()))
        chain = [a]
        while isinstance(chain[-1].base, np.ndarray):
            chain.append(chain[-1].base)
        for depth, b in enumerate(reversed(chain)):  # depth: its bases above it
            if b.flags.writeable:
                b.flags.writeable = False
                self._locked.append((depth, b))

    def hold_all(self, obj):
        """Capture the arrays in a primitive's parameters (tuples, lists, dicts of them)."""
        if isinstance(obj, np.ndarray):
            self.hold(obj)
        elif isinstance(obj, (tuple, list)):
            for item in obj:
                self.hold_all(item)
        elif isinstance(obj, dict):
            for item in obj.values():
                self.hold_all(item)

    def release(self, check=True):
        """Restore the flags (bases before their views: numpy refuses a writeable view of a
        read-only base); then, with ``check``, raise ``InPlaceWriteError`` if a small
        captured array changed."""
        locked, self._locked = self._locked, []
        for _, b in sorted(locked, key=lambda item: item[0]):
            b.flags.writeable = True
        snapshots, self._snapshots = self._snapshots, []
        self._held = {}
        for a, before in snapshots if check else ():
            if a.tobytes() != before.tobytes():
                raise InPlaceWriteError(
                    f"f modified an array of shape {a.shape} after a traced computation used "
                    f"it (through a view made before that use); {_ADVICE}")

    def explain(self, exc):
        """``exc`` as an ``InPlaceWriteError`` when it is a write into an array this
        recording holds read-only (numpy says only 'read-only'), else None."""
        if self._locked and isinstance(exc, ValueError) and "read-only" in str(exc):
            return InPlaceWriteError(f"f wrote into a read-only array while traced ({exc}); "
                                     f"{_ADVICE}")
        return None
