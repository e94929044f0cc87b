"""Limited-memory BFGS with a strong-Wolfe line search.

Nocedal & Wright, Numerical Optimization (2nd ed.), Alg. 7.4 (two-loop recursion) and
Alg. 7.5 (L-BFGS), with the initial scaling H0 = gamma I, gamma = s'y / y'y (eq. 7.20).
Notation: s_k = x_{k+1} - x_k, y_k = g_{k+1} - g_k, rho_k = 1 / y_k's_k; the memory holds the
last m pairs in (m, n) ring buffers.

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
    """The last m pairs (s, y) as (m, n) ring buffers, updated in place.

    Shared between successive states of one solve: copying O(mn) per iteration would cost
    more than the two-loop recursion itself. The recursion is what an iteration costs on
    small n, so it is kept lean: the rows of S and Y are views made once, rho_i and the
    newest-first slot order are Python values kept up to date by ``push`` and ``clear``, and
    the loops reuse one work vector (no allocation but the result).
    """

    def __init__(self, m, n):
        self.S = np.empty((m, n))
        self.Y = np.empty((m, n))
        self.rho = [0.0] * m   # 1 / s_i'y_i per slot
        self.work = np.empty(n)
        self.m = m
        self.n = n
        self.size = 0      # number of stored pairs
        self.head = 0      # slot the next pair goes to
        self.gamma = 1.0
        self._rows = [(self.S[i], self.Y[i]) for i in range(m)]  # (s_i, y_i) views per slot
        self._newest_first = ()  # [(rho_i, s_i, y_i)] for the stored pairs, newest first

    def clear(self):
        self.size = 0
        self.head = 0
        self.gamma = 1.0
        self._newest_first = ()

    def push(self, s, y, sy, yy):
        k = self.head
        self.S[k] = s
        self.Y[k] = y
        self.rho[k] = 1.0 / sy
        self.gamma = sy / yy
        self.head = (k + 1) % self.m
        self.size = min(self.size + 1, self.m)
        self._newest_first = tuple(
            (self.rho[i], *self._rows[i])
            for i in ((self.head - 1 - j) % self.m for j in range(self.size)))

    def direction(self, g):
        """-H g by the two-loop recursion (N&W Alg. 7.4)."""
        q = np.array(g)          # a fresh, writable copy
        tmp = self.work
        multiply, subtract, add = np.multiply, np.subtract, np.add
        pairs = self._newest_first
        alphas = []
        for rho, s, y in pairs:
            a = rho * s.dot(q)
            alphas.append(a)
            multiply(y, a, out=tmp)
            subtract(q, tmp, out=q)
        q *= self.gamma
        for (rho, s, y), a in zip(reversed(pairs), reversed(alphas), strict=True):
            b = rho * y.dot(q)
            multiply(s, a - b, out=tmp)
            add(q, tmp, out=q)
        np.negative(q, out=q)
        return q


class InverseHessian:
    """The L-BFGS approximation H of the inverse Hessian at the end of a solve, as an operator.

    ``H @ v`` (also ``matvec(v)``, ``dot(v)``) applies the two-loop recursion (N&W Alg. 7.4) to
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
    """L-BFGS (N&W Alg. 7.5): two-loop recursion, strong-Wolfe steps; L-BFGS-B with bounds.

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
        slope = float(np.dot(p, state.g))  # phi'(0), the same number _search would compute
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
