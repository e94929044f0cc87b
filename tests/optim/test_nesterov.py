"""Nesterov's scheme (solvers/nesterov.py): the state's x is the look-ahead point."""

import numpy as np
import pytest

from optkit.optim import Objective
from optkit.optim.solvers.gd import GradientDescent
from optkit.optim.solvers.nesterov import NesterovState


def _quadratic():
    h = np.diag([1.0, 10.0])
    return Objective(lambda x: float(0.5 * x @ h @ x), lambda x: h @ x)


def test_x_is_the_extrapolated_point_and_f_g_are_known_there():
    obj, solver = _quadratic(), GradientDescent(momentum="nesterov", beta=0.5)
    s0 = solver.init(obj, np.array([3.0, 1.0]))
    s1 = solver.step(obj, s0)
    s2 = solver.step(obj, s1)
    assert isinstance(s2, NesterovState)
    assert s2.f_main <= s1.f_main  # no restart here: momentum was applied
    np.testing.assert_array_equal(s2.x, s2.x_main + 0.5 * (s2.x_main - s1.x_main))
    assert s2.f == pytest.approx(obj.f(s2.x)) and np.allclose(s2.g, obj.f_and_g(s2.x)[1])


def test_a_rise_of_f_restarts_without_momentum():
    # f(x) = |x|^2 / 2 with a large first step: overshooting makes f(x_main) rise
    obj = Objective(lambda x: float(0.5 * x @ x), lambda x: np.array(x))
    solver = GradientDescent(momentum="nesterov", beta=0.9)
    state = solver.init(obj, np.array([1.0]))
    state = NesterovState(**{**state.__dict__, "f_main": -1.0})  # any f(x_main) is a rise
    new = solver.step(obj, state)
    np.testing.assert_array_equal(new.x, new.x_main)
