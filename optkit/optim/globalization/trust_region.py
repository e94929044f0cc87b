"""Trust-region globalization: the step, its acceptance test and the radius update.

Nocedal & Wright, Alg. 4.1. With rho = (actual reduction) / (predicted reduction):

    rho < shrink_below                       radius <- shrink * min(radius, ||p||)
    rho > expand_above and ||p|| = radius    radius <- min(expand * radius, max_radius)
    otherwise                                radius unchanged
    the step is accepted iff rho > accept

Deviation from Alg. 4.1 (as allowed by Conn, Gould & Toint, Sec. 6.1): the shrink is applied
to ``min(radius, ||p||)`` rather than to the radius, so an interior step that failed is not
proposed again. A non-finite trial value counts as rho = -inf: the region shrinks. Where the
predicted reduction is below f's rounding, the actual reduction of a step that reduces ||g||
is measured by the trapezoid rule on the gradients (``reduction.actual_reduction``).

A rejected step is re-solved at the smaller radius by the subproblem result's ``truncate``
(Steihaug replays its stored CG path, at no new Hessian-vector product), or solved again when
that gives None.

Evaluations: the first trial of a step is evaluated by ``objective.f_expecting_g``, since
it is usually accepted and the next step needs g there: where the objective computes f and g
in one pass (AD's value and gradient), that pass costs less than f, then f and g (the
reverse pass repeats the forward pass), and a rejected first trial costs one unused
gradient; separate f and g callables are called as before. Trials after a rejection are
evaluated by f alone. The iterates do not depend on this choice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import TrustRegionError
from ..trust_region.steihaug import Steihaug
from .base import Globalization, Move, check_subproblem
from .reduction import actual_reduction, reduction_ratio

__all__ = ["TrustRegion"]


@dataclass(frozen=True)
class TrustRegion(Globalization):
    """Globalize a Newton-type direction with a trust region (Nocedal & Wright, Alg. 4.1).

    ``subproblem`` approximately minimizes the quadratic model within the radius: any solver
    with ``solve(hessp, g, radius, rtol, precond)`` (``globalization.base``; default:
    Steihaug-Toint CG); ``initial_radius=None`` picks the start from x0 (``first_radius``).
    A rejected step is re-solved at the smaller radius and tried again, up to
    ``max_rejections`` times in a row; then the solve stops with ``TRUST_REGION_FAILED``.

    Parameters
    ----------
    subproblem : object, optional
        The subproblem solver (default ``Steihaug()``).
    initial_radius : float or None, optional
        The first radius, > 0; None (default) chooses it from x0 and g0.
    max_radius : float, optional
        Cap on the radius, Delta-hat in Alg. 4.1 (default 1e10).
    accept : float, optional
        eta in Alg. 4.1: a step is accepted iff rho > accept, in [0, 1/4) (default 0.1).
    shrink_below, expand_above : float, optional
        rho below ``shrink_below`` shrinks the region, rho above ``expand_above`` (with the
        step on the boundary) expands it (defaults 0.25, 0.75).
    shrink, expand : float, optional
        The factors, in (0, 1) and > 1 (defaults 0.25 and 2).
    max_rejections : int, optional
        Consecutive rejected steps before giving up (default 60).

    Raises
    ------
    ValueError
        An option out of its range, named.
    TypeError
        ``subproblem`` has no ``solve`` method.

    Examples
    --------
    >>> import numpy as np
    >>> from optkit.optim import NewtonCG, Steihaug, TrustRegion, solve
    >>> f = lambda x: float(np.sum((x - 1.0) ** 2))
    >>> newton = NewtonCG(globalization=TrustRegion(Steihaug(maxiter=5), initial_radius=0.5))
    >>> r = solve(f, np.zeros(3), newton, jac=lambda x: 2.0 * (x - 1.0),
    ...           hessp=lambda x, p: 2.0 * p)
    >>> r.success, np.round(r.x, 6)
    (True, array([1., 1., 1.]))
    """

    subproblem: object = field(default_factory=Steihaug)  # trust-region subproblem solver
    initial_radius: float | None = None  # None: chosen from x0 and g0, see first_radius
    max_radius: float = 1e10  # cap on the radius (Delta_hat in Alg. 4.1)
    accept: float = 0.1  # eta in Alg. 4.1: accept the step iff rho > accept; in [0, 1/4)
    shrink_below: float = 0.25  # rho below this shrinks the region
    expand_above: float = 0.75  # rho above this (on the boundary) expands it
    shrink: float = 0.25  # shrink factor, in (0, 1)
    expand: float = 2.0  # expansion factor, > 1
    max_rejections: int = 60  # consecutive rejected steps before giving up

    def __post_init__(self):
        check_subproblem("subproblem", self.subproblem)
        if self.initial_radius is not None and not (
            math.isfinite(self.initial_radius) and self.initial_radius > 0
        ):
            raise ValueError(
                f"initial_radius: expected None or a finite value > 0, got {self.initial_radius!r}"
            )
        if not self.max_radius > 0:
            raise ValueError(f"max_radius: expected a value > 0, got {self.max_radius!r}")
        if self.initial_radius is not None and self.initial_radius > self.max_radius:
            raise ValueError(
                f"initial_radius: must not exceed max_radius={self.max_radius!r}, "
                f"got {self.initial_radius!r}"
            )
        if not 0 <= self.accept < 0.25:
            raise ValueError(f"accept: expected a value in [0, 0.25), got {self.accept!r}")
        if not self.accept <= self.shrink_below < self.expand_above < 1:
            raise ValueError(
                "shrink_below, expand_above: expected accept <= shrink_below < expand_above < 1, "
                f"got {self.shrink_below!r}, {self.expand_above!r}"
            )
        if not 0 < self.shrink < 1:
            raise ValueError(f"shrink: expected a value in (0, 1), got {self.shrink!r}")
        if not self.expand > 1:
            raise ValueError(f"expand: expected a value > 1, got {self.expand!r}")
        if (
            isinstance(self.max_rejections, bool)
            or not isinstance(self.max_rejections, int)
            or self.max_rejections < 1
        ):
            raise ValueError(
                f"max_rejections: expected an int >= 1, got {self.max_rejections!r}"
            )

    def first_radius(self, x_norm: float) -> float:
        """The starting radius: ``initial_radius`` if given, else ``max(1, ||x0|| / 10)``.

        Scaling with x0 lets a far start take long steps early; the floor of 1 is the usual
        default (Nocedal & Wright's examples, SciPy's trust-region methods).
        """
        if self.initial_radius is not None:
            return self.initial_radius
        return min(max(1.0, 0.1 * x_norm), self.max_radius)

    def update(self, radius: float, rho: float, step_norm: float, on_boundary: bool) -> float:
        """The next radius after a step of norm ``step_norm`` with reduction ratio ``rho``."""
        if rho < self.shrink_below:
            return self.shrink * min(radius, step_norm)
        if rho > self.expand_above and on_boundary:
            return min(self.expand * radius, self.max_radius)
        return radius

    def accepts(self, rho: float) -> bool:
        """Whether a step with reduction ratio ``rho`` is taken."""
        return rho > self.accept

    def ratio(self, objective, f, g, x_trial, step, predicted, *, with_gradient=False) -> float:
        """The acceptance measure rho of the trial ``x_trial = x + step``.

        (f - f(x_trial)) / predicted, -inf for a non-finite f(x_trial) or predicted <= 0; where
        the prediction is below f's rounding and the step reduces ||g||, the actual reduction
        is the trapezoid rule on the gradients (``reduction.actual_reduction``). With
        ``with_gradient``, f and g at x_trial are evaluated together.
        """
        return reduction_ratio(
            actual_reduction(objective, f, g, x_trial, step, predicted,
                             with_gradient=with_gradient), 0.0, predicted)

    def newton_step(self, objective, x, f, g, hessp, precond, *, radius, forcing, f_recent):
        """One accepted step (Nocedal & Wright, Alg. 4.1 with the subproblem solver).

        Solves the subproblem at ``radius``; a rejected trial shrinks the radius and is
        re-solved (``truncate``, else a new solve), up to ``max_rejections`` times, then a
        TrustRegionError. A trial with a non-finite gradient is rejected as a non-finite f is.
        """
        solve = self.subproblem.solve
        sub = solve(hessp, g, radius, forcing, precond)
        niter = sub.niter
        for rejected in range(self.max_rejections + 1):
            x_trial = x + sub.step
            if (x_trial == x).all():  # np.array_equal, without its checks (same shape)
                raise TrustRegionError(
                    f"trust region step vanished at radius {radius:.3g} without decrease"
                )
            # the first trial of a step is usually accepted, and then g is needed there
            # (objective.f_expecting_g); a retry after a rejection asks for f alone
            rho = self.ratio(objective, f, g, x_trial, sub.step, sub.model_decrease,
                             with_gradient=rejected == 0)
            if self.accepts(rho):
                f_new, g_new = objective.f_and_g(x_trial)
                if np.isfinite(g_new).all():
                    return Move(
                        x=x_trial, f=f_new, g=g_new,
                        radius=self.update(radius, rho, sub.step_norm, sub.on_boundary),
                        step_norm=float(np.linalg.norm(sub.step)), alpha=1.0,
                        residual_norm=sub.residual_norm, cg_iterations=niter, cg_exit=sub.exit,
                        rejected=rejected, f_recent=f_recent,
                    )
                rho = -math.inf  # non-finite gradient at the trial point: shrink as for f
            radius = self.update(radius, rho, sub.step_norm, sub.on_boundary)
            truncated = sub.truncate(radius)
            if truncated is None:
                truncated = solve(hessp, g, radius, forcing, precond)
                niter += truncated.niter
            sub = truncated
        raise TrustRegionError(
            f"{self.max_rejections} consecutive trust region steps rejected "
            f"(radius {radius:.3g})"
        )
