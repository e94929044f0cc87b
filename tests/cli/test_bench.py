"""`optkit bench`: the method x problem matrix, its table, --json and --plot."""

import importlib
import pathlib
import stat
import sys
import types

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
            return np.unwrap(x)[0] ** 2
    """)
    doc = cli("bench", "--problems", f"rosenbrock,{path}", "--methods", "lbfgs",
              "--json").json()
    failed = doc["runs"][1]
    assert failed["status"] == "error" and failed["solved"] is False
    assert "NotDifferentiableError" in failed["message"]
    assert doc["summary"][0]["solved"] == 1


def test_a_tag_includes_the_bound_constrained_problems(cli):
    from optkit import problems

    run = cli("bench", "--tag", "quadratic", "--methods", "lbfgs", "--maxiter", "0", "--json")
    assert run.code == 0
    tagged = problems.names("quadratic")
    assert run.json()["problems"] == tagged
    assert any(problems.get(n).bounds is not None for n in tagged)  # some are bounded


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
    assert [r["status"] for r in doc["runs"]] == ["interrupted"] and doc["interrupted"]
    assert [s["problems"] for s in doc["summary"]] == [0, 0]  # nothing finished
    assert "interrupted: reporting the runs that finished" in run.stderr


# Ctrl-C on the objective's 8th call: during the first solve of this problem (loading the
# file evaluates it once). The `if` on a value keeps optkit.compile from replaying a traced
# program, so every evaluation calls the function.
CTRL_C_FILE = """
    import numpy as np

    x0 = [3.0, -1.0]
    fstar = 0.0
    calls = [0]

    def objective(x):
        calls[0] += 1
        if calls[0] >= 8:
            raise KeyboardInterrupt
        if x[0] > 1.0:
            return np.sum((x - 1.0) ** 2) + np.sum((x - 1.0) ** 4)
        return np.sum((x - 1.0) ** 2)
"""


def test_ctrl_c_counts_only_the_runs_that_finished(cli, problem_file):
    path = problem_file("ctrl_c.py", CTRL_C_FILE)
    run = cli("bench", "--problems", f"rosenbrock,{path},beale", "--methods",
              "lbfgs,newton-cg", "--json")
    assert run.code == 1
    doc = run.json()
    assert [(r["problem"], r["method"], r["status"] == "interrupted") for r in doc["runs"]] == [
        ("rosenbrock", "lbfgs", False), ("rosenbrock", "newton-cg", False),
        ("ctrl_c", "lbfgs", True)]
    assert doc["problems"] == ["rosenbrock", "ctrl_c"]  # beale never ran
    for s in doc["summary"]:  # each method finished rosenbrock only
        assert (s["problems"], s["solved"]) == (1, 1)
    table = cli("bench", "--problems", f"rosenbrock,{path},beale", "--methods", "lbfgs")
    assert table.code == 1
    rows = {line.split()[0]: line.split() for line in table.stdout.splitlines() if line}
    assert rows["ctrl_c"][1] == "^C" and "beale" not in rows
    assert rows["lbfgs"][1] == "1/1"
    assert "^C = interrupted, not counted" in table.stdout


NO_FSTAR_FILE = """
    import numpy as np

    x0 = [3.0, -1.0, 2.0]

    def objective(x):
        return np.sum((x - 1.0) ** 2) + np.sum((x - 1.0) ** 4)
"""


def test_without_fstar_a_run_is_judged_by_its_status(cli, problem_file):
    path = problem_file("no_fstar.py", NO_FSTAR_FILE)
    doc = cli("bench", "--problems", path, "--methods", "lbfgs,newton-cg", "--json").json()
    assert [r["fstar"] for r in doc["runs"]] == [None, None]
    assert [r["status"] for r in doc["runs"]] == ["converged_gtol"] * 2
    assert [r["solved"] for r in doc["runs"]] == [True, True]
    stopped = cli("bench", "--problems", path, "--methods", "lbfgs", "--maxiter", "1",
                  "--json").json()["runs"][0]
    assert stopped["status"] == "maxiter" and stopped["solved"] is False
    table = cli("bench", "--problems", path, "--methods", "lbfgs", "--maxiter", "1")
    assert table.code == 0
    assert "no_fstar (f* unknown)" in table.stdout
    assert "where f* is unknown, * = the solver did not converge" in table.stdout
    assert "f* unknown" not in cli("bench", *SMALL).stdout  # only said when it applies


@pytest.mark.parametrize("name", ["p.xyz", "p.PNGG", "profile.txt"])
def test_plot_with_an_unknown_format_is_refused_before_running(cli, tmp_path, monkeypatch,
                                                              name):
    bench = importlib.import_module("optkit.cli.bench")  # the package exports the command

    def no_run(*args, **kwargs):
        raise AssertionError("the bench ran")

    monkeypatch.setattr(bench, "run", no_run)
    run = cli("bench", *SMALL, "--plot", str(tmp_path / name))
    assert run.code == 2 and run.stdout == ""
    suffix = name.rsplit(".", 1)[1].lower()
    assert run.stderr.startswith(f"Error: --plot: cannot write a .{suffix} image; use one of "
                                 ".png, .pdf, .svg")
    assert len(run.stderr.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_plot_checks_the_format_before_matplotlib(cli, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    run = cli("bench", "--problems", "rosenbrock", "--plot", str(tmp_path / "p.xyz"))
    assert run.code == 2 and "cannot write a .xyz image" in run.stderr


def _stand_in_matplotlib(monkeypatch, formats):
    """A matplotlib whose backends write `formats` (whether or not matplotlib is installed)."""
    bases = types.ModuleType("matplotlib.backend_bases")
    bases.FigureCanvasBase = types.SimpleNamespace(
        get_supported_filetypes=lambda: dict.fromkeys(formats, "an image"))
    monkeypatch.setitem(sys.modules, "matplotlib", types.ModuleType("matplotlib"))
    monkeypatch.setitem(sys.modules, "matplotlib.backend_bases", bases)


def test_plot_refuses_a_format_this_matplotlib_lacks(cli, tmp_path, monkeypatch):
    _stand_in_matplotlib(monkeypatch, ["png", "pdf"])
    run = cli("bench", *SMALL, "--plot", str(tmp_path / "p.webp"))
    assert run.code == 2
    assert run.stderr == "Error: --plot: this matplotlib cannot write a .webp image\n"


@pytest.mark.parametrize("name, image_format", [("p.svg", "svg"), ("p.PDF", "pdf"),
                                                ("profile", "png")])
def test_plot_file_format_and_mode(cli, tmp_path, monkeypatch, umask, name, image_format):
    """A stand-in matplotlib passes the checks and a stand-in plot_profile records the
    format; the file gets the mode the umask allows."""
    from optkit.cli import profile

    written = []

    def fake_plot(costs, labels, path, metric, image_format):
        written.append((costs.shape, tuple(labels), metric, image_format))
        pathlib.Path(path).write_text("image")

    _stand_in_matplotlib(monkeypatch, ["png", "pdf", "svg"])
    monkeypatch.setattr(profile, "plot_profile", fake_plot)
    umask(0o022)
    target = tmp_path / name
    run = cli("bench", *SMALL, "--plot", str(target))
    assert run.code == 0
    assert written == [((3, 2), ("lbfgs", "newton-cg"), "evaluations", image_format)]
    assert target.read_text() == "image" and stat.S_IMODE(target.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == [name]
