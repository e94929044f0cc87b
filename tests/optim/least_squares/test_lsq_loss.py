"""Robust losses against scipy.optimize.least_squares on the same data and exact Jacobian."""

import numpy as np
import pytest
import scipy.optimize

from optkit.optim.driver import run
from optkit.optim.least_squares import LOSSES, LevenbergMarquardt, Loss
from optkit.optim.least_squares.gn_cg import GaussNewtonCG
from optkit.optim.residual import ResidualObjective

NAMES = sorted(LOSSES)


def _data():
    """An exponential decay with 4 gross outliers."""
    rng = np.random.default_rng(0)
    t = np.linspace(0.0, 4.0, 40)
    y = 3.0 * np.exp(-0.7 * t) + 0.5 + 0.02 * rng.standard_normal(t.size)
    y[[5, 13, 22, 31]] += np.array([2.0, -1.5, 3.0, 2.5])
    return t, y


T, Y = _data()


def fun(x):
    return x[0] * np.exp(-x[1] * T) + x[2] - Y


def jac(x):
    e = np.exp(-x[1] * T)
    return np.stack([e, -x[0] * T * e, np.ones_like(T)], axis=1)


X0 = np.array([1.0, 0.3, 0.0])


@pytest.mark.parametrize("name", NAMES)
def test_rho_derivatives(name):
    z = np.concatenate([np.linspace(0.01, 0.99, 7), np.linspace(1.01, 9.0, 7)])
    rho = np.array(LOSSES[name](z))
    h = 1e-6
    up, down = np.array(LOSSES[name](z + h)), np.array(LOSSES[name](z - h))
    np.testing.assert_allclose(rho[1], (up[0] - down[0]) / (2 * h), rtol=1e-6)
    np.testing.assert_allclose(rho[2], (up[1] - down[1]) / (2 * h), rtol=1e-5, atol=1e-9)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("f_scale", [1.0, 0.1])
def test_cost_and_gradient_match_scipy(name, f_scale):
    """max_nfev=1 makes scipy report cost and grad at x0 (trf evaluates nothing else)."""
    ref = scipy.optimize.least_squares(fun, X0, jac=jac, loss=name, f_scale=f_scale,
                                       max_nfev=1)
    np.testing.assert_array_equal(ref.x, X0)
    objective = ResidualObjective(fun, jac, loss=name, f_scale=f_scale)
    cost, grad = objective.f_and_g(X0)
    assert cost == pytest.approx(ref.cost, rel=1e-12)
    np.testing.assert_allclose(grad, ref.grad, rtol=1e-10, atol=1e-12 * np.abs(ref.grad).max())


@pytest.mark.parametrize("name", NAMES)
def test_gradient_is_the_derivative_of_the_cost(name):
    objective = ResidualObjective(fun, jac, loss=name, f_scale=0.3)
    x = np.array([2.5, 0.6, 0.4])
    _, grad = objective.f_and_g(x)
    for j in range(3):
        e = np.zeros(3)
        e[j] = 1e-6
        fd = (Loss(name, 0.3).cost(fun(x + e)) - Loss(name, 0.3).cost(fun(x - e))) / 2e-6
        assert grad[j] == pytest.approx(fd, rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("solver", [LevenbergMarquardt, GaussNewtonCG])
def test_robust_fit_matches_scipy(name, solver):
    """The same robust minimum as scipy's 'trf' (lm does not take losses in scipy). At
    f_scale = 0.3 every loss has one minimum near X0's basin (at 0.1 arctan has several, and
    scipy and we stop in different ones)."""
    ref = scipy.optimize.least_squares(fun, X0, jac=jac, loss=name, f_scale=0.3, xtol=1e-12,
                                       ftol=1e-12, gtol=1e-12)
    objective = ResidualObjective(fun, jac, loss=name, f_scale=0.3)
    result = run(solver(ftol=1e-12, xtol=1e-12, gtol=1e-12), objective, X0, gtol=0.0,
                 ftol=0.0, maxfev=2000)
    assert result.success, result.message
    assert result.fun == pytest.approx(ref.cost, rel=1e-8)
    np.testing.assert_allclose(result.x, ref.x, rtol=1e-5)


def test_robust_loss_downweights_outliers():
    """The huber fit is closer to the true decay than the linear one."""
    truth = np.array([3.0, 0.7, 0.5])
    fits = {}
    for name in ("linear", "huber"):
        result = run(LevenbergMarquardt(), ResidualObjective(fun, jac, loss=name, f_scale=0.1),
                     X0, gtol=0.0, ftol=0.0, maxfev=500)
        fits[name] = np.linalg.norm(result.x - truth)
    assert fits["huber"] < 0.5 * fits["linear"]


@pytest.mark.parametrize("bad, error", [(dict(rho="l2"), ValueError),
                                        (dict(rho=3), TypeError),
                                        (dict(f_scale=0.0), ValueError)])
def test_bad_losses_are_refused(bad, error):
    with pytest.raises(error):
        Loss(**bad)


def test_callable_loss_follows_scipy():
    def my_cauchy(z):
        return np.vstack([np.log1p(z), 1 / (1 + z), -1 / (1 + z) ** 2])

    r = fun(X0)
    np.testing.assert_allclose(Loss(my_cauchy, 0.5).derivatives(r),
                               Loss("cauchy", 0.5).derivatives(r), rtol=1e-14)
