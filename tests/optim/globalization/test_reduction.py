"""The actual reduction of a trial step, and the trapezoid rule on gradients where the
predicted reduction is below f's rounding (globalization/reduction.py)."""

import math

import numpy as np
import pytest

from optkit.optim.globalization import SMALL, TrustRegion, actual_reduction
from optkit.optim.objective import Objective


def _quadratic(h, shift, counts):
    def fun(x):
        counts["f"] += 1
        return float(0.5 * x @ h @ x) + shift

    def jac(x):
        counts["g"] += 1
        return h @ x

    return Objective(fun, jac)


def test_a_large_predicted_reduction_is_measured_by_f_alone():
    counts = {"f": 0, "g": 0}
    h = np.diag([1.0, 4.0])
    obj = _quadratic(h, 0.0, counts)
    x, step = np.array([1.0, 1.0]), np.array([-0.5, -0.5])
    f, g = 2.5, h @ x
    actual = actual_reduction(obj, f, g, x + step, step, predicted=1.0)
    assert actual == pytest.approx(f - obj.f(x + step)) and counts["g"] == 0


def test_below_rounding_the_trapezoid_rule_is_exact_on_a_quadratic():
    # f = 1e12 + x'Hx/2 near 0: the decrease (~1e-6) is far below f's rounding (~1e-4)
    counts = {"f": 0, "g": 0}
    h = np.diag([1.0, 3.0])
    obj = _quadratic(h, 1e12, counts)
    x = np.array([1e-3, -2e-3])
    step = -0.5 * x
    f, g = obj.f_and_g(x)
    exact = 0.5 * x @ h @ x - 0.5 * (x + step) @ h @ (x + step)
    predicted = exact  # a model that is the function
    assert predicted <= SMALL * abs(f)
    actual = actual_reduction(obj, f, g, x + step, step, predicted)
    assert actual == pytest.approx(exact, rel=1e-12)
    assert (f - obj.f(x + step)) != pytest.approx(exact, rel=1e-3)  # what f alone says


def test_length_scales_a_unit_direction():
    counts = {"f": 0, "g": 0}
    h = np.eye(2)
    obj = _quadratic(h, 1e12, counts)
    x = np.array([1e-3, 0.0])
    u, tau = np.array([-1.0, 0.0]), 5e-4
    f, g = obj.f_and_g(x)
    exact = 0.5 * (x @ x) - 0.5 * (x + tau * u) @ (x + tau * u)
    got = actual_reduction(obj, f, g, x + tau * u, u, exact, length=tau)
    assert got == pytest.approx(exact, rel=1e-12)


def test_a_gradient_that_grows_keeps_the_verdict_of_f_unless_allowed():
    # moving away from the minimizer of a quadratic: ||g|| grows, f rises by ~1e-7
    counts = {"f": 0, "g": 0}
    obj = _quadratic(np.eye(1), 1e12, counts)
    x, step = np.array([1e-4]), np.array([1e-3])
    f, g = obj.f_and_g(x)
    kept = actual_reduction(obj, f, g, x + step, step, 1e-7)
    assert kept == f - obj.f(x + step)
    trapezoid = actual_reduction(obj, f, g, x + step, step, 1e-7, gradient_must_fall=False)
    assert trapezoid == pytest.approx(-0.5 * float((g + obj.f_and_g(x + step)[1]) @ step))


def test_a_non_finite_trial_is_minus_infinity():
    obj = Objective(lambda x: math.inf if x[0] > 1 else float(x @ x), lambda x: 2 * x)
    assert actual_reduction(obj, 1.0, np.array([2.0]), np.array([2.0]), np.array([1.0]),
                            1e-12) == -math.inf


def test_the_trust_region_ratio_uses_it():
    counts = {"f": 0, "g": 0}
    h = np.diag([1.0, 3.0])
    obj = _quadratic(h, 1e12, counts)
    x = np.array([1e-3, -2e-3])
    step = -0.5 * x
    f, g = obj.f_and_g(x)
    exact = 0.5 * x @ h @ x - 0.5 * (x + step) @ h @ (x + step)
    assert TrustRegion().ratio(obj, f, g, x + step, step, exact) == pytest.approx(1.0, rel=1e-9)
    assert TrustRegion().ratio(obj, f, g, x + step, step, 0.0) == -math.inf
