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
    """``poisson(mu)``: mass mu**k exp(-mu) / k!, k = 0, 1, ..."""

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
    """``binom(n, p)``: successes in n independent trials of probability p."""

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
    """``nbinom(n, p)``: failures before the n-th success, success probability p."""

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
