"""What a globalization is: the protocol and its defaults, and the record of one step.

A solver is a direction plus a step strategy (optimistix's descent + search): NewtonCG's
direction comes from truncated CG on the Newton system; the globalization decides how far to go
along it and whether to take it. Two exist: :class:`~.trust_region.TrustRegion` (the region
limits the CG step; an acceptance test on the reduction ratio) and
:class:`~.line_search.LineSearch` (unlimited CG, then a line search along its direction).

A globalization derives from :class:`Globalization` and implements

``newton_step(objective, x, f, g, hessp, precond, *, radius, forcing, f_recent) -> Move``
    One accepted step from x (f, g the value and gradient there), using ``hessp(v) = H v`` at
    x, the preconditioner ``precond(v) = M^{-1} v`` (or None), the solver's radius and CG
    forcing term, and its recent f values (for a nonmonotone line search). Raises a
    :class:`~optkit.optim.errors.SolverError` when no step is found.

and may override ``first_radius(x_norm)`` (default: inf, no region) and
``update(radius, rho, step_norm, on_boundary)`` (default: the radius unchanged).

The CG it runs is any subproblem solver with ``solve(hessp, g, radius, rtol, precond) ->
result`` (``trust_region.Steihaug`` is the one we have): the result carries ``step``,
``exit`` (a ``CGExit``), ``niter``, ``model_decrease``, ``step_norm``, ``residual_norm``,
``on_boundary``, ``truncate(radius)`` (the step for a smaller radius, or None to solve again),
and for the line search ``curvature_direction``, ``curvature`` and ``cauchy_step()``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

__all__ = ["Globalization", "Move", "check_subproblem"]


class Move(NamedTuple):
    """One accepted step: the new point with f and g there, and how it was found."""

    x: np.ndarray
    f: float
    g: np.ndarray
    radius: float  # the radius for the next step (inf under a line search)
    step_norm: float  # ||x_new - x||
    alpha: float  # step length along the direction (1 in a trust region)
    residual_norm: float  # ||g + H p|| of the CG step (for Eisenstat-Walker forcing)
    cg_iterations: int  # hessp calls spent
    cg_exit: object  # why the last CG stopped (a CGExit)
    rejected: int  # trial steps rejected before this one (trust region)
    f_recent: tuple  # recent f values, for a nonmonotone line search


class Globalization:
    """Base of the step strategies: the protocol (module docstring) and its defaults."""

    def first_radius(self, x_norm: float) -> float:
        """The radius of the first state; inf: no region (the default)."""
        return math.inf

    def update(self, radius: float, rho: float, step_norm: float, on_boundary: bool) -> float:
        """The radius after a step with reduction ratio ``rho``; default: unchanged."""
        return radius

    def newton_step(self, objective, x, f, g, hessp, precond, *, radius, forcing, f_recent):
        """One accepted step from x (module docstring)."""
        raise NotImplementedError(f"{type(self).__name__} must define newton_step")


def check_subproblem(name, solver):
    """A TypeError naming the option ``name`` unless ``solver`` has a ``solve`` method."""
    if not callable(getattr(solver, "solve", None)):
        raise TypeError(f"{name}: expected a subproblem solver with solve(hessp, g, radius, "
                        f"rtol, precond) (e.g. Steihaug()), got {type(solver).__name__}")
