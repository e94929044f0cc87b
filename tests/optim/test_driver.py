"""The driver's loop, stopping rules and result, with tiny stand-in solvers."""

import math
import time
from dataclasses import dataclass

import numpy as np
import pytest

from optkit.optim.driver import STALL_ITERATIONS, check_options, check_x0, run, run_checked
from optkit.optim.errors import LineSearchError, SolverError, TrustRegionError
from optkit.optim.objective import Objective
from optkit.optim.result import History, OptimizeResult, Status
from optkit.optim.solvers import LBFGS, Solver


@dataclass
class _State:
    x: np.ndarray
    f: float
    g: np.ndarray
    step_norm: float = 0.0


class FixedStep(Solver):
    """x <- x - t g: the smallest solver obeying the protocol (not a dataclass on purpose)."""

    def __init__(self, t=0.25):
        self.t = t

    def init(self, objective, x0):
        f, g = objective.f_and_g(x0)
        return _State(x0, f, g)

    def step(self, objective, state):
        x = state.x - self.t * state.g
        f, g = objective.f_and_g(x)
        return _State(x, f, g, float(np.linalg.norm(x - state.x)))


class Scripted(FixedStep):
    """Moves to the points it is given, then raises the given error."""

    def __init__(self, points, error):
        super().__init__()
        self.points = list(points)
        self.error = error

    def step(self, objective, state):
        if not self.points:
            raise self.error
        x = np.array(self.points.pop(0), dtype=float)
        f, g = objective.f_and_g(x)
        return _State(x, f, g, 1.0)


def _bowl():
    return Objective(lambda x: float(x @ x), lambda x: 2.0 * x)


@pytest.mark.parametrize("options", [{}, {"ftol": 1e-6, "xtol": 1e-9, "maxiter": 7},
                                     {"maxfev": 4, "history": True}])
def test_run_checked_is_run_after_its_checks(options):
    """run_checked on arguments checked as run checks them takes the same steps: the same
    point (bits), counts, status and history; run's checks still refuse bad input."""
    x0 = np.array([3.0, -2.0])
    expected = run(FixedStep(), _bowl(), x0, **options)
    gtol, ftol, xtol, maxiter, maxfev = check_options(**options)
    got = run_checked(FixedStep(), _bowl(), check_x0(x0), bounds=None, gtol=gtol,
                      ftol=FixedStep().default_ftol if ftol is None else ftol, xtol=xtol,
                      maxiter=maxiter, maxfev=maxfev, max_time=None, callback=None,
                      history=options.get("history", False), method=None)
    assert got.x.tobytes() == expected.x.tobytes()
    for key in ("fun", "nit", "nfev", "njev", "status", "message", "success"):
        assert got[key] == expected[key], key
    assert (got.history is None) == (expected.history is None)
    with pytest.raises(ValueError, match="maxfev"):
        run(FixedStep(), _bowl(), x0, maxfev=0)


def test_converges_on_gtol():
    res = run(FixedStep(), _bowl(), [1.0, -2.0], ftol=0.0)
    assert res.status_enum is Status.CONVERGED_GTOL and res.success and res.status == 0
    assert np.max(np.abs(res.jac)) <= 1e-5
    assert res.message == "gradient norm below gtol"


def test_stationary_start_needs_no_iteration():
    res = run(FixedStep(), _bowl(), [0.0, 0.0])
    assert res.nit == 0 and res.status_enum is Status.CONVERGED_GTOL and res.nfev == 1


