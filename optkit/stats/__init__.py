"""Differentiable equivalents of ``scipy.stats`` distributions, with scipy's names.

``scipy.stats.norm.logpdf`` and friends convert their input with ``np.asarray``, which no
numpy protocol can intercept, so they cannot be traced. ``optkit.stats`` offers the same
calls, written as numpy code: ``stats.norm.logpdf(x, loc=0, scale=1)``,
``stats.gamma.cdf(x, a, loc=0, scale=1)``, ``stats.poisson.logpmf(k, mu)``,
``stats.multivariate_normal.logpdf(x, mean, cov)``. Parameters are named, ordered and
broadcast as in scipy, and values equal scipy's to rounding, on plain arrays and on traced
values alike; every parameter is differentiable except where a needed special function has no
derivative rule (a cumulative function in a shape parameter, a count), which is refused with
``NotDifferentiableError``.

Univariate distributions offer ``logpdf``/``pdf`` (``logpmf``/``pmf`` for discrete ones),
``logcdf``, ``cdf``, ``logsf`` and ``sf``. Frozen distributions (``norm(0, 1)``) are not
offered: pass the parameters to each call.
"""

from .continuous import beta, cauchy, chi2, expon, gamma, laplace, logistic, lognorm, norm, t
from .discrete import binom, nbinom, poisson
from .multivariate import dirichlet, multivariate_normal

__all__ = ["norm", "t", "gamma", "beta", "chi2", "expon", "lognorm", "laplace", "cauchy",
           "logistic", "poisson", "binom", "nbinom", "multivariate_normal", "dirichlet"]
