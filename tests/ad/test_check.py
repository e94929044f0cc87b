"""The gradient checker's own test: correct rules pass, each kind of wrong rule is caught
and the message names the failing mode and order."""

import numpy as np
import pytest

import optkit
from optkit import GradientCheckError, check_grads
from optkit.ad.core import ufunc_primitives

R = np.random.default_rng(0)
X = R.uniform(-1.0, 1.0, 4)


def _prim(name, value, jvp, vjp):
    """A custom primitive ``name`` computing ``value`` with the given rules."""
    p = optkit.custom_primitive(value, name=name)
    p.defjvp(jvp)
    p.defvjp(vjp)
    return p


# ---- correct functions pass ---------------------------------------------------------------
CORRECT = [
    ("scalar", lambda x: np.sin(x) * x**2, 0.7),
    ("sum", lambda x: np.sum(np.exp(np.sin(x)) * x), X),
    ("vector", lambda x: np.tanh(x) * x[::-1] + x[0], X),
    ("matrix", lambda x: np.sum(x * x[:, :1], axis=1), R.standard_normal((3, 2))),
    ("rosenbrock", lambda x: np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2), X),
]


@pytest.mark.parametrize("name, f, x", CORRECT, ids=[c[0] for c in CORRECT])
@pytest.mark.parametrize("order", [1, 2, 3])
def test_correct_functions_pass(name, f, x, order):
    assert check_grads(f, x, order=order) is None


@pytest.mark.parametrize("modes", ["fwd", "rev", ("rev",), ("fwd", "rev"), ["rev", "fwd"]])
def test_modes_may_be_a_string_or_a_sequence(modes):
    check_grads(CORRECT[1][1], X, modes=modes, order=2)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_passes_for_any_seed(seed):
    check_grads(CORRECT[2][1], X, order=2, seed=seed)


# ---- wrong first-order rules -------------------------------------------------------------
def good_d(t, ans, x):
    return t * np.cos(x)


def wrong_d(t, ans, x):
    return -t * np.cos(x)  # sign error


WRONG_VJP = _prim("sin_bad_vjp", np.sin, jvp=good_d, vjp=wrong_d)
WRONG_JVP = _prim("sin_bad_jvp", np.sin, jvp=wrong_d, vjp=good_d)


def test_wrong_vjp_is_caught_in_reverse_mode_at_order_1():
    f = lambda x: np.sum(WRONG_VJP(x) ** 2)  # noqa: E731
    with pytest.raises(GradientCheckError, match=r"reverse mode \(VJP\) is wrong at order 1"):
        check_grads(f, X, order=1)
    check_grads(f, X, modes="fwd", order=1)  # forward mode alone sees nothing wrong


def test_wrong_jvp_is_caught_in_forward_mode_at_order_1():
    f = lambda x: np.sum(WRONG_JVP(x) ** 2)  # noqa: E731
    with pytest.raises(GradientCheckError, match=r"forward mode \(JVP\) is wrong at order 1"):
        check_grads(f, X, order=1)
    check_grads(f, X, modes="rev", order=1)


@pytest.mark.parametrize("modes", ["fwd", "rev"])
def test_a_small_relative_error_is_caught(modes):
    def slightly(t, ans, x):
        return t * np.cos(x) * (1.0 + 1e-3)

    p = _prim("sin_slightly_off", np.sin, jvp=slightly, vjp=slightly)
    with pytest.raises(GradientCheckError, match="order 1"):
        check_grads(p, X, modes=modes, order=1)


@pytest.mark.parametrize("modes", ["fwd", "rev"])
def test_an_error_in_one_entry_is_caught(modes):
    mask = np.array([1.0, 1.0, 1.0, 0.0])  # forgets the last entry's derivative

    def partial(t, ans, x):
        return t * np.cos(x) * mask

    p = _prim("sin_one_entry", np.sin, jvp=partial, vjp=partial)
    with pytest.raises(GradientCheckError, match="order 1"):
        check_grads(lambda x: np.sum(p(x)), X, modes=modes, order=1)


