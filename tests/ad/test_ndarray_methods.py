"""ndarray methods and attributes on traced values: same values as numpy, right derivatives.

The in-place methods (sort, partition, fill, put) re-point the traced array, as numpy writes
into it: every name bound to the array sees the change, and a view of it goes stale.
"""

import numpy as np
import pytest

import optkit
from optkit.ad.numpy_dispatch import UnsupportedMethodError

from .table import Row, check_row, rng

M = rng(3).uniform(-2.0, 2.0, size=(3, 4))  # distinct entries: sorts are locally constant
V = rng(4).uniform(-2.0, 2.0, size=6)
W = np.arange(1.0, 7.0)


def _sorted_in_place(a):
    b = a * 1.0
    b.sort()
    return b * np.arange(1.0, 5.0)


def _partitioned_in_place(a):
    b = a * 1.0
    b.partition(2)
    return b[2] * b


def _filled(a):
    b = a * 1.0
    b.fill(a[1] ** 2)
    return b * a


def _put(a):
    b = a * 1.0
    b.put([0, 4], a[2:4] ** 2)
    return b * W


ROWS = [
    Row("argsort-method", lambda a: a[a.argsort()] * W, (V,)),
    Row("argpartition-method", lambda a: a[a.argpartition(2)[:3]] ** 2, (V,)),
    Row("searchsorted-method", lambda a: a * np.sort(a).searchsorted(0.0), (V,)),
    Row("compress-method", lambda a: a.compress([True, False, True], axis=0) ** 2, (M,)),
    Row("compress-function-flat", lambda a: np.compress([1, 0, 1, 1], a) ** 3, (V,)),
    Row("round-method", lambda a: a.round(1) * a**2, (V,)),
    Row("around", lambda a: np.around(a) * a, (V,)),
    Row("conj-method", lambda a: a.conj() * a.conjugate(), (V,)),
    Row("real-imag", lambda a: a.real**2 + a.imag + np.real(a), (M,)),
    Row("partition-function", lambda a: np.partition(a, 1, axis=1) * np.arange(4.0), (M,)),
    Row("sort-in-place", _sorted_in_place, (M,)),
    Row("partition-in-place", _partitioned_in_place, (V,)),
    Row("fill", _filled, (V,)),
    Row("put", _put, (V,)),
]


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_method_derivatives(row):
    check_row(row)


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_method_values_match_numpy(row):
    expected = row.fun(*row.args)
    seen = []
    optkit.grad(lambda *a: seen.append(optkit.ad.core.value_of(row.fun(*a))) or 0.0 * a[0].sum()
                )(*row.args)
    np.testing.assert_allclose(seen[0], expected, rtol=1e-15, atol=0)


def test_sort_in_place_is_seen_through_every_name_and_makes_views_stale():
    def f(a):
        b = a * 1.0
        alias = b
        head = b[:2]
        b.sort()
        assert alias is b
        with pytest.raises(optkit.NotDifferentiableError, match="after its base array was written"):
            head + 1.0
        return np.sum(alias * W)

    g = optkit.grad(f)(V)
    expected = np.zeros(6)
    expected[np.argsort(V)] = W  # d/da of sum(sort(a) * W)
    np.testing.assert_allclose(g, expected)


def test_in_place_method_through_a_view_is_refused():
    def f(a):
        b = a * 1.0
        b[:3].sort()
        return np.sum(b)

    with pytest.raises(optkit.NotDifferentiableError, match="view"):
        optkit.grad(f)(V)


def test_metadata_matches_numpy():
    def f(a):
        b = a * 1.0
        assert (b.itemsize, b.nbytes, b.strides) == (M.itemsize, M.nbytes, M.strides)
        assert b.device == "cpu" and b.to_device("cpu") is b
        with pytest.raises(ValueError, match="device"):
            b.to_device("gpu")
        return np.sum(b)

    optkit.grad(f)(M)


@pytest.mark.parametrize("call, match", [
    (lambda b: b.fill(np.ones(2)), "fill: value must be a scalar"),
    (lambda b: b.put([0], [1.0], mode="wrap"), "put: only mode='raise'"),
    (lambda b: b.put([0.5], [1.0]), "put: indices must be integers"),
    (lambda b: b.put([0], []), "put: values must not be empty"),
])
def test_in_place_methods_check_their_arguments(call, match):
    def f(a):
        call(a * 1.0)
        return np.sum(a)

    with pytest.raises((ValueError, TypeError), match=match):
        optkit.grad(f)(V)


@pytest.mark.parametrize("name, match", [
    ("choose", r"ndarray.choose is not supported.*np.choose"),
    ("flat", r"ndarray.flat is not supported.*ravel"),
    ("tofile", r"ndarray.tofile is not supported"),
])
def test_missing_ndarray_api_names_itself_and_keeps_hasattr_false(name, match):
    def f(a):
        b = a * 1.0
        assert not hasattr(b, name)
        assert not hasattr(b, "no_such_attribute")
        with pytest.raises(UnsupportedMethodError, match=match):
            getattr(b, name)
        with pytest.raises(AttributeError, match="no_such_attribute"):
            b.no_such_attribute  # noqa: B018 - the attribute access is the test
        return np.sum(b)

    optkit.grad(f)(V)
    assert issubclass(UnsupportedMethodError, optkit.NotDifferentiableError)
