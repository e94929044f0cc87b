"""The refusal of np.asarray names optkit's equivalent of the scipy function on the stack, or
the np.stack rewrite of a list of traced values; copy of traced values; numpy aliases;
optkit.minimize(scipy.optimize.rosen)."""

import copy
import importlib

import numpy as np
import pytest
import scipy.linalg
import scipy.optimize
import scipy.special
import scipy.stats

import optkit
from optkit.ad.equivalents import EQUIVALENTS, list_rewrite

from .table import Row, check_row

X = np.array([0.3, 0.7, 1.2])


def test_every_equivalent_exists():
    for scipy_name, name in EQUIVALENTS.items():
        if not name.startswith("optkit."):
            continue
        parts = name.split(".")
        obj = importlib.import_module(".".join(parts[:2]))
        for part in parts[2:]:
            obj = getattr(obj, part)
        assert callable(obj), name
        scipy_parts = scipy_name.split(".")
        ref = importlib.import_module(".".join(scipy_parts[:2]))
        for part in scipy_parts[2:]:
            ref = getattr(ref, part)
        assert callable(ref), scipy_name


@pytest.mark.parametrize("fun, name", [
    (lambda x: np.sum(scipy.stats.norm.logpdf(x, loc=1.0)), "optkit.stats.norm.logpdf"),
    (lambda x: np.sum(scipy.stats.gamma(2.0).cdf(x)), "optkit.stats.gamma.cdf"),
    (lambda x: scipy.stats.multivariate_normal.logpdf(x, np.zeros(3)),
     "optkit.stats.multivariate_normal.logpdf"),
    (lambda x: np.sum(scipy.linalg.expm(np.outer(x, x))), "optkit.linalg.expm"),
    (lambda x: scipy.special.logsumexp(x), "optkit.special.logsumexp"),
    (scipy.optimize.rosen, "optkit.minimize"),
])
def test_refusal_names_the_equivalent(fun, name):
    with pytest.raises(optkit.TracerConversionError, match=name.replace(".", r"\.")):
        optkit.grad(fun)(X)


@pytest.mark.parametrize("fun, rewrite", [
    (lambda x: np.sum(np.array([x[0], x[1] ** 2])), "np.stack([x[0], x[1] ** 2])"),
    (lambda x: np.mean([x[0], x[1] ** 2]), "np.stack([x[0], x[1] ** 2])"),
    (lambda x: np.std([x[0], x[2]]), "np.stack([x[0], x[2]])"),
    (lambda x: np.linalg.norm([x[0], 2 * x[1]]), "np.stack([x[0], 2 * x[1]])"),
])
def test_list_of_traced_values_shows_the_rewrite(fun, rewrite):
    # numpy converts the list element by element before __array_function__ could see it
    with pytest.raises(optkit.TracerConversionError) as info:
        optkit.grad(fun)(X)
    assert f"write {rewrite} instead" in str(info.value)


def test_the_rewrite_works():
    g = optkit.grad(lambda x: np.mean(np.stack([x[0], x[1] ** 2])))(X)
    np.testing.assert_allclose(g, [0.5, X[1], 0.0])


def test_list_rewrite_text():
    assert list_rewrite("y = numpy.asarray([a, f(b)]) + 1") == ("numpy.asarray([a, f(b)])",
                                                                "numpy.stack([a, f(b)])")
    assert list_rewrite("y = a + b") is None


def _copies(x):
    y = copy.deepcopy(x)
    y[0] = 5.0                       # must not reach x
    return np.sum(x * y) + copy.copy(x[1]) ** 2


ROWS = [
    Row("copy", _copies, (X,)),
    Row("degrees", np.degrees, (X,)),
    Row("radians", np.radians, (X,)),
    Row("rollaxis", lambda a: np.rollaxis(a, 2, 0), (np.arange(24.0).reshape(2, 3, 4),)),
    Row("rollaxis-start", lambda a: np.rollaxis(a, 0, 3), (np.arange(24.0).reshape(2, 3, 4),)),
    Row("rollaxis-negative", lambda a: np.rollaxis(a, -1, 1), (np.arange(6.0).reshape(2, 3),)),
]


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_rows(row):
    check_row(row)


@pytest.mark.parametrize("axis, start", [(2, 0), (0, 3), (1, -1), (-1, 1), (2, 2), (0, 0)])
def test_rollaxis_value(axis, start):
    a = np.arange(24.0).reshape(2, 3, 4)
    value, _ = optkit.jvp(lambda x: np.rollaxis(x, axis, start), a, a)
    np.testing.assert_array_equal(value, np.rollaxis(a, axis, start))


@pytest.mark.parametrize("method", ["lbfgs", "newton-cg"])
def test_minimize_scipy_rosen(method):
    res = optkit.minimize(scipy.optimize.rosen, np.zeros(5), method=method)
    assert res.success
    np.testing.assert_allclose(res.x, np.ones(5), atol=1e-5)
    assert res.fun == pytest.approx(scipy.optimize.rosen(res.x), abs=1e-15)
