"""The test data: hand-written Jacobians and second directional derivatives against
central finite differences (what geodesic acceleration consumes must be right)."""

import numpy as np
import pytest
from _lsq_problems import mgh_problems

ROWS = mgh_problems()


def _points(p):
    rng = np.random.default_rng(0)
    scale = np.maximum(np.abs(p.x0), 1e-2)
    return [p.x0, p.x0 + 0.01 * scale * rng.standard_normal(p.x0.size)]


@pytest.mark.parametrize("p", ROWS, ids=[p.name for p in ROWS])
def test_jacobian_matches_central_differences(p):
    for x in _points(p):
        jac = p.jac(x)
        h = 1e-6 * np.maximum(np.abs(x), 1e-3)
        fd = np.empty_like(jac)
        for j in range(x.size):
            e = np.zeros_like(x)
            e[j] = h[j]
            fd[:, j] = (p.residuals(x + e) - p.residuals(x - e)) / (2 * h[j])
        scale = np.maximum(np.abs(jac).max(axis=0), 1e-12)
        rounding = 1e-14 * np.abs(p.residuals(x)).max() / h  # cancellation in the difference
        assert np.all(np.abs(fd - jac) <= 1e-5 * scale + rounding), p.name


@pytest.mark.parametrize("p", [p for p in ROWS if p.rvv is not None],
                         ids=[p.name for p in ROWS if p.rvv is not None])
def test_second_directional_derivative_matches_differences_of_J(p):
    """r''(x)[v, v] = d/dt J(x + t v) v at t = 0, by central differences of the exact J."""
    rng = np.random.default_rng(1)
    for x in _points(p):
        v = rng.standard_normal(x.size) * np.maximum(np.abs(x), 1e-2) * 1e-2
        h = 1e-5
        fd = (p.jac(x + h * v) @ v - p.jac(x - h * v) @ v) / (2 * h)
        exact = p.rvv(x, v)
        assert np.allclose(exact, fd, rtol=1e-6, atol=1e-9 * np.abs(fd).max()), p.name
