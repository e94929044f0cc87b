"""``optkit.curve_fit``: scipy's curve_fit on optkit's least squares, with an exact Jacobian.

The residuals are ``r = W (model(xdata, *p) - ydata)`` with W = diag(1 / sigma) for a 1-D
sigma, or W = L^-1 for a 2-D sigma = L L^T (its Cholesky factor, as scipy). The Jacobian comes
from optkit.ad (dense, forward or reverse mode by shape; compiled after a few eager
evaluations, ``optkit.residual_ad``) and the covariance from the final J,
as scipy computes it (``optkit.optim.least_squares.covariance``): inf where J is singular,
with a ``CovarianceWarning``.
"""

from __future__ import annotations

import inspect

import numpy as np
import scipy.linalg

from .boundary import as_start
from .fitting import least_squares
from .optim.least_squares import covariance

__all__ = ["curve_fit"]


def curve_fit(model, xdata, ydata, p0=None, sigma=None, absolute_sigma=False, bounds=None,
              method="lm", *, compile=True,  # noqa: A002 - as optkit.minimize's keyword
              **kwargs):
    """Fit ``model(xdata, *params)`` to ``ydata``; return ``(popt, pcov)`` as scipy does.

    Parameters
    ----------
    model : callable
        ``model(xdata, *params)``, plain numpy; its Jacobian is exact (optkit.ad), never a
        finite difference.
    xdata : array_like or object
        Passed to ``model`` as given (an array, or any object the model understands).
    ydata : array_like, shape (m,)
        The data, finite.
    p0 : array_like or parameter structure, optional
        The start. Default: ones, as many as ``model`` has parameters after ``xdata`` (a
        ValueError when the signature does not tell, e.g. ``model(x, *p)``). A parameter
        structure (a dict, namedtuple, dataclass, or a list or tuple holding arrays; see
        ``optkit.minimize`` for the rule; an array stays a 1-D vector) is passed whole: the
        model is called as ``model(xdata, params)`` with ``params`` in p0's structure,
        ``popt`` comes back in it and ``pcov`` is over the raveled parameters
        (``optkit.tree.ravel`` order).
    sigma : None or array_like, optional
        A 1-D array of standard deviations of ``ydata`` (residuals divided by it), or a 2-D
        covariance matrix of ``ydata`` (residuals multiplied by the inverse of its Cholesky
        factor).
    absolute_sigma : bool, optional
        False (default): pcov is scaled by the reduced chi-square ``||r||^2 / (m - n)``, as
        scipy.
    bounds : None, (lb, ub) or Bounds, optional
        As ``optkit.least_squares``.
    method : {"lm", "gn-cg"}, optional
        The least-squares method.
    compile : bool, optional
        True (default): the Jacobian of the residuals is a compiled program of
        ``optkit.compile`` after its first few eager evaluations, kept for later fits of the
        same model to the same data (see ``optkit.least_squares``); equal to the eager J bit
        for bit. A model whose trace depends on values falls back to eager AD with a
        one-time ``optkit.CompileWarning``. False: eager AD.
    **kwargs
        Further keywords (``loss``, ``ftol``, ``max_nfev``, ...) go to
        ``optkit.least_squares``; ``args`` is refused (bind with ``functools.partial``).

    Returns
    -------
    popt : ndarray
        The fitted parameters.
    pcov : ndarray
        Their estimated covariance; ``sqrt(diag(pcov))`` are the standard errors. A singular
        Jacobian at the fit gives inf and a CovarianceWarning ('lm'), or the
        pseudo-inverse ('gn-cg', as scipy's 'trf').

    Raises
    ------
    RuntimeError
        The fit did not converge: "Optimal parameters not found: " and the solver's message,
        as in scipy.
    ValueError
        Empty or non-finite data, a ``sigma`` of the wrong shape or not positive (definite),
        or ``p0`` missing when the signature does not give the parameter count.
    TypeError
        ``model`` not callable, non-numeric data, or ``args`` given.

    Examples
    --------
    >>> import numpy as np, optkit
    >>> def line(x, a, b):
    ...     return a * x + b
    >>> x = np.arange(5.0)
    >>> y = 2.0 * x + 1.0 + np.array([0.1, -0.1, 0.0, 0.1, -0.1])
    >>> popt, pcov = optkit.curve_fit(line, x, y)
    >>> np.round(popt, 3), pcov.shape
    (array([1.98, 1.04]), (2, 2))
    """
    if not callable(model):
        raise TypeError(f"model must be callable, got {type(model).__name__}")
    if "args" in kwargs:
        raise TypeError("args: curve_fit passes xdata to the model; bind other arguments "
                        "with functools.partial")
    ydata = _data(ydata, "ydata")
    xdata = _xdata(xdata)
    # a structure is passed whole; an array p0 stays model(x, *p0)'s vector, 1-D as in scipy
    start = None if p0 is None or isinstance(p0, np.ndarray) else as_start(p0, "p0")
    structured = start is not None and start.structured
    n = start.size if structured else None
    p0 = p0 if structured else _start(model, p0)
    weight = _weight(sigma, ydata.size)

    def residuals(p):
        diff = (model(xdata, p) if structured else model(xdata, *p)) - ydata
        return weight(diff)

    result = least_squares(residuals, p0, method, bounds=bounds, compile=compile, **kwargs)
    if not result.success:
        raise RuntimeError(f"Optimal parameters not found: {result.message}")
    jac = result.jac
    if not isinstance(jac, np.ndarray):  # an operator (huge problems): form J once for pcov
        jac = jac @ np.eye(n if structured else p0.size)
    # scipy's s^2 = 2 cost / (m - n): with a robust loss, 2 cost is not ||r||^2, so a vector
    # of that norm stands in for the residuals
    chi = np.zeros(jac.shape[0])
    chi[0] = np.sqrt(2.0 * result.cost)
    pcov = covariance(jac, chi, absolute_sigma=absolute_sigma,
                      singular="inf" if method == "lm" else "pinv")
    return (result.x if structured else np.array(result.x)), pcov


