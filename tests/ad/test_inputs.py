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


def test_list_input_is_a_structure_of_leaves():
    # issue 12: a list is a container (as in JAX), not an array; the gradient has its structure
    g = optkit.grad(lambda xs: sum(np.sin(t) ** 2 for t in xs))([0.1, 0.2, 0.3])
    assert type(g) is list and all(type(v) is float for v in g)
    np.testing.assert_allclose(g, sin_sq_grad(np.array([0.1, 0.2, 0.3])), rtol=1e-12)
    g2 = optkit.grad(lambda xs: sin_sq(xs[0][0]) + sin_sq(xs[1][1]))([[1, 2], [3, 4]])
    assert type(g2) is list and [type(row) for row in g2] == [list, list]
    np.testing.assert_allclose(g2, [[sin_sq_grad(1.0), 0.0], [0.0, sin_sq_grad(4.0)]],
                               rtol=1e-12)
    # array code given a list fails with a hint to convert it (the old reading)
    with pytest.raises(TypeError, match=r"structures of separate leaves.*np\.array"):
        optkit.grad(lambda x: np.sum(x ** 2))([0.1, 0.2])


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


def test_every_transformation_accepts_int_arrays():
    x = np.array([1, 2, 3], dtype=np.int32)
    xf = np.array([1.0, 2.0, 3.0])
    v = [1, 0, 2]
    val, g = optkit.value_and_grad(cubic)(x)
    assert val == pytest.approx(6.0, rel=1e-15)
    np.testing.assert_allclose(g, xf**2 / 2, rtol=1e-15)
    y, t = optkit.jvp(cubic, x, np.array(v))
    assert_plain_float(y)
    assert t == pytest.approx(np.dot(xf**2 / 2, v), rel=1e-15)
    y, pullback = optkit.vjp(lambda z: z**2, x)
    assert_plain_array(y, (3,))
    np.testing.assert_allclose(pullback(np.array(v)), 2 * xf * v, rtol=1e-15)
    hv = optkit.hvp(cubic, x, np.array(v))
    assert_plain_array(hv, (3,))
    np.testing.assert_allclose(hv, xf * v, rtol=1e-15)
    for how in ("hessian", "jacfwd", "jacrev", "jacobian"):
        fun = cubic if how == "hessian" else (lambda z: z**2)
        J = getattr(optkit, how)(fun)(x)
        assert_plain_array(J, (3, 3))
        np.testing.assert_allclose(J, np.diag(xf if how == "hessian" else 2 * xf), rtol=1e-15)


@pytest.mark.parametrize("x", [[1, 2, 3], (1.0, 2, 3.0)], ids=["list-of-ints", "tuple"])
def test_every_transformation_reads_a_sequence_as_a_structure(x):
    # issue 12 (intended change): a list or tuple of numbers is a structure of scalar leaves,
    # as in JAX; every derivative comes back as the same container of floats (ints promoted)
    kind = type(x)
    xf = np.array([1.0, 2.0, 3.0])
    v = kind([1, 0, 2])

    def cubic_seq(z):
        assert type(z) is kind
        return sum(t**3 for t in z) / 6.0

    def square_seq(z):
        return kind(t**2 for t in z)

    def same_kind(tree, shape):
        assert type(tree) is kind
        assert np.shape(tree) == shape
        assert all(type(leaf) is float for leaf in optkit.tree.leaves(tree))

    val, g = optkit.value_and_grad(cubic_seq)(x)
    assert val == pytest.approx(6.0, rel=1e-15)
    same_kind(g, (3,))
    np.testing.assert_allclose(g, xf**2 / 2, rtol=1e-15)
    y, t = optkit.jvp(cubic_seq, x, v)
    assert t == pytest.approx(np.dot(xf**2 / 2, v), rel=1e-15)
    y, pullback = optkit.vjp(square_seq, x)
    same_kind(y, (3,))
    ct = pullback(v)
    same_kind(ct, (3,))
    np.testing.assert_allclose(ct, 2 * xf * v, rtol=1e-15)
    hv = optkit.hvp(cubic_seq, x, v)
    same_kind(hv, (3,))
    np.testing.assert_allclose(hv, xf * v, rtol=1e-15)
    for how in ("hessian", "jacfwd", "jacrev", "jacobian"):
        fun = cubic_seq if how == "hessian" else square_seq
        J = getattr(optkit, how)(fun)(x)  # nested blocks, as JAX returns them
        same_kind(J, (3, 3))
        assert all(type(row) is kind for row in J)
        np.testing.assert_allclose(J, np.diag(xf if how == "hessian" else 2 * xf), rtol=1e-15)


def test_integer_scalar_in_every_transformation():
    assert optkit.jvp(lambda z: z**3, 2, 1) == (8.0, 12.0)
    assert optkit.hvp(lambda z: z**3, 2, 1) == 12.0
    y, pullback = optkit.vjp(lambda z: z**3, 2)
    assert (y, pullback(1)) == (8.0, 12.0)
    assert optkit.hessian(lambda z: z**3)(2) == 12.0
