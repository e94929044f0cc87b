"""The solver protocol: the defaults of Solver's hooks, and how the driver asks them (bounds at
init, stationarity, accepted, default_ftol), with tiny stand-in solvers."""

import math
from dataclasses import dataclass

import numpy as np
import pytest

from optkit.optim import solve
from optkit.optim.bounds import Bounds
from optkit.optim.driver import run
from optkit.optim.objective import Objective
from optkit.optim.result import Status
from optkit.optim.solvers import Solver


@dataclass
class _State:
    x: np.ndarray
    f: float
    g: np.ndarray
    step_norm: float = 0.0
    bounds: Bounds | None = None


class _Bare(Solver):
    """Only init and step: every hook keeps its default."""

    def init(self, objective, x0):
        f, g = objective.f_and_g(x0)
        return _State(x0, f, g)

    def step(self, objective, state):
        x = state.x - 0.25 * state.g
        f, g = objective.f_and_g(x)
        return _State(x, f, g, float(np.linalg.norm(x - state.x)))


class _Projected(_Bare):
    """Projected gradient steps x <- P(x - t g), stationarity measured in the box."""

    supports_bounds = True

    def init(self, objective, x0, bounds=None):
        self.seen_bounds = bounds
        f, g = objective.f_and_g(x0)
        return _State(x0, f, g, bounds=bounds)

    def step(self, objective, state):
        x = state.bounds.project(state.x - 0.25 * state.g)
        f, g = objective.f_and_g(x)
        return _State(x, f, g, float(np.linalg.norm(x - state.x)), state.bounds)

    def stationarity(self, state):
        return state.bounds.projected_gradient_norm(state.x, state.g)


def _shifted_bowl(points=None):
    """f = ||x - 2||^2; records every point evaluated when ``points`` is a list."""
    def fun(x):
        if points is not None:
            points.append(np.array(x))
        return float((x - 2.0) @ (x - 2.0))
    return Objective(fun, lambda x: 2.0 * (x - 2.0))


def test_hooks_have_their_defaults():
    solver, state = _Bare(), _State(np.zeros(3), 1.0, np.array([1.0, -4.0, 2.0]))
    assert solver.stationarity(state) == 4.0
    assert solver.accepted(state) is True
    assert solver.leave_saddle(None, state) is None
    assert solver.converged(state) is None
    assert solver.result_fields(state) == {}
    assert (Solver.needs_hessp, Solver.supports_bounds, Solver.default_ftol) == (False, False, None)


def test_stationarity_default_is_nan_or_inf_with_the_gradient():
    solver = _Bare()
    assert math.isnan(solver.stationarity(_State(np.zeros(2), 0.0, np.array([np.nan, 1.0]))))
    assert solver.stationarity(_State(np.zeros(2), 0.0, np.array([-np.inf, 1.0]))) == math.inf


def test_the_driver_refuses_an_object_that_is_not_a_solver():
    class DuckTyped:
        def init(self, objective, x0):
            raise AssertionError("not called")

        def step(self, objective, state):
            raise AssertionError("not called")

    with pytest.raises(TypeError, match="solver must be an optkit.optim.Solver"):
        run(DuckTyped(), _shifted_bowl(), [0.0])
    with pytest.raises(TypeError, match="method must be a name"):
        solve(lambda x: float(x @ x), [1.0], DuckTyped(), jac=lambda x: 2 * x)


def test_default_ftol_applies_when_the_caller_gives_none():
    class Loose(_Bare):
        default_ftol = 0.5

    loose = run(Loose(), _shifted_bowl(), [0.0])
    assert loose.status_enum is Status.CONVERGED_FTOL and loose.nit < 5
    plain = run(_Bare(), _shifted_bowl(), [0.0])
    assert plain.status_enum is Status.CONVERGED_GTOL and plain.nit > loose.nit
    # an explicit ftol still wins
    assert run(Loose(), _shifted_bowl(), [0.0], ftol=0.0).status_enum is Status.CONVERGED_GTOL


def test_accepted_false_skips_the_tests_after_a_step():
    class Rejecting(_Bare):
        def accepted(self, state):
            return False

    # f falls by a factor 4 each step: ftol=0.9 stops at once unless the step is not accepted
    assert run(_Bare(), _shifted_bowl(), [0.0], ftol=0.9).nit == 1
    res = run(Rejecting(), _shifted_bowl(), [0.0], ftol=0.9)
    assert res.status_enum is Status.CONVERGED_GTOL and res.nit > 1


def test_without_bounds_init_gets_no_bounds_keyword():
    res = run(_Bare(), _shifted_bowl(), [0.0, 1.0])  # _Bare.init takes no bounds
    assert res.success and res.x == pytest.approx([2.0, 2.0], abs=1e-5)


def test_bounds_reach_init_and_stationarity_is_the_solvers():
    points, solver = [], _Projected()
    res = run(solver, _shifted_bowl(points), [0.0, 0.0], bounds=[(None, 1.0), (None, 5.0)],
              history=True)
    assert isinstance(solver.seen_bounds, Bounds)
    assert solver.seen_bounds.ub.tolist() == [1.0, 5.0]
    # the minimizer over the box has x_0 at its bound, where |g_0| = 2 > gtol
    assert res.status_enum is Status.CONVERGED_GTOL and res.success
    assert res.x == pytest.approx([1.0, 2.0], abs=1e-5) and abs(res.jac[0]) == pytest.approx(2.0)
    assert res.history[-1]["gnorm"] <= 1e-5
    assert all(p[0] <= 1.0 for p in points)


def test_x0_outside_the_box_is_projected_with_one_warning():
    points = []
    with pytest.warns(UserWarning, match="1 of 2 components"):
        res = run(_Projected(), _shifted_bowl(points), [3.0, 0.0], bounds=[(0.0, 1.0), (0, 5)])
    assert points[0].tolist() == [1.0, 0.0] and all(p[0] <= 1.0 for p in points)
    assert res.success


def test_a_solver_without_bounds_is_refused_them():
    with pytest.raises(ValueError, match="bounds: method '_Bare' does not take bounds"):
        run(_Bare(), _shifted_bowl(), [0.0], bounds=[(0.0, 1.0)])
    with pytest.raises(ValueError, match="bounds: method 'plain' does not take bounds"):
        run(_Bare(), _shifted_bowl(), [0.0], bounds=[(0.0, 1.0)], method="plain")


def test_bad_bounds_name_the_index():
    with pytest.raises(ValueError, match=r"bounds\[1\]"):
        run(_Projected(), _shifted_bowl(), [0.0, 0.0], bounds=[(0, 1), (2, 1)])
