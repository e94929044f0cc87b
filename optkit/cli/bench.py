"""``optkit bench``: the method x problem matrix, a summary table, a performance profile.

A bound-constrained problem is solved in its bounds by every method; a SciPy method that
takes no bounds is not run on it: its record has status "no-bounds" (not solved, "n/b" in the
table), so every method is counted over the same problems."""

import concurrent.futures as cf
import pathlib
import sys

import click
import numpy as np

from optkit import problems
from optkit.distributed.shipping import ship, unship

from .bounds import SCIPY_BOUNDED
from .common import (
    CliError,
    atomic_replace,
    check_method,
    check_writable,
    fmt,
    load_problem,
    to_json,
)
from .listing import check_tag
from .parallel import executor_options, executor_target, open_scope
from .runner import run

__all__ = ["DEFAULT_METHODS", "DEFAULT_PROBLEMS", "PLOT_FORMATS", "bench"]

# Small and quick (a few seconds in all), yet varied: classics, scalable, ML, physics.
DEFAULT_PROBLEMS = ("rosenbrock", "freudenstein-roth", "beale", "helical-valley",
                    "powell-singular", "wood", "himmelblau", "box-3d", "brown-dennis",
                    "extended-rosenbrock", "broyden-tridiagonal", "dixon-price", "trid",
                    "zakharov", "logistic-regression", "lj13")
DEFAULT_METHODS = ("lbfgs", "newton-cg", "gd")

# The image formats matplotlib writes with its own backends (Agg, PDF, PS, SVG; JPEG, TIFF
# and WebP through Pillow, a matplotlib dependency), by file extension. Known without
# importing matplotlib, so a typo is refused before the bench runs. pgf is left out: it
# needs a LaTeX installation. A name without an extension gets PNG, matplotlib's default.
PLOT_FORMATS = ("png", "pdf", "svg", "svgz", "eps", "ps", "jpg", "jpeg", "tif", "tiff",
                "webp", "raw", "rgba")


def _split(text):
    return [part.strip() for part in text.split(",") if part.strip()]


def _select_problems(names, tag):
    if names is not None and tag is not None:
        raise CliError("--problems and --tag are mutually exclusive; give one")
    if tag is not None:
        return [problems.get(name) for name in problems.names(check_tag(tag))]
    refs = DEFAULT_PROBLEMS if names is None else _split(names)
    if not refs:
        raise CliError("--problems: give at least one problem name")
    return [load_problem(ref, None) for ref in refs]


def _takes_bounds(method):
    """False for SciPy's methods that take no bounds (SciPy would ignore them, warning)."""
    return not method.startswith("scipy:") or method[len("scipy:"):] in SCIPY_BOUNDED


def _cost(run_record, metric):
    """The performance measure of a run: inf unless it reached f*."""
    if not run_record["solved"]:
        return np.inf
    if metric == "time":
        return max(run_record["time"], 1e-9)
    return max(sum(run_record[k] or 0 for k in ("nfev", "njev", "nhev")), 1)


def _run_one(problem, method, maxiter):
    """One solve as a record. `solved`: f reached f* (|f - f*| <= 1e-6 max(1, |f*|)); where f*
    is unknown (a user file without fstar), the solver's own verdict, result.success. A
    bounded problem is solved in its bounds; a method without bounds is not run on it."""
    record = {"problem": problem.name, "n": problem.n, "method": method,
              "fstar": problem.fstar}
    bounds = problem.bounds if problem.bounds is None or not problem.bounds.is_unbounded \
        else None
    if bounds is not None and not _takes_bounds(method):
        return {**record, "status": "no-bounds", "solved": False, "fun": None,
                "message": f"{method} does not support bounds; not run", "nit": 0, "nfev": 0,
                "njev": 0, "nhev": 0, "time": 0.0}
    try:
        out = run(problem, method, maxiter=maxiter, bounds=bounds)
    except Exception as exc:  # one failing solve must not stop the matrix
        return _error_record(problem, method, exc)
    solved = out.success if problem.fstar is None else problem.is_solved(out.fun)
    return {**record, "status": out.status, "message": out.message, "solved": solved,
            "fun": out.fun, "nit": out.nit, "nfev": out.nfev, "njev": out.njev,
            "nhev": out.nhev, "time": out.time}


def _error_record(problem, method, exc):
    """The record of a solve that raised (in the objective, the solver, or on the way to or
    from a worker)."""
    return {"problem": problem.name, "n": problem.n, "method": method, "fstar": problem.fstar,
            "status": "error", "message": f"{type(exc).__name__}: {exc}", "solved": False,
            "fun": None, "nit": 0, "nfev": 0, "njev": 0, "nhev": 0, "time": 0.0}


def _run_shipped(payload, method, maxiter):
    """Worker side of one solve: the problem arrives as cloudpickle bytes (a problem file's
    functions are not importable where the worker runs); the clock runs in the worker."""
    return _run_one(unship(payload)["problem"], method, maxiter)


