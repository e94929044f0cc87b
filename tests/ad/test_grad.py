"""grad and value_and_grad: argument handling (argnums, kwargs) and has_aux."""

import numpy as np
import pytest

import optkit
from optkit.ad.core import Tracer

from .table import fd_grad
from .transforms import (
    assert_plain_array,
    assert_plain_float,
    sin_sq,
    sin_sq_grad,
)


# ---- value_and_grad / grad argument handling -----------------------------------------------
def test_value_and_grad_value_matches_f():
    x = np.random.default_rng(0).standard_normal(6)
    val, g = optkit.value_and_grad(sin_sq)(x)
    assert_plain_float(val)
    assert val == pytest.approx(sin_sq(x), rel=1e-15)
    np.testing.assert_allclose(g, sin_sq_grad(x), rtol=1e-12)


def f3(x, y, z):
    return np.sum(x * y) + np.sum(np.sin(z)) * np.sum(y**2)


@pytest.fixture
def xyz():
    r = np.random.default_rng(0)
    return r.standard_normal(3), r.standard_normal(3), r.standard_normal(2)


@pytest.mark.parametrize("argnums", [0, 1, 2, -1])
def test_argnums_int(xyz, argnums):
    x, y, z = xyz
    g = optkit.grad(f3, argnums=argnums)(x, y, z)
    i = argnums % 3
    ref = fd_grad(lambda t: f3(*[t if k == i else a for k, a in enumerate(xyz)]), xyz[i])
    assert_plain_array(g, xyz[i].shape)
    np.testing.assert_allclose(g, ref, rtol=1e-7, atol=1e-9)


def test_argnums_tuple_gives_tuple_in_that_order(xyz):
    x, y, z = xyz
    val, (gz, gx) = optkit.value_and_grad(f3, argnums=(2, 0))(x, y, z)
    assert val == pytest.approx(f3(x, y, z), rel=1e-15)
    np.testing.assert_allclose(gx, y, rtol=1e-14)
    np.testing.assert_allclose(gz, np.cos(z) * np.sum(y**2), rtol=1e-14)
    gs = optkit.grad(f3, argnums=(0,))(x, y, z)
    assert isinstance(gs, tuple) and len(gs) == 1
    np.testing.assert_allclose(gs[0], y, rtol=1e-14)


def test_kwargs_pass_through_undifferentiated():
    def f(x, scale=1.0, *, power):
        return scale * np.sum(x**power)

    x = np.array([1.0, 2.0])
    val, g = optkit.value_and_grad(f)(x, scale=3.0, power=3)
    assert val == pytest.approx(27.0)
    np.testing.assert_allclose(g, 9.0 * x**2, rtol=1e-14)
    np.testing.assert_allclose(optkit.grad(f)(x, power=2), 2 * x, rtol=1e-14)


def test_non_differentiated_arguments_may_be_anything():
    def f(x, data, label):
        assert label == "ok"
        return np.sum(data["w"] * x**2)

    g = optkit.grad(f)(np.array([1.0, 2.0]), {"w": np.array([3.0, 4.0])}, "ok")
    np.testing.assert_allclose(g, [6.0, 16.0], rtol=1e-14)


@pytest.mark.parametrize("argnums", [3, -4, (0, 5)])
def test_argnums_out_of_range(xyz, argnums):
    with pytest.raises(ValueError, match="argnums"):
        optkit.grad(f3, argnums=argnums)(*xyz)


@pytest.mark.parametrize("argnums", [1.0, "0", (0, 1.0), True, None])
def test_argnums_of_wrong_type(xyz, argnums):
    with pytest.raises(TypeError, match="argnums must be an int or a tuple of ints"):
        optkit.grad(f3, argnums=argnums)(*xyz)


# ---- has_aux ----------------------------------------------------------------------------------
def _loss_with_metrics(x):
    residual = x * 2.0 - 1.0
    return np.sum(residual**2), {"residual": residual, "count": 3,
                                 "pair": (np.max(residual), [x[0], "label"])}


def test_value_and_grad_has_aux_returns_plain_aux_and_the_same_gradient():
    x = np.array([0.3, -1.2, 2.0])
    (value, aux), g = optkit.value_and_grad(_loss_with_metrics, has_aux=True)(x)
    assert value == pytest.approx(float(np.sum((2 * x - 1) ** 2)))
    np.testing.assert_allclose(g, optkit.grad(lambda y: _loss_with_metrics(y)[0])(x))
    np.testing.assert_allclose(aux["residual"], 2 * x - 1)
    assert aux["count"] == 3 and aux["pair"][1][1] == "label"
    assert type(aux["pair"][0]) is float and type(aux["pair"][1][0]) is float
    assert not isinstance(aux["residual"], Tracer)


def test_grad_has_aux_returns_gradient_then_aux():
    x = np.array([0.3, -1.2, 2.0])
    g, aux = optkit.grad(_loss_with_metrics, has_aux=True)(x)
    np.testing.assert_allclose(g, 4.0 * (2 * x - 1))
    np.testing.assert_allclose(aux["residual"], 2 * x - 1)


def test_aux_of_an_inner_grad_stays_differentiable_by_an_outer_one():
    def inner_aux_sum(x):
        _, aux = optkit.grad(lambda y: (np.sum(y**2), np.sum(y)), has_aux=True)(x)
        return aux * np.sum(x**3)

    x = np.array([1.0, 2.0])
    np.testing.assert_allclose(optkit.grad(inner_aux_sum)(x),
                               np.sum(x**3) + np.sum(x) * 3 * x**2)


def test_has_aux_needs_a_pair_and_a_bool():
    with pytest.raises(TypeError, match="must return a pair"):
        optkit.grad(lambda x: np.sum(x), has_aux=True)(np.ones(2))
    with pytest.raises(TypeError, match="has_aux must be True or False"):
        optkit.grad(lambda x: np.sum(x), has_aux=1)


def test_has_aux_on_a_compiled_function_runs_eagerly_and_agrees():
    fc = optkit.compile(_loss_with_metrics)
    x = np.array([0.3, -1.2, 2.0])
    (value, aux), g = optkit.value_and_grad(fc, has_aux=True)(x)
    (value0, aux0), g0 = optkit.value_and_grad(_loss_with_metrics, has_aux=True)(x)
    assert value == value0
    np.testing.assert_array_equal(g, g0)
    np.testing.assert_array_equal(aux["residual"], aux0["residual"])
