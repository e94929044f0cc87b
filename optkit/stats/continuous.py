"""Continuous distributions, each in standard form (``loc = 0``, ``scale = 1``).

Formulas are scipy.stats' own (its ``_logpdf``/``_cdf``/``_sf`` of each distribution), written
with numpy and the scipy.special ufuncs optkit has rules for, so that values agree with
scipy's to rounding and every derivative is available where the special function has one.
The cumulative functions of ``t``, ``gamma``, ``beta`` and ``chi2`` are regularized incomplete
beta/gamma functions, whose derivatives exist in the variable only (DLMF 8.8.13, 8.17.1): a
traced shape parameter there raises ``NotDifferentiableError``; their densities are
differentiable in every parameter.
"""

from __future__ import annotations

import numpy as np
from scipy import special as sc

from ._base import ContinuousDistribution, both

__all__ = ["norm", "t", "gamma", "beta", "chi2", "expon", "lognorm", "laplace", "cauchy",
           "logistic"]

_LOG_SQRT_2PI = 0.5 * np.log(2.0 * np.pi)


class NormalDistribution(ContinuousDistribution):
    """``norm``: the normal distribution, density exp(-z**2 / 2) / sqrt(2 pi).

    Each method, ``logpdf``, ``pdf``, ``logcdf``, ``cdf``, ``logsf`` and ``sf``, takes
    ``(x, loc=0, scale=1)`` as ``scipy.stats.norm``'s does (positionally or by keyword,
    broadcast together) and returns the same values.

    Parameters
    ----------
    x : array_like or traced value
        The points.
    loc : array_like or traced value, optional
        The location (default 0).
    scale : array_like or traced value, optional
        The scale, > 0 (default 1).

    Returns
    -------
    ndarray or traced value
        The values, broadcast; outside the support -inf, 0 or 1 as in scipy, NaN for an
        invalid parameter or a NaN ``x``. Differentiable in ``x`` and every parameter.

    Raises
    ------
    TypeError
        Too many parameters, an unknown keyword, or a missing shape parameter.

    Examples
    --------
    >>> import numpy as np, scipy.stats
    >>> from optkit import stats
    >>> ours = stats.norm.logpdf(0.5, loc=1.0, scale=2.0)
    >>> bool(np.isclose(ours, scipy.stats.norm.logpdf(0.5, loc=1.0, scale=2.0)))
    True
    >>> ours = stats.norm.cdf(0.5, loc=1.0, scale=2.0)
    >>> bool(np.isclose(ours, scipy.stats.norm.cdf(0.5, loc=1.0, scale=2.0)))
    True
    >>> import optkit
    >>> optkit.grad(lambda m: stats.norm.logpdf(1.0, loc=m))(0.0)  # (x - loc) / scale**2
    1.0
    """

    name = "norm"

    def _logpdf(self, z):
        return -0.5 * (z * z) - _LOG_SQRT_2PI

    def _cdf(self, z):
        return sc.ndtr(z)

    def _sf(self, z):
        return sc.ndtr(-z)

    def _logcdf(self, z):
        return sc.log_ndtr(z)

    def _logsf(self, z):
        return sc.log_ndtr(-z)


