"""Small analytic test problems with hand-written gradients and Hessian-vector products.

Each factory returns a Problem(name, fun, jac, hessp, x0, fstar). No optkit.ad here: the
optimizers are tested on their own.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Problem:
    name: str
    fun: object
    jac: object
    hessp: object
    x0: np.ndarray
    fstar: float


def rosenbrock(n=2):
    """Chained Rosenbrock sum 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2; f* = 0 at ones."""

    def fun(x):
        return float(np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2))

    def jac(x):
        g = np.zeros_like(x)
        d = x[1:] - x[:-1] ** 2
        g[:-1] = -400.0 * x[:-1] * d - 2.0 * (1.0 - x[:-1])
        g[1:] += 200.0 * d
        return g

    def hessp(x, p):
        hp = np.zeros_like(x)
        hp[:-1] = (1200.0 * x[:-1] ** 2 - 400.0 * x[1:] + 2.0) * p[:-1] - 400.0 * x[:-1] * p[1:]
        hp[1:] += -400.0 * x[:-1] * p[:-1] + 200.0 * p[1:]
        return hp

    x0 = np.tile([-1.2, 1.0], n // 2 + 1)[:n]
    return Problem(f"rosenbrock-{n}", fun, jac, hessp, x0, 0.0)


def quadratic(cond, n=50):
    """0.5 x'Ax - b'x with A = Q diag(eigenvalues log-spaced in [1, cond]) Q'."""
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    a = (q * np.logspace(0.0, np.log10(cond), n)) @ q.T
    a = 0.5 * (a + a.T)
    b = rng.standard_normal(n)
    xstar = np.linalg.solve(a, b)
    fstar = float(-0.5 * b @ xstar)

    def fun(x):
        return float(0.5 * x @ (a @ x) - b @ x)

    def jac(x):
        return a @ x - b

    def hessp(x, p):
        return a @ p

    return Problem(f"quadratic-cond{cond:.0e}", fun, jac, hessp, np.zeros(n), fstar)


def double_well(n=10, tilt=0.3):
    """sum w_i ((x_i^2 - 1)^2 + tilt x_i): negative curvature at x0 = -0.05 (f'' = 12x^2 - 4)."""
    w = np.linspace(1.0, 10.0, n)
    roots = np.roots([4.0, 0.0, -4.0, tilt])
    r = float(np.min(roots.real))  # the deeper, negative well
    fstar = float(np.sum(w) * ((r * r - 1.0) ** 2 + tilt * r))

    def fun(x):
        return float(np.sum(w * ((x * x - 1.0) ** 2 + tilt * x)))

    def jac(x):
        return w * (4.0 * x * (x * x - 1.0) + tilt)

    def hessp(x, p):
        return w * (12.0 * x * x - 4.0) * p

    return Problem(f"double-well-{n}", fun, jac, hessp, np.full(n, -0.05), fstar)


def saddle():
    """0.5 x^2 + 0.25 y^4 - 0.5 y^2: a saddle at 0, minima (0, +-1) with f* = -1/4; x0 next to
    the saddle."""

    def fun(z):
        x, y = z
        return float(0.5 * x * x + 0.25 * y ** 4 - 0.5 * y * y)

    def jac(z):
        x, y = z
        return np.array([x, y ** 3 - y])

    def hessp(z, p):
        return np.array([p[0], (3.0 * z[1] ** 2 - 1.0) * p[1]])

    return Problem("saddle", fun, jac, hessp, np.array([1.0, 1e-3]), -0.25)


def logistic(m=200, n=10, lam=1e-2):
    """L2-regularized logistic regression on seeded data; f* from Newton's method."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((m, n))
    y = np.sign(X @ rng.standard_normal(n) + 0.5 * rng.standard_normal(m))

    def fun(w):
        return float(np.mean(np.logaddexp(0.0, -y * (X @ w))) + 0.5 * lam * w @ w)

    def _sig(w):  # sigma(-y Xw)
        return 0.5 * (1.0 - np.tanh(0.5 * y * (X @ w)))

    def jac(w):
        return -(X.T @ (y * _sig(w))) / m + lam * w

    def hessp(w, p):
        s = _sig(w)
        return X.T @ (s * (1.0 - s) * (X @ p)) / m + lam * p

    w = np.zeros(n)
    for _ in range(50):
        s = _sig(w)
        h = (X.T * (s * (1.0 - s))) @ X / m + lam * np.eye(n)
        w = w - np.linalg.solve(h, jac(w))
    return Problem("logistic", fun, jac, hessp, np.zeros(n), fun(w))


def all_problems():
    return [rosenbrock(2), rosenbrock(100), quadratic(1e2), quadratic(1e4), quadratic(1e6),
            double_well(), saddle(), logistic()]


class Counting:
    """Wraps fun/jac/hessp and counts the calls they really receive."""

    def __init__(self, problem, fail_at=None, exc=KeyboardInterrupt):
        self.p = problem
        self.calls = {"fun": 0, "jac": 0, "hessp": 0}
        self.fail_at = fail_at  # raise exc on this call of fun (1-based)
        self.exc = exc

    def fun(self, x):
        self.calls["fun"] += 1
        if self.fail_at is not None and self.calls["fun"] == self.fail_at:
            raise self.exc()
        return self.p.fun(x)

    def jac(self, x):
        self.calls["jac"] += 1
        return self.p.jac(x)

    def hessp(self, x, p):
        self.calls["hessp"] += 1
        return self.p.hessp(x, p)


# the solver x problem matrix's problems, by name (shared by test_matrix and test_newton_cg)
PROBLEMS = {
    "rosenbrock-2": lambda: rosenbrock(2),
    "rosenbrock-100": lambda: rosenbrock(100),
    "quadratic-1e2": lambda: quadratic(1e2),
    "quadratic-1e4": lambda: quadratic(1e4),
    "quadratic-1e6": lambda: quadratic(1e6),
    "double-well": double_well,  # negative curvature at x0
    "saddle": saddle,            # starts next to a saddle point
    "logistic": logistic,
}
