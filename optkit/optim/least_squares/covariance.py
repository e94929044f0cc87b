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
    """The covariance of the parameters could not be estimated (scipy's OptimizeWarning)."""


def covariance(jac, residuals, *, absolute_sigma=False, singular="inf"):
    """pcov from the final Jacobian ``jac`` (m, n) and residuals (m,) (module docstring)."""
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
