"""ad/forward.py: the JVP trace, one (primal, tangent) pair per traced value."""

import numpy as np
import pytest

from optkit.ad.core import NotDifferentiableError, new_level, primitive
from optkit.ad.forward import JVPTrace, JVPTracer, JVPTracerArray


def _scale_jvp(t, ans, x, k):
    return t * k


def _scale_vjp(g, ans, x, k):
    return g * k


scale = primitive("scale", lambda x, k: x * k, jvp=(_scale_jvp, None), vjp=(_scale_vjp, None))


def test_tangent_follows_the_chain_rule():
    x, t = np.array([0.3, -1.2]), np.array([1.0, 2.0])
    with new_level(JVPTrace) as trace:
        out = np.sin(JVPTracer(trace, x, t)) * 3.0
    np.testing.assert_allclose(out._a, 3.0 * np.sin(x))
    np.testing.assert_allclose(out._b, 3.0 * np.cos(x) * t)


def test_array_values_get_the_array_class_and_scalars_do_not():
    with new_level(JVPTrace) as trace:
        assert type(JVPTracer(trace, np.ones(3), np.ones(3))) is JVPTracerArray
        scalar = JVPTracer(trace, np.float64(2.0), 1.0)
        assert type(scalar) is JVPTracer and not hasattr(scalar, "__len__")
        assert isinstance(JVPTracer(trace, np.ones(3), np.ones(3)), JVPTracer)


def test_a_linear_primitive_with_a_constant_argument_uses_a_zero_tangent_for_it():
    x, t = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    with new_level(JVPTrace) as trace:
        out = JVPTracer(trace, x, t) - np.array([10.0, 20.0])  # subtract is linear
    np.testing.assert_array_equal(out._b, t)


def test_a_nondifferentiable_primitive_leaves_the_trace():
    with new_level(JVPTrace) as trace:
        out = np.sign(JVPTracer(trace, np.array([-2.0, 3.0]), np.ones(2)))
    assert not isinstance(out, JVPTracer)
    np.testing.assert_array_equal(out, [-1.0, 1.0])


def test_an_output_independent_of_the_input_gets_a_zero_tangent_of_its_shape():
    with new_level(JVPTrace) as trace:
        out = JVPTracer(trace, np.ones(3), np.ones(3)) * 0.0 + np.arange(3.0)
    np.testing.assert_array_equal(out._b, np.zeros(3))


def test_a_tangent_into_a_nondifferentiable_argument_names_it():
    with new_level(JVPTrace) as trace:
        x = JVPTracer(trace, np.ones(2), np.ones(2))
        k = JVPTracer(trace, np.float64(2.0), 1.0)
        np.testing.assert_array_equal(scale(x, 2.0)._b, [2.0, 2.0])
        with pytest.raises(NotDifferentiableError, match="argument 1 of 'scale'"):
            scale(x, k)
