"""Hessians and Hessian-vector products, also through numpy.linalg rules."""

import numpy as np
import pytest

import optkit

from .transforms import (
    assert_plain_array,
    fd_jac,
    rosen,
    rosen_hess,
)

# ---- Hessians and HVPs ---------------------------------------------------------------------



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
