"""``optkit solve --multistart K``: K Latin hypercube starts in a box, the best of K solves.

The starts are drawn by ``optkit.multistart`` (seeded) in the box given by ``--box LO,HI``
(the same interval for every coordinate) or, by default, ``x0 ± max(1, |x0|)`` coordinate by
coordinate around the start (``--x0``, ``--x0-file`` or the problem's own x0). Without bounds
the box only places the starts and every solve is unconstrained. With bounds (the problem's,
or ``--bounds``/``--bounds-file``) the starts are drawn in the bounds where both sides are
finite, in the bounds cut to the box (``--box`` or the default around the projected start)
where a side is infinite, and every solve gets the bounds. The solves run in this process,
on ``--workers`` local processes or on a Dask cluster (``--scheduler``); see
:mod:`optkit.cli.parallel`.
"""

from __future__ import annotations

import math
import time
import warnings

import numpy as np

import optkit
from optkit.fitting import METHODS as LSQ_METHODS
from optkit.optim import METHODS, Status

from .common import CliError, fmt, parse_vector
from .runner import Outcome, bounded_summary

__all__ = ["DEFAULT_BOX", "box_around", "check_multistart_method", "describe", "parse_box",
           "run_multistart", "start_box"]

DEFAULT_BOX = "x0 ± max(1, |x0|)"  # how the default box is named in --help and the output


def check_multistart_method(method: str) -> str:
    """``method`` when ``optkit.multistart`` can run it (optkit's own minimizers); else a
    CliError (SciPy's methods and the least-squares methods lm and gn-cg are solved one at a
    time only)."""
    if method.startswith("scipy:") or method in LSQ_METHODS:
        raise CliError(f"--multistart: {method} cannot run as a multistart; use one of "
                       f"optkit's minimizers: {', '.join(sorted(METHODS))}")
    return method


def parse_box(text: str) -> tuple[float, float]:
    """``"LO,HI"`` -> (LO, HI) with LO < HI, both finite; CliError otherwise."""
    lo, hi = parse_vector(text, 2, "--box")
    if not lo < hi:
        raise CliError(f"--box: LO must be below HI, got LO={lo:g}, HI={hi:g}")
    return float(lo), float(hi)