class StudentT(ContinuousDistribution):
    """``t(df)``: Student's t distribution (``df = inf`` is not supported).

    Each method, ``logpdf``, ``pdf``, ``logcdf``, ``cdf``, ``logsf`` and ``sf``, takes
    ``(x, df, loc=0, scale=1)`` as ``scipy.stats.t``'s does (positionally or by keyword,
    broadcast together) and returns the same values.

    Parameters
    ----------
    x : array_like or traced value
        The points.
    df : array_like or traced value
        Degrees of freedom, > 0 and finite.
    loc : array_like or traced value, optional
        The location (default 0).
    scale : array_like or traced value, optional
        The scale, > 0 (default 1).

    Returns
    -------
    ndarray or traced value
        The values, broadcast; outside the support -inf, 0 or 1 as in scipy, NaN for an
        invalid parameter or a NaN ``x``. Differentiable in ``x`` and every parameter, except
        the cumulative functions in ``df``.

    Raises
    ------
    TypeError
        Too many parameters, an unknown keyword, or a missing shape parameter.
    NotDifferentiableError
        ``logcdf``, ``cdf``, ``logsf`` or ``sf`` traced in a shape parameter (no rule
        for the incomplete beta/gamma function's derivative in it).

    Examples
    --------
    >>> import numpy as np, scipy.stats
    >>> from optkit import stats
    >>> ours = stats.t.logpdf(0.5, 3.0, scale=2.0)
    >>> bool(np.isclose(ours, scipy.stats.t.logpdf(0.5, 3.0, scale=2.0)))
    True
    >>> ours = stats.t.cdf(0.5, 3.0, scale=2.0)
    >>> bool(np.isclose(ours, scipy.stats.t.cdf(0.5, 3.0, scale=2.0)))
    True
    >>> import optkit
    >>> optkit.grad(lambda df: stats.t.cdf(1.5, df))(4.0)  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
        ...
    NotDifferentiableError: scipy.special.stdtr: the derivative in its first argument ...
    """

    name = "t"
    shapes = ("df",)
    safe_shapes = (1.0,)

    def _argcheck(self, df):
        return both(df > 0, np.isfinite(df))

    def _logpdf(self, z, df):
        return (np.log(sc.poch(0.5 * df, 0.5)) - 0.5 * (np.log(df) + np.log(np.pi))
                - 0.5 * (df + 1.0) * np.log1p(z * z / df))

    def _cdf(self, z, df):
        return sc.stdtr(df, z)

    def _sf(self, z, df):
        return sc.stdtr(df, -z)


class GammaDistribution(ContinuousDistribution):
    """``gamma(a)``: density z**(a-1) exp(-z) / Gamma(a) on z >= 0.

    Each method, ``logpdf``, ``pdf``, ``logcdf``, ``cdf``, ``logsf`` and ``sf``, takes
    ``(x, a, loc=0, scale=1)`` as ``scipy.stats.gamma``'s does (positionally or by keyword,
    broadcast together) and returns the same values.

    Parameters
    ----------
    x : array_like or traced value
        The points.
    a : array_like or traced value
        The shape, > 0.
    loc : array_like or traced value, optional
        The location (default 0).
    scale : array_like or traced value, optional
        The scale, > 0 (default 1).

    Returns
    -------
    ndarray or traced value
        The values, broadcast; outside the support -inf, 0 or 1 as in scipy, NaN for an
        invalid parameter or a NaN ``x``. Differentiable in ``x`` and every parameter, except
        the cumulative functions in ``a``.

    Raises
    ------
    TypeError
        Too many parameters, an unknown keyword, or a missing shape parameter.
    NotDifferentiableError
        ``logcdf``, ``cdf``, ``logsf`` or ``sf`` traced in a shape parameter (no rule
        for the incomplete beta/gamma function's derivative in it).

    Examples
    --------
    >>> import numpy as np, scipy.stats
    >>> from optkit import stats
    >>> ours = stats.gamma.logpdf(2.0, 3.0, scale=0.5)
    >>> bool(np.isclose(ours, scipy.stats.gamma.logpdf(2.0, 3.0, scale=0.5)))
    True
    >>> ours = stats.gamma.cdf(2.0, 3.0, scale=0.5)
    >>> bool(np.isclose(ours, scipy.stats.gamma.cdf(2.0, 3.0, scale=0.5)))
    True
    >>> import optkit
    >>> from scipy.special import digamma
    >>> g = optkit.grad(lambda a: stats.gamma.logpdf(2.0, a))(3.0)  # log x - digamma(a)
    >>> bool(np.isclose(g, np.log(2.0) - digamma(3.0)))
    True
    """

    name = "gamma"
    shapes = ("a",)
    safe_shapes = (1.0,)
    inner = 1.0

    def _argcheck(self, a):
        return a > 0

    def _support(self, a):
        return 0.0, np.inf

    def _logpdf(self, z, a):
        return sc.xlogy(a - 1.0, z) - z - sc.gammaln(a)

    def _cdf(self, z, a):
        return sc.gammainc(a, z)

    def _sf(self, z, a):
        return sc.gammaincc(a, z)


