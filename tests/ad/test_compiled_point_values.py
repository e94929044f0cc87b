"""ad/staging.PointValues and its use by optkit.compile: a value and gradient staged at x
(``expect_products``) lend their work to the HVP program staged next at the same x, and the
HVP program keeps the residuals its staging computed at that x."""

import functools
import warnings

import numpy as np
import pytest

import optkit
from optkit.ad.api import value_and_grad
from optkit.ad.compiled.function import CompiledFunction, CompileWarning, _value_grad_and_hvp
from optkit.ad.staging import Const, PointValues, stage


def _logistic(seed=0, m=4500, d=20):  # m >= WORTH_KEEPING: the vectors of m are kept
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((m, d)) / np.sqrt(d)
    y = np.where(rng.standard_normal(m) > 0, 1.0, -1.0)

    def f(w):
        return np.mean(np.logaddexp(0.0, -y * (a @ w))) + 0.005 * np.dot(w, w)

    return f


def _counting_matmuls(monkeypatch, f, x):
    """A list that grows by one for every product with the matrix a staging computes (not
    looks up)."""
    program, _ = stage(f, (x,))
    prim = next(e.prim for e in program.eqns if e.prim.name == "matmul")
    calls, impl = [], prim.impl

    def counting(*args, **kwargs):
        if any(np.ndim(a) == 2 for a in args):
            calls.append(1)
        return impl(*args, **kwargs)

    monkeypatch.setattr(prim, "impl", counting)
    return calls


def test_the_hvp_staged_at_the_same_point_computes_f_and_g_once(monkeypatch):
    f = _logistic()
    rng = np.random.default_rng(1)
    x, v = rng.standard_normal(20), rng.standard_normal(20)
    calls = _counting_matmuls(monkeypatch, f, x)
    hvp_of_f = functools.partial(_value_grad_and_hvp, f)
    calls.clear()
    plain, plain_out = stage(hvp_of_f, (x, v))
    alone = len(calls)  # a w and its tangent, r a and its tangent
    point = PointValues()
    _, (value, g) = stage(value_and_grad(f), (x,), point=point)
    calls.clear()
    program, out = stage(hvp_of_f, (x, v), point=point)
    assert alone == 4 and len(calls) == 2  # the tangents alone
    assert len(program.eqns) == len(plain.eqns)
    for mine, theirs in zip(out, plain_out, strict=True):  # the same bits
        np.testing.assert_array_equal(optkit.ad.core.value_of(mine),
                                      optkit.ad.core.value_of(theirs))
    np.testing.assert_array_equal(optkit.ad.core.value_of(g), optkit.ad.core.value_of(out[1]))


def test_constants_are_told_apart_by_bits_and_small_arrays_by_contents():
    point = PointValues()
    x = Const(np.ones(3))
    zero, minus_zero = point.eqn_key("p", [Const(0.0), x], {}), point.eqn_key(
        "p", [Const(-0.0), x], {})
    assert zero != minus_zero
    assert point.eqn_key("p", [Const(np.arange(3.0))], {}) == point.eqn_key(
        "p", [Const(np.arange(3.0))], {})  # two arrays, one content
    assert point.eqn_key("p", [Const(np.arange(3.0))], {}) != point.eqn_key(
        "p", [Const(np.arange(1.0, 4.0))], {})
    assert point.eqn_key("p", [Const(1.0)], {"axis": 0}) != point.eqn_key(
        "p", [Const(1.0)], {"axis": 1})


def _compiled(f):
    cf = CompiledFunction(f, warmup=5)  # as optkit.minimize makes it
    cf.expect_products()
    return cf


def test_value_and_grad_for_hvp_expecting_products_equals_the_eager_pair():
    f = _logistic()
    x = np.random.default_rng(2).standard_normal(20)
    value, g = _compiled(f).value_and_grad_for_hvp(x)
    eager_value, eager_g = value_and_grad(f)(x)
    assert value == eager_value and type(value) is float
    np.testing.assert_array_equal(g, eager_g)


def test_products_at_the_staged_point_and_elsewhere_are_right_and_skip_prepare_there():
    f = _logistic()
    rng = np.random.default_rng(3)
    x, other = rng.standard_normal(20), rng.standard_normal(20)
    cf = _compiled(f)
    cf.value_and_grad_for_hvp(x)
    vs = [rng.standard_normal(20) for _ in range(3)]
    first = optkit.hvp(cf, x, vs[0])  # stages the program, the work at x looked up
    lin = cf.program(x, vs[0], kind="hvp")
    calls, prepare = [], lin.prepare
    lin.prepare = lambda *xs: calls.append(1) or prepare(*xs)
    products = [first] + [optkit.hvp(cf, x, v) for v in vs[1:]]
    assert calls == []  # the residuals at x are the staging's
    for v, hv in zip(vs, products, strict=True):
        np.testing.assert_allclose(hv, optkit.hvp(f, x, v), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(optkit.hvp(cf, other, vs[0]), optkit.hvp(f, other, vs[0]),
                               rtol=1e-12, atol=1e-15)
    assert calls == [1]


def test_an_hvp_at_another_point_does_not_look_the_values_up():
    f = _logistic()
    rng = np.random.default_rng(4)
    x, v = rng.standard_normal(20), rng.standard_normal(20)
    cf = _compiled(f)
    cf.value_and_grad_for_hvp(x)
    moved = x.copy()
    moved[0] += 1.0
    np.testing.assert_allclose(optkit.hvp(cf, moved, v), optkit.hvp(f, moved, v),
                               rtol=1e-12, atol=1e-15)
    zero = np.zeros(20)  # bits, not values: -0.0 is another point
    cf = _compiled(f)
    cf.value_and_grad_for_hvp(-zero)
    np.testing.assert_allclose(optkit.hvp(cf, zero, v), optkit.hvp(f, zero, v),
                               rtol=1e-12, atol=1e-15)


def test_a_function_that_reads_a_value_is_evaluated_eagerly():
    def f(x):
        return np.sum(x ** 2) if x[0] > 0 else np.sum(x ** 4)

    x = np.array([1.0, 2.0, 3.0])
    cf = _compiled(f)
    value, g = cf.value_and_grad_for_hvp(x)
    assert value == 14.0
    np.testing.assert_array_equal(g, 2.0 * x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CompileWarning)  # the HVP runs eagerly, said once
        np.testing.assert_allclose(optkit.hvp(cf, x, np.ones(3)), 2.0 * np.ones(3))


@pytest.mark.parametrize("compile", [True, False])
def test_newton_cg_through_minimize_solves_the_logistic_problem(compile):
    f = _logistic()
    res = optkit.minimize(f, np.zeros(20), "newton-cg", gtol=1e-8, compile=compile)
    ref = optkit.minimize(f, np.zeros(20), "lbfgs", gtol=1e-8, compile=False)
    assert res.success and np.max(np.abs(res.jac)) <= 1e-8
    np.testing.assert_allclose(res.x, ref.x, atol=1e-6)
