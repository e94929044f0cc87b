"""Strong-Wolfe line search: bracketing then zoom with safeguarded cubic interpolation.

Nocedal & Wright, Numerical Optimization (2nd ed.), Alg. 3.5 (bracketing) and Alg. 3.6 (zoom),
with the cubic interpolation of eq. (3.59) safeguarded away from the bracket ends.
Notation: phi(a) = f(x + a p), phi0 = phi(0), dphi0 = phi'(0) < 0. A step a is accepted when
    phi(a) <= phi0 + c1 a dphi0          (sufficient decrease)
    |phi'(a)| <= c2 |dphi0|              (strong curvature condition)
A non-finite phi(a) is treated as "too long": the step becomes the upper end of the bracket.

Near a minimizer the decrease a step can bring falls below the rounding error of phi, and
the sufficient decrease test then answers at random. There, as in Hager & Zhang (2005,
Sec. 4: the approximate Wolfe conditions), the test is made on the slopes instead: a trial
whose phi is within ``noise * |phi0|`` of phi0 is accepted when
    phi'(a) <= (2 c1 - 1) dphi0          (sufficient decrease of the quadratic through the
                                          slopes: a (dphi0 + phi'(a)) / 2 <= c1 a dphi0)
    |phi'(a)| <= c2 |dphi0|              (strong curvature, unchanged)
and the decrease the slopes predict, -a (dphi0 + phi'(a)) / 2, is itself below that noise.
"""

import math
from dataclasses import dataclass

from ..errors import LineSearchError
from .base import StepResult, is_finite, sufficient_decrease

__all__ = ["StrongWolfe"]

_SHRINK = 2.0 / 3.0  # a zoom bracket must shrink by this factor every two trials


def _cubic_min(a, fa, da, b, fb, db):
    """Minimizer of the cubic through (a, fa, da), (b, fb, db) (N&W eq. 3.59), or nan."""
    d1 = da + db - 3.0 * (fa - fb) / (a - b)
    rad = d1 * d1 - da * db
    if not rad >= 0:
        return math.nan
    d2 = math.copysign(math.sqrt(rad), b - a)
    denom = db - da + 2.0 * d2
    if denom == 0:
        return math.nan
    return b - (b - a) * (db + d2 - d1) / denom


def _quadratic_min(a, fa, da, b, fb):
    """Minimizer of the quadratic through (a, fa, da), (b, fb), or nan."""
    w = b - a
    denom = 2.0 * (fb - fa - da * w)
    return a - da * w * w / denom if denom > 0 else math.nan


