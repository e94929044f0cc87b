"""Limited-memory BFGS with a strong-Wolfe line search.

Nocedal & Wright, Numerical Optimization (2nd ed.), Alg. 7.5 (L-BFGS), with the initial
scaling H0 = gamma I, gamma = s'y / y'y (eq. 7.20). H g is computed from the compact
representation of Byrd, Nocedal & Schnabel (1994, Thm. 2.2), which gives the two-loop
recursion's product (N&W Alg. 7.4) up to rounding in a few passes over memory.
Notation: s_k = x_{k+1} - x_k, y_k = g_{k+1} - g_k; the memory holds the last m pairs in a
(2m, n) ring buffer.

Safeguards: a pair with s'y <= eps y'y (curvature condition failed) is skipped; when the line
search fails along the quasi-Newton direction the memory is cleared and a scaled steepest
descent step is tried before giving up.

With bounds (``init(objective, x0, bounds=...)`` with a finite bound somewhere) the solver is
L-BFGS-B (Byrd, Lu, Nocedal & Zhu 1995; Morales & Nocedal 2011), in
:mod:`optkit.optim.bounded`; with every bound infinite it is exactly the method above.
"""

import math
from dataclasses import dataclass, field

import numpy as np

from ..bounded import lbfgsb
from ..errors import LineSearchError
from ..linesearch import Line, StrongWolfe
from .base import Solver, inf_norm

__all__ = ["LBFGS", "InverseHessian", "LBFGSState"]

_EPS = np.finfo(np.float64).eps


class _Memory:
    """The last m pairs (s, y) and H = gamma I + [S Y] M [S Y]' built from them, in place.

    The compact representation of the inverse L-BFGS matrix (Byrd, Nocedal & Schnabel 1994,
    Thm. 2.2 and Sec. 4): with the pairs oldest first, R the upper triangle of S'Y
    (R_ij = s_i'y_j, i <= j), D = diag(s_i'y_i) and gamma = s'y / y'y of the newest pair,

        M = [[R^-T (D + gamma Y'Y) R^-1,  -gamma R^-T],
             [-gamma R^-1,                 0         ]],

    the same H as the two-loop recursion (N&W Alg. 7.4) from H0 = gamma I, up to rounding.
    ``direction`` then costs two passes over the (2m, n) array [S; Y] (one product each way)
    and an O(m^2) product, a handful of numpy calls instead of the 4m small ones of the
    recursion, which is what an iteration costs at small n.

    Storage: one (2m, n) ring buffer ``W`` (rows: s slots, then y slots; unused rows zero),
    and m x m arrays in the same slot order: R^-1, Y'Y, D and -M, with zeros at unused slots,
    so no product ever reorders them. ``push`` updates them with one product W y (O(mn)) and
    O(m^2) work: storing a pair over the oldest drops its row and column of R^-1 (the
    trailing block of the inverse of a triangular matrix is the inverse of its trailing
    block) and adds a column, -R^-1 (S'y) / s'y, as the column-by-column triangular inverse
    (LAPACK's dtrti2) computes it. Shared between successive states of one solve: copying
    O(mn) per iteration would cost more than the direction itself.
    """

    def __init__(self, m, n):
        self.m = m
        self.n = n
        self.W = np.zeros((2 * m, n))   # rows: s slots, then y slots
        self.Rinv = np.zeros((m, m))     # R^-1 in slot order
        self.YY = np.zeros((m, m))       # Y'Y
        self.D = np.zeros(m)             # s_i'y_i
        self.neg_middle = np.zeros((2 * m, 2 * m))  # -M
        self.size = 0      # number of stored pairs
        self.head = 0      # slot the next pair goes to
        self.gamma = 1.0
        # work arrays and views made once: the updates write into them
        self._c = np.zeros((m, m))
        self._t = np.zeros((m, m))
        self._t2 = np.zeros((m, m))
        self._c_diagonal = self._c.reshape(-1)[::m + 1]
        self._blocks = (self.neg_middle[:m, :m], self.neg_middle[:m, m:],
                        self.neg_middle[m:, :m])
        self._work = np.empty(n)

    def clear(self):
        if self.size == 0:  # nothing stored since the last clear
            return
        self.size = 0
        self.head = 0
        self.gamma = 1.0
        for a in (self.W, self.Rinv, self.YY, self.D, self.neg_middle):
            a.fill(0.0)

    def push(self, s, y, sy, yy):
        """Store (s, y) with s'y = sy > 0, y'y = yy, over the oldest pair when full."""
        m, k, rinv = self.m, self.head, self.Rinv
        self.W[k] = s
        self.W[m + k] = y
        wy = np.dot(self.W, y)              # s_i'y and y_i'y for every slot
        if self.size == m:
            # the oldest pair leaves R^-1: its row (its column holds only the diagonal, as
            # nothing is older), so column k of R^-1 is zero in the product below
            rinv[k] = 0.0
        np.multiply(np.dot(rinv, wy[:m]), -1.0 / sy, out=rinv[:, k])
        rinv[k, k] = 1.0 / sy
        self.YY[k] = wy[m:]
        self.YY[:, k] = wy[m:]
        self.D[k] = sy
        gamma = self.gamma = sy / yy
        self.head = (k + 1) % m
        self.size = min(self.size + 1, m)
        # -M: -R^-T (D + gamma Y'Y) R^-1 and gamma R^-T, gamma R^-1 off the diagonal (np.dot
        # into contiguous work arrays, then copies: at m = 10 a third of matmul's cost)
        top_left, top_right, bottom_left = self._blocks
        c = np.multiply(self.YY, -gamma, out=self._c)
        self._c_diagonal -= self.D
        top_left[...] = np.dot(rinv.T, np.dot(c, rinv, out=self._t), out=self._t2)
        bottom_left[...] = np.multiply(rinv, gamma, out=self._t)
        top_right[...] = self._t.T

    def direction(self, g):
        """-H g = -gamma g - [S Y] M [S Y]' g (Byrd, Nocedal & Schnabel 1994, Sec. 4): a new
        array."""
        w = self.W
        q = np.dot(np.dot(self.neg_middle, np.dot(w, g)), w)
        return np.subtract(q, np.multiply(g, self.gamma, out=self._work), out=q)


