"""scipy.special ufuncs: each is registered under the scipy ufunc object itself, so a user's
``special.expit(x)`` on a traced ``x`` dispatches here through ``__array_ufunc__``. This module
holds the logistic, error, gamma, incomplete gamma/beta, distribution and entropy families and
the helpers (``register``, ``refused``) that its siblings ``bessel`` and ``hypergeometric`` use.

Derivatives: DLMF (NIST Digital Library of Mathematical Functions) 7.2 and 7.10 (erf family,
Faddeeva and Dawson), 5.15 (digamma, polygamma), 5.2 (gamma), 5.12 (beta), 8.8.13
(regularized incomplete gamma in its second argument), 8.17.1 (regularized incomplete beta in
x), 6.2 (exponential integrals), 25.12 (dilogarithm); the logistic, normal-distribution and
entropy identities are elementary. ``polygamma`` is a Python-level function in SciPy (it calls
``np.asarray``), so the primitive here takes the order ``n`` as a keyword and is exposed as
``optkit.special.polygamma``.

Complex values: a function whose SciPy ufunc accepts complex input and is holomorphic there
is declared ``complex=True``; its rule ``t * f'(z)`` is then both the JVP and the VJP (JAX's
convention, see ``vspace``: the VJP is the transpose for ``Re(sum(a * b))``, no conjugate).
The derivatives are the same analytic formulas, evaluated by SciPy at complex arguments; the
second derivative of the gamma family needs ``polygamma`` at complex ``z``, which SciPy lacks
and ``polygamma_complex`` computes. Functions SciPy defines for real arguments only (expit,
logit, gammaln, the incomplete gamma and beta functions, ...) keep real-only rules and refuse
a complex value, naming themselves.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special as sc

from ..core import ZERO, NotDifferentiableError, primitive, ufunc_primitives

_TWO_OVER_SQRT_PI = 2.0 / np.sqrt(np.pi)
_SQRT_PI_OVER_TWO = np.sqrt(np.pi) / 2.0
_INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)
_SQRT_2PI = np.sqrt(2.0 * np.pi)


def register(ufunc, jvp, vjp=None, *, complex=False):
    """Register the scipy ufunc ``ufunc`` as a primitive with these rules (``vjp`` defaults to
    ``jvp``, right for a real or holomorphic function); ``complex=True`` declares the rules
    valid at complex arguments (JAX's conventions, ``vspace``)."""
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


expit = register(sc.expit, _expit_d)
logit = register(sc.logit, _logit_d)
log_expit = register(sc.log_expit, _log_expit_d)


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


erf = register(sc.erf, _erf_d, complex=True)
erfc = register(sc.erfc, _erfc_d, complex=True)
erfcx = register(sc.erfcx, _erfcx_d, complex=True)
erfinv = register(sc.erfinv, _erfinv_d)
erfcinv = register(sc.erfcinv, _erfcinv_d)
ndtr = register(sc.ndtr, _ndtr_d, complex=True)
log_ndtr = register(sc.log_ndtr, _log_ndtr_d, complex=True)
ndtri = register(sc.ndtri, _ndtri_d)


# ---- gamma family -----------------------------------------------------------------------------
# Bernoulli numbers B_2, B_4, ..., B_20 for the asymptotic series of the polygamma functions
_BERNOULLI_EVEN = sc.bernoulli(20)[2::2]
_ASYMPTOTIC_FROM = 20.0     # the series is summed at Re(w) >= 20, where its 10 terms reach 1e-17
_REFLECT_BELOW = -100.0     # further left, reflect rather than recur (at most 120 passes)


def _polygamma_right(z, n):
    """psi^(n)(z), n >= 1, for ``z`` a complex array: the recurrence psi^(n)(z) =
    psi^(n)(z + 1) + (-1)^(n+1) n! / z^(n+1) (DLMF 5.15.5) moves each point to ``w = z + m``
    with ``Re w >= 20`` (one pass per unit of ``20 - Re z``), where the asymptotic expansion (DLMF
    5.15.8) ``(-1)^(n-1) [(n-1)!/w^n + n!/(2 w^(n+1)) + sum_k B_2k (2k+n-1)!/((2k)! w^(2k+n))]``
    is summed to ten terms."""
    shift = np.maximum(0.0, np.ceil(_ASYMPTOTIC_FROM - z.real))
    w = z.copy()
    head = np.zeros_like(w)
    for k in range(int(shift.max(initial=0.0))):
        moving = shift > k
        head[moving] += w[moving] ** -(n + 1)
        w[moving] += 1.0
    tail = math.factorial(n - 1) / w**n + math.factorial(n) / (2.0 * w ** (n + 1))
    for k, b in enumerate(_BERNOULLI_EVEN, start=1):
        tail = tail + b * (math.factorial(2 * k + n - 1) / math.factorial(2 * k)) \
            / w ** (2 * k + n)
    sign = -1.0 if n % 2 == 0 else 1.0      # (-1)^(n+1) == (-1)^(n-1)
    return sign * (math.factorial(n) * head + tail)


def _cot_derivative(c, n):
    """d^n cot(u) / du^n as a polynomial in c = cot(u): P_0 = c, P_(k+1) = -(1 + c^2) P_k'."""
    poly = np.polynomial.Polynomial([0.0, 1.0])
    for _ in range(n):
        poly = -np.polynomial.Polynomial([1.0, 0.0, 1.0]) * poly.deriv()
    return poly(c)


def polygamma_complex(z, n):
    """psi^(n)(z) for complex ``z`` and an order ``n >= 1`` (SciPy's polygamma is real-only).

    For ``Re z >= -100``, the recurrence and the asymptotic expansion of ``_polygamma_right``
    (relative error ~1e-14 away from the poles); further left, the reflection formula
    psi^(n)(z) = (-1)^n psi^(n)(1 - z) - pi d^n/dz^n cot(pi z) (DLMF 5.15.6), so the cost does
    not grow with ``|Re z|`` (there the rounding of ``pi z`` limits the accuracy, to ~1e-9 at
    ``Re z = -1e6``). Poles (z = 0, -1, -2, ...) give infinities or NaN.
    """
    z = np.asarray(z, dtype=np.complex128)
    shape, z = z.shape, z.reshape(-1)
    left = z.real < _REFLECT_BELOW
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = _polygamma_right(np.where(left, 1.0 - z, z), n)
        if left.any():
            zl = z[left]
            cot = np.cos(np.pi * zl) / np.sin(np.pi * zl)
            out[left] = ((-1.0) ** n * out[left]
                         - np.pi ** (n + 1) * _cot_derivative(cot, n))
    out = out.reshape(shape)
    return out if out.ndim else out[()]


def _polygamma_impl(x, n):
    if n == 0:
        return sc.digamma(x)
    if np.iscomplexobj(x):
        return polygamma_complex(x, n)
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


gammaln = register(sc.gammaln, _gammaln_d)
digamma = register(sc.digamma, _digamma_d, complex=True)   # scipy.special.psi: the same ufunc
gamma = register(sc.gamma, _gamma_d, complex=True)


def _betaln_d0(t, ans, a, b):
    return t * (sc.digamma(a) - sc.digamma(a + b))


def _betaln_d1(t, ans, a, b):
    return t * (sc.digamma(b) - sc.digamma(a + b))


def _beta_d0(t, ans, a, b):
    return t * (ans * (sc.digamma(a) - sc.digamma(a + b)))


def _beta_d1(t, ans, a, b):
    return t * (ans * (sc.digamma(b) - sc.digamma(a + b)))


betaln = register(sc.betaln, (_betaln_d0, _betaln_d1))
beta = register(sc.beta, (_beta_d0, _beta_d1))


def _rgamma_d(t, ans, x):
    return -t * (ans * sc.digamma(x))     # rgamma = 1 / gamma


rgamma = register(sc.rgamma, _rgamma_d, complex=True)
gammasgn = register(sc.gammasgn, ZERO)   # piecewise constant: derivative 0 away from the poles


def _loggamma_d(t, ans, x):
    return t * sc.digamma(x)     # psi = Gamma' / Gamma (DLMF 5.2.2), on every branch


loggamma = register(sc.loggamma, _loggamma_d, complex=True)


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


erfi = register(sc.erfi, _erfi_d, complex=True)
dawsn = register(sc.dawsn, _dawsn_d, complex=True)
wofz = register(sc.wofz, _wofz_d, complex=True)
exp1 = register(sc.exp1, _exp1_d, complex=True)
expi = register(sc.expi, _expi_d, complex=True)
spence = register(sc.spence, _spence_d, complex=True)
wrightomega = register(sc.wrightomega, _wrightomega_d, complex=True)


# ---- regularized incomplete gamma and beta: derivatives in the integration limit only ----
def refused(name, arg, what):
    """A rule refusing the derivative of ``scipy.special.name`` in its ``arg`` argument
    (``"first"``, ...), which is ``what``; the last argument's derivative is supported."""
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


_refuse_a = refused("gammainc", "first", "the shape a")
gammainc = register(sc.gammainc, (_refuse_a, _gammainc_d1))
gammaincc = register(sc.gammaincc, (refused("gammaincc", "first", "the shape a"),
                                    _gammaincc_d1))
betainc = register(sc.betainc, (refused("betainc", "first", "the shape a"),
                                refused("betainc", "second", "the shape b"),
                                _betainc_d2))

betaincc = register(sc.betaincc, (refused("betaincc", "first", "the shape a"),
                                  refused("betaincc", "second", "the shape b"),
                                  lambda t, ans, a, b, x: -_betainc_d2(t, ans, a, b, x)))


# ---- distribution functions scipy.stats is built on: derivatives in the variable only ------
def _poch_d0(t, ans, z, m):
    return t * (ans * (sc.digamma(z + m) - sc.digamma(z)))


def _poch_d1(t, ans, z, m):
    return t * (ans * sc.digamma(z + m))


poch = register(sc.poch, (_poch_d0, _poch_d1))    # Gamma(z + m) / Gamma(z)


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


stdtr = register(sc.stdtr, (refused("stdtr", "first", "the degrees of freedom"),
                            _stdtr_d1))
chdtr = register(sc.chdtr, (refused("chdtr", "first", "the degrees of freedom"),
                            lambda t, ans, v, x: t * _chdtr_density(v, x)))
chdtrc = register(sc.chdtrc, (refused("chdtrc", "first", "the degrees of freedom"),
                              lambda t, ans, v, x: -t * _chdtr_density(v, x)))
pdtr = register(sc.pdtr, (None, lambda t, ans, k, m: -t * _poisson_mass(k, m)))
pdtrc = register(sc.pdtrc, (None, lambda t, ans, k, m: t * _poisson_mass(k, m)))
bdtr = register(sc.bdtr, (None, refused("bdtr", "second", "the number of trials n"),
                          _bdtr_d2))
bdtrc = register(sc.bdtrc, (None, refused("bdtrc", "second", "the number of trials n"),
                            lambda t, ans, k, n, p: -_bdtr_d2(t, ans, k, n, p)))
nbdtr = register(sc.nbdtr, (None, refused("nbdtr", "second", "the number of successes n"),
                            _nbdtr_d2))
nbdtrc = register(sc.nbdtrc, (None, refused("nbdtrc", "second", "the number of successes n"),
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


log1p = register(sc.log1p, _log1p_d, complex=True)
expm1 = register(sc.expm1, _expm1_d, complex=True)
exp2 = register(sc.exp2, _exp2_d)
exp10 = register(sc.exp10, _exp10_d)
cbrt = register(sc.cbrt, _cbrt_d)
cosm1 = register(sc.cosm1, _cosm1_d)


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


xlogy = register(sc.xlogy, (_xlogy_d0, _xlogy_d1), complex=True)
xlog1py = register(sc.xlog1py, (_xlog1py_d0, _xlog1py_d1), complex=True)
entr = register(sc.entr, _entr_d)
rel_entr = register(sc.rel_entr, (_rel_entr_d0, _rel_entr_d1))
kl_div = register(sc.kl_div, (_kl_div_d0, _kl_div_d1))
