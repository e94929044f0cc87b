"""Ill-conditioned convex quadratics f(x) = 1/2 (x - x*)^T A (x - x*), cond(A) = 1e2, 1e4, 1e6.

A = Q diag(d) Q^T with d log-spaced in [1, cond] and Q the orthogonal factor of a seeded
Gaussian matrix, so the eigenvectors are not the coordinate axes.  x* = 1 and f* = 0, so
the benchmark's test |f - f*| <= 1e-6 is an absolute one.  Start x0 = 0.
Source: the standard test of Nocedal & Wright 2006, sec. 3.3 (rate of steepest descent on
quadratics depends on the condition number).
"""

import numpy as np

from .registry import DimRange, scalable_spec

__all__ = ["SPECS"]

SEED = 0


def _dense_quadratic(cond):
    def make(n):
        rng = np.random.default_rng(SEED)
        q, _ = np.linalg.qr(rng.standard_normal((n, n)))
        d = np.logspace(0.0, np.log10(cond), n)
        a = (q * d) @ q.T
        a = 0.5 * (a + a.T)                    # exactly symmetric in floating point
        a.setflags(write=False)

        def objective(x):
            d = x - 1.0
            return 0.5 * np.dot(d, a @ d)

        def gradient(x):
            return a @ (np.asarray(x, dtype=float) - 1.0)

        return dict(objective=objective, gradient=gradient, x0=np.zeros(n), fstar=0.0,
                    xstar=np.ones(n))

    return make


SPECS = [
    scalable_spec(
        f"quadratic-cond{label}",
        f"Convex quadratic 1/2 (x - 1)^T A (x - 1), A dense with condition number {label} "
        "(eigenvalues log-spaced, random rotation from a fixed seed)",
        {"convex", "quadratic"},
        "Nocedal & Wright 2006, sec. 3.3; data generated with np.random.default_rng(0)",
        100, DimRange(2, 2000), _dense_quadratic(cond))
    for label, cond in (("1e2", 1e2), ("1e4", 1e4), ("1e6", 1e6))
]
