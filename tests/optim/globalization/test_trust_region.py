"""The trust-region radius rule (Nocedal & Wright, Alg. 4.1, with the min(radius, ||p||) shrink)
and the reduction ratio."""

import math
from types import SimpleNamespace

import numpy as np
import pytest

from optkit.optim import NewtonCG, Objective, run
from optkit.optim.globalization import TrustRegion, reduction_ratio


def test_reduction_ratio_is_actual_over_predicted():
    assert reduction_ratio(10.0, 7.0, 4.0) == pytest.approx(0.75)
    assert reduction_ratio(10.0, 11.0, 2.0) == pytest.approx(-0.5)


@pytest.mark.parametrize("f_trial, predicted", [(math.nan, 1.0), (math.inf, 1.0), (9.0, 0.0),
                                                (9.0, -1.0), (9.0, math.nan)])
def test_reduction_ratio_is_minus_infinity_for_a_bad_trial_or_model(f_trial, predicted):
    assert reduction_ratio(10.0, f_trial, predicted) == -math.inf


def test_a_poor_step_shrinks_to_a_fraction_of_the_shorter_of_radius_and_step():
    tr = TrustRegion()
    assert tr.update(2.0, 0.1, 2.0, True) == pytest.approx(tr.shrink * 2.0)
    # an interior step that failed: shrink from its own length, so it is not proposed again
    assert tr.update(2.0, 0.1, 0.5, False) == pytest.approx(tr.shrink * 0.5)


def test_a_very_good_step_expands_only_on_the_boundary_and_up_to_max_radius():
    tr = TrustRegion(max_radius=3.0)
    assert tr.update(1.0, 0.9, 1.0, True) == pytest.approx(tr.expand * 1.0)
    assert tr.update(1.0, 0.9, 0.3, False) == 1.0
    assert tr.update(2.0, 0.9, 2.0, True) == 3.0


def test_a_fair_step_keeps_the_radius():
    assert TrustRegion().update(1.5, 0.5, 1.5, True) == 1.5


def test_acceptance_is_strictly_above_the_threshold():
    tr = TrustRegion(accept=0.1)
    assert tr.accepts(0.11) and not tr.accepts(0.1) and not tr.accepts(-math.inf)


def test_first_radius_scales_with_x0_with_a_floor_of_one_and_the_cap():
    assert TrustRegion().first_radius(0.0) == 1.0
    assert TrustRegion().first_radius(50.0) == pytest.approx(5.0)
    assert TrustRegion(max_radius=2.0).first_radius(50.0) == 2.0
    assert TrustRegion(initial_radius=0.3).first_radius(50.0) == 0.3


@pytest.mark.parametrize("options, name", [
    ({"initial_radius": 0.0}, "initial_radius"), ({"max_radius": -1.0}, "max_radius"),
    ({"initial_radius": 5.0, "max_radius": 1.0}, "initial_radius"), ({"accept": 0.3}, "accept"),
    ({"shrink_below": 0.9, "expand_above": 0.8}, "shrink_below"), ({"shrink": 1.0}, "shrink"),
    ({"expand": 1.0}, "expand"), ({"max_rejections": 0}, "max_rejections"),
    ({"max_rejections": True}, "max_rejections"),
])
def test_options_out_of_range_name_the_parameter(options, name):
    with pytest.raises(ValueError, match=name):
        TrustRegion(**options)


# moved verbatim from tests/optim/trust_region/test_steihaug.py
def test_radius_update_rules():
    tr = TrustRegion()
    assert tr.update(2.0, rho=0.1, step_norm=2.0, on_boundary=True) == 0.5
    assert tr.update(2.0, rho=0.1, step_norm=0.4, on_boundary=False) == pytest.approx(0.1)
    assert tr.update(2.0, rho=0.9, step_norm=2.0, on_boundary=True) == 4.0
    assert tr.update(2.0, rho=0.9, step_norm=1.0, on_boundary=False) == 2.0  # interior
    assert tr.update(2.0, rho=0.5, step_norm=2.0, on_boundary=True) == 2.0
    assert tr.update(2.0, rho=-math.inf, step_norm=2.0, on_boundary=True) == 0.5
    capped = TrustRegion(max_radius=3.0)
    assert capped.update(2.0, rho=1.0, step_norm=2.0, on_boundary=True) == 3.0
    assert tr.accepts(0.2) and not tr.accepts(0.05) and not tr.accepts(-math.inf)


def test_first_radius():
    assert TrustRegion(initial_radius=0.3).first_radius(100.0) == 0.3
    assert TrustRegion().first_radius(0.0) == 1.0
    assert TrustRegion().first_radius(100.0) == 10.0
    assert TrustRegion(max_radius=0.5).first_radius(100.0) == 0.5


