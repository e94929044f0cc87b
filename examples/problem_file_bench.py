"""Write a problem file, then solve, check and benchmark it with the ``optkit`` command line.

A problem file is a Python file that defines ``objective(x)`` in plain numpy and a start
``x0``; ``fstar`` (the known optimal value), ``name`` and ``description`` are optional. With
``fstar`` given, ``optkit bench`` counts a run as solved when it reaches f*; without it, when
the solver reports success.

This script drives the real command (``python -m optkit.cli``, the same program as
``optkit``) and prints what a terminal would show. The performance profile needs matplotlib:
``pip install -e ".[plot]"``.
"""

import subprocess
import sys
from pathlib import Path

PROBLEM = '''\
"""A chained curved valley: a narrow trough, minimum 0 at x = (1, ..., 1)."""
import numpy as np

name = "valley"
description = "sum of (10 (x[i+1] - x[i]^2))^2 + (1 - x[i])^2 + 1e-2 (x[i] - x[i+1])^4"
fstar = 0.0
x0 = np.linspace(-1.5, 1.5, 8)


def objective(x):
    a, b = x[:-1], x[1:]
    return np.sum((10.0 * (b - a**2)) ** 2 + (1.0 - a) ** 2 + 1e-2 * (a - b) ** 4)
'''


def optkit(*args):
    """Run ``optkit ARGS``; print the command and its output (stderr, where ``bench`` draws
    its progress bar, only when the command fails)."""
    print("$ optkit " + " ".join(args))
    proc = subprocess.run([sys.executable, "-m", "optkit.cli", *args], capture_output=True,
                          text=True)
    print(proc.stdout, end="")
    if proc.returncode != 0:
        print(proc.stderr, end="")
    print(f"(exit code {proc.returncode})\n")


Path("valley.py").write_text(PROBLEM)
print("wrote valley.py\n")
optkit("solve", "valley.py", "--method", "newton-cg")
optkit("check", "valley.py")
optkit("bench", "--problems", "valley.py,rosenbrock,wood,beale,extended-rosenbrock",
       "--methods", "lbfgs,newton-cg,scipy:L-BFGS-B", "--plot", "profile.png")
print("profile.png written:", Path("profile.png").stat().st_size > 0)
