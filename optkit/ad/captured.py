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
through such an older view is not detected. Nor is a write into a larger array whose memory
lives in a read-only buffer yet is writeable (unpickled with protocol < 5, its data in a
``bytes``): numpy would not let its flag be restored, so it is never locked.

Writing into an array *before* a traced computation reads it (building it up, then using it)
is unaffected: only captured arrays are locked, from their first use on.

Eager differentiation (``grad``, ``value_and_grad``, ``jvp``, ``hvp``, ``jacobian``, ``vjp``)
keeps its constants by reference too: a reverse trace's tape (and a forward trace's deferred
tangents) hold the plain arrays a primitive's rules read, and the backward pass reads them
after f returned. ``holding()`` wraps the outermost such call; while it runs, ``active()``
is its ``Captured`` (per thread), which each trace takes when it is made and fills
(``hold_operands``), and which is released (flags restored, small arrays compared) when the
call ends, after the backward pass, whether it returned or raised. Nested calls share the
outermost one's. Limits: forward mode alone
(``jvp``, ``jacfwd``) reads each constant when the primitive runs, so a later write cannot
change its result and is allowed; ``vjp``'s pullback outlives the call, so the flags are
restored when ``vjp`` returns and each pullback compares only the small arrays again; the
differentiated input is a traced value, not a held constant (f sees a tracer, not the
array).
"""

from __future__ import annotations

import threading

import numpy as np

__all__ = ["InPlaceWriteError", "Captured", "SNAPSHOT_BYTES", "active", "holding",
           "hold_operands", "check_unchanged"]

_ndarray = np.ndarray
SNAPSHOT_BYTES = 1 << 16  # arrays up to this size are also compared when the recording ends

_ADVICE = ("optkit records the arrays a traced computation reads by reference and holds them "
           "read-only while it traces, so an array may not be modified in place after a "
           "traced computation used it: build a new array instead (np.where, "
           "np.concatenate, or .copy() it before modifying)")


class InPlaceWriteError(ValueError):
    """f modified an array in place after a traced computation used it.

    optkit's tracing keeps the arrays a traced computation reads by reference, and derivative
    passes read them after f returns; a later write would change the derivative silently, so
    those arrays are read-only while optkit traces and writing into one raises this error. Build
    a new array instead (``np.where``, ``np.concatenate``, or ``.copy()`` before modifying);
    filling an array in place *before* a traced computation uses it is fine. A ValueError.

    Examples
    --------
    >>> import numpy as np
    >>> import optkit
    >>> def f(x):
    ...     c = np.array([1.0, 2.0])
    ...     y = np.sum(c * x ** 2)
    ...     c[:] = 0.0  # written after c * x ** 2 used it
    ...     return y
    >>> optkit.grad(f)(np.array([1.0, 1.0]))
    Traceback (most recent call last):
        ...
    optkit.ad.captured.InPlaceWriteError: f wrote into a read-only array while traced ...
    """


_NOTHING = {}  # the held ids of a Captured that holds nothing yet (shared, never written)


class Captured:
    """The arrays one recording captured: locked while it runs (``hold``), released at its
    end (``release``), which also checks the small ones for writes through older views.

    Most eager derivatives of small functions hold nothing (their constants are Python
    numbers): the containers are made at the first ``hold``, so an empty one costs an
    object and a release costs a test."""

    __slots__ = ("_held", "_locked", "_snapshots")

    def __init__(self):
        self._held = _NOTHING  # id -> array (held, so that an id is not reused meanwhile)
        self._locked = None    # [(depth in its base chain, array)] made read-only here
        self._snapshots = None  # [(array, its bytes at capture)]

    def hold(self, a):
        """Capture ``a`` (an ndarray) for the rest of the recording."""
        held = self._held
        if held is _NOTHING:
            held = self._held = {}
            self._locked = []
            self._snapshots = []
        elif id(a) in held:
            return
        held[id(a)] = a
        if a.nbytes <= SNAPSHOT_BYTES and not a.dtype.hasobject:
            self._snapshots.append((a, a.tobytes()))  # bytes: compared without a copy
        if not isinstance(a.base, _ndarray):  # no chain of views
            if a.flags.writeable and (a.base is None or _restorable(a)):
                a.setflags(write=False)
                self._locked.append((0, a))
            return
        chain = [a]
        while isinstance(chain[-1].base, _ndarray):
            chain.append(chain[-1].base)
        if chain[-1].base is not None and not _restorable(chain[-1]):
            return  # see _restorable: only the snapshot (of a small array) guards it
        for depth, b in enumerate(reversed(chain)):  # depth: its bases above it
            if b.flags.writeable:
                b.setflags(write=False)
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

    def hold_params(self, params):
        """Capture the arrays in a primitive's parameters (a dict: an index array, a tuple
        index holding arrays); shapes and axes (tuples of ints) cost one pass."""
        held = self._held
        for v in params.values():
            cls = v.__class__
            if cls is tuple or cls is list:  # an index or a shape: one level, inline
                for item in v:
                    cls = item.__class__
                    if cls is tuple or cls is list or cls is dict:
                        self.hold_all(item)
                    elif isinstance(item, _ndarray) and id(item) not in held:
                        self.hold(item)
            elif cls is dict:
                self.hold_all(v)
            elif isinstance(v, _ndarray) and id(v) not in held:
                self.hold(v)

    def release(self, check=True):
        """Restore the flags (bases before their views: numpy refuses a writeable view of a
        read-only base); then, with ``check``, raise ``InPlaceWriteError`` if a small
        captured array changed. Return the small arrays' ``(array, bytes)`` pairs."""
        if self._held is _NOTHING:  # nothing was held
            return ()
        locked, snapshots = self._locked, self._snapshots
        self._held, self._locked, self._snapshots = _NOTHING, None, None
        if len(locked) > 1:
            locked.sort(key=lambda item: item[0])  # stable: a view after its bases
        for _, b in locked:
            b.setflags(write=True)
        if check:
            check_unchanged(snapshots, "through a view made before that use")
        return snapshots

    def explain(self, exc):
        """``exc`` as an ``InPlaceWriteError`` when it is a write into an array this
        recording holds read-only (numpy says only 'read-only'), else None."""
        if self._locked and isinstance(exc, ValueError) and "read-only" in str(exc):
            return InPlaceWriteError(f"f wrote into a read-only array while traced ({exc}); "
                                     f"{_ADVICE}")
        return None


