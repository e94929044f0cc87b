"""One solve of one problem by one method, as a plain record the commands print or save.

optkit's own methods go through ``optkit.minimize``, its least-squares methods (lm, gn-cg)
through ``optkit.least_squares`` on the problem's residuals (f = sum r^2, so the record's f and
gradient are twice the cost and its gradient); ``scipy:<Method>`` goes through
``optkit.scipy.minimize`` (SciPy's solvers with AD derivatives), imported only when asked for.
Bounds, when given, go to each of them (SciPy's as a ``scipy.optimize.Bounds``); a start
outside them is projected onto the box first, with one warning, so every method starts from
the same feasible point.
The clock leaves out one-time costs: SciPy's import and each method's first call are paid by
a warm-up solve of a small quadratic before the first timed solve with that method.
A KeyboardInterrupt always ends as status "interrupted" with the best point seen so far.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field

import numpy as np

import optkit
from optkit.fitting import METHODS as LSQ_METHODS
from optkit.problems import Problem

__all__ = ["HISTORY_FIELDS", "Outcome", "bounded_summary", "run"]

HISTORY_FIELDS = ("nit", "f", "gnorm", "step", "nfev", "njev", "nhev")


@dataclass
class Outcome:
    """The end of a solve: the best/last point and how it was reached.

    ``status`` is a lower-case word (optkit's Status name, e.g. "converged_gtol", or
    "converged"/"failed" for SciPy, or "interrupted"); ``success`` means converged.
    ``history`` is a list of dicts keyed by HISTORY_FIELDS when asked for, else None.
    ``warnings`` are the distinct warnings raised during the solve, one line each.
    """

    x: np.ndarray
    fun: float
    gnorm: float | None
    status: str
    status_code: int
    message: str
    success: bool
    nit: int
    nfev: int | None  # None: not known (Ctrl-C escaped from inside SciPy)
    njev: int | None
    nhev: int | None
    time: float
    history: list | None = field(default=None)
    warnings: list = field(default_factory=list)
    cost: float | None = None  # least squares: 1/2 ||r||^2
    optimality: float | None = None  # least squares: ||P(x - g) - x||_inf of the cost
    gradient: np.ndarray | None = None  # the objective's gradient at x, when the solver has it
    bounded: dict = field(default_factory=dict)  # with bounds: n_active, n_bounded, pgnorm


def _inf_norm(g):
    if g is None:
        return None
    g = np.asarray(g, dtype=float)
    return float(np.max(np.abs(g))) if g.size else 0.0


def _gradient(result):
    """The objective's gradient in a result: trust-constr keeps it in 'grad' ('jac' holds the
    constraints' Jacobians there); SciPy's derivative-free methods have none."""
    if "grad" in result:
        return result["grad"]
    return result.get("jac")


class _Tracker:
    """The callback the runner always installs: keeps the best point, records history rows
    for SciPy (optkit keeps its own) and forwards each iteration to ``on_iteration``."""

    def __init__(self, on_iteration, x0, fun):
        self.on_iteration = on_iteration
        self.fun = fun
        self.best_x, self.best_f = None, math.inf
        self.prev_x = np.array(x0, dtype=float)
        self.rows = []
        self.start_row = None

    def history(self):
        """The rows recorded, after the start row when there is one."""
        return ([self.start_row] if self.start_row is not None else []) + self.rows

    def __call__(self, intermediate):
        if isinstance(intermediate, np.ndarray):  # SciPy's TNC passes only x: evaluate f
            intermediate = {"x": intermediate, "fun": self.fun(np.array(intermediate))}
        x = np.array(intermediate["x"], dtype=float)
        f = float(intermediate["fun"])
        step = float(np.linalg.norm(x - self.prev_x))
        self.prev_x = x
        if math.isfinite(f) and f <= self.best_f:
            self.best_x, self.best_f = x, f
        row = {"nit": int(intermediate.get("nit", len(self.rows) + 1)), "f": f,
               "gnorm": _inf_norm(_gradient(intermediate)), "step": step,
               "nfev": intermediate.get("nfev"), "njev": intermediate.get("njev"),
               "nhev": intermediate.get("nhev")}
        self.rows.append(row)
        if self.on_iteration is not None:
            self.on_iteration(row)


def _optkit(problem, method, x0, callback, gtol, maxiter, history, compile_, extra,
            bounds=None):
    options = {**extra, "history": history, "compile": compile_}
    if bounds is not None:
        options["bounds"] = bounds
    if gtol is not None:
        options["gtol"] = gtol
    if maxiter is not None:
        options["maxiter"] = maxiter

    def optkit_callback(intermediate_result):  # as SciPy: a result only to this name
        return callback(intermediate_result)

    return optkit.minimize(problem.objective, x0, method, callback=optkit_callback, **options)


def _least_squares(problem, method, x0, callback, gtol, maxiter, extra, bounds=None):
    """``optkit.least_squares`` on the residuals; a record in the problem's f = sum r^2."""
    options = dict(extra)
    if bounds is not None:
        options["bounds"] = bounds
    if gtol is not None:
        options["gtol"] = gtol
    if maxiter is not None:
        options["max_nfev"] = maxiter

    def lsq_callback(intermediate_result):  # as SciPy: a result only to this name
        r = intermediate_result
        return callback({**r, "fun": 2.0 * r["fun"], "jac": 2.0 * r["jac"]})

    res = optkit.least_squares(problem.residuals, x0, method, callback=lsq_callback, **options)
    return {"x": res.x, "fun": 2.0 * res.cost, "jac": 2.0 * res.grad, "status": res.status,
            "status_enum": res.status_enum, "message": res.message, "success": res.success,
            "nit": res.nit, "nfev": res.nfev, "njev": res.njev, "nhev": 0, "time": res.time,
            "cost": res.cost, "optimality": res.optimality}


