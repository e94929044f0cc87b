"""The generalized Cauchy point against a brute-force search along the projected path."""

import numpy as np
import pytest
from _bounded import filled_memory

from optkit.optim.bounded.cauchy import cauchy_point
from optkit.optim.bounded.compact import CompactMemory
from optkit.optim.bounds import Bounds


def _model(g, b):
    return lambda z: g @ z + 0.5 * z @ b @ z


def _first_local_min_on_path(x, g, bounds, b, t_max, samples=40_001):
    """Brute force: sample t on [0, t_max], return the first t where the model along
    P(x - t g) stops decreasing, and the model there."""
    ts = np.linspace(0.0, t_max, samples)
    path = np.clip(x[None, :] - ts[:, None] * g[None, :], bounds.lb, bounds.ub) - x
    vals = path @ g + 0.5 * np.einsum("ij,ij->i", path @ b, path)
    rising = np.flatnonzero(np.diff(vals) > 0)
    i = int(rising[0]) if rising.size else samples - 1
    return ts[i], vals[i], ts[1] - ts[0]


def _case(seed, n=8, m=4, count=6, on_bound=False):
    rng = np.random.default_rng(seed)
    mem, _ = filled_memory(rng, n, m, count) if count else (CompactMemory(m, n), None)
    lb = -rng.uniform(0.1, 1.0, n)
    ub = rng.uniform(0.1, 1.0, n)
    lb[0], ub[1] = -np.inf, np.inf           # some sides missing
    x = rng.uniform(lb.clip(-1), ub.clip(None, 1))
    if on_bound:
        x[2], x[3] = lb[2], ub[3]
    g = 2.0 * rng.standard_normal(n)
    return x, g, Bounds(lb, ub), mem


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("count", [0, 2, 6])
def test_cauchy_point_is_first_minimizer_along_path(seed, count):
    x, g, bounds, mem = _case(seed, count=count, on_bound=seed % 2 == 1)
    cp = cauchy_point(x, g, bounds, mem)
    model = _model(g, mem.dense())
    t_max = 3.0 * max(cp.t, 1e-3)
    t_bf, m_bf, h = _first_local_min_on_path(x, g, bounds, mem.dense(), t_max)
    assert bounds.contains(cp.x)
    np.testing.assert_allclose(cp.x, bounds.project(x - cp.t * g), rtol=0, atol=1e-12)
    assert abs(cp.t - t_bf) <= 2 * h
    assert model(cp.x - x) <= m_bf + 1e-12 * max(1.0, abs(m_bf))
    np.testing.assert_allclose(cp.c, mem.wt(cp.x - x), atol=1e-10)


def test_free_set_is_variables_off_their_bounds():
    x, g, bounds, mem = _case(11, on_bound=True)
    cp = cauchy_point(x, g, bounds, mem)
    at_bound = (cp.x <= bounds.lb) | (cp.x >= bounds.ub)
    np.testing.assert_array_equal(cp.free, ~at_bound)


def test_variable_on_bound_pushed_out_stays_fixed():
    bounds = Bounds([0.0, -1.0], [1.0, 1.0])
    x = np.array([0.0, 0.5])
    g = np.array([3.0, 1.0])        # variable 0 at its lower bound, gradient pushes out
    cp = cauchy_point(x, g, bounds, CompactMemory(3, 2))
    assert cp.x[0] == 0.0 and not cp.free[0]
    assert cp.x[1] == pytest.approx(-0.5)     # B = I: the unconstrained minimizer x - g


def test_fixed_variables_never_move():
    bounds = Bounds([0.5, -1.0, 2.0], [0.5, 1.0, 2.0])
    x = np.array([0.5, 0.0, 2.0])
    g = np.array([1.0, 0.3, 0.0])
    cp = cauchy_point(x, g, bounds, CompactMemory(3, 3))
    assert cp.x[0] == 0.5 and cp.x[2] == 2.0
    np.testing.assert_array_equal(cp.free, [False, True, False])


def test_many_breakpoints_in_several_batches():
    """More breakpoints than the first batches hold: the batched walk still finds the point
    the brute force finds."""
    rng = np.random.default_rng(5)
    n = 400
    mem, _ = filled_memory(rng, n, 5, 7)
    bounds = Bounds(-rng.uniform(0.001, 0.05, n), rng.uniform(0.001, 0.05, n))
    x = np.zeros(n)
    g = rng.standard_normal(n)
    cp = cauchy_point(x, g, bounds, mem)
    model = _model(g, mem.dense())
    t_bf, m_bf, h = _first_local_min_on_path(x, g, bounds, mem.dense(), 3 * cp.t, samples=20_001)
    assert np.count_nonzero(~cp.free) > 100          # the walk passed many breakpoints
    assert abs(cp.t - t_bf) <= 2 * h
    assert model(cp.x - x) <= m_bf + 1e-12 * abs(m_bf)


def test_no_finite_bounds_gives_minimizer_along_minus_g():
    rng = np.random.default_rng(6)
    mem, _ = filled_memory(rng, 6, 3, 4)
    g = rng.standard_normal(6)
    x = rng.standard_normal(6)
    cp = cauchy_point(x, g, Bounds(np.full(6, -np.inf), np.inf), mem)
    b = mem.dense()
    t_star = (g @ g) / (g @ b @ g)
    assert cp.t == pytest.approx(t_star, rel=1e-12)
    assert cp.free.all()
