"""Multivariate distributions: the normal (through a Cholesky factor) and the Dirichlet.

``multivariate_normal.logpdf(x, mean, cov)`` is
``-(d log(2 pi) + log det cov + |L^{-1} (x - mean)|^2) / 2`` with ``cov = L L^T``, one
Cholesky factorization and one triangular solve, differentiable in ``x``, ``mean`` and ``cov``
(the covariance's derivative is that of its lower triangle, as ``np.linalg.cholesky`` reads
it; symmetrize a parametrized covariance to get the symmetric gradient). Inputs are shaped as
scipy's: ``x`` (..., d), a scalar or 1-D ``cov`` meaning a multiple of the identity or a
diagonal, and the result squeezed like scipy's.
"""

from __future__ import annotations

import numpy as np
from scipy import special as sc

from ..ad.core import concrete, value_of
from ..linalg import solve_triangular
from ._base import float_array

__all__ = ["multivariate_normal", "dirichlet"]

_LOG_2PI = np.log(2.0 * np.pi)


def _squeeze(out):
    """scipy's ``_squeeze_output``: drop size-1 axes; a 0-d result becomes a scalar."""
    out = np.squeeze(out) if 1 in np.shape(value_of(out)) else out
    # a plain 0-d array becomes a numpy scalar; a traced 0-d value is already scalar-shaped
    return out[()] if isinstance(out, np.ndarray) and out.ndim == 0 else out


class MultivariateNormal:
    """``multivariate_normal``: logpdf and pdf with scipy's ``mean``/``cov`` conventions.

    ``logpdf(x, mean=None, cov=1, allow_singular=False)`` and ``pdf`` (same arguments) take
    and return what ``scipy.stats.multivariate_normal``'s do.

    Parameters
    ----------
    x : array_like or traced value, shape (..., d)
        The points, one per row of the last axis (a 1-D ``x`` is one point, or d = 1 points
        when the distribution is univariate, as in scipy).
    mean : array_like or traced value, shape (d,), optional
        The mean (default zeros).
    cov : array_like or traced value, optional
        A positive definite (d, d) covariance, a 1-D diagonal, or a scalar multiple of the
        identity (default 1). Its lower triangle is what is read and differentiated;
        symmetrize a parametrized covariance to get the symmetric gradient.
    allow_singular : bool, optional
        Must be False: singular covariances are not supported.

    Returns
    -------
    ndarray, float or traced value
        One value per point, squeezed as scipy squeezes it. Differentiable in ``x``, ``mean``
        and ``cov``.

    Raises
    ------
    ValueError
        ``cov`` is not positive definite or does not match ``mean``, ``x`` has the wrong
        last axis, or ``allow_singular=True``.

    Examples
    --------
    >>> import numpy as np, scipy.stats
    >>> from optkit import stats
    >>> x, mean, cov = np.array([0.5, -1.0]), np.zeros(2), np.array([[2.0, 0.5], [0.5, 1.0]])
    >>> ours = stats.multivariate_normal.logpdf(x, mean, cov)
    >>> bool(np.isclose(ours, scipy.stats.multivariate_normal.logpdf(x, mean, cov)))
    True
    >>> import optkit
    >>> g = optkit.grad(lambda m: stats.multivariate_normal.logpdf(x, m, cov))(mean)
    >>> np.allclose(g, np.linalg.solve(cov, x - mean))
    True
    """

    name = "multivariate_normal"

    @staticmethod
    def _parameters(mean, cov):
        cov = float_array(cov)
        cshape = np.shape(value_of(cov))
        if mean is None:
            dim = 1 if len(cshape) == 0 else cshape[0]
            mean = np.zeros(dim)
        mean = float_array(mean)
        if np.ndim(value_of(mean)) > 1:
            raise ValueError("mean must be a scalar or a 1-D array")
        mean = np.reshape(mean, (-1,))
        dim = np.shape(value_of(mean))[0]
        if len(cshape) == 0:
            cov = cov * np.eye(dim)
        elif len(cshape) == 1:
            if cshape[0] != dim:
                raise ValueError(f"cov has {cshape[0]} entries, mean has {dim}")
            cov = cov * np.eye(dim)
        elif cshape != (dim, dim):
            raise ValueError(f"cov must be a ({dim}, {dim}) matrix, got shape {cshape}")
        return mean, cov, dim

    @staticmethod
    def _quantiles(x, dim):
        x = float_array(x)
        ndim = np.ndim(value_of(x))
        if ndim == 0:
            x = np.reshape(x, (1,))
        elif ndim == 1:
            x = np.reshape(x, (-1, 1) if dim == 1 else (1, -1))
        if np.shape(value_of(x))[-1] != dim:
            raise ValueError(f"x must have {dim} entries in its last axis, got shape "
                             f"{np.shape(value_of(x))}")
        return x

    def logpdf(self, x, mean=None, cov=1, allow_singular=False):
        """Log of the density at ``x`` (rows of its last axis); as scipy's logpdf."""
        if allow_singular:
            raise ValueError("multivariate_normal: allow_singular=True is not supported; the "
                             "covariance must be positive definite")
        mean, cov, dim = self._parameters(mean, cov)
        x = self._quantiles(x, dim)
        try:
            chol = np.linalg.cholesky(cov)
        except np.linalg.LinAlgError:
            raise ValueError("multivariate_normal: cov is not positive definite") from None
        dev = np.reshape(x - mean, (-1, dim))
        z = solve_triangular(chol, dev.T, lower=True)           # (dim, points)
        maha = np.sum(z * z, axis=0)
        logdet = 2.0 * np.sum(np.log(np.diagonal(chol)))
        out = -0.5 * (dim * _LOG_2PI + logdet + maha)
        return _squeeze(np.reshape(out, np.shape(value_of(x))[:-1]))

    def pdf(self, x, mean=None, cov=1, allow_singular=False):
        """The density at ``x`` (``exp(logpdf)``)."""
        return np.exp(self.logpdf(x, mean, cov, allow_singular))


