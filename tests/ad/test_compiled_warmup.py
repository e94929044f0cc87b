"""optkit.compile's fixed costs: the eager warm-up (tiered compilation), one evaluation on the
call that stages, and one determinism check per signature of f."""

import warnings

import numpy as np
import pytest

import optkit
from optkit import CompileWarning
from optkit.ad.compiled import CompiledFunction


def _rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


@pytest.mark.parametrize("warmup", [0, 1, 4])
def test_the_first_warmup_calls_run_eagerly_then_the_program_is_staged(stagings, warmup):
    cf = CompiledFunction(_rosenbrock, warmup=warmup)
    vg = optkit.value_and_grad(cf)
    x = np.random.default_rng(0).standard_normal(6)
    eager_value, eager_grad = optkit.value_and_grad(_rosenbrock)(x)
    for call in range(warmup + 3):
        value, grad = vg(x + call)
        expected_value, expected_grad = optkit.value_and_grad(_rosenbrock)(x + call)
        np.testing.assert_allclose(value, expected_value, rtol=1e-13)
        np.testing.assert_allclose(grad, expected_grad, rtol=1e-13)
        # staged on call number `warmup` (counting from 0): the program and one recording of
        # f for the determinism check (compared with the program's forward part), never again
        assert len(stagings) == (0 if call < warmup else 2)
    assert vg(x)[0] == pytest.approx(eager_value, rel=1e-13)
    np.testing.assert_allclose(vg(x)[1], eager_grad, rtol=1e-13)


def test_hvp_programs_are_staged_on_first_use_whatever_the_warmup(stagings):
    cf = CompiledFunction(_rosenbrock, warmup=3)
    x, v = np.linspace(-1.0, 1.0, 5), np.ones(5)
    np.testing.assert_allclose(optkit.hvp(cf, x, v), optkit.hvp(_rosenbrock, x, v), rtol=1e-13)
    assert len(stagings) == 3  # the HVP program, then f twice (the determinism check)
    optkit.value_and_grad(cf)(x)
    assert len(stagings) == 3  # the value and gradient wait out their warm-up


def test_the_staging_call_returns_what_staging_computed():
    x = np.random.default_rng(1).standard_normal(5)
    v = np.random.default_rng(2).standard_normal(5)
    cf = optkit.compile(_rosenbrock)
    first = optkit.value_and_grad(cf)(x)
    # staging evaluates f eagerly: the same operations, the same bits
    eager = optkit.value_and_grad(_rosenbrock)(x)
    assert first[0] == eager[0]
    np.testing.assert_array_equal(first[1], eager[1])
    np.testing.assert_array_equal(optkit.hvp(cf, x, v), optkit.hvp(_rosenbrock, x, v))
    replayed = optkit.value_and_grad(cf)(x)
    np.testing.assert_allclose(replayed[1], first[1], rtol=1e-13)


def test_the_determinism_check_is_made_once_per_signature_of_f(stagings):
    cf = optkit.compile(_rosenbrock)
    x, v = np.linspace(-1.0, 1.0, 4), np.ones(4)
    optkit.value_and_grad(cf)(x)
    assert len(stagings) == 2  # value and gradient, then f once (against its forward part)
    optkit.hvp(cf, x, v)
    assert len(stagings) == 3  # the HVP program only: f's check is shared
    cf(x)
    assert len(stagings) == 4  # f alone: its first recording serves, the second is shared
    optkit.value_and_grad(cf)(np.ones(7))
    assert len(stagings) == 6  # a new signature is checked afresh


def test_a_dynamic_function_warns_when_it_is_staged_after_the_warmup():
    def branchy(x):
        return np.sum(x ** 2) if x[0] > 0 else np.sum(x)

    cf = CompiledFunction(branchy, warmup=2)
    x = np.array([1.0, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error", CompileWarning)
        assert cf(x) == cf(x) == 5.0  # the warm-up: eager, nothing traced, no warning
    with pytest.warns(CompileWarning, match="bool"):
        assert cf(x) == 5.0
    assert cf(-x) == -3.0


def test_a_disagreeing_check_makes_every_kind_dynamic():
    def noisy(x):
        return np.sum((x + np.random.default_rng().standard_normal(x.shape)) ** 2)

    cf = optkit.compile(noisy)
    x = np.ones(3)
    with pytest.warns(CompileWarning, match="disagree"):
        optkit.value_and_grad(cf)(x)
    optkit.hvp(cf, x, x)  # the shared verdict: eager, and no second warning
    assert "disagree" in cf.is_dynamic(x)
    assert "disagree" in cf.is_dynamic(x, x)


@pytest.mark.parametrize("warmup", [-1, 1.5, True, "3"])
def test_warmup_must_be_a_nonnegative_integer(warmup):
    with pytest.raises(ValueError, match="warmup"):
        CompiledFunction(_rosenbrock, warmup=warmup)