def test_a_wrong_builtin_rule_would_be_caught(monkeypatch):
    sin = ufunc_primitives[np.sin]
    check_grads(np.sin, X, order=2)
    monkeypatch.setattr(sin, "vjps", (lambda g, ans, x: g * np.cos(x) * 2.0,))
    with pytest.raises(GradientCheckError, match=r"reverse mode \(VJP\) is wrong at order 1"):
        check_grads(np.sin, X, order=2)


# ---- right first derivative, wrong second (or third) derivative ----------------------------
def _sin_with_cos(cos):
    """sin whose first-order rules are right but are written with ``cos``."""
    return _prim("sin_via_" + cos.__name__, np.sin,
                 jvp=lambda t, ans, x: t * cos(x), vjp=lambda g, ans, x: g * cos(x))


def _cos_rules(jvp_ok, vjp_ok, name):
    """cos with the right value; each of its rules right (-sin) or wrong (+sin)."""

    def right(t, ans, x):
        return -t * np.sin(x)

    def wrong(t, ans, x):
        return t * np.sin(x)

    return _prim(name, np.cos, jvp=right if jvp_ok else wrong, vjp=right if vjp_ok else wrong)


def test_wrong_second_derivative_in_both_modes():
    f = _sin_with_cos(_cos_rules(False, False, "cos_bad"))
    check_grads(f, X, order=1)  # the first derivative is right
    with pytest.raises(GradientCheckError, match="wrong at order 2"):
        check_grads(f, X, order=2)
    for modes in ("fwd", "rev"):
        with pytest.raises(GradientCheckError, match="wrong at order 2"):
            check_grads(f, X, modes=modes, order=2)


def test_second_order_error_in_a_vjp_is_attributed_to_reverse_mode():
    # the derivative map x -> J(x) v is right (cos's JVP), its reverse derivative is not
    f = _sin_with_cos(_cos_rules(True, False, "cos_bad_vjp"))
    check_grads(f, X, modes="fwd", order=3)  # forward-over-forward only uses cos's JVP
    with pytest.raises(GradientCheckError, match=r"reverse mode \(VJP\) is wrong at order 2"):
        check_grads(f, X, order=2)


def test_second_order_error_in_a_jvp_is_attributed_to_forward_mode():
    f = _sin_with_cos(_cos_rules(False, True, "cos_bad_jvp"))
    check_grads(f, X, modes="rev", order=3)  # reverse-over-reverse only uses cos's VJP
    with pytest.raises(GradientCheckError, match=r"forward mode \(JVP\) is wrong at order 2"):
        check_grads(f, X, order=2)


def test_wrong_third_derivative_only():
    # sin -> cos -> sin_bad: the first two derivatives are right, the third is not
    sin_bad = _prim("sin_bad", np.sin, jvp=wrong_d, vjp=wrong_d)
    cos_ok = _prim("cos_ok", np.cos, jvp=lambda t, ans, x: -t * sin_bad(x),
                   vjp=lambda g, ans, x: -g * sin_bad(x))
    f = _sin_with_cos(cos_ok)
    check_grads(f, X, order=2)
    with pytest.raises(GradientCheckError, match="wrong at order 3"):
        check_grads(f, X, order=3)


def test_error_is_an_assertion_error():
    assert issubclass(GradientCheckError, AssertionError)
    assert optkit.GradientCheckError is GradientCheckError


# ---- argument validation -----------------------------------------------------------------
@pytest.mark.parametrize("modes", ["forward", ("fwd", "bwd"), ("rev", None)])
def test_bad_modes(modes):
    with pytest.raises(ValueError, match="modes must contain 'fwd' and/or 'rev'"):
        check_grads(np.sin, X, modes=modes)


@pytest.mark.parametrize("order", [0, -1, 1.0, 2.5, "2"])
def test_bad_order(order):
    with pytest.raises(ValueError, match="order must be an integer >= 1"):
        check_grads(np.sin, X, order=order)


def test_bad_point():
    with pytest.raises(TypeError, match="must be a real"):
        check_grads(np.sin, "abc")
