"""The public transformations: argument handling, result types, values, and nesting."""

import numpy as np
import pytest

import optkit
from optkit.ad.core import Tracer
from optkit.ad.forward import JVPTracer
from optkit.ad.reverse import ReverseTracer

from .table import fd_grad


def fd_jac(f, x, h=1e-6):
    """Central-difference Jacobian, shape out.shape + x.shape."""
    x = np.asarray(x, dtype=float)
    cols = []
    for k in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[k] = h
        cols.append((np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * h))
    y_shape = np.shape(f(x))
    return np.stack([np.reshape(c, -1) for c in cols], axis=-1).reshape(y_shape + x.shape)


def assert_plain_array(a, shape):
    assert type(a) is np.ndarray, type(a)
    assert a.dtype == np.float64
    assert a.shape == shape
    assert a.flags.writeable


def assert_plain_float(a):
    assert type(a) is float, type(a)


def sin_sq(x):
    return np.sum(np.sin(x) ** 2)


def sin_sq_grad(x):
    return np.sin(2 * np.asarray(x, dtype=float))


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


# ---- vjp / jvp ---------------------------------------------------------------------------
_W = np.random.default_rng(5).standard_normal((2, 2, 3))


def vec_fun(x):
    """R^3 -> R^(2, 2), nonlinear, every output depends on every input."""
    return np.sum(_W * np.sin(x * x[0]), axis=-1) + np.exp(x[1] - x[2])


X3 = np.array([0.3, -0.7, 0.4])


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


# ---- dense Jacobians ---------------------------------------------------------------------
JAC_CASES = [
    ("R3->R2x2", vec_fun, X3),
    ("R2x3->R2", lambda x: np.sum(np.sin(x) * x[0], axis=1),
     np.random.default_rng(1).standard_normal((2, 3))),
    ("R->R3", lambda x: np.array([1.0, 2.0, 3.0]) * x + np.sin(x * np.array([1.0, -1.0, 2.0])),
     0.7),
    ("R3->R", lambda x: np.sum(np.exp(x)), X3),
    ("R4->R4", lambda x: np.tanh(x) * x[::-1], np.linspace(-1, 1, 4)),
]


@pytest.mark.parametrize("name, f, x", JAC_CASES, ids=[c[0] for c in JAC_CASES])
@pytest.mark.parametrize("how", ["jacfwd", "jacrev", "jacobian"])
def test_dense_jacobians_agree_with_finite_differences(name, f, x, how):
    J = getattr(optkit, how)(f)(x)
    ref = fd_jac(f, x)
    if ref.shape == ():
        assert_plain_float(J)
    else:
        assert_plain_array(J, ref.shape)
    np.testing.assert_allclose(J, ref, rtol=1e-7, atol=1e-9)


def test_jacobian_of_scalar_function_of_scalar_is_float():
    for how in ("jacfwd", "jacrev", "jacobian", "hessian"):
        J = getattr(optkit, how)(lambda x: x**3)(2.0)
        assert_plain_float(J)
        assert J == pytest.approx(12.0, rel=1e-14)


def _counting(f):
    """Wrap ``f``, recording the tracer type of each call's argument."""
    calls = []

    def wrapped(x):
        # the mode's tracer class (array tracers are subclasses of the 0-d ones)
        calls.append(JVPTracer if isinstance(x, JVPTracer) else
                     ReverseTracer if isinstance(x, ReverseTracer) else type(x))
        return f(x)

    return wrapped, calls


def test_jacobian_uses_forward_mode_when_outputs_outnumber_inputs():
    f, calls = _counting(lambda x: np.reshape(np.sin(x[:, None] * _W[0]), (-1,)))  # R^2 -> R^6
    J = optkit.jacobian(f)(np.array([0.1, 0.2]))
    assert J.shape == (6, 2)
    assert calls.count(JVPTracer) == 2  # one forward pass per input
    assert calls.count(ReverseTracer) <= 1  # at most a single (shape-probing) reverse pass
    assert len(calls) <= 3


def test_jacobian_uses_reverse_mode_when_inputs_outnumber_outputs():
    f, calls = _counting(lambda x: np.sum(np.reshape(np.sin(x) ** 2, (2, 3)), axis=1))  # R^6->R^2
    J = optkit.jacobian(f)(np.linspace(0, 1, 6))
    assert J.shape == (2, 6)
    assert calls == [ReverseTracer]  # one recording, two pullbacks


def test_jacobian_square_uses_reverse_mode():
    f, calls = _counting(np.sin)
    optkit.jacobian(f)(np.ones(3))
    assert calls == [ReverseTracer]


