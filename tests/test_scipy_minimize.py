"""optkit.scipy.minimize: every SciPy method, results as with hand-written derivatives, counts."""

import numpy as np
import pytest
import scipy.optimize as so

import optkit
import optkit.scipy as oks

from .scipy_counting import counting_rosen_derivatives

ALL_METHODS = ["Nelder-Mead", "Powell", "CG", "BFGS", "Newton-CG", "L-BFGS-B", "TNC", "COBYLA",
               "COBYQA", "SLSQP", "trust-constr", "dogleg", "trust-ncg", "trust-exact",
               "trust-krylov"]
GRADIENT_METHODS = ["CG", "BFGS", "L-BFGS-B", "TNC", "SLSQP"]
HESSP_METHODS = ["Newton-CG", "trust-ncg", "trust-krylov", "trust-constr"]
HESS_METHODS = ["dogleg", "trust-exact"]
X0 = np.array([-1.2, 1.0])


def rosen(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def hand(method):
    """SciPy's own hand-written Rosenbrock derivatives, as that method takes them."""
    kw = {}
    if method in GRADIENT_METHODS + HESSP_METHODS + HESS_METHODS:
        kw["jac"] = so.rosen_der
    if method in HESSP_METHODS:
        kw["hessp"] = so.rosen_hess_prod
    if method in HESS_METHODS:
        kw["hess"] = so.rosen_hess
    return kw


OPTIONS = {"Nelder-Mead": {"maxiter": 4000, "xatol": 1e-10, "fatol": 1e-14}}
DERIVATIVE_FREE = ["Nelder-Mead", "Powell", "COBYLA", "COBYQA"]


@pytest.mark.parametrize("method, compile_ad",
                         [(m, True) for m in ALL_METHODS]
                         + [(m, False) for m in ALL_METHODS if m not in DERIVATIVE_FREE])
def test_rosenbrock_matches_scipy_with_hand_derivatives(method, compile_ad):
    ref = so.minimize(so.rosen, X0, method=method, options=OPTIONS.get(method), **hand(method))
    res = oks.minimize(rosen, X0, method=method, options=OPTIONS.get(method),
                       compile=compile_ad)
    assert isinstance(res, so.OptimizeResult)
    assert res.success == ref.success
    # as close to SciPy's answer as SciPy's answer is to the minimizer (1, 1)
    np.testing.assert_allclose(res.x, ref.x, atol=max(1e-6, 2 * np.max(np.abs(ref.x - 1))))
    if method in DERIVATIVE_FREE:  # the same function values: the very same path
        assert res.nfev == ref.nfev
    else:
        assert res.fun < 1e-7
        # last-bit differences between AD and hand-written gradients may shift the path a bit
        assert abs(res.nit - ref.nit) <= 2 + ref.nit // 5


# ---- Hock & Schittkowski (1981), problem 71: f* = 17.0140173 ----------------------------------
def hs71(x):
    return x[0] * x[3] * (x[0] + x[1] + x[2]) + x[2]


def hs71_grad(x):
    return np.array([x[3] * (2 * x[0] + x[1] + x[2]), x[0] * x[3], x[0] * x[3] + 1.0,
                     x[0] * (x[0] + x[1] + x[2])])


def hs71_hess(x):
    return np.array([[2 * x[3], x[3], x[3], 2 * x[0] + x[1] + x[2]],
                     [x[3], 0, 0, x[0]],
                     [x[3], 0, 0, x[0]],
                     [2 * x[0] + x[1] + x[2], x[0], x[0], 0]])


def _prod(x):
    return x[0] * x[1] * x[2] * x[3]


def _prod_jac(x):
    return np.array([[x[1] * x[2] * x[3], x[0] * x[2] * x[3], x[0] * x[1] * x[3],
                      x[0] * x[1] * x[2]]])


def _prod_hess(x, v):
    a, b, c, d = x
    return v[0] * np.array([[0, c * d, b * d, b * c], [c * d, 0, a * d, a * c],
                            [b * d, a * d, 0, a * b], [b * c, a * c, a * b, 0]])


HS71_X0 = np.array([1.0, 5.0, 5.0, 1.0])
HS71_BOUNDS = so.Bounds(1.0, 5.0)
HS71_F = 17.0140173
CONSTRAINED = ["SLSQP", "trust-constr", "COBYLA", "COBYQA"]


def hs71_hand_constraints(method):
    if method == "trust-constr":
        return [so.NonlinearConstraint(_prod, 25, np.inf, jac=_prod_jac, hess=_prod_hess),
                so.NonlinearConstraint(lambda x: x @ x, 40, 40, jac=lambda x: 2 * x[None, :],
                                       hess=lambda x, v: 2 * v[0] * np.eye(4))]
    return [so.NonlinearConstraint(_prod, 25, np.inf, jac=_prod_jac),
            so.NonlinearConstraint(lambda x: x @ x, 40, 40, jac=lambda x: 2 * x[None, :])]


@pytest.mark.parametrize("method", CONSTRAINED)
def test_hs71_matches_scipy_with_hand_derivatives(method):
    kw = hand(method) if method in ("SLSQP",) else {}
    if method == "trust-constr":
        kw = {"jac": hs71_grad, "hess": lambda x: hs71_hess(x)}
    if method == "SLSQP":
        kw = {"jac": hs71_grad}
    ref = so.minimize(hs71, HS71_X0, method=method, bounds=HS71_BOUNDS,
                      constraints=hs71_hand_constraints(method), **kw)
    cons = [oks.constraint(_prod, 25, np.inf), oks.constraint(lambda x: np.sum(x * x), 40, 40)]
    res = oks.minimize(hs71, HS71_X0, method=method, bounds=HS71_BOUNDS, constraints=cons)
    assert res.fun == pytest.approx(HS71_F, rel=1e-4)
    np.testing.assert_allclose(res.x, ref.x, rtol=1e-3)
    if method in ("SLSQP", "trust-constr"):  # exact derivatives: the same path as by hand
        assert res.success and ref.success
        np.testing.assert_allclose(res.x, ref.x, rtol=1e-6, atol=1e-8)
        assert res.nit == ref.nit


def test_trust_constr_uses_exact_constraint_hessian():
    con = oks.constraint(_prod, 25, np.inf)
    x = np.array([1.0, 4.7, 3.8, 1.4])
    v = np.array([0.7])
    np.testing.assert_allclose(con.hess(x, v), _prod_hess(x, v), rtol=1e-12)
    np.testing.assert_allclose(con.jac(x), _prod_jac(x), rtol=1e-12)


@pytest.mark.parametrize("method", ["L-BFGS-B", "TNC", "SLSQP", "trust-constr", "Powell",
                                    "Nelder-Mead"])
def test_bounds_pass_through(method):
    """Rosenbrock with its minimizer cut off by x <= 0.5: the bound is active at the answer."""
    bounds = [(-2.0, 0.5), (-2.0, 2.0)]
    ref = so.minimize(so.rosen, X0, method=method, bounds=bounds, **hand(method))
    res = oks.minimize(rosen, X0, method=method, bounds=bounds)
    np.testing.assert_allclose(res.x, ref.x, atol=1e-4)
    if method not in DERIVATIVE_FREE:
        assert res.x[0] == pytest.approx(0.5, abs=1e-5)  # interior point: near the bound


def test_callback_options_and_tol_pass_through():
    seen = []
    res = oks.minimize(rosen, X0, method="BFGS", callback=lambda xk: seen.append(xk.copy()),
                       options={"maxiter": 3})
    assert res.nit == 3 and len(seen) == 3 and not res.success
    loose = oks.minimize(rosen, X0, method="BFGS", tol=1e-2)
    tight = oks.minimize(rosen, X0, method="BFGS", tol=1e-10)
    assert loose.nit < tight.nit


def test_user_derivatives_are_respected():
    jac, hessp, calls = counting_rosen_derivatives()

    res = oks.minimize(so.rosen, X0, method="Newton-CG", jac=jac, hessp=hessp)
    assert res.success
    assert calls["jac"] == res.njev and calls["hessp"] == res.nhev > 0
    res = oks.minimize(lambda x: (so.rosen(x), so.rosen_der(x)), X0, method="L-BFGS-B",
                       jac=True)
    assert res.success and res.nfev == res.njev
    res = oks.minimize(so.rosen, X0, method="L-BFGS-B", jac="2-point")  # finite differences
    assert res.success and res.fun < 1e-8


def test_default_method_as_scipy():
    assert oks.minimize(rosen, X0).nit == so.minimize(so.rosen, X0, jac=so.rosen_der).nit


def _shifted(x, a, b):
    return np.sum(a * (x - b) ** 2) + np.sum(x ** 4)


@pytest.mark.parametrize("method", ["BFGS", "Newton-CG", "trust-constr", "dogleg"])
def test_args_reach_fun_and_every_derivative(method):
    res = oks.minimize(_shifted, np.ones(3), args=(2.0, 0.5), method=method)
    # stationary point: 4 (x - 0.5) + 4 x^3 = 0
    np.testing.assert_allclose(4 * (res.x - 0.5) + 4 * res.x ** 3, 0.0, atol=1e-5)  # gtol


def test_hessian_update_strategy_passes_through():
    res = oks.minimize(_shifted, np.ones(3), args=(2.0, 0.5), method="trust-constr",
                       hess=so.BFGS())
    assert res.success and res.nhev == 0  # no AD Hessian products were taken


def test_one_element_output_accepted_as_scipy_does():
    res = oks.minimize(lambda x: (x - 3.0) ** 2, 1.0, method="trust-ncg")
    np.testing.assert_allclose(res.x, [3.0])


def test_value_dependent_objective_warns_then_runs_eagerly():
    def kinked(x):
        return np.sum(x ** 2) + (1.0 if x[0] < 0 else 0.0)

    with pytest.warns(optkit.CompileWarning, match="eagerly"):
        res = oks.minimize(kinked, np.ones(2), method="BFGS")
    assert res.success
    assert oks.minimize(kinked, np.ones(2), method="BFGS", compile=False).success