class InverseHessian:
    """The L-BFGS approximation H of the inverse Hessian at the end of a solve, as an operator.

    ``H @ v`` (also ``matvec(v)``, ``dot(v)``) applies H (the memory's ``direction``) to
    v, or to each column of a 2-D v; ``todense()`` builds the n x n matrix (O(n^2) memory).
    Like SciPy's ``LbfgsInvHessProduct``, the result field ``hess_inv`` of L-BFGS-B (with
    bounds too: ``memory`` is either this module's or the bounded solve's ``CompactMemory``,
    each with ``n``, ``size`` and ``direction(g) = -H g``). It reads
    the memory of the finished solve in place (each solve has its own memory, so nothing changes
    it afterwards; copying 2 m n floats at the end of a large solve would cost more than an
    iteration).
    """

    def __init__(self, memory):
        self._memory = memory
        self.shape = (memory.n,) * 2
        self.dtype = np.dtype(np.float64)

    def matvec(self, v):
        v = np.asarray(v, dtype=np.float64)
        if v.shape[0] != self.shape[0] or v.ndim > 2:
            raise ValueError(f"v: expected shape ({self.shape[0]},) or ({self.shape[0]}, k), "
                             f"got {v.shape}")
        if v.ndim == 1:
            return -self._memory.direction(v)  # direction(v) is -H v
        return np.column_stack([-self._memory.direction(c) for c in v.T])

    __matmul__ = dot = matvec

    def todense(self):
        return self.matvec(np.eye(self.shape[0]))

    def __repr__(self):
        return f"InverseHessian(n={self.shape[0]}, pairs={self._memory.size})"


@dataclass
class LBFGSState:
    x: np.ndarray
    f: float
    g: np.ndarray
    memory: _Memory = field(repr=False)
    alpha: float = 0.0        # accepted step length (0 before the first step)
    step_norm: float = 0.0    # ||x_{k+1} - x_k||_2
    skipped: int = 0          # pairs skipped because the curvature condition failed
    resets: int = 0           # memory resets after a failed line search
    bounds = None             # no box (the bounded state, lbfgsb.LBFGSBState, carries one)


