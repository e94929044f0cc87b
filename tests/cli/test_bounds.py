"""Bounds on the command line: a problem's own bounds (library and file), --bounds and
--bounds-file, SciPy's methods with and without bounds, the active-bound count and projected
gradient in the output, multistart in the box, bench and list."""

import numpy as np
import pytest

from optkit import problems

# f = |x - c|^2 with c = (-1, 2) in 0 <= x1, x2 <= 0.5: x* = (0, 0.5), both bounds active,
# f* = 1 + 1.5^2 = 3.25. The start (-2, 3) lies outside the box in both components.
BOUNDED_FILE = """
    import numpy as np

    name = "bounded-bowl"
    x0 = [-2.0, 3.0]
    fstar = 3.25
    bounds = [(0.0, None), (None, 0.5)]

    def objective(x):
        return np.sum((x - np.array([-1.0, 2.0])) ** 2)
"""

# residuals r = x - c, c = (-1, 2, 0.25): in [0, 1]^3 the least-squares point is (0, 1, 0.25)
RESIDUALS_FILE = """
    import numpy as np

    x0 = [0.5, 0.5, 0.5]
    bounds = [(0.0, 1.0)] * 3

    def residuals(x):
        return x - np.array([-1.0, 2.0, 0.25])

    def objective(x):
        return np.sum(residuals(x) ** 2)
"""


def _active(x, lb, ub):
    """The number of components exactly on a bound, counted here from x and the box."""
    x, lb, ub = (np.asarray(v, dtype=float) for v in (x, lb, ub))
    return int(np.count_nonzero((x <= lb) | (x >= ub)))


def _in_box(x, lb, ub):
    x = np.asarray(x, dtype=float)
    return bool(np.all(x >= lb) and np.all(x <= ub))


@pytest.mark.parametrize("method", ["lbfgs", "newton-cg", "gd", "scipy:L-BFGS-B",
                                    "scipy:TNC", "scipy:SLSQP"])
@pytest.mark.parametrize("name", ["hs4", "rosenbrock-box", "hs45"])
def test_a_bounded_library_problem_is_solved_in_its_bounds(cli, name, method):
    problem = problems.get(name)
    run = cli("solve", name, "-m", method, "--json")
    doc = run.json()
    assert run.code == 0 and doc["success"] is True
    assert doc["fstar"] == problem.fstar and problem.is_solved(doc["fun"])
    assert _in_box(doc["x"], problem.bounds.lb, problem.bounds.ub)
    assert doc["bounds"] == "problem"
    assert doc["n_active"] == _active(doc["x"], problem.bounds.lb, problem.bounds.ub)
    assert doc["n_bounded"] == int(np.count_nonzero(np.isfinite(problem.bounds.lb)
                                                    | np.isfinite(problem.bounds.ub)))


def test_the_active_count_and_projected_gradient_of_a_known_solution(cli):
    # hs4: x* = (1, 0) with both lower bounds active, where the gradient is (4, 1) != 0
    doc = cli("solve", "hs4", "--json").json()
    assert doc["n_active"] == 2 and doc["x"] == [1.0, 0.0]
    assert doc["gnorm"] > 1 and doc["pgnorm"] <= 1e-5  # first-order in the box, not in R^n


def test_the_text_summary_shows_the_active_bounds(cli):
    run = cli("solve", "rosenbrock-box")
    assert run.code == 0
    width = len("active bounds  ")  # the key column fits its longest key
    lines = {line[:width].strip(): line[width:] for line in run.stdout.splitlines()}
    assert lines["active bounds"] == "1 of 2"  # x* = (0.5, 0.25): x1 at its upper bound
    assert lines["bounds"] == "the problem's: 2 of 2 components bounded"
    assert lines["|P(x-g)-x|"].endswith("(projected gradient, inf-norm)")


def test_an_unbounded_solve_has_no_bound_fields(cli):
    run = cli("solve", "rosenbrock", "--json")
    assert run.code == 0
    assert not {"bounds", "n_active", "pgnorm"} & set(run.json())
    assert "active bounds" not in cli("solve", "rosenbrock").stdout


