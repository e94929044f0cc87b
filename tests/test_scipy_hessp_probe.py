"""Derivatives.probe_hessp: the probed product lives in the point cache, answers the first
matching request once, and is forgotten by any product request."""

import numpy as np

import optkit.scipy as oks


def _f(x):
    return (x ** 4).sum() + x[0] * x[1]


def _exact_hp(x, p):
    return 12 * x ** 2 * p + np.array([p[1], p[0]])


def test_probe_answers_the_first_matching_request_once():
    rng = np.random.default_rng(0)
    x, p = rng.standard_normal(2), rng.standard_normal(2)
    d = oks.derivatives(_f, compile=False)
    hp = d.probe_hessp(x, p)
    assert np.allclose(hp, _exact_hp(x, p)) and d.nhev == 1
    assert np.allclose(d.hessp(x.copy(), p.copy()), hp) and d.nhev == 1  # from the probe
    assert np.allclose(d.hessp(x, p), hp) and d.nhev == 2  # the probe was used up


def test_probe_is_forgotten_by_a_different_request():
    rng = np.random.default_rng(0)
    x, p, q = rng.standard_normal(2), rng.standard_normal(2), rng.standard_normal(2)
    d = oks.derivatives(_f, compile=False)
    d.probe_hessp(x, p)
    assert np.allclose(d.hessp(x, q), _exact_hp(x, q)) and d.nhev == 2
    assert np.allclose(d.hessp(x, p), _exact_hp(x, p)) and d.nhev == 3
    d.probe_hessp(x, p)
    assert np.allclose(d.hessp(x + 1.0, p), _exact_hp(x + 1.0, p)) and d.nhev == 5