def _scipy(problem, method, x0, callback, gtol, maxiter, compile_, extra, bounds=None):
    from optkit import scipy as optkit_scipy  # SciPy is imported only for scipy:* methods

    def scipy_callback(intermediate_result):  # SciPy passes a result only to this name
        return callback(intermediate_result)

    options = dict(extra)
    if maxiter is not None:  # TNC counts function evaluations, not iterations
        options["maxfun" if method == "TNC" else "maxiter"] = maxiter
    if bounds is not None:
        from scipy.optimize import Bounds as ScipyBounds

        options_bounds = {"bounds": ScipyBounds(bounds.lb, bounds.ub)}
    else:
        options_bounds = {}
    return optkit_scipy.minimize(problem.objective, x0, method=method,
                                 callback=scipy_callback, tol=gtol, options=options,
                                 compile=compile_, **options_bounds)


_WARMED_UP = set()  # methods whose one-time costs this process has paid


def _warm_up(method, compile_):
    """Solve a 2-variable quadratic once per method and process, untimed, so that SciPy's
    import (about 0.2 s against millisecond solves) and the lazy imports of a method's first
    call do not land in the first timed solve. Its outcome, warnings included, is dropped:
    the timed solve reports whatever goes wrong."""
    if method in _WARMED_UP:
        return
    _WARMED_UP.add(method)

    def bowl(x):
        return np.sum((x - 1.0) ** 2)

    problem = Problem(name="warm-up", description="warm-up", objective=bowl, x0=np.zeros(2))
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            if method.startswith("scipy:"):
                _scipy(problem, method[len("scipy:"):], np.zeros(2), _ignore, None, None,
                       compile_, {})
            elif method in LSQ_METHODS:
                problem = Problem(name="warm-up", description="warm-up", objective=bowl,
                                  x0=np.zeros(2), residuals=lambda x: x - 1.0)
                _least_squares(problem, method, np.zeros(2), _ignore, None, None, {})
            else:
                _optkit(problem, method, np.zeros(2), _ignore, None, None, False, compile_,
                        {})
        except Exception:  # reported, if it recurs, by the timed solve
            pass


def _ignore(intermediate_result):
    """The warm-up's callback: never stops the solve."""
    return False


