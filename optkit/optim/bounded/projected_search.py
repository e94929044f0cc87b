"""Lin & Moré's projected search on a quadratic model along the projected path P(x + alpha w).

Lin & Moré 1999, "Newton's method for large bound-constrained optimization problems", SIAM J.
Optim. 9(4), sec. 4 (TRON's ``dprsrch``).  Notation map (paper -> code):

    x_k + s          x          the current point of the subspace iteration, in the box B
    grad q(s)        gq         the model gradient there: g_k + H s
    w                w          a direction, zero on the variables it must not move
    alpha            alpha      the step along the projected path
    d(alpha)         d          P(x + alpha w) - x
    mu_0             mu0        the sufficient decrease constant (0.01)

The search backtracks alpha <- interpf * alpha from alpha = 1 until the sufficient decrease

    gq.d + 1/2 d.H d <= mu0 gq.d

holds, or until alpha falls below the first breakpoint of the path; there the path is the
straight segment alpha w, along which a truncated-CG direction decreases the model, and alpha
becomes that breakpoint (as ``dprsrch`` does).  Every trial costs one Hessian-vector product,
counted in ``products``; the accepted trial's product H d is returned so the caller can update
H s without another one.  The trial points are projections, so they are in the box exactly.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..bounds import Bounds

__all__ = ["ProjectedSearchResult", "projected_search"]

_MAX_TRIALS = 60  # backtracks before the first breakpoint is taken regardless


@dataclass(frozen=True)
class ProjectedSearchResult:
    """The accepted step: ``point`` = P(x + alpha w) (in the box), ``d`` = point - x, ``hd`` =
    H d, ``model_change`` = gq.d + 1/2 d.H d (<= 0 on success), ``products`` the H-products
    spent."""

    alpha: float
    point: np.ndarray
    d: np.ndarray
    hd: np.ndarray
    model_change: float
    products: int


def first_breakpoint(box: Bounds, x: np.ndarray, w: np.ndarray) -> float:
    """The smallest t > 0 at which a component of x + t w reaches its bound (inf: none)."""
    found = box.breakpoints(x, w)
    return float(found.t[found.order[0]]) if found.order.size else math.inf


def projected_search(box: Bounds, x: np.ndarray, gq: np.ndarray, w: np.ndarray,
                     hessp: Callable[[np.ndarray], np.ndarray], *, mu0: float = 0.01,
                     interpf: float = 0.1) -> ProjectedSearchResult:
    """Lin & Moré's projected search (module docstring) from x (in ``box``) along w.

    ``gq`` is the model gradient at x, ``hessp(v)`` = H v.  Returns the first alpha in
    1, interpf, interpf^2, ... that gives sufficient decrease, or the first breakpoint once
    the trials pass below it.  w must be a descent direction of the model on its first
    segment (a truncated-CG step is); no evaluation of f is made.
    """
    brpt = first_breakpoint(box, x, w)

    def trial(a):
        point = box.project(x + a * w)
        d = point - x
        hd = np.asarray(hessp(d), dtype=float)
        gd = float(gq @ d)
        return point, d, hd, gd, gd + 0.5 * float(d @ hd)

    alpha, products = 1.0, 0
    while alpha > brpt and products < _MAX_TRIALS:
        point, d, hd, gd, change = trial(alpha)
        products += 1
        if change <= mu0 * gd:
            return ProjectedSearchResult(alpha, point, d, hd, change, products)
        alpha *= interpf
    # at or below the first breakpoint the path is the segment alpha w: take its end
    alpha = min(1.0, brpt)
    point, d, hd, _, change = trial(alpha)
    return ProjectedSearchResult(alpha, point, d, hd, change, products + 1)
