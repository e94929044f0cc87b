"""Truncated Newton (Newton-CG) with Hessian-vector products only.

A direction plus a step strategy: the direction comes from conjugate gradients on the Newton
system H p = -g, truncated by an Eisenstat-Walker forcing term; the step strategy is either

* ``TrustRegion(Steihaug())`` (default): Steihaug-Toint CG inside a trust region
  (Nocedal & Wright, Alg. 4.1 with Alg. 7.2), or
* ``LineSearch(StrongWolfe())``: Dembo-Steihaug truncated CG then a line search
  (Nocedal & Wright, Alg. 7.1), where negative curvature is used, not passed over.

Notation map (Nocedal & Wright, Ch. 7 -> code):
    x_k, f_k, g_k        state.x, state.f, state.g
    eta_k                state.forcing   (CG stops at ||g + H p|| <= eta_k ||g||)
    Delta_k              state.radius    (inf for a line search)
    p_k                  the step, x_{k+1} = x_k + alpha_k p_k

Forcing terms (Eisenstat & Walker 1996), eta_0 = 0.5:
    "eisenstat-walker"   choice 1 (the default): | ||g_k|| - ||g_{k-1} + H_{k-1} p_{k-1}|| |
                         / ||g_{k-1}||, safeguarded by eta_{k-1}^((1+sqrt 5)/2) when that
                         exceeds 0.1. It is small exactly when the last model predicted the
                         new gradient well, so CG works hard only where Newton's model is good.
    "eisenstat-walker-2" choice 2: 0.9 (||g_k|| / ||g_{k-1}||)^2, safeguarded by 0.9 eta_{k-1}^2
                         when that exceeds 0.1
    "superlinear"        min(0.5, sqrt(||g_k||)) (Nocedal & Wright, eq. 7.3)
    a float in (0, 1)    a constant relative tolerance
The named rules are also capped by ||g_k|| (Nocedal & Wright, Sec. 7.1: the forcing sequence
of quadratic local convergence; it makes the last iterations accurate, and near a stationary
point CG runs long enough to meet negative curvature, so a start next to a saddle is escaped),
by 0.5, and floored at ``_ETA_MIN`` = 1e-4.

Trust-region details: a rejected step is re-solved at the smaller radius by replaying the
stored CG path, at no new Hessian-vector product. When the predicted reduction is below
1e-8 |f|, where differences of f drown in rounding, a step that reduces ||g|| is judged by the
trapezoid estimate -1/2 (g_k + g_trial).p of the reduction instead (exact on quadratics).

Negative curvature in the line-search variant (Nocedal & Wright, Sec. 7.1; Royer, O'Neill &
Wright 2020): when CG meets a direction d with d.H d <= 0 after the iterate p_j, the search
direction is p_j + c d, oriented downhill, its length the larger of a reflected Newton step
and |d.H d| / ||d||^2 (see ``_negative_curvature_step``). Since d is H-conjugate to p_j, the
model decrease of both parts adds up: the direction is never worse than either one, and a
saddle point is left, not converged to (SciPy's Newton-CG returns p_j and drops d).

Second-order check (``saddle_check``, on by default): a small gradient does not make a
minimum. Where the driver's gradient test is met, ``leave_saddle`` runs a few Lanczos steps
from a seeded random vector (``optim.curvature``; Royer, O'Neill & Wright 2020, Alg. 3) and,
on curvature below ``-saddle_tol`` times the Hessian's norm, steps downhill along it and the
solve goes on. CG alone cannot do this when the gradient lies in an invariant subspace of the
Hessian (a symmetric problem on its symmetric subspace: MGH's Biggs EXP6 stops at such a
saddle, f = 5.66e-3, without it). At a minimum the check costs at most min(n, saddle_check)
Hessian-vector products and no evaluation of f; ``saddle_check=0`` turns it off.

The Hessian is never formed; every ``hessp`` call goes through the Objective and is counted.
One ``step`` is one accepted iteration: the trust region retries internally and raises
TrustRegionError when no step decreases f; the line search raises LineSearchError.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import ClassVar

import numpy as np

from ..curvature import smallest_curvature
from ..errors import LineSearchError, NumericalError, TrustRegionError
from ..linesearch.base import Line
from ..linesearch.strong_wolfe import StrongWolfe
from ..trust_region.radius import TrustRegion, reduction_ratio
from ..trust_region.steihaug import CGExit, Steihaug, as_preconditioner
from .base import Solver

__all__ = ["LineSearch", "NewtonCG", "NewtonCGState"]

_ETA_0 = 0.5  # first forcing term (Eisenstat & Walker 1996)
_ETA_MAX = 0.5  # cap: CG must at least halve the residual (Nocedal & Wright, eq. 7.3)
# floor: on ill-conditioned Hessians finite-precision CG pays more products for the last
# digits than one more outer iteration costs (measured on quadratics of cond 1e2..1e6, n = 50
# to 1000: 1e-4 used 10-35 % fewer products than 1e-10, with the same f and g evaluations)
_ETA_MIN = 1e-4
_GOLDEN = (1.0 + math.sqrt(5.0)) / 2.0
_SMALL = 1e-8  # predicted reductions below _SMALL * max(1, |f|) are checked with gradients
_ESCAPE_TRIES = 40  # step lengths tried along negative curvature, each 1/4 of the last
_FORCING = ("eisenstat-walker", "eisenstat-walker-2", "superlinear")


@dataclass(frozen=True)
class LineSearch:
    """Globalize the truncated-Newton direction with a line search (Nocedal & Wright, Alg. 7.1).

    ``linesearch`` is any optkit line search (``search(line, phi0, dphi0, alpha0)``);
    ``cg`` is the truncated CG, run without a radius.
    """

    linesearch: object = field(default_factory=StrongWolfe)  # the step-length rule
    cg: Steihaug = field(default_factory=Steihaug)  # the inner CG (radius = inf)

    def __post_init__(self):
        if not callable(getattr(self.linesearch, "search", None)):
            raise TypeError(
                "linesearch: expected a line search with a search() method (e.g. StrongWolfe()),"
                f" got {type(self.linesearch).__name__}"
            )
        if not isinstance(self.cg, Steihaug):
            raise TypeError(f"cg: expected a Steihaug instance, got {type(self.cg).__name__}")


@dataclass(frozen=True)
class NewtonCGState:
    """Iterate of NewtonCG. ``radius`` is inf under a line search."""

    x: np.ndarray
    f: float
    g: np.ndarray
    radius: float  # trust-region radius Delta_k for the next step
    forcing: float  # eta_k for the next CG solve
    step_norm: float = 0.0  # ||x_k - x_{k-1}||
    alpha: float = 1.0  # step length along the direction (1 in a trust region)
    cg_iterations: int = 0  # hessp calls in the last step
    cg_exit: CGExit | None = None  # why the last CG stopped
    rejected: int = 0  # trust-region trial steps rejected in the last step
    f_recent: tuple[float, ...] = ()  # earlier f values, for a nonmonotone line search


@dataclass(frozen=True, eq=False)  # eq=False: preconditioner may be an array
class NewtonCG(Solver):
    """Truncated Newton with Hessian-vector products (Nocedal & Wright, Ch. 7).

    ``globalization``: ``TrustRegion(Steihaug())`` (default) or ``LineSearch(...)``.
    ``forcing``: the CG tolerance rule (see the module docstring). ``preconditioner``: None,
    a callable ``v -> M^{-1} v`` with M symmetric positive definite (close to the Hessian),
    or a 1-D array with the positive diagonal of M; the trust region is then measured in
    ``||.||_M``. Requires ``hessp``: ``needs_hessp`` is True.
    """

    globalization: TrustRegion | LineSearch = field(default_factory=TrustRegion)
    forcing: str | float = "eisenstat-walker"  # CG tolerance rule, see module docstring
    preconditioner: object = None  # None, callable M^{-1} v, or diagonal of M
    # second-order check where the gradient test is met: Lanczos steps from a random start
    # (0 disables), the relative curvature that counts as negative, and the start's seed
    saddle_check: int = 20
    saddle_tol: float = 1e-6
    seed: int = 0

    needs_hessp: ClassVar[bool] = True

    def __post_init__(self):
        if not isinstance(self.globalization, TrustRegion | LineSearch):
            raise TypeError(
                "globalization: expected TrustRegion(...) or LineSearch(...), got "
                f"{type(self.globalization).__name__}"
            )
        forcing = self.forcing
        if isinstance(forcing, str):
            if forcing not in _FORCING:
                raise ValueError(
                    f"forcing: expected one of {', '.join(map(repr, _FORCING))} or a float in "
                    f"(0, 1), got {forcing!r}"
                )
        elif isinstance(forcing, bool) or not isinstance(forcing, int | float) or not (
            0 < forcing < 1
        ):
            raise ValueError(
                f"forcing: expected one of {', '.join(map(repr, _FORCING))} or a float in "
                f"(0, 1), got {forcing!r}"
            )
        pre = self.preconditioner
        if pre is not None and not callable(pre):
            diag = np.asarray(pre, dtype=float)
            if diag.ndim != 1:
                raise ValueError(
                    "preconditioner: expected None, a callable M^{-1} v, or a 1-D array (the "
                    f"diagonal of M), got an array of shape {diag.shape}"
                )
            as_preconditioner(diag, diag.size)  # validates positivity
        if (isinstance(self.saddle_check, bool) or not isinstance(self.saddle_check, int)
                or self.saddle_check < 0):
            raise ValueError(
                f"saddle_check: expected an int >= 0 (Lanczos steps; 0 disables the check), "
                f"got {self.saddle_check!r}"
            )
        if (isinstance(self.saddle_tol, bool) or not isinstance(self.saddle_tol, int | float)
                or not 0 < self.saddle_tol < 1):
            raise ValueError(f"saddle_tol: expected a float in (0, 1), got {self.saddle_tol!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed: expected an int >= 0, got {self.seed!r}")

    # -- protocol ----------------------------------------------------------------------------
    def init(self, objective, x0) -> NewtonCGState:
        """Evaluate f and g at x0 and set the first radius and forcing term."""
        if not objective.has_hessp:
            raise ValueError("hessp: NewtonCG needs Hessian-vector products; pass hessp=callable")
        x = np.array(x0, dtype=float)
        as_preconditioner(self.preconditioner, x.size)  # shape check against x0
        f, g = objective.f_and_g(x)
        if isinstance(self.globalization, TrustRegion):
            radius = self.globalization.first_radius(float(np.linalg.norm(x)))
        else:
            radius = math.inf
        return NewtonCGState(x=x, f=f, g=g, radius=radius, forcing=self._first_forcing(g))

    def step(self, objective, state: NewtonCGState) -> NewtonCGState:
        """One accepted Newton-CG step (state.f, state.g are f and grad f at state.x)."""
        precond = as_preconditioner(self.preconditioner, state.x.size)

        def hessp(v):
            return objective.hessp(state.x, v)

        if isinstance(self.globalization, TrustRegion):
            return self._trust_region_step(objective, state, hessp, precond)
        return self._line_search_step(objective, state, hessp, precond)

    def leave_saddle(self, objective, state: NewtonCGState) -> NewtonCGState | None:
        """Called by the driver when the gradient test is met: a step off a saddle, or None.

        Runs ``saddle_check`` Lanczos steps on the Hessian from a random start (seeded by
        ``seed``; see ``optim.curvature``). If a Ritz value below ``-saddle_tol`` times the
        Hessian's estimated norm shows negative curvature along a unit vector u, steps along
        u, downhill, by the trust radius (or max(1, ||x|| / 10) under a line search); the step
        is taken when f falls by at least a tenth of the quadratic model's prediction
        ``-(tau g.u + tau^2 u.H u / 2)`` (measured with the gradients' trapezoid rule where that
        prediction is below f's rounding), and shortened by 4 otherwise, at most 40 times.
        None (a second-order point, as far as the check can tell) when no negative curvature
        is found or no step along it decreases f. This is the
        second-order phase of Royer, O'Neill & Wright (2020, Alg. 1 with Alg. 3).
        """
        if self.saddle_check == 0:
            return None
        rng = np.random.default_rng(self.seed)

        def hessp(v):
            return objective.hessp(state.x, v)

        found = smallest_curvature(hessp, state.x.size, steps=self.saddle_check,
                                   threshold=self.saddle_tol, rng=rng)
        if found.direction is None:
            return None
        u = found.direction
        slope = float(state.g @ u)
        if slope > 0:
            u, slope = -u, -slope
        tau = state.radius if math.isfinite(state.radius) else max(
            1.0, 0.1 * float(np.linalg.norm(state.x)))
        for _ in range(_ESCAPE_TRIES):
            predicted = -(tau * slope + 0.5 * tau * tau * found.smallest)
            x_trial = state.x + tau * u
            if np.array_equal(x_trial, state.x):
                return None
            f_trial = objective.f(x_trial)
            actual = state.f - f_trial
            if math.isfinite(f_trial) and predicted <= _SMALL * max(1.0, abs(state.f)):
                # differences of f may drown in its rounding: judge by the trapezoid rule on
                # the gradients, as a trust-region step does
                f_trial, g_trial = objective.f_and_g(x_trial)
                if np.all(np.isfinite(g_trial)):
                    actual = -0.5 * tau * float((state.g + g_trial) @ u)
            if math.isfinite(f_trial) and actual >= 0.1 * predicted:
                f_new, g_new = objective.f_and_g(x_trial)
                if np.all(np.isfinite(g_new)):
                    break
            tau *= 0.25
        else:
            return None
        radius = state.radius
        if isinstance(self.globalization, TrustRegion):
            rho = reduction_ratio(state.f, f_new, predicted)
            radius = self.globalization.update(radius, rho, tau, tau >= radius)
        return replace(
            state, x=x_trial, f=f_new, g=g_new, radius=radius,
            forcing=self._first_forcing(g_new), step_norm=tau,
            alpha=1.0, cg_iterations=found.products, cg_exit=CGExit.NEGATIVE_CURVATURE,
            rejected=0,
        )

    # -- trust region ------------------------------------------------------------------------
    def _trust_region_step(self, objective, state, hessp, precond):
        tr = self.globalization
        solve = tr.subproblem.solve
        sub = solve(hessp, state.g, state.radius, state.forcing, precond)
        niter = sub.niter
        radius = state.radius
        for rejected in range(tr.max_rejections + 1):
            x_trial = state.x + sub.step
            if np.array_equal(x_trial, state.x):
                raise TrustRegionError(
                    f"trust region step vanished at radius {radius:.3g} without decrease"
                )
            f_trial = objective.f(x_trial)
            rho = reduction_ratio(state.f, f_trial, sub.model_decrease)
            if math.isfinite(f_trial) and sub.model_decrease <= _SMALL * max(1.0, abs(state.f)):
                # Differences of f may drown in its rounding error here. If the step reduces
                # the gradient, measure the reduction by the trapezoid rule on the gradients
                # instead (exact for quadratics); otherwise keep the verdict of f.
                f_trial, g_new = objective.f_and_g(x_trial)
                if np.all(np.isfinite(g_new)) and np.linalg.norm(g_new) < np.linalg.norm(state.g):
                    actual = -0.5 * float((state.g + g_new) @ sub.step)
                    rho = reduction_ratio(actual, 0.0, sub.model_decrease)
            if tr.accepts(rho):
                f_new, g_new = objective.f_and_g(x_trial)
                if np.all(np.isfinite(g_new)):
                    new_radius = tr.update(radius, rho, sub.step_norm, sub.on_boundary)
                    return NewtonCGState(
                        x=x_trial, f=f_new, g=g_new, radius=new_radius,
                        forcing=self._next_forcing(state, g_new, sub.residual_norm),
                        step_norm=float(np.linalg.norm(sub.step)), alpha=1.0,
                        cg_iterations=niter, cg_exit=sub.exit, rejected=rejected,
                    )
                rho = -math.inf  # non-finite gradient at the trial point: shrink as for f
            radius = tr.update(radius, rho, sub.step_norm, sub.on_boundary)
            truncated = sub.truncate(radius)
            if truncated is None:
                truncated = solve(hessp, state.g, radius, state.forcing, precond)
                niter += truncated.niter
            sub = truncated
        raise TrustRegionError(
            f"{tr.max_rejections} consecutive trust region steps rejected "
            f"(radius {radius:.3g})"
        )

    # -- line search -------------------------------------------------------------------------
    def _line_search_step(self, objective, state, hessp, precond):
        glob = self.globalization
        sub = glob.cg.solve(hessp, state.g, math.inf, state.forcing, precond)
        p = sub.step
        if sub.exit is CGExit.NEGATIVE_CURVATURE:
            p = p + _negative_curvature_step(sub.curvature_direction, sub.curvature, state.g)
        # a nonmonotone search (memory > 1) compares with the largest recent f
        recent = (state.f_recent + (state.f,))[-getattr(glob.linesearch, "memory", 1):]
        try:
            line, found = self._search(objective, state, p, max(recent))
        except LineSearchError:
            # before giving up, fall back on the Cauchy step (steepest descent, scaled by the
            # curvature along it), unless that is what just failed
            cauchy = sub.cauchy_step()
            if cauchy is None or (sub.niter == 1 and sub.exit is not CGExit.NEGATIVE_CURVATURE):
                raise
            p = cauchy
            line, found = self._search(objective, state, p, max(recent))
        x_new, f_new, g_new = line.point(found.alpha)
        if not (math.isfinite(f_new) and np.all(np.isfinite(g_new))):
            raise NumericalError("non-finite gradient at the accepted line search step")
        # ||g + H p|| scales with alpha only for a full step; use the CG residual as is
        return replace(
            state, x=x_new, f=f_new, g=g_new,
            forcing=self._next_forcing(state, g_new, sub.residual_norm),
            step_norm=float(found.alpha * np.linalg.norm(p)), alpha=float(found.alpha),
            cg_iterations=sub.niter, cg_exit=sub.exit, rejected=0, f_recent=recent,
        )

    def _search(self, objective, state, p, phi_ref):
        """(line, StepResult) of the line search along p from state.x."""
        dphi0 = float(state.g @ p)
        if not (dphi0 < 0 and math.isfinite(dphi0)):
            raise LineSearchError(
                f"truncated CG gave no descent direction (g.p = {dphi0:g})", phi=state.f,
                dphi=dphi0,
            )
        line = Line(objective, state.x, p)
        return line, self.globalization.linesearch.search(line, state.f, dphi0, 1.0,
                                                          phi_ref=phi_ref)

    # -- forcing -----------------------------------------------------------------------------
    def _first_forcing(self, g) -> float:
        """eta_0 at a fresh start (x0, or a point just reached off a saddle)."""
        g_norm = float(np.linalg.norm(g))
        if self.forcing == "superlinear":
            return _clip(min(0.5, math.sqrt(g_norm)))
        if isinstance(self.forcing, str):
            return _clip(min(_ETA_0, g_norm))
        return float(self.forcing)

    def _next_forcing(self, state, g_new, residual_norm) -> float:
        """eta_{k+1} from the rule in ``self.forcing`` (Eisenstat & Walker 1996)."""
        rule = self.forcing
        if not isinstance(rule, str):
            return float(rule)
        g_new_norm = float(np.linalg.norm(g_new))
        if rule == "superlinear":
            return _clip(min(0.5, math.sqrt(g_new_norm)))
        g_norm = float(np.linalg.norm(state.g))
        prev = state.forcing
        if rule == "eisenstat-walker":
            eta = abs(g_new_norm - residual_norm) / g_norm
            guard = prev**_GOLDEN
        else:
            eta = 0.9 * (g_new_norm / g_norm) ** 2
            guard = 0.9 * prev**2
        if guard > 0.1:
            eta = max(eta, guard)
        return _clip(min(eta, g_new_norm))


def _clip(eta: float) -> float:
    return min(max(eta, _ETA_MIN), _ETA_MAX)


def _negative_curvature_step(d: np.ndarray, curvature: float, g: np.ndarray) -> np.ndarray:
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