def _restorable(root):
    """Whether ``root`` (an array whose ``base`` is not an array) may be made writeable again
    once locked: numpy refuses that when the object holding its memory exposes a read-only
    buffer, as the ``bytes`` an array unpickled with protocol < 5 lives in. Such arrays are
    left unlocked (a lock would outlive the recording); a write into one of at most
    ``SNAPSHOT_BYTES`` is still found by its snapshot, a larger one is not detected."""
    owner = root.base
    if owner is None:  # owns its memory
        return True
    try:
        return not memoryview(owner).readonly
    except TypeError:  # no buffer protocol (numpy checks the same way): not restorable
        return False


def check_unchanged(snapshots, how):
    """Raise ``InPlaceWriteError`` if an array of ``snapshots`` (``(array, bytes)`` pairs, as
    ``Captured.release`` returns them) no longer has those bytes; ``how`` says when it may
    have been written."""
    for a, before in snapshots:
        if a.tobytes() != before:
            raise InPlaceWriteError(
                f"f modified an array of shape {a.shape} after a traced computation used it "
                f"({how}); {_ADVICE}")


class _Local(threading.local):
    cap = None  # the Captured of this thread's outermost eager differentiation (``holding``)


_local = _Local()


def active():
    """The ``Captured`` of the outermost eager differentiation running in this thread, or
    None. A trace takes it when it is made (one lookup per call, not per primitive)."""
    return _local.cap


def hold_operands(cap, args, params):
    """Capture the plain arrays among a primitive's arguments and parameters (index arrays)
    in ``cap`` (a trace's ``active()``, or None: nothing). The forward trace calls it for a
    deferred tangent; the reverse trace inlines it for every primitive it records. An array
    already held costs one dict lookup."""
    if cap is None:
        return
    held = cap._held
    for a in args:
        if isinstance(a, _ndarray) and id(a) not in held:  # subclasses too (memmap)
            cap.hold(a)
    if params:
        cap.hold_params(params)


class holding:  # noqa: N801 - used as a context manager, reads as a function
    """``with holding():`` around an eager differentiation call, including its backward
    pass. The outermost one (in this thread) makes ``active()`` a new ``Captured`` and, on
    exit, releases
    it: flags restored, small arrays compared (``InPlaceWriteError`` if f wrote one through
    an older view); a read-only error f raised meanwhile becomes an ``InPlaceWriteError``.
    Inner ones do nothing. ``snapshots``: after the outermost exits normally, the small
    arrays' copies (``vjp``'s pullback compares them again, see there)."""

    __slots__ = ("cap", "snapshots")

    def __enter__(self):
        self.snapshots = ()
        if _local.cap is None:  # the outermost: a new Captured for this thread
            self.cap = _local.cap = Captured()
        else:
            self.cap = None
        return self

    def __exit__(self, typ, exc, tb):
        cap = self.cap
        if cap is None:
            return False
        _local.cap = None
        if exc is None:
            self.snapshots = cap.release()
            return False
        explained = cap.explain(exc)  # before the flags are released
        cap.release(check=False)
        if explained is not None:
            raise explained from exc
        return False