class Dirichlet:
    """``dirichlet``: logpdf and pdf; ``x`` has the components on its first axis (scipy's).

    ``logpdf(x, alpha)`` and ``pdf(x, alpha)`` take and return what
    ``scipy.stats.dirichlet``'s do.

    Parameters
    ----------
    x : array_like or traced value, shape (k, ...) or (k - 1, ...)
        Points on the simplex, components on the first axis; with k - 1 components the last
        is ``1 - sum``.
    alpha : array_like or traced value, shape (k,)
        The concentrations, > 0.

    Returns
    -------
    ndarray, float or traced value
        One value per point, squeezed as scipy squeezes it; differentiable in ``x`` and
        ``alpha``.

    Raises
    ------
    ValueError
        As scipy: ``alpha`` not 1-D or not positive, ``x`` of the wrong length, outside the
        simplex, or zero where its ``alpha < 1``.

    Notes
    -----
    The checks read values, so under ``optkit.compile`` the function runs eagerly (with its
    warning).

    Examples
    --------
    >>> import numpy as np, scipy.stats
    >>> from optkit import stats
    >>> x, alpha = np.array([0.2, 0.3, 0.5]), np.array([1.5, 2.0, 3.0])
    >>> bool(np.isclose(stats.dirichlet.logpdf(x, alpha), scipy.stats.dirichlet.logpdf(x, alpha)))
    True
    """

    name = "dirichlet"

    @staticmethod
    def _check(x, alpha):
        alpha = float_array(alpha)
        a = concrete(alpha, "dirichlet's check of alpha")
        if np.ndim(a) != 1:
            raise ValueError("alpha must be a one-dimensional array of concentrations")
        if np.min(a) <= 0:
            raise ValueError("All parameters must be greater than 0")
        x = float_array(x)
        xs = np.shape(value_of(x))
        k = np.shape(a)[0]
        if len(xs) == 0 or (xs[0] + 1 != k and xs[0] != k):
            raise ValueError(f"x must have {k} or {k - 1} entries on its first axis (as alpha), "
                             f"got shape {xs}")
        if xs[0] != k:
            last = 1.0 - np.sum(x, axis=0)
            x = np.concatenate([x, np.expand_dims(last, 0)], axis=0)
        xv = concrete(x, "dirichlet's check that x lies in the simplex")
        if np.min(xv) < 0:
            raise ValueError("Each entry in 'x' must be greater than or equal to zero.")
        if np.max(xv) > 1:
            raise ValueError("Each entry in 'x' must be smaller or equal one.")
        alpha_lt1 = np.reshape(a < 1, (k,) + (1,) * (np.ndim(xv) - 1))
        if np.any((xv == 0) & alpha_lt1):
            raise ValueError("Each entry in 'x' must be greater than zero if its alpha is less "
                             "than one.")
        if np.any(np.abs(np.sum(xv, axis=0) - 1.0) > 1e-9):
            raise ValueError("The input vector 'x' must lie within the normal simplex.")
        return x, alpha

    def logpdf(self, x, alpha):
        """Log of the density at ``x`` (components on the first axis); as scipy's logpdf."""
        x, alpha = self._check(x, alpha)
        lnb = np.sum(sc.gammaln(alpha)) - sc.gammaln(np.sum(alpha))
        a = np.reshape(alpha, (-1,) + (1,) * (np.ndim(value_of(x)) - 1))
        return _squeeze(np.sum(sc.xlogy(a - 1.0, x), axis=0) - lnb)

    def pdf(self, x, alpha):
        """The density at ``x`` (``exp(logpdf)``)."""
        return np.exp(self.logpdf(x, alpha))


multivariate_normal = MultivariateNormal()
dirichlet = Dirichlet()
