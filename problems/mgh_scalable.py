"""Variable-dimension problems of More, Garbow & Hillstrom (1981), f(x) = sum_i r_i(x)^2.

Where f* depends on n and has no closed form it is tabulated for the allowed range of n;
those values were refined numerically (scipy.optimize.least_squares, tolerances 1e-15, and
BFGS from the standard start) and checked against the paper where it quotes one.
"""

import numpy as np

from .registry import DimRange, scalable_spec

__all__ = ["SPECS"]

_MGH = "More, Garbow & Hillstrom 1981, problem {}"


def _spec(name, description, tags, source, default_n, n_range, make):
    """A scalable MGH least-squares spec; `make(n)` returns (residuals, x0, fstar, xstar)."""

    def parts(n):
        residuals, x0, fstar, xstar = make(n)
        return dict(residuals=residuals, x0=x0, fstar=fstar, xstar=xstar)

    return scalable_spec(name, description, frozenset(tags) | {"least-squares", "mgh"}, source,
                         default_n, n_range, parts)


def _const(a):
    a = np.asarray(a, dtype=float)
    a.setflags(write=False)
    return a


# --- Watson (MGH 20) -----------------------------------------------------------------------
# f* for n = 2..12, refined numerically in a shifted-Chebyshev basis, where the fit is well
# conditioned (MGH: 2.28767e-3 for n=6, 1.39976e-6 for n=9, 4.72238e-10 for n=12).
_WATSON_FSTAR = {
    2: 0.5466078558746468, 3: 0.4713997225209566, 4: 0.06958772678589419,
    5: 0.01715436626901863, 6: 0.0022876700535523174, 7: 0.00022420710116240392,
    8: 1.8162282123252277e-05, 9: 1.3997601380916834e-06, 10: 1.0193951822123614e-07,
    11: 7.108383640552581e-09, 12: 4.72238110170703e-10,
}


def _watson(n):
    t = np.arange(1.0, 30.0) / 29.0
    k = np.arange(n)
    powers = _const(t[:, None] ** k)                                   # t_i^(k)
    slopes = _const(k * t[:, None] ** np.maximum(k - 1, 0))           # k t_i^(k-1)

    def residuals(x):
        fit = slopes @ x - (powers @ x) ** 2 - 1.0
        return np.concatenate([fit, np.stack([x[0], x[1] - x[0] ** 2 - 1.0])])

    return residuals, np.zeros(n), _WATSON_FSTAR[n], None


