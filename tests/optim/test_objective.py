import numpy as np
import pytest

from optkit.optim.objective import Objective


def _quad(x):
    return float(x @ x)


def _quad_grad(x):
    return 2.0 * x


def test_counts_and_cache_with_separate_jac():
    calls = {"f": 0, "g": 0}

    def fun(x):
        calls["f"] += 1
        return _quad(x)

    def jac(x):
        calls["g"] += 1
        return _quad_grad(x)

    obj = Objective(fun, jac)
    x = np.array([1.0, 2.0])
    assert obj.f(x) == 5.0
    f, g = obj.f_and_g(x.copy())  # same point: f cached, only jac is called
    assert f == 5.0 and np.array_equal(g, [2.0, 4.0])
    obj.f_and_g(x)  # full cache hit
    assert (obj.nfev, obj.njev) == (1, 1) == (calls["f"], calls["g"])
    obj.f_and_g(np.array([0.0, 1.0]))
    assert (obj.nfev, obj.njev) == (2, 2) == (calls["f"], calls["g"])


def test_fun_and_jac_counts_one_of_each():
    calls = []

    def both(x):
        calls.append(1)
        return _quad(x), _quad_grad(x)

    obj = Objective(fun_and_jac=both)
    x = np.array([3.0])
    assert obj.f(x) == 9.0
    assert obj.f_and_g(x)[1][0] == 6.0  # served from the same pass
    assert (obj.nfev, obj.njev, len(calls)) == (1, 1, 1)


def test_jac_true_means_fun_returns_pair():
    obj = Objective(lambda x: (_quad(x), _quad_grad(x)), jac=True)
    f, g = obj.f_and_g(np.array([1.0, 1.0]))
    assert f == 2.0 and g.tolist() == [2.0, 2.0]
    assert (obj.nfev, obj.njev) == (1, 1)


def test_args_are_passed():
    obj = Objective(lambda x, a: a * _quad(x), lambda x, a: a * _quad_grad(x),
                    lambda x, p, a: 2 * a * p, args=(3.0,))
    x = np.array([1.0])
    assert obj.f_and_g(x)[0] == 3.0
    assert obj.hessp(x, np.array([1.0]))[0] == 6.0
    assert obj.nhev == 1


def test_gradient_is_a_private_float64_copy():
    buffer = np.zeros(2, dtype=np.float32)

    def jac(x):
        buffer[:] = 2 * x
        return buffer

    obj = Objective(_quad, jac)
    _, g = obj.f_and_g(np.array([1.0, 2.0]))
    buffer[:] = 99
    assert g.dtype == np.float64 and g.tolist() == [2.0, 4.0]
    with pytest.raises(ValueError):
        g[0] = 0.0  # read-only: nobody can corrupt the cache


def test_mutating_x_after_evaluation_does_not_fool_the_cache():
    obj = Objective(_quad, _quad_grad)
    x = np.array([1.0])
    obj.f(x)
    x[0] = 2.0
    assert obj.f(x) == 4.0 and obj.nfev == 2


def test_missing_gradient_names_jac():
    with pytest.raises(ValueError, match="jac"):
        Objective(_quad)


def test_missing_hessp_names_hessp():
    obj = Objective(_quad, _quad_grad)
    assert not obj.has_hessp
    with pytest.raises(ValueError, match="hessp"):
        obj.hessp(np.zeros(1), np.zeros(1))


def test_gradient_of_wrong_shape_is_rejected():
    obj = Objective(_quad, lambda x: np.zeros(3))
    with pytest.raises(ValueError, match="shape"):
        obj.f_and_g(np.zeros(2))


def test_non_scalar_value_is_rejected():
    obj = Objective(lambda x: x, _quad_grad)
    with pytest.raises(TypeError, match="scalar"):
        obj.f(np.zeros(2))


def test_non_callable_is_rejected():
    with pytest.raises(TypeError, match="jac"):
        Objective(_quad, jac=3)


def test_f_expecting_g_evaluates_both_in_one_pass_only_where_there_is_one():
    both = Objective(fun_and_jac=lambda x: (_quad(x), _quad_grad(x)))
    x = np.array([1.0, 2.0])
    assert both.f_expecting_g(x) == 5.0 and both.counts() == (1, 1, 0)
    assert np.array_equal(both.f_and_g(x)[1], [2.0, 4.0]) and both.counts() == (1, 1, 0)
    apart = Objective(_quad, _quad_grad)  # separate callables: f alone, g when asked
    assert apart.f_expecting_g(x) == 5.0 and apart.counts() == (1, 0, 0)
    apart.f_and_g(x)
    assert apart.counts() == (1, 1, 0)
