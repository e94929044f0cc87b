"""The covariance of fitted parameters from the final Jacobian, as scipy's curve_fit computes it.

For residuals r = (model - y) / sigma with Jacobian J at the fit,

    pcov = (J^T J)^+ * s^2,     s^2 = ||r||^2 / (m - n)   (s^2 = 1 when absolute_sigma),

the pseudo-inverse taken by an SVD of J that drops singular values at or below
eps max(m, n) s_max (scipy's threshold in ``curve_fit``). When J is rank-deficient (a value
was dropped), ``singular="inf"`` returns a matrix of inf, as scipy's 'lm' path does when its
triangular inverse fails (an exact zero on R's diagonal; with a rounding-level one scipy returns
entries near 1e11, where this refuses), and ``singular="pinv"`` the pseudo-inverse, as
scipy's 'trf' and 'dogbox' paths do. An all-inf matrix, also returned when m <= n without
absolute_sigma, comes with a :class:`CovarianceWarning` (scipy's OptimizeWarning text:
"Covariance of the parameters could not be estimated").
"""

import warnings

import numpy as np

__all__ = ["CovarianceWarning", "covariance"]


class CovarianceWarning(UserWarning):
    """The covariance of the parameters could not be estimated (scipy's OptimizeWarning).

    Issued by :func:`covariance` (and so by ``optkit.curve_fit``) when it returns a matrix
    of inf: a rank-deficient Jacobian with ``singular="inf"``, or no more residuals than
    parameters without ``absolute_sigma``.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     pcov = covariance(np.ones((3, 2)), np.zeros(3))  # rank 1: J's columns are equal
    >>> caught[0].category.__name__, bool(np.isinf(pcov).all())
    ('CovarianceWarning', True)
    """


def covariance(jac, residuals, *, absolute_sigma=False, singular="inf"):
    """pcov from the final Jacobian ``jac`` (m, n) and residuals (m,) (module docstring).

    Parameters
    ----------
    jac : array_like, shape (m, n)
        The Jacobian of the residuals at the fit.
    residuals : array_like, shape (m,)
        The residuals at the fit, ``(model - y) / sigma``.
    absolute_sigma : bool, optional
        True: sigma is absolute, s^2 = 1; False (default): scale by
        ``s^2 = ||r||^2 / (m - n)``.
    singular : {"inf", "pinv"}, optional
        For a rank-deficient J: a matrix of inf with a warning (default, scipy's 'lm'), or
        the pseudo-inverse (scipy's 'trf').

    Returns
    -------
    ndarray, shape (n, n)
        The estimated covariance of the parameters; all inf when it cannot be estimated
        (with a :class:`CovarianceWarning`).

    Raises
    ------
    ValueError
        ``jac`` not 2-D, ``residuals`` not of length m, or an unknown ``singular``.

    Examples
    --------
    >>> import numpy as np
    >>> jac = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]])
    >>> np.round(covariance(jac, np.array([0.1, -0.2, 0.1])), 8)  # (J^T J)^-1 ||r||^2 / (3 - 2)
    array([[ 0.05, -0.03],
           [-0.03,  0.03]])
    >>> covariance(jac, np.array([0.1, -0.2, 0.1]), absolute_sigma=True)  # (J^T J)^-1
    array([[ 0.83333333, -0.5       ],
           [-0.5       ,  0.5       ]])
    """
    jac = np.asarray(jac, dtype=float)
    residuals = np.asarray(residuals, dtype=float)
    if jac.ndim != 2 or residuals.shape != (jac.shape[0],):
        raise ValueError(f"jac must be (m, n) and residuals (m,); got {jac.shape} and "
                         f"{residuals.shape}")
    if singular not in ("inf", "pinv"):
        raise ValueError(f"singular must be 'inf' or 'pinv', got {singular!r}")
    m, n = jac.shape
    _, s, vt = np.linalg.svd(jac, full_matrices=False)
    threshold = np.finfo(float).eps * max(m, n) * (s[0] if s.size else 0.0)
    keep = s > threshold
    rank = int(np.count_nonzero(keep))
    invalid = not np.isfinite(s).all() or (singular == "inf" and rank < n)
    if not invalid:
        s, vt = s[keep], vt[keep]
        pcov = (vt.T / s ** 2) @ vt
        if not absolute_sigma:
            if m > n:
                pcov = pcov * (float(residuals @ residuals) / (m - n))
            else:
                invalid = True
    if invalid:
        warnings.warn("Covariance of the parameters could not be estimated",
                      CovarianceWarning, stacklevel=2)
        return np.full((n, n), np.inf)
    return pcov
