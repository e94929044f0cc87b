"""Table: scipy.special ufuncs, called exactly as a user calls them, both modes, second order."""

import numpy as np
import pytest
from scipy import special

import optkit
import optkit.special as osp

from .table import Row, check_row, rng
from .values import check_values

R = rng(0)
X = R.uniform(-0.9, 0.9, size=(3, 4))        # (-1, 1): erfinv
U = R.uniform(0.1, 0.9, size=(3, 4))         # (0, 1): logit, ndtri, erfcinv
P = R.uniform(0.5, 3.0, size=(3, 4))         # positive: gamma family, logs
WIDE = R.uniform(-6.0, 6.0, size=(3, 4))     # tails of the logistic and normal functions
ROW = R.uniform(0.5, 1.5, size=(4,))
X0 = np.array([0.0, 0.5, -1.5, 0.0, 2.0])    # zeros: xlogy/xlog1py are 0 there for any y

ROWS = [
    Row("expit", special.expit, (X,)),
    Row("expit-tails", special.expit, (WIDE,)),
    Row("logit", special.logit, (U,)),
    Row("log_expit", special.log_expit, (WIDE,)),
    Row("erf", special.erf, (X,)),
    Row("erfc", special.erfc, (X,)),
    Row("erfcx", special.erfcx, (X,)),
    Row("erfinv", special.erfinv, (X,)),
    Row("erfcinv", special.erfcinv, (U,)),
    Row("ndtr", special.ndtr, (WIDE,)),
    Row("log_ndtr", special.log_ndtr, (WIDE,)),
    Row("ndtri", special.ndtri, (U,)),
    Row("gammaln", special.gammaln, (P,)),
    Row("gamma", special.gamma, (P,)),
    Row("digamma", special.digamma, (P,)),
    Row("psi", special.psi, (P,)),
    Row("polygamma-0", lambda x: osp.polygamma(0, x), (P,)),
    Row("polygamma-1", lambda x: osp.polygamma(1, x), (P,)),
    Row("polygamma-3", lambda x: osp.polygamma(3, x), (P,)),
    Row("betaln", special.betaln, (P, U + 0.5)),
    Row("beta", special.beta, (P, U + 0.5)),
    Row("log1p", special.log1p, (X,)),
    Row("expm1", special.expm1, (X,)),
    Row("exp2", special.exp2, (X,)),
    Row("exp10", special.exp10, (X,)),
    Row("cbrt", special.cbrt, (P,)),
    Row("cosm1", special.cosm1, (X,)),
    Row("rel_entr", special.rel_entr, (P, U)),
    Row("kl_div", special.kl_div, (P, U)),
    Row("xlogy", special.xlogy, (X, P)),
    Row("xlogy-broadcast", special.xlogy, (X, ROW)),
    Row("xlogy-zeros", special.xlogy, (X0, np.array([1.5, 0.5, 2.0, 0.7, 1.1]))),
    Row("xlog1py", special.xlog1py, (X, U)),
    Row("xlog1py-zeros", special.xlog1py, (X0, np.array([0.5, -0.5, 2.0, 0.7, 0.1]))),
    Row("entr", special.entr, (P,)),
    Row("softplus", special.softplus, (WIDE,)),
    Row("composed", lambda x: special.gammaln(special.expit(x) + 1.0) * special.erf(x), (X,)),
    Row("jv", lambda x: special.jv(1.5, x), (P,)),
    Row("jv-integer-order", lambda x: special.jv(2, x), (WIDE,)),
    Row("yv", lambda x: special.yv(0.5, x), (P,)),
    Row("iv", lambda x: special.iv(1.3, x), (P,)),
    Row("kv", lambda x: special.kv(2.5, x), (P,)),
    Row("ive", lambda x: special.ive(1, x), (WIDE,)),
    Row("kve", lambda x: special.kve(0.7, x), (P,)),
    Row("j0", special.j0, (WIDE,)),
    Row("j1", special.j1, (WIDE,)),
    Row("y0", special.y0, (P,)),
    Row("y1", special.y1, (P,)),
    Row("i0", special.i0, (WIDE,)),
    Row("i1", special.i1, (WIDE,)),
    Row("k0", special.k0, (P,)),
    Row("k1", special.k1, (P,)),
    Row("i0e", special.i0e, (WIDE,)),
    Row("i1e", special.i1e, (WIDE,)),
    Row("k0e", special.k0e, (P,)),
    Row("k1e", special.k1e, (P,)),
    Row("numpy-i0", np.i0, (WIDE,)),
]


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_special(row):
    check_row(row)


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_special_value_through_tracer(row):
    check_values(row, rtol=0.0, atol=0.0)


def test_polygamma_values_match_scipy():
    for n in (0, 1, 2, 4):
        np.testing.assert_allclose(osp.polygamma(n, P), special.polygamma(n, P), rtol=1e-14)
    # derivative of digamma is polygamma(1); of polygamma(n) is polygamma(n + 1)
    np.testing.assert_allclose(optkit.grad(lambda x: special.digamma(x))(1.7),
                               special.polygamma(1, 1.7), rtol=1e-14)
    np.testing.assert_allclose(optkit.grad(optkit.grad(special.gammaln))(2.5),
                               special.polygamma(1, 2.5), rtol=1e-14)


@pytest.mark.parametrize("n", [-1, 1.5, True])
def test_polygamma_rejects_bad_order(n):
    with pytest.raises((TypeError, ValueError), match="n must be an integer order"):
        osp.polygamma(n, P)


def test_scipy_polygamma_on_traced_value_raises():
    # scipy.special.polygamma is Python code that calls np.asarray: it must not be silent
    with pytest.raises(optkit.TracerConversionError):
        optkit.grad(lambda x: special.polygamma(1, x))(1.5)


def test_expit_gradient_in_the_tails_is_finite():
    g = optkit.grad(lambda x: np.sum(special.expit(x)))(np.array([-800.0, 0.0, 800.0]))
    np.testing.assert_allclose(g, [0.0, 0.25, 0.0])