class BetaDistribution(ContinuousDistribution):
    """``beta(a, b)``: density z**(a-1) (1-z)**(b-1) / B(a, b) on [0, 1].

    Each method, ``logpdf``, ``pdf``, ``logcdf``, ``cdf``, ``logsf`` and ``sf``, takes
    ``(x, a, b, loc=0, scale=1)`` as ``scipy.stats.beta``'s does (positionally or by keyword,
    broadcast together) and returns the same values.

    Parameters
    ----------
    x : array_like or traced value
        The points.
    a : array_like or traced value
        The first shape, > 0.
    b : array_like or traced value
        The second shape, > 0.
    loc : array_like or traced value, optional
        The location (default 0).
    scale : array_like or traced value, optional
        The scale, > 0 (default 1).

    Returns
    -------
    ndarray or traced value
        The values, broadcast; outside the support -inf, 0 or 1 as in scipy, NaN for an
        invalid parameter or a NaN ``x``. Differentiable in ``x`` and every parameter, except
        the cumulative functions in ``a`` and ``b``.

    Raises
    ------
    TypeError
        Too many parameters, an unknown keyword, or a missing shape parameter.
    NotDifferentiableError
        ``logcdf``, ``cdf``, ``logsf`` or ``sf`` traced in a shape parameter (no rule
        for the incomplete beta/gamma function's derivative in it).

    Examples
    --------
    >>> import numpy as np, scipy.stats
    >>> from optkit import stats
    >>> ours = stats.beta.logpdf(0.3, 2.0, 5.0)
    >>> bool(np.isclose(ours, scipy.stats.beta.logpdf(0.3, 2.0, 5.0)))
    True
    >>> ours = stats.beta.cdf(0.3, 2.0, 5.0)
    >>> bool(np.isclose(ours, scipy.stats.beta.cdf(0.3, 2.0, 5.0)))
    True
    """

    name = "beta"
    shapes = ("a", "b")
    safe_shapes = (1.0, 1.0)
    inner = 0.5

    def _argcheck(self, a, b):
        return both(a > 0, b > 0)

    def _support(self, a, b):
        return 0.0, 1.0

    def _logpdf(self, z, a, b):
        return sc.xlog1py(b - 1.0, -z) + sc.xlogy(a - 1.0, z) - sc.betaln(a, b)

    def _cdf(self, z, a, b):
        return sc.betainc(a, b, z)

    def _sf(self, z, a, b):
        return sc.betaincc(a, b, z)


