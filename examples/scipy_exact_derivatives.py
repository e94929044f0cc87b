"""Exact derivatives for scipy.optimize: unconstrained, bounded and constrained methods.

``optkit.scipy.minimize`` has ``scipy.optimize.minimize``'s signature and result; it fills in
the derivatives each method uses from optkit's AD (the gradient from one reverse pass,
Hessian-vector products by forward-over-reverse, a dense Hessian for dogleg/trust-exact).
``optkit.scipy.constraint`` builds a ``NonlinearConstraint`` with an exact Jacobian and the
exact Hessian of v.c(x). The objective stays plain numpy.
"""

import numpy as np
import scipy.optimize

import optkit.scipy as oks


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


x0 = np.full(10, -1.0)

# 1. Unconstrained, with the method's derivatives from AD: compare with SciPy's own finite
#    differences (2-point, n + 1 evaluations per gradient) on the same method.
print("unconstrained Rosenbrock, n = 10")
for method in ["BFGS", "trust-krylov", "trust-exact"]:
    res = oks.minimize(rosenbrock, x0, method=method)
    print(f"  {method:13s} f = {res.fun:.2e}  nit {res.nit:3d}  nfev {res.nfev:3d}  "
          f"njev {res.njev:3d}  nhev {res.nhev:3d}  success {res.success}")
with np.errstate(all="ignore"):
    fd = scipy.optimize.minimize(rosenbrock, x0, method="BFGS")  # jac by finite differences
print(f"  BFGS (SciPy finite differences) f = {fd.fun:.2e}  nfev {fd.nfev} (gradients "
      "included)")

# 2. Bounds pass through unchanged (L-BFGS-B, TNC, trust-constr take them).
res = oks.minimize(rosenbrock, x0, method="L-BFGS-B", bounds=[(-2.0, 0.5)] * 10)
print(f"\nL-BFGS-B in the box [-2, 0.5]^10: f = {res.fun:.6f}, x[:3] = {np.round(res.x[:3], 4)}")

# 3. Nonlinear constraints: stay inside the unit ball, ||x||^2 <= 1.
ball = oks.constraint(lambda x: np.sum(x ** 2), ub=1.0)
for method in ["SLSQP", "trust-constr"]:
    res = oks.minimize(rosenbrock, np.zeros(10), method=method, constraints=[ball])
    print(f"{method:12s} in the unit ball: f = {res.fun:.6f}  ||x||^2 = {np.sum(res.x**2):.6f}"
          f"  success {res.success}")
print(f"constraint evaluations over both solves (value, Jacobian): "
      f"{ball.optkit_derivatives.nfev}, "
      f"{ball.optkit_derivatives.njev}")

# 4. The other direction: optkit's own solvers inside scipy.optimize.minimize.
res = scipy.optimize.minimize(rosenbrock, x0, method=oks.lbfgs)
print(f"\nscipy.optimize.minimize(method=optkit.scipy.lbfgs): f = {res.fun:.2e}, "
      f"nit {res.nit}, {res.message}")