def run(problem, method, x0=None, *, gtol=None, maxiter=None, history=False,
        on_iteration=None, compile_=True, options=None, bounds=None) -> Outcome:
    """Minimize ``problem`` with ``method`` (a name checked by ``common.check_method``).

    ``compile_`` runs the AD derivatives through ``optkit.compile`` (the default of
    ``optkit.minimize``); False evaluates them eagerly. ``options`` (checked by
    ``common.parse_options``) go to ``optkit.minimize`` as keywords, or into SciPy's
    ``options`` dict for ``scipy:<Method>``. ``bounds`` (an ``optkit.Bounds`` of length n, or
    None) go to every method; the caller has checked that the method takes them (see
    ``bounds.check_method_bounds``). A start outside them is projected, with a warning.

    Exceptions from the objective or the solver propagate (the caller reports them);
    KeyboardInterrupt does not: it returns the best point seen with status "interrupted".
    """
    x0 = np.array(problem.x0 if x0 is None else x0, dtype=float)
    moved = 0
    if bounds is not None:
        x0, moved = bounds.project_x0(x0)
    _warm_up(method, compile_)
    tracker = _Tracker(on_iteration, x0, problem.objective)
    scipy = method.startswith("scipy:")
    if scipy and history:  # row 0, the start, as optkit's own History has it
        tracker.start_row = {"nit": 0, "f": float(problem.objective(x0)), "gnorm": None,
                             "step": 0.0, "nfev": None, "njev": None, "nhev": None}
    start = time.perf_counter()
    # Warnings (AD falling back to eager mode, overflow in a trial step, SciPy's notes) are
    # collected and handed to the command to print once, after the live log.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if scipy:
                result = _scipy(problem, method[len("scipy:"):], x0, tracker, gtol, maxiter,
                                compile_, options or {}, bounds)
            elif method in LSQ_METHODS:
                result = _least_squares(problem, method, x0, tracker, gtol, maxiter,
                                        options or {}, bounds)
            else:
                result = _optkit(problem, method, x0, tracker, gtol, maxiter, history,
                                 compile_, options or {}, bounds)
        except KeyboardInterrupt:
            outcome = _interrupted(problem, x0, tracker, time.perf_counter() - start, history)
        else:
            outcome = _outcome(result, tracker, time.perf_counter() - start, history, scipy)
    outcome.warnings = _distinct(caught)
    if moved:
        outcome.warnings.insert(0, f"UserWarning: x0 is outside the bounds; started from its "
                                   f"projection onto the box ({moved} of {x0.size} components "
                                   "moved)")
    if bounds is not None and outcome.status != "interrupted":
        outcome.bounded = bounded_summary(bounds, outcome.x, outcome.gradient)
    return outcome


def bounded_summary(bounds, x, g) -> dict:
    """What a bounded result reports: ``n_active``, the number of bounds x is exactly on (as
    ``result.active_mask``); ``n_bounded``, the components with a finite bound; ``pgnorm``,
    the first-order measure ||P(x - g) - x||_inf (None without a gradient)."""
    x = np.asarray(x, dtype=float)
    finite = np.isfinite(bounds.lb) | np.isfinite(bounds.ub)
    pg = None if g is None else bounds.projected_gradient_norm(x, np.asarray(g, dtype=float))
    return {"n_active": int(np.count_nonzero(bounds.active_mask(x))),
            "n_bounded": int(np.count_nonzero(finite)), "pgnorm": pg}


def _distinct(caught):
    lines = []
    for w in caught:
        text = (str(w.message).splitlines() or [""])[0]
        line = f"{w.category.__name__}: {text}"
        if line not in lines:
            lines.append(line)
    return lines


def _outcome(result, tracker, elapsed, history, scipy):
    enum = result.get("status_enum")
    if enum is not None:
        status = enum.name.lower()
    else:
        status = "converged" if result.get("success") else "failed"
    rows = None
    if history:
        trace = result.get("history")
        rows = trace.as_list() if trace is not None and not scipy else tracker.history()
    return Outcome(
        x=np.asarray(result["x"], dtype=float), fun=float(result["fun"]),
        gnorm=_inf_norm(_gradient(result)), status=status,
        status_code=int(result.get("status", 0)), message=str(result.get("message", "")),
        success=bool(result.get("success")), nit=int(result.get("nit", len(tracker.rows))),
        nfev=int(result.get("nfev", 0)), njev=int(result.get("njev", 0)),
        nhev=int(result.get("nhev", 0)), time=float(result.get("time", elapsed)),
        history=rows, cost=result.get("cost"), optimality=result.get("optimality"),
        gradient=None if _gradient(result) is None else np.asarray(_gradient(result),
                                                                    dtype=float))


def _interrupted(problem, x0, tracker, elapsed, history):
    """Ctrl-C escaped the solver (SciPy, or before optkit's loop started): keep the best.
    Without a best point, x0 is re-evaluated; if that is interrupted or fails too, f is nan.
    """
    if tracker.best_x is not None:
        x, f = tracker.best_x, tracker.best_f
    else:
        x = x0
        try:
            f = float(problem.objective(x0.copy()))
        except (Exception, KeyboardInterrupt):  # a second Ctrl-C must not lose the report
            f = math.nan
    return Outcome(x=x, fun=f, gnorm=None, status="interrupted", status_code=9,
                   message="interrupted by user (KeyboardInterrupt)", success=False,
                   nit=len(tracker.rows), nfev=None, njev=None, nhev=None, time=elapsed,
                   history=tracker.history() if history else None)