def _run_serial(bar, maxiter):
    """The matrix in this process, in the order of the jobs ``bar`` iterates over; stops at
    the first interrupted solve."""
    runs = []
    try:
        for problem, method in bar:
            runs.append(_run_one(problem, method, maxiter))
            if runs[-1]["status"] == "interrupted":
                return runs, True
    except KeyboardInterrupt:  # between two solves: every run so far finished
        return runs, True
    return runs, False


def _run_parallel(scope, jobs, maxiter, bar):
    """The matrix on ``scope.executor``, one task per solve; the records in job order.

    A task that fails on its way (a worker lost, a problem that cannot be unpickled there) is
    an "error" record like a solve that raised. Ctrl-C cancels the solves not yet finished and
    keeps the ones that did."""
    try:
        payloads = {id(p): ship(problem=p) for p, _ in jobs}
    except TypeError as exc:
        raise CliError(f"--problems: {exc}") from None
    runs = [None] * len(jobs)
    futures = {}
    interrupted = False
    try:
        for k, (problem, method) in enumerate(jobs):
            futures[scope.executor.submit(_run_shipped, payloads[id(problem)], method,
                                          maxiter)] = k
        for future in cf.as_completed(futures):
            k = futures[future]
            problem, method = jobs[k]
            try:
                runs[k] = future.result()
            except Exception as exc:  # one lost task must not stop the matrix
                runs[k] = _error_record(problem, method, exc)
            bar.update(1, jobs[k])
            interrupted = interrupted or runs[k]["status"] == "interrupted"
    except KeyboardInterrupt:
        interrupted = True
    if interrupted:
        for future in futures:
            future.cancel()
        scope.close(cancel=True)
    return [r for r in runs if r is not None], interrupted


def _finished(runs):
    """The runs that ran to the end (not the one a Ctrl-C cut short)."""
    return [r for r in runs if r["status"] != "interrupted"]


def _summary(runs, methods):
    """Per method: problems solved out of the runs that finished, evaluations, time."""
    rows = []
    for method in methods:
        mine = [r for r in _finished(runs) if r["method"] == method]
        row = {"method": method, "solved": sum(r["solved"] for r in mine), "problems": len(mine)}
        for key in ("nfev", "njev", "nhev", "time"):
            row[key] = sum(r[key] or 0 for r in mine)
        rows.append(row)
    return rows


def _table(runs, summary, problem_names, methods):
    """Per problem: evaluations (nfev+njev+nhev) of each method, '*' when f* was not
    reached (or, where f* is unknown, the solver did not converge), '^C' for the run a Ctrl-C
    cut short; then the per-method totals of the runs that finished."""
    by_key = {(r["problem"], r["method"]): r for r in runs}
    unknown = {r["problem"] for r in runs if r["fstar"] is None}
    labels = {name: name + (" (f* unknown)" if name in unknown else "")
              for name in problem_names}
    width = max(len(label) for label in [*labels.values(), "problem"])
    cols = [max(len(m), 9) for m in methods]
    lines = ["  ".join(["problem".ljust(width)] + [m.rjust(c) for m, c in zip(methods, cols,
                                                                             strict=True)])]
    for name in problem_names:
        cells = []
        for method, c in zip(methods, cols, strict=True):
            r = by_key.get((name, method))
            if r is None:
                cells.append("".rjust(c))
                continue
            if r["status"] == "interrupted":
                cells.append("^C".rjust(c))
                continue
            if r["status"] == "no-bounds":
                cells.append("n/b".rjust(c))
                continue
            evals = sum(r[k] or 0 for k in ("nfev", "njev", "nhev"))
            cells.append((str(evals) + ("" if r["solved"] else "*")).rjust(c))
        lines.append("  ".join([labels[name].ljust(width)] + cells))
    legend = "evaluations nfev+njev+nhev; * = f* not reached"
    if unknown:
        legend += "; where f* is unknown, * = the solver did not converge"
    if any(r["status"] == "no-bounds" for r in runs):
        legend += "; n/b = the method takes no bounds, not run (counted as not solved)"
    if any(r["status"] == "interrupted" for r in runs):
        legend += "; ^C = interrupted, not counted"
    lines.append(f"({legend})")
    lines.append("")
    w = max(len(m) for m in methods + ["method"]) + 2
    lines.append(f"{'method':<{w}}{'solved':>7}{'nfev':>9}{'njev':>9}{'nhev':>9}{'time':>10}")
    for s in summary:
        solved = f"{s['solved']}/{s['problems']}"
        lines.append(f"{s['method']:<{w}}{solved:>7}{s['nfev']:>9}{s['njev']:>9}"
                     f"{s['nhev']:>9}{fmt(s['time'], 3) + ' s':>10}")
    return "\n".join(lines)


