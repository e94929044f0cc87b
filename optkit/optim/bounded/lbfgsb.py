"""One iteration of L-BFGS-B: the bounded branch of `optkit.optim.solvers.lbfgs.LBFGS`.

Byrd, Lu, Nocedal & Zhu 1995, Algorithm L-BFGS-B (sec. 6): at x_k, the direction of
`direction.lbfgsb_direction` (generalized Cauchy point, subspace minimization, Morales &
Nocedal's projection), then a line search along d that never leaves the box (alphamax =
``bounds.max_step(x, d)``; trial points P(x + alpha d)), then the pair update of the compact
memory (skipped when s'y <= eps y'y, as the Fortran code does).

The search gets alphamax (its trials stop there; a strong-Wolfe search returns alphamax when
phi still falls at the box's edge, as dcsrch does at stpmax) and its line, `line.BoxLine`,
projects each trial.  As in the Fortran code (lnsrlb):
the first step of a solve, or after a reset of the memory, starts at alpha = min(1, 1/||d||)
unless every variable has both bounds (then 1); later ones at alpha = 1; the first step of a
solve goes no further than alpha = 1.  When the search
fails with pairs in memory, the memory is cleared and the search repeated along the
projected steepest-descent direction; when it fails without, the failure (carrying the best
point found) goes to the driver.
"""

from dataclasses import dataclass, field

import numpy as np

from ..errors import LineSearchError
from .compact import CompactMemory
from .direction import lbfgsb_direction
from .line import BoxLine

__all__ = ["LBFGSBState", "init_state", "step"]

_EPS = np.finfo(np.float64).eps


@dataclass
class LBFGSBState:
    x: np.ndarray
    f: float
    g: np.ndarray
    memory: CompactMemory = field(repr=False)
    bounds: object = field(repr=False)   # the optkit Bounds of the solve
    alpha: float = 0.0                   # accepted step length (0 before the first step)
    step_norm: float = 0.0               # ||x_{k+1} - x_k||_2
    skipped: int = 0                     # pairs skipped because s'y <= eps y'y
    resets: int = 0                      # memory resets (breakdown or failed line search)
    nit: int = 0                         # iterations done (0: the state init returned)


def init_state(objective, x0, bounds, m):
    """The first state at P(x0) (x0 is projected again here: rounding in a caller's copy
    must not put the first evaluation outside the box)."""
    x = bounds.project(np.asarray(x0, dtype=np.float64))
    f, g = objective.f_and_g(x)
    return LBFGSBState(x=x, f=f, g=g, memory=CompactMemory(m, x.size), bounds=bounds)


def _search(objective, state, d, linesearch, fresh):
    bounds = state.bounds
    # the first iteration's d ends at the Cauchy point of B = I: no further (lnsrlb's stpmx)
    alphamax = bounds.max_step(state.x, d) if state.nit else min(1.0, bounds.max_step(state.x, d))
    boxed = bool(np.all(np.isfinite(bounds.lb)) and np.all(np.isfinite(bounds.ub)))
    alpha0 = 1.0 if (boxed or not fresh) else min(1.0, 1.0 / float(np.linalg.norm(d)))
    alpha0 = min(alpha0, alphamax)
    line = BoxLine(objective, state.x, d, bounds, alphamax)
    dphi0 = float(state.g @ d)
    alpha = linesearch.search(line, state.f, dphi0, alpha0, alphamax=alphamax).alpha
    return alpha, line.point(alpha)


def _improved(objective, state, d, exc):
    """The best trial of a failed search as a state, when it decreased f."""
    if not (exc.alpha > 0 and exc.phi is not None and exc.phi < state.f):
        return None
    x = state.bounds.project(state.x + exc.alpha * d)
    f, g = objective.f_and_g(x)
    return LBFGSBState(x=x, f=f, g=g, memory=state.memory, bounds=state.bounds,
                       alpha=exc.alpha, resets=state.resets, skipped=state.skipped,
                       nit=state.nit + 1)


def step(objective, state, linesearch):
    """One L-BFGS-B iteration from ``state`` (x in the box, f and g at x, not stationary)."""
    mem, bounds = state.memory, state.bounds
    x, g = state.x, state.g
    resets = state.resets
    d = lbfgsb_direction(x, g, bounds, mem) if mem.size else None
    if d is None:
        if mem.size:
            resets += 1
        mem.clear()
        d = lbfgsb_direction(x, g, bounds, mem)
        if d is None:
            raise LineSearchError("no descent direction from the projected gradient path "
                                  f"(||P(x - g) - x||_inf = "
                                  f"{bounds.projected_gradient_norm(x, g):.3g})")
    try:
        alpha, (xn, fn, gn) = _search(objective, state, d, linesearch, mem.size == 0)
    except LineSearchError as exc:
        if mem.size == 0:
            exc.state = _improved(objective, state, d, exc)
            raise
        mem.clear()
        resets += 1
        first, d = d, lbfgsb_direction(x, g, bounds, mem)
        if d is None:
            exc.state = _improved(objective, state, first, exc)
            raise
        try:
            alpha, (xn, fn, gn) = _search(objective, state, d, linesearch, True)
        except LineSearchError as exc2:
            exc2.state = _improved(objective, state, d, exc2)
            raise
    s = xn - x
    y = gn - g
    sy = float(s @ y)
    yy = float(y @ y)
    skipped = state.skipped
    if sy > _EPS * yy and yy > 0:
        mem.push(s, y, sy, yy)
    else:
        skipped += 1
    return LBFGSBState(x=xn, f=fn, g=gn, memory=mem, bounds=bounds, alpha=alpha,
                       step_norm=float(np.linalg.norm(s)), skipped=skipped, resets=resets,
                       nit=state.nit + 1)
