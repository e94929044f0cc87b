"""The runner: one-time costs (SciPy's import, a method's first call) stay off the clock."""

import types

import pytest

from optkit import problems
from optkit.cli import runner


@pytest.mark.parametrize("method", ["scipy:L-BFGS-B", "lbfgs"])
def test_the_first_solve_with_a_method_is_warmed_up_before_the_clock(monkeypatch, method):
    events = []
    real = {"scipy": runner._scipy, "optkit": runner._optkit}

    def solver(kind):
        def call(problem, *args):
            events.append(("solve", problem.name))
            return real[kind](problem, *args)
        return call

    def clock():
        events.append(("clock",))
        return 0.0

    monkeypatch.setattr(runner, "_WARMED_UP", set())
    monkeypatch.setattr(runner, "_scipy", solver("scipy"))
    monkeypatch.setattr(runner, "_optkit", solver("optkit"))
    monkeypatch.setattr(runner, "time", types.SimpleNamespace(perf_counter=clock))  # runner's
    first = runner.run(problems.get("beale"), method)
    second = runner.run(problems.get("wood"), method)
    assert first.success and second.success
    assert events == [("solve", "warm-up"), ("clock",), ("solve", "beale"), ("clock",),
                      ("clock",), ("solve", "wood"), ("clock",)]


def test_a_warm_up_failure_is_left_to_the_timed_solve(monkeypatch):
    def broken(*args):
        raise RuntimeError("broken")

    monkeypatch.setattr(runner, "_WARMED_UP", set())
    monkeypatch.setattr(runner, "_optkit", broken)
    with pytest.raises(RuntimeError, match="broken"):
        runner.run(problems.get("beale"), "lbfgs")
