"""Line-search globalization of the truncated-Newton direction (Nocedal & Wright, Alg. 7.1).

Dembo-Steihaug truncated CG runs without a radius; its step p is then searched along by any
optkit line search. Negative curvature is used, not passed over (Nocedal & Wright, Sec. 7.1;
Royer, O'Neill & Wright 2020): when CG meets a direction d with d.H d <= 0 after the iterate
p_j, the search direction is p_j + c d, oriented downhill, its length the larger of a
reflected Newton step and |d.H d| / ||d||^2 (see ``negative_curvature_step``). Since d is
H-conjugate to p_j, the model decrease of both parts adds up: the direction is never worse than
either one, and a saddle point is left, not converged to (SciPy's Newton-CG returns p_j and
drops d). When the search fails along p, the Cauchy step (steepest descent scaled by the
curvature along it) is tried before giving up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import LineSearchError, NumericalError
from ..linesearch.base import Line
from ..linesearch.strong_wolfe import StrongWolfe
from ..trust_region.steihaug import CGExit, Steihaug
from .base import Globalization, Move, check_subproblem

__all__ = ["LineSearch", "negative_curvature_step"]


@dataclass(frozen=True)
class LineSearch(Globalization):
    """Globalize the truncated-Newton direction with a line search (Nocedal & Wright, Alg. 7.1).

    ``linesearch`` is any optkit line search (``search(line, phi0, dphi0, alpha0)``);
    ``cg`` is the truncated CG, run without a radius: any subproblem solver with
    ``solve(hessp, g, radius, rtol, precond)`` (``globalization.base``). A direction of
    negative curvature is used, not passed over (module docstring). Not available with bounds.

    Parameters
    ----------
    linesearch : line search, optional
        The step-length rule (default ``StrongWolfe()``).
    cg : object, optional
        The inner truncated CG, run with radius = inf (default ``Steihaug()``).

    Raises
    ------
    TypeError
        ``linesearch`` has no ``search`` method or ``cg`` no ``solve`` method.

    Examples
    --------
    >>> import numpy as np
    >>> from optkit.optim import LineSearch, NewtonCG, StrongWolfe, solve
    >>> f = lambda x: float(np.sum((x - 1.0) ** 2))
    >>> newton = NewtonCG(globalization=LineSearch(StrongWolfe(c2=0.5)))
    >>> r = solve(f, np.zeros(3), newton, jac=lambda x: 2.0 * (x - 1.0),
    ...           hessp=lambda x, p: 2.0 * p)
    >>> r.success, np.round(r.x, 6)
    (True, array([1., 1., 1.]))
    """

    linesearch: object = field(default_factory=StrongWolfe)  # the step-length rule
    cg: object = field(default_factory=Steihaug)  # the inner CG (radius = inf)

    def __post_init__(self):
        if not callable(getattr(self.linesearch, "search", None)):
            raise TypeError(
                "linesearch: expected a line search with a search() method (e.g. StrongWolfe()),"
                f" got {type(self.linesearch).__name__}"
            )
        check_subproblem("cg", self.cg)

    def newton_step(self, objective, x, f, g, hessp, precond, *, radius, forcing, f_recent):
        """One step: truncated CG, the negative-curvature direction if met, a line search
        (nonmonotone against the largest of the last ``memory`` f values), the Cauchy step as
        a fallback. Raises LineSearchError, or NumericalError for a non-finite gradient at
        the accepted step."""
        sub = self.cg.solve(hessp, g, math.inf, forcing, precond)
        p = sub.step
        if sub.exit is CGExit.NEGATIVE_CURVATURE:
            p = p + negative_curvature_step(sub.curvature_direction, sub.curvature, g)
        # a nonmonotone search (memory > 1) compares with the largest recent f
        recent = (f_recent + (f,))[-self.linesearch.memory:]
        try:
            line, found = self._search(objective, x, f, g, p, max(recent))
        except LineSearchError:
            # before giving up, fall back on the Cauchy step (steepest descent, scaled by the
            # curvature along it), unless that is what just failed
            cauchy = sub.cauchy_step()
            if cauchy is None or (sub.niter == 1 and sub.exit is not CGExit.NEGATIVE_CURVATURE):
                raise
            p = cauchy
            line, found = self._search(objective, x, f, g, p, max(recent))
        x_new, f_new, g_new = line.point(found.alpha)
        if not (math.isfinite(f_new) and np.all(np.isfinite(g_new))):
            raise NumericalError("non-finite gradient at the accepted line search step")
        # ||g + H p|| scales with alpha only for a full step; use the CG residual as is
        return Move(
            x=x_new, f=f_new, g=g_new, radius=radius,
            step_norm=float(found.alpha * np.linalg.norm(p)), alpha=float(found.alpha),
            residual_norm=sub.residual_norm, cg_iterations=sub.niter, cg_exit=sub.exit,
            rejected=0, f_recent=recent,
        )

    def _search(self, objective, x, f, g, p, phi_ref):
        """(line, StepResult) of the line search along p from x."""
        dphi0 = float(g @ p)
        if not (dphi0 < 0 and math.isfinite(dphi0)):
            raise LineSearchError(
                f"truncated CG gave no descent direction (g.p = {dphi0:g})", phi=f, dphi=dphi0,
            )
        line = Line(objective, x, p)
        return line, self.linesearch.search(line, f, dphi0, 1.0, phi_ref=phi_ref)


def negative_curvature_step(d: np.ndarray, curvature: float, g: np.ndarray) -> np.ndarray:
    """A downhill step along d, where d.H d = curvature * ||d||^2 <= 0.

    Its length is the larger of two guesses: the step Newton would take along u = d / ||d||
    if the curvature were positive, |g.u| / |curvature| (scale invariant; it dominates far
    from stationary points), and |curvature|, the second-order step of Royer, O'Neill & Wright
    (2020), which stays long next to a saddle where g.u vanishes. With zero curvature neither
    applies; ||g|| is used and the line search finds the scale.
    """
    d_norm = float(np.linalg.norm(d))
    slope = float(g @ d) / d_norm
    if curvature < 0:
        length = max(abs(slope) / abs(curvature), abs(curvature))
    else:
        length = float(np.linalg.norm(g))
    sign = -1.0 if slope > 0 else 1.0
    return (sign * length / d_norm) * d