@dataclass(frozen=True)
class LBFGS(Solver):
    """L-BFGS (N&W Alg. 7.5): compact H g, strong-Wolfe steps; L-BFGS-B with bounds.

    Limited-memory BFGS (Nocedal 1980; Liu & Nocedal 1989; Nocedal & Wright 2006, Alg. 7.4
    and 7.5). With bounds the iteration is L-BFGS-B (Byrd, Lu, Nocedal & Zhu 1995; Morales &
    Nocedal 2011) on the same memory, and the first-order measure is the projected gradient
    ``||P(x - g) - x||_inf``.

    Parameters
    ----------
    m : int, optional
        The number of (s, y) pairs kept, >= 1 (default 10; Nocedal & Wright suggest 3 to 20).
    linesearch : line search, optional
        The step-length rule, default ``StrongWolfe()`` (c1 = 1e-4, c2 = 0.9). With bounds
        its trials stop at the edge of the box.

    Raises
    ------
    ValueError
        ``m`` is not an integer >= 1.
    TypeError
        A ``linesearch`` without a ``search()`` method.

    Examples
    --------
    >>> import numpy as np
    >>> from optkit.optim import LBFGS, solve
    >>> f = lambda x: float(np.sum((x - 1.0) ** 2))
    >>> g = lambda x: 2.0 * (x - 1.0)
    >>> r = solve(f, np.zeros(3), LBFGS(m=5), jac=g)
    >>> r.success, np.round(r.x, 6)
    (True, array([1., 1., 1.]))
    >>> r = solve(f, np.zeros(3), LBFGS(), jac=g, bounds=[(-1, 0.5), (-1, 2), (-1, 2)])
    >>> np.round(r.x, 6), r.active_mask
    (array([0.5, 1. , 1. ]), array([1, 0, 0]))
    """

    supports_bounds = True

    m: int = 10                                             # memory pairs (N&W: 3..20)
    linesearch: object = field(default_factory=StrongWolfe)  # strong Wolfe c1=1e-4, c2=0.9

    def __post_init__(self):
        if isinstance(self.m, bool) or not isinstance(self.m, int) or self.m < 1:
            raise ValueError(f"m must be an integer >= 1, got {self.m!r}")
        if not callable(getattr(self.linesearch, "search", None)):
            raise TypeError("linesearch must be a line search object with a search() method, "
                            f"got {self.linesearch!r}")

    def init(self, objective, x0, bounds=None):
        if bounds is not None and not bounds.is_unbounded:
            return lbfgsb.init_state(objective, x0, bounds, self.m)
        x = np.array(x0, dtype=np.float64)
        f, g = objective.f_and_g(x)
        return LBFGSState(x=x, f=f, g=g, memory=_Memory(self.m, x.size))

    def stationarity(self, state):
        """||g||_inf; with bounds, the projected gradient ||P(x - g) - x||_inf."""
        if state.bounds is None:
            return inf_norm(state.g)
        return state.bounds.projected_gradient_norm(state.x, state.g)

    def _search(self, objective, state, p, alpha0, dphi0=None):
        line = Line(objective, state.x, p)
        if dphi0 is None:
            dphi0 = float(np.dot(state.g, p))
        step = self.linesearch.search(line, state.f, dphi0, alpha0)
        return step.alpha, line.point(step.alpha)

    def step(self, objective, state):
        if state.bounds is not None:
            return lbfgsb.step(objective, state, self.linesearch)
        mem = state.memory
        resets = state.resets
        p = mem.direction(state.g) if mem.size else -state.g
        slope = float(p.dot(state.g))  # phi'(0), the same number _search would compute
        if mem.size == 0 or not slope < 0:
            mem.clear()
            p = -state.g
            slope = None
        alpha0 = 1.0 if mem.size else 1.0 / np.linalg.norm(p)
        try:
            alpha, (x, f, g) = self._search(objective, state, p, alpha0, slope)
        except LineSearchError:
            if mem.size == 0:
                raise
            # Recovery (N&W Sec. 7.2 discussion): drop the memory, try steepest descent.
            mem.clear()
            resets += 1
            p = -state.g
            try:
                alpha, (x, f, g) = self._search(objective, state, p, 1.0 / np.linalg.norm(p))
            except LineSearchError as exc:
                exc.state = self._improved(objective, state, p, exc)
                raise
        s = x - state.x
        y = g - state.g
        sy = float(s.dot(y))
        yy = float(y.dot(y))
        skipped = state.skipped
        if sy > _EPS * yy and yy > 0:
            mem.push(s, y, sy, yy)
        else:
            skipped += 1
        # sqrt(s.s) is what np.linalg.norm computes for a real vector, without its wrapper
        return LBFGSState(x=x, f=f, g=g, memory=mem, alpha=alpha,
                          step_norm=math.sqrt(float(s.dot(s))), skipped=skipped, resets=resets)

    def result_fields(self, state):
        """Extra result fields: ``hess_inv``, the inverse Hessian approximation (SciPy's name;
        with bounds, the inverse of the compact L-BFGS-B matrix over the same pairs, as
        SciPy's L-BFGS-B gives it); with bounds also ``active_mask`` (-1 at a lower bound, +1
        at an upper, 0 free, as ``scipy.optimize.least_squares``)."""
        hess_inv = InverseHessian(state.memory)
        if state.bounds is not None:
            return {"hess_inv": hess_inv, "active_mask": state.bounds.active_mask(state.x)}
        return {"hess_inv": hess_inv}

    def _improved(self, objective, state, p, exc):
        """The best trial of a failed search as a state, when it decreased f."""
        if not (exc.alpha > 0 and exc.phi is not None and exc.phi < state.f):
            return None
        x = state.x + exc.alpha * p
        f, g = objective.f_and_g(x)
        return LBFGSState(x=x, f=f, g=g, memory=state.memory, alpha=exc.alpha)
