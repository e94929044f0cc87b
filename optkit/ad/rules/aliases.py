"""numpy functions that are another spelling of an existing primitive or function.

``np.degrees``/``np.radians`` are separate ufunc objects computing ``rad2deg``/``deg2rad``;
``np.rollaxis`` is a permutation of axes, done by ``np.transpose``.
"""

from __future__ import annotations

import numpy as np

from ..core import function_impls, ufunc_primitives, value_of
from .elementwise import deg2rad, rad2deg

ufunc_primitives[np.degrees] = rad2deg
ufunc_primitives[np.radians] = deg2rad


def _rollaxis_function(a, axis, start=0):
    """As ``np.rollaxis``: move ``axis`` to position ``start`` (numpy's rules for ``start``)."""
    n = np.ndim(value_of(a))
    axis = _axis(axis, n)
    if not -n <= start <= n:
        raise np.exceptions.AxisError(f"'start' arg requires {-n} <= start < {n + 1}, "
                                      f"but {start} was passed in")
    start = start + n if start < 0 else start
    if axis < start:
        start -= 1
    order = [i for i in range(n) if i != axis]
    order.insert(start, axis)
    return np.transpose(a, order)


def _axis(axis, n):
    if not -n <= axis < n:
        raise np.exceptions.AxisError(axis, n)
    return axis % n


function_impls[np.rollaxis] = _rollaxis_function
