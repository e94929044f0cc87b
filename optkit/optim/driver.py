"""The only iteration loop: stopping tests, callbacks, history, counting and the result.

The solver protocol and the defaults of its optional hooks are in
:mod:`optkit.optim.solvers.base`: a solver derives from ``Solver`` and implements
``init(objective, x0)`` and ``step(objective, state)``; the driver asks its hooks
(``stationarity``, ``accepted``, ``leave_saddle``, ``converged``, ``result_fields``,
``first_order_note``, ``default_ftol``) without probing for them and never branches on the
solver's type.

A solve (:func:`run`):

1. checks the options and x0 (:func:`check_x0`); with ``bounds``, projects x0 into the box
   (one warning saying how many components moved) and refuses a solver without
   ``supports_bounds``;
2. evaluates f and g at x0 (a ValueError when either is non-finite) and calls
   ``solver.init(objective, x0)`` (``init(objective, x0, bounds=bounds)`` with bounds);
3. loops: the solver's own test (``converged``), then the gradient test and the limits
   (``_Solve.iterate``); one ``step`` (or ``leave_saddle`` where the gradient test holds);
   then the tests after a step that moved (``_Solve.converged``: ftol, xtol, stall). With
   no callback, history, time limit or test after a step (the least-squares front door's
   case) the same loop runs with its fields in locals (``_Solve.iterate_plain``);
4. builds the result from the last state (a success) or the best one seen (anything else).

Steps 2-4 are :func:`run_checked`, which a front door that has checked every argument itself
(``optkit.least_squares``) calls directly.

Invariant on entry to ``step`` (and ``leave_saddle``): ``state.f == f(state.x)`` and
``state.g == grad f(state.x)``, both finite; with bounds, ``state.x`` lies in the box;
``solver.converged(state)`` is None, no limit (maxiter, maxfev, max_time) is reached, and
``solver.stationarity(state) > gtol`` (``<= gtol`` for ``leave_saddle``). ``step`` returns a
new state and does not modify the x, g arrays of the one it received (the driver keeps the
best state seen). A solver that cannot make progress raises a
:class:`~optkit.optim.errors.SolverError`; only this driver turns it into a Status.
"""

import math
import numbers
import time
import warnings

import numpy as np

from .bounds import as_bounds
from .errors import SolverError
from .result import History, OptimizeResult, Status
from .solvers.base import Solver, inf_norm
from .start import all_finite, check_x0

__all__ = ["DEFAULT_GTOL", "DRIVER_OPTIONS", "check_options", "check_x0", "run", "run_checked"]

DEFAULT_GTOL = 1e-5  # the first-order test ||g||_inf <= gtol when the caller gives none
DRIVER_OPTIONS = ("gtol", "ftol", "xtol", "maxiter", "maxfev", "max_time", "history")

# The stall test, on when ftol is not given: a stop (a failure, Status.STALLED) after
# STALL_ITERATIONS consecutive iterations in which f fell by at most STALL_RTOL relative to
# |f| (about 45 rounding units: differences of f below it are mostly noise) and
# |g|_inf reached no new low. Measured on bench/solvers.py: it solves every problem that
# ftol=1e-14 solves, at a few more evaluations (see the commit message).
STALL_RTOL = 1e-14
STALL_ITERATIONS = 5


