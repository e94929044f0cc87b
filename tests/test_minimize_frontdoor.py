"""optkit.minimize as a new user meets it: hand-written derivatives, SciPy's habits, bad returns.

Regression tests for issue 10, section 4 (the library items).
"""

import warnings

import numpy as np
import pytest
import scipy.optimize as so

import optkit
from optkit.optim import History, Status

X0 = np.array([-1.2, 1.0])


def rosen(x):  # traceable by optkit's AD (scipy.optimize.rosen is not: it calls np.asarray)
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def _recording(fn, seen):
    def wrapped(*args):
        seen.update(type(a) for a in args)
        return fn(*args)
    return wrapped


# ---- History ----------------------------------------------------------------------------------
def test_history_slices_like_a_list():
    h = optkit.minimize(rosen, X0, history=True).history
    rows = h.as_list()
    assert len(rows) > 4
    first = h[:2]
    assert isinstance(first, History) and len(first) == 2
    assert list(first) == rows[:2]
    assert list(h[::2]) == rows[::2] and list(h[-3:]) == rows[-3:]
    assert h[-1] == rows[-1]
    np.testing.assert_array_equal(h[1:4].as_arrays()["f"], [r["f"] for r in rows[1:4]])
    assert len(h[5:5]) == 0 and h[5:5].as_arrays()["nit"].shape == (0,)


# ---- hand-written derivatives bypass the AD -----------------------------------------------------
@pytest.mark.parametrize("method, second", [
    ("lbfgs", {}), ("gd", {"maxiter": 50}),
    ("newton-cg", {"hessp": so.rosen_hess_prod}), ("newton-cg", {"hess": so.rosen_hess}),
])
def test_hand_written_jac_is_not_traced(method, second):
    seen = set()
    extra = dict(second)
    for key in ("hessp", "hess"):
        if key in extra:
            extra[key] = _recording(extra[key], seen)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = optkit.minimize(_recording(so.rosen, seen), X0, method,
                              jac=_recording(so.rosen_der, seen), **extra)
    assert caught == []  # no CompileWarning: nothing was traced
    assert seen == {np.ndarray}
    assert res.nfev > 0 and (res.success or method == "gd")
    if method == "newton-cg":
        assert res.nhev > 0 and np.allclose(res.x, 1.0, atol=1e-5)


def test_jac_true_and_args_are_not_traced_either():
    seen = set()

    def fun_and_grad(x, scale):
        seen.add(type(x))
        return scale * so.rosen(x), scale * so.rosen_der(x)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = optkit.minimize(fun_and_grad, X0, jac=True, args=(2.0,))
    assert caught == [] and seen == {np.ndarray}
    assert res.success and np.allclose(res.x, 1.0, atol=1e-4)


def test_hand_written_jac_with_ad_hessian_vector_products():
    res = optkit.minimize(rosen, X0, "newton-cg", jac=so.rosen_der)
    assert res.success and res.nhev > 0 and np.allclose(res.x, 1.0, atol=1e-5)


@pytest.mark.parametrize("compile_", [True, False])
def test_jac_true_with_ad_hessian_vector_products_differentiates_f_alone(compile_):
    def fun_and_grad(x, a):
        return np.sum((x - a) ** 4 + (x - a) ** 2), 4 * (x - a) ** 3 + 2 * (x - a)

    res = optkit.minimize(fun_and_grad, X0, "newton-cg", jac=True, args=(3.0,), compile=compile_)
    assert res.success and res.nhev > 0 and np.allclose(res.x, 3.0, atol=1e-6)


def test_dense_hess_with_args():
    seen = set()
    res = optkit.minimize(lambda x, a: np.sum((x - a) ** 2), X0, "newton-cg", args=3.0,
                          jac=lambda x, a: 2 * (x - a),
                          hess=_recording(lambda x, a: 2 * np.eye(x.size), seen))
    assert res.success and res.nhev > 0 and np.allclose(res.x, 3.0)
    assert seen == {np.ndarray, float}


def test_hess_and_hessp_together_are_refused():
    with pytest.raises(ValueError, match="hess, hessp"):
        optkit.minimize(rosen, X0, "newton-cg", hess=so.rosen_hess, hessp=so.rosen_hess_prod)


# ---- SciPy's habits: tol, options, callback, method names -------------------------------------
def test_tol_sets_gtol():
    by_tol = optkit.minimize(rosen, X0, tol=1e-3)
    by_gtol = optkit.minimize(rosen, X0, gtol=1e-3)
    tight = optkit.minimize(rosen, X0, tol=1e-9, ftol=0.0)
    assert by_tol.nit == by_gtol.nit < tight.nit
    assert np.max(np.abs(tight.jac)) <= 1e-9
    assert optkit.minimize(rosen, X0, tol=1e-3, gtol=1e-3).nit == by_gtol.nit


@pytest.mark.parametrize("bad, match", [
    ({"tol": 1e-3, "gtol": 1e-6}, "tol=0.001 and gtol=1e-06 disagree"),
    ({"tol": 1e-3, "options": {"gtol": 1e-6}}, "disagree"),
    ({"tol": -1.0}, "tol must be"),
    ({"tol": "1e-3"}, "tol must be"),
])
def test_tol_errors(bad, match):
    with pytest.raises(ValueError, match=match):
        optkit.minimize(rosen, X0, **bad)


