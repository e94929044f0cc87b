"""The line phi(alpha) = f(P(x + alpha d)) for a search that stays in the box.

For x in the box and 0 <= alpha <= alphamax = ``bounds.max_step(x, d)``, x + alpha d is in the
box up to rounding; the projection P makes that exact, so f and its gradient are never
evaluated outside the box (the projection moves a trial point by at most a rounding error).
A trial beyond alphamax (a search extrapolating past the box's edge) is answered at
alphamax: the search then sees phi flat there and ends, and the caller takes alphamax.
"""

import math

import numpy as np

__all__ = ["BoxLine"]


class BoxLine:
    """phi(alpha) = f(P(x + alpha d)) and phi'(alpha) = grad f' d on an Objective.

    ``alphamax`` (default: no cap) is ``bounds.max_step(x, d)`` for a straight search;
    a projected search along the arc P(x + alpha d) leaves it infinite.
    Implements the line protocol of :mod:`optkit.optim.linesearch` (``phi``, ``phi_dphi``,
    ``point``), remembering its last trial so the accepted one is not evaluated twice.
    """

    def __init__(self, objective, x, d, bounds, alphamax=np.inf):
        self.objective = objective
        self.x = x
        self.p = d
        self.bounds = bounds
        self.alphamax = alphamax
        self._alpha = None
        self._trial = None  # (x, f, g or None) at self._alpha

    def _point(self, alpha):
        alpha = min(alpha, self.alphamax)
        if alpha != self._alpha:
            self._alpha = alpha
            with np.errstate(over="ignore", invalid="ignore"):
                self._trial = (self.bounds.project(self.x + alpha * self.p), None, None)
        return self._trial[0]

    def phi(self, alpha) -> float:
        x = self._point(alpha)
        if self._trial[1] is None:
            with np.errstate(over="ignore", invalid="ignore"):
                self._trial = (x, self.objective.f(x), self._trial[2])
        return self._trial[1]

    def phi_dphi(self, alpha):
        x, f, g = self.point(alpha)
        dphi = float(np.dot(g, self.p)) if math.isfinite(f) else math.nan
        return f, dphi

    def point(self, alpha):
        """(x, f, g) at P(x + alpha d), reusing the last evaluation when alpha matches it."""
        x = self._point(alpha)
        if self._trial[2] is None:
            with np.errstate(over="ignore", invalid="ignore"):
                f, g = self.objective.f_and_g(x)
            self._trial = (x, f, g)
        return self._trial
