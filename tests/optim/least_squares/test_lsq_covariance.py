"""curve_fit's pcov from the final J, against scipy.optimize.curve_fit on linear models, where
both fits are exact."""

import warnings

import numpy as np
import pytest
import scipy.optimize

from optkit.optim.least_squares import CovarianceWarning, covariance

RNG_SEED = 0


def _data():
    rng = np.random.default_rng(RNG_SEED)
    t = np.linspace(-1.0, 2.0, 25)
    sigma = rng.uniform(0.05, 0.2, t.size)
    y = 1.0 - 0.5 * t + 0.3 * t * t + sigma * rng.standard_normal(t.size)
    return t, y, sigma


def model(t, a, b, c):
    return a + b * t + c * t * t


def _ours(t, y, sigma, absolute_sigma, singular="inf", design=None):
    design = np.stack([np.ones_like(t), t, t * t], axis=1) if design is None else design
    jac = design / sigma[:, None]
    popt = np.linalg.lstsq(jac, y / sigma, rcond=None)[0]
    residuals = (design @ popt - y) / sigma
    return popt, covariance(jac, residuals, absolute_sigma=absolute_sigma, singular=singular)


@pytest.mark.parametrize("absolute_sigma", [False, True])
@pytest.mark.parametrize("method", ["lm", "trf"])
def test_pcov_matches_curve_fit(absolute_sigma, method):
    t, y, sigma = _data()
    popt_ref, pcov_ref = scipy.optimize.curve_fit(model, t, y, p0=[0.0, 0.0, 0.0], sigma=sigma,
                                                  absolute_sigma=absolute_sigma, method=method)
    popt, pcov = _ours(t, y, sigma, absolute_sigma)
    np.testing.assert_allclose(popt, popt_ref, rtol=1e-6)
    np.testing.assert_allclose(pcov, pcov_ref, rtol=1e-6)


def _idle(t, a, b, c):
    return a + b * t + 0.0 * c


def _idle_jac(t, a, b, c):
    return np.stack([np.ones_like(t), t, np.zeros_like(t)], axis=1)


def test_singular_jacobian_gives_inf_and_a_warning_as_scipy_lm():
    """A parameter the model ignores (a zero column of J): scipy's 'lm' returns inf with an
    OptimizeWarning, and so do we."""
    t, y, sigma = _data()
    with pytest.warns(scipy.optimize.OptimizeWarning):
        _, pcov_ref = scipy.optimize.curve_fit(_idle, t, y, p0=[0.0, 1.0, 1.0], sigma=sigma,
                                               jac=_idle_jac, method="lm")
    with pytest.warns(CovarianceWarning, match="could not be estimated"):
        _, pcov = _ours(t, y, sigma, False, design=_idle_jac(t, 0, 0, 0))
    assert np.isinf(pcov_ref).all() and np.isinf(pcov).all()


def test_singular_jacobian_pseudo_inverse_matches_scipy_trf():
    t, y, sigma = _data()
    _, pcov_ref = scipy.optimize.curve_fit(_idle, t, y, p0=[0.0, 1.0, 1.0], sigma=sigma,
                                           jac=_idle_jac, method="trf")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, pcov = _ours(t, y, sigma, False, singular="pinv", design=_idle_jac(t, 0, 0, 0))
    np.testing.assert_allclose(pcov, pcov_ref, rtol=1e-6, atol=1e-15)


def test_numerically_singular_jacobian_is_inf_not_garbage():
    """Two equal columns: scipy's 'lm' inverts R with a rounding-level diagonal and returns
    entries near 1e11; the SVD threshold refuses instead (a deliberate difference)."""
    t, y, sigma = _data()
    design = np.stack([np.ones_like(t), t, t], axis=1)
    with pytest.warns(CovarianceWarning):
        _, pcov = _ours(t, y, sigma, False, design=design)
    assert np.isinf(pcov).all()


def test_singular_jacobian_pseudo_inverse_as_scipy_trf():
    t, y, sigma = _data()
    design = np.stack([np.ones_like(t), t, t], axis=1)
    jac = design / sigma[:, None]
    residuals = np.random.default_rng(1).standard_normal(t.size)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pcov = covariance(jac, residuals, singular="pinv")
    s2 = residuals @ residuals / (t.size - 3)
    np.testing.assert_allclose(pcov, np.linalg.pinv(jac.T @ jac) * s2, rtol=1e-8, atol=1e-14)


def test_too_few_points_gives_inf_unless_absolute_sigma():
    jac = np.array([[1.0, 0.0], [0.0, 2.0]])
    r = np.array([0.1, -0.2])
    with pytest.warns(CovarianceWarning):
        assert np.isinf(covariance(jac, r)).all()
    np.testing.assert_allclose(covariance(jac, r, absolute_sigma=True), np.diag([1.0, 0.25]))


def test_bad_input():
    with pytest.raises(ValueError, match="jac"):
        covariance(np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match="singular"):
        covariance(np.eye(2), np.ones(2), singular="nan")
