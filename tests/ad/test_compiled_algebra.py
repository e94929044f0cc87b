"""compiled.algebra: constant products folded, negations carried into a product, outer
products as multiplications; each bit for bit, and only where that holds."""

import numpy as np
import pytest

import optkit
from optkit.ad.compiled.algebra import fold_products, merge_scatters, outer_matmuls
from optkit.ad.compiled.codegen import codegen
from optkit.ad.compiled.passes import dce, fold_and_cse
from optkit.ad.staging import stage


def _folded(f, *args):
    program = stage(f, args)[0]
    eqns, outputs = fold_and_cse(program)
    eqns = dce(eqns, outputs)
    return eqns, fold_products(outer_matmuls(eqns), outputs), program


def _replay(program, *args):
    return codegen(program, "f", blocked=False)(*args)


def test_product_of_constants_by_a_power_of_two_is_one_product():
    x = np.random.default_rng(0).standard_normal(50)
    f = lambda x: 100.0 * (2.0 * x) + np.sin(x)  # noqa: E731
    eqns, folded, program = _folded(f, x)
    assert len(folded) == len(eqns) - 1
    np.testing.assert_array_equal(_replay(program, x)[0], f(x))


@pytest.mark.parametrize("f", [
    lambda x: 0.5 * (2.0 * x),    # 2x overflows where x does not: inf, not x
    lambda x: 2.0 * (0.1 * x),    # 0.1 x is rounded: (2 * 0.1) x may differ
    lambda x: 3.0 * (x * x),      # no constant inside
])
def test_inexact_or_unsafe_constant_products_are_kept(f):
    x = np.array([1.7e308, -1.3e308, 0.3, 1e-310])
    with np.errstate(over="ignore"):
        eqns, folded, program = _folded(f, x)
        assert len(folded) == len(eqns)
        np.testing.assert_array_equal(_replay(program, x)[0], f(x))


def test_negation_moves_into_a_product_by_a_constant():
    x = np.random.default_rng(1).standard_normal(40)
    y = np.random.default_rng(2).standard_normal(40)

    def f(x, y):
        u = 3.0 * x
        return u + (-u) * (2.5 * y), (-np.sin(x)) * 1.5

    eqns, folded, program = _folded(f, x, y)
    assert not any(e.prim.impl is np.negative for e in folded)
    assert len(folded) == len(eqns) - 2
    got = _replay(program, x, y)
    for a, b in zip(got, f(x, y), strict=True):
        np.testing.assert_array_equal(a, b)


def test_negation_used_twice_is_kept():
    x = np.random.default_rng(3).standard_normal(40)

    def f(x):
        n = -np.sin(x)
        return n * (2.0 * x) + n

    eqns, folded, program = _folded(f, x)
    assert sum(e.prim.impl is np.negative for e in folded) == 1
    np.testing.assert_array_equal(_replay(program, x)[0], f(x))


def test_outer_matmul_is_a_multiplication():
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal((30, 1)), rng.standard_normal((1, 20))
    _, folded, program = _folded(lambda a, b: a @ b, a, b)
    assert [e.prim.impl for e in folded] == [np.multiply]
    np.testing.assert_array_equal(_replay(program, a, b)[0], a @ b)
    c = rng.standard_normal((2, 1))  # a contraction of length 2 stays a matmul
    _, folded, _ = _folded(lambda a, c: a @ c, np.ones((3, 2)), c)
    assert [e.prim.impl for e in folded] == [np.matmul]


def test_mlp_gradient_bits_unchanged():
    """The reverse pass of h @ W2 with one output is the outer product g W2^T."""
    rng = np.random.default_rng(5)
    X, t = rng.standard_normal((64, 8)), rng.standard_normal(64)

    def f(p):
        W1, W2 = p[:128].reshape(8, 16), p[128:144].reshape(16, 1)
        return np.mean(((np.tanh(X @ W1) @ W2)[:, 0] - t) ** 2)

    p = rng.standard_normal(144) * 0.3
    vg = optkit.value_and_grad(f)
    program = stage(vg, (p,))[0]
    assert "matmul" not in [e.prim.name for e in _folded(vg, p)[1]][-4:]
    value, g = _replay(program, p)
    eager_value, eager_g = vg(p)
    assert value == eager_value
    np.testing.assert_array_equal(g, eager_g)


def test_small_rosenbrock_gradient_is_the_eager_one():
    """Sums, means and small scatters are written out in the generated source."""
    x = np.random.default_rng(6).uniform(-1.0, 1.0, 12)

    def f(x):
        return np.mean(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)

    vg = optkit.value_and_grad(f)
    replay = codegen(stage(vg, (x,))[0], "vg", blocked=False)
    assert "np_add_reduce" in replay.source and "np_zeros" in replay.source
    value, g = replay(x)
    assert value == vg(x)[0]
    np.testing.assert_array_equal(g, vg(x)[1])


def test_negated_product_in_a_sum_becomes_a_difference():
    rng = np.random.default_rng(7)
    x, y = rng.standard_normal(30), rng.standard_normal(30)

    def f(x, y):
        return np.sin(y) + (-np.cos(x)) * y, np.exp(x) - x * (-np.sin(y))

    eqns, folded, program = _folded(f, x, y)
    assert not any(e.prim.impl is np.negative for e in folded)
    assert len(folded) == len(eqns) - 2
    for a, b in zip(_replay(program, x, y), f(x, y), strict=True):
        np.testing.assert_array_equal(a, b)


def test_two_scatters_at_one_slice_are_one_scatter_of_the_sum():
    """The reverse pass of x[:-1] read twice: one zero array, one write; same gradient."""
    x = np.random.default_rng(8).uniform(-1.0, 1.0, 9)

    def f(x):
        return np.sum(x[1:] * np.exp(x[:-1]) + np.cos(x[:-1]))

    vg = optkit.value_and_grad(f)
    program = stage(vg, (x,))[0]
    eqns, outputs = fold_and_cse(program)
    merged = merge_scatters(dce(eqns, outputs), outputs)
    scatters = [e for e in merged if e.prim.name == "scatter_add"]
    assert len(scatters) == sum(e.prim.name == "scatter_add" for e in eqns) - 1
    value, g = _replay(program, x)
    assert value == vg(x)[0]
    np.testing.assert_array_equal(g, vg(x)[1])
    for blocked in (True, False):  # the blocked replay too (one block of 4 rows and more)
        replay = codegen(program, "vg", blocked=blocked, block_size=4)
        np.testing.assert_allclose(replay(x)[1], vg(x)[1], rtol=1e-15, atol=1e-15)


@pytest.mark.parametrize("index", [slice(1, None), slice(None, -2), (slice(None), 1),
                                   np.array([True, False, True, True, False, True]), 2])
def test_small_scatter_written_in_place_is_the_eager_gradient(index):
    """g computed straight into the zeros' entries at a slice; a mask (a copy) or an
    element (a scalar) keeps the zeros-then-write lines; the gradient is eager's, bit for bit."""
    rng = np.random.default_rng(9)
    x = rng.uniform(-1.0, 1.0, (6, 3)) if type(index) is tuple else rng.uniform(-1.0, 1.0, 6)

    def f(x):
        return np.sum(np.sin(x[index]) * np.cos(x[index]))

    vg = optkit.value_and_grad(f)
    replay = codegen(stage(vg, (x,))[0], "vg", blocked=False)
    is_view = type(index) in (slice, tuple)
    assert ("out=v" in replay.source) == is_view
    value, g = replay(x)
    assert value == vg(x)[0]
    np.testing.assert_array_equal(g, vg(x)[1])
