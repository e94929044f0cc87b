"""Nesterov's accelerated gradient with Armijo backtracking and function restart.

Nesterov (1983): from the look-ahead point y_k, x_{k+1} = y_k - alpha_k grad f(y_k), alpha_k
from a backtracking search; then y_{k+1} = x_{k+1} + beta (x_{k+1} - x_k). With the function
restart of O'Donoghue & Candes (2015): no momentum when f(x_{k+1}) > f(x_k), and none when f or
g is not finite at the extrapolated point.

Notation map: y_k -> ``state.x`` (the look-ahead point, where f and g are known: the driver's
invariant and its stopping tests are about y_k, not x_k), x_k -> ``state.x_main``, f(x_k) ->
``state.f_main``. ``GradientDescent(momentum="nesterov")`` runs this scheme.
"""

import math
from dataclasses import dataclass

import numpy as np

from ..linesearch import Line

__all__ = ["Nesterov", "NesterovState"]


@dataclass
class NesterovState:
    x: np.ndarray               # the look-ahead point y_k
    f: float                    # f(y_k)
    g: np.ndarray               # grad f(y_k)
    alpha: float = 0.0          # accepted step length (0 before the first step)
    step_norm: float = 0.0      # ||y_{k+1} - y_k||_2
    f_recent: tuple = ()        # last f values for a nonmonotone reference (newest last)
    f_prev: float = math.nan    # f at the previous look-ahead point (for the first trial)
    x_main: np.ndarray | None = None  # the iterate x_k behind y_k
    f_main: float = math.nan    # f(x_k)


@dataclass(frozen=True)
class Nesterov:
    """The scheme: ``init(x, f, g)`` and ``step(objective, state, search, initial)`` with the
    line search and the first-step rule of the solver that runs it."""

    beta: float  # momentum coefficient, 0 <= beta < 1

    def init(self, x, f, g):
        return NesterovState(x=x, f=f, g=g, f_recent=(f,), x_main=x, f_main=f)

    def step(self, objective, state, search, initial):
        p = -state.g
        dphi0 = float(np.dot(state.g, p))
        line = Line(objective, state.x, p)
        found = search.search(line, state.f, dphi0, initial(state, dphi0, p),
                              phi_ref=max(state.f_recent))
        x_main = state.x + found.alpha * p
        f_main = found.phi
        y, f, g = x_main, None, None
        if f_main <= state.f_main:  # otherwise restart: no momentum this time
            y = x_main + self.beta * (x_main - state.x_main)
            f, g = objective.f_and_g(y)
            if not (math.isfinite(f) and np.isfinite(g).all()):
                y, f = x_main, None
        if f is None:
            f, g = objective.f_and_g(x_main)
        return NesterovState(x=y, f=f, g=g, alpha=found.alpha,
                             step_norm=float(np.linalg.norm(y - state.x)),
                             f_recent=(state.f_recent + (f,))[-search.memory:], f_prev=state.f,
                             x_main=x_main, f_main=f_main)
