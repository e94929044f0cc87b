"""optkit's solvers inside scipy.optimize.minimize (SciPy's custom-method protocol)."""

import numpy as np
import pytest
import scipy.optimize as so

import optkit.scipy as oks

from .scipy_counting import counting_rosen_derivatives

X0 = np.array([-1.2, 1.0])
METHODS = [oks.lbfgs, oks.gradient_descent, oks.newton_cg]


def rosen(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def quadratic(x):
    return np.sum(np.arange(1.0, x.size + 1) * x * x)


@pytest.mark.parametrize("method", [oks.lbfgs, oks.newton_cg])
def test_rosenbrock_through_scipy(method):
    res = so.minimize(rosen, X0, method=method)
    assert type(res) is so.OptimizeResult
    assert res.success and res.status == 0
    np.testing.assert_allclose(res.x, [1.0, 1.0], atol=1e-5)
    for field in ("fun", "jac", "nit", "nfev", "njev", "nhev", "message"):
        assert field in res


def test_gradient_descent_through_scipy():
    res = so.minimize(quadratic, np.ones(5), method=oks.gradient_descent)
    assert res.success and res.fun < 1e-8


@pytest.mark.parametrize("method", METHODS)
def test_hand_written_derivatives_are_used(method):
    jac, hessp, calls = counting_rosen_derivatives()

    res = so.minimize(so.rosen, X0, method=method, jac=jac, hessp=hessp,
                      options={"maxiter": 50})
    assert calls["jac"] == res.njev > 0
    assert calls["hessp"] == (res.nhev if method is oks.newton_cg else 0)


def test_newton_cg_takes_hess_when_no_hessp():
    res = so.minimize(so.rosen, X0, method=oks.newton_cg, jac=so.rosen_der, hess=so.rosen_hess)
    assert res.success and np.allclose(res.x, 1.0, atol=1e-5)


def test_jac_true_through_memoized_scipy_wrapper():
    res = so.minimize(lambda x: (so.rosen(x), so.rosen_der(x)), X0, method=oks.lbfgs, jac=True)
    assert res.success


def test_tol_options_and_callbacks():
    seen = []
    res = so.minimize(rosen, X0, method=oks.lbfgs, callback=lambda xk: seen.append(xk),
                      options={"maxiter": 4})
    assert res.nit == 4 and len(seen) == 4 and not res.success
    assert all(isinstance(x, np.ndarray) for x in seen)

    def stop(intermediate_result):
        assert isinstance(intermediate_result, so.OptimizeResult)
        return intermediate_result.nit >= 2

    res = so.minimize(rosen, X0, method=oks.lbfgs, callback=stop)
    assert res.nit == 2 and res.success and res.message == "stopped by the callback"
    loose = so.minimize(rosen, X0, method=oks.lbfgs, tol=1e-2)
    assert loose.nit < so.minimize(rosen, X0, method=oks.lbfgs, tol=1e-9).nit


def test_through_the_adapter_too():
    res = oks.minimize(rosen, X0, method=oks.newton_cg)
    assert res.success and res.nhev > 0 and np.allclose(res.x, 1.0, atol=1e-5)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("bounds", [[(-2.0, 0.5), (-2.0, 2.0)], so.Bounds([-2, -2], [0.5, 2])])
def test_honours_the_bounds_scipy_passes(method, bounds):
    seen = []

    def fun(x):
        seen.append(np.array(x))
        return so.rosen(x)

    res = so.minimize(fun, X0, method=method, jac=so.rosen_der, hessp=so.rosen_hess_prod,
                      bounds=bounds)
    # min of Rosenbrock over x_0 <= 0.5: x = (0.5, 0.25), f = 0.25, upper bound active
    assert res.success, res.message
    assert res.fun == pytest.approx(0.25, rel=1e-6)
    assert res.x[0] == 0.5
    np.testing.assert_array_equal(res.active_mask, [1, 0])
    assert all(p[0] <= 0.5 for p in seen)


@pytest.mark.parametrize("method", METHODS)
def test_rejects_what_it_cannot_handle(method):
    with pytest.raises(ValueError, match="constraints"):
        so.minimize(rosen, X0, method=method,
                    constraints=[{"type": "eq", "fun": lambda x: x[0]}])
    with pytest.raises(ValueError, match="bogus"):
        so.minimize(rosen, X0, method=method, options={"bogus": 1})
    with pytest.raises(ValueError, match="jac"):
        method(rosen, X0, jac="2-point")  # (SciPy itself turns that into jac=None)
    res = so.minimize(rosen, X0, method=method, bounds=[(None, None), (-np.inf, np.inf)],
                      options={"maxiter": 3})
    assert res.nit == 3  # infinite bounds are no bounds
