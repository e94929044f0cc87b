"""Bounds for the least-squares solvers: the free variables, the projected step, optimality.

A projected trust-region scheme in the spirit of the active-set method of scipy's 'dogbox'
(Voglis & Lagaris 2004, "A rectangular trust region dogleg approach for unconstrained and
bound constrained nonlinear optimization") and of projected Levenberg-Marquardt (Kanzow,
Yamashita & Fukushima 2004, "Levenberg-Marquardt methods with strong local convergence
properties for solving nonlinear equations with convex constraints", J. Comput. Appl. Math.
172): at a feasible x with gradient g of the cost,

    fixed  = {i : x_i at l_i and g_i > 0} U {i : x_i at u_i and g_i < 0}   (descent leaves B)
    free   = the others;

the trust-region subproblem is solved in the free variables only (the fixed ones step 0),
and the trial point is the projection P(x + p) onto the box, so the residuals are never
evaluated outside it. The model's predicted reduction is taken at the projected step
s = P(x + p) - x, so the ratio test judges the step actually tried. Stationarity on the box is
the projected gradient P(x - g) - x = 0 (Conn, Gould & Toint 1988); every stopping test uses
it in place of g.
"""

import numpy as np

from ..bounds import Bounds

__all__ = ["Columns", "expand", "free_variables", "project_step", "projected_gradient"]


def free_variables(bounds: Bounds | None, x, g) -> np.ndarray | None:
    """The mask of free variables at x (module docstring); None when all are free."""
    if bounds is None:
        return None
    fixed = ((x <= bounds.lb) & (g > 0)) | ((x >= bounds.ub) & (g < 0))
    return None if not fixed.any() else ~fixed


def projected_gradient(bounds: Bounds | None, x, g) -> np.ndarray:
    """P(x - g) - x, or -g without bounds (same inf-norm as g)."""
    if bounds is None:
        return -g
    return bounds.projected_gradient(x, g)


def project_step(bounds: Bounds | None, x, p):
    """(x_trial, s, clipped): x_trial = P(x + p), s = x_trial - x, and whether P moved
    anything (when not, s is p itself, so exact formulas for p still hold)."""
    trial = x + p
    if bounds is None:
        return trial, p, False
    inside = bounds.project(trial)
    if np.array_equal(inside, trial):
        return trial, p, False
    return inside, inside - x, True


def expand(free, values, n) -> np.ndarray:
    """A length-n vector with ``values`` in the free entries and 0 in the fixed ones."""
    if free is None:
        return values
    out = np.zeros(n)
    out[free] = values
    return out


class Columns:
    """A linearization restricted to the free columns of J~ (what OperatorSubproblem needs:
    ``shape``, ``r``, ``grad``, ``matvec``, ``rmatvec``)."""

    def __init__(self, lin, free):
        self._lin = lin
        self._free = free
        self._n = lin.shape[1]
        self.shape = (lin.shape[0], int(np.count_nonzero(free)))
        self.r = lin.r
        self.grad = lin.grad[free]

    def matvec(self, v):
        return self._lin.matvec(expand(self._free, v, self._n))

    def rmatvec(self, u):
        return self._lin.rmatvec(u)[self._free]
