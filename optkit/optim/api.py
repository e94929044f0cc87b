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

    Raises ValueError or TypeError naming an unknown method or option (with the closest
    valid name) or an option value out of its range; returns None when all are valid.
    """
    driver_options, solver_options = _split_options(method, options)
    _solver(method, solver_options)
    _check_driver_options(**driver_options)


def solve(fun, x0, method="lbfgs", *, jac=None, hessp=None, fun_and_jac=None, args=(),
          bounds=None, callback=None, **options):
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
    refuses the others.
    """
    driver_options, solver_options = _split_options(method, options)
    solver, name = _solver(method, solver_options)
    objective = Objective(fun, jac, hessp, fun_and_jac=fun_and_jac, args=args)
    if solver.needs_hessp and not objective.has_hessp:
        raise ValueError(f"hessp: method {name!r} needs Hessian-vector products; pass "
                         "hessp=callable")
    return run(solver, objective, x0, bounds=bounds, callback=callback, method=name,
               **driver_options)