class ChiSquared(ContinuousDistribution):
    """``chi2(df)``: the gamma distribution with shape df/2 and scale 2.

    Each method, ``logpdf``, ``pdf``, ``logcdf``, ``cdf``, ``logsf`` and ``sf``, takes
    ``(x, df, loc=0, scale=1)`` as ``scipy.stats.chi2``'s does (positionally or by keyword,
    broadcast together) and returns the same values.

    Parameters
    ----------
    x : array_like or traced value
        The points.
    df : array_like or traced value
        Degrees of freedom, > 0.
    loc : array_like or traced value, optional
        The location (default 0).
    scale : array_like or traced value, optional
        The scale, > 0 (default 1).

    Returns
    -------
    ndarray or traced value
        The values, broadcast; outside the support -inf, 0 or 1 as in scipy, NaN for an
        invalid parameter or a NaN ``x``. Differentiable in ``x`` and every parameter, except
        the cumulative functions in ``df``.

    Raises
    ------
    TypeError
        Too many parameters, an unknown keyword, or a missing shape parameter.
    NotDifferentiableError
        ``logcdf``, ``cdf``, ``logsf`` or ``sf`` traced in a shape parameter (no rule
        for the incomplete beta/gamma function's derivative in it).

    Examples
    --------
    >>> import numpy as np, scipy.stats
    >>> from optkit import stats
    >>> ours = stats.chi2.logpdf(1.5, 4.0)
    >>> bool(np.isclose(ours, scipy.stats.chi2.logpdf(1.5, 4.0)))
    True
    >>> ours = stats.chi2.cdf(1.5, 4.0)
    >>> bool(np.isclose(ours, scipy.stats.chi2.cdf(1.5, 4.0)))
    True
    """

    name = "chi2"
    shapes = ("df",)
    safe_shapes = (1.0,)
    inner = 1.0

    def _argcheck(self, df):
        return df > 0

    def _support(self, df):
        return 0.0, np.inf

    def _logpdf(self, z, df):
        return (sc.xlogy(0.5 * df - 1.0, z) - 0.5 * z - sc.gammaln(0.5 * df)
                - (0.5 * np.log(2.0)) * df)

    def _cdf(self, z, df):
        return sc.chdtr(df, z)

    def _sf(self, z, df):
        return sc.chdtrc(df, z)


class Exponential(ContinuousDistribution):
    """``expon``: density exp(-z) on z >= 0.

    Each method, ``logpdf``, ``pdf``, ``logcdf``, ``cdf``, ``logsf`` and ``sf``, takes
    ``(x, loc=0, scale=1)`` as ``scipy.stats.expon``'s does (positionally or by keyword,
    broadcast together) and returns the same values.

    Parameters
    ----------
    x : array_like or traced value
        The points.
    loc : array_like or traced value, optional
        The location (default 0).
    scale : array_like or traced value, optional
        The scale, > 0 (default 1).

    Returns
    -------
    ndarray or traced value
        The values, broadcast; outside the support -inf, 0 or 1 as in scipy, NaN for an
        invalid parameter or a NaN ``x``. Differentiable in ``x`` and every parameter.

    Raises
    ------
    TypeError
        Too many parameters, an unknown keyword, or a missing shape parameter.

    Examples
    --------
    >>> import numpy as np, scipy.stats
    >>> from optkit import stats
    >>> ours = stats.expon.logpdf(1.5, scale=2.0)
    >>> bool(np.isclose(ours, scipy.stats.expon.logpdf(1.5, scale=2.0)))
    True
    >>> ours = stats.expon.cdf(1.5, scale=2.0)
    >>> bool(np.isclose(ours, scipy.stats.expon.cdf(1.5, scale=2.0)))
    True
    """

    name = "expon"
    inner = 1.0

    def _support(self):
        return 0.0, np.inf

    def _logpdf(self, z):
        return -z

    def _cdf(self, z):
        return -sc.expm1(-z)

    def _sf(self, z):
        return np.exp(-z)

    def _logsf(self, z):
        return -z