def _check_tolerance(name, value):
    if ((type(value) is not float  # a float needs no type test (numbers.Real's is slow)
         and (isinstance(value, bool) or not isinstance(value, numbers.Real)))
            or not math.isfinite(value) or value < 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def _check_count(name, value, minimum):
    if value is None:
        return None
    if type(value) is int and value >= minimum:  # an int needs no type test (Integral's is slow)
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be None or an integer >= {minimum}, got {value!r}")
    return int(value)


def check_options(*, gtol=DEFAULT_GTOL, ftol=None, xtol=0.0, maxiter=None, maxfev=None,
                  max_time=None, callback=None, history=False):
    """Validate the driver's options (see :func:`run`) without solving.

    Returns ``(gtol, ftol, xtol, maxiter, maxfev)`` as floats and ints (ftol None stays None:
    not given, the stall test runs instead); raises ValueError or TypeError naming the bad
    option.
    """
    gtol = _check_tolerance("gtol", gtol)
    ftol = None if ftol is None else _check_tolerance("ftol", ftol)
    xtol = _check_tolerance("xtol", xtol)
    maxiter = _check_count("maxiter", maxiter, 0)
    maxfev = _check_count("maxfev", maxfev, 1)
    if max_time is not None:
        if isinstance(max_time, bool) or not isinstance(max_time, numbers.Real) or not max_time > 0:
            raise ValueError(f"max_time must be None or a number of seconds > 0, got {max_time!r}")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable or None, got {type(callback).__name__}")
    if not isinstance(history, bool):
        raise TypeError(f"history must be True or False, got {history!r}")
    return gtol, ftol, xtol, maxiter, maxfev


# stops the user asked for at run time: the message has nothing to add
_ASKED = (Status.CALLBACK_STOP, Status.INTERRUPTED)


def _intermediate(state, nit, objective, method):
    nfev, njev, nhev = objective.counts()
    return OptimizeResult(x=np.array(state.x), fun=float(state.f), jac=np.array(state.g), nit=nit,
                          nfev=nfev, njev=njev, nhev=nhev, method=method)


class _Progress:
    """The stall test: counts iterations that lowered neither f (beyond rounding) nor |g|_inf."""

    def __init__(self, gnorm):
        self.best_gnorm = gnorm
        self.idle = 0

    def stalled(self, f_prev, f, gnorm):
        """Record one iteration; True after STALL_ITERATIONS idle ones in a row."""
        # relative to |f| itself (no floor at 1, unlike ftol): near f* = 0 a sum of squares
        # keeps its relative precision, and tiny decreases there are real progress
        decreased = f_prev - f > STALL_RTOL * max(abs(f_prev), abs(f))
        if decreased or gnorm < self.best_gnorm:
            self.idle = 0
        else:
            self.idle += 1
        self.best_gnorm = min(self.best_gnorm, gnorm)
        return self.idle >= STALL_ITERATIONS


def _check_solver(solver):
    if not isinstance(solver, Solver):
        raise TypeError("solver must be an optkit.optim.Solver (a subclass defining init() and "
                        f"step()), got {type(solver).__name__}")


def _into_box(x0, bounds, solver, method):
    """x0 projected into ``bounds`` (one warning when it moved); bounds checked for n."""
    if not solver.supports_bounds:
        name = method if method is not None else type(solver).__name__
        raise ValueError(f"bounds: method {name!r} does not take bounds")
    x0, moved = bounds.project_x0(x0)
    if moved:
        warnings.warn(f"x0: {moved} of {x0.size} components lay outside the bounds and were "
                      "projected onto them", UserWarning, stacklevel=3)
    return x0


def _start(solver, objective, x0, bounds):
    """The first state: f and g at x0 checked finite, then ``solver.init``."""
    f0, g0 = objective.f_and_g(x0)
    if not math.isfinite(f0):
        raise ValueError(f"non-finite objective at x0 (f = {f0})")
    if not all_finite(g0):
        raise ValueError("non-finite gradient at x0 (entries "
                         f"{np.flatnonzero(~np.isfinite(g0))[:5].tolist()} ...)")
    if bounds is None:
        return solver.init(objective, x0)
    return solver.init(objective, x0, bounds=bounds)


class _Solve:
    """One solve in progress: the current and best states, the iteration count, the current
    state's stationarity measure, the history and the stall test. ``iterate`` runs the loop
    and returns ``(Status, detail)``; ``result`` builds the OptimizeResult."""

    def __init__(self, solver, objective, state, *, gtol, ftol, xtol, maxiter, maxfev,
                 max_time, callback, trace, start, method, measure="|g|_inf"):
        self.solver, self.objective = solver, objective
        self.measure = measure  # the stationarity measure's name, for messages
        self.gtol, self.ftol, self.xtol = gtol, ftol, xtol
        self.maxiter, self.maxfev, self.max_time = maxiter, maxfev, max_time
        self.callback, self.trace, self.start, self.method = callback, trace, start, method
        self.state = self.best = state
        self.nit = 0
        self.gnorm = solver.stationarity(state)
        self.progress = _Progress(self.gnorm) if ftol is None else None
        # whether any test after a step that moved (``converged``) is on: with ftol, xtol and
        # the stall test all off (the least-squares solvers' own stops), skip asking
        self.tests_after_step = (ftol is None or ftol > 0) or xtol > 0
        if trace is not None:
            trace.append(0, state.f, self.gnorm, 0.0, *objective.counts())

    # -- the loop ----------------------------------------------------------------------------
    def iterate(self):
        """Iterate until a test stops the solve; ``(Status, detail)``."""
        if (self.callback is None and self.trace is None and self.max_time is None
                and not self.tests_after_step):
            stop = self.iterate_plain()
            if stop is not None:
                return stop
        solver, objective = self.solver, self.objective
        while True:
            own = solver.converged(self.state)
            if own is not None:
                return own
            stationary = self.gnorm <= self.gtol
            limit = self.limit()
            if limit is not None:
                return (Status.CONVERGED_GTOL if stationary else limit), ""
            try:
                if stationary:
                    new = solver.leave_saddle(objective, self.state)
                    if new is None:
                        return Status.CONVERGED_GTOL, ""
                else:
                    new = solver.step(objective, self.state)
            except SolverError as exc:
                return self.failed(exc)
            except FloatingPointError as exc:  # numpy raising on overflow/invalid (np.seterr)
                return Status.NONFINITE, str(exc)
            stop = self.advance(new)
            if stop is not None:
                return stop

    def iterate_plain(self):
        """``iterate``'s loop where nothing but the solver's own test, gtol and the limits
        on iterations and evaluations can stop (no callback, history, time limit or tests
        after a step): the same steps and counts, with the solve's fields in locals (a
        least-squares trial costs tens of microseconds, and each attribute, method call
        and test of ``advance`` and ``limit`` adds to it). ``(Status, detail)`` to stop,
        or None where the gradient test holds or a limit is reached: ``iterate`` then
        takes over at the same state (asking ``converged`` once more, a query)."""
        solver, objective = self.solver, self.objective
        converged, step, stationarity = solver.converged, solver.step, solver.stationarity
        gtol, maxiter = self.gtol, self.maxiter
        maxfev = math.inf if self.maxfev is None else self.maxfev
        isfinite = math.isfinite
        state, best, gnorm, nit = self.state, self.best, self.gnorm, self.nit
        # held in locals only (written back below): a state the loop has left is freed at
        # once, not kept through the solve (an LM state holds J and its factorizations)
        self.state = self.best = None
        stop = failure = None
        try:
            while True:
                stop = converged(state)
                if stop is not None or gnorm <= gtol or nit >= maxiter or (
                        objective.nfev >= maxfev):
                    break
                new = step(objective, state)
                nit += 1
                new_gnorm = stationarity(new)
                if not (isfinite(new.f) and isfinite(new_gnorm)):
                    stop = Status.NONFINITE, "the solver produced a non-finite f or g"
                    break
                state, gnorm = new, new_gnorm
                if new.f <= best.f:
                    best = new
        except SolverError as exc:
            failure = exc
        except FloatingPointError as exc:  # numpy raising on overflow/invalid (np.seterr)
            stop = Status.NONFINITE, str(exc)
        finally:  # every exit, KeyboardInterrupt included (run reports the state reached)
            self.state, self.best, self.gnorm, self.nit = state, best, gnorm, nit
        if failure is not None:  # after the fields: the better state it carries may win
            return self.failed(failure)
        return stop

    def limit(self):
        """The budget that is spent (MAXITER, MAXFEV, MAX_TIME), or None."""
        if self.nit >= self.maxiter:
            return Status.MAXITER
        if self.maxfev is not None and self.objective.nfev >= self.maxfev:
            return Status.MAXFEV
        if self.max_time is not None and time.perf_counter() - self.start >= self.max_time:
            return Status.MAX_TIME
        return None

    def failed(self, exc):
        """A SolverError's status; the better state it may carry becomes the best."""
        found = exc.state
        if (found is not None and math.isfinite(found.f)
                and math.isfinite(inf_norm(found.g)) and found.f < self.best.f):
            self.best = found
        return exc.status, exc.reason

    def advance(self, new):
        """Count the iteration that made ``new``, record it, run the callback and the tests
        after a step that moved; ``(Status, detail)`` to stop, or None."""
        self.nit += 1
        gnorm = self.solver.stationarity(new)
        if not (math.isfinite(new.f) and math.isfinite(gnorm)):
            return Status.NONFINITE, "the solver produced a non-finite f or g"
        prev, self.state, self.gnorm = self.state, new, gnorm
        if new.f <= self.best.f:
            self.best = new
        if self.trace is not None:
            self.trace.append(self.nit, new.f, gnorm, float(new.step_norm),
                              *self.objective.counts())
        if self.callback is not None:
            try:
                stop = self.callback(_intermediate(new, self.nit, self.objective, self.method))
            except StopIteration:
                stop = True
            if stop:
                return Status.CALLBACK_STOP, ""
        if self.tests_after_step and self.solver.accepted(new):
            return self.converged(prev, new)
        return None

    def converged(self, prev, state):
        """The tests after a step that moved: ftol, xtol, stall; ``(Status, detail)`` or None."""
        gnorm = self.gnorm
        ftol = self.ftol
        if ftol is not None and ftol > 0:
            scale = max(abs(prev.f), abs(state.f), 1.0)
            if 0 <= prev.f - state.f <= ftol * scale:
                detail = ""
                if gnorm > self.gtol:  # say so: f stalled, but this may not be a minimum
                    detail = (f"{self.measure} = {gnorm:.2e} is above gtol = {self.gtol:.2e} "
                              "(leave ftol out to stop on the gradient only)")
                return Status.CONVERGED_FTOL, detail
        if self.xtol > 0 and float(state.step_norm) <= self.xtol:
            return Status.CONVERGED_XTOL, ""
        if (self.progress is not None and self.progress.stalled(prev.f, state.f, gnorm)
                and gnorm > self.gtol):
            return Status.STALLED, f"{STALL_ITERATIONS} iterations in a row"
        return None

    # -- the result --------------------------------------------------------------------------
    def result(self, status, detail):
        """The OptimizeResult: the last state after a success, else the best one seen."""
        code, message = status._value_  # (code, message); .value is a Python-level property
        success = code == 0  # Status.success
        final = self.state if success else self.best
        nfev, njev, nhev = self.objective.counts()
        if detail:
            message = f"{message}: {detail}"
        if not (success or status in _ASKED):
            message += f" ({self.solver.first_order_note(final, self.gtol, self.measure)})"
        return OptimizeResult(
            x=np.array(final.x), fun=float(final.f), jac=np.array(final.g), nit=self.nit,
            nfev=nfev, njev=njev, nhev=nhev, status=code, success=success,
            message=message, status_enum=status, method=self.method, history=self.trace,
            time=time.perf_counter() - self.start, **self.solver.result_fields(final),
        )


def run(solver, objective, x0, *, bounds=None, gtol=DEFAULT_GTOL, ftol=None, xtol=0.0, maxiter=None,
        maxfev=None, max_time=None, callback=None, history=False, method=None):
    """Minimize ``objective`` from ``x0`` with ``solver``; return an OptimizeResult.

    ``solver`` is a :class:`~optkit.optim.solvers.base.Solver`. ``bounds`` (None, or any form
    :func:`~optkit.optim.bounds.as_bounds` accepts) is the box lb <= x <= ub, passed to the
    solver's ``init``; x0 outside it is projected into it with a warning, and a solver without
    ``supports_bounds`` is a ValueError. With ``bounds=None`` nothing about the box applies.

    ``success`` is True only when the first-order test holds or a stop the caller asked for
    explicitly (ftol, xtol, the callback) fired. Stopping (checked between iterations, in this
    order)::

      gtol      solver.stationarity(state) (||g||_inf; in a box ||P(x - g) - x||_inf) <= gtol
                (default 1e-5), and the solver's ``leave_saddle`` finds no way down
                                                                       -> CONVERGED_GTOL
      ftol      0 <= f_prev - f <= ftol * max(|f_prev|, |f|, 1) after a step that moved
                (default: the solver's ``default_ftol``, None: off; 0 also turns it off)
                                                                       -> CONVERGED_FTOL
      stall     only when ftol is None: STALL_ITERATIONS (5) steps that moved, in a row,
                in which f fell by at most STALL_RTOL (1e-14) * max(|f_prev|, |f|) and
                ||g||_inf reached no new low: a failure, f is at its rounding level or the
                solver makes no headway                                -> STALLED
      xtol      step_norm <= xtol after a step that moved (default 0: off) -> CONVERGED_XTOL
      maxiter   iterations (default max(1000, 200 n))                  -> MAXITER
      maxfev    function evaluations (default: no limit; one iteration may overshoot) -> MAXFEV
      max_time  seconds of wall clock (default: no limit)              -> MAX_TIME

    A solver's own ``converged(state)`` (see ``solvers.base``) is asked first, on every state.
    ``callback(intermediate_result)`` runs after each iteration; returning True or raising
    StopIteration stops with CALLBACK_STOP (a success: the caller asked for it). KeyboardInterrupt
    stops with INTERRUPTED. A SolverError stops with the status its class names; a
    FloatingPointError raised during a step (numpy under ``np.seterr(all="raise")``) with
    NONFINITE. A successful solve returns its last point; every other outcome returns the best
    (lowest f) point seen, so no progress is lost, and (but for a callback stop or an
    interrupt) its message ends with the stationarity measure reached there.

    Parameters
    ----------
    solver : Solver
        The iteration (e.g. ``LBFGS()``).
    objective : Objective
        f, its gradient and (for newton-cg) Hessian-vector products, counted.
    x0 : array_like
        The start, 1-D.
    bounds : optional
        The box, as above.
    gtol, ftol, xtol : float, optional
        The tolerances above.
    maxiter, maxfev : int, optional
        The iteration and evaluation limits above.
    max_time : float, optional
        Seconds of wall clock.
    callback : callable, optional
        ``callback(intermediate_result)``, as above.
    history : bool, optional
        Record a :class:`History` row per iteration.
    method : str, optional
        The name the result's ``method`` field gets.

    Returns
    -------
    OptimizeResult
        SciPy's fields (x, fun, jac, nit, nfev, njev, nhev, status, success, message) and
        ``status_enum``, ``method``, ``time``, ``history``, plus the solver's
        ``result_fields``.

    Raises
    ------
    ValueError
        Bad options, a bad ``x0`` or bounds, bounds for a solver without
        ``supports_bounds``, or f or g non-finite at x0.
    TypeError
        ``solver`` is not a Solver.

    Examples
    --------
    >>> import numpy as np
    >>> from optkit.optim import LBFGS, Objective, run
    >>> objective = Objective(lambda x: float(np.sum((x - 1.0) ** 2)), lambda x: 2.0 * (x - 1.0))
    >>> r = run(LBFGS(), objective, np.zeros(3), gtol=1e-8)
    >>> r.success, r.message, (r.nfev, r.njev)
    (True, 'gradient norm below gtol', (3, 3))
    >>> r = run(LBFGS(), objective, np.zeros(3), callback=lambda res: True)
    >>> r.success, r.status_enum.name, r.nit
    (True, 'CALLBACK_STOP', 1)
    """
    gtol, ftol, xtol, maxiter, maxfev = check_options(
        gtol=gtol, ftol=ftol, xtol=xtol, maxiter=maxiter, maxfev=maxfev, max_time=max_time,
        callback=callback, history=history)
    _check_solver(solver)
    x0 = check_x0(x0)
    bounds = None if bounds is None else as_bounds(bounds, x0.size)
    if bounds is not None:
        x0 = _into_box(x0, bounds, solver, method)
    return run_checked(solver, objective, x0, bounds=bounds, gtol=gtol, ftol=ftol, xtol=xtol,
                       maxiter=maxiter, maxfev=maxfev, max_time=max_time, callback=callback,
                       history=history, method=method)


def run_checked(solver, objective, x0, *, bounds, gtol, ftol, xtol, maxiter, maxfev, max_time,
                callback, history, method):
    """:func:`run` after its checks: the solve itself, for a front door that has checked
    every argument as ``run`` would (an optkit Bounds or None, x0 a 1-D finite float64 array
    of its own inside the box, which the solve may keep: the options as
    :func:`check_options` returns them, ``solver`` a Solver). The same loop, stops, callbacks,
    counting and result as ``run``; only the second round of checks is skipped (a few
    microseconds of a least-squares solve of ~15 trials of ~25 us)."""
    if maxiter is None:
        maxiter = max(1000, 200 * x0.size)
    if ftol is None:
        ftol = solver.default_ftol

    start = time.perf_counter()
    state = _start(solver, objective, x0, bounds)
    solve = _Solve(solver, objective, state, gtol=gtol, ftol=ftol, xtol=xtol, maxiter=maxiter,
                   maxfev=maxfev, max_time=max_time, callback=callback,
                   trace=History() if history else None, start=start, method=method,
                   measure="|g|_inf" if bounds is None or bounds.is_unbounded
                   else "|P(x - g) - x|_inf")
    del state  # the solve holds it (and lets it go once it is neither current nor best)
    try:
        status, detail = solve.iterate()
    except KeyboardInterrupt:
        status, detail = Status.INTERRUPTED, ""
    return solve.result(status, detail)
