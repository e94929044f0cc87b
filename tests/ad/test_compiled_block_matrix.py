"""Blocked replay through products with a constant matrix (compiled.regions' ``matvec`` and
``vecmat``): ``A @ x``, the elementwise work on its rows and ``s @ A`` run block by block of
A's rows, with the results of the unblocked replay up to the documented summation order."""

import numpy as np
import pytest

import optkit
from optkit.ad.compiled.codegen import codegen
from optkit.ad.compiled.regions import MATRIX_BLOCK
from optkit.ad.staging import stage


def _logistic(m, n, seed=0, order="C"):
    rng = np.random.default_rng(seed)
    A = np.asarray(rng.standard_normal((m, n)) / np.sqrt(n), order=order)
    y = np.where(rng.standard_normal(m) > 0, 1.0, -1.0)

    def f(w):
        return np.mean(np.logaddexp(0.0, -y * (A @ w))) + 0.005 * np.dot(w, w)

    return f


def _programs(f, x, v):
    return [(stage(optkit.value_and_grad(f), (x,))[0], (x,)),
            (stage(lambda x, v: optkit.hvp(f, x, v), (x, v))[0], (x, v))]


def _close(got, want):
    for a, b in zip(got, want, strict=True):
        assert np.shape(a) == np.shape(b)
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-14 * max(1.0, np.max(np.abs(b))))


@pytest.mark.parametrize("m", [40, 37])  # 37: a shorter last block
def test_both_products_run_by_blocks_of_rows(m):
    f = _logistic(m, 6)
    rng = np.random.default_rng(1)
    x, v = rng.standard_normal(6), rng.standard_normal(6)
    for program, args in _programs(f, x, v):
        replay = codegen(program, "p", blocked=True, block_size=8)
        assert any(line.startswith("region") for line in replay.blocking)
        assert "+= " in replay.source  # a vecmat accumulated block by block
        assert not any("matmul" in line for line in replay.blocking)  # all inside
        _close(replay(*args), codegen(program, "p", blocked=False)(*args))


def test_auto_blocks_a_large_matrix_and_derivatives_are_right():
    m, n = 1200, 500  # 600000 elements: more than four blocks of MATRIX_BLOCK
    assert m * n >= 4 * MATRIX_BLOCK
    f = _logistic(m, n, seed=2)
    rng = np.random.default_rng(3)
    x, v = rng.standard_normal(n) * 0.1, rng.standard_normal(n)
    cf, plain = optkit.compile(f), optkit.compile(f, blocked=False)
    value, g = optkit.value_and_grad(cf)(x)
    assert any(line.startswith("region") for line in cf.blocking(x))
    want_value, want_g = optkit.value_and_grad(plain)(x)
    assert value == pytest.approx(want_value, rel=1e-14)
    np.testing.assert_allclose(g, want_g, rtol=1e-12, atol=1e-16)
    np.testing.assert_allclose(g, optkit.value_and_grad(f)(x)[1], rtol=1e-12, atol=1e-16)
    np.testing.assert_allclose(optkit.hvp(cf, x, v), optkit.hvp(f, x, v), rtol=1e-12,
                               atol=1e-16)


def test_a_small_matrix_is_not_blocked_under_auto():
    f = _logistic(200, 50)  # 10000 elements
    x = np.random.default_rng(4).standard_normal(50)
    cf = optkit.compile(f)
    optkit.value_and_grad(cf)(x)
    assert not any(line.startswith("region") for line in cf.blocking(x))


@pytest.mark.parametrize("order, n", [("F", 6), ("C", MATRIX_BLOCK // 8)])
def test_column_major_or_too_wide_matrices_stay_unblocked(order, n):
    f = _logistic(24, n, order=order)
    x = np.random.default_rng(5).standard_normal(n) * 0.1
    program = stage(optkit.value_and_grad(f), (x,))[0]
    replay = codegen(program, "p", blocked=True, block_size=8)
    assert "+= " not in replay.source  # s @ A multiplied whole, after any region
    _close(replay(x), codegen(program, "p", blocked=False)(x))


def test_a_vector_computed_in_the_region_is_not_multiplied_there():
    """A @ (x * x) with A square: x * x runs by rows, but the product needs it whole, so the
    product is cut out of the region (and is right)."""
    rng = np.random.default_rng(6)
    A = rng.standard_normal((64, 64))

    def f(x):
        return np.sum(np.tanh(A @ (x * x)) * x)

    x, v = rng.standard_normal(64), rng.standard_normal(64)
    for program, args in _programs(f, x, v):
        replay = codegen(program, "p", blocked=True, block_size=8)
        _close(replay(*args), codegen(program, "p", blocked=False)(*args))