def test_jacobian_delegates_to_jacfwd_or_reverse_rows(monkeypatch):
    import optkit.ad.api as api

    used = []
    real = api.jacfwd

    def spy(f):
        used.append("fwd")
        return real(f)

    monkeypatch.setattr(api, "jacfwd", spy)
    optkit.jacobian(lambda x: x * np.arange(3.0))(1.0)  # 3 outputs > 1 input
    assert used == ["fwd"]
    optkit.jacobian(lambda x: np.sum(x))(np.ones(3))  # 1 output < 3 inputs
    assert used == ["fwd"]


# ---- Hessians and HVPs ---------------------------------------------------------------------
def rosen(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def rosen_hess(x):
    n = len(x)
    H = np.zeros((n, n))
    for i in range(n - 1):
        H[i, i] += 1200 * x[i] ** 2 - 400 * x[i + 1] + 2
        H[i, i + 1] += -400 * x[i]
        H[i + 1, i] += -400 * x[i]
        H[i + 1, i + 1] += 200
    return H


def test_hessian_matches_analytic_rosenbrock():
    x = np.random.default_rng(0).uniform(-1.5, 1.5, 5)
    H = optkit.hessian(rosen)(x)
    assert_plain_array(H, (5, 5))
    np.testing.assert_allclose(H, rosen_hess(x), rtol=1e-12, atol=1e-10)


def test_hvp_equals_hessian_times_vector():
    r = np.random.default_rng(0)
    x, v = r.uniform(-1.5, 1.5, 6), r.standard_normal(6)
    hv = optkit.hvp(rosen, x, v)
    assert_plain_array(hv, (6,))
    np.testing.assert_allclose(hv, rosen_hess(x) @ v, rtol=1e-12, atol=1e-10)
    np.testing.assert_allclose(hv, optkit.hessian(rosen)(x) @ v, rtol=1e-12, atol=1e-10)


def test_hessian_of_matrix_input_has_shape_x_x():
    A = np.random.default_rng(0).standard_normal((2, 3))

    def f(X):
        return np.sum(np.sin(X) * X**2)

    H = optkit.hessian(f)(A)
    assert_plain_array(H, (2, 3, 2, 3))
    d = 2 * np.sin(A) + 4 * A * np.cos(A) - A**2 * np.sin(A)
    np.testing.assert_allclose(H.reshape(6, 6), np.diag(d.ravel()), atol=1e-12)
    hv = optkit.hvp(f, A, np.ones((2, 3)))
    assert_plain_array(hv, (2, 3))
    np.testing.assert_allclose(hv, d, rtol=1e-12)


# ---- nesting to any order ------------------------------------------------------------------
def test_grad_of_grad_and_third_order():
    f = lambda x: np.sin(x) * x**3  # noqa: E731
    d1 = lambda x: np.cos(x) * x**3 + 3 * x**2 * np.sin(x)  # noqa: E731
    d2 = lambda x: -np.sin(x) * x**3 + 6 * x**2 * np.cos(x) + 6 * x * np.sin(x)  # noqa: E731
    d3 = lambda x: (-np.cos(x) * x**3 - 9 * x**2 * np.sin(x)  # noqa: E731
                    + 18 * x * np.cos(x) + 6 * np.sin(x))
    x = 0.8
    g1 = optkit.grad(f)(x)
    g2 = optkit.grad(optkit.grad(f))(x)
    g3 = optkit.grad(optkit.grad(optkit.grad(f)))(x)
    for g, ref in [(g1, d1(x)), (g2, d2(x)), (g3, d3(x))]:
        assert_plain_float(g)
        assert g == pytest.approx(ref, rel=1e-12)


def test_fourth_order_mixed_modes():
    # d^4/dx^4 exp(2x) = 16 exp(2x), through grad, jvp and hvp nested in each other
    f = lambda x: np.exp(2.0 * x)  # noqa: E731

    def d3(x):
        return optkit.hvp(f, x, 1.0)  # second derivative ...

    def d3_grad(x):
        return optkit.jvp(d3, x, 1.0)[1]  # ... third ...

    d4 = optkit.grad(d3_grad)(0.3)  # ... fourth
    assert_plain_float(d4)
    assert d4 == pytest.approx(16 * np.exp(0.6), rel=1e-12)


def test_jvp_of_grad_is_hessian_vector_product():
    r = np.random.default_rng(2)
    x, v = r.uniform(-1, 1, 4), r.standard_normal(4)
    g, hv = optkit.jvp(optkit.grad(rosen), x, v)
    np.testing.assert_allclose(g, optkit.grad(rosen)(x), rtol=1e-14)
    np.testing.assert_allclose(hv, rosen_hess(x) @ v, rtol=1e-12, atol=1e-10)


def test_grad_of_jvp_reverse_over_forward():
    r = np.random.default_rng(3)
    x, v = r.uniform(-1, 1, 4), r.standard_normal(4)
    g = optkit.grad(lambda z: optkit.jvp(rosen, z, v)[1])(x)  # grad of <grad f, v> = H v
    np.testing.assert_allclose(g, rosen_hess(x) @ v, rtol=1e-12, atol=1e-10)


def test_grad_through_a_function_that_takes_a_grad_internally():
    # f(x) = |grad rosen(x)|^2 / 2  =>  grad f = H(x) grad rosen(x)
    def f(x):
        g = optkit.grad(rosen)(x)
        return 0.5 * np.sum(g * g)

    x = np.array([0.5, -0.3, 0.8])
    np.testing.assert_allclose(optkit.grad(f)(x), rosen_hess(x) @ optkit.grad(rosen)(x),
                               rtol=1e-12)


def test_hessian_of_hessian_entry():
    # the Hessian of (H(x) of sum x^4)[0, 0] = 12 x0^2 is 24 e0 e0^T
    def h00(x):
        return optkit.hessian(lambda z: np.sum(z**4))(x)[0, 0]

    H = optkit.hessian(h00)(np.array([0.5, 2.0]))
    np.testing.assert_allclose(H, [[24.0, 0.0], [0.0, 0.0]], atol=1e-12)


def test_perturbation_confusion_reverse():
    # Siskind & Pearlmutter (2005): d/dx [x * d/dy (x + y)] = d/dx [x * 1] = 1, not 2
    def outer(x):
        return x * optkit.grad(lambda y: x + y)(1.0)

    assert optkit.grad(outer)(1.0) == 1.0


def test_perturbation_confusion_forward():
    def outer(x):
        return x * optkit.jvp(lambda y: x + y, 1.0, 1.0)[1]

    assert optkit.jvp(outer, 1.0, 1.0)[1] == 1.0


@pytest.mark.parametrize("outer_mode", ["grad", "jvp"])
@pytest.mark.parametrize("inner_mode", ["grad", "jvp"])
def test_perturbation_confusion_mixed(outer_mode, inner_mode):
    # d/dx [x * d/dy (x * y)] = d/dx [x * x] = 2x
    def inner_d(fn, y):
        return optkit.grad(fn)(y) if inner_mode == "grad" else optkit.jvp(fn, y, 1.0)[1]

    def outer(x):
        return x * inner_d(lambda y: x * y, 2.0)

    x = 3.0
    d = optkit.grad(outer)(x) if outer_mode == "grad" else optkit.jvp(outer, x, 1.0)[1]
    assert d == pytest.approx(6.0, rel=1e-15)


def test_inner_derivative_does_not_leak_tracers():
    # the inner grad of an outer-traced closure gives a traced value, which the outer
    # transformation consumes; nothing traced comes back to the caller
    def outer(x):
        inner = optkit.grad(lambda y: np.sum(x * y**2))(np.ones(2))
        assert isinstance(inner, Tracer)
        return np.sum(inner)

    g = optkit.grad(outer)(np.array([1.0, 2.0]))
    assert_plain_array(g, (2,))
    np.testing.assert_allclose(g, [2.0, 2.0], rtol=1e-15)


# ---- nesting through linear algebra (rules from optkit/ad/rules for numpy.linalg) -----------
_A = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])
_B = np.array([1.0, -2.0, 0.5])


