"""Truncated Newton (Newton-CG) with Hessian-vector products only.

A direction plus a step strategy: the direction comes from conjugate gradients on the Newton
system H p = -g, truncated by an Eisenstat-Walker forcing term; the step strategy is a
globalization (``optim.globalization``), either

* ``TrustRegion(Steihaug())`` (default): Steihaug-Toint CG inside a trust region
  (Nocedal & Wright, Alg. 4.1 with Alg. 7.2), or
* ``LineSearch(StrongWolfe())``: Dembo-Steihaug truncated CG then a line search
  (Nocedal & Wright, Alg. 7.1), where negative curvature is used, not passed over.

This file owns the forcing terms and the second-order check; the globalization owns the step.

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

Trust-region details (``globalization.trust_region``): a rejected step is re-solved at the
smaller radius by replaying the stored CG path, at no new Hessian-vector product. When the
predicted reduction is below 1e-8 |f|, where differences of f drown in rounding, a step that
reduces ||g|| is judged by the trapezoid estimate -1/2 (g_k + g_trial).p of the reduction
instead (exact on quadratics; ``globalization.reduction``). Negative curvature under a line
search: see ``globalization.line_search``.

Second-order check (``saddle_check``, on by default): a small gradient does not make a
minimum. Where the driver's gradient test is met, ``leave_saddle`` runs a few Lanczos steps
from a seeded random vector (``optim.curvature``; Royer, O'Neill & Wright 2020, Alg. 3) and,
on curvature below ``-saddle_tol`` times the Hessian's norm, steps downhill along it and the
solve goes on. CG alone cannot do this when the gradient lies in an invariant subspace of the
Hessian (a symmetric problem on its symmetric subspace: MGH's Biggs EXP6 stops at such a
saddle, f = 5.66e-3, without it). The Lanczos steps stop early once Kuczynski &
Wozniakowski's (1992) bound for a random start certifies, at failure probability
``saddle_delta`` (1e-3), that no curvature below ``-saddle_tol`` times the largest Ritz
value exists; on a well-conditioned Hessian that takes a few products (12 on the 200-variable
logistic regression of ``bench/end_to_end.py`` instead of 20), on an ill-conditioned one all
``saddle_check`` run, as with ``saddle_delta=0``. At a minimum the check costs at most
min(n, saddle_check) Hessian-vector products and no evaluation of f; ``saddle_check=0``
turns it off.

Convex objectives skip the check: when the objective is proven convex (``objective.convex``,
read once, when the check would first run, so a deferred proof can use what the solve has
compiled by then; ``optkit.minimize`` proves it from f's trace by disciplined convex
programming, ``optkit.ad.convexity``, and only when every derivative comes from its AD), every
stationary point is a global minimum, so there is no saddle to leave: ``leave_saddle``
returns None at no Hessian-vector product and the result carries ``second_order_check =
'skipped: f proven convex'``. An unproven f (``unknown`` is the analysis' answer whenever its
rules do not apply) keeps the check.

Bounds (``init(objective, x0, bounds=...)``, a box with a finite side): the step is TRON's
(Lin & More 1999, ``optim.bounded.tron``): a projected search for a Cauchy step that fixes the
active set, Steihaug CG on the free variables with exact products, a projected search along
the result, and the same trust region; stationarity is the projected gradient, f, g and H v
are never evaluated outside the box, and the saddle check is off. All-infinite bounds run the
unconstrained iteration above, unchanged.

The Hessian is never formed; every ``hessp`` call goes through the Objective and is counted.
One ``step`` is one accepted iteration: the trust region retries internally and raises
TrustRegionError when no step decreases f; the line search raises LineSearchError.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field, replace
from typing import ClassVar

import numpy as np

from ..bounded.tron import TRON, TRONState
from ..curvature import smallest_curvature
from ..globalization.base import Globalization
from ..globalization.reduction import actual_reduction, reduction_ratio
from ..globalization.trust_region import TrustRegion
from ..trust_region.steihaug import CGExit, as_preconditioner
from .base import Solver

__all__ = ["NewtonCG", "NewtonCGState"]

_ETA_0 = 0.5  # first forcing term (Eisenstat & Walker 1996)
_ETA_MAX = 0.5  # cap: CG must at least halve the residual (Nocedal & Wright, eq. 7.3)
# floor: on ill-conditioned Hessians finite-precision CG pays more products for the last
# digits than one more outer iteration costs (measured on quadratics of cond 1e2..1e6, n = 50
# to 1000: 1e-4 used 10-35 % fewer products than 1e-10, with the same f and g evaluations)
_ETA_MIN = 1e-4
_GOLDEN = (1.0 + math.sqrt(5.0)) / 2.0
_ESCAPE_TRIES = 40  # step lengths tried along negative curvature, each 1/4 of the last
_FORCING = ("eisenstat-walker", "eisenstat-walker-2", "superlinear")
_SKIPPED_CONVEX = "skipped: f proven convex"


class ConvexityProof:
    """``objective.convex``, read the first time it is asked for and remembered (``proven``:
    None until then). Read where the saddle check would run, late in the solve: a deferred
    proof (``optkit.minimize``'s) can then analyse the recording of f that compiling the
    Hessian-vector products made, instead of tracing f again."""

    __slots__ = ("objective", "proven")

    def __init__(self, objective):
        self.objective = objective
        self.proven = None

    def __call__(self) -> bool:
        if self.proven is None:
            self.proven = self.objective.convex
        return self.proven


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
    # objective.convex, read when the saddle check would first run (None: the check is off)
    convexity: ConvexityProof | None = None


@dataclass(frozen=True, eq=False)  # eq=False: preconditioner may be an array
class NewtonCG(Solver):
    """Truncated Newton with Hessian-vector products (Nocedal & Wright, Ch. 7).

    Requires Hessian-vector products (``needs_hessp`` is True). With bounds the step is
    TRON's (Lin & Moré 1999) and the first-order measure the projected gradient.

    Parameters
    ----------
    globalization : TrustRegion or LineSearch, optional
        The step strategy: ``TrustRegion(Steihaug())`` (default) or ``LineSearch(...)``
        (not with bounds).
    forcing : str or float, optional
        The CG tolerance rule (see the module docstring): ``"eisenstat-walker"`` (default),
        another named rule, or a fixed float in (0, 1).
    preconditioner : None, callable or ndarray, optional
        A callable ``v -> M^{-1} v`` with M symmetric positive definite (close to the
        Hessian), or a 1-D array with the positive diagonal of M; the trust region is then
        measured in ``||.||_M``.
    saddle_check : int, optional
        Lanczos steps of the second-order check where the gradient test holds (default 20;
        0 turns the check off; off with bounds).
    saddle_tol : float, optional
        The curvature, relative to the Hessian's norm, below which a direction counts as
        negative (default 1e-6).
    saddle_delta : float, optional
        The check stops before ``saddle_check`` steps once it has certified, with probability
        at least ``1 - saddle_delta`` over its random start, that no curvature below
        ``-saddle_tol`` times the largest Ritz value exists (Kuczynski & Wozniakowski 1992;
        ``optim.curvature``); default 1e-3, in [0, 1). 0 always runs ``saddle_check`` steps.
    seed : int, optional
        Seed of the check's random start vector (default 0).

    Raises
    ------
    ValueError
        An option out of its range, named.
    TypeError
        A ``globalization`` that is neither a ``TrustRegion`` nor a ``LineSearch``.

    Examples
    --------
    >>> import numpy as np
    >>> from optkit.optim import NewtonCG, solve
    >>> f = lambda x: float(np.sum((x - 1.0) ** 2))
    >>> r = solve(f, np.zeros(3), NewtonCG(), jac=lambda x: 2.0 * (x - 1.0),
    ...           hessp=lambda x, p: 2.0 * p)
    >>> r.success, np.round(r.x, 6)
    (True, array([1., 1., 1.]))
    """

    globalization: Globalization = field(default_factory=TrustRegion)  # step strategy
    forcing: str | float = "eisenstat-walker"  # CG tolerance rule, see module docstring
    preconditioner: object = None  # None, callable M^{-1} v, or diagonal of M
    # second-order check where the gradient test is met: Lanczos steps from a random start
    # (0 disables), the relative curvature that counts as negative, and the start's seed
    saddle_check: int = 20
    saddle_tol: float = 1e-6
    seed: int = 0
    # failure probability at which the check may stop early, certified (0: never early)
    saddle_delta: float = 1e-3

    needs_hessp: ClassVar[bool] = True
    supports_bounds: ClassVar[bool] = True

    def __post_init__(self):
        if not isinstance(self.globalization, Globalization):
            raise TypeError(
                "globalization: expected a Globalization such as TrustRegion(...) or "
                f"LineSearch(...), got {type(self.globalization).__name__}"
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
        if (isinstance(self.saddle_delta, bool)
                or not isinstance(self.saddle_delta, int | float)
                or not 0 <= self.saddle_delta < 1):
            raise ValueError(
                f"saddle_delta: expected a float in [0, 1), got {self.saddle_delta!r}")

    # -- protocol ----------------------------------------------------------------------------
    def init(self, objective, x0, bounds=None) -> NewtonCGState | TRONState:
        """Evaluate f and g at x0 and set the first radius and forcing term.

        With ``bounds`` (a box with a finite side) the solve is TRON's (module docstring) and
        the state a ``TRONState``; bounds that are all infinite are no bounds: the
        unconstrained iteration, unchanged.
        """
        if bounds is not None and not bounds.is_unbounded:
            return self._bounded().init(objective, x0, bounds)
        if not objective.has_hessp:
            raise ValueError("hessp: NewtonCG needs Hessian-vector products; pass hessp=callable")
        x = np.array(x0, dtype=float)
        as_preconditioner(self.preconditioner, x.size)  # shape check against x0
        f, g = objective.f_and_g(x)
        radius = self.globalization.first_radius(float(np.linalg.norm(x)))
        convexity = ConvexityProof(objective) if self.saddle_check > 0 else None
        return NewtonCGState(x=x, f=f, g=g, radius=radius, forcing=self._first_forcing(g),
                             convexity=convexity)

    def step(self, objective, state: NewtonCGState) -> NewtonCGState:
        """One accepted Newton-CG step (state.f, state.g are f and grad f at state.x)."""
        # the state init made says which problem this is: a box (TRON) or none
        if isinstance(state, TRONState):
            return self._bounded().step(objective, state)
        precond = as_preconditioner(self.preconditioner, state.x.size)
        hessp = functools.partial(objective.hessp, state.x)  # H v at x: one call per CG step
        move = self.globalization.newton_step(
            objective, state.x, state.f, state.g, hessp, precond, radius=state.radius,
            forcing=state.forcing, f_recent=state.f_recent)
        return NewtonCGState(
            x=move.x, f=move.f, g=move.g, radius=move.radius,
            forcing=self._next_forcing(state, move.g, move.residual_norm),
            step_norm=move.step_norm, alpha=move.alpha, cg_iterations=move.cg_iterations,
            cg_exit=move.cg_exit, rejected=move.rejected, f_recent=move.f_recent,
            convexity=state.convexity,
        )

    def stationarity(self, state) -> float:
        """||g||_inf; in a box, TRON's projected gradient ||P(x - g) - x||_inf."""
        if isinstance(state, TRONState):
            return self._bounded().stationarity(state)
        return super().stationarity(state)

    def result_fields(self, state) -> dict:
        """With bounds, ``active_mask``: -1 at a lower bound, +1 at an upper, 0 free. Without,
        when the saddle check was skipped because the objective is proven convex,
        ``second_order_check``: 'skipped: f proven convex'."""
        if isinstance(state, TRONState):
            return {"active_mask": state.bounds.active_mask(state.x)}
        if state.convexity is not None and state.convexity.proven:
            return {"second_order_check": _SKIPPED_CONVEX}
        return super().result_fields(state)

    def _bounded(self) -> TRON:
        """TRON with this solver's trust region, forcing and preconditioner."""
        if not isinstance(self.globalization, TrustRegion):
            raise ValueError("globalization: newton-cg with bounds is TRON, a trust-region "
                             "method; LineSearch(...) is not supported with bounds")
        # Eisenstat-Walker's rules compare ||g_k+1|| with the CG residual of one linear system;
        # across changes of the active set there is none, so the named rules become TRON's
        # "superlinear" rule on the projected gradient (a fixed float is kept)
        forcing = "superlinear" if isinstance(self.forcing, str) else self.forcing
        return TRON(trust_region=self.globalization, forcing=forcing,
                    preconditioner=self.preconditioner)

    def leave_saddle(self, objective, state: NewtonCGState) -> NewtonCGState | None:
        """Called by the driver when the gradient test is met: a step off a saddle, or None.

        Runs at most ``saddle_check`` Lanczos steps on the Hessian from a random start (seeded
        by ``seed``; see ``optim.curvature``), fewer once the absence of curvature below
        ``-saddle_tol`` times the largest Ritz value is certified with probability at least
        ``1 - saddle_delta`` (Kuczynski & Wozniakowski 1992). If a Ritz value below
        ``-saddle_tol`` times the Hessian's estimated norm shows negative curvature along a
        unit vector u, steps along u, downhill, by the trust radius (or max(1, ||x|| / 10)
        under a line search); the step is taken when f falls by at least a tenth of the
        quadratic model's prediction ``-(tau g.u + tau^2 u.H u / 2)`` (measured with the
        gradients' trapezoid rule where that prediction is below f's rounding), and shortened
        by 4 otherwise, at most 40 times.
        None (a second-order point, as far as the check can tell) when no negative curvature
        is found or no step along it decreases f. This is the
        second-order phase of Royer, O'Neill & Wright (2020, Alg. 1 with Alg. 3).
        """
        if self.saddle_check == 0 or isinstance(state, TRONState):  # no check in a box
            return None
        if state.convexity():  # a stationary point of a convex function is a global minimum
            return None
        rng = np.random.default_rng(self.seed)
        hessp = functools.partial(objective.hessp, state.x)
        found = smallest_curvature(hessp, state.x.size, steps=self.saddle_check,
                                   threshold=self.saddle_tol, rng=rng,
                                   delta=self.saddle_delta)
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
            # differences of f may drown in its rounding: the trapezoid rule on the gradients
            # judges there, as in a trust-region step (but off a saddle ||g|| may grow)
            actual = actual_reduction(objective, state.f, state.g, x_trial, u, predicted,
                                      length=tau, gradient_must_fall=False)
            if actual >= 0.1 * predicted:
                f_new, g_new = objective.f_and_g(x_trial)
                if np.all(np.isfinite(g_new)):
                    break
            tau *= 0.25
        else:
            return None
        rho = reduction_ratio(state.f, f_new, predicted)
        radius = self.globalization.update(state.radius, rho, tau, tau >= state.radius)
        return replace(
            state, x=x_trial, f=f_new, g=g_new, radius=radius,
            forcing=self._first_forcing(g_new), step_norm=tau,
            alpha=1.0, cg_iterations=found.products, cg_exit=CGExit.NEGATIVE_CURVATURE,
            rejected=0,
        )

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
