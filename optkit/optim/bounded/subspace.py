"""Subspace minimization from the generalized Cauchy point, and the step back into the box.

Byrd, Lu, Nocedal & Zhu 1995, sec. 5.1 (the direct primal method), with the projection of
Morales & Nocedal 2011 ("Remark on Algorithm 778: L-BFGS-B", ACM TOMS 38(1), sec. 2).

Notation (BLNZ sec. 5): x the iterate, x^c the Cauchy point, Z the columns of the identity
for the free variables F at x^c (those not at a bound), B = theta I - W M W', c = W'(x^c - x).
The model restricted to x^c + Z d has

    reduced gradient  r = Z'(g + theta (x^c - x) - W M c)                (eq. 5.4)
    reduced Hessian   B_F = theta I - Z'W M W'Z, whose inverse by Sherman-Morrison-Woodbury
    B_F^{-1} = I/theta + Z'W (I - M W'Z Z'W / theta)^{-1} M W'Z / theta^2  (eq. 5.9-5.11)

so d_u = -B_F^{-1} r costs O(m t) plus the 2k x 2k solve (t = |F|).  x-bar = x^c + Z d_u
may leave the box: Morales & Nocedal project it, P(x-bar), and keep that point when
P(x-bar) - x is a descent direction (g'(P(x-bar) - x) <= 0, their test); otherwise they fall
back to BLNZ's backtrack, x^c + alpha* Z d_u with the largest alpha* <= 1 that stays feasible.
"""

import numpy as np

__all__ = ["box_point", "subspace_minimizer"]


def subspace_minimizer(x, g, cauchy, memory):
    """x-bar = x^c + Z d_u, the minimizer of the model over the free variables (may leave
    the box).  Returns (x_bar, d_u) with d_u over ``cauchy.free`` (in index order).

    Raises numpy.linalg.LinAlgError when the 2k x 2k system is singular.
    """
    free = cauchy.free
    xc = cauchy.x
    xbar = xc.copy()
    if not free.any():
        return xbar, np.zeros(0)
    theta, k = memory.theta, memory.size
    if k == 0:
        du = -(g[free] + (xc[free] - x[free]))
    else:
        # with a = g + theta (x^c - x): W_F'r = W'(a on F) - (W_F'W_F) M c, and
        # d_u = (-a + W (M c / theta - u / theta))_F / theta: two passes over W, not three
        middle = memory.middle()
        mc = middle @ cauchy.c
        a = g + theta * (xc - x)
        a[~free] = 0.0
        gram = memory.gram_free(free)
        wfr = memory.wt(a) - gram @ mc
        n_mat = np.eye(2 * k) - (middle @ gram) / theta
        u = np.linalg.solve(n_mat, middle @ wfr)
        du = (memory.w(mc - u / theta) - a)[free] / theta
    xbar[free] += du
    return xbar, du


def box_point(x, g, cauchy, xbar, du, bounds):
    """The end point of the search direction: Morales & Nocedal's P(x-bar) when it gives a
    descent direction from x, else BLNZ's backtrack x^c + alpha* Z d_u (inside the box)."""
    projected = bounds.project(xbar)
    if float(g @ (projected - x)) <= 0:
        return projected
    free_idx = np.flatnonzero(cauchy.free)
    xf = cauchy.x[free_idx]
    lb = np.broadcast_to(bounds.lb, x.shape)[free_idx]
    ub = np.broadcast_to(bounds.ub, x.shape)[free_idx]
    with np.errstate(divide="ignore", invalid="ignore"):
        reach = np.where(du > 0, ub - xf, np.where(du < 0, lb - xf, np.inf)) / du
    reach[du == 0] = np.inf
    alpha = 1.0
    out = cauchy.x.copy()
    if reach.size and reach.min() < 1.0:
        blocking = int(np.argmin(reach))
        alpha = max(float(reach[blocking]), 0.0)
    out[free_idx] = xf + alpha * du
    if alpha < 1.0:
        i = free_idx[blocking]
        out[i] = ub[blocking] if du[blocking] > 0 else lb[blocking]
    return bounds.project(out)
