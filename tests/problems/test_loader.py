"""load_file: a user's Python file becomes a Problem; every failure is one ProblemError line."""

import numpy as np
import pytest
from optkit.problems import Problem, ProblemError, load_file


def write(tmp_path, text, name="myproblem.py"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_minimal_file(tmp_path):
    path = write(tmp_path, "import numpy as np\n"
                           "def objective(x):\n    return np.sum((x - 2.0) ** 2)\n"
                           "x0 = [0.0, 0.0, 0.0]\n")
    p = load_file(path)
    assert isinstance(p, Problem)
    assert p.name == "myproblem" and p.n == 3 and p.fstar is None and p.xstar is None
    assert p.objective(p.x0) == 12.0
    assert str(path) in p.source


def test_optional_fields(tmp_path):
    path = write(tmp_path, "import numpy as np\n"
                           "name = 'bowl'\ndescription = 'a bowl'\nfstar = 1.5\n"
                           "xstar = np.array([2.0, 2.0])\ntags = ['convex']\n"
                           "def objective(x):\n    return np.sum((x - 2.0) ** 2) + 1.5\n"
                           "def gradient(x):\n    return 2.0 * (x - 2.0)\n"
                           "x0 = np.zeros(2)\n")
    p = load_file(str(path))
    assert (p.name, p.description, p.fstar, p.tags) == ("bowl", "a bowl", 1.5, {"convex"})
    np.testing.assert_array_equal(p.xstar, [2.0, 2.0])
    np.testing.assert_array_equal(p.gradient(np.ones(2)), [-2.0, -2.0])
    assert p.is_solved(1.5 + 1e-7) and not p.is_solved(1.6)


def test_missing_file(tmp_path):
    with pytest.raises(ProblemError, match="does not exist"):
        load_file(tmp_path / "nope.py")


def test_directory_is_not_a_file(tmp_path):
    with pytest.raises(ProblemError, match="not a regular file"):
        load_file(tmp_path)


def test_syntax_error_names_file_and_line(tmp_path):
    path = write(tmp_path, "x0 = [1.0]\n\ndef objective(x)\n    return x[0] ** 2\n")
    with pytest.raises(ProblemError, match=r"myproblem\.py:3: syntax error") as info:
        load_file(path)
    assert "\n" not in str(info.value)


def test_error_while_running_the_file(tmp_path):
    path = write(tmp_path, "x0 = [1.0]\nraise RuntimeError('boom')\n")
    with pytest.raises(ProblemError, match="RuntimeError: boom"):
        load_file(path)


def test_missing_objective(tmp_path):
    with pytest.raises(ProblemError, match="does not define objective"):
        load_file(write(tmp_path, "x0 = [1.0, 2.0]\n"))


def test_objective_not_callable(tmp_path):
    with pytest.raises(ProblemError, match="objective must be a function"):
        load_file(write(tmp_path, "objective = 3\nx0 = [1.0]\n"))


def test_missing_x0(tmp_path):
    with pytest.raises(ProblemError, match="does not define the starting point x0"):
        load_file(write(tmp_path, "def objective(x):\n    return x[0] ** 2\n"))


@pytest.mark.parametrize("x0, message", [("'abc'", "x0 must be a list or array of numbers"),
                                         ("[]", "non-empty 1-D"),
                                         ("[[1.0, 2.0]]", "non-empty 1-D"),
                                         ("[1.0, float('nan')]", "non-finite")])
def test_bad_x0(tmp_path, x0, message):
    path = write(tmp_path, f"def objective(x):\n    return x[0] ** 2\nx0 = {x0}\n")
    with pytest.raises(ProblemError, match=message):
        load_file(path)


def test_scalar_x0_is_one_dimensional(tmp_path):
    p = load_file(write(tmp_path, "def objective(x):\n    return x[0] ** 2\nx0 = 3.0\n"))
    assert p.n == 1


def test_bad_fstar_and_xstar(tmp_path):
    body = "def objective(x):\n    return x[0] ** 2\nx0 = [1.0, 2.0]\n"
    with pytest.raises(ProblemError, match="fstar must be a number"):
        load_file(write(tmp_path, body + "fstar = 'low'\n"))
    with pytest.raises(ProblemError, match="xstar has 3 entries but x0 has 2"):
        load_file(write(tmp_path, body + "xstar = [0.0, 0.0, 0.0]\n"))


def test_objective_must_return_a_scalar(tmp_path):
    path = write(tmp_path, "def objective(x):\n    return x * 2\nx0 = [1.0, 2.0]\n")
    with pytest.raises(ProblemError, match="must return a scalar"):
        load_file(path)


def test_objective_failing_at_x0(tmp_path):
    path = write(tmp_path, "def objective(x):\n    return x[5]\nx0 = [1.0, 2.0]\n")
    with pytest.raises(ProblemError, match=r"objective\(x0\) raised IndexError"):
        load_file(path)


def test_bad_tags(tmp_path):
    body = "def objective(x):\n    return x[0] ** 2\nx0 = [1.0]\n"
    with pytest.raises(ProblemError, match="tags must be a list of strings"):
        load_file(write(tmp_path, body + "tags = 'convex'\n"))
