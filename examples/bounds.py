"""A bound-constrained problem: ``optkit.minimize(..., bounds=...)``.

Two problems with bounds lb <= x <= ub. First a nonnegative least-squares fit, checked against
``scipy.optimize.nnls`` (an active-set method that solves it exactly): optkit's three methods
land on the same point and report which bounds are active in ``result.active_mask``. Then a
bounded Rosenbrock function in 10 dimensions, against SciPy's L-BFGS-B given the same exact
gradient. Last, what ``success`` means in a box: the projected gradient P(x - g) - x is zero,
not g, and a solve stopped early says so.
"""

import warnings

import numpy as np
import scipy.optimize

import optkit

# --- 1. nonnegative least squares: min 1/2 |A x - b|^2 subject to x >= 0 -------------------
rng = np.random.default_rng(0)
A = rng.standard_normal((40, 12))
b = A @ rng.standard_normal(12) + 0.1 * rng.standard_normal(40)  # some entries want x < 0


def half_residual(x):
    r = A @ x - b
    return 0.5 * np.sum(r**2)


x_nnls, _ = scipy.optimize.nnls(A, b)
box = optkit.Bounds(lb=0.0)  # one side for every component (ub: none)
print("nonnegative least squares, 12 unknowns (reference: scipy.optimize.nnls)")
print(f"  nnls    zero components: {np.flatnonzero(x_nnls == 0).tolist()}")
for method in ("lbfgs", "newton-cg", "gd"):
    res = optkit.minimize(half_residual, np.ones(12), method, bounds=box, gtol=1e-10)
    at_lower = np.flatnonzero(res.active_mask == -1).tolist()
    print(f"  {method:<9} success={res.success}  at lower bound: {at_lower}  "
          f"max|x - x_nnls| = {np.max(np.abs(res.x - x_nnls)):.1e}  nfev={res.nfev}")


# --- 2. a bounded Rosenbrock function against SciPy's L-BFGS-B ------------------------------
def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


n = 10
lb = np.full(n, -2.0)
ub = np.where(np.arange(n) % 2 == 0, 0.5, 2.0)  # even components capped at 0.5: x* = 1 is cut off
x0 = np.full(n, -1.2)
grad = optkit.grad(rosenbrock)

print(f"\nRosenbrock, n = {n}, even components in [-2, 0.5], odd ones in [-2, 2]")
print(f"  {'method':<16}{'f':>14}{'|P(x-g)-x|':>12}{'active':>8}{'nfev':>6}  success")
rows = []
for method in ("lbfgs", "newton-cg", "gd"):
    res = optkit.minimize(rosenbrock, x0, method, bounds=optkit.Bounds(lb, ub))
    rows.append((method, res.fun, res.x, res.nfev, res.success))
ref = scipy.optimize.minimize(rosenbrock, x0, jac=grad, method="L-BFGS-B",
                              bounds=scipy.optimize.Bounds(lb, ub))
rows.append(("scipy L-BFGS-B", ref.fun, ref.x, ref.nfev, ref.success))
check = optkit.Bounds(lb, ub)
for method, f, x, nfev, success in rows:
    pg = check.projected_gradient_norm(x, grad(x))
    active = int(np.count_nonzero(check.active_mask(x)))
    print(f"  {method:<16}{f:>14.10f}{pg:>12.1e}{active:>8}{nfev:>6}  {success}")

# --- 3. success in a box is the projected-gradient test ---------------------------------------
res = optkit.minimize(rosenbrock, x0, "lbfgs", bounds=optkit.Bounds(lb, ub))
g = res.jac
print("\nat the solution the gradient is not zero, its projection is:")
print(f"  |g|_inf = {np.max(np.abs(g)):.3g}   |P(x - g) - x|_inf = "
      f"{check.projected_gradient_norm(res.x, g):.1e}   active bounds: "
      f"{int(np.count_nonzero(res.active_mask))} of {n}")
early = optkit.minimize(rosenbrock, x0, "lbfgs", bounds=optkit.Bounds(lb, ub), maxiter=5)
print(f"stopped after 5 iterations: success={early.success} ({early.message}), "
      f"|P(x - g) - x|_inf = {check.projected_gradient_norm(early.x, early.jac):.2g}")

# --- 4. a start outside the box is projected onto it, with one warning ------------------------
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    res = optkit.minimize(rosenbrock, np.full(n, 3.0), "lbfgs", bounds=optkit.Bounds(lb, ub))
print(f"\nx0 = 3 everywhere: {caught[0].message}")
print(f"  then f = {res.fun:.10f}, success={res.success}")