def test_a_problem_file_with_bounds(cli, problem_file):
    path = problem_file("bowl.py", BOUNDED_FILE)
    run = cli("solve", path, "--json")
    doc = run.json()
    assert run.code == 0 and doc["success"] is True
    assert np.allclose(doc["x"], [0.0, 0.5]) and doc["n_active"] == 2
    assert abs(doc["fun"] - 3.25) <= 1e-12 and doc["fstar"] == 3.25
    # the start was outside the box: projected, with one warning
    assert "x0 is outside the bounds" in run.stderr and "2 of 2 components moved" in run.stderr


@pytest.mark.parametrize("method", ["lm", "gn-cg"])
def test_least_squares_methods_take_the_bounds(cli, problem_file, method):
    path = problem_file("res.py", RESIDUALS_FILE)
    run = cli("solve", path, "-m", method, "--json")
    doc = run.json()
    assert run.code == 0 and doc["success"] is True
    assert np.allclose(doc["x"], [0.0, 1.0, 0.25], atol=1e-8)
    assert _in_box(doc["x"], 0.0, 1.0)
    assert doc["n_active"] == _active(doc["x"], [0.0] * 3, [1.0] * 3) == 2


@pytest.mark.parametrize("args, lb, ub", [
    (["--bounds", "0,inf"], [0.0, 0.0], [np.inf, np.inf]),
    (["--bounds=-1,0.5"], [-1.0, -1.0], [0.5, 0.5]),
    (["--bounds", "-1,0.5"], [-1.0, -1.0], [0.5, 0.5]),
    (["--bounds", "none,0.5"], [-np.inf, -np.inf], [0.5, 0.5]),
    (["--bounds", "-inf, none"], [-np.inf, -np.inf], [np.inf, np.inf]),
])
def test_bounds_flag_boxes_every_component(cli, args, lb, ub):
    doc = cli("solve", "rosenbrock", *args, "--json").json()
    assert doc["success"] is True and _in_box(doc["x"], lb, ub)
    if np.isinf(lb).all() and np.isinf(ub).all():  # no bound at all: an unconstrained solve
        assert "n_active" not in doc
        return
    assert doc["bounds"] == "--bounds"
    assert doc["n_active"] == _active(doc["x"], lb, ub)
    assert doc["n_bounded"] == 2


def test_bounds_flag_with_an_active_bound_finds_the_boxed_minimum(cli):
    # Rosenbrock in [-1, 0.5]^2: the minimum is on x1 = 0.5 at x2 = 0.25, f = 0.25
    # (the same point as rosenbrock-box, whose f* says so)
    doc = cli("solve", "rosenbrock", "--bounds", "-1,0.5", "--json").json()
    assert abs(doc["fun"] - problems.get("rosenbrock-box").fstar) <= 1e-9
    assert doc["n_active"] == 1 and doc["x"][0] == 0.5


def test_command_line_bounds_keep_fstar_only_when_it_still_holds(cli):
    # x* = (1, 1) inside [0, 2]^2 and rosenbrock unbounded: f* = 0 still the minimum
    assert cli("solve", "rosenbrock", "--bounds", "0,2", "--json").json()["fstar"] == 0.0
    # x* outside [-1, 0.5]^2: f* unknown for this box
    doc = cli("solve", "rosenbrock", "--bounds", "-1,0.5", "--json").json()
    assert doc["fstar"] is None and doc["fun_minus_fstar"] is None
    # a box wider than the problem's own could hold a lower point: f* unknown
    doc = cli("solve", "rosenbrock-box", "--bounds", "-5,5", "--json").json()
    assert doc["fstar"] is None and doc["bounds"] == "--bounds"
    assert doc["fun"] < problems.get("rosenbrock-box").fstar  # it does: (1, 1), f = 0


def test_command_line_bounds_replace_the_problems_own(cli):
    # hs4's own bounds x1 >= 1, x2 >= 0; with x2 >= 0.5 instead the solve ends at x2 = 0.5
    doc = cli("solve", "hs4", "--bounds", "0.5,inf", "--json").json()
    assert doc["bounds"] == "--bounds" and doc["success"] is True
    assert doc["x"] == [0.5, 0.5] and doc["n_active"] == 2


