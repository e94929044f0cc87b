"""jvp and vjp: values, tangents, pullbacks, shapes, and no mutation of inputs."""

import numpy as np
import pytest

import optkit

from .transforms import (
    X3,
    assert_plain_array,
    assert_plain_float,
    fd_jac,
    vec_fun,
)

# ---- vjp / jvp ---------------------------------------------------------------------------



def test_vjp_value_and_pullback_reused():
    y, pullback = optkit.vjp(vec_fun, X3)
    assert_plain_array(y, (2, 2))
    np.testing.assert_allclose(y, vec_fun(X3), rtol=1e-15)
    J = fd_jac(vec_fun, X3)
    r = np.random.default_rng(0)
    u1, u2 = r.standard_normal((2, 2)), r.standard_normal((2, 2))
    g1 = pullback(u1)
    g2 = pullback(u2)
    g1_again = pullback(u1)
    for u, g in [(u1, g1), (u2, g2), (u1, g1_again)]:
        assert_plain_array(g, (3,))
        np.testing.assert_allclose(g, np.tensordot(u, J, axes=2), rtol=1e-7, atol=1e-9)
    np.testing.assert_array_equal(g1, g1_again)


def test_vjp_scalar_function_of_scalar():
    y, pullback = optkit.vjp(lambda x: x**2, 3.0)
    assert_plain_float(y)
    g = pullback(2.0)
    assert_plain_float(g)
    assert g == 12.0


def test_vjp_rejects_cotangent_of_wrong_shape():
    _, pullback = optkit.vjp(vec_fun, X3)
    with pytest.raises(ValueError, match=r"u must have the output's shape \(2, 2\)"):
        pullback(np.ones(4))


def test_vjp_of_output_independent_of_x():
    y, pullback = optkit.vjp(lambda x: np.ones(2) * 5.0, X3)
    np.testing.assert_array_equal(y, [5.0, 5.0])
    g = pullback(np.ones(2))
    assert_plain_array(g, (3,))
    np.testing.assert_array_equal(g, 0.0)


def test_jvp_value_tangent_and_linearity():
    v = np.array([1.0, -2.0, 0.5])
    y, t = optkit.jvp(vec_fun, X3, v)
    assert_plain_array(y, (2, 2))
    assert_plain_array(t, (2, 2))
    np.testing.assert_allclose(y, vec_fun(X3), rtol=1e-15)
    np.testing.assert_allclose(t, fd_jac(vec_fun, X3) @ v, rtol=1e-7, atol=1e-9)
    _, t2 = optkit.jvp(vec_fun, X3, 3.0 * v)
    np.testing.assert_allclose(t2, 3.0 * t, rtol=1e-14)


def test_jvp_scalar_in_scalar_out():
    y, t = optkit.jvp(lambda x: np.sin(x) * x, 0.5, 2.0)
    assert_plain_float(y)
    assert_plain_float(t)
    assert t == pytest.approx(2.0 * (np.cos(0.5) * 0.5 + np.sin(0.5)), rel=1e-14)


def test_jvp_of_constant_output_is_zero():
    y, t = optkit.jvp(lambda x: np.arange(3.0), X3, np.ones(3))
    np.testing.assert_array_equal(y, [0.0, 1.0, 2.0])
    assert_plain_array(t, (3,))
    np.testing.assert_array_equal(t, 0.0)


def test_jvp_rejects_tangent_of_wrong_shape():
    with pytest.raises(ValueError, match="v must have the shape of x"):
        optkit.jvp(vec_fun, X3, np.ones(2))


def test_inputs_and_constants_are_never_modified():
    r = np.random.default_rng(0)
    x, v, c = r.standard_normal(5), r.standard_normal(5), r.standard_normal(5)
    x0, v0, c0 = x.copy(), v.copy(), c.copy()

    def f(t):
        s = t * c + c  # c is used twice, and added to a traced value
        s = s + t  # t is used twice
        return np.sum(s * s) + np.sum(t[1:3]) + np.sum(t[1:3]) + np.sum(c * t)

    optkit.value_and_grad(f)(x)
    optkit.jvp(f, x, v)
    optkit.hvp(f, x, v)
    optkit.hessian(f)(x)
    for a, a0 in [(x, x0), (v, v0), (c, c0)]:
        np.testing.assert_array_equal(a, a0)


def test_pullback_does_not_modify_its_cotangent():
    x = np.array([0.5, -1.0, 2.0])
    u1, u2 = np.array([1.0, 2.0, 3.0]), np.array([-1.0, 0.5, 0.25])
    _, pullback = optkit.vjp(lambda t: t * 3.0 + t, x)
    for u in (u1, u2, u1):
        u0 = u.copy()
        np.testing.assert_allclose(pullback(u), 4.0 * u0, rtol=1e-15)
        np.testing.assert_array_equal(u, u0)


def shared_cotangent(t):
    # add's VJP hands one cotangent object to both parents, and `a` gets two contributions
    a = np.sin(t)
    b = np.cos(t)
    return (a + b) + a


def test_reused_pullback_with_shared_cotangents_stays_correct():
    x = np.array([0.3, 0.5])
    dref = 2 * np.cos(x) - np.sin(x)
    _, pullback = optkit.vjp(shared_cotangent, x)
    for u in (np.ones(2), np.ones(2), np.array([2.0, -1.0]), np.ones(2)):
        np.testing.assert_allclose(pullback(u), u * dref, rtol=1e-14)


@pytest.mark.parametrize("how", ["jacfwd", "jacrev", "jacobian"])
def test_jacobian_with_shared_cotangents(how):
    x = np.array([0.3, 0.5, -0.2])
    J = getattr(optkit, how)(shared_cotangent)(x)
    np.testing.assert_allclose(J, np.diag(2 * np.cos(x) - np.sin(x)), rtol=1e-14, atol=1e-15)
