"""`optkit solve`: summary, --json, starting points, outputs, live log, SciPy, Ctrl-C."""

import csv
import json
import stat

import numpy as np
import pytest

from optkit.cli import runner

from .conftest import NOT_DIFFERENTIABLE_FILE, ROSENBROCK_FILE

JSON_KEYS = {"problem", "n", "method", "status", "status_code", "message", "success", "fun",
             "fstar", "fun_minus_fstar", "gnorm", "nit", "nfev", "njev", "nhev", "time", "warnings",
             "x"}


def test_summary_of_the_default_solve(cli):
    run = cli("solve", "rosenbrock")
    assert run.code == 0, run.stderr
    text = run.stdout
    for label in ("problem", "method", "status", "|f - f*|", "|g|_inf", "iterations",
                  "evaluations", "time"):
        assert label in text
    assert "lbfgs" in text and "converged" in text and "nfev" in text


def test_json_document(cli):
    run = cli("solve", "rosenbrock", "--json")
    assert run.code == 0
    doc = run.json()
    assert set(doc) == JSON_KEYS
    assert doc["problem"] == "rosenbrock" and doc["n"] == 2 and doc["method"] == "lbfgs"
    assert doc["success"] is True and doc["status"].startswith("converged")
    assert doc["fstar"] == 0.0 and doc["fun"] < 1e-10
    assert np.allclose(doc["x"], [1.0, 1.0], atol=1e-4)
    assert doc["nfev"] > 0 and doc["njev"] > 0 and doc["nhev"] == 0 and doc["nit"] > 0


def test_newton_cg_uses_hessian_vector_products(cli):
    doc = cli("solve", "wood", "--method", "newton-cg", "--json").json()
    assert doc["success"] and doc["nhev"] > 0 and doc["fun_minus_fstar"] < 1e-8


def test_not_converging_exits_1_and_prints_the_status(cli):
    run = cli("solve", "rosenbrock", "--maxiter", "3", "--json")
    assert run.code == 1
    doc = run.json()
    assert doc["status"] == "maxiter" and doc["success"] is False and doc["nit"] == 3
    run = cli("solve", "rosenbrock", "--maxiter", "3")
    assert run.code == 1 and "maxiter" in run.stdout


def test_dimension_of_a_scalable_problem(cli):
    doc = cli("solve", "extended-rosenbrock", "--n", "6", "--json").json()
    assert doc["n"] == 6 and len(doc["x"]) == 6 and doc["success"]


def test_start_point_from_the_command_line(cli):
    doc = cli("solve", "rosenbrock", "--x0", "1, 1", "--json").json()
    assert doc["nit"] == 0 and doc["status"] == "converged_gtol" and doc["x"] == [1.0, 1.0]


@pytest.mark.parametrize("suffix", [".npy", ".txt"])
def test_start_point_from_a_file(cli, tmp_path, suffix):
    path = tmp_path / f"x0{suffix}"
    if suffix == ".npy":
        np.save(path, np.array([1.0, 1.0, 1.0, 1.0]))
    else:
        path.write_text("1 1 1 1\n")
    doc = cli("solve", "wood", "--x0-file", str(path), "--json").json()
    assert doc["nit"] == 0 and doc["x"] == [1.0, 1.0, 1.0, 1.0]


def test_gtol_is_passed_to_the_solver(cli):
    loose = cli("solve", "beale", "--gtol", "1e-2", "--json").json()
    tight = cli("solve", "beale", "--gtol", "1e-9", "--json").json()
    assert loose["nit"] < tight["nit"]


def test_output_is_the_json_document_written_atomically(cli, tmp_path):
    out = tmp_path / "result.json"
    run = cli("solve", "rosenbrock", "--json", "--output", str(out))
    assert run.code == 0
    assert json.loads(out.read_text()) == run.json()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.json"]  # no temp left over


def test_history_csv(cli, tmp_path):
    path = tmp_path / "history.csv"
    doc = cli("solve", "rosenbrock", "--history", str(path), "--json").json()
    rows = list(csv.DictReader(path.read_text().splitlines()))
    assert list(rows[0]) == ["nit", "f", "gnorm", "step", "nfev", "njev", "nhev"]
    assert len(rows) == doc["nit"] + 1 and rows[0]["nit"] == "0"
    assert float(rows[-1]["f"]) == pytest.approx(doc["fun"])
    assert float(rows[0]["f"]) == pytest.approx(24.2)


def test_verbose_streams_one_line_per_iteration_to_stderr(cli):
    run = cli("solve", "rosenbrock", "-v", "--json")
    doc = run.json()  # stdout stays one JSON document
    lines = run.stderr.strip().splitlines()
    assert lines[0].split() == ["iter", "f", "|g|_inf", "step"]
    assert len(lines) == 1 + doc["nit"]
    last = lines[-1].split()
    assert int(last[0]) == doc["nit"] and float(last[1]) == pytest.approx(doc["fun"], abs=1e-12)