def test_options_are_merged_into_the_keywords():
    res = optkit.minimize(rosen, X0, options={"maxiter": 3, "m": 3})
    assert res.nit == 3 and not res.success
    assert optkit.minimize(rosen, X0, options={"maxiter": 3}, gtol=1e-3).nit == 3
    with pytest.raises(TypeError, match="'maxiter' is given both"):
        optkit.minimize(rosen, X0, maxiter=5, options={"maxiter": 3})
    with pytest.raises(TypeError, match="options must be a dict"):
        optkit.minimize(rosen, X0, options=[("maxiter", 3)])
    with pytest.raises(ValueError, match="unknown option 'disp'"):
        optkit.minimize(rosen, X0, options={"disp": True})


def test_a_scipy_style_callback_receives_xk():
    seen = []

    def callback(xk):
        seen.append(xk)
        xk[:] = 1e9  # a copy: the solve must not notice

    res = optkit.minimize(rosen, X0, callback=callback, maxiter=4)
    assert res.nit == 4 and len(seen) == 4
    assert all(type(x) is np.ndarray and x.shape == (2,) for x in seen)
    assert np.allclose(optkit.minimize(rosen, X0, maxiter=4).x, res.x)


def test_intermediate_result_by_name_gets_the_result_and_can_stop():
    seen = []

    def callback(intermediate_result):
        seen.append(intermediate_result)
        return intermediate_result.nit >= 3  # True stops, as before

    res = optkit.minimize(rosen, X0, callback=callback)
    assert res.nit == 3 and res.status_enum is Status.CALLBACK_STOP
    assert [r.nit for r in seen] == [1, 2, 3]
    assert all(r.fun == pytest.approx(rosen(r.x)) for r in seen)


def test_any_other_parameter_name_gets_xk_and_stop_iteration_stops():
    seen = []

    def callback(r):  # not named intermediate_result: SciPy passes xk
        seen.append(r)
        if len(seen) == 2:
            raise StopIteration

    res = optkit.minimize(rosen, X0, callback=callback)
    assert res.nit == 2 and res.status_enum is Status.CALLBACK_STOP
    assert all(isinstance(x, np.ndarray) for x in seen)
    with pytest.raises(TypeError, match="callback must be callable"):
        optkit.minimize(rosen, X0, callback=3)


@pytest.mark.parametrize("name", ["L-BFGS-B", "l-bfgs-b", "BFGS", "Nelder-Mead", "trust-ncg",
                                  "TNC", "trust-exact"])
def test_a_scipy_method_name_points_to_optkit_scipy(name):
    with pytest.raises(ValueError, match=rf"optkit\.scipy\.minimize\(fun, x0, method='{name}'\)"):
        optkit.minimize(rosen, X0, method=name)


def test_optkit_names_in_any_case_and_misspellings():
    assert optkit.minimize(rosen, X0, method="Newton-CG").success  # optkit's own newton-cg
    assert optkit.minimize(rosen, X0, method="LBFGS").success
    with pytest.raises(ValueError, match="did you mean 'lbfgs'"):
        optkit.minimize(rosen, X0, method="lbfsg")


# ---- what fun returns ---------------------------------------------------------------------------
NOT_SCALAR = [
    (lambda x: None, TypeError, "fun must return a scalar, got None"),
    (lambda x: np.sum(x ** 2, keepdims=True), TypeError,
     r"fun must return a scalar, got an array of shape \(1,\).*f\[0\]"),
    (lambda x: x ** 2, TypeError, r"got an array of shape \(2,\).*np\.sum"),
    (lambda x: "1.5", TypeError, "got str"),
]


@pytest.mark.parametrize("fun, error, match", NOT_SCALAR)
@pytest.mark.parametrize("compile_", [True, False])
def test_a_non_scalar_return_is_named_on_the_ad_path(fun, error, match, compile_):
    with warnings.catch_warnings():
        # whether a failed trace also warns is optkit.compile's business, not this test's
        warnings.simplefilter("ignore", optkit.CompileWarning)
        with pytest.raises(error, match=match):
            optkit.minimize(fun, X0, compile=compile_)


@pytest.mark.parametrize("fun, error, match", NOT_SCALAR)
def test_a_non_scalar_return_is_named_with_a_hand_written_jac(fun, error, match):
    with pytest.raises(error, match=match):
        optkit.minimize(fun, X0, jac=lambda x: 2 * x)
    with pytest.raises(error, match=match.replace("fun must", r"fun \(with jac=True\) must")):
        optkit.minimize(lambda x: (fun(x), 2 * x), X0, jac=True)


def test_jac_true_without_a_pair():
    with pytest.raises(TypeError, match=r"fun \(with jac=True\) must return a pair"):
        optkit.minimize(lambda x: np.sum(x ** 2), X0, jac=True)


# ---- non-finite at x0 ---------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [np.nan, np.inf])
@pytest.mark.parametrize("how", ["ad", "eager", "jac"])
def test_a_non_finite_f_at_x0_is_a_value_error(bad, how):
    def fun(x):
        return np.sum(x ** 2) + bad

    kwargs = {"jac": lambda x: 2 * x} if how == "jac" else {"compile": how == "ad"}
    with pytest.raises(ValueError, match=rf"x0 \(f = {bad}\)"):
        optkit.minimize(fun, X0, **kwargs)


def test_a_non_finite_hand_written_gradient_at_x0_is_a_value_error():
    with pytest.raises(ValueError, match="gradient at x0"):
        optkit.minimize(lambda x: np.sum(x ** 2), X0, jac=lambda x: np.full_like(x, np.nan))
