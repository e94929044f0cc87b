"""ad/reverse.py: the tape, recorded in evaluation order and swept backwards once."""

import numpy as np
import pytest

from optkit.ad.core import NotDifferentiableError, new_level, primitive
from optkit.ad.reverse import ReverseTrace, ReverseTracer, ReverseTracerArray, backward


def _record(f, x):
    with new_level(ReverseTrace) as trace:
        leaf = trace.new_leaf(x)
        out = f(leaf)
    return trace, leaf._b, out


def test_backward_gives_the_gradient_and_consumes_the_tape():
    x = np.array([0.5, -1.0, 2.0])
    trace, leaf, out = _record(lambda x: np.sum(np.exp(x) * x), x)
    assert len(trace.tape) >= 3
    (g,) = backward(trace, out._b, 1.0, [leaf])
    np.testing.assert_allclose(g, np.exp(x) * (1.0 + x), rtol=1e-14)
    assert trace.tape is None


def test_nodes_let_go_of_their_inputs_unless_kept():
    x = np.array([0.5, -1.0])
    trace, leaf, out = _record(lambda x: np.sum(np.sin(x)), x)
    sin_node = out._b.parents[0][1]
    backward(trace, out._b, 1.0, [leaf])
    assert sin_node.args is None and sin_node.ans is None
    trace, leaf, out = _record(lambda x: np.sum(np.sin(x)), x)
    sin_node = out._b.parents[0][1]
    backward(trace, out._b, 1.0, [leaf], keep=True)
    assert sin_node.args is not None


def test_a_long_chain_needs_no_recursion():
    x = np.array([0.1])
    trace, leaf, out = _record(lambda x: np.sum(_chain(x, 20_000)), x)
    (g,) = backward(trace, out._b, 1.0, [leaf])
    np.testing.assert_allclose(g, [1.0])


def _chain(x, n):
    for _ in range(n):
        x = x + 0.0
    return x


def test_large_nodes_keep_only_what_their_rules_read():
    x = np.linspace(0.0, 1.0, 5000)
    with new_level(ReverseTrace) as trace:
        a, b = trace.new_leaf(x), trace.new_leaf(x + 1.0)
        total = a + b  # add's cotangent rules read neither argument
        product = a * b  # multiply's read both
    assert total._b.args == [None, None] and total._b.ans is None
    assert product._b.args[0] is x and product._b.args[1] is not None


def test_array_values_get_the_array_class():
    with new_level(ReverseTrace) as trace:
        assert type(trace.new_leaf(np.ones(2))) is ReverseTracerArray
        assert type(trace.new_leaf(np.float64(1.0))) is ReverseTracer


def test_a_cotangent_into_a_nondifferentiable_argument_names_it():
    p = primitive("halve_by", lambda x, k: x / k, vjp=(lambda g, ans, x, k: g / k, None))
    with new_level(ReverseTrace) as trace:
        x, k = trace.new_leaf(np.ones(2)), trace.new_leaf(np.float64(2.0))
        out = np.sum(p(x, k))
    with pytest.raises(NotDifferentiableError, match="argument 1 of 'halve_by'"):
        backward(trace, out._b, 1.0, [x._b, k._b])
