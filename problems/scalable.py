"""Scalable problems outside the MGH set: chained Rosenbrock, Dixon-Price, Trid, Zakharov.

References: M. Jamil & X.-S. Yang, "A literature survey of benchmark functions for global
optimization problems", Int. J. Math. Modelling Num. Opt. 4(2), 2013 (JY); the CUTEst
collection (Gould, Orban & Toint 2015).  None of them has a canonical start in the survey;
the start used is stated in each source string.
"""

import numpy as np

from .registry import DimRange, scalable_spec

__all__ = ["SPECS"]



def _chained_rosenbrock(n):
    def residuals(x):
        return np.concatenate([10.0 * (x[1:] - x[:-1] ** 2), 1.0 - x[:-1]])

    return dict(residuals=residuals, x0=np.arange(1.0, n + 1.0) / (n + 1.0), fstar=0.0,
                xstar=np.ones(n))


def _dixon_price(n):
    weights = np.sqrt(np.arange(2.0, n + 1.0))
    weights.setflags(write=False)

    def residuals(x):
        return np.concatenate([np.stack([x[0] - 1.0]), weights * (2.0 * x[1:] ** 2 - x[:-1])])

    i = np.arange(1.0, n + 1.0)
    # x*_i = 2^(-(2^i - 2) / 2^i) = 2^(2^(1-i) - 1), written so that large i cannot overflow
    xstar = np.exp2(np.exp2(1.0 - i) - 1.0)
    return dict(residuals=residuals, x0=np.full(n, 0.5), fstar=0.0, xstar=xstar)


def _trid(n):
    def objective(x):
        return np.sum((x - 1.0) ** 2) - np.sum(x[1:] * x[:-1])

    def gradient(x):
        x = np.asarray(x, dtype=float)  # hand-written gradient: plain arrays only
        g = 2.0 * (x - 1.0)
        g[1:] -= x[:-1]
        g[:-1] -= x[1:]
        return g

    i = np.arange(1.0, n + 1.0)
    return dict(objective=objective, gradient=gradient, x0=np.zeros(n),
                fstar=-n * (n + 4.0) * (n - 1.0) / 6.0, xstar=i * (n + 1.0 - i))


def _zakharov(n):
    half_i = 0.5 * np.arange(1.0, n + 1.0)
    half_i.setflags(write=False)

    def objective(x):
        s = np.dot(half_i, x)
        return np.sum(x * x) + s ** 2 + s ** 4

    return dict(objective=objective, x0=np.ones(n), fstar=0.0, xstar=np.zeros(n))


SPECS = [
    scalable_spec(
        "chained-rosenbrock",
        "Chained (generalized) Rosenbrock, sum 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2",
        {"nonconvex", "least-squares"}, "CUTEst GENROSE (start x_i = i/(n+1))",
        100, DimRange(2), _chained_rosenbrock),
    scalable_spec(
        "dixon-price",
        "Dixon-Price, (x1 - 1)^2 + sum_i i (2 x_i^2 - x_{i-1})^2; 2^(n-1) global minima "
        "(signs of x_2..x_n), all with f = 0",
        {"nonconvex", "least-squares"},
        "Dixon & Price 1989; Jamil & Yang 2013, function 48 (start x = 1/2: from x = 1 "
        "BFGS stops at the local minimum f = 2/3 for n >= 100)",
        100, DimRange(2), _dixon_price),
    scalable_spec(
        "trid", "Trid: convex quadratic with x*_i = i (n + 1 - i), f* = -n (n + 4) (n - 1) / 6",
        {"convex", "quadratic"}, "Jamil & Yang 2013, function 150 (start x = 0)",
        100, DimRange(2), _trid),
    scalable_spec(
        "zakharov", "Zakharov: sum x_i^2 + s^2 + s^4 with s = sum i x_i / 2",
        {"convex"}, "Jamil & Yang 2013, function 172 (start x = 1)",
        10, DimRange(2), _zakharov),
]
