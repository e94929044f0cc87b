"""compiled.outer: large outer products (and sums of two) as matrix products contracting 2;
the entries are the products themselves (a sum of two: BLAS's order), small ones stay a
multiplication."""

import numpy as np
import pytest

import optkit
from optkit.ad.compiled.codegen import codegen
from optkit.ad.compiled.outer import MIN_ENTRIES, outer_products
from optkit.ad.compiled.passes import dce, fold_and_cse
from optkit.ad.staging import stage


def _eqns(fn, *args):
    eqns, outputs = fold_and_cse(stage(fn, args)[0])
    eqns = dce(eqns, outputs)
    return eqns, dce(outer_products(eqns, outputs), outputs)


def _impls(eqns):
    return [e.prim.name for e in eqns]


def _replay(fn, *args):
    return codegen(stage(fn, args)[0], "f", blocked=False)(*args)


@pytest.mark.parametrize("shape", [(256, 64), (64, 256), (4096, 1)])
def test_large_outer_product_is_a_depth_two_product_of_the_same_entries(shape):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((shape[0], 1)), rng.standard_normal((1, shape[1]))
    a[3] = 0.0  # zero products and special values come out as a * b does
    b[0, 0], a[5] = np.inf, np.nan
    f = lambda a, b: a @ b  # noqa: E731
    with np.errstate(invalid="ignore"):  # inf * 0, nan * x
        eqns, rewritten = _eqns(f, a, b)
        got, ref = _replay(f, a, b)[0], a * b
    assert _impls(rewritten) == ["concatenate", "concatenate", "matmul"]
    np.testing.assert_array_equal(got, ref)


def test_small_outer_product_is_left_alone():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((30, 1)), rng.standard_normal((1, 20))
    assert 30 * 20 < MIN_ENTRIES
    eqns, rewritten = _eqns(lambda a, b: a @ b, a, b)
    assert _impls(rewritten) == _impls(eqns) == ["matmul"]


def test_sum_of_two_outer_products_is_one_product():
    rng = np.random.default_rng(2)
    a, c = rng.standard_normal((256, 1)), rng.standard_normal((256, 1))
    b, d = rng.standard_normal((1, 64)), rng.standard_normal((1, 64))
    f = lambda a, b, c, d: a @ b + c @ d  # noqa: E731
    eqns, rewritten = _eqns(f, a, b, c, d)
    assert _impls(rewritten) == ["concatenate", "concatenate", "matmul"]
    ref = a * b + c * d  # each entry: the same two products, summed (BLAS may fuse one)
    np.testing.assert_allclose(_replay(f, a, b, c, d)[0], ref, rtol=1e-15,
                               atol=1e-16 * np.abs(ref).max())


def test_outer_product_used_twice_in_a_sum_is_rewritten_alone():
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((256, 1)), rng.standard_normal((1, 64))

    def f(a, b):
        p = a @ b
        return p + np.sin(a) @ b, p

    eqns, rewritten = _eqns(f, a, b)
    assert _impls(rewritten).count("matmul") == 2 and "add" in _impls(rewritten)
    for got, ref in zip(_replay(f, a, b), f(a, b), strict=True):
        np.testing.assert_allclose(got, ref, rtol=1e-15)


def test_compiled_wide_mlp_derivatives_are_the_eager_ones():
    """256 x 64 hidden layer with one output: the reverse pass's outer product, and the
    HVP's sum of two, are rewritten."""
    rng = np.random.default_rng(4)
    X, t = rng.standard_normal((256, 8)), rng.standard_normal(256)

    def f(p):
        W1, W2 = p[:512].reshape(8, 64), p[512:576].reshape(64, 1)
        return np.mean(((np.tanh(X @ W1) @ W2)[:, 0] - t) ** 2)

    p, v = rng.standard_normal(576) * 0.2, rng.standard_normal(576)
    vg = optkit.value_and_grad(f)
    assert "concatenate" in _impls(_eqns(vg, p)[1])
    fc = optkit.compile(f)
    (value, g), (v0, g0) = optkit.value_and_grad(fc)(p), vg(p)
    np.testing.assert_allclose(value, v0, rtol=1e-14)
    np.testing.assert_allclose(g, g0, rtol=1e-12, atol=1e-15 * np.abs(g0).max())
    ref = optkit.hvp(f, p, v)
    np.testing.assert_allclose(optkit.hvp(fc, p, v), ref, rtol=1e-11,
                               atol=1e-14 * np.abs(ref).max())
