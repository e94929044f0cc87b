"""ad/numpy_dispatch.py: numpy's protocols turn plain numpy calls on tracers into primitives."""

import numpy as np
import pytest

import optkit
from optkit.ad.core import NotDifferentiableError, TracerConversionError, new_level
from optkit.ad.forward import JVPTrace
from optkit.ad.numpy_dispatch import ArrayTracer, ScalarTracer, tracer_pair

from .table import fd_grad


def test_ufunc_reduce_accumulate_and_outer_map_to_their_numpy_functions():
    x = np.array([0.5, 1.5, -2.0])
    for f, g in [(lambda x: np.add.reduce(x), lambda x: np.ones_like(x)),
                 (lambda x: np.sum(np.multiply.accumulate(x)),
                  lambda x: np.array([1 + x[1] + x[1] * x[2], x[0] + x[0] * x[2], x[0] * x[1]])),
                 (lambda x: np.sum(np.multiply.outer(x, x)), lambda x: 2 * np.sum(x) * np.ones(3))]:
        np.testing.assert_allclose(optkit.grad(f)(x), g(x), rtol=1e-14)


def test_a_ufunc_without_a_rule_is_named():
    with pytest.raises(NotDifferentiableError, match="numpy.gcd"):
        optkit.grad(lambda x: np.sum(np.gcd(x, x)))(np.ones(2))


def test_a_numpy_function_without_a_rule_is_named_with_how_to_register_one():
    with pytest.raises(NotDifferentiableError, match=r"numpy\.unwrap.*custom_primitive"):
        optkit.grad(lambda x: np.sum(np.abs(np.unwrap(x))))(np.ones(4))


def test_writing_into_out_is_refused():
    def f(x):
        buf = np.empty(2)
        np.sin(x, out=buf)
        return np.sum(buf)

    with pytest.raises(TracerConversionError, match="out="):
        optkit.grad(f)(np.ones(2))


def test_operators_and_comparisons():
    x = np.array([1.0, 2.0])
    def f(x):
        return np.sum(2 ** x / (1 + x)) - x @ x + np.sum(-x % 3.0) + abs(x[0]) ** 1.5

    np.testing.assert_allclose(optkit.grad(f)(x), fd_grad(f, x), rtol=1e-7)
    seen = []
    optkit.grad(lambda x: seen.append((x > 1.5).tolist()) or np.sum(x))(x)
    assert seen == [[False, True]]


def test_tracer_pair_makes_a_scalar_class_and_an_array_subclass():
    class Extra:
        __slots__ = ()

        def hello(self):
            return "hi"

    scalar, array = tracer_pair("DemoTracer", "A demo.", __name__, Extra)
    assert scalar.__name__ == "DemoTracer" and array.__name__ == "DemoTracerArray"
    assert issubclass(array, scalar) and issubclass(array, ArrayTracer)
    assert issubclass(scalar, ScalarTracer) and not issubclass(scalar, ArrayTracer)
    with new_level(JVPTrace) as trace:
        a, s = scalar(trace, np.ones(2), "b"), scalar(trace, np.float64(1.0), "b")
        assert type(a) is array and type(s) is scalar
        assert len(a) == 2 and a._b == "b" and a._view is None and s.hello() == "hi"
