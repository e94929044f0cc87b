"""optkit.scipy meets SciPy users' habits: method names from the wrong door, hand-written jac.

Regression tests for issue 10, section 4.
"""

import warnings

import numpy as np
import pytest
import scipy.optimize as so

import optkit.scipy as oks

X0 = np.array([-1.2, 1.0])


def rosen(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


@pytest.mark.parametrize("name, custom", [("lbfgs", "lbfgs"), ("LBFGS", "lbfgs"),
                                          ("gd", "gradient_descent")])
def test_an_optkit_name_points_to_the_custom_method(name, custom):
    with pytest.raises(ValueError, match=rf"method=optkit\.scipy\.{custom}\b") as info:
        oks.minimize(rosen, X0, method=name)
    assert "did you mean" not in str(info.value)


def test_newton_cg_is_scipys_own_here():
    res = oks.minimize(rosen, X0, method="Newton-CG")
    assert res.success and res.nhev > 0


def test_a_misspelt_scipy_name_gets_the_closest():
    with pytest.raises(ValueError, match="did you mean 'l-bfgs-b'"):
        oks.minimize(rosen, X0, method="l-bfgs")


@pytest.mark.parametrize("method", [oks.lbfgs, oks.gradient_descent, oks.newton_cg])
def test_a_custom_method_with_hand_written_derivatives_traces_nothing(method):
    seen = set()

    def fun(x):
        seen.add(type(x))
        return so.rosen(x)  # not traceable by optkit's AD: it calls np.asarray

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = so.minimize(fun, X0, method=method, jac=so.rosen_der, hessp=so.rosen_hess_prod,
                          options={"maxiter": 100})
    assert caught == [] and seen == {np.ndarray}
    assert res.nit > 0 and res.nfev > 0


def test_custom_method_callbacks_follow_scipys_rule():
    xs, results = [], []
    so.minimize(rosen, X0, method=oks.lbfgs, callback=xs.append, options={"maxiter": 3})

    def by_name(intermediate_result):
        results.append(intermediate_result)

    so.minimize(rosen, X0, method=oks.lbfgs, callback=by_name, options={"maxiter": 3})
    assert len(xs) == 3 and all(type(x) is np.ndarray for x in xs)
    assert len(results) == 3 and all(isinstance(r, so.OptimizeResult) for r in results)
    np.testing.assert_array_equal(xs[-1], results[-1].x)
