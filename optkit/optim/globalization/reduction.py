"""How much a trial step decreased f: the reduction ratio, and the actual reduction measured
by the gradients where f's rounding hides it.

Where the model predicts a reduction below ``SMALL * max(1, |f|)``, differences of f drown in
its rounding error and ``f - f(x + p)`` answers at random. There the actual reduction is
estimated by the trapezoid rule on the gradients, ``-1/2 (g + g(x + p)).p``, exact for a
quadratic (the idea of Hager & Zhang's approximate Wolfe conditions, 2005, Sec. 4). The trust
region's acceptance test and Newton-CG's step off a saddle both measure this way; it is
written here once.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["SMALL", "actual_reduction", "reduction_ratio"]

SMALL = 1e-8  # predicted reductions below SMALL * max(1, |f|) are checked with gradients


def reduction_ratio(f: float, f_trial: float, predicted: float) -> float:
    """rho = (f - f_trial) / predicted; -inf for a non-finite f_trial or predicted <= 0."""
    if not math.isfinite(f_trial) or not predicted > 0:
        return -math.inf
    return (f - f_trial) / predicted


def actual_reduction(objective, f, g, x_trial, direction, predicted, *, length=1.0,
                     gradient_must_fall=True, with_gradient=False) -> float:
    """f - f(x_trial), where x_trial = x + length * direction; -inf when f(x_trial) is not finite.

    When ``predicted <= SMALL * max(1, |f|)`` and the gradient at x_trial is finite (and, with
    ``gradient_must_fall``, smaller in norm than g: a step that does not reduce the gradient
    keeps the verdict of f), the trapezoid estimate ``-length/2 (g + g_trial).direction``
    replaces it (module docstring). Evaluates f at x_trial, and g there only in that case;
    ``with_gradient``: the caller expects to accept the step and ask for g there, so f is
    asked for by ``objective.f_expecting_g`` (f and g in one pass, where the objective has
    one, g then answered from its cache).
    """
    f_trial = objective.f_expecting_g(x_trial) if with_gradient else objective.f(x_trial)
    if not math.isfinite(f_trial):
        return -math.inf
    actual = f - f_trial
    if predicted <= SMALL * max(1.0, abs(f)):
        _, g_trial = objective.f_and_g(x_trial)
        if np.all(np.isfinite(g_trial)) and (
                not gradient_must_fall or np.linalg.norm(g_trial) < np.linalg.norm(g)):
            actual = -0.5 * length * float((g + g_trial) @ direction)
    return actual
