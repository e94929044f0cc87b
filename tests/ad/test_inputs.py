"""Inputs of every kind (numbers, ints, lists, 0-d arrays) and plain outputs."""

import numpy as np
import pytest

import optkit

from .transforms import (
    assert_plain_array,
    assert_plain_float,
    sin_sq,
    sin_sq_grad,
)


# ---- inputs of every kind, plain outputs -------------------------------------------------
@pytest.mark.parametrize("shape", [(), (4,), (2, 3), (2, 3, 2)])
def test_grad_any_shape_returns_plain_array_of_input_shape(shape):
    x = np.random.default_rng(0).standard_normal(shape)
    g = optkit.grad(sin_sq)(x)
    if shape == ():
        assert_plain_float(g)
    else:
        assert_plain_array(g, shape)
    np.testing.assert_allclose(g, sin_sq_grad(x), rtol=1e-12, atol=1e-14)


def test_grad_of_python_float_is_python_float():
    g = optkit.grad(lambda x: x**3 + 2.0 * x)(1.5)
    assert_plain_float(g)
    assert g == pytest.approx(3 * 1.5**2 + 2.0, rel=1e-14)


@pytest.mark.parametrize("x", [2, np.int32(2), np.int64(2)])
def test_integer_scalar_is_promoted_to_float64(x):
    # x / 4 on an int would be fine anyway; x ** 3 / 8 checks the derivative is not integer
    assert optkit.grad(lambda t: t**3 / 8)(x) == pytest.approx(12 / 8, rel=1e-14)
    val, g = optkit.value_and_grad(lambda t: t**0.5)(x)
    assert_plain_float(val)
    assert_plain_float(g)
    assert g == pytest.approx(0.5 / np.sqrt(2.0), rel=1e-14)


def test_integer_array_is_promoted_to_float64():
    x = np.arange(4)
    seen = []

    def f(t):
        seen.append(t.dtype)
        return np.sum(t**2) / 3

    g = optkit.grad(f)(x)
    assert seen == [np.float64]
    assert_plain_array(g, (4,))
    np.testing.assert_allclose(g, 2 * np.arange(4) / 3, rtol=1e-14)
    assert x.dtype.kind == "i"  # the caller's array is untouched


def test_list_input():
    g = optkit.grad(sin_sq)([0.1, 0.2, 0.3])
    assert_plain_array(g, (3,))
    np.testing.assert_allclose(g, sin_sq_grad([0.1, 0.2, 0.3]), rtol=1e-12)
    g2 = optkit.grad(sin_sq)([[1, 2], [3, 4]])  # nested list of ints
    assert_plain_array(g2, (2, 2))
    np.testing.assert_allclose(g2, sin_sq_grad([[1, 2], [3, 4]]), rtol=1e-12)


def test_zero_d_array_gives_float_gradient():
    g = optkit.grad(lambda x: np.exp(x))(np.array(0.5))
    assert_plain_float(g)
    assert g == pytest.approx(np.exp(0.5), rel=1e-14)


def test_gradient_of_broadcast_sum_is_a_writable_array():
    # sum's VJP is a broadcast view: the user must still get an ordinary array
    g = optkit.grad(np.sum)(np.ones(5))
    assert_plain_array(g, (5,))
    g[0] = 7.0
    np.testing.assert_array_equal(g, [7, 1, 1, 1, 1])


def test_constant_function_has_zero_gradient():
    val, g = optkit.value_and_grad(lambda x: 3.0)(np.ones(3))
    assert val == 3.0
    assert_plain_array(g, (3,))
    np.testing.assert_array_equal(g, 0.0)
    assert optkit.grad(lambda x: 3.0)(2.0) == 0.0


# ---- every transformation accepts ints and lists ---------------------------------------------
def cubic(x):
    return np.sum(x**3) / 6.0


@pytest.mark.parametrize("x", [[1, 2, 3], np.array([1, 2, 3], dtype=np.int32), (1.0, 2, 3.0)],
                         ids=["list-of-ints", "int32-array", "tuple"])
def test_every_transformation_accepts_ints_and_sequences(x):
    xf = np.array([1.0, 2.0, 3.0])
    v = [1, 0, 2]
    val, g = optkit.value_and_grad(cubic)(x)
    assert val == pytest.approx(6.0, rel=1e-15)
    np.testing.assert_allclose(g, xf**2 / 2, rtol=1e-15)
    y, t = optkit.jvp(cubic, x, v)
    assert_plain_float(y)
    assert t == pytest.approx(np.dot(xf**2 / 2, v), rel=1e-15)
    y, pullback = optkit.vjp(lambda z: z**2, x)
    assert_plain_array(y, (3,))
    np.testing.assert_allclose(pullback(v), 2 * xf * v, rtol=1e-15)
    hv = optkit.hvp(cubic, x, v)
    assert_plain_array(hv, (3,))
    np.testing.assert_allclose(hv, xf * v, rtol=1e-15)
    for how in ("hessian", "jacfwd", "jacrev", "jacobian"):
        fun = cubic if how == "hessian" else (lambda z: z**2)
        J = getattr(optkit, how)(fun)(x)
        assert_plain_array(J, (3, 3))
        np.testing.assert_allclose(J, np.diag(xf if how == "hessian" else 2 * xf), rtol=1e-15)


def test_integer_scalar_in_every_transformation():
    assert optkit.jvp(lambda z: z**3, 2, 1) == (8.0, 12.0)
    assert optkit.hvp(lambda z: z**3, 2, 1) == 12.0
    y, pullback = optkit.vjp(lambda z: z**3, 2)
    assert (y, pullback(1)) == (8.0, 12.0)
    assert optkit.hessian(lambda z: z**3)(2) == 12.0
