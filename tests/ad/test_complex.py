"""Complex values on a traced computation are refused at the first one, in every mode.

Complex support is an open issue; until then a complex intermediate must raise, never give a
derivative that numpy's ComplexWarning alone hints is wrong (issue 10, section 2).
"""

import warnings

import numpy as np
import pytest

import optkit
from optkit.ad.core import ComplexValueError

X0 = np.array([0.5, -1.3, 2.0, 0.1])
V = np.array([1.0, -2.0, 0.5, 3.0])

SHAPES = {
    # the three shapes reported in the issue
    "abs-sum-exp-1j": lambda x: np.abs(np.sum(np.exp(1j * x))) ** 2,
    "imag-times-complex": lambda x: np.sum(np.imag(x * (1 + 2j))),
    "sin-real-plus-1j": lambda x: np.sum(np.sin(np.real(x + 1j))),
    # more ways for a complex constant to enter
    "conj-complex": lambda x: np.sum(np.real(np.conj(x - 2j) * x)),
    "angle": lambda x: np.sum(np.angle(x * 1j)),
    "where-complex-constant": lambda x: np.sum(np.abs(np.where(x > 0, x, 1j))),
    "dot-complex": lambda x: np.abs(np.dot(x, np.full(4, 1 + 1j))),
    "astype-complex": lambda x: np.sum(np.real(x.astype(complex))),
}

MODES = {
    "forward": lambda f: optkit.jvp(f, X0, V),
    "reverse": lambda f: optkit.grad(f)(X0),
    "hvp": lambda f: optkit.hvp(f, X0, V),
    "compiled-grad": lambda f: optkit.grad(optkit.compile(f))(X0),
    "compiled-hvp": lambda f: optkit.hvp(optkit.compile(f), X0, V),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", SHAPES)
def test_complex_intermediate_is_refused(name, mode):
    with pytest.raises(ComplexValueError) as info:
        MODES[mode](SHAPES[name])
    msg = str(info.value)
    assert "complex support is not available yet" in msg
    assert "np.cos(x) and np.sin(x)" in msg


@pytest.mark.parametrize("action", ["ignore", "always"])
@pytest.mark.parametrize("name", ["abs-sum-exp-1j", "imag-times-complex", "sin-real-plus-1j"])
def test_no_warning_stands_in_for_the_error(name, action):
    # with warnings not turned into errors (ComplexWarning, RuntimeWarning, ...), it still raises
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter(action)
        for mode in MODES.values():
            with pytest.raises(ComplexValueError):
                mode(SHAPES[name])
    # and no warning was emitted on the way to the error
    assert [w.category.__name__ for w in caught] == []


def test_the_error_names_the_primitive():
    with pytest.raises(ComplexValueError, match="^multiply produced a complex value"):
        optkit.grad(lambda x: np.sum(np.real(x * 1j)))(X0)
    with pytest.raises(ComplexValueError, match="^add produced a complex value"):
        optkit.grad(lambda x: np.sum(np.real(x + 1j)))(X0)


def test_real_and_imag_of_a_real_traced_value_are_exact():
    # np.real is the identity and np.imag zero on real values: no complexity, no error
    def f(x):
        return np.sum(np.real(x) ** 2 + 3.0 * np.imag(x) + np.conj(x) * x)

    g = optkit.grad(f)(X0)
    np.testing.assert_allclose(g, 4.0 * X0, rtol=1e-15)
    np.testing.assert_allclose(optkit.hvp(f, X0, V), 4.0 * V, rtol=1e-15)
    np.testing.assert_allclose(optkit.grad(optkit.compile(f))(X0), 4.0 * X0, rtol=1e-15)


def test_complex_constants_away_from_the_trace_are_fine():
    # a complex computation on constants only, whose real result then meets x
    c = np.abs(np.exp(1j * np.arange(4.0)) + 1.0)

    def f(x):
        return np.sum(c * x**2)

    np.testing.assert_allclose(optkit.grad(f)(X0), 2.0 * c * X0, rtol=1e-15)


def test_compiled_value_with_complex_intermediate_runs_eagerly():
    # a plain evaluation may use complex numbers: the compiled function falls back to eager
    # evaluation (with its one-time warning) and returns numpy's value
    f = SHAPES["imag-times-complex"]
    cf = optkit.compile(f)
    with pytest.warns(optkit.CompileWarning, match="ComplexValueError"):
        value = cf(X0)
    assert value == pytest.approx(2.0 * np.sum(X0), rel=1e-15)
