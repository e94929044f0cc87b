"""Subspace minimization against a dense solve on the free variables, and the step back into
the box (Morales & Nocedal's projection, else the backtrack)."""

import numpy as np
import pytest
from _bounded import filled_memory

from optkit.optim.bounded.cauchy import cauchy_point
from optkit.optim.bounded.compact import CompactMemory
from optkit.optim.bounded.direction import lbfgsb_direction
from optkit.optim.bounded.subspace import box_point, subspace_minimizer
from optkit.optim.bounds import Bounds


def _case(seed, n=10, count=6):
    rng = np.random.default_rng(seed)
    mem, _ = filled_memory(rng, n, 4, count) if count else (CompactMemory(4, n), None)
    lb = -rng.uniform(0.1, 1.0, n)
    ub = rng.uniform(0.1, 1.0, n)
    x = rng.uniform(lb, ub)
    g = 2.0 * rng.standard_normal(n)
    return x, g, Bounds(lb, ub), mem


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("count", [0, 3, 6])
def test_subspace_step_matches_dense_solve(seed, count):
    x, g, bounds, mem = _case(seed, count=count)
    cp = cauchy_point(x, g, bounds, mem)
    xbar, du = subspace_minimizer(x, g, cp, mem)
    b = mem.dense()
    free = cp.free
    assert free.any()
    # minimize g'z + z'Bz/2 over z = x^c - x + Z d: B_FF d = -(g + B (x^c - x))_F
    want = np.linalg.solve(b[np.ix_(free, free)], -(g + b @ (cp.x - x))[free])
    np.testing.assert_allclose(du, want, rtol=1e-9, atol=1e-11)
    np.testing.assert_array_equal(xbar[~free], cp.x[~free])


def test_subspace_gram_cache_survives_repeated_calls():
    """The incremental W_F'W_F gives the same step on a second call with another free set."""
    x, g, bounds, mem = _case(3)
    for shift in (0.0, 0.3, -0.2):
        xs = bounds.project(x + shift)
        cp = cauchy_point(xs, g, bounds, mem)
        _, du = subspace_minimizer(xs, g, cp, mem)
        b = mem.dense()
        f = cp.free
        want = np.linalg.solve(b[np.ix_(f, f)], -(g + b @ (cp.x - xs))[f])
        np.testing.assert_allclose(du, want, rtol=1e-9, atol=1e-11)


def test_box_point_projects_when_descent():
    bounds = Bounds([0.0, 0.0], [1.0, 1.0])
    x = np.array([0.5, 0.5])
    g = np.array([-1.0, -1.0])
    cp = cauchy_point(x, g, bounds, CompactMemory(2, 2))
    xbar = np.array([1.5, 0.9])              # leaves the box in variable 0
    du = xbar - cp.x
    out = box_point(x, g, cp, xbar, du, bounds)
    np.testing.assert_array_equal(out, [1.0, 0.9])


def test_box_point_backtracks_when_projection_ascends():
    bounds = Bounds([0.0, 0.0], [10.0, 10.0])
    x = np.array([0.5, 5.0])
    g = np.array([-1.0, 1.0])
    cp = cauchy_point(x, g, bounds, CompactMemory(2, 2))   # B = I: x^c = x - g, both free
    np.testing.assert_allclose(cp.x, [1.5, 4.0])
    # a made-up subspace point whose projection (0.5, 10) is an ascent direction from x
    du = np.array([-1.0, 20.0])
    out = box_point(x, g, cp, cp.x + du, du, bounds)
    # backtrack: variable 1 reaches its upper bound 10 at alpha = 6 / 20
    np.testing.assert_allclose(out, [1.5 - 0.3, 10.0])
    assert out[1] == 10.0


@pytest.mark.parametrize("seed", range(5))
def test_direction_is_feasible_descent(seed):
    x, g, bounds, mem = _case(seed)
    d = lbfgsb_direction(x, g, bounds, mem)
    assert d is not None and g @ d < 0
    # x + d is the end point in the box, up to the rounding of x + (x_bar - x)
    assert bounds.contains(bounds.project(x + d))
    np.testing.assert_allclose(bounds.project(x + d), x + d, rtol=0, atol=1e-15)
    assert bounds.max_step(x, d) >= 1.0 - 1e-12
