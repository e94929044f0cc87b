"""Python control flow on traced values (`if`, `while`, data-dependent loops), as in eager
autograd: the derivative is that of the branch actually taken."""

import numpy as np
import pytest

import optkit
from optkit.ad.core import Tracer

from .table import fd_grad


def check_all_modes(f, x, rtol=1e-6, atol=1e-9):
    """grad, jvp and hvp of ``f`` at ``x`` against central differences."""
    x = np.asarray(x, dtype=float)
    v = np.random.default_rng(0).standard_normal(x.shape)
    g = optkit.grad(f)(x)
    np.testing.assert_allclose(g, fd_grad(f, x), rtol=rtol, atol=atol)
    _, jv = optkit.jvp(f, x, v)
    np.testing.assert_allclose(jv, np.sum(fd_grad(f, x) * v), rtol=rtol, atol=atol)
    hv = optkit.hvp(f, x, v)
    grad = optkit.grad(f)
    h = 1e-5
    hv_fd = (grad(x + h * v) - grad(x - h * v)) / (2 * h)
    np.testing.assert_allclose(hv, hv_fd, rtol=1e-5, atol=1e-7)


def test_comparisons_give_plain_booleans():
    seen = []

    def f(x):
        for c in (x > 1, x <= 0.5, x == x, x != 1.0, x[0] < x[1]):
            seen.append(c)
        return np.sum(x)

    optkit.grad(f)(np.array([0.5, 2.0]))
    optkit.jvp(f, np.array([0.5, 2.0]), np.ones(2))
    assert len(seen) == 10
    assert not any(isinstance(c, Tracer) for c in seen)
    expected = [[False, True], [True, False], [True, True], [True, True], True]
    assert [np.asarray(c).tolist() for c in seen[:5]] == expected
    assert [np.asarray(c).tolist() for c in seen[5:]] == expected


def branchy(x):
    s = np.sum(x**2)
    if s > 1:
        return np.sqrt(s) * np.sin(x[0])
    return 0.5 * s**2 + x[1]


@pytest.mark.parametrize("x", [[0.3, 0.4, 0.1], [1.0, -0.8, 0.6]], ids=["s<1", "s>1"])
def test_if_on_a_traced_value(x):
    check_all_modes(branchy, x)


def test_if_takes_each_branch():
    small, large = np.array([0.3, 0.4, 0.1]), np.array([1.0, -0.8, 0.6])
    s = np.sum(small**2)
    np.testing.assert_allclose(optkit.grad(branchy)(small), 2 * s * small + [0, 1, 0],
                               rtol=1e-14)
    g = optkit.grad(branchy)(large)
    r = np.linalg.norm(large)
    np.testing.assert_allclose(g, large / r * np.sin(large[0]) + [r * np.cos(large[0]), 0, 0],
                               rtol=1e-14)


def newton_sqrt(a):
    """sqrt(a) by Newton's method, stopping on a traced residual."""
    y = a
    while np.abs(y * y - a) > 1e-13 * a:
        y = 0.5 * (y + a / y)
    return y


@pytest.mark.parametrize("a", [0.3, 2.0, 50.0])
def test_while_loop_newton_iteration(a):
    assert optkit.grad(newton_sqrt)(a) == pytest.approx(0.5 / np.sqrt(a), rel=1e-10)
    assert optkit.jvp(newton_sqrt, a, 1.0)[1] == pytest.approx(0.5 / np.sqrt(a), rel=1e-10)
    d2 = optkit.grad(optkit.grad(newton_sqrt))(a)
    assert d2 == pytest.approx(-0.25 * a**-1.5, rel=1e-8)


def power_until(x):
    """x^n with n the first power that exceeds 10: the iteration count depends on x."""
    s = x
    n = 1
    while s < 10.0:
        s = s * x
        n += 1
    return s, n


@pytest.mark.parametrize("x, n", [(1.5, 6), (2.5, 3), (3.5, 2), (11.0, 1)])
def test_data_dependent_iteration_count(x, n):
    f = lambda t: power_until(t)[0]  # noqa: E731
    assert power_until(x)[1] == n
    assert optkit.grad(f)(x) == pytest.approx(n * x ** (n - 1), rel=1e-13)
    assert optkit.grad(f)(x) == pytest.approx(float(fd_grad(f, x)), rel=1e-7)
    assert optkit.hvp(f, x, 1.0) == pytest.approx(n * (n - 1) * x ** (n - 2), rel=1e-13)


def loop_with_break(x):
    s = 0.0
    for i in range(100):
        s = s + np.sin(x[i % len(x)]) * x[(i + 1) % len(x)]
        if s > 2.0 or s < -2.0:
            break
    return s


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_for_loop_with_break_on_traced_condition(seed):
    x = np.random.default_rng(seed).uniform(-1.0, 1.0, 4)
    check_all_modes(loop_with_break, x)


def test_builtin_max_min_abs_and_iteration():
    def f(x):
        total = 0.0
        for xi in x:  # iterating a traced array
            total = total + max(xi, 0.2) * min(xi, 0.5) + abs(xi) ** 3
        return total

    x = np.array([-0.7, 0.1, 0.3, 0.9])
    check_all_modes(f, x)


def test_recursion_depth_depends_on_value():
    def halve(x):
        return x if x < 1.0 else np.sin(halve(x / 2.0))

    for x in (0.5, 3.0, 17.0):
        check_all_modes(halve, np.array(x))


def test_mask_and_where_from_traced_comparisons():
    def f(x):
        pos = x > 0
        return np.sum(x[pos] ** 2) + np.sum(np.where(pos, np.exp(x), -x**3))

    check_all_modes(f, np.array([-0.5, 0.2, 1.1, -1.3]))


def bench_loop(x):
    s = 0.0
    for i in range(50):
        s = s * 0.9 + np.sin(x[i % 10] * x[(7 * i + 3) % 10])
    return s


def test_scalar_loop_of_the_benchmark():
    check_all_modes(bench_loop, np.random.default_rng(0).uniform(-1.0, 1.0, 10))


def test_long_chain_does_not_hit_the_recursion_limit():
    def f(x):
        s = x
        for _ in range(1500):
            s = s * 0.999 + 0.001 * np.sin(s)
        return s

    ref = fd_grad(f, np.array(0.7))
    assert optkit.grad(f)(0.7) == pytest.approx(float(ref), rel=1e-7)
    assert optkit.jvp(f, 0.7, 1.0)[1] == pytest.approx(float(ref), rel=1e-7)
    assert np.isfinite(optkit.hvp(f, 0.7, 1.0))
