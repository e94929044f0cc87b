"""Geodesic acceleration for Levenberg-Marquardt (Transtrum & Sethna 2012).

Transtrum & Sethna, "Improvements to the Levenberg-Marquardt algorithm for nonlinear
least-squares minimization", arXiv:1201.5885, sec. 3 (eqs. 13-15). The LM step v (the
"velocity") is the first-order term of a geodesic on the model manifold; the second-order
term, the acceleration, solves the same damped system with the second directional
derivative of the residuals in place of r:

    a = -(J^T J + lambda D^T D)^-1 J^T r''(x)[v, v],        trial step  v + a / 2,

and is used only while it stays small against the velocity:

    2 ||D a|| / ||D v|| <= alpha        (their eq. 15, alpha = 0.75 recommended);

a trial that fails the test is rejected as an unsuccessful step (the region shrinks), without
evaluating the residuals. r''(x)[v, v] comes from the caller (``rvv``), e.g. by nesting
forward-mode AD; it costs about one residual evaluation and is counted as ``nrvv``.
"""

from dataclasses import dataclass

import numpy as np

from .box import expand

__all__ = ["GeodesicAcceleration"]


@dataclass(frozen=True)
class GeodesicAcceleration:
    """The acceleration correction and its acceptance test (module docstring).

    Pass it as ``LevenbergMarquardt(geodesic=GeodesicAcceleration())``; the objective then
    needs ``rvv(x, v)``, the second directional derivative r''(x)[v, v] of the residuals.

    Parameters
    ----------
    alpha : float, optional
        The bound on ``2 ||D a|| / ||D v||`` an accelerated step must meet, in (0, 2]
        (0.75; Transtrum & Sethna 2012, eq. 15).

    Raises
    ------
    ValueError
        ``alpha`` outside (0, 2].

    Examples
    --------
    >>> import numpy as np
    >>> from optkit.optim import run
    >>> from optkit.optim.residual import ResidualObjective
    >>> t = np.linspace(0.0, 1.0, 5)
    >>> def r(x):  # the model a exp(-b t) against data made with a = 2, b = 1.5
    ...     return x[0] * np.exp(-x[1] * t) - 2.0 * np.exp(-1.5 * t)
    >>> def jac(x):
    ...     e = np.exp(-x[1] * t)
    ...     return np.column_stack([e, -x[0] * t * e])
    >>> def rvv(x, v):
    ...     e = np.exp(-x[1] * t)
    ...     return -2.0 * v[0] * v[1] * t * e + v[1] ** 2 * x[0] * t ** 2 * e
    >>> from optkit.optim.least_squares import LevenbergMarquardt
    >>> lm = LevenbergMarquardt(geodesic=GeodesicAcceleration())
    >>> res = run(lm, ResidualObjective(r, jac, rvv=rvv), np.array([1.0, 1.0]), gtol=0, ftol=0)
    >>> bool(res.success), np.round(res.x, 6)
    (True, array([2. , 1.5]))
    """

    alpha: float = 0.75  # bound on 2 ||D a|| / ||D v|| (Transtrum & Sethna 2012, eq. 15)

    def __post_init__(self):
        if (isinstance(self.alpha, bool) or not isinstance(self.alpha, (int, float))
                or not 0 < self.alpha <= 2):
            raise ValueError(f"alpha: expected a number in (0, 2], got {self.alpha!r}")

    def acceleration(self, objective, sub, x, v, par, free=None):
        """(a, ratio): the acceleration for velocity v at x and 2 ||D a|| / ||D v||.

        ``free`` (a mask, or None for all) names the variables ``sub`` solves for (bounds:
        the fixed ones get a = 0); ``sub.diag`` is D on those."""
        diag = sub.diag
        qa = sub.damped(objective.rvv(x, v), par)
        vnorm = float(np.linalg.norm(diag * (v if free is None else v[free])))
        ratio = 2.0 * float(np.linalg.norm(qa)) / vnorm if vnorm > 0 else np.inf
        return expand(free, qa / diag, x.size), ratio

    def accepts(self, ratio) -> bool:
        """Transtrum & Sethna's test 2 ||D a|| / ||D v|| <= alpha."""
        return ratio <= self.alpha
