import numpy as np
import pytest
from _problems import rosenbrock

from optkit.optim import (
    LBFGS,
    METHODS,
    GradientDescent,
    NewtonCG,
    Status,
    StrongWolfe,
    check_options,
    solve,
)


def _sq(x):
    return float(x @ x)


def _sq_grad(x):
    return 2.0 * x


def test_registry_names():
    assert METHODS == {"gd": GradientDescent, "lbfgs": LBFGS, "newton-cg": NewtonCG}


@pytest.mark.parametrize("method", ["gd", "lbfgs", "newton-cg", "LBFGS"])
def test_every_method_by_name(method):
    prob = rosenbrock(2)
    res = solve(prob.fun, prob.x0, method, jac=prob.jac, hessp=prob.hessp, maxiter=50000,
                ftol=0.0)
    assert res.success and res.fun < 1e-9
    assert res.method == method.lower()
    for key in ("x", "fun", "jac", "nit", "nfev", "njev", "nhev", "status", "success",
                "message"):
        assert key in res


def test_solver_instance_and_options_on_top():
    prob = rosenbrock(2)
    res = solve(prob.fun, prob.x0, LBFGS(m=3), jac=prob.jac, linesearch=StrongWolfe(c2=0.5))
    assert res.success and res.method == "LBFGS"


def test_solver_options_reach_the_solver():
    prob = rosenbrock(2)
    a = solve(prob.fun, prob.x0, "lbfgs", jac=prob.jac, m=1)
    b = solve(prob.fun, prob.x0, "lbfgs", jac=prob.jac)
    assert a.nfev != b.nfev


def test_driver_options_reach_the_driver():
    res = solve(_sq, [1.0, 2.0], "gd", jac=_sq_grad, maxiter=1, gtol=0.0, history=True)
    assert res.status_enum is Status.MAXITER and len(res.history) == 2


def test_jac_true_and_args():
    res = solve(lambda x, c: (float((x - c) @ (x - c)), 2 * (x - c)), [0.0, 0.0], jac=True,
                args=(np.array([1.0, 2.0]),))
    assert res.success and np.allclose(res.x, [1.0, 2.0])


@pytest.mark.parametrize("x0, expected", [(3, [3.0]), ([1, 2], [1.0, 2.0]), (np.float32(2), [2.0])])
def test_x0_is_promoted_to_a_float_vector(x0, expected):
    seen = []

    def fun(x):
        seen.append((x.dtype, x.shape))
        return _sq(x)

    solve(fun, x0, jac=_sq_grad, maxiter=0)
    assert seen[0] == (np.float64, (len(expected),))


def test_x0_is_not_modified():
    x0 = np.array([1.0, 2.0])
    solve(_sq, x0, jac=_sq_grad)
    assert x0.tolist() == [1.0, 2.0]


@pytest.mark.parametrize("x0, error, match", [
    (np.zeros((2, 2)), ValueError, "x0 must be 1-D"),
    ([], ValueError, "x0 must have at least one element"),
    (["a"], TypeError, "x0"),
    ([1.0, np.nan], ValueError, "x0 must be finite"),
])
def test_bad_x0(x0, error, match):
    with pytest.raises(error, match=match):
        solve(_sq, x0, jac=_sq_grad)


def test_newton_cg_needs_hessp():
    with pytest.raises(ValueError, match="hessp"):
        solve(_sq, [1.0], "newton-cg", jac=_sq_grad)


def test_missing_gradient_names_jac():
    with pytest.raises(ValueError, match="jac"):
        solve(_sq, [1.0])


def test_bad_method_type():
    with pytest.raises(TypeError, match="method"):
        solve(_sq, [1.0], 3, jac=_sq_grad)


def test_unknown_option_lists_the_valid_ones():
    with pytest.raises(ValueError) as info:
        solve(_sq, [1.0], "lbfgs", jac=_sq_grad, momentum="nesterov")
    text = str(info.value)
    assert "'momentum'" in text and "gtol" in text and "linesearch" in text and " m" in text


@pytest.mark.parametrize("method, options, exc, match", [
    ("lbfgs", {"mm": 3}, ValueError, "unknown option 'mm'.*did you mean 'm'"),
    ("lbfgs", {"m": 0}, ValueError, "m must be an integer >= 1"),
    ("newton-cg", {"saddle_check": -1}, ValueError, "saddle_check"),
    ("gd", {"ftol": -1.0}, ValueError, "ftol must be a finite number >= 0"),
    ("gd", {"history": "yes"}, TypeError, "history must be True or False"),
    ("lbgfs", {}, ValueError, "did you mean 'lbfgs'"),
])
def test_check_options_refuses_what_solve_would(method, options, exc, match):
    with pytest.raises(exc, match=match):
        check_options(method, **options)
    with pytest.raises(exc, match=match):
        solve(lambda x: float(x @ x), [1.0], method, jac=lambda x: 2 * x,
              hessp=lambda x, p: 2 * p, **options)


def test_check_options_accepts_valid_ones():
    assert check_options("lbfgs", m=5, ftol=0.0, max_time=3.0) is None
    assert check_options("newton-cg", saddle_check=0, forcing="superlinear") is None