@dataclass(frozen=True)
class StrongWolfe:
    """Strong-Wolfe line search (N&W Alg. 3.5 and 3.6).

    Bracketing then zoom with safeguarded cubic interpolation until phi(a) <= phi(0) +
    c1 a phi'(0) and ``|phi'(a)| <= c2 |phi'(0)|``; where differences of phi drown in rounding
    it decides on the slopes (the approximate Wolfe conditions of Hager & Zhang 2005).

    The search is called as ``search(line, phi0, dphi0, alpha0, ..., alphamax=inf)`` with
    ``line`` a :class:`~optkit.optim.linesearch.Line` (phi(alpha) = f(x + alpha p)), phi(0),
    phi'(0) < 0 and the first trial step; it returns a ``StepResult`` (alpha, phi, dphi,
    nfev) and never tries a step beyond ``alphamax``.

    Parameters
    ----------
    c1, c2 : float, optional
        Sufficient-decrease and curvature constants, 0 < c1 < c2 < 1 (defaults 1e-4 and
        0.9; 0.1 suits conjugate gradients).
    alpha_max : float, optional
        The largest step tried while bracketing (default 1e10).
    maxiter : int, optional
        Evaluations of phi before the search fails (default 30).
    grow_min, grow_max : float, optional
        An extrapolated step lies in [grow_min, grow_max] times the last one (defaults 1.1
        and 4).
    safeguard : float, optional
        Zoom trials keep this fraction of the bracket from its ends (default 1e-3).
    noise : float, optional
        Relative rounding of phi below which slopes decide (default 1e-12; 0: never).

    Raises
    ------
    ValueError
        An option out of its range, named.
    LineSearchError
        From ``search``, when no acceptable step is found; it carries the best trial.

    Examples
    --------
    >>> import numpy as np
    >>> from optkit.optim import Objective, StrongWolfe
    >>> from optkit.optim.linesearch import Line
    >>> obj = Objective(lambda x: float(x @ x), lambda x: 2.0 * x)
    >>> x = np.array([1.0, 2.0]); p = -2.0 * x      # phi(alpha) = 5 (1 - 2 alpha)^2
    >>> StrongWolfe().search(Line(obj, x, p), 5.0, -20.0, 1.0).alpha
    0.5
    """

    c1: float = 1e-4          # sufficient decrease constant (N&W p. 33)
    c2: float = 0.9           # curvature constant; 0.9 for quasi-Newton, 0.1 for CG (N&W p. 34)
    alpha_max: float = 1e10   # largest step tried while bracketing
    maxiter: int = 30         # phi evaluations before giving up
    grow_min: float = 1.1     # an extrapolated step lies in [grow_min, grow_max] x the last one
    grow_max: float = 4.0
    safeguard: float = 1e-3   # zoom trials keep this fraction of the bracket from its ends
    noise: float = 1e-12      # relative rounding of phi below which slopes decide (0: never)
    memory = 1                # monotone: phi_ref is phi0
    needs_slope = True        # every trial evaluates phi and phi'

    def __post_init__(self):
        if not 0 < self.c1 < self.c2 < 1:
            raise ValueError(f"c1, c2 must satisfy 0 < c1 < c2 < 1, got c1={self.c1!r}, "
                             f"c2={self.c2!r}")
        if not self.alpha_max > 0:
            raise ValueError(f"alpha_max must be > 0, got {self.alpha_max!r}")
        if not isinstance(self.maxiter, int) or self.maxiter < 1:
            raise ValueError(f"maxiter must be an integer >= 1, got {self.maxiter!r}")
        if not 1 < self.grow_min <= self.grow_max:
            raise ValueError("grow_min, grow_max must satisfy 1 < grow_min <= grow_max, got "
                             f"{self.grow_min!r}, {self.grow_max!r}")
        if not 0 < self.safeguard < 0.5:
            raise ValueError(f"safeguard must lie in (0, 0.5), got {self.safeguard!r}")
        if not 0 <= self.noise < 1:
            raise ValueError(f"noise must lie in [0, 1), got {self.noise!r}")

    def _approximately_wolfe(self, a, phi_a, dphi_a, phi0, dphi0):
        """Hager & Zhang's approximate Wolfe test, only where phi's rounding hides decrease."""
        floor = self.noise * abs(phi0)
        return (phi_a <= phi0 + floor
                and -a * (dphi0 + dphi_a) / 2 <= floor
                and dphi_a <= (2 * self.c1 - 1) * dphi0
                and abs(dphi_a) <= -self.c2 * dphi0)

    def search(self, line, phi0, dphi0, alpha0, *, phi_ref=None, alphamax=math.inf):
        """Return a StepResult satisfying the strong Wolfe conditions.

        ``phi_ref`` is accepted for interface uniformity and ignored (the search is monotone).
        ``alphamax`` is the caller's largest step (a box's edge along the direction, as
        LineSearches.jl passes it): trials never exceed min(alpha_max, alphamax), and when the
        extrapolation reaches a caller's alphamax below ``alpha_max`` with sufficient decrease
        and phi still falling, that step is returned (MINPACK-2's dcsrch at stpmax, as L-BFGS-B
        takes it). Below such an edge, a trial where phi falls at least as steeply as at the
        previous one (phi concave between them, so the cubic has no minimizer ahead) is
        followed by dcsrch's longest extrapolation, a + 4 (a - a_prev) (More & Thuente 1994,
        Sec. 4, case 4), instead of the cubic's guess: L-BFGS-B's search reaches the edge in
        a few trials where the cubic would creep (HS45: 10 trials to one edge at 1.1x each).
        Without a caller's edge the cubic rule is kept (the longest extrapolation there cost
        unconstrained L-BFGS evaluations in ``bench/solvers.py``).

        Raises LineSearchError carrying the best step satisfying sufficient decrease (alpha=0
        when none did) if no acceptable step is found within ``maxiter`` evaluations.
        """
        if not dphi0 < 0:
            raise LineSearchError(f"not a descent direction (phi'(0) = {dphi0:g})", phi=phi0,
                                  dphi=dphi0)
        c1, c2 = self.c1, self.c2
        prev = (0.0, phi0, dphi0)
        cap = min(self.alpha_max, alphamax)
        a = min(alpha0, cap)
        for nfev in range(1, self.maxiter + 1):
            phi_a, dphi_a = line.phi_dphi(a)
            if not is_finite(phi_a, dphi_a):
                return self._zoom(line, phi0, dphi0, prev, (a, None, None), nfev)
            if self._approximately_wolfe(a, phi_a, dphi_a, phi0, dphi0):
                return StepResult(a, phi_a, dphi_a, nfev)
            rose = nfev > 1 and phi_a >= prev[1]
            if rose or not sufficient_decrease(phi_a, phi0, c1, a, dphi0):
                return self._zoom(line, phi0, dphi0, prev, (a, phi_a, dphi_a), nfev)
            if abs(dphi_a) <= -c2 * dphi0:
                return StepResult(a, phi_a, dphi_a, nfev)
            if dphi_a >= 0:
                return self._zoom(line, phi0, dphi0, (a, phi_a, dphi_a), prev, nfev)
            if a >= cap:
                if cap < self.alpha_max:  # the caller's maximum step: phi falls up to it
                    return StepResult(a, phi_a, dphi_a, nfev)
                prev = (a, phi_a, dphi_a)
                break
            lo, hi = self.grow_min * a, self.grow_max * a
            if cap < self.alpha_max and abs(dphi_a) >= abs(prev[2]):
                # Up to a caller's edge (L-BFGS-B's stpmax), phi falling at least as steeply
                # as at the last trial: dcsrch's step (More & Thuente 1994, Sec. 4, case 4,
                # no minimizer bracketed), the longest extrapolation a + 4 (a - a_prev).
                guess = hi = a + self.grow_max * (a - prev[0])
            else:
                guess = _cubic_min(prev[0], prev[1], prev[2], a, phi_a, dphi_a)
                if not math.isfinite(guess):
                    guess = 2.0 * a
            prev = (a, phi_a, dphi_a)
            a = min(min(max(guess, lo), hi), cap)
        a_best, phi_best, dphi_best = prev
        raise LineSearchError("no strong-Wolfe step while extrapolating (phi decreasing up to "
                              f"alpha={a_best:g})", alpha=a_best, phi=phi_best, dphi=dphi_best,
                              nfev=self.maxiter)

    def _zoom(self, line, phi0, dphi0, lo, hi, nfev):
        """N&W Alg. 3.6. ``lo`` satisfies sufficient decrease and has the lowest phi so far;
        phi'(lo) (b_hi - a_lo) < 0. ``hi`` has phi None when phi was non-finite there."""
        c1, c2 = self.c1, self.c2
        widths = [math.inf, math.inf]  # bracket widths one and two trials ago
        while nfev < self.maxiter:
            a_lo, phi_lo, dphi_lo = lo
            a_hi, phi_hi, dphi_hi = hi
            width = a_hi - a_lo
            if abs(width) <= 1e-12 * max(abs(a_lo), abs(a_hi)):
                break
            t = math.nan
            # Interpolate unless the bracket failed to shrink to 2/3 over the last two trials
            # (the safeguard of More & Thuente 1994, Sec. 3); then bisect.
            if phi_hi is not None and abs(width) <= _SHRINK * widths[0]:
                t = _cubic_min(a_lo, phi_lo, dphi_lo, a_hi, phi_hi, dphi_hi)
                if not math.isfinite(t):
                    t = _quadratic_min(a_lo, phi_lo, dphi_lo, a_hi, phi_hi)
            widths = [widths[1], abs(width)]
            if math.isfinite(t):
                margin = self.safeguard * width
                lower, upper = sorted((a_lo + margin, a_hi - margin))
                t = min(max(t, lower), upper)
            else:
                t = a_lo + 0.5 * width
            nfev += 1
            phi_t, dphi_t = line.phi_dphi(t)
            if not is_finite(phi_t, dphi_t):
                hi = (t, None, None)
            elif self._approximately_wolfe(t, phi_t, dphi_t, phi0, dphi0):
                return StepResult(t, phi_t, dphi_t, nfev)
            # '>' where N&W write '>=': on a plateau flat to rounding, ties must move lo
            elif not sufficient_decrease(phi_t, phi0, c1, t, dphi0) or phi_t > phi_lo:
                hi = (t, phi_t, dphi_t)
            else:
                if abs(dphi_t) <= -c2 * dphi0:
                    return StepResult(t, phi_t, dphi_t, nfev)
                if dphi_t * width >= 0:
                    hi = lo
                lo = (t, phi_t, dphi_t)
        a_lo, phi_lo, dphi_lo = lo
        raise LineSearchError(f"zoom found no strong-Wolfe step in [{min(lo[0], hi[0]):g}, "
                              f"{max(lo[0], hi[0]):g}]", alpha=a_lo, phi=phi_lo, dphi=dphi_lo,
                              nfev=nfev)
