"""optkit.minimize proves f convex from its trace (optkit.ad.convexity) when every derivative
comes from AD; newton-cg then skips its saddle check, and keeps it on everything unproven."""

import importlib

import numpy as np
import pytest

import optkit

front_door = importlib.import_module("optkit.minimize")  # the module, not the function

_rng = np.random.default_rng(0)
A = _rng.standard_normal((300, 20))
Y = np.sign(_rng.standard_normal(300))
LAM = 0.1


def logistic(w):  # as bench/end_to_end.py writes it
    return np.mean(np.logaddexp(0.0, -Y * (A @ w))) + 0.5 * LAM * np.dot(w, w)


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


@pytest.mark.parametrize("compile_", [True, False])
def test_newton_cg_on_logistic_skips_the_check_and_solves(compile_):
    proven = optkit.minimize(logistic, np.zeros(20), "newton-cg", compile=compile_)
    off = optkit.minimize(logistic, np.zeros(20), "newton-cg", saddle_check=0,
                          compile=compile_)
    # the same f, its gradient handed over: nothing proven, the check runs
    checked = optkit.minimize(logistic, np.zeros(20), "newton-cg", compile=compile_,
                              jac=optkit.grad(logistic))
    assert proven.success and checked.success
    assert proven.second_order_check == "skipped: f proven convex"
    assert "second_order_check" not in checked
    assert proven.nhev == off.nhev < checked.nhev
    assert np.max(np.abs(proven.jac)) <= 1e-5
    np.testing.assert_allclose(proven.fun, checked.fun, rtol=1e-9)


def test_on_a_nonconvex_function_the_check_still_runs():
    res = optkit.minimize(rosenbrock, np.zeros(6), "newton-cg", gtol=1e-8)
    off = optkit.minimize(rosenbrock, np.zeros(6), "newton-cg", gtol=1e-8, saddle_check=0)
    assert res.success and "second_order_check" not in res
    assert res.nhev > off.nhev


def test_a_structured_start_is_proven_too():
    res = optkit.minimize(lambda p: logistic(p["w"]) + p["b"] ** 2,
                          {"w": np.zeros(20), "b": 1.0}, "newton-cg")
    assert res.success and res.second_order_check == "skipped: f proven convex"


def test_args_are_part_of_the_traced_function():
    res = optkit.minimize(lambda w, a: np.sum((a @ w - 1.0) ** 2), np.zeros(20), "newton-cg",
                          args=(A,))
    assert res.success and res.second_order_check == "skipped: f proven convex"


@pytest.mark.parametrize("derivatives", [
    {"jac": lambda w: optkit.grad(logistic)(w)},
    {"hessp": lambda w, p: optkit.hvp(logistic, w, p)},
    {"hess": lambda w: optkit.hessian(logistic)(w)},
])
def test_user_derivatives_mean_no_proof(derivatives, monkeypatch):
    monkeypatch.setattr(front_door, "is_convex", lambda *a: pytest.fail("proof attempted"))
    res = optkit.minimize(logistic, np.zeros(20), "newton-cg", **derivatives)
    assert res.success and "second_order_check" not in res


def _count_proofs(monkeypatch):
    """Calls of either proof: ``is_convex`` (f traced twice) or ``curvature`` of the compiled
    function's checked recording."""
    calls = []

    def counted(name):
        prove = getattr(front_door, name)

        def counting(*args, **kwargs):
            calls.append(name)
            return prove(*args, **kwargs)
        return counting

    for name in ("is_convex", "curvature"):
        monkeypatch.setattr(front_door, name, counted(name))
    return calls


@pytest.mark.parametrize("compile_", [True, False])
def test_the_proof_runs_once_and_only_for_a_solver_that_asks(monkeypatch, compile_):
    calls = _count_proofs(monkeypatch)
    optkit.minimize(logistic, np.zeros(20), "lbfgs", compile=compile_)
    optkit.minimize(logistic, np.zeros(20), "gd", maxiter=3, compile=compile_)
    assert calls == []
    optkit.minimize(logistic, np.zeros(20), "newton-cg", compile=compile_)
    # compiled: the HVP program's checked recording of f; eager: f traced twice
    assert calls == (["curvature"] if compile_ else ["is_convex"])


def test_a_compiled_solve_proves_convexity_without_tracing_f_again():
    calls = []

    def counted(w):
        calls.append(1)
        return logistic(w)

    proven = optkit.minimize(counted, np.zeros(20), "newton-cg")
    with_proof = len(calls)
    calls.clear()
    off = optkit.minimize(counted, np.zeros(20), "newton-cg", saddle_check=0)
    assert proven.second_order_check == "skipped: f proven convex"
    assert (proven.nfev, proven.nhev) == (off.nfev, off.nhev)
    assert with_proof == len(calls)  # no call of f for the proof


def test_already_stationary_start_is_proven_by_tracing():
    # no product was asked for, so nothing is compiled: the proof traces f at x0
    res = optkit.minimize(lambda x: np.sum((x - 1.0) ** 2), np.ones(5), "newton-cg")
    assert res.success and res.nhev == 0
    assert res.second_order_check == "skipped: f proven convex"


def test_a_solve_stopped_early_says_nothing_of_the_check(monkeypatch):
    calls = _count_proofs(monkeypatch)
    res = optkit.minimize(rosenbrock, np.zeros(6), "newton-cg", maxiter=1)
    assert not res.success and "second_order_check" not in res
    assert calls == []  # the check never came up: nothing to prove
