"""custom_primitive(complex=True): user rules on complex values, with JAX's conventions."""

import numpy as np
import pytest

import optkit
from optkit.ad.errors import ComplexValueError


def _cube(complex_rules):
    @optkit.custom_primitive(complex=complex_rules)
    def cube(z):
        return z ** 3

    cube.defjvp(lambda t, ans, z: 3.0 * z ** 2 * t)
    cube.defvjp(lambda g, ans, z: 3.0 * z ** 2 * g)
    return cube


def _loss(cube):
    w = np.array([0.7 - 0.2j, -1.1 + 0.4j])
    return lambda z: np.real(np.sum(w * cube(z) * np.conj(cube(z)))) + np.sum(np.imag(cube(z)))


def _reference(z):
    w = np.array([0.7 - 0.2j, -1.1 + 0.4j])
    return np.real(np.sum(w * z ** 3 * np.conj(z ** 3))) + np.sum(np.imag(z ** 3))


def _fd_grad(f, z, h=1e-6):
    """JAX's gradient of a real function of complex z: df/dx - i df/dy, by central differences."""
    g = np.zeros_like(z)
    for k in range(z.size):
        e = np.zeros_like(z)
        e[k] = h
        dx = (f(z + e) - f(z - e)) / (2 * h)
        dy = (f(z + 1j * e) - f(z - 1j * e)) / (2 * h)
        g[k] = dx - 1j * dy
    return g


def test_complex_rules_give_the_gradient_in_both_modes():
    z = np.array([0.3 + 0.5j, -0.8 + 0.1j])
    f = _loss(_cube(True))
    want = _fd_grad(_reference, z)
    np.testing.assert_allclose(optkit.grad(f)(z), want, rtol=1e-7, atol=1e-8)
    # forward mode: the JVP along a complex direction against a central difference along it
    v = np.array([0.2 - 0.6j, 1.0 + 0.3j])
    _, t = optkit.jvp(f, z, v)
    h = 1e-6
    np.testing.assert_allclose(t, (_reference(z + h * v) - _reference(z - h * v)) / (2 * h),
                               rtol=1e-7)


def test_real_only_rules_refuse_complex_values():
    cube = _cube(False)
    with pytest.raises(ComplexValueError, match="complex=True"):
        optkit.grad(_loss(cube))(np.array([0.3 + 0.5j, -0.8 + 0.1j]))
    # real values are unaffected
    np.testing.assert_allclose(optkit.grad(lambda x: np.sum(cube(x)))(np.array([2.0])), [12.0])