def _data(values, name):
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of real numbers") from exc
    if arr.ndim == 0 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty array, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must be finite (it contains nan or inf)")
    return arr.reshape(-1) if name == "ydata" else arr


def _xdata(xdata):
    """xdata as an array (any shape: scipy passes it to the model as given)."""
    if isinstance(xdata, (list, tuple)) or isinstance(xdata, np.ndarray):
        return _data(xdata, "xdata")
    return xdata  # another object the model understands (scipy allows any)


def _start(model, p0):
    if p0 is not None:
        p0 = np.atleast_1d(np.asarray(p0, dtype=np.float64))
        if p0.ndim != 1:
            raise ValueError(f"p0 must be 1-D, got shape {p0.shape}")
        return p0
    try:
        params = list(inspect.signature(model).parameters.values())
    except (TypeError, ValueError) as exc:
        raise ValueError("p0: unable to determine the number of fit parameters from the "
                         "model's signature; pass p0") from exc
    if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params) or len(params) < 2:
        raise ValueError("p0: unable to determine the number of fit parameters from the "
                         "model's signature; pass p0")
    return np.ones(len(params) - 1)


def _weight(sigma, m):
    """The map diff -> W diff for ``sigma`` (module docstring)."""
    if sigma is None:
        return lambda diff: diff
    sigma = np.asarray(sigma, dtype=np.float64)
    if sigma.shape == (m,):
        if not (np.isfinite(sigma).all() and (sigma > 0).all()):
            raise ValueError("sigma must hold finite numbers > 0")
        inverse = 1.0 / sigma
        return lambda diff: diff * inverse
    if sigma.shape == (m, m):
        try:
            lower = scipy.linalg.cholesky(sigma, lower=True)
        except np.linalg.LinAlgError as exc:
            raise ValueError("sigma: a 2-D sigma must be a positive definite covariance "
                             "matrix of ydata") from exc
        inverse = scipy.linalg.solve_triangular(lower, np.eye(m), lower=True)
        return lambda diff: inverse @ diff
    raise ValueError(f"sigma must have shape ({m},) or ({m}, {m}) for {m} data points, got "
                     f"{sigma.shape}")
