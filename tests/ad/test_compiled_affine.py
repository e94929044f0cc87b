"""compiled.affine: a bias add and a column sum folded into the matrix product beside them;
the replay's results are the unfolded replay's up to summation order, and nothing is folded
where the layout or the operands do not allow it."""

import numpy as np
import pytest

import optkit
import optkit.ad.compiled.codegen as codegen_module
from optkit.ad.compiled.affine import fold_affine
from optkit.ad.compiled.codegen import codegen
from optkit.ad.compiled.passes import dce, fold_and_cse
from optkit.ad.staging import stage

D_IN, HIDDEN, BATCH = 6, 16, 40
N_PARAMS = D_IN * HIDDEN + 2 * HIDDEN + 1


def _data(seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((BATCH, D_IN)), rng.standard_normal(BATCH)


def _mlp(X, t):
    def f(p):  # weights, then the bias right after them: the flat layout the fold reads
        k = D_IN * HIDDEN
        h = np.tanh(X @ p[:k].reshape(D_IN, HIDDEN) + p[k:k + HIDDEN])
        return np.mean((h @ p[k + HIDDEN:k + 2 * HIDDEN] + p[-1] - t) ** 2)
    return f


def _eqns(fn, *args):
    eqns, outputs = fold_and_cse(stage(fn, args)[0])
    eqns = dce(eqns, outputs)
    return eqns, dce(fold_affine(eqns, outputs), outputs)


def _names(eqns):
    return [e.prim.name for e in eqns]


def _unfolded(monkeypatch, program, *args):
    with monkeypatch.context() as m:
        m.setattr(codegen_module, "fold_affine", lambda eqns, outputs: eqns)
        return codegen(program, "f", blocked=False)(*args)


def test_bias_add_goes_into_the_product(monkeypatch):
    X, t = _data()
    p = np.random.default_rng(1).standard_normal(N_PARAMS) * 0.3
    f = _mlp(X, t)
    eqns, folded = _eqns(f, p)
    assert _names(eqns).count("add") == _names(folded).count("add") + 1
    assert _names(eqns).count("matmul") == _names(folded).count("matmul")
    program = stage(f, (p,))[0]
    value = codegen(program, "f", blocked=False)(p)[0]
    np.testing.assert_allclose(value, _unfolded(monkeypatch, program, p)[0], rtol=1e-14)
    np.testing.assert_allclose(value, f(p), rtol=1e-14)


def test_column_sum_goes_into_the_reverse_product(monkeypatch):
    """The reverse pass of the dense layer: X^T D and D summed over rows, one product."""
    X, t = _data(2)
    p = np.random.default_rng(3).standard_normal(N_PARAMS) * 0.3
    vg = optkit.value_and_grad(_mlp(X, t))
    eqns, folded = _eqns(vg, p)
    assert _names(eqns).count("sum") == _names(folded).count("sum") + 1
    program = stage(vg, (p,))[0]
    (value, g), (v0, g0) = codegen(program, "vg", blocked=False)(p), vg(p)
    unfolded = _unfolded(monkeypatch, program, p)
    for got, ref in ((g, g0), (g, unfolded[1])):
        np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-15 * np.abs(ref).max())
    np.testing.assert_allclose(value, v0, rtol=1e-14)


@pytest.mark.parametrize("keepdims", [False, True])
def test_column_sum_with_or_without_kept_axis(keepdims):
    rng = np.random.default_rng(4)
    C, D = rng.standard_normal((5, 30)), rng.standard_normal((30, 7))

    def f(D):
        return C @ np.sin(D), np.sum(np.sin(D), axis=0, keepdims=keepdims)

    eqns, folded = _eqns(f, D)
    assert "sum" in _names(eqns) and "sum" not in _names(folded)
    got = codegen(stage(f, (D,))[0], "f", blocked=False)(D)
    for a, b in zip(got, f(D), strict=True):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-14)


def test_compiled_mlp_hvp_is_the_eager_one():
    X, t = _data(5)
    rng = np.random.default_rng(6)
    p, v = rng.standard_normal(N_PARAMS) * 0.3, rng.standard_normal(N_PARAMS)
    f = _mlp(X, t)
    ref = optkit.hvp(f, p, v)
    np.testing.assert_allclose(optkit.hvp(optkit.compile(f), p, v), ref, rtol=1e-11,
                               atol=1e-14 * np.abs(ref).max())


