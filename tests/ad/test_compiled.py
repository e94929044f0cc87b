"""optkit.compile: replayed programs agree with eager evaluation, or the function runs eagerly."""

import importlib
import pathlib
import warnings

import numpy as np
import pytest

import optkit
from optkit import CompileWarning

from .table import Row

TABLE_MODULES = sorted(p.stem for p in pathlib.Path(__file__).parent.glob("test_rules_*.py"))


def _table_rows():
    rows = []
    for name in TABLE_MODULES:
        module = importlib.import_module(f"tests.ad.{name}")
        rows.extend(r for r in getattr(module, "ROWS", []) if isinstance(r, Row))
    return rows


ROWS = _table_rows()


def _scalarized(row, i):
    """Row function of argument i, reduced to a scalar with fixed random weights."""
    out = np.asarray(row.fun(*row.args))
    w = np.random.default_rng(3).standard_normal(out.shape)

    def f(x):
        args = list(row.args)
        args[i] = x
        y = row.fun(*args)
        return np.sum(w * (np.real(y) if np.iscomplexobj(out) else y))  # a real loss

    return f


def _assert_same(compiled, eager, x, v):
    np.testing.assert_allclose(compiled(x), eager(x), rtol=1e-13, atol=1e-13)
    cv, cg = optkit.value_and_grad(compiled)(x)
    ev, eg = optkit.value_and_grad(eager)(x)
    np.testing.assert_allclose(cv, ev, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(cg, eg, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(optkit.hvp(compiled, x, v), optkit.hvp(eager, x, v),
                               rtol=1e-12, atol=1e-12)


# rows whose indices depend on values (a mask computed from x, a sorting permutation): a
# program cannot freeze them, so they must fall back to eager evaluation
VALUE_DEPENDENT = {"mask-from-values", "sort", "sort-axis0", "sort-axis-none",
                   "take_along_axis-argsort", "median", "median-even", "median-axis",
                   "median-axes-keepdims", "quantile", "quantile-many", "percentile",
                   "argmax-gather", "argsort-gather"}


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_compiled_matches_eager_on_primitive_table(row):
    for i, x in enumerate(row.args):
        f = _scalarized(row, i)
        cf = optkit.compile(f)
        v = np.random.default_rng(4).standard_normal(np.shape(x))
        with warnings.catch_warnings():
            if row.name in VALUE_DEPENDENT:
                warnings.simplefilter("ignore", CompileWarning)
            else:
                warnings.simplefilter("error", CompileWarning)
            _assert_same(cf, f, x, v)
            # a second call replays the cached programs
            _assert_same(cf, f, x, v)
        assert (cf.is_dynamic(x) is not None) == (row.name in VALUE_DEPENDENT)


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def test_compiled_program_is_cached_per_signature_and_retraced_for_new_shapes():
    calls = []

    def f(x):
        calls.append(np.shape(x))
        return rosenbrock(x)

    cf = optkit.compile(f)
    x = np.linspace(-1, 1, 5)
    cf(x)
    n_first = len(calls)
    cf(x + 1.0)
    cf(x * 2.0)
    assert len(calls) == n_first  # replayed, not traced
    y = np.linspace(-1, 1, 7)
    np.testing.assert_allclose(cf(y), rosenbrock(y))
    assert len(calls) > n_first and calls[-1] == (7,)


def test_value_and_grad_at_alternating_shapes_uses_each_shapes_program():
    cf = optkit.compile(rosenbrock)
    rng = np.random.default_rng(0)
    for n in (5, 5, 7, 5, 7, 7, 3, 5):  # the last call's program is remembered per shape
        x = rng.standard_normal(n)
        value, g = optkit.value_and_grad(cf)(x)
        want_value, want_g = optkit.value_and_grad(rosenbrock)(x)
        np.testing.assert_allclose(value, want_value, rtol=1e-13)
        np.testing.assert_allclose(g, want_g, rtol=1e-13, atol=1e-13)
        assert g.shape == (n,)


def test_compile_of_grad_and_grad_of_compile_agree():
    x = np.array([-1.2, 1.0, 0.3])
    g1 = optkit.compile(optkit.grad(rosenbrock))(x)
    g2 = optkit.grad(optkit.compile(rosenbrock))(x)
    np.testing.assert_allclose(g1, optkit.grad(rosenbrock)(x), rtol=1e-14)
    np.testing.assert_allclose(g2, optkit.grad(rosenbrock)(x), rtol=1e-14)


def test_nested_transformations_of_compiled_function_fall_back_to_eager():
    x = np.array([0.3, -0.2])
    f = optkit.compile(lambda z: np.sum(np.sin(z) * z**2))
    np.testing.assert_allclose(optkit.hessian(f)(x), optkit.hessian(f.fun)(x), rtol=1e-12)


def _value_dependent_branch(x):
    s = np.sum(x)
    if s > 0:  # Python control flow on a traced value
        return np.sum(x**2)
    return np.sum(x**3)


def _float_conversion(x):
    return np.sum(x) * float(np.sum(x))


def _random_inside(x):
    noise = np.random.default_rng().standard_normal(np.shape(x))  # unseeded on purpose
    return np.sum((x + noise) ** 2)


def _asarray_inside(x):
    return np.sum(np.asarray(x) ** 2)


@pytest.mark.parametrize("f, reason", [
    (_value_dependent_branch, "bool"),
    (_float_conversion, "float"),
    (_random_inside, "disagree"),
    (_asarray_inside, "asarray"),
])
def test_dynamic_functions_run_eagerly_with_one_warning(f, reason):
    cf = optkit.compile(f)
    x = np.array([0.5, -0.25, 1.0])
    with pytest.warns(CompileWarning, match=reason):
        first = cf(x)
    assert reason in cf.is_dynamic(x)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CompileWarning)  # warned once only
        second = cf(x)
    if f is not _random_inside:
        assert first == f(x) == second
        # the branch really follows the value on every call
        np.testing.assert_allclose(cf(-x), f(-x))


def test_value_dependent_branch_is_right_on_both_sides():
    cf = optkit.compile(_value_dependent_branch)
    with pytest.warns(CompileWarning):
        cf(np.ones(3))
    for x in (np.ones(3), -np.ones(3)):
        np.testing.assert_allclose(optkit.grad(cf)(x), optkit.grad(_value_dependent_branch)(x))


def test_problem_library_compiled_matches_eager():
    problems = pytest.importorskip("optkit.problems")
    for name in problems.names():
        p = problems.get(name)
        cf = optkit.compile(p.objective)
        v = np.random.default_rng(5).standard_normal(p.x0.shape)
        with warnings.catch_warnings():
            warnings.simplefilter("error", CompileWarning)
            _assert_same(cf, p.objective, p.x0, v)


def test_compile_rejects_non_callables():
    with pytest.raises(TypeError, match="callable"):
        optkit.compile(3.0)


def _no_rule_inside(x):
    return np.sum(np.spacing(x))  # numpy.spacing has no derivative rule


@pytest.mark.parametrize("call", [
    lambda cf, x: optkit.grad(cf)(x),
    lambda cf, x: optkit.value_and_grad(cf)(x),
    lambda cf, x: optkit.hvp(cf, x, np.ones(3)),
])
def test_an_error_is_said_once_not_warned_first(call):
    # tracing fails, eager evaluation fails the same way: the exception alone reports it
    cf = optkit.compile(_no_rule_inside)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a CompileWarning would surface here instead
        with pytest.raises(optkit.NotDifferentiableError, match="numpy.spacing"):
            call(cf, np.array([0.5, -0.25, 1.0]))


@pytest.mark.parametrize("kind", ["value_and_grad", "hvp"])
def test_random_numbers_are_found_by_the_check_of_derivative_programs(kind):
    # the check's recordings of f look up the values staging the program computed
    # (staging.StagedValues); a fresh random draw is a new constant all the same
    cf = optkit.compile(_random_inside)
    x = np.array([0.5, -0.25, 1.0])
    args = (x, np.ones(3)) if kind == "hvp" else (x,)
    with pytest.warns(CompileWarning, match="disagree"):
        if kind == "hvp":
            optkit.hvp(cf, *args)
        else:
            optkit.value_and_grad(cf)(x)
    assert "disagree" in cf.is_dynamic(*args)


@pytest.mark.parametrize("kind", ["value", "value_and_grad", "hvp"])
def test_checked_recording_is_f_once_a_program_of_it_is_compiled(kind):
    from optkit.ad.convexity import curvature

    cf = optkit.compile(lambda x: np.sum(np.exp(x)) + np.sum(x ** 2))
    x = np.array([0.5, -0.25, 1.0])
    assert cf.checked_recording(x) is None  # nothing compiled yet
    {"value": lambda: cf(x), "value_and_grad": lambda: optkit.value_and_grad(cf)(x),
     "hvp": lambda: optkit.hvp(cf, x, np.ones(3))}[kind]()
    recording = cf.checked_recording(x)
    assert recording is not None and curvature(recording) == "convex"
    assert cf.checked_recording(np.zeros(4)) is None  # another shape: another program


def test_no_checked_recording_when_the_tracings_disagree():
    cf = optkit.compile(_random_inside)
    x = np.array([0.5, -0.25, 1.0])
    with pytest.warns(CompileWarning, match="disagree"):
        optkit.hvp(cf, x, np.ones(3))
    assert cf.checked_recording(x) is None
