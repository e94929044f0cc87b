"""First trial steps of a line search, as small objects (LineSearches.jl's ``InitialPrevious``,
``InitialQuadratic``, ...), instead of string branches inside a solver.

A rule is a frozen dataclass called as ``rule(state, dphi0, p) -> alpha0 > 0``, where ``p`` is
the search direction, ``dphi0 = g.p < 0`` the slope along it, and ``state`` carries ``alpha``
(the last accepted step, 0 before the first), ``f`` and ``f_prev`` (f at the current and the
previous iterate), ``s`` and ``y`` (the last step and gradient change, None before the first).
Before the first step every rule answers ``1 / max(1, ||p||)``: a first step no longer than 1.
"""

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["InitialBarzilaiBorwein", "InitialPrevious", "InitialQuadratic", "first_step"]


def first_step(p) -> float:
    """1 / max(1, ||p||): the first trial of every rule, before any step was taken."""
    return 1.0 / max(1.0, float(np.linalg.norm(p)))


@dataclass(frozen=True)
class InitialPrevious:
    """``factor`` times the last accepted step (LineSearches.jl's ``InitialPrevious``, grown so
    the search can lengthen steps again)."""

    factor: float = 2.0  # growth of the last step

    def __call__(self, state, dphi0, p) -> float:
        if state.alpha > 0:
            return self.factor * state.alpha
        return first_step(p)


@dataclass(frozen=True)
class InitialQuadratic:
    """2 (f_k - f_{k-1}) / phi'(0) (Nocedal & Wright, eq. 3.60; LineSearches.jl's
    ``InitialQuadratic``): the step of the quadratic through f_{k-1}, f_k and phi'(0), assuming
    the decrease repeats. When that is not a positive number, the last step; with
    ``at_least_previous``, never shorter than the last step."""

    at_least_previous: bool = False  # the larger of the guess and the last step

    def __call__(self, state, dphi0, p) -> float:
        if state.alpha > 0:
            guess = 2.0 * (state.f - state.f_prev) / dphi0
            if not (guess > 0 and math.isfinite(guess)):
                return state.alpha
            return max(guess, state.alpha) if self.at_least_previous else guess
        return first_step(p)


@dataclass(frozen=True)
class InitialBarzilaiBorwein:
    """The BB1 step s's / s'y (Barzilai & Borwein 1988), safeguarded to [alpha_min, alpha_max]
    (Raydan 1997). With s'y <= 0 (negative curvature along s) the last step's length along p,
    ||s|| / ||p||, is kept."""

    alpha_min: float = 1e-10  # safeguards on a BB step (Raydan 1997)
    alpha_max: float = 1e10

    def __call__(self, state, dphi0, p) -> float:
        if state.s is not None:
            sy = float(state.s.dot(state.y))
            if sy > 0:
                alpha = float(state.s.dot(state.s)) / sy
            else:  # negative curvature along s: keep the step length
                alpha = float(np.linalg.norm(state.s) / np.linalg.norm(p))
            return min(max(alpha, self.alpha_min), self.alpha_max)
        return first_step(p)