class LogNormal(ContinuousDistribution):
    """``lognorm(s)``: log(z) is normal with standard deviation s; z > 0.

    Each method, ``logpdf``, ``pdf``, ``logcdf``, ``cdf``, ``logsf`` and ``sf``, takes
    ``(x, s, loc=0, scale=1)`` as ``scipy.stats.lognorm``'s does (positionally or by keyword,
    broadcast together) and returns the same values.

    Parameters
    ----------
    x : array_like or traced value
        The points.
    s : array_like or traced value
        The standard deviation of log(z), > 0.
    loc : array_like or traced value, optional
        The location (default 0).
    scale : array_like or traced value, optional
        The scale, > 0 (default 1).

    Returns
    -------
    ndarray or traced value
        The values, broadcast; outside the support -inf, 0 or 1 as in scipy, NaN for an
        invalid parameter or a NaN ``x``. Differentiable in ``x`` and every parameter.

    Raises
    ------
    TypeError
        Too many parameters, an unknown keyword, or a missing shape parameter.

    Examples
    --------
    >>> import numpy as np, scipy.stats
    >>> from optkit import stats
    >>> ours = stats.lognorm.logpdf(1.5, 0.5)
    >>> bool(np.isclose(ours, scipy.stats.lognorm.logpdf(1.5, 0.5)))
    True
    >>> ours = stats.lognorm.cdf(1.5, 0.5)
    >>> bool(np.isclose(ours, scipy.stats.lognorm.cdf(1.5, 0.5)))
    True
    """

    name = "lognorm"
    shapes = ("s",)
    safe_shapes = (1.0,)
    inner = 1.0

    def _argcheck(self, s):
        return s > 0

    def _support(self, s):
        return 0.0, np.inf

    def _logpdf(self, z, s):
        # 0 is in the support, where the density is 0: log of a safe point there, then -inf
        zero = z == 0
        zs = np.where(zero, 1.0, z)
        out = -np.log(zs) ** 2 / (2.0 * s * s) - np.log(s * zs * np.sqrt(2.0 * np.pi))
        return np.where(zero, -np.inf, out)

    def _cdf(self, z, s):
        return self._standard(z, s, sc.ndtr, 0.0)

    def _sf(self, z, s):
        return self._standard(z, s, lambda u: sc.ndtr(-u), 1.0)

    def _logcdf(self, z, s):
        return self._standard(z, s, sc.log_ndtr, -np.inf)

    def _logsf(self, z, s):
        return self._standard(z, s, lambda u: sc.log_ndtr(-u), 0.0)

    @staticmethod
    def _standard(z, s, f, at_zero):
        """``f(log(z) / s)``, with its limit ``at_zero`` at z = 0."""
        zero = z == 0
        return np.where(zero, at_zero, f(np.log(np.where(zero, 1.0, z)) / s))


class Laplace(ContinuousDistribution):
    """``laplace``: density exp(-|z|) / 2.

    Each method, ``logpdf``, ``pdf``, ``logcdf``, ``cdf``, ``logsf`` and ``sf``, takes
    ``(x, loc=0, scale=1)`` as ``scipy.stats.laplace``'s does (positionally or by keyword,
    broadcast together) and returns the same values.

    Parameters
    ----------
    x : array_like or traced value
        The points.
    loc : array_like or traced value, optional
        The location (default 0).
    scale : array_like or traced value, optional
        The scale, > 0 (default 1).

    Returns
    -------
    ndarray or traced value
        The values, broadcast; outside the support -inf, 0 or 1 as in scipy, NaN for an
        invalid parameter or a NaN ``x``. Differentiable in ``x`` and every parameter.

    Raises
    ------
    TypeError
        Too many parameters, an unknown keyword, or a missing shape parameter.

    Examples
    --------
    >>> import numpy as np, scipy.stats
    >>> from optkit import stats
    >>> ours = stats.laplace.logpdf(0.5, loc=1.0)
    >>> bool(np.isclose(ours, scipy.stats.laplace.logpdf(0.5, loc=1.0)))
    True
    >>> ours = stats.laplace.cdf(0.5, loc=1.0)
    >>> bool(np.isclose(ours, scipy.stats.laplace.cdf(0.5, loc=1.0)))
    True
    """

    name = "laplace"

    def _logpdf(self, z):
        return -np.abs(z) - np.log(2.0)

    def _cdf(self, z):
        pos = z > 0
        return np.where(pos, 1.0 - 0.5 * np.exp(-np.where(pos, z, 0.0)),
                        0.5 * np.exp(np.where(pos, 0.0, z)))

    def _sf(self, z):
        return self._cdf(-z)


