"""The backward pass's in-place work on cotangents it owns (``reverse``) and the JVP trace's
in-place accumulation of traced slice cotangents (``JVPTrace.accumulate``, an HVP's backward
pass): results must equal the allocating path's, with no shared array overwritten.

The arrays are large (n = 6000) so that the size-gated fast paths run."""

import numpy as np
import pytest

import optkit
from optkit.ad import core, forward

N = 6000


def _rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def _rosenbrock_grad(x):
    g = np.zeros_like(x)
    d = x[1:] - x[:-1] ** 2
    g[:-1] = -400.0 * x[:-1] * d - 2.0 * (1.0 - x[:-1])
    g[1:] += 200.0 * d
    return g


def _rosenbrock_hvp(x, v):
    hv = np.zeros_like(x)
    hv[:-1] = (1200 * x[:-1] ** 2 - 400 * x[1:] + 2) * v[:-1] - 400 * x[:-1] * v[1:]
    hv[1:] += -400 * x[:-1] * v[:-1] + 200 * v[1:]
    return hv


def _shared(x):
    # y's cotangent feeds two consumers (y * y and the sum), and a - a sends one cotangent to
    # both arguments of a subtraction: neither may be overwritten in place
    y = -(x * 3.0)
    a = np.exp(x / 2.0)
    return np.sum(y * y) + np.sum(y) + np.sum((a - a) ** 2) + np.sum(np.log(x * x + 1.0) * 2.0)


def _shared_grad(x):
    return 18.0 * x - 3.0 + 2.0 * 2.0 * x / (x * x + 1.0)


def _mixed(x):
    # slices of x get traced cotangents (x[1:] * x[:-1]) and plain ones (a linear term) in an HVP
    return np.sum(x[1:] * x[:-1]) + np.sum(3.0 * x[:-1]) - np.sum(x[2:] ** 2)


def _mixed_hvp(v):
    hv = np.zeros_like(v)
    hv[:-1] += v[1:]
    hv[1:] += v[:-1]
    hv[2:] -= 2.0 * v[2:]
    return hv


def _two_negations(x):
    # the sum's VJP hands one cotangent to both negations: overwriting it for the first would
    # corrupt the second's (in v+g it is a plain array, in an HVP a traced one)
    return np.sum((-(x**2) + -(x**3)) * x)


def _products(x):
    # each inner cotangent is fresh (a square's VJP) and has one consumer whose VJP multiplies
    # it by a traced factor (exp's ans, x in x**2) or a plain one (3.0): an HVP's backward pass
    # takes these product rules in place (JVPTrace.scale_inplace)
    return np.sum(np.exp(x * 0.5) ** 2) + np.sum(((x**2) * 3.0) ** 2)


def _products_hvp(x, v):
    return (np.exp(x) + 108.0 * x**2) * v


@pytest.mark.parametrize("n", [N, 100])
def test_in_place_product_rules_give_the_hand_written_hvp(point, monkeypatch, n):
    x, v = point[0][:n], point[1][:n]
    factors = []
    scale = forward.JVPTrace.scale_inplace

    def spy(self, g, y, c):
        out = scale(self, g, y, c)
        factors.append((isinstance(y, core.Tracer), c, out is not None))
        return out

    monkeypatch.setattr(forward.JVPTrace, "scale_inplace", spy)
    np.testing.assert_allclose(optkit.hvp(_products, x, v), _products_hvp(x, v), rtol=1e-12,
                               atol=1e-12)
    # exp's (ans) and the inner square's (x, c = 2) traced factors, and the plain 0.5 and 3.0
    # where the products keep their traced argument (at n = N, liveness drops it, and the
    # untraced in-place form runs)
    plain = [(False, 1.0, True)] * 2 if n < N else []
    assert sorted(factors) == plain + [(True, 1.0, True), (True, 2.0, True)]


def test_scale_inplace_declines_a_factor_that_is_not_a_power_of_two(point):
    x, v = point
    trace = forward.JVPTrace()
    g = forward.JVPTracer(trace, x.copy(), v.copy())
    assert trace.scale_inplace(g, 3.0, 3.0) is None
    assert trace.scale_inplace(g, 3.0, 0.0) is None


