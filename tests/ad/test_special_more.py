"""Table: the scipy.special ufuncs behind optkit.stats (incomplete gamma/beta, distribution
functions), rgamma/gammasgn/yn/poch, and optkit.special.multigammaln; both modes, 2nd order."""

import numpy as np
import pytest
from scipy import special

import optkit
import optkit.special as osp

from .table import Row, check_row, rng
from .values import check_values

R = rng(1)
P = R.uniform(0.5, 3.0, size=(3, 4))          # positive
U = R.uniform(0.1, 0.9, size=(3, 4))          # (0, 1)
W = R.uniform(-3.0, 3.0, size=(3, 4))
A = R.uniform(3.5, 6.0, size=(2, 3))          # > (d - 1) / 2 for d <= 4

ROWS = [
    Row("gammainc", lambda x: special.gammainc(1.7, x), (P,)),
    Row("gammaincc", lambda x: special.gammaincc(0.6, x), (P,)),
    Row("betainc", lambda x: special.betainc(1.7, 2.5, x), (U,)),
    Row("betaincc", lambda x: special.betaincc(0.8, 3.0, x), (U,)),
    Row("rgamma", special.rgamma, (P,)),
    Row("gammasgn", lambda x: special.gammasgn(x) * x, (W + 0.05,)),
    Row("yn", lambda x: special.yn(2, x), (P,)),
    Row("yn-order-array", lambda x: special.yn(np.array([0, 1, 3, 2]), x), (P,)),
    Row("poch", special.poch, (P, U)),
    Row("stdtr", lambda x: special.stdtr(3.5, x), (W,)),
    Row("chdtr", lambda x: special.chdtr(2.5, x), (P,)),
    Row("chdtrc", lambda x: special.chdtrc(4.0, x), (P,)),
    Row("pdtr", lambda m: special.pdtr(3, m), (P,)),
    Row("pdtrc", lambda m: special.pdtrc(2, m), (P,)),
    Row("bdtr", lambda p: special.bdtr(3, 7, p), (U,)),
    Row("bdtrc", lambda p: special.bdtrc(2, 5, p), (U,)),
    Row("nbdtr", lambda p: special.nbdtr(3, 7, p), (U,)),
    Row("nbdtrc", lambda p: special.nbdtrc(2, 5, p), (U,)),
    Row("multigammaln-3", lambda a: osp.multigammaln(a, 3), (A,)),
    Row("multigammaln-1", lambda a: osp.multigammaln(a, 1), (A,)),
]


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_rule(row):
    check_row(row)


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_value_through_tracer(row):
    check_values(row, rtol=0.0, atol=0.0)


@pytest.mark.parametrize("d", [1, 2, 4])
def test_multigammaln_matches_scipy(d):
    np.testing.assert_allclose(osp.multigammaln(A, d), special.multigammaln(A, d), rtol=1e-14)
    assert np.ndim(osp.multigammaln(5.0, d)) == 0


@pytest.mark.parametrize("d, a, match", [(0, 3.0, "positive integer"), (2.5, 3.0, "positive"),
                                         (3, 0.9, "exceed")])
def test_multigammaln_bad_input(d, a, match):
    with pytest.raises(ValueError, match=match):
        osp.multigammaln(a, d)


def test_gammainc_derivative_is_the_gamma_density():
    g = optkit.grad(lambda x: special.gammainc(2.5, x))(1.3)
    np.testing.assert_allclose(g, np.exp(1.5 * np.log(1.3) - 1.3 - special.gammaln(2.5)),
                               rtol=1e-14)


@pytest.mark.parametrize("fun, which", [
    (lambda a: special.gammainc(a, 2.0), "first"),
    (lambda a: special.gammaincc(a, 2.0), "first"),
    (lambda a: special.betainc(a, 2.0, 0.3), "first"),
    (lambda b: special.betainc(2.0, b, 0.3), "second"),
    (lambda v: special.stdtr(v, 0.3), "first"),
])
@pytest.mark.parametrize("mode", ["fwd", "rev"])
def test_shape_arguments_are_refused(fun, which, mode):
    with pytest.raises(optkit.NotDifferentiableError, match=f"its {which} argument"):
        if mode == "fwd":
            optkit.jvp(fun, 2.5, 1.0)
        else:
            optkit.grad(fun)(2.5)


def test_gammasgn_has_zero_derivative():
    assert optkit.grad(lambda x: special.gammasgn(x))(-1.5) == 0.0