def solve_quad(x):
    """b^T (A + diag(x^2))^{-1} b, written with np.linalg.solve."""
    return _B @ np.linalg.solve(_A + np.eye(3) * x**2, _B)


def solve_quad_grad(x):
    s = np.linalg.solve(_A + np.diag(x**2), _B)
    return -2.0 * x * s**2


def logdet(x):
    """log det (A + diag(x^2)), written with np.linalg.det."""
    return np.log(np.linalg.det(_A + np.eye(3) * x**2))


def logdet_grad(x):
    return 2.0 * x * np.diag(np.linalg.inv(_A + np.diag(x**2)))


@pytest.mark.parametrize("f, df", [(solve_quad, solve_quad_grad), (logdet, logdet_grad)],
                         ids=["solve", "det"])
def test_hessian_through_linalg(f, df):
    x = np.array([0.3, -0.8, 1.1])
    np.testing.assert_allclose(optkit.grad(f)(x), df(x), rtol=1e-12)
    H = optkit.hessian(f)(x)
    assert_plain_array(H, (3, 3))
    np.testing.assert_allclose(H, fd_jac(df, x), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(H, H.T, rtol=1e-12, atol=1e-14)
    v = np.array([1.0, 0.5, -2.0])
    np.testing.assert_allclose(optkit.hvp(f, x, v), H @ v, rtol=1e-12, atol=1e-14)


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