def test_reduction_ratio():
    assert reduction_ratio(1.0, 0.5, 1.0) == 0.5
    assert reduction_ratio(1.0, math.nan, 1.0) == -math.inf
    assert reduction_ratio(1.0, math.inf, 1.0) == -math.inf
    assert reduction_ratio(1.0, 2.0, 0.0) == -math.inf


@pytest.mark.parametrize(
    "kwargs, match",
    [({"initial_radius": 0.0}, "initial_radius"), ({"initial_radius": math.inf},
                                                   "initial_radius"),
     ({"max_radius": -1.0}, "max_radius"), ({"initial_radius": 5.0, "max_radius": 1.0},
                                            "initial_radius"),
     ({"accept": 0.3}, "accept"), ({"accept": -0.1}, "accept"),
     ({"shrink_below": 0.8}, "shrink_below"), ({"shrink": 1.0}, "shrink"),
     ({"expand": 1.0}, "expand"), ({"max_rejections": 0}, "max_rejections")],
)
def test_trust_region_options_are_validated(kwargs, match):
    with pytest.raises(ValueError, match=match):
        TrustRegion(**kwargs)


def test_trust_region_subproblem_type():
    with pytest.raises(TypeError, match="subproblem"):
        TrustRegion(subproblem="cg")


class _ExactNewton:
    """A subproblem solver that is not Steihaug: the Newton step of a dense SPD matrix, cut
    back to the radius (no path to replay: truncate answers None)."""

    def __init__(self, h):
        self.h = h
        self.solves = 0

    def solve(self, hessp, g, radius, rtol, precond=None):
        self.solves += 1
        step = -np.linalg.solve(self.h, g)
        norm = float(np.linalg.norm(step))
        on_boundary = norm > radius
        if on_boundary:
            step, norm = step * (radius / norm), radius
        decrease = -float(g @ step + 0.5 * step @ self.h @ step)
        return SimpleNamespace(step=step, exit=None, niter=1, model_decrease=decrease,
                               step_norm=norm, residual_norm=0.0, on_boundary=on_boundary,
                               truncate=lambda radius: None)


def test_any_subproblem_solver_with_solve_is_accepted():
    h = np.diag([1.0, 10.0])
    sub = _ExactNewton(h)
    solver = NewtonCG(globalization=TrustRegion(sub, initial_radius=0.1), saddle_check=0)
    obj = Objective(lambda x: float(0.5 * x @ h @ x), lambda x: h @ x, lambda x, p: h @ p)
    res = run(solver, obj, np.array([3.0, -2.0]))
    assert res.success and np.allclose(res.x, 0.0, atol=1e-6) and sub.solves >= res.nit


def _rosenbrock_parts():
    def f(x):
        return float(100.0 * (x[1] - x[0] ** 2) ** 2 + (1.0 - x[0]) ** 2)

    def g(x):
        return np.array([-400.0 * x[0] * (x[1] - x[0] ** 2) - 2.0 * (1.0 - x[0]),
                         200.0 * (x[1] - x[0] ** 2)])

    def hessp(x, p):
        h = np.array([[1200.0 * x[0] ** 2 - 400.0 * x[1] + 2.0, -400.0 * x[0]],
                      [-400.0 * x[0], 200.0]])
        return h @ p

    return f, g, hessp


def test_a_first_trial_asks_for_g_with_f_only_from_a_one_pass_objective():
    # with f and g in one pass (AD's fun_and_jac beside fun, as optkit.minimize builds it) a
    # step's first trial comes with its gradient, so no point is evaluated twice; with
    # separate callables f is asked alone, as before. The iterates are the same either way.
    f, g, hessp = _rosenbrock_parts()
    x0 = np.array([-1.2, 1.0])
    newton = NewtonCG(saddle_check=0, globalization=TrustRegion(initial_radius=10.0))
    apart = run(newton, Objective(f, g, hessp), x0, gtol=1e-8)
    together = run(newton, Objective(f, hessp=hessp, fun_and_jac=lambda x: (f(x), g(x))), x0,
                   gtol=1e-8)
    assert apart.success and together.success
    assert np.array_equal(apart.x, together.x) and apart.nit == together.nit
    # a point evaluated twice (f, then f and g) only where a retry after a rejection was
    # accepted: at most as often as a trial was rejected (before, at every accepted step)
    rejected = apart.nfev - apart.njev
    assert apart.njev == apart.nit + 1 and rejected > 0
    assert together.nfev - apart.nfev <= rejected < apart.nit
    assert together.njev > apart.njev  # rejected first trials cost a gradient
