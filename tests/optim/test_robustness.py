"""The robustness rules of the solvers issue, one test (or table) per rule."""

import math

import numpy as np
import pytest
from _problems import Counting, logistic, rosenbrock

from optkit.optim import GradientDescent, Status, solve

METHODS = [
    ("lbfgs", {}),
    ("gd", {}),
    ("gd", {"stepsize": "bb"}),
    ("gd", {"momentum": "heavy-ball"}),
    ("gd", {"momentum": "nesterov"}),
]
IDS = ["lbfgs", "gd", "gd-bb", "gd-heavy-ball", "gd-nesterov"]


def _sq(x):
    return float(x @ x)


def _sq_grad(x):
    return 2.0 * x


# -- non-finite f or g at x0 ----------------------------------------------------------------
@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_non_finite_value_at_x0_is_a_clear_error(bad):
    with pytest.raises(ValueError, match="non-finite objective at x0"):
        solve(lambda x: bad, [1.0], jac=_sq_grad)


def test_non_finite_gradient_at_x0_is_a_clear_error():
    with pytest.raises(ValueError, match="non-finite gradient at x0"):
        solve(_sq, [1.0, 2.0], jac=lambda x: np.array([1.0, math.nan]))


# -- non-finite value at a trial point: the line search backtracks ------------------------
@pytest.mark.parametrize("bad", [math.inf, math.nan])
@pytest.mark.parametrize("method, opts", METHODS, ids=IDS)
def test_non_finite_trial_value_backtracks(method, opts, bad):
    seen = []

    def fun(x):
        if x[0] < -0.1:  # the first trial step from 0.2 lands at -0.2 or beyond
            seen.append(x[0])
            return bad
        return _sq(x)

    res = solve(fun, [0.2], method, jac=_sq_grad, **opts)
    assert seen, "the test must exercise a non-finite trial"
    assert res.success and abs(res.x[0]) < 1e-5


# -- no acceptable step: a status and the best point ---------------------------------------
def _quartic(x):
    return float(np.sum(x ** 4))


def _misleading_grad(x):
    """Right for x > 1, pointing the wrong way below: progress first, then no descent."""
    return 4.0 * x ** 3 if x[0] > 1.0 else -4.0 * x ** 3


@pytest.mark.parametrize("method, opts", METHODS, ids=IDS)
def test_line_search_failure_reports_best_point(method, opts):
    x0 = np.array([3.0, 2.0])
    res = solve(_quartic, x0, method, jac=_misleading_grad, ftol=0.0, **opts)
    assert res.status_enum is Status.LINESEARCH_FAILED and not res.success
    assert res.message.startswith("line search could not find an acceptable step: ")
    assert res.fun == _quartic(res.x) < _quartic(x0)  # the progress made is kept


# -- KeyboardInterrupt: best point so far, status "interrupted" ----------------------------
@pytest.mark.parametrize("k", [2, 15, 40])
@pytest.mark.parametrize("method, opts", METHODS, ids=IDS)
def test_keyboard_interrupt_returns_best_point(method, opts, k):
    prob = rosenbrock(2)
    counting = Counting(prob, fail_at=k)
    res = solve(counting.fun, prob.x0, method, jac=counting.jac, **opts)
    assert res.status_enum is Status.INTERRUPTED and not res.success
    assert res.message == "interrupted by user (KeyboardInterrupt)"
    assert res.nfev == k == counting.calls["fun"]
    assert res.fun == prob.fun(res.x) <= prob.fun(prob.x0)
    if k >= 15:
        assert res.fun < prob.fun(prob.x0)  # work was done and is not lost


def test_keyboard_interrupt_in_the_callback_is_handled_too():
    def callback(r):
        if r.nit == 3:
            raise KeyboardInterrupt

    res = solve(rosenbrock(2).fun, [-1.2, 1.0], jac=rosenbrock(2).jac, callback=callback)
    assert res.status_enum is Status.INTERRUPTED and res.nit == 3


# -- callback stops --------------------------------------------------------------------------
def test_callback_returning_true_stops():
    res = solve(_sq, [1.0, 2.0], "gd", jac=_sq_grad, callback=lambda r: r.nit >= 2, gtol=0.0,
                ftol=0.0)
    assert res.status_enum is Status.CALLBACK_STOP and res.nit == 2 and res.success
    assert res.message == "stopped by the callback"


def test_callback_raising_stop_iteration_stops():
    def callback(r):
        raise StopIteration

    res = solve(_sq, [1.0, 2.0], "lbfgs", jac=_sq_grad, callback=callback)
    assert res.status_enum is Status.CALLBACK_STOP and res.nit == 1


# -- bad options -------------------------------------------------------------------------------
@pytest.mark.parametrize("method, options, match", [
    ("lbfgs", {"gtol": -1.0}, r"gtol must be a finite number >= 0"),
    ("lbfgs", {"m": 0}, r"m must be an integer >= 1"),
    ("lbfgs", {"m": 2.5}, r"m must be an integer >= 1"),
    ("gd", {"beta": 1.0}, r"beta must lie in \[0, 1\)"),
    ("gd", {"momentum": "nestrov"}, r"momentum must be one of"),
    ("gd", {"stepsize": "bb", "momentum": "nesterov"}, r"requires stepsize='linesearch'"),
    ("lbfgs", {"maxiter": -5}, r"maxiter must be None or an integer >= 0"),
    ("lbfgs", {"mm": 5}, r"unknown option 'mm'.*did you mean 'm'"),
    ("lbfgs", {"gtoll": 1e-3}, r"unknown option 'gtoll'.*did you mean 'gtol'"),
    ("gd", {"m": 5}, r"unknown option 'm' for method 'gd'"),
    ("lbgfs", {}, r"unknown method 'lbgfs'.*did you mean 'lbfgs'"),
    ("newton_cg", {}, r"did you mean 'newton-cg'"),
])
def test_bad_options_are_named_with_their_range(method, options, match):
    with pytest.raises(ValueError, match=match):
        solve(_sq, [1.0], method, jac=_sq_grad, **options)


# -- exact counts ------------------------------------------------------------------------------
@pytest.mark.parametrize("method, opts", METHODS + [("newton-cg", {})], ids=IDS + ["newton-cg"])
def test_counts_are_exact(method, opts):
    prob = logistic()
    counting = Counting(prob)
    res = solve(counting.fun, prob.x0, method, jac=counting.jac, hessp=counting.hessp, **opts)
    assert res.success
    assert res.nfev == counting.calls["fun"] > 0
    assert res.njev == counting.calls["jac"] > 0
    assert res.nhev == counting.calls["hessp"]


def test_counts_are_exact_with_fun_and_jac():
    prob = rosenbrock(2)
    calls = []

    def both(x):
        calls.append(1)
        return prob.fun(x), prob.jac(x)

    res = solve(None, prob.x0, fun_and_jac=both)
    assert res.success and res.nfev == res.njev == len(calls)


def test_solver_options_are_typed_dataclasses():
    solver = GradientDescent(momentum="heavy-ball", beta=0.5)
    with pytest.raises(AttributeError):
        solver.beta = 0.1  # frozen
