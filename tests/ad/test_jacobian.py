"""Dense Jacobians: jacfwd, jacrev, and jacobian's choice of mode."""

import numpy as np
import pytest

import optkit
from optkit.ad.forward import JVPTracer
from optkit.ad.reverse import ReverseTracer

from .transforms import (
    _W,
    X3,
    assert_plain_array,
    assert_plain_float,
    fd_jac,
    vec_fun,
)

# ---- dense Jacobians ---------------------------------------------------------------------
JAC_CASES = [
    ("R3->R2x2", vec_fun, X3),
    ("R2x3->R2", lambda x: np.sum(np.sin(x) * x[0], axis=1),
     np.random.default_rng(1).standard_normal((2, 3))),
    ("R->R3", lambda x: np.array([1.0, 2.0, 3.0]) * x + np.sin(x * np.array([1.0, -1.0, 2.0])),
     0.7),
    ("R3->R", lambda x: np.sum(np.exp(x)), X3),
    ("R4->R4", lambda x: np.tanh(x) * x[::-1], np.linspace(-1, 1, 4)),
]


@pytest.mark.parametrize("name, f, x", JAC_CASES, ids=[c[0] for c in JAC_CASES])
@pytest.mark.parametrize("how", ["jacfwd", "jacrev", "jacobian"])
def test_dense_jacobians_agree_with_finite_differences(name, f, x, how):
    J = getattr(optkit, how)(f)(x)
    ref = fd_jac(f, x)
    if ref.shape == ():
        assert_plain_float(J)
    else:
        assert_plain_array(J, ref.shape)
    np.testing.assert_allclose(J, ref, rtol=1e-7, atol=1e-9)


def test_jacobian_of_scalar_function_of_scalar_is_float():
    for how in ("jacfwd", "jacrev", "jacobian", "hessian"):
        J = getattr(optkit, how)(lambda x: x**3)(2.0)
        assert_plain_float(J)
        assert J == pytest.approx(12.0, rel=1e-14)


def _counting(f):
    """Wrap ``f``, recording the tracer type of each call's argument."""
    calls = []

    def wrapped(x):
        # the mode's tracer class (array tracers are subclasses of the 0-d ones)
        calls.append(JVPTracer if isinstance(x, JVPTracer) else
                     ReverseTracer if isinstance(x, ReverseTracer) else type(x))
        return f(x)

    return wrapped, calls


def test_jacobian_uses_forward_mode_when_outputs_outnumber_inputs():
    f, calls = _counting(lambda x: np.reshape(np.sin(x[:, None] * _W[0]), (-1,)))  # R^2 -> R^6
    J = optkit.jacobian(f)(np.array([0.1, 0.2]))
    assert J.shape == (6, 2)
    assert calls.count(JVPTracer) == 2  # one forward pass per input
    assert calls.count(ReverseTracer) <= 1  # at most a single (shape-probing) reverse pass
    assert len(calls) <= 3


def test_jacobian_uses_reverse_mode_when_inputs_outnumber_outputs():
    f, calls = _counting(lambda x: np.sum(np.reshape(np.sin(x) ** 2, (2, 3)), axis=1))  # R^6->R^2
    J = optkit.jacobian(f)(np.linspace(0, 1, 6))
    assert J.shape == (2, 6)
    assert calls == [ReverseTracer]  # one recording, two pullbacks


def test_jacobian_square_uses_reverse_mode():
    f, calls = _counting(np.sin)
    optkit.jacobian(f)(np.ones(3))
    assert calls == [ReverseTracer]


def test_jacobian_delegates_to_jacfwd_or_reverse_rows(monkeypatch):
    import optkit.ad.jacobians as api  # jacobian calls jacfwd from its own module

    used = []
    real = api.jacfwd

    def spy(f, **kwargs):
        used.append("fwd")
        return real(f, **kwargs)

    monkeypatch.setattr(api, "jacfwd", spy)
    optkit.jacobian(lambda x: x * np.arange(3.0))(1.0)  # 3 outputs > 1 input
    assert used == ["fwd"]
    optkit.jacobian(lambda x: np.sum(x))(np.ones(3))  # 1 output < 3 inputs
    assert used == ["fwd"]
