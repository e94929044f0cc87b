"""Discrete distributions on the integers, in standard form (``loc = 0``).

Mass functions are scipy.stats' formulas (gammaln/xlogy); cumulative functions are the
regularized incomplete gamma/beta functions (``pdtr``, and ``betainc`` in the forms of
``bdtr`` and ``nbdtr``, which take a real-valued ``n``), differentiable in the probability or
rate (DLMF 8.8.13, 8.17.1) and not in a count parameter (``n``), which raises
``NotDifferentiableError`` when traced.
"""

from __future__ import annotations

import numpy as np
from scipy import special as sc

from ._base import DiscreteDistribution, both

__all__ = ["poisson", "binom", "nbinom"]


class Poisson(DiscreteDistribution):
    """``poisson(mu)``: mass mu**k exp(-mu) / k!, k = 0, 1, ...

    Each method, ``logpmf``, ``pmf``, ``logcdf``, ``cdf``, ``logsf`` and ``sf``, takes
    ``(k, mu, loc=0)`` as ``scipy.stats.poisson``'s does (positionally or by keyword,
    broadcast together) and returns the same values.

    Parameters
    ----------
    k : array_like
        The counts (constants: a count is not differentiable).
    mu : array_like or traced value
        The mean, >= 0.
    loc : array_like, optional
        The shift (default 0), a constant.

    Returns
    -------
    ndarray or traced value
        The values, broadcast; ``logpmf`` is -inf off the integers of the support, NaN
        for an invalid parameter or a NaN ``k``. Differentiable in ``mu``.

    Raises
    ------
    TypeError
        Too many parameters, an unknown keyword, or a missing shape parameter.
    NotDifferentiableError
        ``k`` or ``loc`` is traced.

    Examples
    --------
    >>> import numpy as np, scipy.stats
    >>> from optkit import stats
    >>> ours = stats.poisson.logpmf(3, 2.0)
    >>> bool(np.isclose(ours, scipy.stats.poisson.logpmf(3, 2.0)))
    True
    >>> ours = stats.poisson.cdf(3, 2.0)
    >>> bool(np.isclose(ours, scipy.stats.poisson.cdf(3, 2.0)))
    True
    >>> import optkit
    >>> optkit.grad(lambda mu: stats.poisson.logpmf(3, mu))(2.0)  # k / mu - 1
    0.5
    """

    name = "poisson"
    shapes = ("mu",)
    safe_shapes = (1.0,)

    def _argcheck(self, mu):
        return mu >= 0

    def _support(self, mu):
        return 0.0, np.inf

    def _logpmf(self, k, mu):
        return sc.xlogy(k, mu) - sc.gammaln(k + 1.0) - mu

    def _cdf(self, k, mu):
        return sc.pdtr(k, mu)

    def _sf(self, k, mu):
        return sc.pdtrc(k, mu)


