"""Ill-conditioned convex quadratics f(x) = 1/2 (x - x*)^T A (x - x*), cond(A) = 1e2, 1e4, 1e6.

A = Q diag(d) Q^T with d log-spaced in [1, cond] and Q = H1 H2 the product of two Householder
reflections H = I - 2 v v^T / (v^T v) with seeded Gaussian v, so A is dense and its
eigenvectors are not the coordinate axes, yet f costs O(n), so n is limited by memory only.  x* = 1
and f* = 0, so the benchmark's test |f - f*| <= 1e-6 is an absolute one.  Start x0 = 0.
Source: the standard test of Nocedal & Wright 2006, sec. 3.3 (the rate of steepest descent
on a quadratic is governed by the condition number).
"""

import numpy as np

from .registry import DimRange, scalable_spec

__all__ = ["SPECS"]

SEED = 0


def _dense_quadratic(cond):
    def make(n):
        rng = np.random.default_rng(SEED)
        v1, v2 = rng.standard_normal(n), rng.standard_normal(n)
        c1, c2 = 2.0 / np.dot(v1, v1), 2.0 / np.dot(v2, v2)
        d = np.logspace(0.0, np.log10(cond), n)
        for a in (v1, v2, d):
            a.setflags(write=False)

        def rotate(z):
            """Q^T z = H2 (H1 z); each reflection is its own transpose."""
            z = z - (c1 * np.dot(v1, z)) * v1
            return z - (c2 * np.dot(v2, z)) * v2

        def objective(x):
            y = rotate(x - 1.0)
            return 0.5 * np.sum(d * y * y)

        def gradient(x):
            w = d * rotate(np.asarray(x, dtype=float) - 1.0)
            w = w - (c2 * np.dot(v2, w)) * v2     # Q w = H1 (H2 w)
            return w - (c1 * np.dot(v1, w)) * v1

        return dict(objective=objective, gradient=gradient, x0=np.zeros(n), fstar=0.0,
                    xstar=np.ones(n))

    return make


SPECS = [
    scalable_spec(
        f"quadratic-cond{label}",
        f"Convex quadratic 1/2 (x - 1)^T A (x - 1), A dense with condition number {label} "
        "(eigenvalues log-spaced, eigenvectors rotated by two seeded Householder reflections)",
        {"convex", "quadratic"},
        "Nocedal & Wright 2006, sec. 3.3; reflections from np.random.default_rng(0)",
        100, DimRange(2), _dense_quadratic(cond))
    for label, cond in (("1e2", 1e2), ("1e4", 1e4), ("1e6", 1e6))
]
