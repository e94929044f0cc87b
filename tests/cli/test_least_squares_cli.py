"""optkit solve with lm and gn-cg (a residuals file defaults to lm; --json reports cost and
optimality) and optkit fit (parameters with standard errors; one-line errors, exit 2)."""

import json

import numpy as np
import pytest
import scipy.optimize
from click.testing import CliRunner

from optkit.cli import main

RESIDUALS_FILE = """
import numpy as np
t = np.linspace(0.0, 1.0, 20)
y = 2.0 * np.exp(-1.5 * t)
def residuals(x):
    return x[0] * np.exp(-x[1] * t) - y
x0 = [1.0, 1.0]
fstar = 0.0
"""

MODEL_FILE = """
import numpy as np
def model(x, a, k, c):
    return a * np.exp(-k * x) + c
p0 = [1.0, 1.0, 0.0]
names = ["a", "k", "c"]
"""


def _run(args):
    return CliRunner().invoke(main, args)


def test_a_residuals_file_defaults_to_lm(tmp_path):
    path = tmp_path / "fit_problem.py"
    path.write_text(RESIDUALS_FILE)
    result = _run(["solve", str(path), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["method"] == "lm" and doc["success"]
    assert doc["cost"] == pytest.approx(0.5 * doc["fun"], abs=1e-15)
    assert doc["optimality"] <= 1e-8
    assert np.allclose(doc["x"], [2.0, 1.5])


@pytest.mark.parametrize("method", ["lm", "gn-cg"])
def test_solve_a_library_problem_by_least_squares(method):
    result = _run(["solve", "bard", "--method", method, "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["fun"] == pytest.approx(doc["fstar"], rel=1e-6)
    assert {"cost", "optimality"} <= set(doc)


def test_other_methods_minimise_the_sum_of_squares(tmp_path):
    path = tmp_path / "fit_problem.py"
    path.write_text(RESIDUALS_FILE)
    result = _run(["solve", str(path), "--method", "lbfgs", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["fun"] <= 1e-8


def test_lm_options_and_failures():
    ok = _run(["solve", "meyer", "-m", "lm", "-O", "geodesic=True", "--json"])
    assert ok.exit_code == 0, ok.output
    budget = _run(["solve", "meyer", "-m", "lm", "--maxiter", "5", "--json"])
    assert budget.exit_code == 1
    assert json.loads(budget.output)["status"] == "maxfev"


@pytest.mark.parametrize("args, word", [
    (["solve", "logistic-regression", "-m", "lm"], "defines no residuals"),
    (["solve", "bard", "-m", "gn-cg", "-O", "m=3"], "not an option of gn-cg"),
])
def test_least_squares_bad_input_is_one_line(args, word):
    result = _run(args)
    assert result.exit_code == 2
    assert word in result.output and len(result.output.strip().splitlines()) == 1


@pytest.fixture
def fit_files(tmp_path):
    rng = np.random.default_rng(0)
    t = np.linspace(0.0, 4.0, 25)
    y = 3.0 * np.exp(-1.3 * t) + 0.5 + 0.01 * rng.standard_normal(t.size)
    data = tmp_path / "decay.csv"
    data.write_text("t,y\n" + "\n".join(f"{a:.17g},{b:.17g}" for a, b in zip(t, y, strict=True)))
    model = tmp_path / "decay.py"
    model.write_text(MODEL_FILE)
    return data, model, t, y


def test_fit_prints_parameters_with_standard_errors(fit_files):
    data, model, t, y = fit_files
    result = _run(["fit", str(data), "--model", str(model), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    ref, cov = scipy.optimize.curve_fit(lambda x, a, k, c: a * np.exp(-k * x) + c, t, y,
                                        p0=[1.0, 1.0, 0.0])
    assert np.allclose(list(doc["parameters"].values()), ref, rtol=1e-5)
    assert np.allclose(list(doc["standard_errors"].values()), np.sqrt(np.diag(cov)),
                       rtol=1e-3)
    text = _run(["fit", str(data), "--model", str(model)])
    assert text.exit_code == 0
    assert text.output.splitlines()[0].startswith("a ") and "+/-" in text.output


def test_fit_with_two_x_columns(tmp_path):
    rng = np.random.default_rng(0)
    x1, x2 = rng.random(30), rng.random(30)
    y = 1.0 + 2.0 * x1 - 3.0 * x2
    data = tmp_path / "plane.csv"
    rows = zip(x1, x2, y, strict=True)
    data.write_text("\n".join(f"{a:.17g} {b:.17g} {c:.17g}" for a, b, c in rows))
    model = tmp_path / "plane.py"
    model.write_text("def model(x, a, b, c):\n    return a + b * x[0] + c * x[1]\n"
                     "p0 = [0.0, 0.0, 0.0]\n")
    result = _run(["fit", str(data), "--model", str(model), "--json"])
    assert result.exit_code == 0, result.output
    assert np.allclose(list(json.loads(result.output)["parameters"].values()), [1, 2, -3])


@pytest.mark.parametrize("case, word", [
    ("missing data", "does not exist"),
    ("one column", "two columns"),
    ("bad row", "data row"),
    ("no model", "does not define model"),
    ("no p0", "does not define p0"),
    ("wrong p0", "p0"),
])
def test_fit_bad_input_is_one_line(tmp_path, fit_files, case, word):
    data, model, _, _ = fit_files
    if case == "missing data":
        data = tmp_path / "nope.csv"
    elif case == "one column":
        data = tmp_path / "one.csv"
        data.write_text("1\n2\n3\n")
    elif case == "bad row":
        data = tmp_path / "bad.csv"
        data.write_text("1,2\n3,x\n")
    elif case == "no model":
        model = tmp_path / "empty.py"
        model.write_text("p0 = [1.0]\n")
    elif case == "no p0":
        model = tmp_path / "nop0.py"
        model.write_text(MODEL_FILE.replace("p0 = [1.0, 1.0, 0.0]", ""))
    args = ["fit", str(data), "--model", str(model)]
    if case == "wrong p0":
        args += ["--p0", "1,2"]
    result = _run(args)
    assert result.exit_code == 2, result.output
    assert word in result.output and len(result.output.strip().splitlines()) == 1
