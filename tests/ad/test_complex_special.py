"""scipy.special and optkit.special at complex arguments: JAX's conventions, against differences.

Every ufunc whose SciPy implementation accepts complex input and is holomorphic there has a row
(JVP along a complex direction, ``grad`` of a real loss against ``dL/dx - i dL/dy``, the VJP
against ``grad``, and the HVP against a difference of ``grad``); ``ive``, ``jve`` and ``yve``
are not holomorphic (their scales ``exp(-|Re z|)``, ``exp(-|Im z|)``) and are checked the same
way. The functions SciPy defines for real arguments only still refuse a complex value, naming
themselves. The rules added with complex support (erfi, dawsn, wofz, loggamma, exp1, expi,
spence, the Hankel functions, the hypergeometric functions in z, Lambert W, Wright omega, jve,
yve and the orthogonal polynomials in x) have real rows too, in both modes to second order.
"""

import numpy as np
import pytest
import scipy.special as sc

import optkit
import optkit.special as osp
from optkit.ad.core import ComplexValueError
from optkit.ad.rules.special import polygamma_complex

from .table import Row, check_complex_row, check_row

Z = np.array([0.3 + 0.4j, -0.7 + 0.2j, 1.1 - 0.5j])
W = np.array([0.8 - 0.3j, 0.5 + 0.6j, -0.4 - 0.9j])
RIGHT = np.array([0.6 + 0.4j, 1.7 - 0.8j, 2.5 + 1.2j])    # Re z > 0: logs, gamma, Bessel
MIXED = np.array([1.3 + 0.4j, -0.9 - 0.7j, 0.2 + 1.1j])   # both signs of Re z: ive's kink
P = np.array([0.5, 1.3, 2.7])                              # real, positive

