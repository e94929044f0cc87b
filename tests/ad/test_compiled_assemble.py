"""compiled.assemble: scatters into disjoint slices covering a vector become one join of
the pieces; a gap, an overlap or a piece used twice keeps the scatters."""

import numpy as np
import pytest

import optkit
from optkit.ad.compiled.assemble import join_scatters
from optkit.ad.compiled.codegen import codegen
from optkit.ad.compiled.passes import dce, fold_and_cse
from optkit.ad.rules.indexing import scatter_add
from optkit.ad.staging import stage


def _eqns(fn, *args):
    eqns, outputs = fold_and_cse(stage(fn, args)[0])
    eqns = dce(eqns, outputs)
    return eqns, dce(join_scatters(eqns, outputs), outputs)


def _names(eqns):
    return [e.prim.name for e in eqns]


def _pieces(x):  # reads x in four pieces: its gradient is four scatters that cover it
    W, b = x[:12].reshape(3, 4), x[12:16]
    return np.sum(np.tanh(W @ np.arange(4.0) + b[:3]) * x[-1]) + np.sum(np.sin(x[16:-1]))


def test_gradient_of_pieces_covering_the_vector_is_one_join():
    x = np.random.default_rng(0).standard_normal(21)
    vg = optkit.value_and_grad(_pieces)
    eqns, joined = _eqns(vg, x)
    def whole(eqns):  # the scatters into the gradient (b's own, into b[:3], stays)
        return [e for e in eqns if e.prim.name == "scatter_add" and e.params["shape"] == (21,)]

    assert len(whole(eqns)) == 4 and not whole(joined)
    assert _names(joined).count("concatenate") == 1
    value, g = codegen(stage(vg, (x,))[0], "vg", blocked=False)(x)
    v0, g0 = vg(x)
    assert value == v0
    np.testing.assert_array_equal(g, g0)


@pytest.mark.parametrize("f", [
    lambda x: np.sum(np.sin(x[:5])) + np.sum(np.cos(x[6:])),       # a gap at 5
    lambda x: np.sum(np.sin(x[:6])) + np.sum(np.cos(x[4:])),       # an overlap
    lambda x: np.sum(np.sin(x[:6]) * np.cos(x[6:])) + x[3] ** 2,    # an element inside
])
def test_scatters_that_do_not_tile_the_vector_are_kept(f):
    x = np.random.default_rng(1).standard_normal(12)
    vg = optkit.value_and_grad(f)
    eqns, joined = _eqns(vg, x)
    assert "concatenate" not in _names(joined)
    np.testing.assert_array_equal(codegen(stage(vg, (x,))[0], "vg", blocked=False)(x)[1],
                                  vg(x)[1])


def test_partial_sum_used_elsewhere_is_not_joined():
    rng = np.random.default_rng(2)
    g1, g2 = rng.standard_normal(5), rng.standard_normal(7)
    n = 12

    def f(g1, g2):  # the sum of two scatters, and one of them read again
        a = scatter_add(g1, index=slice(0, 5), shape=(n,))
        return a + scatter_add(g2, index=slice(5, n), shape=(n,)), a * 2.0

    eqns, joined = _eqns(f, g1, g2)
    assert _names(joined) == _names(eqns)
