"""The L-BFGS-B search direction: Cauchy point, subspace minimization, back into the box.

Byrd, Lu, Nocedal & Zhu 1995, sec. 4-5 and Algorithm L-BFGS-B steps 2-4, with the
projection of Morales & Nocedal 2011.  The direction is d = x-bar - x, where x-bar (inside
the box) is the end point of `subspace.box_point`; since the box is convex, every point
x + alpha d with 0 <= alpha <= 1 is feasible, and a line search may go up to
``bounds.max_step(x, d)`` (>= 1).
"""

import numpy as np

from .cauchy import cauchy_point
from .subspace import box_point, subspace_minimizer

__all__ = ["lbfgsb_direction"]


def lbfgsb_direction(x, g, bounds, memory):
    """d = x-bar - x for the model B held by ``memory`` (a CompactMemory), or None when the
    model breaks down (a singular middle matrix, or d not a descent direction): the caller
    then clears the memory and asks again (with B = I the direction is the projected
    steepest-descent step, a descent direction wherever x is not stationary)."""
    try:
        cauchy = cauchy_point(x, g, bounds, memory)
        xbar, du = subspace_minimizer(x, g, cauchy, memory)
    except np.linalg.LinAlgError:
        return None
    if not np.isfinite(xbar).all():
        return None
    d = box_point(x, g, cauchy, xbar, du, bounds) - x
    if not float(g @ d) < 0:
        return None
    return d
