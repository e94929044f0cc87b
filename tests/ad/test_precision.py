"""float32, float16 and complex64 inputs: derivatives come back in the input's precision, as
JAX and PyTorch give them, correct to that precision (computed in float64, rounded once)."""

import numpy as np
import pytest

import optkit

X64 = np.array([0.5, -1.3, 2.0, 0.1])
V64 = np.array([1.0, -2.0, 0.5, 3.0])


def f(x):
    return np.sum(np.sin(x) ** 2 + 0.5 * x * x)


def g(x):
    return np.tanh(x) * x[0]


EPS = {np.float32: 1e-6, np.float16: 2e-3}


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_every_transformation_keeps_the_input_dtype(dtype):
    x, v = X64.astype(dtype), V64.astype(dtype)
    xr, vr = x.astype(np.float64), v.astype(np.float64)  # the same point, in double
    rtol = EPS[dtype]
    results = {
        "grad": (optkit.grad(f)(x), optkit.grad(f)(xr)),
        "jvp": (optkit.jvp(g, x, v)[1], optkit.jvp(g, xr, vr)[1]),
        "jvp-primal": (optkit.jvp(g, x, v)[0], g(xr)),
        "vjp": (optkit.vjp(g, x)[1](v), optkit.vjp(g, xr)[1](vr)),
        "vjp-primal": (optkit.vjp(g, x)[0], g(xr)),
        "hvp": (optkit.hvp(f, x, v), optkit.hvp(f, xr, vr)),
        "jacfwd": (optkit.jacfwd(g)(x), optkit.jacfwd(g)(xr)),
        "jacrev": (optkit.jacrev(g)(x), optkit.jacrev(g)(xr)),
        "jacobian": (optkit.jacobian(g)(x), optkit.jacobian(g)(xr)),
        "hessian": (optkit.hessian(f)(x), optkit.hessian(f)(xr)),
        "compiled-grad": (optkit.grad(optkit.compile(f))(x), optkit.grad(f)(xr)),
        "compiled-hvp": (optkit.hvp(optkit.compile(f), x, v), optkit.hvp(f, xr, vr)),
    }
    for name, (low, ref) in results.items():
        assert low.dtype == dtype, name
        np.testing.assert_allclose(low, ref.astype(dtype), rtol=rtol, atol=rtol, err_msg=name)


def test_structures_keep_each_leaf_dtype():
    x = {"a": X64.astype(np.float32), "b": np.float64(2.0) * np.ones(2)}
    grad = optkit.grad(lambda p: np.sum(p["a"] ** 2) + np.sum(p["b"] ** 3))(x)
    assert grad["a"].dtype == np.float32 and grad["b"].dtype == np.float64
    # a mixed-precision input: the outputs of jvp stay in double precision
    _, t = optkit.jvp(lambda p: p["a"] * 2.0, x, x)
    assert t.dtype == np.float64


def test_complex64():
    z = (X64 + 1j * V64).astype(np.complex64)
    gz = optkit.grad(lambda z: np.sum(np.abs(z) ** 2))(z)
    assert gz.dtype == np.complex64
    np.testing.assert_allclose(gz, 2 * np.conj(z), rtol=1e-6)
    _, t = optkit.jvp(np.exp, z, z)
    assert t.dtype == np.complex64
    np.testing.assert_allclose(t, np.exp(z.astype(complex)) * z, rtol=1e-6)


def test_astype_float32_on_a_traced_value():
    # the value is rounded to float32, as numpy does; the derivative passes through
    def h(x):
        return np.sum(x.astype(np.float32) * x)

    grad = optkit.grad(h)(X64)
    np.testing.assert_allclose(grad, 2 * X64, rtol=1e-7)
    assert h(X64) == pytest.approx(np.sum(X64.astype(np.float32) * X64), rel=1e-15)
    np.testing.assert_allclose(optkit.hvp(h, X64, V64), 2 * V64, rtol=1e-15)
