"""The cost cuts of building a compiled program give the programs a full build gives: the
second CSE sweep keyed only where rewrites made equations, codegen on an already swept
program, and code objects kept by source text (each program keeps its own constants)."""

import functools
from types import SimpleNamespace

import numpy as np
import pytest

import optkit
import optkit.ad.compiled.function as compiled_function
from optkit.ad.compiled.algebra import fold_products, merge_scatters, outer_matmuls
from optkit.ad.compiled.codegen import codegen
from optkit.ad.compiled.function import _value_grad_and_hvp
from optkit.ad.compiled.passes import dce, fold_and_cse, fold_negations
from optkit.ad.staging import StagedValues, stage


def _rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def _mlp(w):
    X = np.linspace(-1.0, 1.0, 24).reshape(6, 4)
    h = np.tanh(X @ np.reshape(w[:8], (4, 2)) + w[8:10])
    return np.sum((h @ w[10:12] - 1.0) ** 2) + np.sum(-(2.0 * -w) * w)


def _exponentials(x):
    t = np.arange(8.0)
    return np.sum((x[0] * np.exp(-t * x[1]) + x[2] * np.exp(-(t - x[3]) ** 2) - 1.0) ** 2)


def _twins(x):
    # -(x * -2) is rewritten to x * 2 (passes.fold_negations): a twin of 2 * x, made earlier
    return np.sum(np.sin(2.0 * x) * np.cos(-(x * -2.0)))


CASES = [(_rosenbrock, 10), (_mlp, 12), (_exponentials, 4), (_twins, 6)]


def _programs(f, n):
    """The value and gradient, and HVP, recordings of f."""
    x = np.linspace(-0.7, 1.3, n)
    return [stage(optkit.value_and_grad(f), (x,))[0],
            stage(functools.partial(_value_grad_and_hvp, f), (x, np.cos(x)))[0]]


def _listing(eqns, outputs):
    return ([(e.prim.name, [getattr(v, "id", None) for v in e.inputs], e.out.id)
             for e in eqns], [getattr(v, "id", None) for v in outputs])


@pytest.mark.parametrize(("f", "n"), CASES)
def test_the_second_sweep_keyed_where_rewritten_equals_a_full_sweep(f, n):
    for program in _programs(f, n):
        eqns, outputs = fold_and_cse(program)
        live = dce(outer_matmuls(eqns), outputs)
        rewritten = merge_scatters(fold_products(fold_negations(live, outputs), outputs),
                                   outputs)
        again = SimpleNamespace(eqns=rewritten, outputs=outputs)
        full = fold_and_cse(again)
        keyed = fold_and_cse(again, swept={id(e) for e in eqns})
        assert _listing(*keyed) == _listing(*full)
        if f is _twins:
            assert len(full[0]) < len(rewritten)  # the twins are one


def test_a_sweep_of_a_swept_program_changes_nothing():
    for f, n in CASES:
        for program in _programs(f, n):
            once = fold_and_cse(program)
            twice = fold_and_cse(SimpleNamespace(eqns=once[0], outputs=once[1]))
            assert _listing(*twice) == _listing(*once)


@pytest.mark.parametrize(("f", "n"), CASES)
def test_codegen_of_a_swept_program_is_the_same_program(f, n):
    for program in _programs(f, n):
        eqns, outputs = fold_and_cse(program)
        swept = SimpleNamespace(inputs=program.inputs, eqns=eqns, outputs=outputs)
        assert (codegen(swept, "f", blocked=False, folded=True).source
                == codegen(program, "f", blocked=False).source)


def test_programs_sharing_their_source_keep_their_own_constants():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(5), rng.standard_normal(5)
    x = rng.standard_normal(5)
    fa = optkit.compile(lambda x: np.sum(a * np.sin(x)))
    fb = optkit.compile(lambda x: np.sum(b * np.sin(x)))
    (va, ga), (vb, gb) = optkit.value_and_grad(fa)(x), optkit.value_and_grad(fb)(x)
    pa, pb = fa.program(x), fb.program(x)
    assert pa.source == pb.source and pa.fn.__code__ is pb.fn.__code__  # one compile()
    assert va == np.sum(a * np.sin(x)) and vb == np.sum(b * np.sin(x))
    np.testing.assert_array_equal(ga, a * np.cos(x))
    np.testing.assert_array_equal(gb, b * np.cos(x))


def test_values_are_kept_for_arguments_of_at_least_min_elements():
    rng = np.random.default_rng(0)
    A, x = rng.standard_normal((40, 30)), rng.standard_normal(30)
    values = StagedValues(min_elements=1000)
    program, out = stage(lambda z: np.sum(np.exp(A @ z)), (x,), values=values)
    matmul, exp, total = program.eqns
    Ax = values.find(matmul.prim, (A, x), matmul.params)  # 1230 elements read: kept
    assert Ax is not None and np.array_equal(Ax, A @ x)
    assert values.find(exp.prim, (Ax,), exp.params) is None  # 40 read: computed again
    _, again = stage(lambda z: np.sum(np.exp(A @ z)), (x,), values=values, reuse=True)
    assert again._a is not out._a and again._a == out._a


@pytest.mark.parametrize("fallback", [False, True])
def test_the_value_and_grad_check_compares_the_forward_part_with_one_recording(
        monkeypatch, stagings, fallback):
    """The program's forward part is the check's first recording of f (two stagings in all);
    where it cannot be (here forced), two recordings of f, as before. Either way a function
    drawing random numbers is found."""
    if fallback:
        monkeypatch.setattr(compiled_function, "_forward_part", lambda *args: None)
    x = np.linspace(0.1, 1.0, 5)
    cf = optkit.compile(_rosenbrock)
    value, g = optkit.value_and_grad(cf)(x)
    assert len(stagings) == (3 if fallback else 2)
    assert value == _rosenbrock(x) and cf.checked_recording(x) is not None
    rng = np.random.default_rng(0)
    noisy = optkit.compile(lambda x: np.sum(x * rng.standard_normal(x.size)))
    with pytest.warns(optkit.CompileWarning, match="disagree"):
        optkit.value_and_grad(noisy)(x)
