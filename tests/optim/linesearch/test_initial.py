"""First-step rules (linesearch/initial.py) and how GradientDescent's option strings map to
them and to its iteration schemes, in one place."""

import math
from types import SimpleNamespace

import numpy as np
import pytest

from optkit.optim.linesearch import InitialBarzilaiBorwein, InitialPrevious, InitialQuadratic
from optkit.optim.solvers.gd import GradientDescent, HeavyBall, SteepestDescent
from optkit.optim.solvers.nesterov import Nesterov

RULES = [InitialPrevious(), InitialQuadratic(), InitialQuadratic(at_least_previous=True),
         InitialBarzilaiBorwein()]


def _state(alpha=0.0, f=1.0, f_prev=math.nan, s=None, y=None):
    return SimpleNamespace(alpha=alpha, f=f, f_prev=f_prev, s=s, y=y)


@pytest.mark.parametrize("rule", RULES, ids=repr)
def test_before_any_step_the_first_trial_is_at_most_one(rule):
    assert rule(_state(), -16.0, np.array([3.0, 4.0])) == pytest.approx(0.2)
    assert rule(_state(), -0.01, np.array([0.1, 0.0])) == 1.0


def test_previous_grows_the_last_step():
    assert InitialPrevious()(_state(alpha=0.3), -1.0, np.ones(2)) == pytest.approx(0.6)
    assert InitialPrevious(3.0)(_state(alpha=0.3), -1.0, np.ones(2)) == pytest.approx(0.9)


def test_quadratic_repeats_the_last_decrease():
    # f fell by 2 last time; with phi'(0) = -8 the quadratic's step is 2 * (-2) / (-8) = 0.5
    state = _state(alpha=0.1, f=3.0, f_prev=5.0)
    assert InitialQuadratic()(state, -8.0, np.ones(2)) == pytest.approx(0.5)
    assert InitialQuadratic(at_least_previous=True)(_state(alpha=0.9, f=3.0, f_prev=5.0), -8.0,
                                                    np.ones(2)) == pytest.approx(0.9)


@pytest.mark.parametrize("f_prev", [3.0, 2.0, math.nan])  # no decrease, an increase, unknown
def test_quadratic_falls_back_on_the_last_step(f_prev):
    assert InitialQuadratic()(_state(alpha=0.25, f=3.0, f_prev=f_prev), -8.0, np.ones(2)) == 0.25


def test_barzilai_borwein_is_bb1_safeguarded():
    s, y = np.array([1.0, 0.0]), np.array([4.0, 0.0])
    assert InitialBarzilaiBorwein()(_state(alpha=1, s=s, y=y), -1.0, np.ones(2)) == 0.25
    # negative curvature along s: keep the step length along p
    p = np.array([2.0, 0.0])
    assert InitialBarzilaiBorwein()(_state(alpha=1, s=s, y=-y), -1.0, p) == pytest.approx(0.5)
    tiny = InitialBarzilaiBorwein(alpha_max=0.1)(_state(alpha=1, s=s, y=y), -1.0, p)
    assert tiny == 0.1


@pytest.mark.parametrize("options, scheme, initial", [
    ({}, SteepestDescent(), InitialQuadratic(at_least_previous=True)),
    ({"momentum": "heavy-ball", "beta": 0.5}, HeavyBall(0.5), InitialPrevious(2.0)),
    ({"momentum": "nesterov", "beta": 0.5}, Nesterov(0.5), InitialQuadratic()),
    ({"stepsize": "bb"}, SteepestDescent(), InitialBarzilaiBorwein()),
])
def test_option_strings_map_to_objects(options, scheme, initial):
    solver = GradientDescent(**options)
    assert solver.scheme == scheme and solver.initial == initial