def _dense(X, layout):
    k = D_IN * HIDDEN

    def f(p, q):
        W = p[:k].reshape(D_IN, HIDDEN)
        b = {"gap": p[k + 1:k + 1 + HIDDEN], "other": q[:HIDDEN],
             "before": p[k - HIDDEN:k], "strided": p[k:k + 2 * HIDDEN:2]}[layout]
        return np.tanh(X @ W + b)
    return f


@pytest.mark.parametrize("layout", ["gap", "other", "before", "strided"])
def test_bias_not_right_after_the_weights_is_joined_to_them(layout):
    X, _ = _data(7)
    rng = np.random.default_rng(8)
    p, q = rng.standard_normal(N_PARAMS), rng.standard_normal(HIDDEN)
    f = _dense(X, layout)
    eqns, folded = _eqns(f, p, q)
    assert "concatenate" in _names(folded)
    assert _names(eqns).count("add") == _names(folded).count("add") + 1
    np.testing.assert_allclose(codegen(stage(f, (p, q))[0], "f", blocked=False)(p, q)[0],
                               f(p, q), rtol=1e-13, atol=1e-14)


def test_bias_of_one_entry_broadcast_stays_an_add():
    X, _ = _data(14)
    p = np.random.default_rng(15).standard_normal(N_PARAMS)
    k = D_IN * HIDDEN
    f = lambda p: X @ p[:k].reshape(D_IN, HIDDEN) + p[k:k + 1]  # noqa: E731
    eqns, folded = _eqns(f, p)
    assert _names(folded) == _names(eqns)
    np.testing.assert_array_equal(codegen(stage(f, (p,))[0], "f", blocked=False)(p)[0], f(p))


def test_bias_is_not_joined_to_weights_larger_than_the_product():
    """A product with fewer rows than W: joining W and b would copy more than the add reads."""
    rng = np.random.default_rng(12)
    X, q = rng.standard_normal((3, D_IN)), rng.standard_normal(HIDDEN)
    p = rng.standard_normal(N_PARAMS)
    f = _dense(X, "other")
    eqns, folded = _eqns(f, p, q)
    assert _names(folded) == _names(eqns)


def test_adjacent_bias_is_folded_whatever_the_rows():
    """[W; b] a view of p: no copy, so even a one-row product takes the bias in."""
    rng = np.random.default_rng(13)
    X, p = rng.standard_normal((1, D_IN)), rng.standard_normal(N_PARAMS)
    k = D_IN * HIDDEN
    f = lambda p: X @ p[:k].reshape(D_IN, HIDDEN) + p[k:k + HIDDEN]  # noqa: E731
    eqns, folded = _eqns(f, p)
    assert "add" not in _names(folded) and "concatenate" not in _names(folded)
    np.testing.assert_allclose(codegen(stage(f, (p,))[0], "f", blocked=False)(p)[0], f(p),
                               rtol=1e-13, atol=1e-14)


def test_product_used_twice_or_traced_matrix_is_not_folded():
    X, _ = _data(9)
    rng = np.random.default_rng(10)
    p = rng.standard_normal(N_PARAMS)
    k = D_IN * HIDDEN

    def twice(p):
        a = X @ p[:k].reshape(D_IN, HIDDEN)
        return np.tanh(a + p[k:k + HIDDEN]) * a

    def traced(p):  # the data matrix computed from p: no constant to append ones to
        W = p[:k].reshape(D_IN, HIDDEN)
        return (X * p[0]) @ W + p[k:k + HIDDEN]

    for f in (twice, traced):
        eqns, folded = _eqns(f, p)
        assert _names(folded) == _names(eqns)


def test_large_constant_is_not_copied():
    """The fold keeps a copy of the matrix with its ones: not for large constants."""
    rng = np.random.default_rng(11)
    X = rng.standard_normal((1 << 17, 5))  # 5 MiB
    p = rng.standard_normal(5 * 2 + 2)

    def f(p):
        return X @ p[:10].reshape(5, 2) + p[10:12]

    eqns, folded = _eqns(f, p)
    assert _names(folded) == _names(eqns)
