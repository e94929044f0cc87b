"""Box-constrained variants of classic problems, each with a bound active at the solution.

The boxes are defined here (the functions are the classics); each f* is exact or computed to
full precision, as each docstring says:

- rosenbrock-box: Rosenbrock (1960) with x1 <= 1/2.  For x1 <= 1/2, f >= (1 - x1)^2 >= 1/4,
  with equality only at (1/2, 1/4): f* = 1/4 exactly, df/dx1 = -1 there (bound active).
- extended-rosenbrock-box: the extended Rosenbrock function (More, Garbow & Hillstrom 1981,
  problem 21) in [-2, 2]^n with x_{4k+1} <= 1/2: it separates into pairs, every other pair is
  rosenbrock-box (x* = (1/2, 1/4), f = 1/4) and the others reach (1, 1), f = 0.
- powell-badly-scaled-box: More, Garbow & Hillstrom 1981, problem 3, in [0, 1] x [1, 3],
  which cuts off the unconstrained solution (x2* = 9.106).  r2 decreases in x2, so x2 = 3 is
  active (df/dx2 = -4.9e-3 there); x1 solves d/dx1 f(x1, 3) = 0, found by a 40-digit Newton
  solve (mpmath) and confirmed by scipy's L-BFGS-B from eight starts (nothing lower).
- trid-box: the Trid function (Jamil & Yang 2013) on [0, n/2]^n, a strictly convex quadratic
  whose middle components sit at the upper bound.  Solved exactly (`_trid_box_solution`).
"""

import numpy as np

from optkit.optim.bounds import Bounds

from .registry import DimRange, fixed_spec, scalable_spec

__all__ = ["SPECS"]

_BIG = 100_000


def _rosenbrock(x):
    return 100.0 * (x[1] - x[0] ** 2) ** 2 + (1.0 - x[0]) ** 2


def _powell_badly_scaled(x):
    return (1e4 * x[0] * x[1] - 1.0) ** 2 + (np.exp(-x[0]) + np.exp(-x[1]) - 1.0001) ** 2


def _extended_rosenbrock_box(n):
    def objective(x):
        odd, even = x[0::2], x[1::2]
        return np.sum(100.0 * (even - odd ** 2) ** 2 + (1.0 - odd) ** 2)

    pairs = n // 2
    capped = np.arange(pairs) % 2 == 0            # pairs 0, 2, 4, ...: x_{2k} <= 1/2
    ub = np.full(n, 2.0)
    ub[0::2][capped] = 0.5
    xstar = np.ones(n)
    xstar[0::2][capped] = 0.5
    xstar[1::2][capped] = 0.25
    return dict(objective=objective, x0=np.tile([-1.2, 1.0], pairs),
                bounds=Bounds(-2.0, ub), fstar=0.25 * int(capped.sum()), xstar=xstar)


def _trid_box_solution(n, c):
    """The minimizer of sum (x_i - 1)^2 - sum x_i x_{i-1} over [0, c]^n.

    The Hessian tridiag(-1, 2, -1) is positive definite, so the minimizer is unique, and
    symmetric (x_i = x_{n+1-i}).  With the middle block {k+1, .., n-k} at c, the free ends
    solve x_{i+1} - 2 x_i + x_{i-1} = -2 with x_0 = 0 and x_{k+1} = c, whose solution is
    x_i = i (alpha - i), alpha = (k + 1) + c / (k + 1).  The first k for which the free
    values lie in [0, c] and the gradient at x_{k+1} is <= 0 (x_k >= c - 2, or c - 1 when
    the block is one component) satisfies every KKT condition, hence is the solution.
    """
    for k in range((n + 1) // 2):
        alpha = (k + 1) + c / (k + 1)
        free = np.arange(1, k + 1) * (alpha - np.arange(1, k + 1))
        last = free[-1] if k else 0.0
        need = c - 1.0 if 2 * k + 1 == n else c - 2.0
        if last >= need and np.all((free >= 0.0) & (free <= c)):
            x = np.full(n, float(c))
            x[:k] = free
            x[n - k:] = free[::-1]
            return x
    raise AssertionError(f"trid-box: no active set found for n={n}")  # cannot happen


def _trid(x):
    return np.sum((x - 1.0) ** 2) - np.sum(x[1:] * x[:-1])


def _trid_gradient(x):
    x = np.asarray(x, dtype=float)  # hand-written gradient: plain arrays only
    g = 2.0 * (x - 1.0)
    g[1:] -= x[:-1]
    g[:-1] -= x[1:]
    return g


def _trid_box(n):
    c = n / 2.0
    xstar = _trid_box_solution(n, c)
    return dict(objective=_trid, gradient=_trid_gradient, x0=np.zeros(n),
                bounds=Bounds(0.0, c), fstar=float(_trid(xstar)), xstar=xstar)


SPECS = [
    fixed_spec(
        "rosenbrock-box", "Rosenbrock in [-2, 1/2] x [-1, 2]: x* = (1/2, 1/4), f* = 1/4",
        {"nonconvex"}, "Rosenbrock 1960; box defined here, f* exact (module docstring)",
        objective=_rosenbrock, x0=[-1.2, 1.0], bounds=[(-2.0, 0.5), (-1.0, 2.0)],
        fstar=0.25, xstar=[0.5, 0.25]),
    scalable_spec(
        "extended-rosenbrock-box",
        "Extended Rosenbrock in [-2, 2]^n with x_{4k+1} <= 1/2: half the pairs end at "
        "(1/2, 1/4), f* = n/8 rounded up to a multiple of 1/4",
        {"nonconvex", "bounds"},
        "More, Garbow & Hillstrom 1981, problem 21; box defined here, f* exact; start "
        "(-1.2, 1, ...)", 100, DimRange(2, _BIG, 2), _extended_rosenbrock_box),
    fixed_spec(
        "powell-badly-scaled-box",
        "Powell's badly scaled function in [0, 1] x [1, 3]: the bound x2 <= 3 is active",
        {"nonconvex"},
        "More, Garbow & Hillstrom 1981, problem 3; box defined here, x* by a 40-digit "
        "Newton solve", objective=_powell_badly_scaled, x0=[0.0, 1.0],
        bounds=[(0.0, 1.0), (1.0, 3.0)], fstar=0.002465493455310321943,
        xstar=[3.3333388502311594712e-05, 3.0]),
    scalable_spec(
        "trid-box", "Trid on [0, n/2]^n: the middle components sit at the upper bound",
        {"convex", "quadratic", "bounds"},
        "Jamil & Yang 2013 (Trid); box defined here, x* exact (module docstring); start 0",
        100, DimRange(2, _BIG), _trid_box),
]
