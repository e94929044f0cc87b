"""User-defined primitives: external code with its own JVP and VJP rules."""

import numpy as np
import pytest

import optkit
from optkit import NotDifferentiableError
from optkit.ad.core import Tracer

SEEN = []  # the types the external code was called with


@optkit.custom_primitive
def softplus(x):
    """log(1 + exp(x)), computed the way external code would: plain floats, one by one."""
    SEEN.append(type(x))
    arr = np.asarray(x, dtype=float)  # would raise on a traced value
    out = np.empty_like(arr)
    for i, xi in enumerate(arr.flat):
        out.flat[i] = np.log1p(np.exp(-abs(float(xi)))) + max(float(xi), 0.0)
    return out if out.ndim else float(out)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))  # differentiable numpy, so the rules nest


softplus.defjvp(lambda t, ans, x: t * _sigmoid(x))
softplus.defvjp(lambda g, ans, x: g * _sigmoid(x))


def sp_d1(x):
    return 1.0 / (1.0 + np.exp(-x))


def sp_d2(x):
    s = sp_d1(x)
    return s * (1.0 - s)


def sp_d3(x):
    s = sp_d1(x)
    return s * (1.0 - s) * (1.0 - 2.0 * s)


X = np.array([-1.5, 0.2, 0.7, 2.0])


def loss(x):
    return np.sum(softplus(x) ** 2)


def loss_grad(x):
    return 2.0 * np.log1p(np.exp(x)) * sp_d1(x)


def loss_hess_diag(x):
    return 2.0 * sp_d1(x) ** 2 + 2.0 * np.log1p(np.exp(x)) * sp_d2(x)


def test_plain_call_is_the_external_function():
    y = softplus(X)
    assert type(y) is np.ndarray
    np.testing.assert_allclose(y, np.log1p(np.exp(X)), rtol=1e-14)
    assert softplus(0.0) == pytest.approx(np.log(2.0), rel=1e-15)


def test_metadata_of_the_wrapped_function_is_kept():
    assert softplus.__name__ == "softplus"
    assert "external code" in softplus.__doc__


def test_external_code_only_ever_sees_plain_values():
    SEEN.clear()
    optkit.grad(loss)(X)
    optkit.jvp(loss, X, np.ones(4))
    optkit.hvp(loss, X, np.ones(4))
    optkit.grad(optkit.grad(lambda t: softplus(t) * t))(0.3)
    assert SEEN and not any(issubclass(t, Tracer) for t in SEEN)


def test_custom_primitive_inside_grad():
    val, g = optkit.value_and_grad(loss)(X)
    assert val == pytest.approx(np.sum(np.log1p(np.exp(X)) ** 2), rel=1e-14)
    np.testing.assert_allclose(g, loss_grad(X), rtol=1e-13)


def test_custom_primitive_inside_jvp():
    v = np.array([1.0, -2.0, 0.5, 3.0])
    y, t = optkit.jvp(softplus, X, v)
    np.testing.assert_allclose(y, np.log1p(np.exp(X)), rtol=1e-14)
    np.testing.assert_allclose(t, sp_d1(X) * v, rtol=1e-14)


def test_custom_primitive_inside_hvp_and_hessian():
    v = np.array([1.0, -2.0, 0.5, 3.0])
    np.testing.assert_allclose(optkit.hvp(loss, X, v), loss_hess_diag(X) * v, rtol=1e-12)
    np.testing.assert_allclose(optkit.hessian(loss)(X), np.diag(loss_hess_diag(X)),
                               rtol=1e-12, atol=1e-15)


def test_custom_primitive_to_third_order():
    assert optkit.grad(optkit.grad(optkit.grad(softplus)))(0.4) == pytest.approx(sp_d3(0.4),
                                                                                 rel=1e-12)


def test_custom_primitive_passes_check_grads():
    optkit.check_grads(loss, X, order=2)
    optkit.check_grads(softplus, X, order=3)


# ---- several arguments, broadcasting, constants and keyword parameters ---------------------
@optkit.custom_primitive(name="scaled_product")
def scaled_prod(a, b, *, scale=1.0):
    return scale * np.asarray(a) * np.asarray(b)


scaled_prod.defjvp(lambda t, ans, a, b, scale=1.0: scale * t * b,
                   lambda t, ans, a, b, scale=1.0: scale * a * t)
scaled_prod.defvjp(lambda g, ans, a, b, scale=1.0: scale * g * b,
                   lambda g, ans, a, b, scale=1.0: scale * g * a)


