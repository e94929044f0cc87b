"""scipy.special ufuncs: each is registered under the scipy ufunc object itself, so a user's
``special.expit(x)`` on a traced ``x`` dispatches here through ``__array_ufunc__``.

Derivatives: DLMF (NIST Digital Library of Mathematical Functions) 7.2 and 7.10 (erf family),
5.15 (digamma, polygamma), 5.2 (gamma), 5.12 (beta), 8.8.13 (regularized incomplete gamma in
its second argument), 8.17.1 (regularized incomplete beta in x), 10.6.1 (Y_n and the other
cylinder functions, the Hankel functions included), 7.10 (Faddeeva and Dawson), 6.2
(exponential integrals), 25.12 (dilogarithm), 15.5, 13.3 and 16.3 (hypergeometric functions in
z), 4.13 (Lambert W), 18.9 (orthogonal polynomials in x); the logistic, normal-distribution
and entropy identities are elementary. ``polygamma`` is a Python-level function in SciPy (it
calls ``np.asarray``), so the primitive here takes the order ``n`` as a keyword and is exposed
as ``optkit.special.polygamma``.

Complex values: a function whose SciPy ufunc accepts complex input and is holomorphic there
is declared ``complex=True``; its rule ``t * f'(z)`` is then both the JVP and the VJP (JAX's
convention, see ``vspace``: the VJP is the transpose for ``Re(sum(a * b))``, no conjugate).
The derivatives are the same analytic formulas, evaluated by SciPy at complex arguments; the
second derivative of the gamma family needs ``polygamma`` at complex ``z``, which SciPy lacks
and ``_polygamma_complex`` computes. ``ive`` (scaled by ``exp(-|Re z|)``) is not holomorphic
and has a real-linear rule of its own. Functions SciPy defines for real arguments only (expit,
logit, gammaln, the incomplete gamma and beta functions, ...) keep real-only rules and refuse
a complex value, naming themselves.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special as sc

from ..core import (
    ZERO,
    NotDifferentiableError,
    function_impls,
    is_complex,
    primitive,
    ufunc_primitives,
)

_TWO_OVER_SQRT_PI = 2.0 / np.sqrt(np.pi)
_SQRT_PI_OVER_TWO = np.sqrt(np.pi) / 2.0
_INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)
_SQRT_2PI = np.sqrt(2.0 * np.pi)


def _ufunc(ufunc, jvp, vjp=None, *, complex=False):
    """Register ``ufunc``; ``complex=True`` declares its rules valid at complex arguments."""
    prim = primitive(ufunc.__name__, ufunc, jvp=jvp, vjp=jvp if vjp is None else vjp,
                     complex=complex)
    ufunc_primitives[ufunc] = prim
    return prim


# ---- logistic -------------------------------------------------------------------------------
def _expit_d(t, ans, x):
    return t * (ans * (1.0 - ans))


def _logit_d(t, ans, x):
    return t / (x * (1.0 - x))


def _log_expit_d(t, ans, x):
    return t * sc.expit(-x)          # d log(expit x) = 1 - expit(x) = expit(-x)


expit = _ufunc(sc.expit, _expit_d)
logit = _ufunc(sc.logit, _logit_d)
log_expit = _ufunc(sc.log_expit, _log_expit_d)


# ---- error function and the normal distribution ---------------------------------------------
def _erf_d(t, ans, x):
    return t * (_TWO_OVER_SQRT_PI * np.exp(-(x * x)))


def _erfc_d(t, ans, x):
    return t * (-_TWO_OVER_SQRT_PI * np.exp(-(x * x)))


def _erfcx_d(t, ans, x):
    return t * (2.0 * x * ans - _TWO_OVER_SQRT_PI)   # erfcx = exp(x^2) erfc(x)


def _erfinv_d(t, ans, x):
    return t * (_SQRT_PI_OVER_TWO * np.exp(ans * ans))


def _erfcinv_d(t, ans, x):
    return t * (-_SQRT_PI_OVER_TWO * np.exp(ans * ans))


def _ndtr_d(t, ans, x):
    return t * (_INV_SQRT_2PI * np.exp(-0.5 * (x * x)))


def _log_ndtr_d(t, ans, x):
    return t * (_INV_SQRT_2PI * np.exp(-0.5 * (x * x) - ans))


def _ndtri_d(t, ans, x):
    return t * (_SQRT_2PI * np.exp(0.5 * (ans * ans)))


erf = _ufunc(sc.erf, _erf_d, complex=True)
erfc = _ufunc(sc.erfc, _erfc_d, complex=True)
erfcx = _ufunc(sc.erfcx, _erfcx_d, complex=True)
erfinv = _ufunc(sc.erfinv, _erfinv_d)
erfcinv = _ufunc(sc.erfcinv, _erfcinv_d)
ndtr = _ufunc(sc.ndtr, _ndtr_d, complex=True)
log_ndtr = _ufunc(sc.log_ndtr, _log_ndtr_d, complex=True)
ndtri = _ufunc(sc.ndtri, _ndtri_d)


# ---- gamma family -----------------------------------------------------------------------------
# Bernoulli numbers B_2, B_4, ..., B_20 for the asymptotic series of the polygamma functions
_BERNOULLI_EVEN = sc.bernoulli(20)[2::2]
_ASYMPTOTIC_FROM = 20.0     # the series is summed at Re(w) >= 20, where its 10 terms reach 1e-17


def _polygamma_complex(z, n):
    """psi^(n)(z) for complex ``z`` and an order ``n >= 1`` (SciPy's polygamma is real-only).

    The recurrence psi^(n)(z) = psi^(n)(z + 1) + (-1)^(n+1) n! / z^(n+1) (DLMF 5.15.5) moves
    each point to ``w = z + m`` with ``Re w >= 20``, where the asymptotic expansion (DLMF
    5.15.8) ``(-1)^(n-1) [(n-1)!/w^n + n!/(2 w^(n+1)) + sum_k B_2k (2k+n-1)!/((2k)! w^(2k+n))]``
    is summed to ten terms. Poles (z = 0, -1, -2, ...) give infinities; the shift costs one pass
    per unit of ``20 - Re z``.
    """
    z = np.asarray(z, dtype=np.complex128)
    shift = np.maximum(0.0, np.ceil(_ASYMPTOTIC_FROM - z.real))
    w = z.copy()
    head = np.zeros_like(w)
    with np.errstate(divide="ignore", invalid="ignore"):
        for k in range(int(shift.max(initial=0.0))):
            moving = shift > k
            head[moving] += w[moving] ** -(n + 1)
            w[moving] += 1.0
        tail = math.factorial(n - 1) / w**n + math.factorial(n) / (2.0 * w ** (n + 1))
        for k, b in enumerate(_BERNOULLI_EVEN, start=1):
            tail = tail + b * (math.factorial(2 * k + n - 1) / math.factorial(2 * k)) \
                / w ** (2 * k + n)
    sign = -1.0 if n % 2 == 0 else 1.0      # (-1)^(n+1) == (-1)^(n-1)
    out = sign * (math.factorial(n) * head + tail)
    return out if out.ndim else out[()]


def _polygamma_impl(x, n):
    if n == 0:
        return sc.digamma(x)
    if np.iscomplexobj(x):
        return _polygamma_complex(x, n)
    return sc.polygamma(n, x)


def _polygamma_d(t, ans, x, n):
    return t * polygamma(x, n=n + 1)


polygamma = primitive("polygamma", _polygamma_impl, jvp=_polygamma_d, vjp=_polygamma_d,
                      complex=True)


def _gammaln_d(t, ans, x):
    return t * sc.digamma(x)


def _digamma_d(t, ans, x):
    return t * polygamma(x, n=1)


def _gamma_d(t, ans, x):
    return t * (ans * sc.digamma(x))


gammaln = _ufunc(sc.gammaln, _gammaln_d)
digamma = _ufunc(sc.digamma, _digamma_d, complex=True)   # scipy.special.psi is the same ufunc
gamma = _ufunc(sc.gamma, _gamma_d, complex=True)


def _betaln_d0(t, ans, a, b):
    return t * (sc.digamma(a) - sc.digamma(a + b))


def _betaln_d1(t, ans, a, b):
    return t * (sc.digamma(b) - sc.digamma(a + b))


def _beta_d0(t, ans, a, b):
    return t * (ans * (sc.digamma(a) - sc.digamma(a + b)))


def _beta_d1(t, ans, a, b):
    return t * (ans * (sc.digamma(b) - sc.digamma(a + b)))


betaln = _ufunc(sc.betaln, (_betaln_d0, _betaln_d1))
beta = _ufunc(sc.beta, (_beta_d0, _beta_d1))


def _rgamma_d(t, ans, x):
    return -t * (ans * sc.digamma(x))     # rgamma = 1 / gamma


rgamma = _ufunc(sc.rgamma, _rgamma_d, complex=True)
gammasgn = _ufunc(sc.gammasgn, ZERO)      # piecewise constant: derivative 0 away from the poles


def _loggamma_d(t, ans, x):
    return t * sc.digamma(x)     # psi = Gamma' / Gamma (DLMF 5.2.2), on every branch


loggamma = _ufunc(sc.loggamma, _loggamma_d, complex=True)


# ---- Faddeeva, Dawson and exponential integrals (DLMF 7.10, 7.5, 6.2, 25.12) -----------------
def _erfi_d(t, ans, x):
    return t * (_TWO_OVER_SQRT_PI * np.exp(x * x))


def _dawsn_d(t, ans, x):
    return t * (1.0 - 2.0 * x * ans)                       # F' = 1 - 2zF (DLMF 7.10)


def _wofz_d(t, ans, x):
    return t * (1j * _TWO_OVER_SQRT_PI - 2.0 * x * ans)    # w' = 2i/sqrt(pi) - 2zw (DLMF 7.10)


def _exp1_d(t, ans, x):
    return -t * (np.exp(-x) / x)                           # E1(z) = int_z^inf e^-t / t dt


def _expi_d(t, ans, x):
    return t * (np.exp(x) / x)


def _spence_d(t, ans, x):
    # scipy's spence(z) = int_1^z log(t) / (1 - t) dt = Li2(1 - z) (DLMF 25.12.1), so its
    # derivative is -log(z) / (z - 1); at z = 1 its Taylor series -1 + u/2 - u^2/3 (u = z - 1)
    # is exact to the order any derivative of this rule reaches there
    u = x - 1.0
    at_one = u == 0
    away = -np.log(x) / np.where(at_one, 1.0, u)
    return t * np.where(at_one, -1.0 + u * (0.5 - u / 3.0), away)


def _wrightomega_d(t, ans, x):
    return t * (ans / (1.0 + ans))     # omega + log(omega) = z (Corless & Jeffrey 2002)


erfi = _ufunc(sc.erfi, _erfi_d, complex=True)
dawsn = _ufunc(sc.dawsn, _dawsn_d, complex=True)
wofz = _ufunc(sc.wofz, _wofz_d, complex=True)
exp1 = _ufunc(sc.exp1, _exp1_d, complex=True)
expi = _ufunc(sc.expi, _expi_d, complex=True)
spence = _ufunc(sc.spence, _spence_d, complex=True)
wrightomega = _ufunc(sc.wrightomega, _wrightomega_d, complex=True)


# ---- regularized incomplete gamma and beta: derivatives in the integration limit only ----
def _shape_refused(name, arg, what):
    def rule(t, ans, *args):
        raise NotDifferentiableError(
            f"scipy.special.{name}: the derivative in its {arg} argument ({what}) is not "
            "available (it needs a series optkit does not have); pass a constant there. The "
            "derivative in the last argument is supported."
        )
    return rule


def _gammainc_density(a, x):
    """x**(a-1) exp(-x) / Gamma(a): d gammainc(a, x) / dx (DLMF 8.8.13)."""
    return np.exp(sc.xlogy(a - 1.0, x) - x - sc.gammaln(a))


def _gammainc_d1(t, ans, a, x):
    return t * _gammainc_density(a, x)


def _gammaincc_d1(t, ans, a, x):
    return -t * _gammainc_density(a, x)


def _betainc_d2(t, ans, a, b, x):
    # x**(a-1) (1-x)**(b-1) / B(a, b) (DLMF 8.17.1)
    return t * np.exp(sc.xlogy(a - 1.0, x) + sc.xlog1py(b - 1.0, -x) - sc.betaln(a, b))


_refuse_a = _shape_refused("gammainc", "first", "the shape a")
gammainc = _ufunc(sc.gammainc, (_refuse_a, _gammainc_d1))
gammaincc = _ufunc(sc.gammaincc, (_shape_refused("gammaincc", "first", "the shape a"),
                                  _gammaincc_d1))
betainc = _ufunc(sc.betainc, (_shape_refused("betainc", "first", "the shape a"),
                              _shape_refused("betainc", "second", "the shape b"),
                              _betainc_d2))

betaincc = _ufunc(sc.betaincc, (_shape_refused("betaincc", "first", "the shape a"),
                                _shape_refused("betaincc", "second", "the shape b"),
                                lambda t, ans, a, b, x: -_betainc_d2(t, ans, a, b, x)))


# ---- hypergeometric functions and Lambert W: derivatives in z only (DLMF 15.5.1, 13.3.15,
# 13.3.22, 16.3.1, 4.13); a traced parameter is refused
def _hyp2f1_d3(t, ans, a, b, c, z):
    return t * (a * b / c * sc.hyp2f1(a + 1.0, b + 1.0, c + 1.0, z))


def _hyp1f1_d2(t, ans, a, b, z):
    return t * (a / b * sc.hyp1f1(a + 1.0, b + 1.0, z))


def _hyperu_d2(t, ans, a, b, z):
    return -t * (a * sc.hyperu(a + 1.0, b + 1.0, z))


def _hyp0f1_d1(t, ans, b, z):
    return t * (sc.hyp0f1(b + 1.0, z) / b)


def _hyp_refused(name, *params):
    return tuple(_shape_refused(name, which, f"the parameter {p}")
                 for which, p in zip(("first", "second", "third"), params, strict=False))


hyp2f1 = _ufunc(sc.hyp2f1, (*_hyp_refused("hyp2f1", "a", "b", "c"), _hyp2f1_d3), complex=True)
hyp1f1 = _ufunc(sc.hyp1f1, (*_hyp_refused("hyp1f1", "a", "b"), _hyp1f1_d2), complex=True)
hyperu = _ufunc(sc.hyperu, (*_hyp_refused("hyperu", "a", "b"), _hyperu_d2))
hyp0f1 = _ufunc(sc.hyp0f1, (*_hyp_refused("hyp0f1", "b"), _hyp0f1_d1), complex=True)


def _lambertw_d(t, ans, z, k, tol):
    return t / (np.exp(ans) * (1.0 + ans))     # W' = 1 / (e^W (1 + W)), on every branch k


# scipy.special.lambertw is a Python function that passes z unchanged to this ufunc (only the
# branch k goes through np.asarray), so registering the ufunc makes lambertw differentiable
lambertw = _ufunc(sc._ufuncs._lambertw, (_lambertw_d, None, None), complex=True)


# ---- orthogonal polynomials: derivatives in x (DLMF 18.9, with the Gegenbauer forms
# P_n = C_n^(1/2), U_n = C_n^(1)); the degree n is not differentiated, a traced
# parameter (alpha, beta) is refused. SciPy gives 0 at degree -1, so n = 0 needs no branch.
def _legendre_d(t, ans, n, x):
    return t * sc.eval_gegenbauer(n - 1, 1.5, x)


def _chebyt_d(t, ans, n, x):
    return t * (n * sc.eval_chebyu(n - 1, x))


def _chebyu_d(t, ans, n, x):
    return t * (2.0 * sc.eval_gegenbauer(n - 1, 2.0, x))


def _chebyc_d(t, ans, n, x):              # C_n(x) = 2 T_n(x / 2)
    return t * (n * sc.eval_chebyu(n - 1, 0.5 * x))


def _chebys_d(t, ans, n, x):              # S_n(x) = U_n(x / 2)
    return t * sc.eval_gegenbauer(n - 1, 2.0, 0.5 * x)


def _sh_legendre_d(t, ans, n, x):         # P*_n(x) = P_n(2x - 1)
    return t * (2.0 * sc.eval_gegenbauer(n - 1, 1.5, 2.0 * x - 1.0))


def _sh_chebyt_d(t, ans, n, x):
    return t * (2.0 * n * sc.eval_chebyu(n - 1, 2.0 * x - 1.0))


def _sh_chebyu_d(t, ans, n, x):
    return t * (4.0 * sc.eval_gegenbauer(n - 1, 2.0, 2.0 * x - 1.0))


def _gegenbauer_d(t, ans, n, alpha, x):
    return t * (2.0 * alpha * sc.eval_gegenbauer(n - 1, alpha + 1.0, x))


def _jacobi_d(t, ans, n, alpha, beta, x):
    return t * (0.5 * (n + alpha + beta + 1.0) * sc.eval_jacobi(n - 1, alpha + 1.0, beta + 1.0, x))


def _laguerre_d(t, ans, n, x):
    return -t * sc.eval_genlaguerre(n - 1, 1.0, x)


def _genlaguerre_d(t, ans, n, alpha, x):
    return -t * sc.eval_genlaguerre(n - 1, alpha + 1.0, x)


def _hermite_d(t, ans, n, x):             # integer degrees only, as SciPy's
    return t * (2.0 * n * sc.eval_hermite(np.maximum(n - 1, 0), x))


def _hermitenorm_d(t, ans, n, x):
    return t * (n * sc.eval_hermitenorm(np.maximum(n - 1, 0), x))


def _param_refused(name, *positions_and_names):
    return tuple(_shape_refused(name, position, f"the parameter {param}")
                 for position, param in positions_and_names)


eval_legendre = _ufunc(sc.eval_legendre, (None, _legendre_d), complex=True)
eval_chebyt = _ufunc(sc.eval_chebyt, (None, _chebyt_d), complex=True)
eval_chebyu = _ufunc(sc.eval_chebyu, (None, _chebyu_d), complex=True)
eval_chebyc = _ufunc(sc.eval_chebyc, (None, _chebyc_d), complex=True)
eval_chebys = _ufunc(sc.eval_chebys, (None, _chebys_d), complex=True)
eval_sh_legendre = _ufunc(sc.eval_sh_legendre, (None, _sh_legendre_d), complex=True)
eval_sh_chebyt = _ufunc(sc.eval_sh_chebyt, (None, _sh_chebyt_d), complex=True)
eval_sh_chebyu = _ufunc(sc.eval_sh_chebyu, (None, _sh_chebyu_d), complex=True)
eval_gegenbauer = _ufunc(sc.eval_gegenbauer, (
    None, *_param_refused("eval_gegenbauer", ("second", "alpha")), _gegenbauer_d), complex=True)
eval_jacobi = _ufunc(sc.eval_jacobi, (
    None, *_param_refused("eval_jacobi", ("second", "alpha"), ("third", "beta")), _jacobi_d),
    complex=True)
eval_laguerre = _ufunc(sc.eval_laguerre, (None, _laguerre_d), complex=True)
eval_genlaguerre = _ufunc(sc.eval_genlaguerre, (
    None, *_param_refused("eval_genlaguerre", ("second", "alpha")), _genlaguerre_d),
    complex=True)
eval_hermite = _ufunc(sc.eval_hermite, (None, _hermite_d))
eval_hermitenorm = _ufunc(sc.eval_hermitenorm, (None, _hermitenorm_d))


# ---- distribution functions scipy.stats is built on: derivatives in the variable only ------
def _poch_d0(t, ans, z, m):
    return t * (ans * (sc.digamma(z + m) - sc.digamma(z)))


def _poch_d1(t, ans, z, m):
    return t * (ans * sc.digamma(z + m))


poch = _ufunc(sc.poch, (_poch_d0, _poch_d1))    # Gamma(z + m) / Gamma(z)


def _stdtr_d1(t, ans, df, x):
    # Student's t density (DLMF 8.17.1 through the incomplete-beta form of stdtr)
    log_density = (np.log(sc.poch(0.5 * df, 0.5)) - 0.5 * np.log(df * np.pi)
                   - 0.5 * (df + 1.0) * np.log1p(x * x / df))
    return t * np.exp(log_density)


def _chdtr_density(v, x):
    return np.exp(sc.xlogy(0.5 * v - 1.0, x) - 0.5 * x - sc.gammaln(0.5 * v)
                  - (0.5 * np.log(2.0)) * v)


def _poisson_mass(k, m):
    """m**k exp(-m) / k!, with k = floor(k): minus d pdtr(k, m) / dm (DLMF 8.8.13)."""
    k = np.floor(k)
    return np.exp(sc.xlogy(k, m) - m - sc.gammaln(k + 1.0))


def _bdtr_d2(t, ans, k, n, p):
    # bdtr(k, n, p) = I_{1-p}(n - k, k + 1), k = floor(k)
    k = np.floor(k)
    return -t * np.exp(sc.xlogy(k, p) + sc.xlog1py(n - k - 1.0, -p) - sc.betaln(n - k, k + 1.0))


def _nbdtr_d2(t, ans, k, n, p):
    # nbdtr(k, n, p) = I_p(n, k + 1), k = floor(k)
    k = np.floor(k)
    return t * np.exp(sc.xlogy(n - 1.0, p) + sc.xlog1py(k, -p) - sc.betaln(n, k + 1.0))


stdtr = _ufunc(sc.stdtr, (_shape_refused("stdtr", "first", "the degrees of freedom"),
                          _stdtr_d1))
chdtr = _ufunc(sc.chdtr, (_shape_refused("chdtr", "first", "the degrees of freedom"),
                          lambda t, ans, v, x: t * _chdtr_density(v, x)))
chdtrc = _ufunc(sc.chdtrc, (_shape_refused("chdtrc", "first", "the degrees of freedom"),
                            lambda t, ans, v, x: -t * _chdtr_density(v, x)))
pdtr = _ufunc(sc.pdtr, (None, lambda t, ans, k, m: -t * _poisson_mass(k, m)))
pdtrc = _ufunc(sc.pdtrc, (None, lambda t, ans, k, m: t * _poisson_mass(k, m)))
bdtr = _ufunc(sc.bdtr, (None, _shape_refused("bdtr", "second", "the number of trials n"),
                        _bdtr_d2))
bdtrc = _ufunc(sc.bdtrc, (None, _shape_refused("bdtrc", "second", "the number of trials n"),
                          lambda t, ans, k, n, p: -_bdtr_d2(t, ans, k, n, p)))
nbdtr = _ufunc(sc.nbdtr, (None, _shape_refused("nbdtr", "second", "the number of successes n"),
                          _nbdtr_d2))
nbdtrc = _ufunc(sc.nbdtrc, (None, _shape_refused("nbdtrc", "second", "the number of successes n"),
                            lambda t, ans, k, n, p: -_nbdtr_d2(t, ans, k, n, p)))


# ---- scipy's own copies of elementary functions ------------------------------------------------
def _log1p_d(t, ans, x):
    return t / (x + 1.0)


def _expm1_d(t, ans, x):
    return t * (ans + 1.0)


def _exp2_d(t, ans, x):
    return t * (ans * np.log(2.0))


def _exp10_d(t, ans, x):
    return t * (ans * np.log(10.0))


def _cbrt_d(t, ans, x):
    return t / (3.0 * ans * ans)


def _cosm1_d(t, ans, x):
    return -t * np.sin(x)


log1p = _ufunc(sc.log1p, _log1p_d, complex=True)
expm1 = _ufunc(sc.expm1, _expm1_d, complex=True)
exp2 = _ufunc(sc.exp2, _exp2_d)
exp10 = _ufunc(sc.exp10, _exp10_d)
cbrt = _ufunc(sc.cbrt, _cbrt_d)
cosm1 = _ufunc(sc.cosm1, _cosm1_d)


# ---- x log y and entropy ---------------------------------------------------------------------
def _xlogy_d0(t, ans, x, y):
    return t * np.log(y)


def _xlogy_d1(t, ans, x, y):
    # x / y, taken as 0 where x == 0 (where xlogy itself is 0 whatever y is)
    return t * (x / np.where(x == 0, 1.0, y))


def _xlog1py_d0(t, ans, x, y):
    return t * np.log1p(y)


def _xlog1py_d1(t, ans, x, y):
    return t * (x / np.where(x == 0, 1.0, 1.0 + y))


def _entr_d(t, ans, x):
    return t * (-np.log(x) - 1.0)      # entr(x) = -x log x, for x > 0


def _rel_entr_d0(t, ans, x, y):
    return t * (np.log(x / y) + 1.0)   # rel_entr(x, y) = x log(x / y), for x, y > 0


def _rel_entr_d1(t, ans, x, y):
    return -t * (x / y)


def _kl_div_d0(t, ans, x, y):
    return t * np.log(x / y)           # kl_div(x, y) = x log(x / y) - x + y, for x, y > 0


def _kl_div_d1(t, ans, x, y):
    return t * (1.0 - x / y)


xlogy = _ufunc(sc.xlogy, (_xlogy_d0, _xlogy_d1), complex=True)
xlog1py = _ufunc(sc.xlog1py, (_xlog1py_d0, _xlog1py_d1), complex=True)
entr = _ufunc(sc.entr, _entr_d)
rel_entr = _ufunc(sc.rel_entr, (_rel_entr_d0, _rel_entr_d1))
kl_div = _ufunc(sc.kl_div, (_kl_div_d0, _kl_div_d1))


# ---- Bessel functions (DLMF 10.6.1 and 10.29.1; the scaled forms by the product rule) -------
# The order v is not differentiated: a traced order has no rule and is refused.
def _jv_d(t, ans, v, x):
    return t * (0.5 * (sc.jv(v - 1.0, x) - sc.jv(v + 1.0, x)))


def _yv_d(t, ans, v, x):
    return t * (0.5 * (sc.yv(v - 1.0, x) - sc.yv(v + 1.0, x)))


def _iv_d(t, ans, v, x):
    return t * (0.5 * (sc.iv(v - 1.0, x) + sc.iv(v + 1.0, x)))


def _kv_d(t, ans, v, x):
    return t * (-0.5 * (sc.kv(v - 1.0, x) + sc.kv(v + 1.0, x)))


def _ive_jvp(t, ans, v, x):   # ive = iv exp(-|Re x|): d ive = ive' t - sign(Re x) ive Re(t)
    d = 0.5 * (sc.ive(v - 1.0, x) + sc.ive(v + 1.0, x))
    if is_complex(x):          # not holomorphic: the scale factor sees only Re(t)
        return t * d - np.real(t) * (np.sign(np.real(x)) * ans)
    return t * (d - np.sign(x) * ans)


def _ive_vjp(g, ans, v, x):    # the transpose of _ive_jvp for Re(sum(a * b))
    d = 0.5 * (sc.ive(v - 1.0, x) + sc.ive(v + 1.0, x))
    if is_complex(x):
        return g * d - np.real(g * (np.sign(np.real(x)) * ans))
    return g * (d - np.sign(x) * ans)


# jve = jv exp(-|Im x|), yve = yv exp(-|Im x|): for real x the plain functions; for complex x
# d = C' t - sign(Im x) C Im(t), whose transpose for Re(sum(a * b)) takes Im(t) = Re(-i t)
def _imag_scaled(ufunc):
    def derivative(v, x):
        return 0.5 * (ufunc(v - 1.0, x) - ufunc(v + 1.0, x))

    def jvp(t, ans, v, x):
        if is_complex(x):
            return t * derivative(v, x) - np.imag(t) * (np.sign(np.imag(x)) * ans)
        return t * derivative(v, x)

    def vjp(g, ans, v, x):
        if is_complex(x):
            return g * derivative(v, x) + 1j * np.real(g * (np.sign(np.imag(x)) * ans))
        return g * derivative(v, x)

    return (None, jvp), (None, vjp)


def _kve_d(t, ans, v, x):   # kve = kv exp(x)
    return t * (ans - 0.5 * (sc.kve(v - 1.0, x) + sc.kve(v + 1.0, x)))


def _yn_d(t, ans, n, x):
    return t * (0.5 * (sc.yn(n - 1, x) - sc.yn(n + 1, x)))


jv = _ufunc(sc.jv, (None, _jv_d), complex=True)
yn = _ufunc(sc.yn, (None, _yn_d))       # integer order n
yv = _ufunc(sc.yv, (None, _yv_d), complex=True)
iv = _ufunc(sc.iv, (None, _iv_d), complex=True)
kv = _ufunc(sc.kv, (None, _kv_d), complex=True)
ive = _ufunc(sc.ive, (None, _ive_jvp), (None, _ive_vjp), complex=True)
kve = _ufunc(sc.kve, (None, _kve_d), complex=True)
jve = _ufunc(sc.jve, *_imag_scaled(sc.jve), complex=True)
yve = _ufunc(sc.yve, *_imag_scaled(sc.yve), complex=True)


def _hankel1_d(t, ans, v, x):
    return t * (0.5 * (sc.hankel1(v - 1.0, x) - sc.hankel1(v + 1.0, x)))


def _hankel2_d(t, ans, v, x):
    return t * (0.5 * (sc.hankel2(v - 1.0, x) - sc.hankel2(v + 1.0, x)))


def _hankel1e_d(t, ans, v, x):   # hankel1e = hankel1 exp(-i x)
    return t * (0.5 * (sc.hankel1e(v - 1.0, x) - sc.hankel1e(v + 1.0, x)) - 1j * ans)


def _hankel2e_d(t, ans, v, x):   # hankel2e = hankel2 exp(i x)
    return t * (0.5 * (sc.hankel2e(v - 1.0, x) - sc.hankel2e(v + 1.0, x)) + 1j * ans)


hankel1 = _ufunc(sc.hankel1, (None, _hankel1_d), complex=True)
hankel2 = _ufunc(sc.hankel2, (None, _hankel2_d), complex=True)
hankel1e = _ufunc(sc.hankel1e, (None, _hankel1e_d), complex=True)
hankel2e = _ufunc(sc.hankel2e, (None, _hankel2e_d), complex=True)


def _j0_d(t, ans, x):
    return -t * sc.j1(x)


def _j1_d(t, ans, x):
    return t * (0.5 * (sc.j0(x) - sc.jv(2.0, x)))


def _y0_d(t, ans, x):
    return -t * sc.y1(x)


def _y1_d(t, ans, x):
    return t * (0.5 * (sc.y0(x) - sc.yv(2.0, x)))


def _i0_d(t, ans, x):
    return t * sc.i1(x)


def _i1_d(t, ans, x):
    return t * (0.5 * (sc.i0(x) + sc.iv(2.0, x)))


def _k0_d(t, ans, x):
    return -t * sc.k1(x)


def _k1_d(t, ans, x):
    return -t * (0.5 * (sc.k0(x) + sc.kv(2.0, x)))


def _i0e_d(t, ans, x):
    return t * (sc.i1e(x) - np.sign(x) * ans)


def _i1e_d(t, ans, x):
    return t * (0.5 * (sc.i0e(x) + sc.ive(2.0, x)) - np.sign(x) * ans)


def _k0e_d(t, ans, x):
    return t * (ans - sc.k1e(x))


def _k1e_d(t, ans, x):
    return t * (ans - 0.5 * (sc.k0e(x) + sc.kve(2.0, x)))


j0 = _ufunc(sc.j0, _j0_d)
j1 = _ufunc(sc.j1, _j1_d)
y0 = _ufunc(sc.y0, _y0_d)
y1 = _ufunc(sc.y1, _y1_d)
i0 = _ufunc(sc.i0, _i0_d)
i1 = _ufunc(sc.i1, _i1_d)
k0 = _ufunc(sc.k0, _k0_d)
k1 = _ufunc(sc.k1, _k1_d)
i0e = _ufunc(sc.i0e, _i0e_d)
i1e = _ufunc(sc.i1e, _i1e_d)
k0e = _ufunc(sc.k0e, _k0e_d)
k1e = _ufunc(sc.k1e, _k1e_d)


def _np_i0_function(x):
    return sc.i0(x)  # numpy's Python-level i0, same function as scipy's ufunc


function_impls[np.i0] = _np_i0_function
