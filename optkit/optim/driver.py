"""The only iteration loop: stopping tests, callbacks, history, counting and the result.

Solver protocol (every file under ``solvers/``):
    ``solver.init(objective, x0) -> state`` and ``solver.step(objective, state) -> state``,
    where a state is a dataclass with at least ``x``, ``f``, ``g``; it may also carry
    ``step_norm`` (2-norm of the step just taken) and ``accepted`` (False when the iteration
    left x unchanged, e.g. a rejected trust-region step; the ftol/xtol tests then do not apply).

A solver may also offer ``solver.leave_saddle(objective, state) -> state | None``: when the
gradient test is met, the driver calls it (while iterations, evaluations and time remain) and
stops only on None; a returned state is a step off a saddle point and counts as an iteration.

``solver.converged(state) -> (Status, reason) | None``, also optional, is the solver's own
stopping test (MINPACK's tests for least squares): the driver asks it about every state, the
one ``init`` returned included, before its own tests and limits, and stops with that status
when it answers; a success returns that state, a failure the best one. Without it, only the
driver's tests apply.

``solver.result_fields(state) -> dict``, also optional, adds fields to the result (L-BFGS's
``hess_inv``), computed from the state the result reports.

Invariant on entry to ``step`` (and ``leave_saddle``): ``state.f == f(state.x)``,
``state.g == grad f(state.x)``, both finite. ``step`` returns a new state and does not modify
the x, g arrays of the one it received (the driver keeps the best state seen). A solver that
cannot make progress raises an :class:`~optkit.optim.errors.SolverError`; only this driver
turns it into a Status.
"""

import math
import numbers
import time

import numpy as np

from .errors import SolverError
from .result import History, OptimizeResult, Status

__all__ = ["DRIVER_OPTIONS", "check_options", "run"]

DRIVER_OPTIONS = ("gtol", "ftol", "xtol", "maxiter", "maxfev", "max_time", "history")

# The stall test, on when ftol is not given: a stop (a failure, Status.STALLED) after
# STALL_ITERATIONS consecutive iterations in which f fell by at most STALL_RTOL relative to
# |f| (about 45 rounding units: differences of f below it are mostly noise) and
# |g|_inf reached no new low. Measured on bench/solvers.py: it solves every problem that
# ftol=1e-14 solves, at a few more evaluations (see the commit message).
STALL_RTOL = 1e-14
STALL_ITERATIONS = 5


