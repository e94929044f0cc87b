"""optkit.stats against scipy.stats: values (rtol 1e-12) on plain arrays, derivatives in x and
in every parameter by check_grads (both modes, second order), refusals where a special
function has no derivative rule in that argument."""

import warnings

import numpy as np
import pytest
import scipy.stats as st

import optkit
from optkit import stats

from .table import Row, check_row, rng

R = rng(2)
X = np.concatenate([R.normal(size=10) * 2.0, [0.0, 1.0, -1.0, 0.5, 3.0]])
CONTINUOUS = {"norm": (), "t": (3.5,), "gamma": (2.5,), "beta": (2.0, 3.5), "chi2": (3.0,),
              "expon": (), "lognorm": (0.7,), "laplace": (), "cauchy": (), "logistic": ()}
METHODS = ("logpdf", "pdf", "logcdf", "cdf", "logsf", "sf")
DISCRETE = {"poisson": (3.2,), "binom": (8, 0.35), "nbinom": (4.5, 0.4)}
K = np.array([0, 1, 2, 3, 5, 7, 8, 10, 2.5, -1])

# cumulative functions whose shape derivative needs the incomplete gamma/beta in its shape
REFUSED = {("t", "df"), ("gamma", "a"), ("beta", "a"), ("beta", "b"), ("chi2", "df")}
SHAPE_NAMES = {"t": ("df",), "gamma": ("a",), "beta": ("a", "b"), "chi2": ("df",),
               "lognorm": ("s",)}


def _scipy(dist, method, *args, **kwargs):
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return getattr(getattr(st, dist), method)(*args, **kwargs)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("dist", CONTINUOUS)
@pytest.mark.parametrize("loc, scale", [(0.0, 1.0), (0.3, 1.7)])
def test_continuous_values_match_scipy(dist, method, loc, scale):
    shapes = CONTINUOUS[dist]
    expected = _scipy(dist, method, X, *shapes, loc=loc, scale=scale)
    got = getattr(getattr(stats, dist), method)(X, *shapes, loc=loc, scale=scale)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)


@pytest.mark.parametrize("method", ("logpmf", "pmf", "cdf", "sf", "logcdf", "logsf"))
@pytest.mark.parametrize("dist", DISCRETE)
@pytest.mark.parametrize("loc", [0, 2])
def test_discrete_values_match_scipy(dist, method, loc):
    expected = _scipy(dist, method, K, *DISCRETE[dist], loc=loc)
    got = getattr(getattr(stats, dist), method)(K, *DISCRETE[dist], loc=loc)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)


def test_invalid_parameters_give_nan_as_scipy():
    for args in [(X, -1.0), (X, np.array([1.0, -2.0, 3.0])[:, None])]:
        np.testing.assert_array_equal(stats.gamma.logpdf(*args), _scipy("gamma", "logpdf", *args))
    np.testing.assert_array_equal(stats.norm.cdf(X, scale=0.0), _scipy("norm", "cdf", X, scale=0))
    assert np.isnan(stats.norm.logpdf(np.nan))


def test_broadcasting_and_keywords_as_scipy():
    loc = np.array([[0.0], [1.0]])
    np.testing.assert_allclose(stats.t.logpdf(X, df=4.0, loc=loc, scale=2.0),
                               st.t.logpdf(X, df=4.0, loc=loc, scale=2.0), rtol=1e-12)
    np.testing.assert_allclose(stats.gamma.cdf(X, 2.0, 0.5, 3.0), st.gamma.cdf(X, 2.0, 0.5, 3.0),
                               rtol=1e-12)
    assert np.ndim(stats.norm.logpdf(0.5)) == 0


