"""Views and versions: numpy shares memory between an array and its views; optkit's traced
values are immutable, so a traced view is a copy. To stay right, a view remembers the version of
its base: reading a view after its base was written, or writing through a view, is refused.

A tracer's ``_view`` slot is ``None`` (the common case); for an array that has views, an *owner
cell* ``[version, pending update]``; for a view, the pair ``(owner cell, version when taken)``.
``core.bind`` calls ``check`` on every traced argument whose ``_view`` is set.
"""

from __future__ import annotations

import numpy as np

from .errors import NotDifferentiableError

__all__ = ["VIEW_FUNCTIONS", "mark_view", "before_write", "check", "stale_view_error",
           "pending_update_error"]

# numpy functions whose result is a view of their first argument
VIEW_FUNCTIONS = {np.reshape, np.ravel, np.transpose, np.swapaxes, np.moveaxis, np.squeeze,
                  np.expand_dims, np.broadcast_to, np.diagonal, np.atleast_1d, np.atleast_2d,
                  np.atleast_3d, np.flip, np.fliplr, np.flipud, np.rot90, np.linalg.diagonal,
                  np.split, np.array_split, np.hsplit, np.vsplit, np.dsplit}


def stale_view_error():
    return NotDifferentiableError(
        "a view of a traced array (a slice, reshape or transpose of it) was used after its base "
        "array was written to; numpy would show the write through the view, optkit's view is a "
        "copy. Take the view after the write, or index the array again."
    )


def pending_update_error():
    return NotDifferentiableError(
        "an in-place operator changed a view of a traced array (v = y[:2]; v += 1), and the "
        "array was used before the change was assigned back: numpy would show it in the array, "
        "optkit's view is a copy. Write `y[:2] += 1` (or assign the result back) instead."
    )


def check(view):
    """Raise if the ``_view`` state ``view`` is stale or has an update pending; else nothing."""
    cell = view[0] if view.__class__ is tuple else view
    if cell[1] is not None or (cell is not view and cell[0] != view[1]):
        if view.__class__ is tuple and view[0][0] != view[1]:
            raise stale_view_error()
        raise pending_update_error()


def mark_view(out, base):
    """Record that ``out`` is a view of ``base``, both tracers (nothing if they are one)."""
    if out is base:
        return
    cell = base._view
    if cell is None:
        cell = base._view = [0, None]    # base becomes an owner: [version, pending update]
    elif type(cell) is tuple:            # a view of a view: same owner
        cell = cell[0]
    out._view = (cell, cell[0])


def before_write(tracer, value):
    """Called before ``tracer`` is overwritten with ``value`` (item assignment, ``+=``)."""
    cell = tracer._view
    if cell is None:
        return
    if type(cell) is tuple:
        raise NotDifferentiableError(
            "item assignment through a view of a traced array (a slice, reshape or transpose "
            "of it) is not supported: numpy would change the base array too. Write into the "
            "array itself (y[0] = v instead of y[:2][0] = v), or copy the view first "
            "(v = y[:2].copy())."
        )
    if cell[1] is not None and cell[1] is not value:
        raise pending_update_error()
    cell[1] = None
    cell[0] += 1  # views taken before this write are now stale
