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
product; the driver's maxfev bounds the trials.

Stopping (``stopping.py``). A truncated CG step says little about the minimum: it is short
when CG stopped early on an ill-conditioned J^T J, and its model reduction is a fraction of
the Gauss-Newton one (Misra1a, Thurber, Meyer: 'converged' at 2 to 1e3 times f*, measured).
So ftol and xtol on a trial only *propose* a stop (MINPACK's ftol: |actred| <= ftol,
prered <= ftol, rho <= 2, the step inside the region; scipy 'trf''s xtol:
||p|| <= xtol (xtol + ||x||) after a step). The next ``step`` confirms it on the Gauss-Newton
step p_GN = argmin of the model without a radius, by CG to ||J~^T J~ p + g|| <= 1e-10 ||g||
(Jacobian products only, no residual evaluation):

    ftol   the model's whole reduction at p_GN, relative to F, is <= ftol  -> CONVERGED_FTOL
    xtol   ||p_GN|| <= xtol (xtol + ||x||)                                 -> CONVERGED_XTOL

(CG's iteration limit counts as that accuracy once it is at least n: then rounding, not the
iteration count, is what stops CG); otherwise (a direction of zero curvature, a limit below n,
or neither test) the iteration goes on, its trial being p_GN cut to the radius
(``truncate``). gtol, after every accepted step, is scipy 'trf''s projected
||J~^T r~||_inf <= gtol. All three are successes. When the radius falls to machine precision
relative to ||x|| (MINPACK's info 7), no test can hold any more; the stop is CONVERGED_GTOL
if the point is stationary to working precision, ||g||_inf <= eps^(1/3) (1 + F) (Gill,
Murray & Wright 1981, "Practical Optimization", sec. 8.2.3.2, test U3 with F known to eps),
else SOLVER_FAILED. The radius collapses so at the minima of large-residual problems whose
J^T J is nearly singular (Freudenstein-Roth's local minimum: ||g||_inf = 3e-7, the absolute
gtol 1e-8 is out of reach and the Gauss-Newton model, which ignores sum r_i r_i'', predicts
a reduction of F/2 that no step realizes).

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
from ..trust_region.steihaug import CGExit, Steihaug
from .box import free_variables, project_step, projected_gradient
from .stopping import Stop, check_tolerance

__all__ = ["GaussNewtonCG", "GaussNewtonCGState"]

_ETA_MIN = 1e-10  # floor of the forcing term (Steihaug requires rtol > 0); the confirming solve
_EPS = np.finfo(float).eps


@dataclass(frozen=True)
class GaussNewtonCGState:
    """One point of the Gauss-Newton-CG iteration and its trust region.

    Attributes
    ----------
    x : ndarray
        The point.
    f : float
        The cost F(x).
    g : ndarray
        grad F(x) = J~^T r~.
    lin : Linearization
        The objective's linearization at x.
    radius : float
        The trust radius Delta for the next trial.
    cg : SubproblemResult or None
        The last CG result at x, replayed on a rejection.
    step_norm : float
        ||x_k - x_{k-1}||, 0 after a rejected trial.
    accepted : bool
        False when the last trial was rejected and x did not move.
    ratio : float
        rho of the last trial.
    cg_iterations : int
        CG iterations of the last solve (each two Jacobian products).
    stop : Stop or None
        A stopping test that fired; ``converged`` reports it to the driver.
    free : ndarray or None
        With bounds, the mask of the free variables (None: all free).
    confirm : bool
        ftol or xtol proposed a stop: the next step checks it on the Gauss-Newton step.

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
    >>> state = GaussNewtonCG().init(ResidualObjective(r, jac), np.array([1.0, 1.0]))
    >>> round(state.f, 6), state.radius
    (0.753391, 1.0)
    """

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
    confirm: bool = False  # ftol/xtol proposed a stop: the next step checks p_GN


def _gtol_stop(pg, gtol):
    """The gtol test on the projected gradient ``pg`` (-g without bounds)."""
    gnorm = float(np.max(np.abs(pg)))
    if gnorm <= gtol:
        return Stop(Status.CONVERGED_GTOL, f"projected ||J^T r||_inf = {gnorm:.1e} <= gtol = "
                    f"{gtol:.1e}")
    return None


def _collapsed(pg, cost):
    """The stop when the radius fell to machine precision: stationary to working precision
    (Gill, Murray & Wright's U3 test with the cost known to eps), or no progress possible."""
    gnorm = float(np.max(np.abs(pg)))
    if gnorm <= _EPS ** (1 / 3) * (1.0 + cost):
        return Stop(Status.CONVERGED_GTOL, f"stationary to working precision: the trust "
                    f"radius fell to machine precision at ||J^T r||_inf = {gnorm:.1e} <= "
                    f"eps^(1/3) (1 + F) (Gill, Murray & Wright 1981, sec. 8.2.3.2)")
    return Stop(Status.SOLVER_FAILED, "the trust radius fell to machine precision relative "
                f"to x (MINPACK info 7) at ||J^T r||_inf = {gnorm:.1e}, not stationary")


@dataclass(frozen=True)
class GaussNewtonCG(Solver):
    """Gauss-Newton with Steihaug-Toint CG in a trust region (module docstring).

    Matrix-free: it needs only the products J v and J^T u. Run it through the driver with the
    driver's own tests off (``run(GaussNewtonCG(), objective, x0, gtol=0, ftol=0)``); its
    stops reach the driver through ``converged`` (``stopping.py``).

    Parameters
    ----------
    ftol : float, optional
        MINPACK's ftol on relative reductions, >= 0 (default 1e-8, scipy's; 0: off).
    xtol : float, optional
        Stop when ``||p|| <= xtol (xtol + ||x||)`` (scipy 'trf'), >= 0 (1e-8; 0: off).
    gtol : float, optional
        Stop when the projected ``||J^T r||_inf <= gtol`` (scipy 'trf'), >= 0 (1e-8; 0: off).
    trust_region : TrustRegion, optional
        The radius update and the Steihaug subproblem's settings.
    bounds : optkit.Bounds or None, optional
        A box containing x0: the steps are projected into it; None: unbounded.

    Raises
    ------
    ValueError
        A tolerance that is negative or not finite, naming it.
    TypeError
        A ``bounds`` or ``trust_region`` of the wrong type.

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
    >>> objective = ResidualObjective(r, jvp=lambda x, v: jac(x) @ v,
    ...                               vjp=lambda x, u: jac(x).T @ u)
    >>> res = run(GaussNewtonCG(), objective, np.array([1.0, 1.0]), gtol=0, ftol=0)
    >>> bool(res.success), np.round(res.x, 6)
    (True, array([2. , 1.5]))
    """

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

    def first_order_note(self, state: GaussNewtonCGState, gtol, measure) -> str:
        """The projected-gradient gtol test at the point returned (the driver's gtol is off)."""
        pg = projected_gradient(self.bounds, state.x, state.g)
        return (f"projected ||J^T r||_inf = {float(np.max(np.abs(pg))):.2e} at the point "
                f"returned, gtol = {self.gtol:.2e}")

    def accepted(self, state: GaussNewtonCGState) -> bool:
        """False after a rejected trial (x did not move)."""
        return state.accepted

    def converged(self, state: GaussNewtonCGState):
        """The test that fired at ``state`` (a Stop for the driver), or None."""
        return state.stop

    def _solve(self, state, exact=False):
        lin, g, free = state.lin, state.g, state.free
        subproblem: Steihaug = self.trust_region.subproblem
        if free is None:
            def hessp(v):
                return lin.rmatvec(lin.matvec(v))
        else:  # the reduced model: fixed variables masked out of g and of every product
            g = np.where(free, g, 0.0)

            def hessp(v):
                return np.where(free, lin.rmatvec(lin.matvec(np.where(free, v, 0.0))), 0.0)
        rtol = _ETA_MIN if exact else max(min(0.5, math.sqrt(float(np.linalg.norm(g)))),
                                          _ETA_MIN)
        return subproblem.solve(hessp, g, math.inf if exact else state.radius, rtol)

    def _confirm(self, state):
        """(Stop or None, CG result for the trial): the proposed stop checked on the
        Gauss-Newton step (module docstring)."""
        gn = self._solve(state, exact=True)
        # CONVERGED, or MAXITER after n iterations or more (CG's exact-arithmetic finish):
        # the model's minimizer to working precision, where 1e-10 ||g|| is below rounding
        if gn.exit is CGExit.CONVERGED or (gn.exit is CGExit.MAXITER
                                           and gn.niter >= state.x.size):
            if gn.model_decrease <= self.ftol * state.f:
                return Stop(Status.CONVERGED_FTOL, "MINPACK test: actual and predicted "
                            "relative reductions of the cost <= ftol = "
                            f"{self.ftol:.1e} (predicted: the whole Gauss-Newton step)"), gn
            if gn.step_norm <= self.xtol * (self.xtol + float(np.linalg.norm(state.x))):
                return Stop(Status.CONVERGED_XTOL, "the Gauss-Newton step ||p|| <= xtol "
                            f"(xtol + ||x||), xtol = {self.xtol:.1e}"), gn
        return None, gn.truncate(state.radius)

    def step(self, objective, state: GaussNewtonCGState) -> GaussNewtonCGState:
        """One trial step (module docstring)."""
        cg = state.cg
        fresh = cg is None
        if state.confirm:
            stop, cg = self._confirm(state)
            if stop is not None:
                return replace(state, step_norm=0.0, accepted=False, confirm=False, stop=stop,
                               cg_iterations=0)
            fresh = True
        elif not fresh:
            cg = cg.truncate(state.radius)
        if cg is None:
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
        # MINPACK's ftol test, proposed on a step inside the region only: on the boundary the
        # model's reduction is capped by the radius and promises nothing about the minimum
        small_f = (abs(actred) <= self.ftol and prered <= self.ftol and rho <= 2.0
                   and not cg.on_boundary)
        common = dict(radius=radius, ratio=rho, cg_iterations=cg.niter if fresh else 0)
        if not tr.accepts(rho):
            stop = None
            if radius <= _EPS * float(np.linalg.norm(state.x)):
                stop = _collapsed(projected_gradient(self.bounds, state.x, state.g), state.f)
            return replace(state, cg=cg, step_norm=0.0, accepted=False, stop=stop,
                           confirm=small_f, **common)
        lin = objective.linearize(x_new)
        small_x = pnorm <= self.xtol * (self.xtol + float(np.linalg.norm(x_new)))
        stop = _gtol_stop(projected_gradient(self.bounds, lin.x, lin.grad), self.gtol)
        return GaussNewtonCGState(x=lin.x, f=lin.cost, g=lin.grad, lin=lin, cg=None,
                                  step_norm=pnorm, accepted=True, stop=stop,
                                  confirm=stop is None and (small_f or small_x),
                                  free=free_variables(self.bounds, lin.x, lin.grad), **common)
