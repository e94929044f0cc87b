"""Spectral projected gradient (SPG2) for lb <= x <= ub.

Birgin, Martínez & Raydan 2000, "Nonmonotone spectral projected gradient methods on convex
sets", SIAM J. Optim. 10(4), Algorithm SPG2, with the Grippo-Lampariello-Lucidi nonmonotone
search (memory M = 10).  Notation map (paper -> code):

    x_k, g_k, f_k           state.x, state.g, state.f
    lambda_k                state.spectral, the Barzilai-Borwein step in [lambda_min, lambda_max]
    d_k                     P(x_k - lambda_k g_k) - x_k, a feasible descent direction
    alpha_k                 the step along d_k, from the nonmonotone search (alpha <= 1)
    s_k, y_k                x_{k+1} - x_k, g_{k+1} - g_k

One iteration: d = P(x - lambda g) - x; alpha from 1 by safeguarded interpolation until
f(x + alpha d) <= max_{0 <= j < M} f_{k-j} + gamma alpha g.d (``linesearch.Nonmonotone``,
reused unchanged on the projected line ``BoxLine``); then lambda = s.s / s.y, clipped to
[lambda_min, lambda_max].  The first lambda is 1 / ||P(x_0 - g_0) - x_0||_inf, as in SPG2;
where s.y <= 0 SPG2 takes lambda_max, which along an unbounded variable overflows f, so
lambda restarts by the first rule there instead (a deviation, measured on the bounded test
problems: hs1 and hs2 fail with lambda_max).  Every trial point lies on the segment [x, x + d]
inside the box and is projected against rounding, so f is never evaluated outside the box.
Stationarity is the projected gradient ||P(x - g) - x||_inf (``stationarity``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..bounds import Bounds
from ..errors import LineSearchError
from ..linesearch import Backtracking, Nonmonotone
from .line import BoxLine

__all__ = ["SPG", "SPGState"]


@dataclass(frozen=True)
class SPGState:
    """Iterate of SPG: f and g at x (in ``bounds``) and the spectral step for the next one."""

    x: np.ndarray
    f: float
    g: np.ndarray
    bounds: Bounds
    spectral: float  # lambda_k, the Barzilai-Borwein step of the next direction
    alpha: float = 0.0  # accepted step along d (0 before the first step)
    step_norm: float = 0.0  # ||x_k - x_{k-1}||
    f_recent: tuple = ()  # the last M values of f, newest last (the nonmonotone reference)


@dataclass(frozen=True)
class SPG:
    """Spectral projected gradient, SPG2 of Birgin, Martínez & Raydan (module docstring).

    The bounded branch of ``GradientDescent`` (``method="gd"`` with bounds); the protocol is
    the solvers' own: ``init(objective, x0, bounds)``, ``step(objective, state)`` and
    ``stationarity(state)``, the projected gradient ``||P(x - g) - x||_inf``.

    Parameters
    ----------
    linesearch : Backtracking, optional
        The search along the projected direction, a backtracking one (its trials stay in the
        box). Default: the GLL nonmonotone search of SPG2, ``Nonmonotone(memory=10,
        c1=1e-4, shrink_min=0.1, shrink_max=0.9)``.
    lambda_min, lambda_max : float, optional
        Safeguards on the spectral step, ``0 < lambda_min <= lambda_max < inf`` (SPG2's
        1e-30 and 1e30).

    Raises
    ------
    TypeError
        A ``linesearch`` that is not a backtracking search.
    ValueError
        ``lambda_min``, ``lambda_max`` out of range.

    Examples
    --------
    >>> import numpy as np
    >>> import optkit
    >>> from optkit.optim import Objective
    >>> from optkit.optim.bounded.spg import SPG
    >>> w, c = np.array([1.0, 10.0]), np.array([2.0, 0.3])
    >>> objective = Objective(lambda x: float(w @ (x - c) ** 2), jac=lambda x: 2 * w * (x - c))
    >>> spg = SPG()
    >>> state = spg.init(objective, np.array([0.5, -3.0]), optkit.Bounds([0, 0], [1, 1]))
    >>> while spg.stationarity(state) > 1e-8:
    ...     state = spg.step(objective, state)
    >>> np.round(state.x, 8)
    array([1. , 0.3])
    """

    # GLL nonmonotone Armijo search: M = 10, gamma = 1e-4, new trials in [0.1, 0.9] x the
    # last (sigma_1, sigma_2 of SPG2)
    linesearch: object = field(default_factory=lambda: Nonmonotone(
        memory=10, c1=1e-4, shrink_min=0.1, shrink_max=0.9))
    lambda_min: float = 1e-30  # safeguards on the spectral step (SPG2: 1e-30, 1e30)
    lambda_max: float = 1e30

    def __post_init__(self):
        # a backtracking search tries no step beyond alpha = 1, so its trials stay on the
        # segment [x, x + d] inside the box, where phi' is the slope g.d of the path
        if not isinstance(self.linesearch, Backtracking):
            raise TypeError("linesearch: expected a backtracking search (Backtracking() or "
                            f"Nonmonotone()), got {type(self.linesearch).__name__}")
        if not 0 < self.lambda_min <= self.lambda_max < math.inf:
            raise ValueError("lambda_min, lambda_max: expected 0 < lambda_min <= lambda_max < "
                             f"inf, got {self.lambda_min!r}, {self.lambda_max!r}")

    def init(self, objective, x0, bounds: Bounds) -> SPGState:
        """Evaluate f and g at P(x0) (x0 projected onto ``bounds``); the first lambda."""
        x = bounds.project(np.asarray(x0, dtype=float))
        f, g = objective.f_and_g(x)
        return SPGState(x=x, f=f, g=g, bounds=bounds,
                        spectral=self._first_spectral(x, g, bounds), f_recent=(f,))

    def stationarity(self, state: SPGState) -> float:
        """||P(x - g) - x||_inf, the first-order measure in the box."""
        return state.bounds.projected_gradient_norm(state.x, state.g)

    def step(self, objective, state: SPGState) -> SPGState:
        """One SPG2 iteration (state.f, state.g are f and grad f at state.x)."""
        box, x, g = state.bounds, state.x, state.g
        d = box.project(x - state.spectral * g) - x
        dphi0 = float(g @ d)
        if not dphi0 < 0:
            raise LineSearchError(f"the projected gradient direction is not downhill (g.d = "
                                  f"{dphi0:g}, spectral step {state.spectral:g})",
                                  phi=state.f, dphi=dphi0)
        line = BoxLine(objective, x, d, box)
        found = self.linesearch.search(line, state.f, dphi0, 1.0,
                                       phi_ref=max(state.f_recent))
        x_new, f_new, g_new = line.point(found.alpha)
        s = x_new - x
        y = g_new - g
        sy = float(s @ y)
        if sy > 0:
            spectral = self._clip(float(s @ s) / sy)
        else:
            # SPG2 takes lambda_max here; along an unbounded variable that step (1e30 g)
            # overflows f and the search spends its trials shrinking it, so lambda restarts
            # by SPG2's own first rule instead
            spectral = self._first_spectral(x_new, g_new, box)
        memory = getattr(self.linesearch, "memory", 1)
        return SPGState(x=x_new, f=f_new, g=g_new, bounds=box, spectral=spectral,
                        alpha=float(found.alpha), step_norm=float(np.linalg.norm(s)),
                        f_recent=(state.f_recent + (f_new,))[-memory:])

    def _first_spectral(self, x, g, box) -> float:
        """SPG2's first lambda: 1 / ||P(x - g) - x||_inf (1 at a stationary point)."""
        measure = box.projected_gradient_norm(x, g)
        return self._clip(1.0 / measure) if measure > 0 else 1.0

    def _clip(self, value: float) -> float:
        return min(max(value, self.lambda_min), self.lambda_max)
