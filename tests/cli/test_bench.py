"""`optkit bench`: the method x problem matrix, its table, --json and --plot."""

import pytest

from optkit.cli.bench import DEFAULT_PROBLEMS
from optkit.cli.profile import performance_ratios, profile

SMALL = ("--problems", "rosenbrock,beale,wood", "--methods", "lbfgs,newton-cg")


def test_json_has_every_run_and_per_method_totals(cli):
    run = cli("bench", *SMALL, "--json")
    assert run.code == 0
    doc = run.json()
    assert doc["methods"] == ["lbfgs", "newton-cg"]
    assert doc["problems"] == ["rosenbrock", "beale", "wood"]
    assert len(doc["runs"]) == 6
    for r in doc["runs"]:
        gap = abs(r["fun"] - r["fstar"])
        assert r["solved"] == (gap <= 1e-6 * max(1.0, abs(r["fstar"])))
    for s in doc["summary"]:
        mine = [r for r in doc["runs"] if r["method"] == s["method"]]
        assert s["solved"] == sum(r["solved"] for r in mine) and s["problems"] == 3
        assert s["nfev"] == sum(r["nfev"] for r in mine) > 0
    newton = next(s for s in doc["summary"] if s["method"] == "newton-cg")
    assert newton["solved"] == 3 and newton["nhev"] > 0


def test_table_and_progress_bar(cli):
    run = cli("bench", *SMALL)
    assert run.code == 0
    out = run.stdout
    assert "problem" in out and "solved" in out
    summary = {line.split()[0]: line.split() for line in out.splitlines()
               if line.split() and line.split()[0] in ("lbfgs", "newton-cg")}
    assert summary["newton-cg"][1] == "3/3"
    assert "bench" in run.stderr  # the progress bar goes to stderr, the table to stdout


def test_tag_and_scipy_method(cli):
    doc = cli("bench", "--tag", "physics", "--methods", "scipy:L-BFGS-B", "--json").json()
    assert doc["problems"] == ["lj13"] and doc["runs"][0]["method"] == "scipy:L-BFGS-B"
    assert doc["runs"][0]["solved"] is True


def test_a_failing_solve_is_a_row_not_a_crash(cli, problem_file):
    path = problem_file("fft.py", """
        import numpy as np
        x0 = [1.0, 2.0]
        fstar = 0.0
        def objective(x):
            return np.fft.fft(x).real[0] ** 2
    """)
    doc = cli("bench", "--problems", f"rosenbrock,{path}", "--methods", "lbfgs",
              "--json").json()
    failed = doc["runs"][1]
    assert failed["status"] == "error" and failed["solved"] is False
    assert "NotDifferentiableError" in failed["message"]
    assert doc["summary"][0]["solved"] == 1


def test_default_problems_exist():
    from optkit import problems

    assert set(DEFAULT_PROBLEMS) <= set(problems.names())


def test_plot_writes_a_png(cli, tmp_path):
    pytest.importorskip("matplotlib")  # the optional extra optkit[plot]
    target = tmp_path / "profile.png"
    run = cli("bench", *SMALL, "--plot", str(target))
    assert run.code == 0
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["profile.png"]


def test_performance_ratios_and_profile():
    inf = float("inf")
    costs = [[10, 20, inf],   # solver 0 best
             [40, 20, 20],    # solvers 1 and 2 tie
             [inf, inf, inf],  # nobody
             [5, inf, 50]]
    r = performance_ratios(costs)
    assert r.tolist() == [[1, 2, inf], [2, 1, 1], [inf, inf, inf], [1, inf, 10]]
    rho = profile(r, [1, 2, 10])
    assert rho.tolist() == [[0.5, 0.75, 0.75], [0.25, 0.5, 0.5], [0.25, 0.25, 0.5]]


@pytest.mark.parametrize("costs", [[[1, 0]], [[1, float("nan")]], [1, 2], [[]]])
def test_performance_ratios_reject_bad_costs(costs):
    with pytest.raises(ValueError, match="costs"):
        performance_ratios(costs)


def test_ctrl_c_stops_the_matrix_and_reports_what_ran(cli, monkeypatch):
    from optkit.cli import runner

    def interrupt(self, intermediate):
        raise KeyboardInterrupt

    monkeypatch.setattr(runner._Tracker, "__call__", interrupt)
    run = cli("bench", *SMALL, "--json")
    assert run.code == 1
    doc = run.json()
    assert [r["status"] for r in doc["runs"]] == ["interrupted"]
    assert "interrupted: reporting the runs so far" in run.stderr
