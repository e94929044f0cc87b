import dataclasses

import numpy as np
import pytest
from _problems import quadratic

from optkit.optim import Backtracking, GradientDescent, Nonmonotone, Objective, run


def test_defaults_follow_the_literature():
    assert isinstance(GradientDescent().search, Backtracking)
    bb = GradientDescent(stepsize="bb")
    assert isinstance(bb.search, Nonmonotone) and bb.search.memory == 10


def test_default_search_follows_the_stepsize_after_replace():
    bb = dataclasses.replace(GradientDescent(), stepsize="bb")
    assert isinstance(bb.search, Nonmonotone)
    mine = Backtracking(c1=0.3)
    assert GradientDescent(stepsize="bb", linesearch=mine).search is mine


def test_plain_descent_steps_are_armijo_steps_along_minus_g():
    prob = quadratic(1e2)
    obj = Objective(prob.fun, prob.jac)
    solver = GradientDescent()
    state = solver.init(obj, prob.x0)
    for _ in range(10):
        new = solver.step(obj, state)
        np.testing.assert_allclose(new.x, state.x - new.alpha * state.g, rtol=1e-12)
        assert new.f <= state.f - 1e-4 * new.alpha * (state.g @ state.g)
        state = new


class _Recording:
    """Nonmonotone search that records the first trial step it is given."""

    memory = 10
    needs_slope = False

    def __init__(self):
        self.trials = []

    def search(self, line, phi0, dphi0, alpha0, *, phi_ref=None):
        self.trials.append(alpha0)
        return Nonmonotone().search(line, phi0, dphi0, alpha0, phi_ref=phi_ref)


def test_bb_first_trial_is_the_bb1_step():
    prob = quadratic(1e2)
    obj = Objective(prob.fun, prob.jac)
    search = _Recording()
    solver = GradientDescent(stepsize="bb", linesearch=search)
    state = solver.step(obj, solver.init(obj, prob.x0))
    for _ in range(5):
        s, y = state.s, state.y
        state = solver.step(obj, state)
        assert search.trials[-1] == pytest.approx((s @ s) / (s @ y), rel=1e-12)


def test_bb_is_nonmonotone_but_converges():
    prob = quadratic(1e4)
    res = run(GradientDescent(stepsize="bb"), Objective(prob.fun, prob.jac), prob.x0,
              history=True, ftol=0.0)
    f = res.history.as_arrays()["f"]
    assert res.success and res.fun == pytest.approx(prob.fstar, abs=1e-6)
    assert np.any(np.diff(f) > 0)  # f went up at least once: the GLL search allowed it


def test_heavy_ball_direction_carries_momentum():
    prob = quadratic(1e2)
    obj = Objective(prob.fun, prob.jac)
    solver = GradientDescent(momentum="heavy-ball", beta=0.5)
    s1 = solver.step(obj, solver.init(obj, prob.x0))
    s2 = solver.step(obj, s1)
    expected = -s1.g + 0.5 * s1.d
    if expected @ s1.g < 0:  # no restart
        np.testing.assert_allclose(s2.d, expected, rtol=1e-12)


def test_nesterov_extrapolates_from_the_last_iterate():
    prob = quadratic(1e2)
    obj = Objective(prob.fun, prob.jac)
    solver = GradientDescent(momentum="nesterov", beta=0.5)
    s0 = solver.init(obj, prob.x0)
    s1 = solver.step(obj, s0)
    s2 = solver.step(obj, s1)
    # y_2 = x_2 + beta (x_2 - x_1) unless the function restart fired
    if s2.f_main <= s1.f_main:
        np.testing.assert_allclose(s2.x, s2.x_main + 0.5 * (s2.x_main - s1.x_main), rtol=1e-12)
    assert prob.fun(s2.x) == s2.f and np.allclose(prob.jac(s2.x), s2.g)


@pytest.mark.parametrize("kwargs", [{}, {"stepsize": "bb"}, {"momentum": "heavy-ball"},
                                    {"momentum": "nesterov"}])
def test_every_variant_solves_a_well_conditioned_quadratic(kwargs):
    prob = quadratic(1e2)
    res = run(GradientDescent(**kwargs), Objective(prob.fun, prob.jac), prob.x0, ftol=0.0)
    assert res.success and res.fun == pytest.approx(prob.fstar, abs=1e-8)


@pytest.mark.parametrize("kwargs, match", [
    ({"stepsize": "fixed"}, "stepsize must be one of"),
    ({"momentum": "polyak"}, "momentum must be one of"),
    ({"beta": -0.1}, r"beta must lie in \[0, 1\)"),
    ({"stepsize": "bb", "momentum": "heavy-ball"}, "requires stepsize='linesearch'"),
])
def test_bad_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        GradientDescent(**kwargs)


def test_bad_linesearch_type():
    with pytest.raises(TypeError, match="linesearch"):
        GradientDescent(linesearch=0.5)