@pytest.fixture
def bounds_files(tmp_path):
    """The same per-component box [0, 1] x (-inf, 0.5] as .npy, as CSV (inf and none) and
    as CSV with an empty side."""
    np.save(tmp_path / "b.npy", np.array([[0.0, 1.0], [-np.inf, 0.5]]))
    (tmp_path / "b.csv").write_text("0,1\n-inf,0.5\n")
    (tmp_path / "b_none.csv").write_text("0, 1\nnone, 0.5\n")
    (tmp_path / "b_empty.txt").write_text("0,1\n,0.5\n")
    return tmp_path


@pytest.mark.parametrize("name", ["b.npy", "b.csv", "b_none.csv", "b_empty.txt"])
def test_bounds_file_reads_per_component_bounds(cli, bounds_files, name):
    run = cli("solve", "rosenbrock", "--bounds-file", str(bounds_files / name), "--json")
    doc = run.json()
    assert run.code == 0 and doc["bounds"] == "--bounds-file"
    assert _in_box(doc["x"], [0.0, -np.inf], [1.0, 0.5])
    assert doc["x"][1] == 0.5 and doc["n_active"] == 1 and doc["n_bounded"] == 2
    assert doc["pgnorm"] <= 1e-5


def test_every_bounds_file_form_gives_the_same_solve(cli, bounds_files):
    xs = [cli("solve", "rosenbrock", "--bounds-file", str(bounds_files / name),
              "--json").json()["x"] for name in ("b.npy", "b.csv", "b_none.csv", "b_empty.txt")]
    assert all(x == xs[0] for x in xs)