# SciPy's own stops (L-BFGS-B's relative reduction of f, trust-krylov's) end these at
# |g|_inf ~ 5e-5 by default; the options make SciPy itself go below the CLI's gtol 1e-5
@pytest.mark.parametrize("method, option", [("scipy:L-BFGS-B", "ftol=1e-15"),
                                            ("scipy:l-bfgs-b", "ftol=1e-15"),
                                            ("scipy:trust-krylov", None)])
def test_scipy_methods(cli, method, option):
    extra = ["-O", option] if option else ["--gtol", "1e-7"]  # SciPy's gtol, and the test's
    run = cli("solve", "rosenbrock", "--method", method, *extra, "--json")
    doc = run.json()
    assert doc["method"] in ("scipy:L-BFGS-B", "scipy:trust-krylov")
    assert doc["success"] and doc["fun_minus_fstar"] < 1e-6 and doc["njev"] > 0
    assert doc["scipy_success"] and doc["gnorm"] <= 1e-5 and run.code == 0


def test_scipy_derivative_free_method_with_log_and_history(cli, tmp_path):
    path = tmp_path / "h.csv"
    run = cli("solve", "beale", "--method", "scipy:Nelder-Mead", "-v", "--history", str(path),
              "-O", "xatol=1e-9", "-O", "fatol=1e-14", "--json")
    doc = run.json()
    # success is the first-order test at SciPy's x (the CLI evaluates the gradient there)
    assert doc["success"] and doc["njev"] == 0 and doc["gnorm"] <= 1e-5
    rows = list(csv.DictReader(path.read_text().splitlines()))
    assert len(rows) == len(run.stderr.strip().splitlines()) > 1  # start row + one per line
    assert rows[0]["nit"] == "0" and float(rows[0]["f"]) == pytest.approx(14.203125)
    assert rows[-1]["gnorm"] == "" and float(rows[-1]["f"]) == pytest.approx(doc["fun"])


def test_a_bare_name_is_never_run_as_a_file(cli, tmp_path, monkeypatch):
    (tmp_path / "beale").write_text("raise SystemExit('this file must never run')\n")
    monkeypatch.chdir(tmp_path)
    doc = cli("solve", "beale", "--json").json()
    assert doc["problem"] == "beale" and doc["success"]


def test_problem_file(cli, problem_file):
    path = problem_file("rosen.py", ROSENBROCK_FILE)
    doc = cli("solve", path, "--json").json()
    assert doc["problem"] == "my-rosenbrock" and doc["success"] and doc["fstar"] == 0.0


@pytest.fixture
def ctrl_c_at_iteration_5(monkeypatch):
    """Ctrl-C arrives during the 5th iteration (in the CLI's own per-iteration callback)."""
    record = runner._Tracker.__call__

    def interrupting(self, intermediate):
        record(self, intermediate)
        if len(self.rows) == 5:
            raise KeyboardInterrupt

    monkeypatch.setattr(runner._Tracker, "__call__", interrupting)


@pytest.mark.parametrize("method", ["lbfgs", "newton-cg", "scipy:BFGS"])
def test_ctrl_c_reports_and_saves_the_best_point(cli, tmp_path, ctrl_c_at_iteration_5, method):
    out = tmp_path / "best.json"
    run = cli("solve", "rosenbrock", "--method", method, "--output", str(out))
    assert run.code == 1
    assert "interrupted" in run.stdout
    assert f"best point saved to {out}" in run.stderr
    saved = json.loads(out.read_text())
    assert saved["status"] == "interrupted" and saved["success"] is False
    assert 0 < saved["fun"] < 24.2  # the best point so far, not x0 and not a converged one
    x = np.array(saved["x"])
    assert saved["fun"] == pytest.approx(100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2)
    assert saved["nit"] == 5


def test_a_failing_objective_is_reported_not_a_traceback(cli, problem_file):
    run = cli("solve", problem_file("fft.py", NOT_DIFFERENTIABLE_FILE))
    assert run.code == 1
    assert run.stderr.startswith("Error: solve failed: NotDifferentiableError: ")
    assert "numpy.unwrap" in run.stderr and len(run.stderr.splitlines()) == 1
    assert run.stdout == ""


def test_a_failed_solve_with_json_still_prints_a_document(cli, problem_file):
    run = cli("solve", problem_file("fft.py", NOT_DIFFERENTIABLE_FILE), "--json")
    assert run.code == 1
    doc = run.json()
    assert doc["status"] == "error" and doc["success"] is False
    assert doc["message"].startswith("NotDifferentiableError: ")


