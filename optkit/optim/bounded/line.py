"""The line phi(alpha) = f(P(x + alpha d)) for a search that stays in the box.

For x in the box and 0 <= alpha <= alphamax = ``bounds.max_step(x, d)``, x + alpha d is in the
box up to rounding; the projection P makes that exact, so f and its gradient are never
evaluated outside the box (the projection moves a trial point by at most a rounding error).
A trial beyond alphamax (a search extrapolating past the box's edge) is answered at
alphamax: the search then sees phi flat there and ends, and the caller takes alphamax.
"""

import numpy as np

from ..linesearch.base import Line

__all__ = ["BoxLine"]


class BoxLine(Line):
    """phi(alpha) = f(P(x + alpha d)) and phi'(alpha) = grad f' d on an Objective.

    ``alphamax`` (default: no cap) is ``bounds.max_step(x, d)`` for a straight search;
    a projected search along the arc P(x + alpha d) leaves it infinite.
    A :class:`~optkit.optim.linesearch.Line` whose trial points are projected into the box
    and capped at alphamax; evaluation and its reuse are the line's own.
    """

    def __init__(self, objective, x, d, bounds, alphamax=np.inf):
        super().__init__(objective, x, d)
        self.bounds = bounds
        self.alphamax = alphamax

    def _point(self, alpha):
        alpha = min(alpha, self.alphamax)
        if alpha != self._alpha:
            self._alpha = alpha
            with np.errstate(over="ignore", invalid="ignore"):
                self._trial = (self.bounds.project(self.x + alpha * self.p), None, None)
        return self._trial[0]
