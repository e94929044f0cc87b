"""The generalized Cauchy point: the first local minimizer of the quadratic model along the
projected steepest-descent path (Byrd, Lu, Nocedal & Zhu 1995, sec. 4, Algorithm CP).

Notation (BLNZ sec. 4): the model m(x + z) = g'z + z'Bz/2 with B = theta I - W M W'; the path
x(t) = P(x - t g), t >= 0, bends at the breakpoints t_i (eq. 4.1); on the segment
[t_j, t_{j+1}] it moves along d^j (-g on the variables that have not reached their bound,
0 elsewhere), and with z^j = x(t_j) - x

    f'_j  = g'd^j + d^j' B z^j = -d^j'd^j + theta t_j d^j'd^j - p_j' M c_j
    f''_j = d^j' B d^j        = theta d^j'd^j - p_j' M p_j

where p_j = W'd^j and c_j = W'z^j (eq. 4.4-4.9).  The minimizer on the segment is at
t_j + dt*, dt* = -f'_j / f''_j; the walk stops at the first segment with dt* < t_{j+1} - t_j.

Algorithm CP updates p, c, f', f'' breakpoint by breakpoint in O(m^2) each.  Here the same
quantities are formed for a batch of consecutive breakpoints at once from cumulative sums
(p_j = p_0 - sum_{passed b} d_b w_b, c_j = t_j p_j + sum_{passed b} t_b d_b w_b, with w_b the
b-th row of W): O(m^2) per breakpoint as in CP, but vectorized.  Batches grow geometrically
and are taken from a partial sort (np.argpartition), so only the breakpoints the walk reaches
are sorted (BLNZ use a heap for the same reason).
"""

from typing import NamedTuple

import numpy as np

__all__ = ["CauchyPoint", "cauchy_point"]

_EPS = np.finfo(float).eps
_FIRST_BATCH = 16   # breakpoints examined in the first batch; each later one is 4x larger


class CauchyPoint(NamedTuple):
    """x: the generalized Cauchy point x^c (inside the box); c: W'(x^c - x) (2k);
    free: boolean mask of the variables not at a bound at x^c (the subspace variables);
    t: the path parameter of x^c."""

    x: np.ndarray
    c: np.ndarray
    free: np.ndarray
    t: float


def _start(x, g, lb, ub):
    """d = -g with the variables that cannot move set to 0, and their breakpoints t_i.

    A variable at a bound whose gradient points out of the box (or is 0) is active from the
    start, as in the Fortran code (its `iwhere` 1 or 2); a fixed variable lb == ub always is.
    """
    active = ((x <= lb) & (g >= 0)) | ((x >= ub) & (g <= 0))
    d = np.where(active, 0.0, -g)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(d > 0, ub - x, lb - x) / d
    t[d == 0] = np.inf
    np.maximum(t, 0.0, out=t)   # rounding: a variable a hair outside cannot move back
    return active, d, t


def cauchy_point(x, g, bounds, memory) -> CauchyPoint:
    """The generalized Cauchy point of the model B = memory (a CompactMemory) at x in the box.

    x and g are the iterate and its gradient; ``bounds`` an optkit Bounds of length n.
    Cost O(n m) plus O(m^2) per breakpoint passed.
    """
    lb, ub = bounds.lb, bounds.ub
    active, d, t = _start(x, g, lb, ub)
    k = memory.size
    theta = memory.theta
    middle = memory.middle() if k else np.zeros((0, 0))
    p = memory.wt(d) if k else np.zeros(0)
    dd_all = float(d @ d)
    f2_floor = _EPS * max(theta * dd_all - p @ middle @ p, 0.0)   # as the Fortran's f2_org

    moving = np.flatnonzero(np.isfinite(t) & (t > 0))
    tm = t[moving]
    d2m = d[moving] ** 2
    dd_never = float(np.sum(d[np.isinf(t)] ** 2))   # variables no bound blocks
    remaining = np.ones(moving.size, dtype=bool)     # breakpoints not yet in a batch
    acc = np.zeros(2 * k)                            # sum over passed b of t_b d_b w_b
    pos, batch, t_prev = 0, _FIRST_BATCH, 0.0
    while True:
        hi = min(pos + batch, moving.size)
        last = hi == moving.size
        if hi > pos:
            part = np.argpartition(tm, hi - 1)[:hi] if not last else np.arange(hi)
            part = part[np.argsort(tm[part], kind="stable")][pos:]
        else:
            part = np.zeros(0, dtype=int)
        remaining[part] = False
        tb = tm[part]
        vb = d[moving[part]][:, None] * memory.rows(moving[part])   # rows d_b w_b
        zero = np.zeros((1, 2 * k))
        # one row per segment j = pos .. hi: before the batch, then after each breakpoint
        ps = p - np.concatenate([zero, np.cumsum(vb, axis=0)])
        accs = acc + np.concatenate([zero, np.cumsum(tb[:, None] * vb, axis=0)])
        dd_after = dd_never + float(d2m[remaining].sum())
        dds = dd_after + np.concatenate([np.cumsum(d2m[part][::-1])[::-1], [0.0]])
        starts = np.concatenate([[t_prev], tb])
        ends = np.concatenate([tb, [np.inf]])
        rows = slice(None) if last else slice(0, -1)  # segment hi ends in the next batch
        cs = starts[rows, None] * ps[rows] + accs[rows]
        pm = ps[rows] @ middle
        f1 = (-dds[rows] + theta * starts[rows] * dds[rows]
              - np.einsum("ij,ij->i", pm, cs))
        f2 = np.maximum(theta * dds[rows] - np.einsum("ij,ij->i", pm, ps[rows]), f2_floor)
        with np.errstate(divide="ignore", invalid="ignore"):
            dtm = np.where(dds[rows] > 0, -f1 / f2, 0.0)
        stop = np.flatnonzero((dtm < ends[rows] - starts[rows]) | (dds[rows] <= 0))
        if last and not stop.size:   # dt* not finite on the last, unbounded segment
            stop = [dtm.size - 1]
        if len(stop):
            j = int(stop[0])
            dt = float(dtm[j]) if np.isfinite(dtm[j]) and dtm[j] > 0 else 0.0
            tstar = float(starts[j]) + dt
            c = cs[j] + dt * ps[j]
            break
        pos, p, acc, t_prev = hi, ps[-1], accs[-1], float(tb[-1])
        batch *= 4

    xc = x + tstar * d
    # variables whose breakpoint was reached sit exactly at their bound
    passed = np.isfinite(t) & (t <= tstar) & (d != 0)
    np.copyto(xc, np.where(d > 0, ub, lb), where=passed)
    xc = bounds.project(xc)
    free = ~(active | passed | (lb == ub))
    return CauchyPoint(x=xc, c=c, free=free, t=tstar)
