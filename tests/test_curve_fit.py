"""optkit.curve_fit against scipy.optimize.curve_fit: equal popt and pcov on linear models
(where both are exact), close on nonlinear ones; sigma 1-D and 2-D, absolute_sigma, bounds,
p0 from the signature, singular covariance, argument errors."""

import numpy as np
import pytest
import scipy.optimize

import optkit
from optkit.optim.least_squares import CovarianceWarning

X = np.linspace(0.0, 4.0, 30)


def quadratic(x, a, b, c):
    return a + b * x + c * x ** 2


def decay(x, a, k, c):
    return a * np.exp(-k * x) + c


def _data(model, params, noise=0.05):
    rng = np.random.default_rng(0)
    return model(X, *params) + noise * rng.standard_normal(X.size)


def _sigma():
    rng = np.random.default_rng(1)
    return 0.05 + 0.1 * rng.random(X.size)


SIGMAS = {"none": {}, "1-D": {"sigma": _sigma()},
          "1-D absolute": {"sigma": _sigma(), "absolute_sigma": True},
          "2-D": {"sigma": np.diag(_sigma() ** 2) + 1e-3}}


@pytest.mark.parametrize("case", SIGMAS, ids=list(SIGMAS))
def test_linear_model_matches_scipy_exactly(case):
    y = _data(quadratic, (1.0, 2.0, -0.5))
    popt, pcov = optkit.curve_fit(quadratic, X, y, **SIGMAS[case])
    ref, ref_cov = scipy.optimize.curve_fit(quadratic, X, y, **SIGMAS[case])
    assert np.allclose(popt, ref, rtol=1e-7, atol=1e-9)
    assert np.allclose(pcov, ref_cov, rtol=1e-6)


@pytest.mark.parametrize("method", ["lm", "gn-cg"])
def test_nonlinear_model_close_to_scipy(method):
    y = _data(decay, (3.0, 1.3, 0.5), noise=0.02)
    popt, pcov = optkit.curve_fit(decay, X, y, method=method)
    ref, ref_cov = scipy.optimize.curve_fit(decay, X, y)
    assert np.allclose(popt, ref, rtol=1e-5)
    assert np.allclose(pcov, ref_cov, rtol=1e-3)


def test_bounds_as_scipy():
    y = _data(decay, (3.0, 1.3, 0.5), noise=0.02)
    bounds = ([0.0, 0.0, 0.6], [10.0, 10.0, 10.0])  # c = 0.5 is outside: c sits on its bound
    popt, _ = optkit.curve_fit(decay, X, y, p0=[1.0, 1.0, 1.0], bounds=bounds)
    ref, _ = scipy.optimize.curve_fit(decay, X, y, p0=[1.0, 1.0, 1.0], bounds=bounds)
    assert popt[2] == 0.6
    assert np.allclose(popt, ref, rtol=1e-5)


def test_p0_defaults_to_ones_from_the_signature():
    y = _data(quadratic, (1.0, 2.0, -0.5))
    popt, pcov = optkit.curve_fit(quadratic, X, y)
    assert popt.shape == (3,) and pcov.shape == (3, 3)
    with pytest.raises(ValueError, match="p0"):
        optkit.curve_fit(lambda x, *p: p[0] * x, X, y)


def test_singular_jacobian_gives_inf_and_a_warning():
    y = _data(quadratic, (1.0, 2.0, 0.0))

    def redundant(x, a, b, c):  # a and c enter only as a + c
        return a + b * x + c

    with pytest.warns(CovarianceWarning):
        _, pcov = optkit.curve_fit(redundant, X, y)
    assert np.isinf(pcov).all()


def test_a_fit_that_fails_raises_as_scipy():
    y = _data(decay, (3.0, 1.3, 0.5))
    with pytest.raises(RuntimeError, match="Optimal parameters not found"):
        optkit.curve_fit(decay, X, y, max_nfev=2)


@pytest.mark.parametrize("kwargs, error, word", [
    (dict(sigma=np.ones(3)), ValueError, "sigma"),
    (dict(sigma=-np.ones(X.size)), ValueError, "sigma"),
    (dict(sigma=-np.eye(X.size)), ValueError, "sigma"),
    (dict(p0=np.ones((2, 2))), ValueError, "p0"),
    (dict(args=(1,)), TypeError, "args"),
])
def test_bad_arguments_are_named(kwargs, error, word):
    y = _data(quadratic, (1.0, 2.0, -0.5))
    with pytest.raises(error, match=word):
        optkit.curve_fit(quadratic, X, y, **kwargs)


def test_bad_data_is_named():
    with pytest.raises(ValueError, match="ydata"):
        optkit.curve_fit(quadratic, X, np.full(X.size, np.nan))
    with pytest.raises(TypeError, match="model"):
        optkit.curve_fit(None, X, X)
