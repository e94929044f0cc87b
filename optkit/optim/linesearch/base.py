"""What every line search shares: the result record and the line phi(alpha) = f(x + alpha p).

The scalar searches only ever call ``line.phi(alpha)`` and ``line.phi_dphi(alpha)``; any object
with those two methods is a line (the tests use plain scalar functions).
"""

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["Line", "StepResult", "is_finite", "sufficient_decrease"]


def is_finite(*values) -> bool:
    """True when every value is a finite number (None counts as not finite)."""
    for v in values:  # a loop, not all(generator): called on every trial of a search
        if v is None or not math.isfinite(v):
            return False
    return True


def sufficient_decrease(phi_a, phi_ref, c1, a, dphi0) -> bool:
    """Armijo: phi(a) <= phi_ref + c1 a dphi0, and a real decrease when c1 a dphi0 is below
    the rounding of phi_ref (else a step too small to move x would be accepted)."""
    bound = phi_ref + c1 * a * dphi0
    return phi_a <= bound and (bound < phi_ref or phi_a < phi_ref)


@dataclass(frozen=True)
class StepResult:
    """An accepted step: alpha, phi(alpha), phi'(alpha) (None when not evaluated) and the
    number of phi evaluations the search spent."""

    alpha: float
    phi: float
    dphi: float | None
    nfev: int


class Line:
    """phi(alpha) = f(x + alpha p) on an :class:`~optkit.optim.objective.Objective`.

    Remembers its last trial point so that the solver gets x, f and g at the accepted step
    without evaluating again. Trial points may overflow; a non-finite value is an answer the
    searches handle, so numpy's overflow and invalid warnings are off while a trial is made
    and evaluated (one ``np.errstate`` per trial: on small problems it is a visible part of
    what a trial costs).
    """

    def __init__(self, objective, x, p):
        self.objective = objective
        self.x = x
        self.p = p
        self._alpha = None
        self._trial = None  # (x, f, g or None) at self._alpha

    def _point(self, alpha):
        """The trial point x + alpha p (called with numpy's overflow warnings off)."""
        if alpha != self._alpha:
            self._alpha = alpha
            self._trial = (self.x + alpha * self.p, None, None)
        return self._trial[0]

    def phi(self, alpha) -> float:
        with np.errstate(over="ignore", invalid="ignore"):
            x = self._point(alpha)
            f = self.objective.f(x)
        self._trial = (x, f, self._trial[2])
        return f

    def phi_dphi(self, alpha):
        with np.errstate(over="ignore", invalid="ignore"):
            x = self._point(alpha)
            f, g = self.objective.f_and_g(x)
            # a non-finite value makes the slope meaningless; report it as nan
            dphi = float(g.dot(self.p)) if math.isfinite(f) else math.nan
        self._trial = (x, f, g)
        return f, dphi

    def point(self, alpha):
        """(x, f, g) at x + alpha p, reusing the last evaluation when alpha matches it."""
        trial = self._trial
        if alpha == self._alpha and trial[2] is not None:
            return trial
        with np.errstate(over="ignore", invalid="ignore"):
            x = self._point(alpha)
            f, g = self.objective.f_and_g(x)
        self._trial = (x, f, g)
        return x, f, g