COMPLEX_ROWS = [
    Row("erf", sc.erf, (Z,)),
    Row("erfc", sc.erfc, (Z,)),
    Row("erfcx", sc.erfcx, (Z,)),
    Row("erfi", sc.erfi, (Z,)),
    Row("dawsn", sc.dawsn, (Z,)),
    Row("wofz", sc.wofz, (Z,)),
    Row("ndtr", sc.ndtr, (Z,)),
    Row("log_ndtr", sc.log_ndtr, (Z,)),
    Row("gamma", sc.gamma, (RIGHT,)),
    Row("gamma-left", sc.gamma, (np.array([-0.6 + 0.3j, -1.4 - 0.2j]),)),
    Row("rgamma", sc.rgamma, (Z,)),
    Row("loggamma", sc.loggamma, (RIGHT,)),
    Row("digamma", sc.digamma, (Z,)),
    Row("psi", sc.psi, (RIGHT,)),
    Row("polygamma-1", lambda z: osp.polygamma(1, z), (Z,)),
    Row("polygamma-3", lambda z: osp.polygamma(3, z), (RIGHT,)),
    Row("log1p", sc.log1p, (Z,)),
    Row("expm1", sc.expm1, (Z,)),
    Row("exp1", sc.exp1, (RIGHT,)),
    Row("expi", sc.expi, (RIGHT,)),
    Row("spence", sc.spence, (RIGHT,)),
    Row("xlogy", sc.xlogy, (Z, W)),
    Row("xlog1py", sc.xlog1py, (Z, W)),
    Row("jv", lambda z: sc.jv(1.5, z), (RIGHT,)),
    Row("jv-integer-order", lambda z: sc.jv(2, z), (Z,)),
    Row("yv", lambda z: sc.yv(0.5, z), (RIGHT,)),
    Row("iv", lambda z: sc.iv(1.3, z), (RIGHT,)),
    Row("kv", lambda z: sc.kv(2.5, z), (RIGHT,)),
    Row("ive", lambda z: sc.ive(1.0, z), (MIXED,)),
    Row("kve", lambda z: sc.kve(0.7, z), (RIGHT,)),
    Row("jve", lambda z: sc.jve(1.3, z), (MIXED,)),
    Row("yve", lambda z: sc.yve(0.5, z), (MIXED,)),
    Row("wrightomega", sc.wrightomega, (Z,)),
    Row("hankel1", lambda z: sc.hankel1(1.3, z), (RIGHT,)),
    Row("hankel2", lambda z: sc.hankel2(0.5, z), (RIGHT,)),
    Row("hankel1e", lambda z: sc.hankel1e(1.3, z), (RIGHT,)),
    Row("hankel2e", lambda z: sc.hankel2e(2.0, z), (RIGHT,)),
    Row("hyp2f1", lambda z: sc.hyp2f1(0.7, 1.3, 2.1, z), (Z * 0.8,)),
    Row("hyp1f1", lambda z: sc.hyp1f1(0.7, 1.3, z), (Z,)),
    Row("hyp0f1", lambda z: sc.hyp0f1(1.3, z), (Z,)),
    Row("lambertw", sc.lambertw, (Z,)),
    Row("lambertw-branch-1", lambda z: sc.lambertw(z, -1), (RIGHT,)),
    Row("eval_legendre", lambda z: sc.eval_legendre(3, z), (Z,)),
    Row("eval_legendre-fractional", lambda z: sc.eval_legendre(2.5, z), (Z,)),
    Row("eval_chebyt", lambda z: sc.eval_chebyt(4, z), (Z,)),
    Row("eval_chebyu", lambda z: sc.eval_chebyu(3, z), (Z,)),
    Row("eval_chebyc", lambda z: sc.eval_chebyc(3, z), (Z,)),
    Row("eval_chebys", lambda z: sc.eval_chebys(3, z), (Z,)),
    Row("eval_sh_legendre", lambda z: sc.eval_sh_legendre(3, z), (Z,)),
    Row("eval_sh_chebyt", lambda z: sc.eval_sh_chebyt(3, z), (Z,)),
    Row("eval_sh_chebyu", lambda z: sc.eval_sh_chebyu(3, z), (Z,)),
    Row("eval_gegenbauer", lambda z: sc.eval_gegenbauer(3, 0.7, z), (Z,)),
    Row("eval_jacobi", lambda z: sc.eval_jacobi(3, 0.5, 1.5, z), (Z,)),
    Row("eval_laguerre", lambda z: sc.eval_laguerre(3, z), (Z,)),
    Row("eval_genlaguerre", lambda z: sc.eval_genlaguerre(3, 0.7, z), (Z,)),
    Row("logsumexp", osp.logsumexp, (Z,)),
    Row("logsumexp-b", lambda a, b: osp.logsumexp(a, b=b), (Z, W)),
    Row("logsumexp-axis", lambda a: osp.logsumexp(np.stack([a, a * 1j]), axis=0), (Z,)),
    Row("logsumexp-abs", lambda a: osp.logsumexp(a, return_sign=True)[0], (Z,)),
    Row("softmax", osp.softmax, (Z,)),
    Row("log_softmax", osp.log_softmax, (Z,)),
    Row("composed", lambda z: sc.erf(sc.gamma(z) * sc.wofz(z)), (RIGHT,)),
]