def test_two_arguments_with_broadcasting_and_keyword_parameter():
    a = np.array([1.0, 2.0, 3.0])

    def f(a, b):
        return np.sum(scaled_prod(a, b, scale=2.0) ** 2)  # b: a scalar broadcast over a

    ga, gb = optkit.grad(f, argnums=(0, 1))(a, 0.5)
    np.testing.assert_allclose(ga, 2 * (2 * a * 0.5) * 2 * 0.5, rtol=1e-14)
    assert gb == pytest.approx(np.sum(2 * (2 * a * 0.5) * 2 * a), rel=1e-14)
    _, t = optkit.jvp(lambda b: scaled_prod(a, b, scale=3.0), 0.5, 1.0)
    np.testing.assert_allclose(t, 3.0 * a, rtol=1e-14)
    H = optkit.hessian(lambda b: f(a, b))(0.5)
    assert H == pytest.approx(np.sum(8 * a * a), rel=1e-14)


@optkit.custom_primitive
def power_k(x, k):
    return np.asarray(x) ** k


power_k.defjvp(lambda t, ans, x, k: k * x ** (k - 1) * t, None)
power_k.defvjp(lambda g, ans, x, k: k * x ** (k - 1) * g, None)


def test_non_differentiable_argument_accepts_constants():
    assert optkit.grad(lambda x: power_k(x, 3))(2.0) == pytest.approx(12.0)
    assert optkit.grad(optkit.grad(lambda x: power_k(x, 3)))(2.0) == pytest.approx(12.0)


@pytest.mark.parametrize("transform", ["grad", "jvp"])
def test_non_differentiable_argument_refuses_a_traced_value(transform):
    f = lambda k: power_k(2.0, k)  # noqa: E731
    with pytest.raises(NotDifferentiableError, match=r"'power_k'.*argument 1"):
        if transform == "grad":
            optkit.grad(f)(3.0)
        else:
            optkit.jvp(f, 3.0, 1.0)


# ---- missing rules ----------------------------------------------------------------------
def _no_rules():
    @optkit.custom_primitive
    def external(x):
        return 2.0 * np.asarray(x)

    return external


def test_missing_vjp_rule_raises_naming_the_primitive():
    ext = _no_rules()
    ext.defjvp(lambda t, ans, x: 2.0 * t)
    _, t = optkit.jvp(ext, 1.0, 1.0)  # forward mode is fine
    assert t == 2.0
    with pytest.raises(NotDifferentiableError, match=r"'external'.*defvjp"):
        optkit.grad(lambda x: np.sum(ext(x)))(np.ones(2))
    with pytest.raises(NotDifferentiableError, match=r"'external'.*defvjp"):
        optkit.vjp(ext, np.ones(2))


def test_missing_jvp_rule_raises_naming_the_primitive():
    ext = _no_rules()
    ext.defvjp(lambda g, ans, x: 2.0 * g)
    np.testing.assert_array_equal(optkit.grad(lambda x: np.sum(ext(x)))(np.ones(2)), [2.0, 2.0])
    with pytest.raises(NotDifferentiableError, match=r"'external'.*defjvp"):
        optkit.jvp(ext, np.ones(2), np.ones(2))
    # forward-over-reverse needs the JVP rule too
    with pytest.raises(NotDifferentiableError, match=r"'external'.*defjvp"):
        optkit.hvp(lambda x: np.sum(ext(x) ** 2), np.ones(2), np.ones(2))


def test_no_rules_at_all():
    ext = _no_rules()
    np.testing.assert_array_equal(ext(np.ones(2)), [2.0, 2.0])  # plain calls still work
    with pytest.raises(NotDifferentiableError, match="external"):
        optkit.grad(lambda x: np.sum(ext(x)))(np.ones(2))
    with pytest.raises(NotDifferentiableError, match="external"):
        optkit.check_grads(ext, np.ones(2))


def test_rules_must_be_callables():
    ext = _no_rules()
    with pytest.raises(TypeError, match="defjvp takes callables"):
        ext.defjvp(2.0)
    with pytest.raises(TypeError, match="defvjp takes callables"):
        ext.defvjp("g * 2")


# ---- a rule that calls another custom primitive --------------------------------------------
@optkit.custom_primitive
def ext_sin(x):
    return np.sin(np.asarray(x, dtype=float))


@optkit.custom_primitive
def ext_cos(x):
    return np.cos(np.asarray(x, dtype=float))


ext_sin.defjvp(lambda t, ans, x: t * ext_cos(x))
ext_sin.defvjp(lambda g, ans, x: g * ext_cos(x))
ext_cos.defjvp(lambda t, ans, x: -t * ext_sin(x))
ext_cos.defvjp(lambda g, ans, x: -g * ext_sin(x))


def test_mutually_recursive_rules_to_fourth_order():
    f = ext_sin
    for _ in range(4):
        f = optkit.grad(f)
    assert f(0.7) == pytest.approx(np.sin(0.7), rel=1e-14)
    H = optkit.hessian(lambda x: np.sum(ext_sin(x) * ext_cos(x)))(np.array([0.1, 0.4]))
    np.testing.assert_allclose(H, np.diag(-2.0 * np.sin(2 * np.array([0.1, 0.4]))),
                               rtol=1e-13, atol=1e-15)
