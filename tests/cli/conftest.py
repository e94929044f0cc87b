"""Shared helpers for the CLI tests: a CliRunner call and user problem files."""

import json
import os
import textwrap

import pytest
from click.testing import CliRunner

from optkit.cli import main


class Run:
    """The outcome of one `optkit ...` call through CliRunner."""

    def __init__(self, result):
        self.code = result.exit_code
        self.stdout = result.stdout
        self.stderr = result.stderr
        self.exception = result.exception

    def json(self):
        return json.loads(self.stdout)


@pytest.fixture
def cli():
    """cli("solve", "rosenbrock", ...) -> Run; exceptions other than SystemExit fail."""
    runner = CliRunner()

    def invoke(*args):
        result = runner.invoke(main, list(args), catch_exceptions=False)
        return Run(result)

    return invoke


@pytest.fixture
def umask():
    """umask(mask) sets the process umask for the test; the old one is restored after."""
    old = os.umask(0o022)
    os.umask(old)
    yield os.umask
    os.umask(old)


@pytest.fixture
def problem_file(tmp_path):
    """problem_file("name.py", source) -> path of a user problem file in tmp_path."""

    def write(name, source):
        path = tmp_path / name
        path.write_text(textwrap.dedent(source))
        return str(path)

    return write


ROSENBROCK_FILE = """
    import numpy as np

    name = "my-rosenbrock"
    description = "Rosenbrock's function, from a user file"
    x0 = [-1.2, 1.0]
    fstar = 0.0

    def objective(x):
        return 100.0 * (x[1] - x[0] ** 2) ** 2 + (1.0 - x[0]) ** 2
"""

# The AD has no rule for numpy.unwrap: the solve fails at its first gradient.
NOT_DIFFERENTIABLE_FILE = """
    import numpy as np

    x0 = [3.0, 1.0]

    def objective(x):
        return np.sum(x ** 2) + np.unwrap(x)[0]
"""