class SaddleAware(FixedStep):
    """FixedStep on x^2 - y^2 + y^4 / 2, whose leave_saddle moves to y = 0.5 once, then confirms."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def leave_saddle(self, objective, state):
        self.calls.append(np.array(state.x))
        if state.x[1] != 0.0:
            return None
        x = state.x + np.array([0.0, 0.5])
        f, g = objective.f_and_g(x)
        return _State(x, f, g, 0.5)


def _saddle():
    return Objective(lambda x: float(x[0] ** 2 - x[1] ** 2 + 0.5 * x[1] ** 4),
                     lambda x: np.array([2.0 * x[0], -2.0 * x[1] + 2.0 * x[1] ** 3]))


def test_leave_saddle_is_asked_at_stationary_points_and_its_step_is_an_iteration():
    solver, seen = SaddleAware(), []
    res = run(solver, _saddle(), [0.5, 0.0], ftol=0.0, callback=lambda r: seen.append(r.nit))
    # stationary at (0, 0) after descent along x, left to y = 0.5, then descent to (0, 1)
    assert res.status_enum is Status.CONVERGED_GTOL
    assert res.x == pytest.approx([0.0, 1.0], abs=1e-5) and res.fun == pytest.approx(-0.5)
    assert len(solver.calls) == 2 and solver.calls[0][1] == 0.0 and solver.calls[1][1] != 0.0
    assert seen == list(range(1, res.nit + 1))


def test_leave_saddle_is_not_asked_once_the_budget_is_spent():
    solver = SaddleAware()
    res = run(solver, _saddle(), [0.0, 0.0], maxiter=0)
    assert res.status_enum is Status.CONVERGED_GTOL and res.nit == 0 and solver.calls == []


def test_ftol_stops_on_small_relative_reduction():
    res = run(FixedStep(t=0.01), _bowl(), [1.0], gtol=0.0, ftol=1e-3)
    assert res.status_enum is Status.CONVERGED_FTOL and res.success
    assert res.fun > 1e-6  # stopped early, as asked


def test_xtol_stops_on_small_step():
    res = run(FixedStep(), _bowl(), [1.0], gtol=0.0, ftol=0.0, xtol=1e-3, history=True)
    assert res.status_enum is Status.CONVERGED_XTOL
    assert res.history[-1]["step"] <= 1e-3 < res.history[-2]["step"]


def test_maxiter():
    res = run(FixedStep(t=0.01), _bowl(), [1.0], maxiter=3)
    assert res.status_enum is Status.MAXITER and res.nit == 3 and not res.success
    assert res.status == 1
    # a failure says how far from stationary its point is: |g| = 2 (0.98)^3
    assert res.message == ("maximum number of iterations reached (|g|_inf = 1.88e+00 at the "
                           "point returned, gtol = 1.00e-05)")


def test_no_f_test_by_default():
    # slow steps on a bowl: f falls by a relative 4e-6 per step; the old default (2.2e-9,
    # L-BFGS-B's) would not stop it either, but 1e-5 would, and only an explicit ftol may
    res = run(FixedStep(t=1e-6), _bowl(), [1.0], maxiter=50)
    assert res.status_enum is Status.MAXITER and not res.success
    assert run(FixedStep(t=1e-6), _bowl(), [1.0], maxiter=50,
               ftol=1e-5).status_enum is Status.CONVERGED_FTOL


def _circle(k):
    """k points of |x| = 1 on the bowl: f = 1 and |g|_inf = 2 at each, as on (1, 0)."""
    return ([[0.0, 1.0], [-1.0, 0.0], [0.0, -1.0], [1.0, 0.0]] * k)[:k]


def test_a_stalled_solve_is_a_failure_that_says_so():
    # the solver moves, but neither f nor |g|_inf improves: STALLED after
    # STALL_ITERATIONS steps, not a success, best point returned
    res = run(Scripted(_circle(12), SolverError("unreachable")), _bowl(), [1.0, 0.0])
    assert res.status_enum is Status.STALLED and not res.success and res.status == 10
    assert res.nit == STALL_ITERATIONS and res.fun == 1.0
    assert res.message == ("no progress: f stopped decreasing and |g|_inf stopped falling: "
                           f"{STALL_ITERATIONS} iterations in a row (|g|_inf = 2.00e+00 at the "
                           "point returned, gtol = 1.00e-05)")


def test_progress_in_f_or_in_the_gradient_resets_the_stall_count():
    # f falls by 1e-12 relative (above STALL_RTOL) on every step, |g|_inf flat: no stall
    fs = iter([1.0 - 1e-12 * k for k in range(40)])
    obj = Objective(lambda x: next(fs), lambda x: np.array([2.0, 0.0]))
    res = run(Scripted(_circle(12), SolverError("done")), obj, [1.0, 0.0])
    assert res.status_enum is Status.SOLVER_FAILED and res.nit == 12
    # |g|_inf reaching a new low each step also counts as progress, with f flat
    gs = iter([np.array([2.0 - 0.01 * k, 0.0]) for k in range(40)])
    obj = Objective(lambda x: 1.0, lambda x: next(gs))
    res = run(Scripted(_circle(12), SolverError("done")), obj, [1.0, 0.0])
    assert res.status_enum is Status.SOLVER_FAILED and res.nit == 12


def test_the_stall_test_is_off_with_an_explicit_ftol():
    res = run(Scripted(_circle(12), SolverError("done")), _bowl(), [1.0, 0.0], ftol=0.0)
    assert res.status_enum is Status.SOLVER_FAILED and res.nit == 12


def test_default_maxiter_is_documented_value():
    res = run(FixedStep(t=1e-6), _bowl(), [1.0], ftol=0.0)
    assert res.status_enum is Status.MAXITER and res.nit == 1000


def test_maxfev():
    res = run(FixedStep(t=0.01), _bowl(), [1.0], maxfev=5)
    assert res.status_enum is Status.MAXFEV and res.nfev == 5


def test_max_time():
    def slow(x):
        time.sleep(0.002)
        return float(x @ x)

    res = run(FixedStep(t=0.01), Objective(slow, lambda x: 2 * x), [1.0], max_time=0.001)
    assert res.status_enum is Status.MAX_TIME and res.nit == 0  # x0 alone took 2 ms


def test_history_records_every_iteration():
    res = run(LBFGS(), _bowl(), [3.0, 4.0], history=True)
    hist = res.history
    assert isinstance(hist, History) and len(hist) == res.nit + 1
    cols = hist.as_arrays()
    assert cols["f"][0] == 25.0 and cols["gnorm"][0] == 8.0 and cols["step"][0] == 0.0
    assert cols["f"][-1] == res.fun and cols["nfev"][-1] == res.nfev
    assert np.all(np.diff(cols["nfev"]) >= 0) and np.all(np.diff(cols["nit"]) == 1)
    assert hist.as_list()[1]["nit"] == 1
    assert run(LBFGS(), _bowl(), [3.0, 4.0]).history is None


def test_callback_sees_intermediate_results():
    seen = []

    def callback(r):
        seen.append((r.nit, r.fun, r.nfev))

    res = run(FixedStep(), _bowl(), [1.0], callback=callback)
    assert [s[0] for s in seen] == list(range(1, res.nit + 1))
    assert seen[-1][1] == res.fun and seen[-1][2] == res.nfev


@pytest.mark.parametrize("error, status", [
    (LineSearchError("no step"), Status.LINESEARCH_FAILED),
    (TrustRegionError("tiny radius"), Status.TRUST_REGION_FAILED),
    (SolverError("stuck"), Status.SOLVER_FAILED),
])
def test_solver_error_becomes_status_with_best_point(error, status):
    # f goes 4 -> 1 -> 9, then the solver fails: the result is the best point, x = [1]
    res = run(Scripted([[1.0], [3.0]], error), _bowl(), [2.0])
    assert res.status_enum is status and not res.success
    assert res.x.tolist() == [1.0] and res.fun == 1.0 and res.nit == 2
    assert error.reason in res.message


def test_error_may_carry_a_better_state():
    better = _State(np.array([0.5]), 0.25, np.array([1.0]))
    res = run(Scripted([], LineSearchError("no step", state=better)), _bowl(), [2.0])
    assert res.x.tolist() == [0.5] and res.fun == 0.25


def test_non_finite_step_result_is_numerical_trouble():
    obj = Objective(lambda x: math.nan if x[0] < 0 else float(x @ x), lambda x: 2 * x)
    res = run(Scripted([[-1.0]], SolverError("unreachable")), obj, [2.0])
    assert res.status_enum is Status.NONFINITE and res.x.tolist() == [2.0] and res.fun == 4.0


def test_floating_point_error_in_a_step_is_numerical_trouble():
    res = run(Scripted([[1.0]], FloatingPointError("overflow in hessp")), _bowl(), [2.0])
    assert res.status_enum is Status.NONFINITE and "overflow in hessp" in res.message
    assert res.x.tolist() == [1.0]


@pytest.mark.parametrize("option, value, match", [
    ("gtol", -1.0, "gtol must be a finite number >= 0"),
    ("gtol", math.nan, "gtol"),
    ("ftol", -1e-9, "ftol"),
    ("xtol", math.inf, "xtol"),
    ("maxiter", -1, "maxiter must be None or an integer >= 0"),
    ("maxiter", 2.5, "maxiter"),
    ("maxfev", 0, "maxfev must be None or an integer >= 1"),
    ("max_time", 0.0, "max_time"),
])
def test_bad_driver_options(option, value, match):
    with pytest.raises(ValueError, match=match):
        run(FixedStep(), _bowl(), [1.0], **{option: value})


def test_bad_history_and_callback_types():
    with pytest.raises(TypeError, match="history"):
        run(FixedStep(), _bowl(), [1.0], history="yes")
    with pytest.raises(TypeError, match="callback"):
        run(FixedStep(), _bowl(), [1.0], callback=3)


def test_status_members():
    codes = {s.code for s in Status if not s.success}
    assert len(codes) == len([s for s in Status if not s.success])  # failures distinguishable
    assert all(s.code == 0 for s in Status if s.success)
    assert len({s.message for s in Status}) == len(Status)
    assert Status.INTERRUPTED.message == "interrupted by user (KeyboardInterrupt)"


def test_result_is_a_dict_with_attributes():
    r = OptimizeResult(x=1, fun=2.0)
    r.nit = 3
    assert r["nit"] == 3 and r.fun == 2.0 and "fun" in repr(r)
    del r.nit
    with pytest.raises(AttributeError):
        r.nit  # noqa: B018


def test_ftol_stop_with_a_large_gradient_says_so():
    # slow steps on a bowl: f stalls relative to ftol while |g| is still far above gtol
    res = run(FixedStep(t=1e-4), _bowl(), [1.0], ftol=1e-3)
    assert res.status_enum is Status.CONVERGED_FTOL
    assert res.message.startswith("relative reduction of f below ftol: |g|_inf = 2.00e+00")
    assert "above gtol = 1.00e-05" in res.message
    # the step that stalls f also brought |g| below gtol: nothing to add
    quiet = run(FixedStep(t=0.25), _bowl(), [1e-4], gtol=1.5e-4, ftol=1e-6)
    assert quiet.status_enum is Status.CONVERGED_FTOL and quiet.message == quiet.status_enum.message


def _same_result(a, b):
    assert a.x.tolist() == b.x.tolist() and a.fun == b.fun and a.jac.tolist() == b.jac.tolist()
    for key in ("nit", "nfev", "njev", "status", "success", "message"):
        assert a[key] == b[key], key
    assert a.status_enum is b.status_enum


@pytest.mark.parametrize("make, kwargs", [
    (lambda: (FixedStep(), _bowl(), [2.0, -1.0]), {}),  # gtol
    (lambda: (FixedStep(0.01), _bowl(), [2.0]), {"maxiter": 7}),
    (lambda: (FixedStep(0.01), _bowl(), [2.0]), {"maxfev": 5}),
    (lambda: (Scripted([[1.0], [3.0]], SolverError("stuck")), _bowl(), [2.0]), {}),
    (lambda: (Scripted([], LineSearchError("no step", state=_State(
        np.array([0.5]), 0.25, np.array([1.0])))), _bowl(), [2.0]), {}),
    (lambda: (Scripted([[-1.0]], SolverError("unreachable")), Objective(
        lambda x: math.nan if x[0] < 0 else float(x @ x), lambda x: 2 * x), [2.0]), {}),
    (lambda: (Scripted([[1.0]], FloatingPointError("overflow")), _bowl(), [2.0]), {}),
])
def test_plain_loop_ends_as_the_full_loop(make, kwargs):
    # ftol = 0 and no callback, history or time limit: the driver's plain loop
    # (iterate_plain); a callback returning None forces the full one, same steps
    plain = run(*make(), ftol=0.0, **kwargs)
    full = run(*make(), ftol=0.0, callback=lambda intermediate: None, **kwargs)
    _same_result(plain, full)


def test_plain_loop_hands_over_at_the_limit_and_at_gtol():
    # the plain loop stops at the budget or the gradient test and the full loop decides:
    # maxiter with the gradient test holding is a convergence, as in the full loop
    res = run(FixedStep(0.5), _bowl(), [2.0], ftol=0.0, maxiter=1)
    assert res.nit == 1 and res.status_enum is Status.CONVERGED_GTOL
    res = run(FixedStep(0.01), _bowl(), [2.0], ftol=0.0, maxiter=3)
    assert res.nit == 3 and res.status_enum is Status.MAXITER
