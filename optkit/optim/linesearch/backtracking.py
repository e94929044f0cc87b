"""Armijo backtracking with quadratic, then cubic, interpolation.

Nocedal & Wright, Numerical Optimization (2nd ed.), Sec. 3.5 ("Interpolation"); Dennis &
Schnabel, Alg. A6.3.1. Notation: phi(a) = f(x + a p), phi0 = phi(0), dphi0 = phi'(0) < 0.
A step a is accepted when phi(a) <= phi_ref + c1 a dphi0 (Armijo), where phi_ref = phi0 for
the monotone search and the largest recent f for a nonmonotone one.
"""

import math
from dataclasses import dataclass

from ..errors import LineSearchError
from .base import StepResult, is_finite, sufficient_decrease

__all__ = ["Backtracking", "armijo_backtrack"]


def _interpolate(a, phi_a, a_prev, phi_prev, phi0, dphi0):
    """Minimizer of the quadratic (first backtrack) or cubic (later ones) model of phi.

    The quadratic interpolates phi0, dphi0, phi(a) (N&W eq. 3.58); the cubic also phi(a_prev)
    (N&W eq. 3.59). Returns nan when the model has no usable minimizer.
    """
    if a_prev is None:
        denom = 2.0 * (phi_a - phi0 - dphi0 * a)
        return -dphi0 * a * a / denom if denom > 0 else math.nan
    r1 = phi_a - phi0 - dphi0 * a
    r2 = phi_prev - phi0 - dphi0 * a_prev
    d = a * a * a_prev * a_prev * (a - a_prev)
    if d == 0:
        return math.nan
    c3 = (a_prev * a_prev * r1 - a * a * r2) / d
    c2 = (-a_prev ** 3 * r1 + a ** 3 * r2) / d
    if c3 == 0:
        return -dphi0 / (2.0 * c2) if c2 > 0 else math.nan
    disc = c2 * c2 - 3.0 * c3 * dphi0
    if disc < 0:
        return math.nan
    return (-c2 + math.sqrt(disc)) / (3.0 * c3)


def armijo_backtrack(line, phi0, dphi0, alpha0, *, phi_ref=None, c1=1e-4, shrink_min=0.1,
                     shrink_max=0.5, maxiter=40, alpha_min=1e-20):
    """The scalar core shared by :class:`Backtracking` and the nonmonotone search.

    Each new trial lies in [shrink_min, shrink_max] times the previous one; a non-finite
    phi(a) shrinks by shrink_max without interpolating. Raises LineSearchError carrying the
    best trial when no step satisfies the Armijo condition within ``maxiter`` evaluations.
    """
    if not dphi0 < 0:
        raise LineSearchError(f"not a descent direction (phi'(0) = {dphi0:g})", phi=phi0,
                              dphi=dphi0)
    ref = phi0 if phi_ref is None else max(phi_ref, phi0)
    a, a_prev, phi_prev = alpha0, None, None
    best_a, best_phi = 0.0, phi0
    for k in range(1, maxiter + 1):
        phi_a = line.phi(a)
        if not is_finite(phi_a):
            a_prev, a = None, a * shrink_max
        else:
            if sufficient_decrease(phi_a, ref, c1, a, dphi0):
                return StepResult(a, phi_a, None, k)
            if phi_a < best_phi:
                best_a, best_phi = a, phi_a
            a_new = _interpolate(a, phi_a, a_prev, phi_prev, phi0, dphi0)
            if not math.isfinite(a_new):
                a_new = shrink_max * a
            a_prev, phi_prev = a, phi_a
            a = min(max(a_new, shrink_min * a), shrink_max * a)
        if a < alpha_min:
            raise LineSearchError(f"step shrank below alpha_min={alpha_min:g}", alpha=best_a,
                                  phi=best_phi, nfev=k)
    raise LineSearchError(f"no Armijo step in {maxiter} evaluations", alpha=best_a, phi=best_phi,
                          nfev=maxiter)


@dataclass(frozen=True)
class Backtracking:
    """Monotone Armijo backtracking with interpolation (N&W Sec. 3.5).

    Accepts the first trial with phi(a) <= phi(0) + c1 a phi'(0); each rejected trial is
    replaced by the minimizer of a quadratic (first) then cubic interpolant of phi, kept in
    [shrink_min, shrink_max] times the last trial (Nocedal & Wright 2006, Sec. 3.5; Dennis &
    Schnabel 1983, Alg. A6.3.1).

    The search is called as ``search(line, phi0, dphi0, alpha0, ..., alphamax=inf)`` with
    ``line`` a :class:`~optkit.optim.linesearch.Line` (phi(alpha) = f(x + alpha p)), phi(0),
    phi'(0) < 0 and the first trial step; it returns a ``StepResult`` (alpha, phi, dphi,
    nfev) and never tries a step beyond ``alphamax``.

    Parameters
    ----------
    c1 : float, optional
        Sufficient-decrease constant, 0 < c1 < 1 (default 1e-4).
    shrink_min, shrink_max : float, optional
        Bounds on a new trial as a fraction of the last one (defaults 0.1 and 0.5).
    maxiter : int, optional
        Evaluations of phi before the search fails (default 40).

    Raises
    ------
    ValueError
        An option out of its range, named.
    LineSearchError
        From ``search``, when no acceptable step is found; it carries the best trial.

    Examples
    --------
    >>> import numpy as np
    >>> from optkit.optim import Objective, Backtracking
    >>> from optkit.optim.linesearch import Line
    >>> obj = Objective(lambda x: float(x @ x), lambda x: 2.0 * x)
    >>> x = np.array([1.0, 2.0]); p = -2.0 * x      # phi(alpha) = 5 (1 - 2 alpha)^2
    >>> Backtracking().search(Line(obj, x, p), 5.0, -20.0, 1.0).alpha
    0.5
    """

    c1: float = 1e-4          # sufficient decrease constant, 0 < c1 < 1 (N&W p. 33)
    shrink_min: float = 0.1   # a new trial is at least shrink_min times the previous one
    shrink_max: float = 0.5   # ... and at most shrink_max times it (N&W p. 58 safeguard)
    maxiter: int = 40         # phi evaluations before giving up
    memory = 1                # how many past f values form phi_ref (1: monotone)
    needs_slope = False       # trial points need phi only, not phi'

    def __post_init__(self):
        if not 0 < self.c1 < 1:
            raise ValueError(f"c1 must lie in (0, 1), got {self.c1!r}")
        if not 0 < self.shrink_min <= self.shrink_max < 1:
            raise ValueError("shrink_min, shrink_max must satisfy 0 < shrink_min <= shrink_max "
                             f"< 1, got {self.shrink_min!r}, {self.shrink_max!r}")
        if not isinstance(self.maxiter, int) or self.maxiter < 1:
            raise ValueError(f"maxiter must be an integer >= 1, got {self.maxiter!r}")

    def search(self, line, phi0, dphi0, alpha0, *, phi_ref=None, alphamax=math.inf):
        """Return a StepResult satisfying phi(a) <= phi_ref + c1 a dphi0, with a <= alphamax
        (the first trial is min(alpha0, alphamax); backtracking only shortens it)."""
        return armijo_backtrack(line, phi0, dphi0, min(alpha0, alphamax), phi_ref=phi_ref,
                                c1=self.c1,
                                shrink_min=self.shrink_min, shrink_max=self.shrink_max,
                                maxiter=self.maxiter)
