"""Every bad input: one line on stderr starting 'Error:', exit code 2, nothing on stdout."""

import sys

import numpy as np
import pytest

from .conftest import ROSENBROCK_FILE

NO_OBJECTIVE = """
    x0 = [1.0, 2.0]

    def objetive(x):
        return x[0] ** 2
"""

SYNTAX_ERROR = """
    x0 = [1.0, 2.0]

    def objective(x)
        return x[0] ** 2
"""

NAN_START = """
    import numpy as np

    x0 = [0.5, 2.0]

    def objective(x):
        return np.sum(x ** 2) + np.sqrt(x[0] - 1.0)
"""

INF_START = """
    import numpy as np

    x0 = [1.0, 2.0]

    def objective(x):
        return np.sum(x ** 2) + np.log(x[0] - 1.0)
"""

# (arguments, a piece of the expected message); "{file}", "{bad_syntax}", "{no_objective}",
# "{matrix}" and "{tmp}" are filled in with paths made by the test.
CASES = [
    (["solve", "rosenbrok"], "unknown problem 'rosenbrok'; did you mean rosenbrock"),
    (["solve", "hımmelblau"], "did you mean himmelblau"),
    (["solve", "{tmp}/missing.py"], "does not exist"),
    (["solve", "{bad_syntax}"], "syntax error"),
    (["solve", "{no_objective}"], "does not define objective(x)"),
    (["solve", "rosenbrock", "--x0", "1,a"], "--x0: 'a' is not a number"),
    (["solve", "rosenbrock", "--x0", "1,nan"], "--x0: entries must be finite"),
    (["solve", "rosenbrock", "--x0", "1,2,3"], "--x0 has 3 entries but the problem has n=2"),
    (["solve", "lj13", "--x0", ",".join(["0"] * 39)], "--x0: the objective is nan there"),
    (["solve", "rosenbrock", "--x0", "1,1", "--x0-file", "{tmp}/x.npy"], "mutually exclusive"),
    (["solve", "rosenbrock", "--x0-file", "{tmp}/missing.npy"], "does not exist"),
    (["solve", "rosenbrock", "--x0-file", "{matrix}"], "expected 1-D"),
    (["solve", "extended-rosenbrock", "--n", "3"], "n=3 is outside the allowed range"),
    (["solve", "rosenbrock", "--n", "5"], "fixed dimension 2"),
    (["solve", "{file}", "--n", "5"], "fixed dimension 2"),
    (["solve", "rosenbrock", "--n", "0"], "Invalid value for '--n'"),
    (["solve", "rosenbrock", "--method", "lbfsg"], "unknown method 'lbfsg'; did you mean lbfgs"),
    (["solve", "rosenbrock", "--method", "scipy:BFSG"], "did you mean scipy:BFGS"),
    (["solve", "rosenbrock", "--method", "newton"], "did you mean newton-cg"),
    (["solve", "rosenbrock", "--gtol", "-1"], "Invalid value for '--gtol'"),
    (["solve", "rosenbrock", "--output", "{tmp}/no/such/dir/r.json"], "does not exist"),
    (["solve", "rosenbrock", "--output", "{tmp}"], "is a directory"),
    (["solve", "rosenbrock", "--history", "{tmp}/no/h.csv"], "--history: directory"),
    (["bench", "--problems", "rosenbrock", "--plot", "{tmp}/no/p.png"], "--plot: directory"),
    (["solve", "rosenbrock", "--bogus"], "No such option '--bogus'"),
    (["solve"], "Missing argument 'PROBLEM|FILE'"),
    (["frobnicate"], "No such command 'frobnicate'"),
    (["check", "rosenbrok"], "did you mean rosenbrock"),
    (["check", "rosenbrock", "--at", "1"], "--at has 1 entries but the problem has n=2"),
    (["check", "{no_objective}"], "does not define objective(x)"),
    (["list", "--tag", "convx"], "no problem is tagged 'convx'"),
    (["bench", "--methods", "lbfgs,bfgs"], "unknown method 'bfgs'"),
    (["bench", "--problems", "rosenbrock,wod"], "did you mean wood"),
    (["bench", "--problems", "rosenbrock", "--tag", "convex"], "mutually exclusive"),
    (["bench", "--tag", "nope"], "no problem is tagged 'nope'"),
    # f is nan or inf at the start: bad input, whichever command meets it
    (["solve", "{nan_start}"], "the objective is nan at x0, the start of nan_start; give a "
                               "point where it is finite with --x0"),
    (["solve", "{inf_start}", "--method", "scipy:BFGS"], "the objective is -inf at x0"),
    (["solve", "{nan_start}", "--x0", "0,1"], "--x0: the objective is nan there"),
    (["check", "{nan_start}"], "the objective is nan at x0, the start of nan_start; give a "
                               "point where it is finite with --at"),
    (["check", "{inf_start}", "--json"], "the objective is -inf at x0"),
    (["check", "rosenbrock", "--at", "1e200,1"], "--at: the objective is inf there"),
    # -O keys that collide with what the command line passes itself
    (["solve", "rosenbrock", "-m", "scipy:L-BFGS-B", "-O", "bounds=[(0, 2), (0, 2)]"],
     "--option: 'bounds' is not a solver option here; use --bounds LO,HI or --bounds-file F"),
    (["solve", "rosenbrock", "-O", "bounds=[(0, 2), (0, 2)]"], "use --bounds LO,HI"),
    (["solve", "rosenbrock", "-m", "scipy:SLSQP", "-O", "constraints=[]"],
     "'constraints' is not supported"),
    (["solve", "rosenbrock", "-m", "scipy:BFGS", "-O", "jac=1"],
     "--option: 'jac' is an argument the command line sets itself"),
    (["solve", "rosenbrock", "-m", "scipy:Newton-CG", "-O", "hessp=1"], "'hessp' is an argument"),
    (["solve", "rosenbrock", "-m", "scipy:L-BFGS-B", "-O", "x0=[1, 1]"], "'x0' is an argument"),
    (["solve", "rosenbrock", "-m", "scipy:L-BFGS-B", "-O", "args=()"], "'args' is an argument"),
    (["solve", "rosenbrock", "-m", "scipy:BFGS", "-O", "method='CG'"], "'method' is an argument"),
    (["solve", "rosenbrock", "-O", "method='gd'"], "'method' is an argument"),
    (["solve", "rosenbrock", "-O", "x0=[1, 1]"], "'x0' is an argument"),
    (["solve", "rosenbrock", "-O", "jac=True"], "'jac' is an argument"),
    (["solve", "rosenbrock", "-m", "newton-cg", "-O", "hessp=1"], "'hessp' is an argument"),
    (["solve", "rosenbrock", "-m", "scipy:BFGS", "-O", "callback=1"], "'callback' is not a "
                                                                       "solver option here"),
    (["solve", "rosenbrock", "-m", "scipy:TNC", "--maxiter", "5", "-O", "maxfun=9"],
     "'maxfun' collides with --maxiter"),
    # a SciPy method that takes no bounds, on a bounded problem (SciPy would ignore them)
    (["solve", "rosenbrock-box", "-m", "scipy:BFGS"],
     "--method scipy:BFGS does not support bounds, and rosenbrock-box is bounded"),
    (["solve", "rosenbrock", "--bounds", "0,1", "-m", "scipy:trust-ncg"],
     "--method scipy:trust-ncg does not support bounds"),
    # bad bounds: one line naming the index
    (["solve", "rosenbrock", "--bounds", "2,1"], "--bounds: bounds[0]: lower 2.0 > upper 1.0"),
    (["solve", "rosenbrock", "--bounds", "nan,1"], "--bounds: bounds[0]: lower bound is NaN"),
    (["solve", "rosenbrock", "--bounds", "0"], "--bounds: expected LO,HI"),
    (["solve", "rosenbrock", "--bounds", "0,x"], "--bounds: HI: 'x' is not a number"),
    (["solve", "rosenbrock", "--bounds", "inf,inf"], "lower bound is +inf"),
    (["solve", "rosenbrock", "--bounds-file", "missing.csv"],
     "--bounds-file: file 'missing.csv' does not exist"),
    (["solve", "rosenbrock", "--bounds", "0,1", "--bounds-file", "b.csv"],
     "--bounds and --bounds-file are mutually exclusive"),
]