def box_around(x0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The default box: ``x0_i ± max(1, |x0_i|)`` in coordinate i (never empty, and wider
    where x0 is large, so a start of 100 is searched over [0, 200])."""
    radius = np.maximum(1.0, np.abs(x0))
    return x0 - radius, x0 + radius


def start_box(x0, box, bounds):
    """(lb, ub, rule) of the box the starts are drawn from: ``box`` (the (LO, HI) of --box) or
    :func:`box_around` of x0. With ``bounds``: --box cut to them (a CliError when it misses
    them in some coordinate); without --box, the bounds where both sides are finite and the
    default box around the projected start, cut to the bounds, elsewhere."""
    x0 = np.asarray(x0, dtype=float)
    if bounds is not None:
        x0 = bounds.project(x0)
    if box is None:
        lb, ub = box_around(x0)
        rule = DEFAULT_BOX
    else:
        lb, ub = np.full(x0.size, box[0]), np.full(x0.size, box[1])
        rule = "--box"
    if bounds is None:
        return lb, ub, rule
    if box is None:  # the bounds themselves where both sides are finite
        finite = np.isfinite(bounds.lb) & np.isfinite(bounds.ub)
        lb, ub = np.where(finite, bounds.lb, lb), np.where(finite, bounds.ub, ub)
        rule = ("the bounds" if finite.all() else
                f"the bounds, {DEFAULT_BOX} where a side is infinite")
        return np.maximum(lb, bounds.lb), np.minimum(ub, bounds.ub), rule
    lb, ub = np.maximum(lb, bounds.lb), np.minimum(ub, bounds.ub)
    empty = np.flatnonzero(lb > ub)
    if empty.size:
        i = int(empty[0])
        raise CliError(f"--box: [{fmt(box[0])}, {fmt(box[1])}] misses the bounds "
                       f"[{fmt(bounds.lb[i])}, {fmt(bounds.ub[i])}] of component {i}")
    return lb, ub, rule + " within the bounds"


def describe(lb: np.ndarray, ub: np.ndarray, rule: str) -> str:
    """One line naming the box: ``[-5, 5] in every coordinate (--box)`` or the rule with its
    first intervals."""
    if rule == "--box":
        return f"[{fmt(lb[0])}, {fmt(ub[0])}] in every coordinate (--box)"
    shown = " x ".join(f"[{fmt(lo)}, {fmt(hi)}]" for lo, hi in zip(lb[:3], ub[:3],
                                                                    strict=True))
    return f"{rule}: {shown}{' x ...' if lb.size > 3 else ''}"


def _status(result) -> str:
    return result["status_enum"].name.lower()


def _run_summary(result) -> dict:
    """One start's line in the --json output (no vectors: K of them would swamp it)."""
    return {"fun": result["fun"], "status": _status(result), "success": result["success"],
            "nit": result["nit"], "nfev": result["nfev"], "njev": result["njev"],
            "nhev": result["nhev"], "time": result["time"]}


def run_multistart(problem, method, x0, n_starts, box, seed, scope, *, gtol, maxiter,
                   compile_, options, progress, bounds=None) -> tuple[Outcome, dict]:
    """Solve ``problem`` from ``n_starts`` starts on ``scope`` (an executor scope).

    ``box`` is the (LO, HI) of --box or None for :func:`box_around` of ``x0``; with
    ``bounds`` (an ``optkit.Bounds`` or None) see :func:`start_box`. Returns the
    best run as an :class:`Outcome` (its time is that one solve's, measured where it ran; its
    warnings those raised in this process) and the ``multistart`` record: the box, the seed,
    where the solves ran, counts, the wall-clock time and one summary per start, by f.
    Exceptions from a solve propagate (the command reports them).
    """
    lb, ub, rule = start_box(x0, box, bounds)
    solve_options = {**options, "compile": compile_}
    if gtol is not None:
        solve_options["gtol"] = gtol
    if maxiter is not None:
        solve_options["maxiter"] = maxiter
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        best = optkit.multistart(problem.objective, optkit.Bounds(lb, ub), n_starts, method,
                                 seed=seed, executor=scope.executor, progress=progress,
                                 solve_bounds=bounds, **solve_options)
    wall = time.perf_counter() - start
    runs = best["all"]
    jac = best["jac"]
    outcome = Outcome(
        x=np.asarray(best["x"], dtype=float), fun=float(best["fun"]),
        gnorm=None if jac is None else float(np.max(np.abs(jac), initial=0.0)),
        status=_status(best), status_code=int(best["status"]), message=str(best["message"]),
        success=bool(best["success"]), nit=int(best["nit"]), nfev=int(best["nfev"]),
        njev=int(best["njev"]), nhev=int(best["nhev"]), time=float(best["time"]),
        warnings=list(dict.fromkeys(f"{w.category.__name__}: "
                                    f"{(str(w.message).splitlines() or [''])[0]}"
                                    for w in caught)))
    not_run = sum(r["status_enum"] is Status.INTERRUPTED for r in runs)
    record = {"starts": len(runs), "seed": seed, "executor": scope.description,
              "box": {"rule": rule, "lb": lb, "ub": ub, "text": describe(lb, ub, rule)},
              "converged": sum(bool(r["success"]) for r in runs), "interrupted": not_run,
              "wall_time": wall, "runs": [_run_summary(r) for r in runs]}
    if math.isnan(outcome.fun):  # not one start ran to the end
        outcome.status, outcome.success = "interrupted", False
    elif bounds is not None:
        outcome.bounded = bounded_summary(bounds, outcome.x, jac)
    return outcome, record
