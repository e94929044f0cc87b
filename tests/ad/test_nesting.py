"""Nested transformations to any order, and perturbation confusion."""

import numpy as np
import pytest

import optkit
from optkit.ad.core import Tracer

from .transforms import (
    assert_plain_array,
    assert_plain_float,
    rosen,
    rosen_hess,
)


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
