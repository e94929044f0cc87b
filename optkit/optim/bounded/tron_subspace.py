"""TRON's subspace step: Steihaug CG on the free variables, then a projected search.

Lin & Moré 1999, "Newton's method for large bound-constrained optimization problems", SIAM J.
Optim. 9(4), sec. 4 (TRON's ``dspcg``).  Notation map (paper -> code):

    x_k, g_k, Delta_k       x, g, radius
    s                       s = point - x, the step so far (the Cauchy step to begin with)
    F                       free: the variables strictly between their bounds at x + s
    Z_F' H Z_F              H_FF v = P_F H P_F v (``hessp`` masked on both sides)
    Z_F' grad q(s)          r = P_F (g + H s), the reduced model gradient
    w                       the Steihaug-Toint CG step on the reduced model, ||w|| <= Delta

Each round fixes the variables on a bound at x + s, runs Steihaug CG (``trust_region.
steihaug``, unchanged) on the reduced model restricted to the free ones, and moves along the
result by Lin & Moré's projected search (``projected_search``), which may put more variables
on a bound.  The rounds stop when the CG step reached the trust-region boundary (or met
negative curvature), when the reduced model gradient fell to ``rtol`` times the projected
gradient ||P(x - g) - x|| at x (each CG solve aims at that same target; measured at x, not
at the Cauchy point, so that a Cauchy step overshooting along a stiff direction cannot make
a crude solve look accurate: powell-badly-scaled-box stalled that way), when the projected
search made no model decrease, or after ``max_rounds``.  The model decreases in every round,
so the step is at least as good as the Cauchy step.

The vectors keep their full length n with zeros off F, so CG's products are plain masked
products; nothing is dense in n.  f is never evaluated, and every point is a projection onto
the box.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..bounds import Bounds
from ..trust_region.steihaug import CGExit, Steihaug
from .projected_search import projected_search
from .tron_cauchy import CauchyStep

__all__ = ["SubspaceStep", "free_hessp", "free_variables", "subspace_step"]


@dataclass(frozen=True)
class SubspaceStep:
    """The step from x: ``point`` (in the box), ``s`` = point - x, ``model_decrease`` =
    -q(s) > 0, ``products`` (H-products spent, the Cauchy step's excluded), ``rounds``,
    ``cg_exit`` of the last CG (None when no CG ran), ``on_boundary`` (a CG step reached the
    trust-region boundary) and ``residual_norm`` = ||P_F (g + H s)|| at the end."""

    point: np.ndarray
    s: np.ndarray
    model_decrease: float
    products: int
    rounds: int
    cg_exit: CGExit | None
    on_boundary: bool
    residual_norm: float


def free_variables(box: Bounds, x: np.ndarray) -> np.ndarray:
    """Boolean mask of the variables strictly between their bounds (a fixed one, lb == ub,
    is never free)."""
    return (x > box.lb) & (x < box.ub)


def free_hessp(hessp: Callable[[np.ndarray], np.ndarray],
               free: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """v -> P_F H P_F v: the Hessian restricted to the free variables, zero elsewhere."""

    def product(v):
        hv = np.asarray(hessp(np.where(free, v, 0.0)), dtype=float)
        return np.where(free, hv, 0.0)

    return product


def subspace_step(box: Bounds, x: np.ndarray, g: np.ndarray,
                  hessp: Callable[[np.ndarray], np.ndarray], cauchy: CauchyStep, radius: float,
                  rtol: float, cg: Steihaug, *, max_rounds: int, mu0: float = 0.01,
                  interpf: float = 0.1,
                  precond: Callable[[np.ndarray], np.ndarray] | None = None) -> SubspaceStep:
    """Improve the Cauchy step by rounds of reduced CG and projected search (module docstring).

    ``rtol`` in (0, 1) is the CG forcing term; ``precond(v)`` (optional) applies M^{-1}, and
    is restricted to the free variables as the Hessian is.
    """
    point, s, hs = cauchy.point, cauchy.s, cauchy.hs
    products, rounds, exit_, on_boundary = 0, 0, None, False
    target = rtol * float(np.linalg.norm(box.projected_gradient(x, g)))
    while True:
        free = free_variables(box, point)
        r = np.where(free, g + hs, 0.0)
        residual = float(np.linalg.norm(r))
        if residual <= target or rounds >= max_rounds or on_boundary:
            break
        reduced_precond = None
        if precond is not None:
            reduced_precond = free_hessp(precond, free)
        sub = cg.solve(free_hessp(hessp, free), r, radius, target / residual, reduced_precond)
        products += sub.niter
        rounds += 1
        exit_ = sub.exit
        if not np.any(sub.step):
            break
        found = projected_search(box, point, g + hs, sub.step, hessp, mu0=mu0, interpf=interpf)
        products += found.products
        if not found.model_change < 0:
            break
        point = found.point
        s = point - x
        hs = hs + found.hd
        on_boundary = sub.on_boundary or exit_ is CGExit.NEGATIVE_CURVATURE
    model = float(g @ s) + 0.5 * float(s @ hs)
    return SubspaceStep(point, s, -model, products, rounds, exit_, on_boundary, residual)