def _check_tolerance(name, value):
    if (isinstance(value, bool) or not isinstance(value, numbers.Real)
            or not math.isfinite(value) or value < 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def _check_count(name, value, minimum):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be None or an integer >= {minimum}, got {value!r}")
    return int(value)


def check_x0(x0):
    """x0 as a fresh 1-D float64 array; scalars become 1-element arrays."""
    try:
        x = np.array(x0, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"x0 must be a 1-D array of real numbers, got {type(x0).__name__}") from exc
    if x.ndim == 0:
        x = x.reshape(1)
    if x.ndim != 1:
        raise ValueError(f"x0 must be 1-D, got an array of shape {x.shape}")
    if x.size == 0:
        raise ValueError("x0 must have at least one element")
    if not np.isfinite(x).all():
        raise ValueError("x0 must be finite")
    return x


def check_options(*, gtol=1e-5, ftol=None, xtol=0.0, maxiter=None, maxfev=None,
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


# stops the user asked for at run time: not a success, and the message has nothing to add
_ASKED = (Status.CALLBACK_STOP, Status.INTERRUPTED)


def _gnorm(g):
    """||g||_inf without a temporary array; nan when g has a nan, inf when it has an inf."""
    return float(max(g.max(), -g.min()))


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


def run(solver, objective, x0, *, gtol=1e-5, ftol=None, xtol=0.0, maxiter=None,
        maxfev=None, max_time=None, callback=None, history=False, method=None):
    """Minimize ``objective`` from ``x0`` with ``solver``; return an OptimizeResult.

    ``success`` is True only when the first-order test holds or a stop the caller asked for
    explicitly (ftol, xtol) fired. Stopping (checked between iterations, in this order):
      gtol      ||g||_inf <= gtol (default 1e-5), and the solver's ``leave_saddle`` (if
                any) finds no way down                                 -> CONVERGED_GTOL
      ftol      0 <= f_prev - f <= ftol * max(|f_prev|, |f|, 1) after a step that moved
                (default None: off; 0 also turns it off)               -> CONVERGED_FTOL
      stall     only when ftol is None: STALL_ITERATIONS (5) steps that moved, in a row,
                in which f fell by at most STALL_RTOL (1e-14) * max(|f_prev|, |f|) and
                ||g||_inf reached no new low: a failure, f is at its rounding level or the
                solver makes no headway                                -> STALLED
      xtol      step_norm <= xtol after a step that moved (default 0: off) -> CONVERGED_XTOL
      maxiter   iterations (default max(1000, 200 n))                  -> MAXITER
      maxfev    function evaluations (default: no limit; one iteration may overshoot) -> MAXFEV
      max_time  seconds of wall clock (default: no limit)              -> MAX_TIME
    A solver's own ``converged(state)`` (module docstring) is asked first, on every state.
    ``callback(intermediate_result)`` runs after each iteration; returning True or raising
    StopIteration stops with CALLBACK_STOP (a success: the caller asked for it). KeyboardInterrupt
    stops with INTERRUPTED. A SolverError stops with the status its class names; a
    FloatingPointError raised during a step (numpy under ``np.seterr(all="raise")``) with
    NONFINITE. A successful solve returns its last point; every other outcome returns the best
    (lowest f) point seen, so no progress is lost, and (but for a callback stop or an
    interrupt) its message ends with the ||g||_inf reached there.
    ``history=True`` records a :class:`History` row per iteration.

    Raises ValueError for bad options and when f or g is non-finite at x0.
    """
    gtol, ftol, xtol, maxiter, maxfev = check_options(
        gtol=gtol, ftol=ftol, xtol=xtol, maxiter=maxiter, maxfev=maxfev, max_time=max_time,
        callback=callback, history=history)
    x0 = check_x0(x0)
    if maxiter is None:
        maxiter = max(1000, 200 * x0.size)

    start = time.perf_counter()
    f0, g0 = objective.f_and_g(x0)
    if not math.isfinite(f0):
        raise ValueError(f"non-finite objective at x0 (f = {f0})")
    if not np.isfinite(g0).all():
        raise ValueError("non-finite gradient at x0 (entries "
                         f"{np.flatnonzero(~np.isfinite(g0))[:5].tolist()} ...)")
    state = solver.init(objective, x0)
    trace = History() if history else None
    if trace is not None:
        trace.append(0, state.f, _gnorm(state.g), 0.0, *objective.counts())

    best, nit, status, detail = state, 0, None, ""
    gnorm = _gnorm(state.g)
    progress = _Progress(gnorm) if ftol is None else None
    leave_saddle = getattr(solver, "leave_saddle", None)
    converged = getattr(solver, "converged", None)
    try:
        while True:
            own = converged(state) if converged is not None else None
            if own is not None:
                status, detail = own
                break
            stationary = gnorm <= gtol
            if nit >= maxiter:
                limit = Status.MAXITER
            elif maxfev is not None and objective.nfev >= maxfev:
                limit = Status.MAXFEV
            elif max_time is not None and time.perf_counter() - start >= max_time:
                limit = Status.MAX_TIME
            else:
                limit = None
            if stationary and (leave_saddle is None or limit is not None):
                status = Status.CONVERGED_GTOL
                break
            if limit is not None:
                status = limit
                break
            try:
                if stationary:
                    new = leave_saddle(objective, state)
                    if new is None:
                        status = Status.CONVERGED_GTOL
                        break
                else:
                    new = solver.step(objective, state)
            except SolverError as exc:
                status, detail = exc.status, exc.reason
                found = exc.state
                if (found is not None and math.isfinite(found.f)
                        and math.isfinite(_gnorm(found.g)) and found.f < best.f):
                    best = found
                break
            except FloatingPointError as exc:  # numpy raising on overflow/invalid (np.seterr)
                status, detail = Status.NONFINITE, str(exc)
                break
            nit += 1
            gnorm = _gnorm(new.g)
            if not (math.isfinite(new.f) and math.isfinite(gnorm)):
                status, detail = Status.NONFINITE, "the solver produced a non-finite f or g"
                break
            prev, state = state, new
            if state.f <= best.f:
                best = state
            step_norm = float(getattr(state, "step_norm", math.nan))
            if trace is not None:
                trace.append(nit, state.f, gnorm, step_norm, *objective.counts())
            if callback is not None:
                try:
                    stop = callback(_intermediate(state, nit, objective, method))
                except StopIteration:
                    stop = True
                if stop:
                    status = Status.CALLBACK_STOP
                    break
            if getattr(state, "accepted", True):
                scale = max(abs(prev.f), abs(state.f), 1.0)
                if ftol is not None and ftol > 0 and 0 <= prev.f - state.f <= ftol * scale:
                    status = Status.CONVERGED_FTOL
                    if gnorm > gtol:  # say so: f stalled, but this may not be a minimum
                        detail = (f"|g|_inf = {gnorm:.2e} is above gtol = {gtol:.2e} (leave "
                                  "ftol out to stop on the gradient only)")
                    break
                if xtol > 0 and step_norm <= xtol:
                    status = Status.CONVERGED_XTOL
                    break
                if (progress is not None and progress.stalled(prev.f, state.f, gnorm)
                        and gnorm > gtol):
                    status = Status.STALLED
                    detail = f"{STALL_ITERATIONS} iterations in a row"
                    break
    except KeyboardInterrupt:
        status = Status.INTERRUPTED

    final = state if status.success else best
    nfev, njev, nhev = objective.counts()
    message = f"{status.message}: {detail}" if detail else status.message
    if not (status.success or status in _ASKED):
        message += f" (|g|_inf = {_gnorm(final.g):.2e} at the point returned, gtol = {gtol:.2e})"
    extra = getattr(solver, "result_fields", None)
    return OptimizeResult(
        x=np.array(final.x), fun=float(final.f), jac=np.array(final.g), nit=nit, nfev=nfev,
        njev=njev, nhev=nhev, status=status.code, success=status.success, message=message,
        status_enum=status, method=method, history=trace, time=time.perf_counter() - start,
        **(extra(final) if extra is not None else {}),
    )