@pytest.fixture
def paths(tmp_path, problem_file):
    np.save(tmp_path / "x.npy", np.ones(2))
    np.save(tmp_path / "matrix.npy", np.ones((2, 2)))
    return {"tmp": str(tmp_path), "file": problem_file("rosen.py", ROSENBROCK_FILE),
            "bad_syntax": problem_file("bad_syntax.py", SYNTAX_ERROR),
            "no_objective": problem_file("no_objective.py", NO_OBJECTIVE),
            "nan_start": problem_file("nan_start.py", NAN_START),
            "inf_start": problem_file("inf_start.py", INF_START),
            "matrix": str(tmp_path / "matrix.npy")}


@pytest.mark.parametrize("args, message", CASES, ids=[" ".join(a) for a, _ in CASES])
def test_bad_input_is_one_line_and_exit_code_2(cli, paths, args, message):
    run = cli(*[a.format(**paths) for a in args])
    assert run.code == 2
    assert run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("Error: ")
    assert message in lines[0]
    assert "Traceback" not in run.stderr


def test_the_syntax_error_names_the_line(cli, paths):
    run = cli("solve", paths["bad_syntax"])
    assert f"{paths['bad_syntax']}:4: syntax error" in run.stderr


def test_plot_without_matplotlib_explains_the_extra(cli, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    run = cli("bench", "--problems", "rosenbrock", "--plot", str(tmp_path / "p.png"))
    assert run.code == 2
    assert run.stderr == ("Error: --plot needs matplotlib, an optional extra: "
                          "pip install 'optkit[plot]'\n")
    assert not (tmp_path / "p.png").exists()


def test_usage_errors_point_to_the_command_help(cli):
    run = cli("solve", "rosenbrock", "--maxiter", "many")
    assert run.stderr.startswith("Error: Invalid value for '--maxiter': 'many'")
    assert run.stderr.endswith(" (see 'optkit solve --help')\n")


def test_a_dimension_beyond_memory_is_refused_in_one_line(cli, monkeypatch):
    from optkit.problems import memory

    monkeypatch.setattr(memory, "available_memory", lambda: 2 * 10**9)
    run = cli("solve", "extended-rosenbrock", "--n", "10000000")
    assert run.code == 2 and run.stdout == ""
    assert run.stderr == ("Error: extended-rosenbrock: n=10000000 needs about 5.12 GB of "
                          "memory to solve (64 vectors of n floats), more than the 2 GB "
                          "available\n")