@pytest.mark.parametrize("row", COMPLEX_ROWS, ids=str)
def test_complex_special_rule(row):
    check_complex_row(row, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("row", COMPLEX_ROWS, ids=str)
def test_check_grads(row):
    # optkit's own checker: complex directions, both modes, second order
    check_row(row)


REAL_ROWS = [
    Row("erfi", sc.erfi, (P - 1.0,)),
    Row("dawsn", sc.dawsn, (P - 1.0,)),
    Row("wofz-real-argument", lambda x: np.real(sc.wofz(x)) + 2.0 * np.imag(sc.wofz(x)), (P,)),
    Row("loggamma", sc.loggamma, (P,)),
    Row("exp1", sc.exp1, (P,)),
    Row("expi", sc.expi, (P - 1.0,)),
    Row("spence", sc.spence, (P,)),
    Row("spence-at-one", sc.spence, (np.array([1.0, 0.5]),)),
    Row("hankel1", lambda x: np.abs(sc.hankel1(1.3, x)) ** 2, (P,)),
    Row("hankel2e", lambda x: np.real(sc.hankel2e(0.5, x)), (P,)),
    Row("hyp2f1", lambda x: sc.hyp2f1(0.7, 1.3, 2.1, x), (P / 3.0,)),
    Row("hyp1f1", lambda x: sc.hyp1f1(0.7, 1.3, x), (P - 1.0,)),
    Row("hyperu", lambda x: sc.hyperu(0.7, 1.3, x), (P,)),
    Row("hyp0f1", lambda x: sc.hyp0f1(1.3, x), (P - 1.0,)),
    Row("lambertw", lambda x: np.real(sc.lambertw(x)), (P - 0.2,)),
    Row("jve", lambda x: sc.jve(1.3, x), (P,)),
    Row("yve", lambda x: sc.yve(0.5, x), (P,)),
    Row("wrightomega", sc.wrightomega, (P - 1.0,)),
    Row("eval_legendre", lambda x: sc.eval_legendre(3, x), (P / 3.0,)),
    Row("eval_legendre-degree-0", lambda x: sc.eval_legendre(0, x) * x, (P / 3.0,)),
    Row("eval_chebyt", lambda x: sc.eval_chebyt(4, x), (P / 3.0,)),
    Row("eval_chebyu", lambda x: sc.eval_chebyu(3, x), (P / 3.0,)),
    Row("eval_chebyc", lambda x: sc.eval_chebyc(3, x), (P,)),
    Row("eval_chebys", lambda x: sc.eval_chebys(3, x), (P,)),
    Row("eval_sh_legendre", lambda x: sc.eval_sh_legendre(3, x), (P / 3.0,)),
    Row("eval_sh_chebyt", lambda x: sc.eval_sh_chebyt(3, x), (P / 3.0,)),
    Row("eval_sh_chebyu", lambda x: sc.eval_sh_chebyu(3, x), (P / 3.0,)),
    Row("eval_gegenbauer", lambda x: sc.eval_gegenbauer(3, 0.7, x), (P / 3.0,)),
    Row("eval_jacobi", lambda x: sc.eval_jacobi(3, 0.5, 1.5, x), (P / 3.0,)),
    Row("eval_laguerre", lambda x: sc.eval_laguerre(3, x), (P,)),
    Row("eval_genlaguerre", lambda x: sc.eval_genlaguerre(3, 0.7, x), (P,)),
    Row("eval_hermite", lambda x: sc.eval_hermite(3, x), (P - 1.0,)),
    Row("eval_hermite-degree-0", lambda x: sc.eval_hermite(0, x) * x, (P - 1.0,)),
    Row("eval_hermitenorm", lambda x: sc.eval_hermitenorm(4, x), (P - 1.0,)),
]


@pytest.mark.parametrize("row", REAL_ROWS, ids=str)
def test_real_rows_of_the_new_rules(row):
    check_row(row)


def test_values_at_complex_arguments_are_scipys():
    np.testing.assert_array_equal(optkit.jvp(sc.erf, Z, W)[0], sc.erf(Z))
    np.testing.assert_allclose(osp.logsumexp(Z), sc.logsumexp(Z), rtol=1e-15)
    np.testing.assert_allclose(osp.logsumexp(Z, b=W), sc.logsumexp(Z, b=W), rtol=1e-15)
    got, want = osp.logsumexp(Z, return_sign=True), sc.logsumexp(Z, return_sign=True)
    for k in range(2):
        np.testing.assert_allclose(got[k], want[k], rtol=1e-15)
    np.testing.assert_allclose(osp.softmax(Z), sc.softmax(Z), rtol=1e-14)
    np.testing.assert_allclose(osp.log_softmax(Z), sc.log_softmax(Z), rtol=1e-14)
    big = Z + np.array([700.0, 701.0, 699.0])       # the shift is Re's max: no overflow
    np.testing.assert_allclose(osp.logsumexp(big), sc.logsumexp(big), rtol=1e-15)


@pytest.mark.parametrize("n", [1, 2, 3, 6])
def test_complex_polygamma_against_mpmath(n):
    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 30
    z = np.array([0.3 + 0.4j, -0.7 + 0.2j, 2.0 + 3.0j, -5.5 + 0.1j, 30.0 - 1.0j, 5j, -40.3 - 2j])
    want = np.array([complex(mp.polygamma(n, mp.mpc(v.real, v.imag))) for v in z])
    np.testing.assert_allclose(polygamma_complex(z, n), want, rtol=1e-13)
    # far left, by reflection (the rounding of pi z bounds the accuracy there)
    far = np.array([-350.2 + 0.5j, -150.3 + 2.0j, -2000.7 + 0.3j])
    want = np.array([complex(mp.polygamma(n, mp.mpc(v.real, v.imag))) for v in far])
    np.testing.assert_allclose(polygamma_complex(far, n), want, rtol=1e-8)
    # on the real axis, SciPy's values
    x = np.array([0.5, 1.5, 7.0, -2.5])
    np.testing.assert_allclose(polygamma_complex(x + 0j, n), sc.polygamma(n, x), rtol=1e-14)


def test_holomorphic_grad_is_the_complex_derivative():
    z = 0.4 + 0.3j
    cases = [(sc.erf, 2.0 / np.sqrt(np.pi) * np.exp(-z * z)), (sc.loggamma, sc.digamma(z)),
             (sc.gamma, sc.gamma(z) * sc.digamma(z)), (sc.expi, np.exp(z) / z)]
    for f, d in cases:
        assert optkit.grad(f, holomorphic=True)(z) == pytest.approx(d, rel=1e-14)


REFUSED = {  # SciPy defines these for real arguments only
    "expit": sc.expit, "logit": sc.logit, "log_expit": sc.log_expit, "erfinv": sc.erfinv,
    "erfcinv": sc.erfcinv, "ndtri": sc.ndtri, "gammaln": sc.gammaln, "gammasgn": sc.gammasgn,
    "exp2": sc.exp2, "exp10": sc.exp10, "cbrt": sc.cbrt, "cosm1": sc.cosm1, "entr": sc.entr,
    "j0": sc.j0, "i1e": sc.i1e,
    "gammainc": lambda z: sc.gammainc(2.0, z), "betainc": lambda z: sc.betainc(2.0, 3.0, z),
    "betaln": lambda z: sc.betaln(z, 2.0), "yn": lambda z: sc.yn(1, z),
    "hyperu": lambda z: sc.hyperu(0.5, 1.5, z), "eval_hermite": lambda z: sc.eval_hermite(2, z),
}


@pytest.mark.parametrize("name", REFUSED)
def test_real_only_functions_refuse_a_complex_value_naming_themselves(name):
    with pytest.raises(ComplexValueError, match="has no complex derivative rule"):
        optkit.grad(lambda z: np.real(np.sum(REFUSED[name](z))))(Z)


def test_hypergeometric_and_polynomial_parameters_are_refused_naming_them():
    with pytest.raises(optkit.NotDifferentiableError, match=r"hyp2f1: .* \(the parameter b\)"):
        optkit.grad(lambda b: sc.hyp2f1(0.5, b, 2.0, 0.3))(1.5)
    with pytest.raises(optkit.NotDifferentiableError, match=r"hyp1f1: .* \(the parameter a\)"):
        optkit.grad(lambda a: np.real(sc.hyp1f1(a, 1.5, 0.3 + 0.1j)))(1.5)
    with pytest.raises(optkit.NotDifferentiableError, match=r"eval_jacobi: .* parameter beta"):
        optkit.grad(lambda b: sc.eval_jacobi(3, 0.5, b, 0.3))(1.5)


def test_multigammaln_stays_real_as_in_scipy():
    with pytest.raises(TypeError, match="a must be a real array"):
        osp.multigammaln(Z, 2)
    with pytest.raises(ComplexValueError, match="^gammaln has no complex derivative rule"):
        optkit.grad(lambda x: np.real(np.sum(osp.multigammaln(x * (1 + 1j), 2))))(P + 1.0)
