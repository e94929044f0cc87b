"""Table: sort, take_along_axis, median, quantile, percentile, both modes, order 2; and the
index-valued functions (argsort, argmax, searchsorted, ...), which give plain constants."""

import numpy as np
import pytest

import optkit

from .table import Row, check_row, rng
from .values import check_values

R = rng(6)
# well-separated values, so that finite differences never reorder them
X = R.permutation(np.linspace(-1.0, 1.0, 20)).reshape(4, 5)
T = R.permutation(np.linspace(-1.0, 1.0, 24)).reshape(2, 3, 4)
V = R.permutation(np.linspace(-1.0, 1.0, 7))

ROWS = [
    Row("sort", lambda a: np.sort(a) * np.arange(5.0), (X,)),
    Row("sort-axis0", lambda a: np.sort(a, axis=0) ** 2, (X,)),
    Row("sort-axis-none", lambda a: np.sort(a, axis=None) * np.arange(24.0), (T,)),
    Row("take_along_axis", lambda a: np.take_along_axis(a, np.array([[0, 0], [4, 1]] * 2), 1)
        ** 2, (X,)),
    Row("take_along_axis-argsort", lambda a: np.take_along_axis(a, np.argsort(-a, axis=0), 0)
        * np.arange(1.0, 6.0), (X,)),
    Row("median", np.median, (V,)),
    Row("median-even", lambda a: np.median(a[:6]), (V,)),
    Row("median-axis", lambda a: np.median(a, axis=1), (X,)),
    Row("median-axes-keepdims", lambda a: np.median(a, axis=(0, 2), keepdims=True), (T,)),
    Row("quantile", lambda a: np.quantile(a, 0.3), (X,)),
    Row("quantile-many", lambda a: np.quantile(a, [0.0, 0.25, 1.0], axis=-1), (T,)),
    Row("percentile", lambda a: np.percentile(a, [[10.0, 95.0]], axis=0, keepdims=True), (X,)),
    Row("argmax-gather", lambda a: a[np.argmax(a, axis=0), np.arange(5)] ** 2, (X,)),
    Row("argsort-gather", lambda a: a[np.argsort(a)[:3]] ** 2, (V,)),
]


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_derivatives(row):
    check_row(row)


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_values(row):
    check_values(row)


def test_sort_moves_the_cotangent_back():
    g = optkit.grad(lambda a: np.sum(np.sort(a) * np.array([1.0, 10.0, 100.0])))(
        np.array([3.0, 1.0, 2.0]))
    np.testing.assert_array_equal(g, [100.0, 1.0, 10.0])


def test_median_gradient_of_even_length_is_shared():
    g = optkit.grad(np.median)(np.array([4.0, 1.0, 3.0, 2.0]))
    np.testing.assert_array_equal(g, [0.0, 0.0, 0.5, 0.5])


CONSTANTS = [
    ("argsort", lambda a: np.argsort(a)),
    ("argmax", lambda a: np.argmax(a)),
    ("argmin-axis", lambda a: np.argmin(a, axis=0)),
    ("argpartition", lambda a: np.argpartition(a, 2)),
    ("nonzero", lambda a: np.nonzero(a)[0]),
    ("flatnonzero", lambda a: np.flatnonzero(a - a[0])),
    ("count_nonzero", lambda a: np.count_nonzero(a - a[1])),
    ("searchsorted", lambda a: np.searchsorted(np.array([-0.5, 0.0, 0.5]), a)),
    ("isclose", lambda a: np.isclose(a, V)),
    ("allclose", lambda a: np.allclose(a, V)),
    ("array_equal", lambda a: np.array_equal(a, V)),
    ("array_equiv", lambda a: np.array_equiv(a, V[:1])),
]


@pytest.mark.parametrize("name, fun", CONSTANTS, ids=[c[0] for c in CONSTANTS])
def test_index_valued_functions_give_plain_constants(name, fun):
    seen = []

    def f(a):
        seen.append(fun(a))
        return np.sum(a)

    optkit.grad(f)(V)
    optkit.jvp(f, V, V)
    expected = fun(V)
    for got in seen:
        assert type(got) is type(expected)
        np.testing.assert_array_equal(got, expected)


def test_quantile_rejects_other_methods_and_bad_q():
    with pytest.raises(NotImplementedError, match="linear"):
        optkit.grad(lambda a: np.quantile(a, 0.5, method="nearest"))(V)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        optkit.grad(lambda a: np.quantile(a, 1.5))(V)


def test_compiled_sort_runs_eagerly_rather_than_freezing_the_order():
    def f(a):
        return np.sum(np.sort(a) * np.arange(3.0))

    compiled = optkit.compile(f)
    with pytest.warns(optkit.CompileWarning, match="np.sort"):
        compiled.value_and_grad(np.array([3.0, 1.0, 2.0]))
    other = np.array([1.0, 3.0, 2.0])
    np.testing.assert_array_equal(compiled.value_and_grad(other)[1], optkit.grad(f)(other))


def test_quantiles_of_slices_with_nan_are_nan_and_values_are_numpys_exactly():
    x = np.array([[1.0, np.nan, 3.0], [1.0, 2.0, 3.0]])
    r = rng(9).standard_normal((7, 9))
    for a, f in [(x, lambda a: np.quantile(a, [0.2, 0.9], axis=1)),
                 (x, lambda a: np.median(a, axis=1)),
                 (r, lambda a: np.quantile(a, [0.1, 0.33, 0.77], axis=0)),
                 (r, lambda a: np.percentile(a, 95.0))]:
        got, _ = optkit.jvp(f, a, np.ones_like(a))
        np.testing.assert_array_equal(got, f(a))