@pytest.mark.parametrize("content, message", [
    ("0,1\n2,1\n", "--bounds-file: bounds[1]: lower 2.0 > upper 1.0"),
    ("0,1\nnan,1\n", "bounds[1]: lower bound is NaN"),
    ("0,1\n", "has 1 rows but the problem has n=2"),
    ("0,1\n0,1\n0,1\n", "has 3 rows but the problem has n=2"),
    ("0,1,2\n0,1\n", "row 1 has 3 columns, expected 2"),
    ("0,1\nzero,1\n", "bounds[1]: 'zero' is not a number"),
])
def test_a_bad_bounds_file_is_one_line_exit_2(cli, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    run = cli("solve", "rosenbrock", "--bounds-file", str(path))
    assert run.code == 2 and run.stdout == ""
    assert len(run.stderr.splitlines()) == 1 and message in run.stderr


@pytest.mark.parametrize("array, message", [
    (np.zeros((2, 3)), "shape (2, 3), expected (2, 2)"),
    (np.zeros(2), "shape (2,), expected (2, 2)"),
    (np.array([[0.0, 1.0], [3.0, 2.0]]), "bounds[1]: lower 3.0 > upper 2.0"),
    (np.array([["a", "b"], ["c", "d"]]), "expected numbers"),
])
def test_a_bad_npy_bounds_file_is_one_line_exit_2(cli, tmp_path, array, message):
    np.save(tmp_path / "bad.npy", array)
    run = cli("solve", "rosenbrock", "--bounds-file", str(tmp_path / "bad.npy"))
    assert run.code == 2 and len(run.stderr.splitlines()) == 1
    assert message in run.stderr


def test_an_unreadable_npy_bounds_file_is_one_line_exit_2(cli, tmp_path):
    (tmp_path / "junk.npy").write_bytes(b"not an npy file")
    run = cli("solve", "rosenbrock", "--bounds-file", str(tmp_path / "junk.npy"))
    assert run.code == 2 and len(run.stderr.splitlines()) == 1
    assert "--bounds-file: cannot read" in run.stderr


@pytest.mark.parametrize("method", ["scipy:L-BFGS-B", "scipy:TNC", "scipy:SLSQP",
                                    "scipy:trust-constr", "scipy:Powell", "scipy:Nelder-Mead"])
def test_scipy_methods_that_take_bounds_get_them(cli, method):
    doc = cli("solve", "rosenbrock", "--bounds", "-1,0.5", "-m", method, "--json").json()
    assert _in_box(doc["x"], -1.0, 0.5)
    assert doc["bounds"] == "--bounds" and "n_active" in doc


def test_success_is_honest_and_sets_the_exit_code(cli):
    run = cli("solve", "rosenbrock-box", "--maxiter", "1", "--json")
    doc = run.json()
    assert doc["success"] is False and run.code == 1
    assert doc["pgnorm"] > 1e-5  # not first-order yet: the verdict agrees with the measure


def test_multistart_draws_starts_in_the_problems_box_and_solves_in_it(cli):
    problem = problems.get("rosenbrock-box")
    doc = cli("solve", "rosenbrock-box", "--multistart", "4", "--json").json()
    box = doc["multistart"]["box"]
    assert box["lb"] == list(problem.bounds.lb) and box["ub"] == list(problem.bounds.ub)
    assert box["rule"] == "the bounds"
    assert doc["success"] is True and problem.is_solved(doc["fun"])
    assert _in_box(doc["x"], problem.bounds.lb, problem.bounds.ub) and doc["n_active"] == 1


def test_multistart_cuts_the_default_box_to_the_bounds(cli):
    # hs4: x1 >= 1, x2 >= 0, no upper bounds; x0 = (1.125, 0.125): the default box
    # x0 +- max(1, |x0|) is cut below at the bounds
    doc = cli("solve", "hs4", "--multistart", "3", "--json").json()
    box = doc["multistart"]["box"]
    assert box["lb"] == [1.0, 0.0] and box["ub"] == [2.25, 1.125]
    assert doc["x"] == [1.0, 0.0] and doc["n_active"] == 2


def test_multistart_box_outside_the_bounds_is_refused(cli):
    run = cli("solve", "hs4", "--multistart", "3", "--box", "-5,-4")
    assert run.code == 2 and len(run.stderr.splitlines()) == 1
    assert "misses the bounds" in run.stderr and "component 0" in run.stderr


def test_multistart_with_bounds_flag_gives_every_solve_the_bounds(cli):
    doc = cli("solve", "rosenbrock", "--bounds", "-1,0.5", "--multistart", "3",
              "--json").json()
    assert doc["multistart"]["box"]["lb"] == [-1.0, -1.0]
    assert doc["multistart"]["box"]["ub"] == [0.5, 0.5]
    assert all(r["success"] for r in doc["multistart"]["runs"])
    assert doc["x"][0] == 0.5 and doc["n_active"] == 1  # unconstrained solves would reach 1


def test_list_shows_which_problems_are_bounded(cli):
    lines = cli("list").stdout.splitlines()
    header = lines[0].split()
    column = header.index("bounds")
    marks = {line.split()[0]: line.split()[column] for line in lines[1:-2]
             if "(" not in line}  # rows without a range have one token per column
    assert marks["hs4"] == "yes" and marks["rosenbrock"] == "-"
    rows = cli("list", "--json").json()
    bounded = {r["name"] for r in rows if r["bounded"]}
    assert bounded == {n for n in problems.names() if problems.get(n).bounds is not None}
    assert bounded == set(problems.names("bounds"))


def test_bench_passes_the_bounds_and_marks_methods_without_them(cli):
    run = cli("bench", "--problems", "hs4,rosenbrock-box,rosenbrock",
              "--methods", "lbfgs,scipy:BFGS", "--json")
    assert run.code == 0
    runs = {(r["problem"], r["method"]): r for r in run.json()["runs"]}
    for name in ("hs4", "rosenbrock-box"):
        assert runs[(name, "lbfgs")]["solved"] is True
        assert runs[(name, "scipy:BFGS")]["status"] == "no-bounds"
        assert runs[(name, "scipy:BFGS")]["solved"] is False
    assert runs[("rosenbrock", "scipy:BFGS")]["solved"] is True  # unbounded: run as before
    summary = {s["method"]: s for s in run.json()["summary"]}
    assert summary["lbfgs"]["solved"] == 3 and summary["scipy:BFGS"]["problems"] == 3
    table = cli("bench", "--problems", "hs4,rosenbrock", "--methods", "lbfgs,scipy:BFGS").stdout
    row = next(line for line in table.splitlines() if line.startswith("hs4 "))
    assert row.split()[-1] == "n/b" and "n/b = the method takes no bounds" in table


def test_bench_tag_bounds_runs_every_bounded_problem(cli):
    run = cli("bench", "--tag", "bounds", "--methods", "lbfgs", "--maxiter", "0", "--json")
    assert run.code == 0
    assert run.json()["problems"] == problems.names("bounds")