# --- Extended Rosenbrock (MGH 21) -----------------------------------------------------------
def _extended_rosenbrock(n):
    def residuals(x):
        return np.concatenate([10.0 * (x[1::2] - x[::2] ** 2), 1.0 - x[::2]])

    return residuals, np.tile([-1.2, 1.0], n // 2), 0.0, np.ones(n)


# --- Extended Powell singular (MGH 22) ------------------------------------------------------
def _extended_powell(n):
    def residuals(x):
        x1, x2, x3, x4 = x[0::4], x[1::4], x[2::4], x[3::4]
        return np.concatenate([x1 + 10.0 * x2, np.sqrt(5.0) * (x3 - x4),
                               (x2 - 2.0 * x3) ** 2, np.sqrt(10.0) * (x1 - x4) ** 2])

    return residuals, np.tile([3.0, -1.0, 0.0, 1.0], n // 4), 0.0, np.zeros(n)


# --- Penalty I (MGH 23) --------------------------------------------------------------------
_PENALTY_A = 1e-5


def _penalty1_optimum(n):
    """By symmetry and Cauchy-Schwarz the minimizer has equal entries t; minimize
    g(t) = n a (t - 1)^2 + (n t^2 - 1/4)^2, whose stationarity condition is the cubic
    4 n^2 t^3 + (2 n a - n) t - 2 n a = 0."""
    a = _PENALTY_A
    roots = np.roots([4.0 * n * n, 0.0, 2.0 * n * a - n, -2.0 * n * a])
    ts = roots[np.abs(roots.imag) < 1e-12].real
    values = n * a * (ts - 1.0) ** 2 + (n * ts ** 2 - 0.25) ** 2
    t = ts[np.argmin(values)]
    # one Newton polish of g'(t) = 0 in double precision
    d1 = 2 * n * a * (t - 1.0) + 4 * n * t * (n * t * t - 0.25)
    d2 = 2 * n * a + 12 * n * n * t * t - n
    t = t - d1 / d2
    xstar = np.full(n, t)
    return xstar


def _penalty1(n):
    sa = np.sqrt(_PENALTY_A)

    def residuals(x):
        return np.concatenate([sa * (x - 1.0), np.stack([np.sum(x * x) - 0.25])])

    xstar = _penalty1_optimum(n)
    fstar = float(np.sum(residuals(xstar) ** 2))
    return residuals, np.arange(1.0, n + 1.0), fstar, xstar


# --- Penalty II (MGH 24) -------------------------------------------------------------------
# f* for n = 2..20, refined numerically (MGH: 9.37629e-6 for n=4, 2.93660e-4 for n=10).
_PENALTY2_FSTAR = {
    2: 8.066390041118836e-07, 3: 3.198128332352976e-06, 4: 9.376293007355439e-06,
    5: 2.1387545317713596e-05, 6: 4.193121586150154e-05, 7: 7.445574904331354e-05,
    8: 0.00012333507986205203, 9: 0.0001940899005445314, 10: 0.000293660537456746,
    11: 0.0004307423701193286, 12: 0.0006161977108735471, 13: 0.0008635613030849411,
    14: 0.0011896604590264908, 15: 0.0016153755669550828, 16: 0.002166572465038982,
    17: 0.0028752452659235902, 18: 0.003780916954844968, 19: 0.004932355942227257,
    20: 0.0063896804553557635,
}


def _penalty2(n):
    sa = np.sqrt(_PENALTY_A)
    i = np.arange(2.0, n + 1.0)
    y = _const(np.exp(i / 10.0) + np.exp((i - 1.0) / 10.0))
    weights = _const(np.arange(n, 0.0, -1.0))
    e = np.exp(-0.1)

    def residuals(x):
        ex = np.exp(x / 10.0)
        return np.concatenate([
            np.stack([x[0] - 0.2]),
            sa * (ex[1:] + ex[:-1] - y),
            sa * (ex[1:] - e),
            np.stack([np.sum(weights * x * x) - 1.0])])

    return residuals, np.full(n, 0.5), _PENALTY2_FSTAR[n], None


# --- Variably dimensioned (MGH 25) ------------------------------------------------------------
def _variably_dimensioned(n):
    j = _const(np.arange(1.0, n + 1.0))

    def residuals(x):
        s = np.sum(j * (x - 1.0))
        return np.concatenate([x - 1.0, np.stack([s, s * s])])

    return residuals, 1.0 - np.arange(1.0, n + 1.0) / n, 0.0, np.ones(n)


# --- Trigonometric (MGH 26) ----------------------------------------------------------------
def _trigonometric(n):
    i = _const(np.arange(1.0, n + 1.0))

    def residuals(x):
        c = np.cos(x)
        return n - np.sum(c) + i * (1.0 - c) - np.sin(x)

    return residuals, np.full(n, 1.0 / n), 0.0, np.zeros(n)


# --- Discrete boundary value (MGH 28) ----------------------------------------------------------
def _discrete_boundary_value(n):
    h = 1.0 / (n + 1)
    t = _const(np.arange(1.0, n + 1.0) * h)
    zero = np.zeros(1)

    def residuals(x):
        left = np.concatenate([zero, x[:-1]])
        right = np.concatenate([x[1:], zero])
        # MGH's r_i divided by h^2: the discretized ODE itself, so f is O(n) rather than
        # O(n^-3) and an absolute tolerance on f means the same thing at every n.
        return (2.0 * x - left - right) / (h * h) + (x + t + 1.0) ** 3 / 2.0

    return residuals, t * (t - 1.0), 0.0, None


# --- Broyden tridiagonal (MGH 30) -------------------------------------------------------------
def _broyden_tridiagonal(n):
    zero = np.zeros(1)

    def residuals(x):
        left = np.concatenate([zero, x[:-1]])
        right = np.concatenate([x[1:], zero])
        return (3.0 - 2.0 * x) * x - left - 2.0 * right + 1.0

    return residuals, -np.ones(n), 0.0, None


# --- Broyden banded (MGH 31), lower bandwidth 5, upper bandwidth 1 ----------------------------
def _shift(v, k, n):
    """v shifted so that entry i holds v[i + k] (zero outside 0..n-1); k != 0."""
    k_abs = min(abs(k), n)
    pad = np.zeros(k_abs)
    if k > 0:
        return np.concatenate([v[k_abs:], pad])
    return np.concatenate([pad, v[:n - k_abs]])


def _broyden_banded(n):
    def residuals(x):
        g = x * (1.0 + x)
        band = _shift(g, 1, n)
        for k in range(1, 6):
            band = band + _shift(g, -k, n)
        return x * (2.0 + 5.0 * x * x) + 1.0 - band

    return residuals, -np.ones(n), 0.0, None


# --- Linear function, full rank (MGH 32), m = 2n ----------------------------------------------
def _linear_full_rank(n):
    m = 2 * n

    def residuals(x):
        s = 2.0 * np.sum(x) / m + 1.0
        return np.concatenate([x - s, -s * np.ones(m - n)])

    return residuals, np.ones(n), float(m - n), -np.ones(n)


# --- Chebyquad (MGH 35), m = n ----------------------------------------------------------------
# f* for n = 2..10 (n = 1 starts at its solution): zero for n <= 7 and n = 9; for n = 8
# and 10 refined numerically (MGH: 3.51687e-3 and 6.50395e-3).
_CHEBYQUAD_FSTAR = {2: 0.0, 3: 0.0, 4: 0.0, 5: 0.0, 6: 0.0, 7: 0.0,
                    8: 0.0035168737256779364, 9: 0.0, 10: 0.006503954800882413}


def _chebyquad(n):
    order = np.arange(1, n + 1)
    even = order % 2 == 0
    integrals = _const(np.where(even, -1.0 / np.maximum(order * order - 1.0, 1.0), 0.0))

    def residuals(x):
        y = 2.0 * x - 1.0          # shifted Chebyshev polynomials T_i(2x - 1) on [0, 1]
        prev, cur = 1.0, y
        means = [np.mean(cur)]
        for _ in range(n - 1):
            prev, cur = cur, 2.0 * y * cur - prev
            means.append(np.mean(cur))
        return np.stack(means) - integrals

    return residuals, np.arange(1.0, n + 1.0) / (n + 1), _CHEBYQUAD_FSTAR[n], None


SPECS = [
    _spec("watson", "Watson's polynomial fit, m = 31", {"nonconvex"},
          _MGH.format(20), 6, DimRange(2, 12), _watson),
    _spec("extended-rosenbrock", "Extended Rosenbrock: n/2 independent banana valleys",
          {"nonconvex"}, _MGH.format(21), 100, DimRange(2, multiple_of=2), _extended_rosenbrock),
    _spec("extended-powell", "Extended Powell singular: n/4 copies, singular Hessian at x*",
          {"convex"}, _MGH.format(22), 100, DimRange(4, multiple_of=4), _extended_powell),
    _spec("penalty1", "Penalty function I, f* from the symmetric 1-D reduction",
          {"nonconvex"}, _MGH.format(23), 10, DimRange(1), _penalty1),
    _spec("penalty2", "Penalty function II", {"nonconvex"},
          _MGH.format(24), 10, DimRange(2, 20), _penalty2),
    _spec("variably-dimensioned", "Variably dimensioned function (quartic in sum j (x_j - 1))",
          {"convex"}, _MGH.format(25), 100, DimRange(1), _variably_dimensioned),
    _spec("trigonometric",
          "Trigonometric function of Spedicato: global minimum f* = 0 at x = 0; from the "
          "standard start BFGS reaches a local minimum (f = 2.79506e-5 at n = 10, "
          "1.84096e-6 at n = 100)",
          {"nonconvex", "start-local-min"},
          _MGH.format(26), 10, DimRange(1), _trigonometric),
    _spec("discrete-boundary-value",
          "Discrete two-point boundary value problem u'' = (u + t + 1)^3 / 2, residuals "
          "scaled by 1/h^2", {"nonconvex"}, _MGH.format(28) + " (residuals scaled by 1/h^2)",
          100, DimRange(1), _discrete_boundary_value),
    _spec("broyden-tridiagonal",
          "Broyden tridiagonal function; at large n the sum of squares has local minima "
          "that quasi-Newton methods can stop at (n = 1000: L-BFGS-B ends at f = 0.7125)",
          {"nonconvex"},
          _MGH.format(30), 100, DimRange(1), _broyden_tridiagonal),
    _spec("broyden-banded", "Broyden banded function (bandwidths 5 and 1)", {"nonconvex"},
          _MGH.format(31), 100, DimRange(1), _broyden_banded),
    _spec("linear-full-rank", "Linear function of full rank, m = 2n, f* = n at x = -1",
          {"convex", "quadratic"}, _MGH.format(32) + " with m = 2n", 100, DimRange(1),
          _linear_full_rank),
    _spec("chebyquad", "Fletcher's Chebyquad: equal-weight quadrature nodes on [0, 1], m = n",
          {"nonconvex"}, _MGH.format(35), 8, DimRange(2, 10), _chebyquad),
]