class Cauchy(ContinuousDistribution):
    """``cauchy``: density 1 / (pi (1 + z**2)).

    Each method, ``logpdf``, ``pdf``, ``logcdf``, ``cdf``, ``logsf`` and ``sf``, takes
    ``(x, loc=0, scale=1)`` as ``scipy.stats.cauchy``'s does (positionally or by keyword,
    broadcast together) and returns the same values.

    Parameters
    ----------
    x : array_like or traced value
        The points.
    loc : array_like or traced value, optional
        The location (default 0).
    scale : array_like or traced value, optional
        The scale, > 0 (default 1).

    Returns
    -------
    ndarray or traced value
        The values, broadcast; outside the support -inf, 0 or 1 as in scipy, NaN for an
        invalid parameter or a NaN ``x``. Differentiable in ``x`` and every parameter.

    Raises
    ------
    TypeError
        Too many parameters, an unknown keyword, or a missing shape parameter.

    Examples
    --------
    >>> import numpy as np, scipy.stats
    >>> from optkit import stats
    >>> ours = stats.cauchy.logpdf(0.5, scale=2.0)
    >>> bool(np.isclose(ours, scipy.stats.cauchy.logpdf(0.5, scale=2.0)))
    True
    >>> ours = stats.cauchy.cdf(0.5, scale=2.0)
    >>> bool(np.isclose(ours, scipy.stats.cauchy.cdf(0.5, scale=2.0)))
    True
    """

    name = "cauchy"

    def _logpdf(self, z):
        return -np.log(np.pi) - np.log1p(z * z)

    def _cdf(self, z):
        return np.arctan2(1.0, -z) / np.pi

    def _sf(self, z):
        return np.arctan2(1.0, z) / np.pi


class Logistic(ContinuousDistribution):
    """``logistic``: density exp(-z) / (1 + exp(-z))**2.

    Each method, ``logpdf``, ``pdf``, ``logcdf``, ``cdf``, ``logsf`` and ``sf``, takes
    ``(x, loc=0, scale=1)`` as ``scipy.stats.logistic``'s does (positionally or by keyword,
    broadcast together) and returns the same values.

    Parameters
    ----------
    x : array_like or traced value
        The points.
    loc : array_like or traced value, optional
        The location (default 0).
    scale : array_like or traced value, optional
        The scale, > 0 (default 1).

    Returns
    -------
    ndarray or traced value
        The values, broadcast; outside the support -inf, 0 or 1 as in scipy, NaN for an
        invalid parameter or a NaN ``x``. Differentiable in ``x`` and every parameter.

    Raises
    ------
    TypeError
        Too many parameters, an unknown keyword, or a missing shape parameter.

    Examples
    --------
    >>> import numpy as np, scipy.stats
    >>> from optkit import stats
    >>> ours = stats.logistic.logpdf(0.5, scale=2.0)
    >>> bool(np.isclose(ours, scipy.stats.logistic.logpdf(0.5, scale=2.0)))
    True
    >>> ours = stats.logistic.cdf(0.5, scale=2.0)
    >>> bool(np.isclose(ours, scipy.stats.logistic.cdf(0.5, scale=2.0)))
    True
    """

    name = "logistic"

    def _logpdf(self, z):
        y = -np.abs(z)
        return y - 2.0 * sc.log1p(np.exp(y))

    def _cdf(self, z):
        return sc.expit(z)

    def _sf(self, z):
        return sc.expit(-z)

    def _logcdf(self, z):
        return sc.log_expit(z)

    def _logsf(self, z):
        return sc.log_expit(-z)


norm = NormalDistribution()
t = StudentT()
gamma = GammaDistribution()
beta = BetaDistribution()
chi2 = ChiSquared()
expon = Exponential()
lognorm = LogNormal()
laplace = Laplace()
cauchy = Cauchy()
logistic = Logistic()
