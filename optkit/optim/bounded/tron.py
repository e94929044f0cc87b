"""TRON: a trust-region Newton method for bound constraints, with Hessian-vector products.

Lin & Moré 1999, "Newton's method for large bound-constrained optimization problems", SIAM J.
Optim. 9(4) (the TRON code's ``dtron``).  One iteration from x_k in the box B:

1. the generalized Cauchy step s_C: a projected search on the quadratic model along
   P(x_k - alpha g_k) (``tron_cauchy``), which fixes the active set;
2. the subspace step: Steihaug-Toint CG on the variables still free, with exact products
   H_FF v = P_F H P_F v, followed by Lin & Moré's projected search, in rounds
   (``tron_subspace``, ``projected_search``);
3. the trust-region test on x_trial = x_k + s, a projection onto B: rho = (f_k -
   f(x_trial)) / (-q(s)), acceptance and the radius update of ``trust_region.radius`` (the
   same as the unconstrained Newton-CG; Lin & Moré's own update differs only in how it picks
   the new radius inside the same intervals).  A rejected step is recomputed at the smaller
   radius.

Notation map (paper -> code): x_k, g_k, Delta_k -> state.x, state.g, state.radius;
alpha_k (Cauchy) -> state.alpha; eta_k (CG forcing) -> from ``forcing``.

f, g and Hessian-vector products are evaluated at points of B only: the iterates and trial
points are projections, and every product is taken at x_k.  Stationarity is the projected
gradient ||P(x - g) - x||_inf (``stationarity``).  When the predicted reduction is below
1e-8 |f|, where differences of f drown in rounding, a step that reduces the projected gradient
is judged by the trapezoid estimate -1/2 (g_k + g_trial).s of the reduction instead, as in
the unconstrained Newton-CG.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..bounds import Bounds
from ..errors import TrustRegionError
from ..globalization.reduction import SMALL, reduction_ratio
from ..globalization.trust_region import TrustRegion
from ..trust_region.steihaug import CGExit, as_preconditioner
from .tron_cauchy import cauchy_step
from .tron_subspace import subspace_step

__all__ = ["TRON", "TRONState"]

_ETA_MIN, _ETA_MAX = 1e-4, 0.5  # the forcing term's range, as in the unconstrained Newton-CG


@dataclass(frozen=True)
class TRONState:
    """Iterate of TRON: f and g at x (in ``bounds``), the radius and Cauchy alpha to use next."""

    x: np.ndarray
    f: float
    g: np.ndarray
    bounds: Bounds
    radius: float  # trust-region radius Delta_k for the next step
    alpha: float = 1.0  # first trial of the next Cauchy search (the last accepted one)
    step_norm: float = 0.0  # ||x_k - x_{k-1}||
    cg_iterations: int = 0  # Hessian-vector products in the last step
    cg_exit: CGExit | None = None  # why the last CG stopped (None: no CG ran)
    rounds: int = 0  # subspace rounds in the last step
    rejected: int = 0  # trial steps rejected in the last step


@dataclass(frozen=True, eq=False)  # eq=False: preconditioner may be an array
class TRON:
    """Trust-region Newton-CG for lb <= x <= ub (Lin & Moré 1999; module docstring).

    The bounded branch of ``NewtonCG`` (``method="newton-cg"`` with bounds); the protocol is
    the solvers' own: ``init(objective, x0, bounds)``, ``step(objective, state)`` and
    ``stationarity(state)``, the projected gradient ``||P(x - g) - x||_inf``. The objective
    needs Hessian-vector products.

    Parameters
    ----------
    trust_region : TrustRegion, optional
        Step acceptance, radius update and the CG subproblem's settings.
    forcing : "superlinear" or float, optional
        The CG forcing term: ``"superlinear"`` is ``min(0.5, sqrt(||P(x - g) - x||_2))``
        floored at 1e-4 (Nocedal & Wright eq. 7.3); a float in (0, 1) is fixed.
    preconditioner : None, callable or array_like, optional
        None, a callable ``v -> M^{-1} v``, or the diagonal of M.
    mu0 : float, optional
        Sufficient decrease of the model in both projected searches, in (0, 0.5) (0.01).
    mu1 : float, optional
        The Cauchy step stays within ``mu1 * radius``, > 0 (1).
    interpf : float, optional
        Backtracking factor of the projected searches, in (0, 1) (0.1).
    extrapf : float, optional
        Extrapolation factor of the Cauchy search, > 1 (10).
    max_rounds : int or None, optional
        Subspace rounds per step, >= 1; None: n (TRON's itermax).

    Raises
    ------
    TypeError
        A ``trust_region`` that is not a ``TrustRegion``.
    ValueError
        An option out of its range, naming it.

    Examples
    --------
    >>> import numpy as np
    >>> import optkit
    >>> from optkit.optim import Objective
    >>> from optkit.optim.bounded.tron import TRON
    >>> w, c = np.array([1.0, 10.0]), np.array([2.0, 0.3])
    >>> objective = Objective(lambda x: float(w @ (x - c) ** 2), jac=lambda x: 2 * w * (x - c),
    ...                       hessp=lambda x, p: 2 * w * p)
    >>> tron = TRON()
    >>> state = tron.init(objective, np.array([0.5, -3.0]), optkit.Bounds([0, 0], [1, 1]))
    >>> while tron.stationarity(state) > 1e-8:
    ...     state = tron.step(objective, state)
    >>> np.round(state.x, 8)
    array([1. , 0.3])
    """

    trust_region: TrustRegion = field(default_factory=TrustRegion)  # acceptance, radius, CG
    # CG forcing term eta_k: "superlinear" is min(0.5, sqrt(||P(x - g) - x||_2)) (Nocedal &
    # Wright eq. 7.3 on the projected gradient), floored at 1e-4; a float in (0, 1) is fixed
    forcing: str | float = "superlinear"
    preconditioner: object = None  # None, callable M^{-1} v, or the diagonal of M
    mu0: float = 0.01  # sufficient decrease of the model in both projected searches (L&M: 0.01)
    mu1: float = 1.0  # the Cauchy step stays within mu1 * radius (L&M: 1)
    interpf: float = 0.1  # backtracking factor of the projected searches (TRON: 0.1)
    extrapf: float = 10.0  # extrapolation factor of the Cauchy search (TRON: 10)
    max_rounds: int | None = None  # subspace rounds per step; None: n (TRON's itermax)

    def __post_init__(self):
        if not isinstance(self.trust_region, TrustRegion):
            raise TypeError("trust_region: expected a TrustRegion instance, got "
                            f"{type(self.trust_region).__name__}")
        forcing = self.forcing
        if not (forcing == "superlinear" if isinstance(forcing, str) else (
                not isinstance(forcing, bool) and isinstance(forcing, int | float)
                and 0 < forcing < 1)):
            raise ValueError(f"forcing: expected 'superlinear' or a float in (0, 1), got "
                             f"{forcing!r}")
        if not 0 < self.mu0 < 0.5:
            raise ValueError(f"mu0: expected a value in (0, 0.5), got {self.mu0!r}")
        if not self.mu1 > 0:
            raise ValueError(f"mu1: expected a value > 0, got {self.mu1!r}")
        if not 0 < self.interpf < 1:
            raise ValueError(f"interpf: expected a value in (0, 1), got {self.interpf!r}")
        if not self.extrapf > 1:
            raise ValueError(f"extrapf: expected a value > 1, got {self.extrapf!r}")
        if self.max_rounds is not None and (
                isinstance(self.max_rounds, bool) or not isinstance(self.max_rounds, int)
                or self.max_rounds < 1):
            raise ValueError(f"max_rounds: expected None or an int >= 1, got "
                             f"{self.max_rounds!r}")

    # -- protocol ----------------------------------------------------------------------------
    def init(self, objective, x0, bounds: Bounds) -> TRONState:
        """Evaluate f and g at P(x0) (x0 projected onto ``bounds``) and set the first radius."""
        if not objective.has_hessp:
            raise ValueError("hessp: TRON needs Hessian-vector products; pass hessp=callable")
        x = bounds.project(np.asarray(x0, dtype=float))
        as_preconditioner(self.preconditioner, x.size)  # shape check against x0
        f, g = objective.f_and_g(x)
        radius = self.trust_region.first_radius(float(np.linalg.norm(x)))
        return TRONState(x=x, f=f, g=g, bounds=bounds, radius=radius)

    def stationarity(self, state: TRONState) -> float:
        """||P(x - g) - x||_inf, the first-order measure in the box."""
        return state.bounds.projected_gradient_norm(state.x, state.g)

    def step(self, objective, state: TRONState) -> TRONState:
        """One accepted TRON step (state.f, state.g are f and grad f at state.x)."""
        box, x, g = state.bounds, state.x, state.g
        tr = self.trust_region
        precond = as_preconditioner(self.preconditioner, x.size)
        max_rounds = x.size if self.max_rounds is None else self.max_rounds
        rtol = self._forcing(box.projected_gradient(x, g))

        def hessp(v):
            return objective.hessp(x, v)

        radius, alpha, products = state.radius, state.alpha, 0
        for rejected in range(tr.max_rejections + 1):
            cauchy = cauchy_step(box, x, g, hessp, radius, alpha, mu0=self.mu0, mu1=self.mu1,
                                 interpf=self.interpf, extrapf=self.extrapf)
            sub = subspace_step(box, x, g, hessp, cauchy, radius, rtol, tr.subproblem,
                                max_rounds=max_rounds, mu0=self.mu0, interpf=self.interpf,
                                precond=precond)
            products += cauchy.products + sub.products
            alpha = cauchy.alpha
            x_trial = sub.point
            if np.array_equal(x_trial, x):
                raise TrustRegionError(
                    f"trust region step vanished at radius {radius:.3g} without decrease")
            step_norm = float(np.linalg.norm(sub.s))
            f_trial = objective.f(x_trial)
            rho = reduction_ratio(state.f, f_trial, sub.model_decrease)
            if math.isfinite(f_trial) and sub.model_decrease <= SMALL * max(1.0, abs(state.f)):
                # globalization.reduction's test, with the projected gradient in place of g
                # (in a box g need not fall at all): below f's rounding, a step that reduces
                # it is judged by the gradients' trapezoid rule
                f_trial, g_new = objective.f_and_g(x_trial)
                if np.all(np.isfinite(g_new)) and (
                        np.linalg.norm(box.projected_gradient(x_trial, g_new))
                        < np.linalg.norm(box.projected_gradient(x, g))):
                    actual = -0.5 * float((g + g_new) @ sub.s)
                    rho = reduction_ratio(actual, 0.0, sub.model_decrease)
            on_boundary = sub.on_boundary or step_norm >= radius
            if tr.accepts(rho):
                f_new, g_new = objective.f_and_g(x_trial)
                if np.all(np.isfinite(g_new)):
                    return TRONState(
                        x=x_trial, f=f_new, g=g_new, bounds=box,
                        radius=tr.update(radius, rho, step_norm, on_boundary), alpha=alpha,
                        step_norm=step_norm, cg_iterations=products, cg_exit=sub.cg_exit,
                        rounds=sub.rounds, rejected=rejected)
                rho = -math.inf  # non-finite gradient at the trial point: shrink as for f
            radius = tr.update(radius, rho, step_norm, on_boundary)
        raise TrustRegionError(
            f"{tr.max_rejections} consecutive trust region steps rejected (radius {radius:.3g})")

    def _forcing(self, projected_gradient: np.ndarray) -> float:
        if not isinstance(self.forcing, str):
            return float(self.forcing)
        eta = math.sqrt(float(np.linalg.norm(projected_gradient)))
        return min(max(min(_ETA_MAX, eta), _ETA_MIN), _ETA_MAX)