def _check_plot_target(path):
    """Refuse, before anything runs, a --plot file in a missing directory, with an image
    format matplotlib does not write, or when matplotlib (the plot extra) is missing."""
    target = check_writable(path, "--plot")
    suffix = target.suffix.lower().lstrip(".")
    if suffix and suffix not in PLOT_FORMATS:
        raise CliError(f"--plot: cannot write a .{suffix} image; use one of "
                       + ", ".join("." + f for f in PLOT_FORMATS))
    try:
        import matplotlib  # noqa: F401  (the optional extra; its submodule below needs it)
    except ImportError:
        raise CliError("--plot needs matplotlib, an optional extra: "
                       "pip install 'optkit[plot]'") from None
    from matplotlib.backend_bases import FigureCanvasBase

    if suffix and suffix not in FigureCanvasBase.get_supported_filetypes():  # an old version
        raise CliError(f"--plot: this matplotlib cannot write a .{suffix} image")


def _write_plot(runs, problem_names, methods, path, metric):
    from .profile import plot_profile

    by_key = {(r["problem"], r["method"]): r for r in _finished(runs)}
    costs = np.array([[_cost(by_key[(p, m)], metric) for m in methods]
                      for p in problem_names if all((p, m) in by_key for m in methods)])
    if costs.size == 0:
        raise CliError("--plot: no complete row of results to plot")
    image_format = pathlib.Path(path).suffix.lower().lstrip(".") or "png"
    atomic_replace(path, "--plot", lambda tmp: plot_profile(
        costs, methods, tmp, "evaluations" if metric == "evals" else "time", image_format))


@click.command(short_help="Methods x problems: solved counts, profile.")
@click.option("--problems", "problem_names", metavar="a,b,c",
              help="Comma-separated problem names or files (default: 16 quick ones).")
@click.option("--tag", metavar="T", help="All problems carrying tag T instead.")
@click.option("--methods", default=",".join(DEFAULT_METHODS), show_default=True,
              metavar="m1,m2", help="Comma-separated methods (as in `optkit solve --method`).")
@click.option("--maxiter", type=click.IntRange(min=0), help="Iteration limit per solve.")
@click.option("--metric", type=click.Choice(["evals", "time"]), default="evals",
              show_default=True, help="Cost in the performance profile.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.option("--plot", "plot_path", metavar="profile.png",
              help="Write a Dolan-More performance profile (needs optkit[plot]); the "
                   "format follows the extension (.png, .pdf, .svg, ...).")
@executor_options
def bench(problem_names, tag, methods, maxiter, metric, as_json, plot_path, workers, scheduler,
          connect_timeout):
    """Run every method on every problem and print how many each solved, with its
    evaluations and time. A problem counts as solved when |f - f*| <= 1e-6 max(1, |f*|);
    for a problem file without fstar, when the solver reports convergence. Timings leave
    out one-time imports. A bound-constrained problem is solved in its bounds; a SciPy
    method that takes no bounds is not run on it ("n/b" in the table, counted as not
    solved). Ctrl-C stops the matrix, reports the runs that finished (the one
    cut short is marked, not counted) and exits with code 1.

    With --workers N or --scheduler ADDRESS the solves run in parallel, one task each, on N
    local processes or a Dask cluster; the results and the table are those of a serial run,
    and each time is still one solve's, measured where it ran (the total is a sum, not the
    wall-clock time). An unreachable scheduler is an error (exit 2) after --connect-timeout.

    \b
    Examples:
      optkit bench
      optkit bench --methods lbfgs,scipy:L-BFGS-B --tag mgh
      optkit bench --problems rosenbrock,wood,lj13 --json
      optkit bench --tag scalable --plot profile.png --metric time
      optkit bench --tag bounds --methods lbfgs,newton-cg,scipy:L-BFGS-B,scipy:TNC
      optkit bench --workers 2
      optkit bench --scheduler tcp://10.0.0.5:8786 --connect-timeout 5
    """
    target = executor_target(workers, scheduler, connect_timeout)
    method_list = list(dict.fromkeys(check_method(m) for m in _split(methods)))
    if not method_list:
        raise CliError("--methods: give at least one method")
    if plot_path is not None:
        _check_plot_target(plot_path)
    chosen = _select_problems(problem_names, tag)
    jobs = [(p, m) for p in chosen for m in method_list]
    with open_scope(target, connect_timeout) as scope:
        if scope.executor is not None:
            click.echo(f"bench: {len(jobs)} solves on {scope.description}", err=True)
        with click.progressbar(jobs, label="bench", file=sys.stderr,
                               item_show_func=lambda j: j and f"{j[0].name} / {j[1]}") as bar:
            if scope.executor is None:
                runs, interrupted = _run_serial(bar, maxiter)
            else:
                runs, interrupted = _run_parallel(scope, jobs, maxiter, bar)
    if interrupted:
        click.echo("\ninterrupted: reporting the runs that finished", err=True)
    names = list(dict.fromkeys(r["problem"] for r in runs))
    summary = _summary(runs, method_list)
    if as_json:
        click.echo(to_json({"methods": method_list, "problems": names, "runs": runs,
                            "summary": summary, "interrupted": interrupted,
                            "executor": scope.description}))
    else:
        click.echo(_table(runs, summary, names, method_list))
    if plot_path is not None:
        _write_plot(runs, names, method_list, plot_path, metric)
        if not as_json:
            click.echo(f"performance profile written to {plot_path}")
    if interrupted:
        raise click.exceptions.Exit(1)
