"""The front door for nonlinear least squares: ``optkit.least_squares``.

It fills the Jacobian of the residuals from optkit.ad (``residual_ad.py``), builds a
:class:`~optkit.optim.residual.ResidualObjective`, and runs Levenberg-Marquardt or
Gauss-Newton-CG (``optkit.optim.least_squares``) through the one driver, with the driver's own
tests off: the stops are MINPACK's ftol, xtol and gtol tests, which the solvers report to the
driver. The result carries ``scipy.optimize.least_squares``'s fields.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
from scipy.sparse.linalg import LinearOperator

from .boundary import as_start
from .minimize import takes_intermediate_result
from .optim.bounds import Bounds, as_bounds
from .optim.driver import run_checked
from .optim.least_squares import GaussNewtonCG, GeodesicAcceleration, LevenbergMarquardt
from .optim.least_squares.box import projected_gradient
from .optim.least_squares.loss import as_loss
from .optim.least_squares.stopping import check_tolerance
from .optim.residual import ResidualObjective
from .optim.result import OptimizeResult
from .optim.start import all_finite, check_x0
from .residual_ad import ResidualDerivatives, choose_mode

__all__ = ["JAC_MODES", "METHODS", "least_squares"]

METHODS = ("lm", "gn-cg")
JAC_MODES = ("auto", "forward", "reverse", "operator")
_SCIPY_ONLY = ("trf", "dogbox")  # scipy's methods without an optkit counterpart of that name
_setflags = np.ndarray.setflags  # _setflags(a, False): read-only, without a flags object
_DEFAULT_TOL = 1e-8  # ftol, xtol and gtol by default (scipy's)
_DEFAULT_LM = LevenbergMarquardt(ftol=_DEFAULT_TOL, xtol=_DEFAULT_TOL, gtol=_DEFAULT_TOL)


def least_squares(residuals, x0, method="lm", *, bounds=None, loss="linear", f_scale=1.0,
                  x_scale=None, ftol=1e-8, xtol=1e-8, gtol=1e-8, max_nfev=None, args=(),
                  callback=None, jac=None, jac_mode="auto", geodesic=False,
                  compile=True):  # noqa: A002 - as optkit.minimize's keyword
    """Minimize ``F(x) = 1/2 sum rho(r_i(x)^2)`` (``1/2 ||r(x)||^2`` for the linear loss).

    Parameters
    ----------
    residuals : callable
        ``residuals(x, *args)`` returns the m residuals as a 1-D array, in plain numpy; they
        must be finite at ``x0``.
    x0 : array_like or parameter structure
        A vector (an array of ndim <= 1, a number, or a list or tuple of numbers, as in
        ``optkit.minimize``) or a structure of float arrays (dict, namedtuple, dataclass, a
        list or tuple holding arrays; see ``optkit.boundary``), which ``residuals`` then
        receives and the result's ``x`` has.
    method : {"lm", "gn-cg"}, optional
        ``"lm"`` (default): Levenberg-Marquardt as MINPACK's scaled trust region (Moré 1978);
        ``"gn-cg"``: Gauss-Newton with Steihaug-Toint CG on J^T J (matrix-free). scipy's
        ``"trf"``/``"dogbox"`` are a ValueError pointing to ``optkit.scipy.least_squares``.
    bounds : None, (lb, ub) or Bounds, optional
        ``(lb, ub)`` as scipy (scalars or arrays, +-inf for none), or an ``optkit.Bounds`` /
        ``scipy.optimize.Bounds``; ``x0`` must lie inside. Steps are projected onto the box,
        so the residuals are never evaluated outside it.
    loss : str or callable, optional
        'linear' (default), 'soft_l1', 'huber', 'cauchy', 'arctan' or a scipy-style callable.
    f_scale : float, optional
        The residual scale of a robust loss, as scipy's.
    x_scale : None, 'jac' or array_like, optional
        lm only: None or 'jac' for MINPACK's scaling by the column norms of J (estimated
        from a few products J^T u in the operator form), or positive numbers (the
        characteristic scale of each variable).
    ftol, xtol, gtol : float, optional
        MINPACK's stopping tests (scipy's defaults 1e-8): ``ftol`` on the relative reduction
        of F, ``xtol`` on the relative step, ``gtol`` on max |cos(J_j, r)| (lm; gn-cg: on
        ||g||_inf), where with bounds the projected gradient replaces g. Each is a success,
        as in scipy.
    max_nfev : int, optional
        The budget of residual evaluations (default 100 n); running out is a failure.
    args : tuple, optional
        Extra arguments of ``residuals`` (and ``jac``).
    callback : callable, optional
        Runs after each iteration as scipy calls it: with the intermediate result (fields x,
        fun = the cost F, jac = its gradient, nfev ...) when its only parameter is named
        ``intermediate_result``, else with ``x``. Returning True (or raising StopIteration)
        stops the solve with status CALLBACK_STOP (a stop you asked for, as the driver
        reports it).
    jac : callable, optional
        ``jac(x, *args)`` returning the dense (m, n) Jacobian. Default: from optkit.ad.
    jac_mode : {"auto", "forward", "reverse", "operator"}, optional
        How optkit.ad supplies J: "forward" (n JVPs) or "reverse" (m VJPs over one tape) for
        a dense J, or "operator" (J v by one JVP, J^T u by one VJP, no J formed; the LM step
        then comes from LSMR). "auto" (default) takes the operator form when m n > 1e7, else
        the cheaper dense mode.
    geodesic : bool, optional
        lm with the linear loss: add Transtrum & Sethna's geodesic acceleration, with
        r''(x)[v, v] from nested forward-mode AD.
    compile : bool, optional
        True (default): the AD derivatives run through ``optkit.compile``, as in
        ``optkit.minimize``: the dense J (J v in the operator form, r''(x)[v, v] with
        ``geodesic``) is evaluated eagerly for its first ``JAC_WARMUP`` (10) calls, then
        traced once and replayed as straight-line numpy, equal to the eager J bit for bit
        (``optkit.residual_ad``). The programs are kept for later solves whose residuals
        trace to the same computation with the same data (``optkit.residual_programs``),
        which use them from their first evaluation; the warm-up counts the calls of all
        of them. Residuals whose trace depends on values
        (a Python branch on a value, ``float()``, random numbers) fall back to eager AD with
        a one-time ``optkit.CompileWarning``. False: eager AD. Unused when every derivative
        is given (``jac`` without ``geodesic``).

    Returns
    -------
    OptimizeResult
        scipy's fields: ``x``, ``cost`` (F), ``fun`` (the residuals), ``jac`` (the
        loss-scaled Jacobian, a LinearOperator in the operator form), ``grad``,
        ``optimality`` (||P(x - g) - x||_inf, which is ||g||_inf without bounds),
        ``active_mask`` (-1 at a lower bound, +1 at an upper one), ``nfev``, ``njev``,
        ``status`` (optkit's code: 0 success), ``message``, ``success``; and ``nit``,
        ``status_enum``, ``jac_mode``, ``method``, ``time``.

    Raises
    ------
    ValueError
        A bad argument, named: an unknown method or jac_mode, a tolerance or ``max_nfev`` out
        of range, ``x0`` outside the bounds or not finite, residuals that are not finite or
        not 1-D at ``x0``.
    TypeError
        ``residuals``, ``jac`` or ``callback`` not callable, residuals that are not
        numbers, or ``geodesic`` or ``compile`` not a bool.
    optkit.InPlaceWriteError
        The residuals write into an array after a traced computation read it (when staged,
        or in reverse mode).

    References
    ----------
    J. J. Moré, "The Levenberg-Marquardt algorithm: implementation and theory", Lecture Notes
    in Mathematics 630, Springer, 1978. M. K. Transtrum and J. P. Sethna, "Improvements to
    the Levenberg-Marquardt algorithm for nonlinear least-squares minimization",
    arXiv:1201.5885, 2012.

    Examples
    --------
    >>> import numpy as np, optkit
    >>> t = np.linspace(0.0, 1.0, 20)
    >>> y = 2.0 * np.exp(-1.5 * t)
    >>> res = optkit.least_squares(lambda p: p[0] * np.exp(-p[1] * t) - y, [1.0, 1.0])
    >>> res.success, np.round(res.x, 6)
    (True, array([2. , 1.5]))
    """
    if not callable(residuals):
        raise TypeError(f"residuals must be callable, got {type(residuals).__name__}")
    method = method if type(method) is str and method in METHODS else _check_method(method)
    args = args if isinstance(args, tuple) else (args,)
    x0, unravel, structured = _flat_start(x0)
    n = x0.size
    ftol = check_tolerance("ftol", ftol)
    xtol = check_tolerance("xtol", xtol)
    gtol = check_tolerance("gtol", gtol)
    max_nfev = _check_max_nfev(max_nfev, n)
    if jac is not None and not callable(jac):
        raise TypeError(f"jac must be None (exact Jacobian by optkit's AD) or a callable "
                        f"returning the (m, n) array, got {jac!r}")
    if jac_mode not in JAC_MODES:
        raise ValueError(f"jac_mode must be one of {JAC_MODES}, got {jac_mode!r}")
    if not isinstance(geodesic, bool):
        raise TypeError(f"geodesic must be True or False, got {geodesic!r}")
    if not isinstance(compile, bool):
        raise TypeError(f"compile must be True or False, got {compile!r}")
    if geodesic and method != "lm":
        raise ValueError("geodesic: geodesic acceleration is a Levenberg-Marquardt option; "
                         "use method='lm'")
    scale = None if x_scale is None else _check_x_scale(x_scale, n, method)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable or None, got {type(callback).__name__}")
    loss_fn = as_loss(loss, f_scale)
    box = None if bounds is None else _bounds(bounds, n)
    if box is not None and not box.contains(x0):
        raise ValueError("x0: outside the bounds; give a start with lb <= x0 <= ub")

    if structured or args:
        def flat_fun(z):
            return residuals(unravel(z), *args)
    else:  # a plain vector and no args: the user's function itself (one call less per trial)
        flat_fun = residuals

    r0 = _first_residuals(flat_fun, x0)
    mode = "user" if jac is not None else choose_mode(r0.size, n, jac_mode)
    ad = None if jac is not None and not geodesic else ResidualDerivatives(
        flat_fun, "forward" if mode == "user" else mode, residuals=r0.size, compile=compile)
    rvv = ad.rvv if geodesic else None
    if jac is not None:
        if structured or args:
            def jac_fn(z):
                return jac(unravel(z), *args)
        else:
            jac_fn = jac
        objective = ResidualObjective(flat_fun, jac_fn, rvv=rvv, loss=loss_fn)
    elif mode == "operator":
        objective = ResidualObjective(flat_fun, jvp=ad.jvp, vjp=ad.vjp, rvv=rvv, loss=loss_fn)
    else:
        objective = ResidualObjective(flat_fun, ad.jac, rvv=rvv, loss=loss_fn)
    # r(x0), evaluated above to check x0: counted, not repeated; r0 is the checked copy.
    # x0 is this call's own checked copy: read-only, the objective's cache keeps it as it is
    # and the driver's first linearization finds it by identity (point_cache.py)
    _setflags(x0, False)
    objective.record(x0, r0, copy=False)
    del r0  # the objective holds it now

    if method == "lm":
        if (ftol == xtol == gtol == _DEFAULT_TOL and scale is None and not geodesic
                and box is None):
            solver = _DEFAULT_LM  # the defaults (a frozen solver: one serves every solve)
        else:
            solver = LevenbergMarquardt(ftol=ftol, xtol=xtol, gtol=gtol, x_scale=scale,
                                        geodesic=GeodesicAcceleration() if geodesic else None,
                                        bounds=box)
    else:
        solver = GaussNewtonCG(ftol=ftol, xtol=xtol, gtol=gtol, bounds=box)
    # every argument is checked above as driver.run would check it (x0 by check_x0, max_nfev,
    # the callback; the driver's own tests off): the solve itself, without a second round
    result = run_checked(solver, objective, x0, bounds=None, gtol=0.0, ftol=0.0, xtol=0.0,
                         maxiter=None, maxfev=max_nfev, max_time=None,
                         callback=None if callback is None
                         else _driver_callback(callback, unravel),
                         history=False, method=method)
    return _result(result, objective, box, unravel, mode)


# ---- arguments ---------------------------------------------------------------------------------
def _check_method(method):
    if not isinstance(method, str):
        raise TypeError(f"method must be one of {METHODS}, got {type(method).__name__}")
    key = method.lower()
    if key in METHODS:
        return key
    if key in _SCIPY_ONLY:
        raise ValueError(f"method: {method!r} is scipy's; optkit.least_squares offers "
                         f"{METHODS} (both take bounds). For scipy's {method!r} with optkit's "
                         f"Jacobian, call optkit.scipy.least_squares(fun, x0, method={method!r})")
    raise ValueError(f"method must be one of {METHODS}, got {method!r}")


def _flat_start(x0):
    """(flat float64 x0, unravel, structured), read by the front door's rule
    (``optkit.boundary``): an array of ndim <= 1, a number, or a list or tuple of numbers is a
    plain vector (unravel is the identity, structured False); any other structure is raveled
    and rebuilt by ``Start.tree``."""
    if type(x0) is np.ndarray and x0.ndim <= 1:  # boundary's plain vector, the common case
        return check_x0(x0), _identity, False
    start = as_start(x0)
    if start.structured:
        return check_x0(start.x), start.tree, True
    return check_x0(x0), start.tree, False


def _identity(flat):
    """A plain vector's unravel (``Start.tree`` of a plain vector)."""
    return flat


def _check_max_nfev(max_nfev, n):
    if max_nfev is None:
        return 100 * n
    if (isinstance(max_nfev, bool) or not isinstance(max_nfev, numbers.Integral)
            or max_nfev < 1):
        raise ValueError(f"max_nfev must be None or an integer >= 1, got {max_nfev!r}")
    return int(max_nfev)


def _check_x_scale(x_scale, n, method):
    if x_scale is None or (isinstance(x_scale, str) and x_scale == "jac"):
        return None
    if method != "lm":
        raise ValueError(f"x_scale: method {method!r} does not scale variables; use "
                         "method='lm' or x_scale=None")
    if isinstance(x_scale, str):
        raise ValueError(f"x_scale must be None, 'jac' or positive numbers, got {x_scale!r}")
    scale = np.asarray(x_scale, dtype=float)
    if scale.ndim > 1 or (scale.ndim == 1 and scale.size != n):
        raise ValueError(f"x_scale must be a scalar or have {n} entries, got shape "
                         f"{scale.shape}")
    if not (np.isfinite(scale).all() and (scale > 0).all()):
        raise ValueError("x_scale must hold finite numbers > 0")
    return np.broadcast_to(scale, (n,)).copy()


def _bounds(bounds, n):
    """None, or an optkit Bounds of length n; scipy's 2-tuple (lb, ub) is read as scipy reads
    it. A box without finite bounds is no box (None)."""
    if bounds is None:
        return None
    if isinstance(bounds, (tuple, list)) and len(bounds) == 2:
        lb, ub = bounds
        try:
            bounds = Bounds(lb, ub)
        except ValueError as exc:
            raise ValueError(f"bounds: {exc}") from None
    elif not (isinstance(bounds, Bounds) or (hasattr(bounds, "lb") and hasattr(bounds, "ub"))):
        raise TypeError("bounds must be None, a 2-tuple (lb, ub) or a Bounds, got "
                        f"{type(bounds).__name__}")
    box = as_bounds(bounds, n)
    return None if box.is_unbounded else box


def _first_residuals(fun, x0):
    """r(x0), checked: a 1-D array of finite numbers (ValueError naming residuals)."""
    with np.errstate(all="ignore"):
        r0 = fun(x0.copy())
    try:
        r0 = np.array(r0, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"residuals must return a 1-D array of numbers, got "
                        f"{type(r0).__name__}") from exc
    if r0.ndim != 1 or r0.size == 0:
        raise ValueError(f"residuals must return a non-empty 1-D array, got shape {r0.shape}")
    if not all_finite(r0):
        bad = np.flatnonzero(~np.isfinite(r0))[:5].tolist()
        raise ValueError(f"residuals are not finite at x0 (entries {bad} ...)")
    return r0


def _driver_callback(callback, unravel):
    if callback is None:
        return None
    if takes_intermediate_result(callback):
        return lambda result: callback(intermediate_result=result)
    return lambda result: callback(unravel(result["x"]))


# ---- the result --------------------------------------------------------------------------------
def _handed_over(array):
    """``array``, read-only in the finished solve's linearization, as the caller's own: made
    writable again when it owns its data (the objective made it, and the solve that shared
    it is over), else a copy. Saves copying J and r (m n + m numbers) per solve."""
    if array.flags.owndata:
        array.setflags(write=True)
        return array
    return np.array(array)


def _result(result, objective, box, unravel, mode):
    lin = result.pop("linearization")
    # the driver's copies of the point returned (x is lin.x and jac is lin.grad there: its
    # state holds the linearization's own arrays), not two copies more
    x, grad = result["x"], result["jac"]
    magnitudes = list(map(abs, grad.tolist())) if box is None else None
    if box is None and math.isfinite(sum(magnitudes)):  # no inf or nan (max would skip nan)
        optimality = max(magnitudes)  # ||g||_inf, the projected gradient's without a box
    else:
        optimality = float(np.maximum.reduce(np.abs(projected_gradient(box, x, grad))))
    if lin.dense is not None:  # nothing but this result keeps lin: its arrays, handed over
        jac, fun = _handed_over(lin.dense), _handed_over(lin.residuals)
    else:  # the operator keeps lin (its x and scale) alive: copies
        jac = LinearOperator(lin.shape, matvec=lin.matvec, rmatvec=lin.rmatvec, dtype=float)
        fun = np.array(lin.residuals)
    active = box.active_mask(x) if box is not None else np.zeros(x.size, dtype=int)
    return OptimizeResult(
        x=unravel(x), cost=float(lin.cost), fun=fun, jac=jac, grad=grad,
        optimality=optimality, active_mask=active, nfev=objective.nfev, njev=objective.njev,
        # the driver's fields by key (each attribute read is a __getattr__ call); a failure's
        # message carries the note on the solver's own gtol test
        nit=result["nit"], status=result["status"], status_enum=result["status_enum"],
        message=result["message"], success=result["success"], method=result["method"],
        jac_mode=mode, time=result["time"])
