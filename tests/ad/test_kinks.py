"""Derivatives exactly at kinks and ties: one row per rule, each at its kink.

Each row is a composition that is smooth at the kink, with its analytic gradient and Hessian;
optkit must give them in both modes to second order (reverse gradient, forward JVP,
forward-over-reverse HVP, eagerly and compiled). Where no local rule can give the exact answer
(the 2-norm's second derivative at 0) the row expects NaN: refused, never silently wrong.

The convention (issue 10): the one-sided derivative at a kink, sign(0) = +1 as in JAX; at a
tie, the first argument of maximum/minimum and the earlier entry of max/min/sort count as the
larger, infinitesimally.
"""

import warnings
from dataclasses import dataclass

import numpy as np
import pytest

import optkit

NAN = np.nan


@dataclass(frozen=True)
class Kink:
    name: str
    fun: object
    x: tuple
    grad: tuple
    hess: tuple  # rows of the Hessian

    def __str__(self):
        return self.name


def _pair_max_min(maximum, minimum, combine):
    def f(x):
        return combine(maximum(x[0], x[1]), minimum(x[0], x[1]))
    return f


def _clip_identity(x):
    # clip(x, -1, 1) + relu(x - 1) + min(x + 1, 0) == x everywhere, kinks at -1 and 1
    return np.clip(x, -1.0, 1.0) + np.maximum(x - 1.0, 0.0) + np.minimum(x + 1.0, 0.0)


I3 = ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))
TWO_I3 = tuple(tuple(2.0 * v for v in row) for row in I3)
ZERO3 = ((0.0,) * 3,) * 3
NAN3 = ((NAN,) * 3,) * 3
SWAP = ((0.0, 1.0), (1.0, 0.0))
TWO_I2 = ((2.0, 0.0), (0.0, 2.0))