@pytest.mark.parametrize("call, match", [
    (lambda: stats.gamma.logpdf(1.0), "missing the shape parameter"),
    (lambda: stats.norm.logpdf(1.0, sigma=2.0), "unexpected keyword argument 'sigma'"),
    (lambda: stats.norm.logpdf(1.0, 0.0, 1.0, 2.0), "at most 2 parameters"),
    (lambda: stats.norm.logpdf(1.0, 0.0, loc=1.0), "multiple values for 'loc'"),
])
def test_bad_arguments(call, match):
    with pytest.raises(TypeError, match=match):
        call()


def _continuous_rows():
    for dist, shapes in CONTINUOUS.items():
        x = np.array([0.2, 0.45, 0.7]) if dist == "beta" else np.array([0.3, 0.9, 1.7, 2.4])
        loc, scale = (0.0, 1.0) if dist == "beta" else (0.1, 1.3)
        for method in METHODS:
            fun = getattr(getattr(stats, dist), method)
            args = (x, *map(np.float64, shapes), np.float64(loc), np.float64(scale))
            names = ("x", *SHAPE_NAMES.get(dist, ()), "loc", "scale")
            for i, name in enumerate(names):
                if method not in ("logpdf", "pdf") and (dist, name) in REFUSED:
                    continue

                def partial(v, fun=fun, args=args, i=i):
                    a = list(args)
                    a[i] = v
                    return fun(*a)

                yield Row(f"{dist}.{method}-d{name}", partial, (args[i],))


def _discrete_rows():
    cases = {"poisson": [("mu", 3.2)], "binom": [("p", 0.35)],
             "nbinom": [("n", 4.5), ("p", 0.4)]}
    for dist, params in cases.items():
        base = dict(zip(("n", "p") if dist != "poisson" else ("mu",), DISCRETE[dist],
                        strict=True))
        for method in ("logpmf", "pmf", "cdf", "sf"):
            for name, _ in params:
                if method in ("cdf", "sf") and (dist, name) == ("nbinom", "n"):
                    continue

                def partial(v, dist=dist, method=method, name=name, base=base):
                    kw = dict(base)
                    kw[name] = v
                    return getattr(getattr(stats, dist), method)(K[:7], **kw)   # in every support

                yield Row(f"{dist}.{method}-d{name}", partial, (np.float64(base[name]),))


ROWS = list(_continuous_rows()) + list(_discrete_rows())


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_derivatives(row):
    check_row(row)


@pytest.mark.parametrize("dist, method, args, shape", [
    ("gamma", "cdf", (1.0, 2.5), 1), ("t", "sf", (1.0, 3.0), 1),
    ("beta", "cdf", (0.3, 2.0, 3.0), 2), ("chi2", "logcdf", (1.0, 3.0), 1),
])
def test_cdf_in_a_shape_is_refused(dist, method, args, shape):
    def f(v):
        a = list(args)
        a[shape] = v
        return getattr(getattr(stats, dist), method)(*a)

    with pytest.raises(optkit.NotDifferentiableError, match="argument"):
        optkit.grad(f)(args[shape])


def test_count_is_not_differentiable():
    with pytest.raises(optkit.NotDifferentiableError, match="k is an integer count"):
        optkit.grad(lambda k: stats.poisson.logpmf(k, 2.0))(3.0)


def test_normal_maximum_likelihood():
    data = rng(3).normal(1.5, 0.7, size=200)

    def nll(theta):
        return -np.sum(stats.norm.logpdf(data, loc=theta[0], scale=np.exp(theta[1])))

    res = optkit.minimize(nll, np.zeros(2))
    assert res.success
    np.testing.assert_allclose(res.x, [data.mean(), np.log(data.std())], atol=1e-6)


# ---- multivariate ---------------------------------------------------------------------------
D = 3
M = R.normal(size=(D, D))
COV = M @ M.T + D * np.eye(D)
MEAN = R.normal(size=D)
XS = R.normal(size=(5, D))
ALPHA = np.array([1.5, 2.0, 0.7])
SIMPLEX = R.dirichlet(ALPHA, size=4).T


