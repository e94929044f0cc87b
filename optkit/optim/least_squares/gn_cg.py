"""Gauss-Newton with a Steihaug trust region on J^T J, matrix-free.

Each iteration approximately minimizes the Gauss-Newton model of the cost F

    m(p) = F + g^T p + 1/2 ||J~ p||^2,   g = J~^T r~,

inside ||p|| <= Delta by Steihaug-Toint CG (``trust_region.steihaug``; Steihaug 1983,
Nocedal & Wright Alg. 7.2 with H = J~^T J~ applied as J~^T (J~ v), two Jacobian products per
CG iteration), and globalizes with the trust-region update of
``optkit.optim.globalization.TrustRegion`` (Nocedal & Wright, Alg. 4.1). J^T J is positive
semidefinite, so CG stops on the boundary, at its forcing tolerance, or on a direction of
zero curvature. The forcing term is min(0.5, sqrt(||g||)) (Nocedal & Wright, eq. 7.3),
floored at 1e-10, for a superlinear rate on zero-residual problems.

One ``step`` is one trial (one residual evaluation). A rejected trial is re-solved at the
smaller radius by replaying the stored CG path (``SubproblemResult.truncate``), at no new
product. Stopping (``stopping.py``): MINPACK's ftol test on the relative actual and predicted
reductions of a step inside the region (on the boundary the model's reduction is capped
by the radius, so it promises nothing), xtol as scipy's 'trf' (||p|| <= xtol (xtol + ||x||)
after a step), and gtol as scipy's 'trf' (||g||_inf <= gtol), all successes; the driver's
maxfev bounds the trials.

Bounds (``box.py``): CG runs on the free variables (the fixed ones are masked out of g and of
every product), the trial point is P(x + p), never outside the box, the predicted reduction is
the model's at the projected step, and the gtol test uses the projected gradient.

Notation map (Nocedal & Wright, Ch. 4 and 7 -> code):
    x_k, F(x_k), g_k      state.x, state.f, state.g
    Delta_k               state.radius
    p_k, rho_k            the trial step, state.ratio
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from ..bounds import Bounds
from ..globalization import TrustRegion, reduction_ratio
from ..result import Status
from ..solvers.base import Solver
from ..trust_region.steihaug import Steihaug
from .box import free_variables, project_step, projected_gradient
from .stopping import Stop, check_tolerance

__all__ = ["GaussNewtonCG", "GaussNewtonCGState"]

_ETA_MIN = 1e-10  # floor of the forcing term (Steihaug requires rtol > 0)


@dataclass(frozen=True)
class GaussNewtonCGState:
    """One point of the Gauss-Newton-CG iteration and its trust region."""

    x: np.ndarray
    f: float  # the cost F(x)
    g: np.ndarray  # grad F(x) = J~^T r~
    lin: object = field(repr=False)  # the objective's Linearization at x
    radius: float  # Delta for the next trial
    cg: object = field(default=None, repr=False)  # last CG result at x, replayed on rejection
    step_norm: float = 0.0  # ||x_k - x_{k-1}||, 0 after a rejected trial
    accepted: bool = True  # False when the trial was rejected and x did not move
    ratio: float = math.nan  # rho of the last trial
    cg_iterations: int = 0  # CG iterations of the last solve (each two Jacobian products)
    stop: Stop | None = None  # a test fired: converged() reports it (stopping.py)
    free: np.ndarray | None = None  # bounds: mask of the free variables (None: all free)


def _gtol_stop(pg, gtol):
    """The gtol test on the projected gradient ``pg`` (-g without bounds)."""
    gnorm = float(np.max(np.abs(pg)))
    if gnorm <= gtol:
        return Stop(Status.CONVERGED_GTOL, f"projected ||J^T r||_inf = {gnorm:.1e} <= gtol = "
                    f"{gtol:.1e}")
    return None


@dataclass(frozen=True)
class GaussNewtonCG(Solver):
    """Gauss-Newton with Steihaug-Toint CG in a trust region (module docstring)."""

    ftol: float = 1e-8  # MINPACK ftol on relative reductions (scipy's default); 0: off
    xtol: float = 1e-8  # stop when ||p|| <= xtol (xtol + ||x||) (scipy 'trf'); 0: off
    gtol: float = 1e-8  # stop when ||J^T r||_inf <= gtol (scipy 'trf'); 0: off
    trust_region: TrustRegion = field(default_factory=TrustRegion)  # radius update, Steihaug
    bounds: Bounds | None = None  # a box containing x0: projected steps (box.py); None: none

    def __post_init__(self):
        for name in ("ftol", "xtol", "gtol"):
            check_tolerance(name, getattr(self, name))
        if self.bounds is not None and not isinstance(self.bounds, Bounds):
            raise TypeError("bounds: expected None or an optkit.Bounds, got "
                            f"{type(self.bounds).__name__}")
        if not isinstance(self.trust_region, TrustRegion):
            raise TypeError("trust_region: expected a TrustRegion instance, got "
                            f"{type(self.trust_region).__name__}")

    def init(self, objective, x0) -> GaussNewtonCGState:
        """Linearize at x0 and pick the first radius (``TrustRegion.first_radius``)."""
        x = np.array(x0, dtype=float)
        if self.bounds is not None and not self.bounds.contains(x):
            raise ValueError("x0: outside the bounds (the residuals are evaluated only "
                             "inside the box)")
        lin = objective.linearize(x)
        radius = self.trust_region.first_radius(float(np.linalg.norm(x)))
        return GaussNewtonCGState(
            x=x, f=lin.cost, g=lin.grad, lin=lin, radius=radius,
            free=free_variables(self.bounds, x, lin.grad),
            stop=_gtol_stop(projected_gradient(self.bounds, x, lin.grad), self.gtol))

    def result_fields(self, state: GaussNewtonCGState) -> dict:
        """The driver's extra result field: the Linearization (r~, J~, grad) at the point
        returned, so a caller reads them without evaluating again."""
        return {"linearization": state.lin}

    def accepted(self, state: GaussNewtonCGState) -> bool:
        """False after a rejected trial (x did not move)."""
        return state.accepted

    def converged(self, state: GaussNewtonCGState):
        """The test that fired at ``state`` (a Stop for the driver), or None."""
        return state.stop

    def _solve(self, state):
        lin, g, free = state.lin, state.g, state.free
        subproblem: Steihaug = self.trust_region.subproblem
        if free is None:
            def hessp(v):
                return lin.rmatvec(lin.matvec(v))
        else:  # the reduced model: fixed variables masked out of g and of every product
            g = np.where(free, g, 0.0)

            def hessp(v):
                return np.where(free, lin.rmatvec(lin.matvec(np.where(free, v, 0.0))), 0.0)
        rtol = min(0.5, math.sqrt(float(np.linalg.norm(g))))
        rtol = max(rtol, _ETA_MIN)
        return subproblem.solve(hessp, g, state.radius, rtol)

    def step(self, objective, state: GaussNewtonCGState) -> GaussNewtonCGState:
        """One trial step (module docstring)."""
        cg = state.cg
        fresh = cg is None
        if not fresh:
            cg = cg.truncate(state.radius)
        if cg is None or fresh:
            cg = self._solve(state)
        x_new, p, clipped = project_step(self.bounds, state.x, cg.step)
        pnorm = float(np.linalg.norm(p))
        cost = state.f
        cost1 = objective.cost(x_new)
        decrease = cg.model_decrease
        if clipped:  # the model's reduction at the projected step (one more J product)
            jp = state.lin.matvec(p)
            decrease = -(float(state.g @ p) + 0.5 * float(jp @ jp))
        rho = reduction_ratio(cost, cost1, decrease)
        tr = self.trust_region
        radius = tr.update(state.radius, rho, pnorm, cg.on_boundary and not clipped)
        actred = (cost - cost1) / cost if math.isfinite(cost1) else -math.inf
        prered = decrease / cost
        # MINPACK's ftol test, on a step inside the region only: on the boundary the model's
        # reduction is capped by the radius and promises nothing about the minimum (Meyer
        # from its start: 'success' at 1.3e3 f* with a radius-bound step, measured)
        small_f = (abs(actred) <= self.ftol and prered <= self.ftol and rho <= 2.0
                   and not cg.on_boundary)
        stop = None
        if small_f:
            stop = Stop(Status.CONVERGED_FTOL, "MINPACK test: actual and predicted relative "
                        f"reductions of the cost <= ftol = {self.ftol:.1e}")
        common = dict(radius=radius, ratio=rho, cg_iterations=cg.niter if fresh else 0)
        if not tr.accepts(rho):
            return replace(state, cg=cg, step_norm=0.0, accepted=False, stop=stop, **common)
        lin = objective.linearize(x_new)
        if stop is None and pnorm <= self.xtol * (self.xtol + float(np.linalg.norm(x_new))):
            stop = Stop(Status.CONVERGED_XTOL, f"||p|| <= xtol (xtol + ||x||), "
                        f"xtol = {self.xtol:.1e}")
        stop = stop or _gtol_stop(projected_gradient(self.bounds, lin.x, lin.grad), self.gtol)
        return GaussNewtonCGState(x=lin.x, f=lin.cost, g=lin.grad, lin=lin, cg=None,
                                  step_norm=pnorm, accepted=True, stop=stop,
                                  free=free_variables(self.bounds, lin.x, lin.grad), **common)