@pytest.mark.parametrize("method", ["lbfgs", "newton-cg", "scipy:trust-krylov"])
def test_compiled_and_eager_derivatives_give_the_same_solve(cli, monkeypatch, method):
    seen = []
    import optkit.ad.compiled as compiled

    real = compiled.CompiledFunction.__init__

    def spy(self, fun, **options):
        seen.append(fun)
        real(self, fun, **options)

    monkeypatch.setattr(compiled.CompiledFunction, "__init__", spy)
    docs = {}
    for flag in ("--compile", "--no-compile"):
        seen.clear()
        run = cli("solve", "wood", "--method", method, "--json", flag)
        assert run.code == 0, run.stderr
        docs[flag] = run.json()
        assert bool(seen) == (flag == "--compile")  # the flag reaches optkit.compile
    assert docs["--compile"]["nit"] == docs["--no-compile"]["nit"]
    assert docs["--compile"]["x"] == pytest.approx(docs["--no-compile"]["x"], rel=1e-9)


# ---- --option KEY=VALUE ---------------------------------------------------------------------
def test_options_reach_the_solver(cli):
    # Biggs EXP6 has a saddle at f = 5.66e-3 that newton-cg's second-order check leaves
    checked = cli("solve", "biggs-exp6", "--method", "newton-cg", "--json").json()
    unchecked = cli("solve", "biggs-exp6", "--method", "newton-cg", "--json",
                    "-O", "saddle_check=0").json()
    assert checked["fun"] < 1e-6
    assert unchecked["fun"] == pytest.approx(5.655649e-3, rel=1e-5)


def test_driver_options_and_string_values(cli):
    default = cli("solve", "wood", "--json").json()
    loose = cli("solve", "wood", "--json", "--option", "ftol=1e-3", "-O", "m=20").json()
    assert default["status"] == "converged_gtol" and default["fun"] < 1e-10
    # an ftol the user asked for is a stop the user asked for: a success, however early
    assert loose["status"] == "converged_ftol" and loose["success"]
    assert loose["nit"] < default["nit"]
    run = cli("solve", "rosenbrock", "-m", "newton-cg", "-O", "forcing=superlinear")
    assert run.code == 0, run.stderr


def test_scipy_options_go_into_its_options_dict(cli):
    small = cli("solve", "extended-rosenbrock", "--n", "100", "-m", "scipy:L-BFGS-B", "--json",
                "-O", "maxcor=2").json()
    default = cli("solve", "extended-rosenbrock", "--n", "100", "-m", "scipy:L-BFGS-B",
                  "--json").json()
    assert small["success"] and default["success"]
    assert small["nfev"] != default["nfev"]


@pytest.mark.parametrize("args, message", [
    (("-O", "mm=3"), "--option: unknown option 'mm' for method 'lbfgs'"),
    (("-O", "m=0"), "--option: m must be an integer >= 1, got 0"),
    (("-O", "m"), "--option: expected KEY=VALUE"),
    (("-O", "m=3", "-O", "m=4"), "--option: 'm' is given twice"),
    (("-O", "gtol=1e-3"), "--option: 'gtol' is not a solver option here; use --gtol"),
    (("-m", "newton-cg", "-O", "saddle_tol=2"), "--option: saddle_tol: expected a float"),
])
def test_bad_options_are_one_line_errors(cli, args, message):
    run = cli("solve", "rosenbrock", *args)
    assert run.code == 2
    assert run.stderr.startswith(f"Error: {message}") and run.stderr.count("\n") == 1


def test_output_and_history_files_get_the_mode_the_umask_allows(cli, tmp_path, umask):
    umask(0o022)
    out, hist = tmp_path / "r.json", tmp_path / "h.csv"
    assert cli("solve", "rosenbrock", "-o", str(out), "--history", str(hist)).code == 0
    assert [stat.S_IMODE(p.stat().st_mode) for p in (out, hist)] == [0o644, 0o644]


@pytest.mark.parametrize("args", [
    ["rosenbrock"], ["rosenbrock", "--maxiter", "3"], ["meyer"], ["wood", "-m", "gd"],
    ["beale", "-m", "newton-cg"], ["rosenbrock", "-m", "scipy:BFGS", "--maxiter", "3"],
    ["rosenbrock", "-m", "scipy:L-BFGS-B"]])
def test_the_exit_code_follows_success(cli, args):
    run = cli("solve", *args, "--json")
    doc = run.json()
    assert run.code == (0 if doc["success"] else 1)
    if doc["success"] and not doc["method"].startswith("scipy:"):
        assert doc["gnorm"] <= 1e-5  # success means the gradient test holds (default gtol)


def test_exit_code_1_when_the_result_says_failure_whatever_the_status(cli, monkeypatch):
    """A stop on f's relative change at the default settings is not a success: the exit
    code follows result.success, not the status's name."""
    import optkit

    real = optkit.minimize

    def failing(*args, **kwargs):
        result = real(*args, **kwargs)
        result.success = False
        return result

    monkeypatch.setattr(optkit, "minimize", failing)
    run = cli("solve", "rosenbrock", "--json")
    assert run.code == 1 and run.json()["success"] is False
