"""passes.fold_negations: -(a * c) becomes a * (-c), bit for bit, only where it is safe."""

import numpy as np

import optkit
from optkit.ad.compiled.codegen import codegen
from optkit.ad.compiled.passes import dce, fold_and_cse, fold_negations
from optkit.ad.staging import stage


def _folded(f, x):
    program = stage(f, (x,))[0]
    eqns, outputs = fold_and_cse(program)
    eqns = dce(eqns, outputs)
    return eqns, fold_negations(eqns, outputs)


def test_negated_product_by_a_constant_is_one_product():
    x = np.random.default_rng(0).standard_normal(50)
    eqns, folded = _folded(lambda x: -(x * 2.5) + np.sin(x), x)
    assert len(folded) == len(eqns) - 1
    assert not any(e.prim.impl is np.negative for e in folded)
    program = stage(lambda x: -(x * 2.5) + np.sin(x), (x,))[0]
    np.testing.assert_array_equal(codegen(program, "f", blocked=False)(x)[0],
                                  -(x * 2.5) + np.sin(x))


def test_product_used_twice_or_of_two_arrays_is_kept():
    x = np.random.default_rng(1).standard_normal(50)
    for f in (lambda x: -(x * 2.5) + x * 2.5 * np.cos(x), lambda x: -(x * np.sin(x))):
        eqns, folded = _folded(f, x)
        assert len(folded) == len(eqns)


def test_rosenbrock_gradient_bits_unchanged_by_the_fold():
    """The reverse pass's -(2 * (1 - x)) is folded; the gradient is the eager one, bit for bit."""
    x = np.random.default_rng(2).uniform(-1.0, 1.0, 100)

    def f(x):
        return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)

    vg = optkit.value_and_grad(f)
    eqns, folded = _folded(vg, x)
    assert len(folded) < len(eqns)
    program = stage(vg, (x,))[0]
    np.testing.assert_array_equal(codegen(program, "vg", blocked=False)(x)[1], vg(x)[1])