def test_one_cotangent_handed_to_two_consumers_stays_intact(point):
    x, v = point
    np.testing.assert_allclose(optkit.grad(_two_negations)(x), -(3 * x**2 + 4 * x**3),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(optkit.hvp(_two_negations, x, v), -(6 * x + 12 * x**2) * v,
                               rtol=1e-12, atol=1e-12)


@pytest.fixture
def point():
    rng = np.random.default_rng(0)
    return rng.uniform(-1.0, 1.0, N), rng.standard_normal(N)


def test_value_and_grad_matches_the_hand_written_gradient(point):
    x, _ = point
    x0 = x.copy()
    value, g = optkit.value_and_grad(_rosenbrock)(x)
    np.testing.assert_allclose(g, _rosenbrock_grad(x), rtol=1e-12, atol=1e-10)
    assert value == pytest.approx(_rosenbrock(x))
    np.testing.assert_array_equal(x, x0)  # the input is never written


def test_cotangents_with_two_consumers_are_not_overwritten(point):
    x, _ = point
    np.testing.assert_allclose(optkit.grad(_shared)(x), _shared_grad(x), rtol=1e-12,
                               atol=1e-12)


def test_a_reused_pullback_gives_the_same_cotangent_twice(point):
    x, u = point
    _, pullback = optkit.vjp(lambda z: -(np.exp(z) * 2.0), x)
    first = pullback(u)
    np.testing.assert_array_equal(pullback(u), first)
    np.testing.assert_allclose(first, -2.0 * np.exp(x) * u, rtol=1e-14)


def test_hvp_matches_the_hand_written_product(point):
    x, v = point
    np.testing.assert_allclose(optkit.hvp(_rosenbrock, x, v), _rosenbrock_hvp(x, v),
                               rtol=1e-10, atol=1e-8)


def test_hvp_with_traced_and_plain_slice_cotangents(point):
    x, v = point
    np.testing.assert_allclose(optkit.hvp(_mixed, x, v), _mixed_hvp(v), rtol=1e-12,
                               atol=1e-12)


@pytest.mark.parametrize("f", [_rosenbrock, _mixed, _shared, _two_negations, _products])
def test_in_place_hvp_is_bit_identical_to_the_allocating_one(point, f, monkeypatch):
    # the JVP trace's in-place slice accumulation and in-place VJP forms on owned traced
    # cotangents, against the base Trace's answers (always decline)
    x, v = point
    fast = optkit.hvp(f, x, v)
    for name in ("accumulate", "inplace", "owns"):  # (scale_inplace is inplace's)
        monkeypatch.setattr(forward.JVPTrace, name, getattr(core.Trace, name))
    np.testing.assert_array_equal(fast, optkit.hvp(f, x, v))


def _same(t, ans, *args):
    return t


# both JVP rules hand back the tangent they are given: the forward trace's sum of the two
# contributions must not add into that (shared) tangent in place
_add_same = core.primitive("test_add_same", np.add, jvp=(_same, _same), vjp=(_same, _same))


def test_forward_sum_never_writes_into_a_tangent_a_rule_returned(point):
    x, v = point
    v0 = v.copy()
    y, t = optkit.jvp(lambda z: _add_same(z, z), x, v)
    np.testing.assert_array_equal(v, v0)
    np.testing.assert_array_equal(t, v0 + v0)
    _, t = optkit.jvp(lambda z: z * z, x, v)  # two new contributions: summed in place
    np.testing.assert_array_equal(t, v0 * x + x * v0)
    np.testing.assert_array_equal(v, v0)


def test_without_exact_refcounts_nothing_is_written_in_place_and_results_are_identical(
        monkeypatch):
    """Where reference counts cannot prove ownership (core.EXACT_REFCOUNTS False: Python 3.14,
    free-threaded builds), the traces take the allocating path, with the same bits."""
    from optkit.ad import reverse
    x = np.random.default_rng(5).uniform(-1.0, 2.0, N)
    v = np.random.default_rng(6).standard_normal(N)
    fast = optkit.value_and_grad(_rosenbrock)(x), optkit.hvp(_rosenbrock, x, v)
    assert core.EXACT_REFCOUNTS  # this CPython counts exactly: the fast path above ran
    monkeypatch.setattr(forward, "EXACT_REFCOUNTS", False)
    monkeypatch.setattr(reverse, "EXACT_REFCOUNTS", False)
    slow = optkit.value_and_grad(_rosenbrock)(x), optkit.hvp(_rosenbrock, x, v)
    assert fast[0][0] == slow[0][0]
    np.testing.assert_array_equal(fast[0][1], slow[0][1])
    np.testing.assert_array_equal(fast[1], slow[1])
    np.testing.assert_allclose(slow[0][1], _rosenbrock_grad(x), rtol=1e-12)