@pytest.mark.parametrize("args", [(XS, MEAN, COV), (XS[0], MEAN, COV), (XS, MEAN, 2.0),
                                  (XS, MEAN, np.array([1.0, 2.0, 3.0])), (XS[:, 0], None, 2.0),
                                  (0.3, 1.0, 2.0)])
def test_multivariate_normal_matches_scipy(args):
    expected = st.multivariate_normal.logpdf(*args)
    got = stats.multivariate_normal.logpdf(*args)
    assert np.shape(got) == np.shape(expected)
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    np.testing.assert_allclose(stats.multivariate_normal.pdf(*args),
                               st.multivariate_normal.pdf(*args), rtol=1e-12)


@pytest.mark.parametrize("x", [SIMPLEX, SIMPLEX[:, 0], SIMPLEX[:2]])
def test_dirichlet_matches_scipy(x):
    expected = st.dirichlet.logpdf(x, ALPHA)
    got = stats.dirichlet.logpdf(x, ALPHA)
    assert np.shape(got) == np.shape(expected)
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    np.testing.assert_allclose(stats.dirichlet.pdf(x, ALPHA), st.dirichlet.pdf(x, ALPHA),
                               rtol=1e-12)


def test_dirichlet_refuses_points_off_the_simplex():
    with pytest.raises(ValueError, match="simplex"):
        stats.dirichlet.logpdf(np.array([0.2, 0.2, 0.2]), ALPHA)


MV_ROWS = [
    Row("mvn-dx", lambda x: stats.multivariate_normal.logpdf(x, MEAN, COV), (XS,)),
    Row("mvn-dmean", lambda m: stats.multivariate_normal.logpdf(XS, m, COV), (MEAN,)),
    Row("mvn-dcov", lambda a: stats.multivariate_normal.logpdf(XS, MEAN, a @ a.T + np.eye(D)),
        (M,)),
    Row("mvn-pdf", lambda m: stats.multivariate_normal.pdf(XS[:2], m, COV), (MEAN,)),
    Row("mvn-one-point", lambda m: stats.multivariate_normal.logpdf(XS[0], m, COV), (MEAN,)),
    Row("dirichlet-dalpha", lambda a: stats.dirichlet.logpdf(SIMPLEX, a), (ALPHA,)),
    Row("dirichlet-dx", lambda x: stats.dirichlet.logpdf(x, ALPHA), (SIMPLEX[:2],)),
]


@pytest.mark.parametrize("row", MV_ROWS, ids=str)
def test_multivariate_derivatives(row):
    check_row(row)


def test_compiled_stats_run_without_fallback():
    def f(theta):
        return -np.sum(stats.t.logpdf(XS[:, 0], 4.0, loc=theta[0], scale=np.exp(theta[1])))

    cf = optkit.compile(f)
    theta = np.array([0.2, -0.1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(cf(theta), f(theta), rtol=1e-14)
        np.testing.assert_allclose(optkit.grad(cf)(theta), optkit.grad(f)(theta), rtol=1e-12)


def test_compiled_replay_recomputes_the_support_masks():
    # staged where every point is inside the support, replayed with points outside it
    def f(x):
        return stats.gamma.logpdf(x, 2.5, loc=0.1) + stats.lognorm.cdf(x, 0.7) \
            + stats.laplace.logcdf(x)

    cf = optkit.compile(f)
    inside = np.array([0.5, 1.0, 2.0])
    outside = np.array([-1.0, 0.0, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(cf(inside), f(inside), rtol=1e-14)
        np.testing.assert_array_equal(cf(outside), f(outside))


def test_compiled_dirichlet_runs_eagerly_with_its_warning():
    cf = optkit.compile(lambda a: stats.dirichlet.logpdf(SIMPLEX, a))
    with pytest.warns(optkit.CompileWarning, match="dirichlet"):
        value = cf(ALPHA)
    np.testing.assert_allclose(value, st.dirichlet.logpdf(SIMPLEX, ALPHA), rtol=1e-12)
