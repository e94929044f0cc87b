"""Shared by the tests of the public transformations (test_grad, test_jvp_vjp, ...)."""

import numpy as np


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


_W = np.random.default_rng(5).standard_normal((2, 2, 3))


def vec_fun(x):
    """R^3 -> R^(2, 2), nonlinear, every output depends on every input."""
    return np.sum(_W * np.sin(x * x[0]), axis=-1) + np.exp(x[1] - x[2])


X3 = np.array([0.3, -0.7, 0.4])


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
