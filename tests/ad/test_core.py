"""ad/core.py: primitives, bind, trace levels, unbroadcast, split_args."""

import numpy as np
import pytest

from optkit.ad.core import (
    ZERO,
    EscapedTracerError,
    Trace,
    bind,
    concrete,
    new_level,
    primitive,
    split_args,
    unbroadcast,
    value_of,
)
from optkit.ad.forward import JVPTrace, JVPTracer


def _double_vjp(g, ans, x):
    return 2.0 * g


def test_primitive_without_tracers_calls_impl():
    calls = []
    p = primitive("twice", lambda x: calls.append(x) or 2 * x, vjp=_double_vjp)
    assert p(3.0) == 6.0 and calls == [3.0]
    assert bind(p, (np.ones(2),), {}).tolist() == [2.0, 2.0]


def test_a_linear_primitive_derives_its_jvp_and_marks_nondiff_arguments():
    p = primitive("lin", lambda x, k: x * k, vjp=(_double_vjp, None), linear=True)
    assert p.jvps == (ZERO, None) and p.derived_jvp and not p.nondiff
    q = primitive("flag", np.sign)  # no rules at all: the output is a constant
    assert q.nondiff


def test_rules_of_the_wrong_kind_are_a_type_error_naming_the_primitive():
    with pytest.raises(TypeError, match="primitive 'bad': vjp"):
        primitive("bad", np.sin, vjp=3)


def test_levels_nest_and_are_released_on_an_exception():
    with new_level(JVPTrace) as outer:
        with new_level(JVPTrace) as inner:
            assert inner.level == outer.level + 1
        assert inner.level == -1
    kept = []
    with pytest.raises(RuntimeError), new_level(JVPTrace) as trace:
        kept.append(JVPTracer(trace, np.ones(2), np.ones(2)))
        raise RuntimeError
    assert trace.level == -1
    with pytest.raises(EscapedTracerError):
        np.sin(kept[0])  # a tracer that outlived its transformation


def test_the_highest_level_trace_processes_a_call():
    with new_level(JVPTrace) as low, new_level(JVPTrace) as high:
        a = JVPTracer(low, np.array([1.0, 2.0]), np.array([1.0, 0.0]))
        b = JVPTracer(high, np.array([3.0, 4.0]), np.array([0.0, 1.0]))
        out = a * b
        assert out._trace is high
        assert isinstance(out._a, JVPTracer) and out._a._trace is low  # computed one level down


def test_split_args_separates_own_tracers_constants_and_lower_levels():
    with new_level(JVPTrace) as low, new_level(JVPTrace) as high:
        own = JVPTracer(high, 2.0, 1.0)
        lower = JVPTracer(low, 3.0, 1.0)
        values, carried, is_lower = split_args(high, (own, 5.0))
        assert values == [2.0, 5.0] and carried == [(0, 1.0)] and not is_lower
        values, carried, is_lower = split_args(high, (own, lower))
        assert values == [2.0, lower] and carried == [(0, 1.0)] and is_lower


@pytest.mark.parametrize("gshape, shape", [((3, 4), (4,)), ((3, 4), (3, 1)), ((2, 3, 4), (1, 4)),
                                           ((5,), ()), ((4000, 3), (3,))])
def test_unbroadcast_sums_what_broadcasting_added(gshape, shape):
    g = np.random.default_rng(0).standard_normal(gshape)
    out = unbroadcast(g, shape)
    assert out.shape == shape
    expected = g.sum(axis=tuple(range(g.ndim - len(shape))))
    expected = expected.sum(axis=tuple(i for i, n in enumerate(shape) if n == 1), keepdims=True)
    np.testing.assert_allclose(out, np.reshape(expected, shape), rtol=1e-12)


def test_unbroadcast_of_a_matching_shape_is_the_same_object():
    g = np.ones((2, 3))
    assert unbroadcast(g, (2, 3)) is g


class _Listening(Trace):
    __slots__ = ("heard",)

    def __init__(self):
        self.heard = []

    def on_leak(self, what):
        self.heard.append(what)


def test_value_of_is_silent_and_concrete_tells_every_trace():
    with new_level(_Listening) as trace:
        t = JVPTracer(trace, np.array([1.0, 2.0]), np.zeros(2))
        assert value_of(t).tolist() == [1.0, 2.0] and trace.heard == []
        assert concrete(t, "an argmax").tolist() == [1.0, 2.0]
        assert trace.heard == ["an argmax"]
