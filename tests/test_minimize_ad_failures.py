"""AD failures reach the user with the way around them (``optkit.minimize.explain_ad_failure``),
from the value and gradient and from the Hessian-vector products, compiled or not."""

import numpy as np
import pytest

import optkit
from optkit import TracerConversionError
from optkit.ad import CompiledFunction
from optkit.minimize import ad_derivatives

HINT = r"pass jac= \(and hessp=\) explicitly to bypass AD"


def branchy(x):  # float() of a traced value: the AD refuses it
    return float(x[0]) * np.sum(x ** 2)


@pytest.mark.parametrize("compiled", [False, True])
def test_both_derivatives_explain_the_failure(compiled):
    fun = CompiledFunction(branchy) if compiled else branchy
    fun_and_jac, hessp = ad_derivatives(fun)
    x, p = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    for call in (lambda: fun_and_jac(x), lambda: hessp(x, p)):
        with pytest.raises(TracerConversionError, match=HINT) as info:
            call()
        assert isinstance(info.value.__cause__, TracerConversionError)  # the original kept


@pytest.mark.parametrize("method", ["lbfgs", "newton-cg"])
def test_minimize_explains_the_failure(method):
    with pytest.raises(TracerConversionError, match=HINT):
        optkit.minimize(branchy, np.array([1.0, 2.0]), method, compile=False)


def test_products_equal_optkit_hvp_bit_for_bit():
    """The direct path to a CompiledFunction's hvp gives optkit.hvp's products exactly."""
    def f(x):
        return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)

    rng = np.random.default_rng(0)
    x, p = rng.uniform(-1, 1, 7), rng.standard_normal(7)
    cf = CompiledFunction(f)
    _, hessp = ad_derivatives(cf)
    for _ in range(3):  # staging, the first replay, the replays after it
        np.testing.assert_array_equal(hessp(x, p), optkit.hvp(cf, x, p))
    np.testing.assert_allclose(hessp(x, p), optkit.hvp(f, x, p), rtol=1e-12)
