"""lbfgs with bounds (L-BFGS-B) through the driver: every evaluation inside the box, the
degenerate boxes, the unbounded case identical to plain L-BFGS, the bounded problems."""

import warnings

import numpy as np
import pytest

from optkit.optim import Backtracking, solve
from optkit.optim.bounds import Bounds


def _rosen(x):
    return float(np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2))


def _rosen_grad(x):
    g = np.zeros_like(x)
    t = x[1:] - x[:-1] ** 2
    g[:-1] = -400.0 * x[:-1] * t - 2.0 * (1.0 - x[:-1])
    g[1:] += 200.0 * t
    return g


class Recorder:
    """f and g of Rosenbrock (or another pair) that keep every point they were called at."""

    def __init__(self, fun=_rosen, grad=_rosen_grad):
        self.points = []
        self._fun, self._grad = fun, grad

    def fun(self, x):
        self.points.append(np.array(x))
        return self._fun(x)

    def jac(self, x):
        self.points.append(np.array(x))
        return self._grad(x)


def _box_rosenbrock(n):
    lb = np.where(np.arange(n) % 2 == 0, -2.0, 1.5)
    ub = np.where(np.arange(n) % 4 == 0, 0.5, 2.0)
    return Bounds(lb, ub)


@pytest.mark.parametrize("n", [2, 10, 50])
@pytest.mark.parametrize("linesearch", [None, Backtracking()])
def test_every_evaluated_point_is_in_the_box(n, linesearch):
    bounds = _box_rosenbrock(n)
    rec = Recorder()
    x0 = np.full(n, -1.2)
    extra = {} if linesearch is None else {"linesearch": linesearch}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)   # x0 partly outside: projected
        res = solve(rec.fun, x0, jac=rec.jac, bounds=bounds, **extra)
    assert res.success, res.message
    assert len(rec.points) == res.nfev + res.njev
    outside = [p for p in rec.points if not bounds.contains(p)]
    assert outside == []
    assert bounds.contains(res.x)
    assert bounds.projected_gradient_norm(res.x, _rosen_grad(res.x)) <= 1e-5


def test_x0_outside_is_projected_with_one_warning():
    bounds = Bounds(0.0, 1.0)
    with pytest.warns(UserWarning, match="3 of 4 components") as caught:
        res = solve(_rosen, [2.0, -1.0, 0.5, 7.0], jac=_rosen_grad, bounds=bounds)
    assert len(caught) == 1
    assert res.success
    np.testing.assert_allclose(res.x, 1.0, atol=1e-4)


def test_x0_on_a_bound_that_stays_active():
    # minimum of Rosenbrock over x_0 <= 0.5 has x_0 = 0.5 active; start exactly there
    bounds = Bounds([-np.inf, -np.inf], [0.5, np.inf])
    res = solve(_rosen, [0.5, 3.0], jac=_rosen_grad, bounds=bounds)
    assert res.success
    assert res.x[0] == 0.5
    np.testing.assert_array_equal(res.active_mask, [1, 0])
    assert res.fun == pytest.approx(0.25, rel=1e-8)


def test_fixed_variables_lo_equals_hi():
    n = 6
    lb = np.full(n, -5.0)
    ub = np.full(n, 5.0)
    lb[[1, 4]] = ub[[1, 4]] = [0.3, -0.7]
    rec = Recorder()
    x0 = np.zeros(n)
    x0[[1, 4]] = [0.3, -0.7]
    res = solve(rec.fun, x0, jac=rec.jac, bounds=Bounds(lb, ub))
    assert res.success, res.message
    assert res.x[1] == 0.3 and res.x[4] == -0.7
    assert all(p[1] == 0.3 and p[4] == -0.7 for p in rec.points)
    assert res.active_mask[1] == 1 and res.active_mask[4] == 1


def test_all_bounds_infinite_is_plain_lbfgs_iteration_for_iteration():
    n = 8
    x0 = np.linspace(-1.5, 1.0, n)
    runs = []
    for bounds in (None, Bounds(np.full(n, -np.inf), np.inf), [(None, None)] * n):
        rec = Recorder()
        iterates = []
        res = solve(rec.fun, x0, jac=rec.jac, bounds=bounds,
                    callback=lambda r, it=iterates: it.append(np.array(r.x)))
        runs.append((res, iterates, rec.points))
    base, base_iterates, base_points = runs[0]
    for res, iterates, points in runs[1:]:
        assert res.nit == base.nit and res.nfev == base.nfev
        np.testing.assert_array_equal(np.array(iterates), np.array(base_iterates))
        np.testing.assert_array_equal(np.array(points), np.array(base_points))
        np.testing.assert_array_equal(res.x, base.x)


def test_stationarity_is_the_projected_gradient():
    # f = sum(x): the minimum over [1, 2]^3 is the corner x = 1, where g = 1 != 0
    res = solve(lambda x: float(np.sum(x)), [1.5, 1.7, 2.0], jac=lambda x: np.ones(3),
                bounds=[(1.0, 2.0)] * 3)
    assert res.success
    np.testing.assert_array_equal(res.x, [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(res.active_mask, [-1, -1, -1])


# The library's bounded problems, with every method: tests/optim/bounded/test_every_problem.py
