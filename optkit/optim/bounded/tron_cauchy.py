"""TRON's generalized Cauchy step: a projected search along the projected gradient path.

Lin & Moré 1999, "Newton's method for large bound-constrained optimization problems", SIAM J.
Optim. 9(4), sec. 2, conditions (2.3)-(2.4) (TRON's ``dcauchy``).  Notation map (paper -> code):

    x_k, g_k, Delta_k     x, g, radius
    s(alpha)              s = P(x - alpha g) - x, the step along the projected gradient path
    q(s)                  g.s + 1/2 s.H s, the quadratic model (H through ``hessp``)
    mu_0, mu_1            mu0 = 0.01, mu1 = 1
    alpha_k               alpha (the last iteration's value is the first trial)

The Cauchy step is s(alpha) with

    q(s(alpha)) <= mu0 g.s(alpha)        (sufficient decrease)
    ||s(alpha)|| <= mu1 Delta            (inside the trust region)

and alpha not too short: either it is the first trial, or a longer step (extrapf * alpha)
failed one of the two conditions (the role a curvature condition plays in a line search,
Lin & Moré's (2.4) with gamma_1 = 1, gamma_2 = 1 / extrapf).  From the first trial alpha the
search interpolates (alpha <- interpf * alpha) while the conditions fail, or else extrapolates
(alpha <- extrapf * alpha) while they hold and alpha has not passed the last breakpoint,
beyond which the path no longer moves.  Each trial inside the region costs one
Hessian-vector product; f is never evaluated.  The Cauchy step fixes the active set the
subspace step starts from: the variables P moved onto a bound.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..bounds import Bounds
from ..errors import TrustRegionError

__all__ = ["CauchyStep", "cauchy_step"]

_MAX_TRIALS = 100  # interpolations (1e-100 of the first trial) or extrapolations at most


@dataclass(frozen=True)
class CauchyStep:
    """The generalized Cauchy step: ``point`` = P(x - alpha g) (in the box), ``s`` = point -
    x, ``hs`` = H s, ``model`` = q(s) < 0, and ``products``, the H-products spent."""

    alpha: float
    point: np.ndarray
    s: np.ndarray
    hs: np.ndarray
    model: float
    products: int


def cauchy_step(box: Bounds, x: np.ndarray, g: np.ndarray,
                hessp: Callable[[np.ndarray], np.ndarray], radius: float, alpha: float = 1.0,
                *, mu0: float = 0.01, mu1: float = 1.0, interpf: float = 0.1,
                extrapf: float = 10.0) -> CauchyStep:
    """The generalized Cauchy step of Lin & Moré (module docstring) from x in ``box``.

    ``alpha`` is the first trial (TRON passes the previous iteration's).  Raises
    TrustRegionError when no trial step within ``_MAX_TRIALS`` interpolations both moves x
    and satisfies the conditions (x is then stationary to rounding).
    """
    found = box.breakpoints(x, -g)
    last_breakpoint = float(found.t[found.order[-1]]) if found.order.size else math.inf
    products = 0

    def trial(a):
        nonlocal products
        point = box.project(x - a * g)
        s = point - x
        if not np.any(s) or float(np.linalg.norm(s)) > mu1 * radius:
            return None
        hs = np.asarray(hessp(s), dtype=float)
        products += 1
        gs = float(g @ s)
        model = gs + 0.5 * float(s @ hs)
        if not model <= mu0 * gs:
            return None
        return CauchyStep(a, point, s, hs, model, 0)

    best = trial(alpha)
    if best is None:  # interpolate until both conditions hold
        for _ in range(_MAX_TRIALS):
            alpha *= interpf
            best = trial(alpha)
            if best is not None:
                break
        else:
            raise TrustRegionError(
                f"no Cauchy step decreases the model (alpha down to {alpha:.3g}, radius "
                f"{radius:.3g})")
    else:  # extrapolate while both conditions hold and the path still moves
        for _ in range(_MAX_TRIALS):
            if alpha > last_breakpoint:
                break
            alpha *= extrapf
            longer = trial(alpha)
            if longer is None:
                break
            best = longer
    return CauchyStep(best.alpha, best.point, best.s, best.hs, best.model, products)
