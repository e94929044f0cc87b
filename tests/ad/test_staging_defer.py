"""ad/staging.stage(..., defer=k): the matrix products that read an input from position k on
are recorded, not computed; optkit.compile's HVP staged with f and g's work at hand
(``expect_products``) then computes its first products with the program it built."""

import functools

import numpy as np

import optkit
from optkit.ad.api import value_and_grad
from optkit.ad.compiled.cache import same_recording
from optkit.ad.compiled.function import CompiledFunction, _value_grad_and_hvp
from optkit.ad.core import value_of
from optkit.ad.staging import PointValues, Var, stage

from .test_compiled_point_values import _logistic


def _rosenbrock(x):  # no matrix product: nothing to defer
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def _point():
    rng = np.random.default_rng(1)
    return rng.standard_normal(20), rng.standard_normal(20)


def test_a_deferred_staging_records_the_same_program_with_the_products_stale():
    f = _logistic()
    x, v = _point()
    hvp_of_f = functools.partial(_value_grad_and_hvp, f)
    plain, plain_out = stage(hvp_of_f, (x, v))
    deferred, out = stage(hvp_of_f, (x, v), defer=1)
    assert same_recording(plain, deferred)
    assert not plain.stale
    value, g, hv = deferred.outputs
    assert isinstance(hv, Var) and hv.id in deferred.stale
    assert value.id not in deferred.stale and g.id not in deferred.stale
    for mine, theirs in zip(out[:2], plain_out[:2], strict=True):  # f and g: computed
        np.testing.assert_array_equal(value_of(mine), value_of(theirs))
    assert not np.allclose(value_of(out[2]), value_of(plain_out[2]))  # stale: not H v


def test_nothing_is_stale_without_a_matrix_product_of_the_deferred_input():
    x, v = _point()
    hvp_of_f = functools.partial(_value_grad_and_hvp, _rosenbrock)
    plain, plain_out = stage(hvp_of_f, (x, v))
    deferred, out = stage(hvp_of_f, (x, v), defer=1)
    assert same_recording(plain, deferred) and not deferred.stale
    for mine, theirs in zip(out, plain_out, strict=True):
        np.testing.assert_array_equal(value_of(mine), value_of(theirs))


def test_a_deferred_staging_keeps_no_value_that_reads_the_deferred_input():
    f = _logistic()
    x, v = _point()
    point = PointValues()
    stage(value_and_grad(f), (x,), point=point)
    program, _ = stage(functools.partial(_value_grad_and_hvp, f), (x, v), point=point,
                       defer=1)
    assert program.stale
    for eqn in program.eqns:
        if eqn.out.id in program.stale:
            assert point.value_of(eqn.out) is None


def test_the_first_products_after_expect_products_are_the_eager_ones():
    for f in (_logistic(), _rosenbrock):
        x, v = _point()
        cf = CompiledFunction(f)
        cf.expect_products()
        value, g = cf.value_and_grad_for_hvp(x)
        np.testing.assert_allclose(g, optkit.grad(f)(x), rtol=1e-12, atol=1e-15)
        for w in (v, 2.0 * v + 1.0):
            np.testing.assert_allclose(cf.hvp(x, w), optkit.hvp(f, x, w), rtol=1e-10,
                                       atol=1e-14)
        assert cf.program(x, v, kind="hvp") is not None  # compiled, not eager