ROWS = [
    # abs and fabs: sign(0) = +1
    Kink("abs-squared", lambda x: np.sum(np.abs(x) ** 2), (0.0, 0.0, 0.0), (0.0,) * 3, TWO_I3),
    Kink("abs-log1p-abs (TOINTGOR)", lambda x: np.sum(np.abs(x) * np.log1p(np.abs(x))),
         (0.0, 0.0, 0.0), (0.0,) * 3, TWO_I3),
    Kink("abs-cubed", lambda x: np.sum(np.abs(x) ** 3), (0.0, 0.0, 0.0), (0.0,) * 3, ZERO3),
    Kink("fabs-squared", lambda x: np.sum(np.fabs(x) ** 2), (0.0, -0.0, 0.0), (0.0,) * 3, TWO_I3),
    Kink("abs-method-squared", lambda x: np.sum(abs(x) * abs(x)), (0.0, 0.0, 0.0), (0.0,) * 3,
         TWO_I3),
    Kink("abs-minus-twice-relu", lambda x: np.sum(np.abs(x) - 2.0 * np.maximum(x, 0.0)),
         (0.0, 0.0, 0.0), (-1.0,) * 3, ZERO3),  # = -x, as |x| = 2 max(x, 0) - x
    Kink("copysign-squared", lambda x: np.sum(np.copysign(x, 1.0) ** 2), (0.0, 0.0, 0.0),
         (0.0,) * 3, TWO_I3),
    # maximum, minimum, fmax, fmin at ties
    Kink("maximum-self", lambda x: np.sum(np.maximum(x, x) ** 2), (1.0, -2.0, 0.5),
         (2.0, -4.0, 1.0), TWO_I3),
    Kink("minimum-self", lambda x: np.sum(np.minimum(x, x) ** 2), (1.0, -2.0, 0.5),
         (2.0, -4.0, 1.0), TWO_I3),
    Kink("maximum-plus-minimum", lambda x: np.sum(np.maximum(x, 0.5) + np.minimum(x, 0.5)),
         (0.5, 0.5, 0.5), (1.0,) * 3, ZERO3),
    Kink("relu-squared-plus-negative-part-squared",
         lambda x: np.sum(np.maximum(x, 0.0) ** 2 + np.minimum(x, 0.0) ** 2), (0.0, 0.0, 0.0),
         (0.0,) * 3, TWO_I3),
    Kink("relu-cubed", lambda x: np.sum(np.maximum(x, 0.0) ** 3), (0.0, 0.0, 0.0), (0.0,) * 3,
         ZERO3),
    Kink("max-squared-plus-min-squared",
         _pair_max_min(np.maximum, np.minimum, lambda a, b: a**2 + b**2), (1.0, 1.0), (2.0, 2.0),
         TWO_I2),
    Kink("max-times-min", _pair_max_min(np.maximum, np.minimum, lambda a, b: a * b), (1.0, 1.0),
         (1.0, 1.0), SWAP),
    Kink("fmax-squared-plus-fmin-squared",
         _pair_max_min(np.fmax, np.fmin, lambda a, b: a**2 + b**2), (1.0, 1.0), (2.0, 2.0),
         TWO_I2),
    Kink("fmax-times-fmin", _pair_max_min(np.fmax, np.fmin, lambda a, b: a * b), (1.0, 1.0),
         (1.0, 1.0), SWAP),
    # clip at both ends
    Kink("clip-identity", lambda x: np.sum(_clip_identity(x)), (-1.0, 1.0, 0.0), (1.0,) * 3,
         ZERO3),
    Kink("clip-identity-squared", lambda x: np.sum(_clip_identity(x) ** 2), (-1.0, 1.0, 0.0),
         (-2.0, 2.0, 0.0), TWO_I3),
    # where at its switch
    Kink("where-matching-branches", lambda x: np.sum(np.where(x > 0, np.sin(x), x - x**3 / 6)),
         (0.0, 0.0, 0.0), (1.0,) * 3, ZERO3),
    Kink("heaviside-times-cube", lambda x: np.sum(np.heaviside(x, 0.5) * x**3), (0.0, 0.0, 0.0),
         (0.0,) * 3, ZERO3),
    # max, min, ptp reductions, sort and median at ties
    Kink("max-squared-plus-min-squared-reduction",
         lambda x: np.max(x) ** 2 + np.min(x) ** 2, (1.0, 1.0), (2.0, 2.0), TWO_I2),
    Kink("max-times-min-reduction", lambda x: np.max(x) * np.min(x), (1.0, 1.0), (1.0, 1.0),
         SWAP),
    Kink("amax-plus-amin", lambda x: np.amax(x) + np.amin(x), (2.0, 2.0), (1.0, 1.0),
         ((0.0, 0.0), (0.0, 0.0))),
    Kink("ptp-plus-twice-min", lambda x: np.ptp(x) + 2.0 * np.min(x), (2.0, 2.0), (1.0, 1.0),
         ((0.0, 0.0), (0.0, 0.0))),
    Kink("sort-squared-weighted",
         lambda x: np.sum(np.sort(x) ** 2) + np.sort(x)[-1] - np.max(x) + np.sort(x)[0]
         - np.min(x), (1.0, 1.0, 1.0), (2.0, 2.0, 2.0), TWO_I3),
    Kink("max-plus-median-plus-min", lambda x: (np.max(x) + np.median(x) + np.min(x)) ** 2,
         (1.0, 1.0, 1.0), (6.0, 6.0, 6.0), ((2.0,) * 3,) * 3),
    Kink("even-median-squared-minus-mean-squared",
         lambda x: np.median(x) ** 2 + np.sort(x)[0] * np.sort(x)[-1] - x[0] * x[1] + 0.0,
         (1.0, 1.0), (1.0, 1.0), ((0.5, 0.5), (0.5, 0.5))),
    # the 2-norm at 0: no local rule gives the second derivative; refused with NaN
    Kink("norm-squared", lambda x: np.linalg.norm(x) ** 2, (0.0, 0.0, 0.0), (0.0,) * 3, NAN3),
    Kink("std-squared", lambda x: np.std(x) ** 2, (2.0, 2.0, 2.0), (0.0,) * 3, NAN3),
    Kink("sqrt-one-plus-square", lambda x: np.sum(np.sqrt(1.0 + x**2)), (0.0, 0.0, 0.0),
         (0.0,) * 3, I3),
]


def _modes(row):
    x = np.array(row.x)
    grad = np.array(row.grad)
    hess = np.array(row.hess)
    v = np.linspace(1.0, 2.0, x.size)
    return x, grad, hess, v


def _close(actual, expected):
    # NaN expected: refused (NaN) required; otherwise exact up to rounding
    np.testing.assert_allclose(actual, expected, rtol=1e-14, atol=1e-14, equal_nan=True)


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_reverse_gradient(row):
    x, grad, _, _ = _modes(row)
    _close(optkit.grad(row.fun)(x), grad)


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_forward_jvp(row):
    x, grad, _, v = _modes(row)
    _, tangent = optkit.jvp(row.fun, x, v)
    _close(tangent, grad @ v)


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_hvp_and_hessian(row):
    x, _, hess, v = _modes(row)
    _close(optkit.hvp(row.fun, x, v), hess @ v)
    _close(optkit.hessian(row.fun)(x), hess)


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_compiled(row):
    x, grad, hess, v = _modes(row)
    compiled = optkit.compile(row.fun)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optkit.CompileWarning)  # sort runs eagerly: still right
        _close(optkit.grad(compiled)(x), grad)
        _close(optkit.hvp(compiled, x, v), hess @ v)