class Binomial(DiscreteDistribution):
    """``binom(n, p)``: successes in n independent trials of probability p.

    Each method, ``logpmf``, ``pmf``, ``logcdf``, ``cdf``, ``logsf`` and ``sf``, takes
    ``(k, n, p, loc=0)`` as ``scipy.stats.binom``'s does (positionally or by keyword,
    broadcast together) and returns the same values.

    Parameters
    ----------
    k : array_like
        The counts (constants: a count is not differentiable).
    n : array_like or traced value
        The number of trials, a non-negative integer (as a float or int).
    p : array_like or traced value
        The success probability, in [0, 1].
    loc : array_like, optional
        The shift (default 0), a constant.

    Returns
    -------
    ndarray or traced value
        The values, broadcast; ``logpmf`` is -inf off the integers of the support, NaN
        for an invalid parameter or a NaN ``k``. Differentiable in ``p``,
        and in ``n`` for ``logpmf``/``pmf`` only.

    Raises
    ------
    TypeError
        Too many parameters, an unknown keyword, or a missing shape parameter.
    NotDifferentiableError
        ``k`` or ``loc`` is traced, or ``n`` in a cumulative function.

    Examples
    --------
    >>> import numpy as np, scipy.stats
    >>> from optkit import stats
    >>> ours = stats.binom.logpmf(3, 10, 0.4)
    >>> bool(np.isclose(ours, scipy.stats.binom.logpmf(3, 10, 0.4)))
    True
    >>> ours = stats.binom.cdf(3, 10, 0.4)
    >>> bool(np.isclose(ours, scipy.stats.binom.cdf(3, 10, 0.4)))
    True
    """

    name = "binom"
    shapes = ("n", "p")
    safe_shapes = (1.0, 0.5)

    def _argcheck(self, n, p):
        return both(n >= 0, n == np.floor(n), p >= 0, p <= 1)

    def _support(self, n, p):
        return 0.0, n

    def _logpmf(self, k, n, p):
        combiln = sc.gammaln(n + 1.0) - (sc.gammaln(k + 1.0) + sc.gammaln(n - k + 1.0))
        return combiln + sc.xlogy(k, p) + sc.xlog1py(n - k, -p)

    def _cdf(self, k, n, p):
        return sc.betainc(n - k, k + 1.0, 1.0 - p)     # bdtr, for a real-valued n

    def _sf(self, k, n, p):
        return sc.betainc(k + 1.0, n - k, p)


class NegativeBinomial(DiscreteDistribution):
    """``nbinom(n, p)``: failures before the n-th success, success probability p.

    Each method, ``logpmf``, ``pmf``, ``logcdf``, ``cdf``, ``logsf`` and ``sf``, takes
    ``(k, n, p, loc=0)`` as ``scipy.stats.nbinom``'s does (positionally or by keyword,
    broadcast together) and returns the same values.

    Parameters
    ----------
    k : array_like
        The counts (constants: a count is not differentiable).
    n : array_like or traced value
        The number of successes, > 0 (real values allowed, as scipy).
    p : array_like or traced value
        The success probability, in (0, 1].
    loc : array_like, optional
        The shift (default 0), a constant.

    Returns
    -------
    ndarray or traced value
        The values, broadcast; ``logpmf`` is -inf off the integers of the support, NaN
        for an invalid parameter or a NaN ``k``. Differentiable in ``p``,
        and in ``n`` for ``logpmf``/``pmf`` only.

    Raises
    ------
    TypeError
        Too many parameters, an unknown keyword, or a missing shape parameter.
    NotDifferentiableError
        ``k`` or ``loc`` is traced, or ``n`` in a cumulative function.

    Examples
    --------
    >>> import numpy as np, scipy.stats
    >>> from optkit import stats
    >>> ours = stats.nbinom.logpmf(3, 2.5, 0.4)
    >>> bool(np.isclose(ours, scipy.stats.nbinom.logpmf(3, 2.5, 0.4)))
    True
    >>> ours = stats.nbinom.cdf(3, 2.5, 0.4)
    >>> bool(np.isclose(ours, scipy.stats.nbinom.cdf(3, 2.5, 0.4)))
    True
    """

    name = "nbinom"
    shapes = ("n", "p")
    safe_shapes = (1.0, 0.5)

    def _argcheck(self, n, p):
        return both(n > 0, p > 0, p <= 1)

    def _support(self, n, p):
        return 0.0, np.inf

    def _logpmf(self, k, n, p):
        coeff = sc.gammaln(n + k) - sc.gammaln(k + 1.0) - sc.gammaln(n)
        return coeff + n * np.log(p) + sc.xlog1py(k, -p)

    def _cdf(self, k, n, p):
        return sc.betainc(n, k + 1.0, p)               # nbdtr, for a real-valued n

    def _sf(self, k, n, p):
        return sc.betaincc(n, k + 1.0, p)


poisson = Poisson()
binom = Binomial()
nbinom = NegativeBinomial()
