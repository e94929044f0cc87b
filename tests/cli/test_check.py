"""`optkit check`: AD gradient, JVP and HVP against finite differences."""

import pytest

from optkit import problems

WRONG_VJP_FILE = """
    import numpy as np
    import optkit

    @optkit.custom_primitive
    def square(x):
        return x * x

    @square.defjvp
    def _(t, ans, x):
        return 2.0 * x * t

    @square.defvjp
    def _(g, ans, x):
        return 3.0 * x * g  # wrong on purpose: should be 2 x g

    x0 = [1.0, -2.0, 0.5]

    def objective(x):
        return np.sum(square(x)) + np.sum(np.sin(x))
"""


def test_check_prints_each_error_and_the_worst(cli):
    run = cli("check", "rosenbrock")
    assert run.code == 0
    lines = run.stdout.splitlines()
    assert lines[0] == "check rosenbrock (n = 2) at x0"
    assert [line.split()[0] for line in lines[1:4]] == ["gradient", "JVP", "HVP"]
    assert lines[-1].startswith("worst relative error") and lines[-1].endswith(": OK")


def test_check_json_at_a_point_and_dimension(cli):
    run = cli("check", "extended-rosenbrock", "--n", "4", "--at", "0.5,1,-1,2", "--json")
    assert run.code == 0
    doc = run.json()
    assert doc["n"] == 4 and doc["at"] == [0.5, 1.0, -1.0, 2.0] and doc["ok"] is True
    assert [c["name"] for c in doc["checks"]][:3] == ["gradient", "JVP", "HVP"]
    assert doc["worst"] == max(c["relative_error"] for c in doc["checks"]) <= 1e-8


def test_a_wrong_derivative_rule_fails_the_check(cli, problem_file):
    run = cli("check", problem_file("wrong.py", WRONG_VJP_FILE), "--json")
    assert run.code == 1
    doc = run.json()
    errors = {c["name"]: c["relative_error"] for c in doc["checks"]}
    assert doc["ok"] is False and errors["gradient"] > 0.1  # reverse mode is wrong ...
    assert errors["JVP"] < 1e-8  # ... forward mode is right
    run = cli("check", problem_file("wrong.py", WRONG_VJP_FILE))
    assert run.code == 1 and run.stdout.rstrip().endswith("FAILED")


def test_tolerance_decides_the_exit_code(cli):
    assert cli("check", "beale", "--tol", "0").code == 1
    assert cli("check", "beale", "--tol", "1e-3").code == 0


@pytest.mark.parametrize("name", problems.names())
def test_every_library_problem_passes_at_its_start(cli, name):
    run = cli("check", name, "--json")
    assert run.code == 0, run.stdout
    assert run.json()["worst"] <= 1e-6


def test_a_large_problem_is_checked_on_a_sample_of_coordinates(cli):
    doc = cli("check", "extended-powell", "--n", "400", "--json").json()
    assert doc["ok"] is True
    assert "(100 of 400 coordinates)" in doc["checks"][0]["compared"]


def test_steps_that_leave_the_domain_are_skipped(cli, problem_file):
    path = problem_file("log_barrier.py", """
        import numpy as np
        x0 = [0.001, 0.002]

        def objective(x):
            return np.sum(x) - np.sum(np.log(x))
    """)
    run = cli("check", path, "--json")  # the largest steps reach x < 0, where log is nan
    assert run.code == 0 and run.json()["worst"] <= 1e-6
