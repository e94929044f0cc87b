"""Deferred tangents (``forward.Deferred``): in an HVP's forward pass the JVP trace computes a
large result's tangent only when something reads it. Results must be bit-identical to the
computing-at-once path, tangents no one reads never computed, and refusals not deferred.

The arrays are large (n = 6000) so that the size-gated deferral runs."""

import numpy as np
import pytest

import optkit
from optkit.ad import core, forward

N = 6000


def _rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def _rosenbrock_hvp(x, v):
    hv = np.zeros_like(x)
    hv[:-1] = (1200 * x[:-1] ** 2 - 400 * x[1:] + 2) * v[:-1] - 400 * x[:-1] * v[1:]
    hv[1:] += -400 * x[:-1] * v[:-1] + 200 * v[1:]
    return hv


def _mixed(x):
    # tangents read by the backward pass (sin's argument, the product's factors) and not
    # (the terms summed into f), a tangent read twice (y), a reduction inside
    y = np.sin(x) * x
    return np.sum(y**2) + np.mean(np.exp(y / 4.0)) * np.sum(x[:-1] * x[1:])


@pytest.fixture
def point():
    rng = np.random.default_rng(0)
    return rng.uniform(-1.0, 1.0, N), rng.standard_normal(N)


@pytest.fixture
def deferred(monkeypatch):
    """Every deferred tangent made during the test."""
    made = []
    init = forward.Deferred.__init__

    def record(self, *args):
        init(self, *args)
        made.append(self)

    monkeypatch.setattr(forward.Deferred, "__init__", record)
    return made


def _computed(deferred):
    return sum(d.value is not None for d in deferred)


@pytest.mark.parametrize("f", [_rosenbrock, _mixed])
def test_deferred_hvp_is_bit_identical_to_computing_at_once(point, f, monkeypatch):
    x, v = point
    deferred = optkit.hvp(f, x, v)
    monkeypatch.setattr(forward.JVPTrace, "defers", False)
    np.testing.assert_array_equal(deferred, optkit.hvp(f, x, v))


def test_tangents_no_one_reads_are_never_computed(point, deferred):
    x, v = point
    np.testing.assert_allclose(optkit.hvp(_rosenbrock, x, v), _rosenbrock_hvp(x, v),
                               rtol=1e-10, atol=1e-8)
    # made: the three slices, x[:-1]**2, the difference, its square, 100 * that, 1 - x[:-1],
    # its square, the sum of the terms and f; computed: what the backward pass reads (the
    # difference, 1 - x[:-1] and x[:-1], with the slices and the square they depend on)
    assert (len(deferred), _computed(deferred)) == (11, 6)


def test_a_value_returned_with_the_gradient_gets_its_tangent(point):
    # jvp of value_and_grad: f's own tangent (deferred in the forward pass) is read at the end
    x, v = point
    (value, g), (dvalue, dg) = optkit.jvp(optkit.value_and_grad(_rosenbrock), x, v)
    assert value == _rosenbrock(x)
    np.testing.assert_allclose(dvalue, np.dot(optkit.grad(_rosenbrock)(x), v), rtol=1e-12)
    np.testing.assert_allclose(dg, _rosenbrock_hvp(x, v), rtol=1e-10, atol=1e-8)


def test_a_long_chain_of_deferred_tangents_is_computed_without_recursion(point):
    x, v = point
    x, v = x[:4096], v[:4096]  # at the size gate: every step is deferred

    def f(z):
        for _ in range(3000):  # deeper than the interpreter's recursion limit
            z = z * 0.999 + 0.001
        return np.sum(z**2)

    scale = 0.999**3000
    np.testing.assert_allclose(optkit.hvp(f, x, v), 2.0 * scale**2 * v, rtol=1e-10)


def _refused_jvp_vjp(g, ans, x):
    return g * 2.0


# a primitive with a VJP but no JVP rule: forward-over-reverse must refuse it at the call
_no_jvp = core.primitive("test_no_jvp", lambda x: 2.0 * x, jvp=(None,), vjp=_refused_jvp_vjp)


def test_a_missing_jvp_rule_is_refused_at_the_call_not_when_read(point, deferred):
    x, v = point
    with pytest.raises(optkit.NotDifferentiableError, match="test_no_jvp"):
        optkit.hvp(lambda z: np.sum(_no_jvp(z) * 3.0), x, v)
    assert len(deferred) == 0  # the first traced call, refused before its tangent is deferred


def test_a_deferred_tangent_keeps_only_what_its_jvp_rules_read():
    from optkit.ad.core import ufunc_primitives
    from optkit.ad.liveness import jvp_kept

    # (keep ans, kept argument positions or None for all) by (primitive, traced mask, nargs)
    assert jvp_kept(ufunc_primitives[np.subtract], 0b11, 2) == (False, frozenset())
    assert jvp_kept(ufunc_primitives[np.subtract], 0b10, 2) == (False, frozenset())
    assert jvp_kept(ufunc_primitives[np.exp], 0b1, 1) == (True, frozenset())
    assert jvp_kept(ufunc_primitives[np.multiply], 0b10, 2) == (False, frozenset({0}))
    assert jvp_kept(ufunc_primitives[np.multiply], 0b11, 2) == (False, None)


def test_tangents_no_one_reads_are_let_go_during_the_backward_pass(point, monkeypatch):
    # hvp wants the gradient's tangent only: f's value, which holds the deferred tangents of
    # the terms summed into it, is let go before the backward pass (a smaller working set)
    import weakref

    x, v = point
    made = []
    init = forward.Deferred.__init__

    def record(self, *args):
        init(self, *args)
        made.append(weakref.ref(self))

    alive_late = []
    accumulate = forward.JVPTrace.accumulate

    def spy(self, *args):  # the slices' cotangents, the backward pass's last steps
        alive_late.append(sum(r() is not None and r().value is None for r in made))
        return accumulate(self, *args)

    monkeypatch.setattr(forward.Deferred, "__init__", record)
    monkeypatch.setattr(forward.JVPTrace, "accumulate", spy)
    optkit.hvp(_rosenbrock, x, v)
    # at the last slice: every deferred tangent left is one no one read, and none is left
    assert len(made) == 11 and len(alive_late) == 3 and alive_late[-1] == 0
