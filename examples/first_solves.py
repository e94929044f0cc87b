"""First solves: the command line, the Python API and the SciPy plug-in.

Run from anywhere after ``pip install -e .``; the ``optkit`` command is the program run here
as ``python -m optkit.cli``.
"""

import subprocess
import sys

import numpy as np
import scipy.optimize

import optkit
import optkit.scipy

# 1. The command line: a built-in problem
print("$ optkit solve rosenbrock")
proc = subprocess.run([sys.executable, "-m", "optkit.cli", "solve", "rosenbrock"],
                      capture_output=True, text=True)
print(proc.stdout, end="")
print(f"(exit code {proc.returncode})\n")


# 2. Python: any function written with numpy, derivatives by AD
def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


x = np.array([-1.2, 1.0, 0.5])
print("gradient at x:", optkit.grad(rosenbrock)(x))
print("Hessian-vector product with ones:", optkit.hvp(rosenbrock, x, np.ones(3)))

res = optkit.minimize(rosenbrock, np.zeros(10), method="lbfgs")
print(f"\noptkit.minimize, lbfgs: {res.message}")
print(f"  f = {res.fun:.3e}, nit {res.nit}, nfev {res.nfev}, njev {res.njev}, "
      f"success {res.success}")
res = optkit.minimize(rosenbrock, np.zeros(10), method="newton-cg")
print(f"optkit.minimize, newton-cg: {res.message}")
print(f"  f = {res.fun:.3e}, nit {res.nit}, nfev {res.nfev}, njev {res.njev}, "
      f"nhev {res.nhev}")

# 3. The SciPy plug-in: SciPy's solvers with exact derivatives, optkit's inside SciPy
res = optkit.scipy.minimize(rosenbrock, np.zeros(10), method="trust-krylov")
print(f"\noptkit.scipy.minimize, trust-krylov: f = {res.fun:.3e}, nfev {res.nfev}, "
      f"njev {res.njev}, nhev {res.nhev}")
res = scipy.optimize.minimize(rosenbrock, np.zeros(10), method=optkit.scipy.lbfgs)
print(f"scipy.optimize.minimize(method=optkit.scipy.lbfgs): f = {res.fun:.3e}, "
      f"nit {res.nit}")
