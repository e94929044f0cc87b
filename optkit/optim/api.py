"""solve(): the plain-callable entry point (the front door ``optkit.minimize`` calls it)."""

import dataclasses

from .driver import DRIVER_OPTIONS, run
from .driver import check_options as _check_driver_options
from .objective import Objective
from .solvers import METHODS
from .solvers.base import Solver
from .suggest import did_you_mean

__all__ = ["check_options", "solve"]


def _solver(method, solver_options):
    if isinstance(method, str):
        key = method.lower()
        if key not in METHODS:
            raise ValueError(f"method: unknown method {method!r}; expected one of "
                             f"{sorted(METHODS)}{did_you_mean(key, list(METHODS))}")
        return METHODS[key](**solver_options), key
    if not isinstance(method, Solver):
        raise TypeError(f"method must be a name in {sorted(METHODS)} or a solver instance (an "
                        f"optkit.optim.Solver with init() and step()), got {type(method).__name__}")
    if solver_options:
        method = dataclasses.replace(method, **solver_options)
    return method, type(method).__name__


def _split_options(method, options):
    """(driver options, solver options); an option neither accepts is a ValueError."""
    if isinstance(method, str):
        cls = METHODS.get(method.lower())
    else:
        cls = type(method)
    solver_names = ([f.name for f in dataclasses.fields(cls) if f.init]
                    if cls is not None and dataclasses.is_dataclass(cls) else [])
    driver, solver = {}, {}
    for name, value in options.items():
        if name in DRIVER_OPTIONS:
            driver[name] = value
        elif name in solver_names:
            solver[name] = value
        elif cls is not None:
            valid = sorted(DRIVER_OPTIONS) + sorted(solver_names)
            raise ValueError(f"unknown option {name!r} for method {method!r}; valid options: "
                             f"{', '.join(valid)}{did_you_mean(name, valid)}")
    return driver, solver


def check_options(method="lbfgs", **options):
    """Validate ``method`` and ``options`` as :func:`solve` would, without solving.

    Parameters
    ----------
    method : str or Solver, optional
        "gd", "lbfgs" (default), "newton-cg", or a solver instance.
    **options
        Driver options (gtol, ftol, xtol, maxiter, maxfev, max_time, history) or fields of
        the solver's dataclass.

    Returns
    -------
    None
        When every name and value is valid.

    Raises
    ------
    ValueError
        An unknown method or option, named with the closest valid name, or a value out of
        its range.
    TypeError
        An option of the wrong type.

    Examples
    --------
    >>> from optkit.optim import check_options
    >>> check_options("newton-cg", gtol=1e-8, saddle_check=0)
    >>> check_options("lbfgs", mm=3)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: unknown option 'mm' for method 'lbfgs'; valid options: ... did you mean 'm'?
    """
    driver_options, solver_options = _split_options(method, options)
    _solver(method, solver_options)
    _check_driver_options(**driver_options)


def solve(fun, x0, method="lbfgs", *, jac=None, hessp=None, fun_and_jac=None, args=(),
          bounds=None, callback=None, convex=False, **options):
    """Minimize ``fun`` from ``x0``; return an OptimizeResult with SciPy's field names.

    ``method``: "gd", "lbfgs" (default), "newton-cg", or a solver instance such as
    ``LBFGS(m=5)``. Derivatives are plain callables: ``jac(x, *args)`` (or ``jac=True`` when
    ``fun`` returns (f, g)), ``fun_and_jac(x, *args) -> (f, g)``, ``hessp(x, p, *args)``.
    ``options`` are driver options (gtol, ftol, xtol, maxiter, maxfev, max_time, history; see
    :func:`optkit.optim.driver.run`) or fields of the solver's dataclass (e.g. m, linesearch,
    momentum, globalization). Unknown methods and options raise ValueError naming them and
    suggesting the closest valid name; x0 must be 1-D (scalars and lists are accepted).
    ``bounds`` (None, or any form :func:`~optkit.optim.bounds.as_bounds` accepts) goes to the
    driver, which passes it to a solver that takes bounds (``Solver.supports_bounds``) and
    refuses the others. This is the solver layer, on plain callables; ``optkit.minimize`` adds
    derivatives from optkit's AD and structured ``x0``.

    Parameters
    ----------
    fun : callable
        ``fun(x, *args) -> float`` (or ``(f, g)`` with ``jac=True``).
    x0 : array_like
        The start, 1-D.
    method : str or Solver, optional
        "gd", "lbfgs" (default), "newton-cg", or a solver instance.
    jac, hessp, fun_and_jac : callable, optional
        The derivatives; a gradient source is required, ``hessp`` for newton-cg.
    args : tuple, optional
        Extra arguments of every callable.
    bounds : optional
        The box lb <= x <= ub (pairs, ``(lb, ub)`` arrays, or a Bounds).
    callback : callable, optional
        ``callback(intermediate_result)`` after each iteration; True stops (a success).
    convex : bool or callable, optional
        True only when f is proven convex, or a deferred proof ``() -> bool``
        (:class:`~optkit.optim.objective.Objective`); solvers may then skip second-order
        checks. Default False. ``optkit.minimize`` sets it from f's trace.
    **options
        Driver options and solver fields, as above.

    Returns
    -------
    OptimizeResult
        SciPy's fields and ``status_enum``, ``method``, ``time``, ``history``; with bounds
        ``active_mask``.

    Raises
    ------
    ValueError
        An unknown method or option, a value out of range, a bad ``x0`` or bounds, a missing
        ``hessp`` for newton-cg, or f or g not finite at ``x0``.
    TypeError
        A callable that is not one, or a value of the wrong type.

    Examples
    --------
    >>> import numpy as np
    >>> from optkit.optim import solve
    >>> f = lambda x: float(np.sum((x - 1.0) ** 2))
    >>> g = lambda x: 2.0 * (x - 1.0)
    >>> r = solve(f, np.zeros(3), jac=g, gtol=1e-8)
    >>> r.success, r.status_enum.name, np.round(r.x, 6)
    (True, 'CONVERGED_GTOL', array([1., 1., 1.]))
    >>> r = solve(f, np.zeros(3), "gd", jac=g, maxiter=1)
    >>> r.success, r.status_enum.name
    (False, 'MAXITER')
    """
    driver_options, solver_options = _split_options(method, options)
    solver, name = _solver(method, solver_options)
    objective = Objective(fun, jac, hessp, fun_and_jac=fun_and_jac, args=args, convex=convex)
    if solver.needs_hessp and not objective.has_hessp:
        raise ValueError(f"hessp: method {name!r} needs Hessian-vector products; pass "
                         "hessp=callable")
    return run(solver, objective, x0, bounds=bounds, callback=callback, method=name,
               **driver_options)
