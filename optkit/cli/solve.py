"""``optkit solve``: minimize one problem; a summary, --json, --output, --history, -v; with
--multistart K, the best of K solves from starts in a box (see :mod:`optkit.cli.starts`);
with bounds (the problem's, or --bounds / --bounds-file, see :mod:`optkit.cli.bounds`), the
active bounds and the projected gradient too."""

import csv
import io

import click
import numpy as np

from .bounds import check_method_bounds, fstar_for, resolve_bounds
from .common import (
    LSQ_METHODS,
    CliError,
    atomic_write,
    check_finite_start,
    check_method,
    check_writable,
    fmt,
    load_problem,
    parse_options,
    parse_vector,
    read_vector_file,
    to_json,
)
from .first_order import scipy_verdict
from .parallel import executor_options, executor_target, open_scope
from .runner import HISTORY_FIELDS, run
from .starts import DEFAULT_BOX, check_multistart_method, parse_box, run_multistart

__all__ = ["solve"]


def _document(problem, method, outcome, multistart=None, fstar=None, source="none",
              verdict=None):
    """The JSON record of a solve (also what --output writes); with --multistart, the
    ``multistart`` record (box, counts, one summary per start) comes before x. ``fstar`` is
    the minimum that holds for the solve's bounds (None: unknown). A bounded solve adds
    ``bounds`` (where they came from: "problem", "--bounds" or "--bounds-file"),
    ``n_active`` (bounds x is on), ``n_bounded`` (components with a finite bound) and
    ``pgnorm``, the projected-gradient measure ||P(x - g) - x||_inf. A ``scipy:`` method adds
    ``verdict`` (see :mod:`optkit.cli.first_order`): ``scipy_success``, SciPy's own claim, and
    ``first_order``, the test that ``success`` follows."""
    gap = None if fstar is None else abs(outcome.fun - fstar)
    bounded = {} if not outcome.bounded else {"bounds": source, **outcome.bounded}
    return {"problem": problem.name, "n": problem.n, "method": method,
            "status": outcome.status, "status_code": outcome.status_code,
            "message": outcome.message, "success": outcome.success, **(verdict or {}),
            "fun": outcome.fun,
            "fstar": fstar, "fun_minus_fstar": gap, "gnorm": outcome.gnorm, **bounded,
            "nit": outcome.nit, "nfev": outcome.nfev, "njev": outcome.njev,
            "nhev": outcome.nhev, "time": outcome.time, "warnings": outcome.warnings,
            **({} if outcome.cost is None else {"cost": outcome.cost,
                                                "optimality": outcome.optimality}),
            **({} if multistart is None else {"multistart": multistart}),
            "x": outcome.x}


def _summary(doc):
    x = doc["x"]
    shown = ", ".join(fmt(v, 8) for v in x[:6]) + (", ..." if len(x) > 6 else "")
    lines = [
        ("problem", f"{doc['problem']} (n = {doc['n']})"),
        ("method", doc["method"]),
        *_multistart_lines(doc.get("multistart")),
        *_status_lines(doc),
        ("f", fmt(doc["fun"], 10)),
    ]
    if doc["fstar"] is not None:
        gap, fstar = fmt(doc["fun_minus_fstar"], 3), fmt(doc["fstar"], 10)
        lines.append(("|f - f*|", f"{gap}  (f* = {fstar})"))
    if "n_active" in doc:
        where = {"problem": "the problem's", "--bounds": "--bounds",
                 "--bounds-file": "--bounds-file"}[doc["bounds"]]
        lines += [("bounds", f"{where}: {doc['n_bounded']} of {doc['n']} components bounded"),
                  ("active bounds", f"{doc['n_active']} of {doc['n']}"),
                  ("|P(x-g)-x|", f"{fmt(doc['pgnorm'], 3)}  (projected gradient, inf-norm)")]
    lines += [
        ("|g|_inf", fmt(doc["gnorm"], 3)),
        *([("cost", f"{fmt(doc['cost'], 10)}  (optimality {fmt(doc['optimality'], 3)})")]
          if "cost" in doc else []),
        ("iterations", str(doc["nit"])),
        ("evaluations", ", ".join(f"{k} {fmt(doc[k])}" for k in ("nfev", "njev", "nhev"))),
        ("time", f"{doc['time']:.3g} s"),
        ("x", f"[{shown}]"),
    ]
    width = max(12, *(len(key) + 2 for key, _ in lines))
    return "\n".join(f"{key:<{width}}{value}" for key, value in lines)


def _status_lines(doc):
    """The status; for a SciPy method, the first-order test it follows and SciPy's claim."""
    if "scipy_success" not in doc:
        return [("status", f"{doc['status']}: {doc['message']}")]
    claim = "success" if doc["scipy_success"] else "no success"
    return [("status", f"{doc['status']}: first-order test {doc['first_order']}"),
            ("scipy says", f"{claim}: {doc['message']}")]


def _multistart_lines(record):
    """The summary's lines on a multistart: where the starts came from and how they ended."""
    if record is None:
        return []
    where = record["executor"]
    where = "in this process" if where == "in-process" else f"on {where}"
    ended = f"{record['converged']} of {record['starts']} converged"
    if record["interrupted"]:
        ended += f", {record['interrupted']} not run (interrupted)"
    return [("starts", f"{record['starts']} Latin hypercube starts (seed {record['seed']}), "
                       f"run {where} in {record['wall_time']:.3g} s"),
            ("box", record["box"]["text"]),
            ("ended", ended),
            ("best", "the start with the lowest f; the lines below are its solve")]


def _check_multistart_flags(multistart, history_path, executor_flags):
    """Flags that make sense only with --multistart, or not with it."""
    if multistart is None:
        for flag, value in executor_flags:
            if value is not None:
                raise click.UsageError(f"{flag} applies only with --multistart")
    elif history_path is not None:
        raise click.UsageError("--history records one solve; it cannot be used with "
                               "--multistart")


def _history_csv(rows):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HISTORY_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if row.get(k) is None else row[k]) for k in HISTORY_FIELDS})
    return buffer.getvalue()


def _live_log():
    """A per-iteration line on stderr: iteration, f, |g|_inf, step length."""
    click.echo(f"{'iter':>6}  {'f':>16}  {'|g|_inf':>10}  {'step':>10}", err=True)

    def log(row):
        click.echo(f"{row['nit']:>6}  {row['f']:>16.9e}  {fmt(row['gnorm'], 4):>10}  "
                   f"{fmt(row['step'], 4):>10}", err=True)

    return log


def _start_point(problem, x0_text, x0_file, bounds):
    """The start: --x0, --x0-file or the problem's x0; a CliError where f is not finite (at
    its projection onto the bounds, where the solve starts)."""
    if x0_text is not None and x0_file is not None:
        raise CliError("--x0 and --x0-file are mutually exclusive; give one")
    if x0_text is not None:
        option, x0 = "--x0", parse_vector(x0_text, problem.n, "--x0")
    elif x0_file is not None:
        option, x0 = "--x0-file", read_vector_file(x0_file, problem.n, "--x0-file")
    else:
        option, x0 = "--x0", np.array(problem.x0)
    at = x0 if bounds is None else bounds.project(x0)
    check_finite_start(problem, at, option, given=x0_text is not None or x0_file is not None)
    return x0


@click.command(short_help="Minimize a problem; summary or --json.")
@click.argument("problem_ref", metavar="PROBLEM|FILE")
@click.option("-m", "--method", default=None,
              help="lbfgs, newton-cg, gd; lm or gn-cg (least squares on the problem's "
                   "residuals); or scipy:<Method> (e.g. scipy:L-BFGS-B, scipy:trust-ncg). "
                   "Default: lm for a problem file that defines residuals(x), else lbfgs.")
@click.option("--n", type=click.IntRange(min=1), help="Dimension of a scalable problem.")
@click.option("--x0", "x0_text", metavar='"1,2,..."', help="Starting point (default: the "
              "problem's standard one).")
@click.option("--x0-file", metavar="F.npy", help="Starting point from a .npy (or text) file.")
@click.option("--gtol", type=click.FloatRange(min=0), help="Stop when |g|_inf <= GTOL "
              "(optkit default 1e-5; passed to SciPy as tol).")
@click.option("--maxiter", type=click.IntRange(min=0), help="Iteration limit (for "
              "scipy:TNC, the function-evaluation limit maxfun; for lm and gn-cg, max_nfev).")
@click.option("--bounds", "bounds_text", metavar="LO,HI",
              help="Bound every component: LO <= x_i <= HI (inf, -inf or none for a missing "
                   "side; --bounds 0,inf, --bounds=-1,1). Replaces the problem's own bounds; "
                   "without --bounds or --bounds-file a bounded problem's own are used.")
@click.option("--bounds-file", metavar="F", help="Per-component bounds: a .npy array of "
              "shape (n, 2) or a CSV file of n rows lo,hi. Replaces the problem's own bounds.")
@click.option("-O", "--option", "raw_options", multiple=True, metavar="KEY=VALUE",
              help="A solver option, repeatable: ftol, xtol, maxfev, max_time, or a field of "
                   "the method's options (m=20 for lbfgs; saddle_check=0 or "
                   "forcing=superlinear for newton-cg; loss=soft_l1, geodesic=True, "
                   "jac_mode=operator for lm). For scipy:<Method>, an entry of SciPy's "
                   "options dict.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.option("-o", "--output", metavar="FILE.json", help="Also write the JSON document to "
              "FILE (atomically).")
@click.option("--history", "history_path", metavar="FILE.csv",
              help="Write the per-iteration history as CSV.")
@click.option("-v", "--verbose", is_flag=True, help="Stream an iteration log to stderr.")
@click.option("--compile/--no-compile", "compile_", default=True, show_default=True,
              help="Trace the objective once and replay compiled derivative programs "
                   "(optkit.compile); --no-compile differentiates eagerly at every point.")
@click.option("--multistart", type=click.IntRange(min=1), metavar="K",
              help=f"Solve from K Latin hypercube starts in a box and report the best (lowest "
                   f"f); optkit's methods only (default lbfgs). The box: --box, else "
                   f"{DEFAULT_BOX} around the start, coordinate by coordinate, cut to the "
                   f"bounds when there are some; the output names it. Without bounds each "
                   f"solve is unconstrained (the box only places the starts); with bounds "
                   f"each solve gets them.")
@click.option("--box", "box_text", metavar="LO,HI",
              help=f"With --multistart: draw the starts in [LO, HI] in every coordinate "
                   f"(default: {DEFAULT_BOX}).")
@click.option("--seed", type=int, help="With --multistart: the seed of the starts (default 0).")
@executor_options
def solve(problem_ref, method, n, x0_text, x0_file, gtol, maxiter, bounds_text, bounds_file,
          raw_options, as_json, output, history_path, verbose, compile_, multistart, box_text,
          seed, workers, scheduler, connect_timeout):
    """Minimize PROBLEM (a name from `optkit list`) or FILE (a .py file defining
    objective(x) and x0) and print a summary.

    A bound-constrained problem (tagged bounds in `optkit list`, or a file defining bounds)
    is solved in its bounds; --bounds or --bounds-file replace them (and the problem's f* is
    then shown only when its x* lies in the new box and the box in the problem's own). A start
    outside the bounds is projected onto them, with a warning. The summary then shows the
    active bounds and the projected gradient ||P(x - g) - x||_inf, the first-order measure in
    a box (--json: "n_active", "pgnorm"). lbfgs, newton-cg, gd, lm, gn-cg and the SciPy
    methods L-BFGS-B, TNC, SLSQP, trust-constr, Powell, Nelder-Mead, COBYLA and COBYQA take
    bounds; another SciPy method with bounds is an error (exit 2).

    Exit code 0 when the result is a success (the gradient test, or with bounds the
    projected-gradient test, holds, or a stop you asked for, such as -O ftol=..., fired; for
    a scipy: method, the test at SciPy's x, whatever SciPy claims, which is shown beside),
    1 otherwise (the status says why), 2 for bad input
    (including a start where f is nan or inf). Ctrl-C stops the solve and reports (and saves with
    --output) the best point found so far.

    --multistart K solves from K starts and reports the best of them: with --workers N on N
    local processes, with --scheduler ADDRESS on a Dask cluster (an unreachable one is an
    error, exit 2, after --connect-timeout), else one after the other; -v draws a bar of
    finished solves. --json adds a "multistart" record: the box, the seed, counts and one
    summary per start, by f.

    \b
    Examples:
      optkit solve rosenbrock
      optkit solve wood --method newton-cg --json
      optkit solve extended-rosenbrock --n 1000 -v
      optkit solve beale --x0 "1,1" --gtol 1e-8
      optkit solve wood -O m=20 -O ftol=0
      optkit solve my_problem.py --method scipy:BFGS --output result.json
      optkit solve lj13 --history history.csv
      optkit solve extended-rosenbrock --n 100000 --no-compile
      optkit solve lj13 --multistart 32 --box -1.5,1.5 --workers 2
      optkit solve himmelblau --multistart 16 --scheduler tcp://10.0.0.5:8786 --json
      optkit solve hs4 --json
      optkit solve rosenbrock --bounds 0,0.5 --method scipy:L-BFGS-B
      optkit solve my_problem.py --bounds-file bounds.csv
    """
    _check_multistart_flags(multistart, history_path,
                            (("--box", box_text), ("--seed", seed), ("--workers", workers),
                             ("--scheduler", scheduler), ("--connect-timeout", connect_timeout)))
    target = executor_target(workers, scheduler, connect_timeout)
    box = None if box_text is None else parse_box(box_text)
    problem = None
    if method is None and multistart is not None:
        method = "lbfgs"
    if method is None:  # the default depends on the problem: load it first
        problem = load_problem(problem_ref, n)
        from_file = problem.source.startswith("user file")
        method = "lm" if from_file and problem.residuals is not None else "lbfgs"
    method = check_method(method)
    if multistart is not None:
        check_multistart_method(method)
    options = parse_options(raw_options, method)
    if method == "scipy:TNC" and maxiter is not None and "maxfun" in options:
        raise CliError("--option: 'maxfun' collides with --maxiter (which sets maxfun for "
                       "scipy:TNC); give one")
    for path, option in ((output, "--output"), (history_path, "--history")):
        if path is not None:
            check_writable(path, option)
    if problem is None:
        problem = load_problem(problem_ref, n)
    bounds, source = resolve_bounds(problem, bounds_text, bounds_file)
    check_method_bounds(method, bounds, problem.name)
    if method in LSQ_METHODS and problem.residuals is None:
        raise CliError(f"--method {method}: {problem.name} defines no residuals (least squares "
                       "needs residuals(x)); choose lbfgs, newton-cg or gd")
    x0 = _start_point(problem, x0_text, x0_file, bounds)
    record = None
    try:
        if multistart is None:
            outcome = run(problem, method, x0, gtol=gtol, maxiter=maxiter,
                          history=history_path is not None,
                          on_iteration=_live_log() if verbose else None, compile_=compile_,
                          options=options, bounds=bounds)
        else:
            with open_scope(target, connect_timeout) as scope:
                outcome, record = run_multistart(
                    problem, method, x0, multistart, box, 0 if seed is None else seed, scope,
                    gtol=gtol, maxiter=maxiter, compile_=compile_, options=options,
                    progress=verbose, bounds=bounds)
    except CliError:
        raise
    except Exception as exc:  # the objective or solver failed: report it, no traceback
        first = (str(exc).splitlines() or [""])[0]
        if as_json:
            click.echo(to_json({"problem": problem.name, "n": problem.n, "method": method,
                                "status": "error", "success": False,
                                "message": f"{type(exc).__name__}: {first}"}))
        click.echo(f"Error: solve failed: {type(exc).__name__}: {first}", err=True)
        raise click.exceptions.Exit(1) from None
    verdict = None
    if method.startswith("scipy:") and outcome.status != "interrupted":
        verdict = scipy_verdict(problem, outcome, bounds, gtol)
    for line in outcome.warnings:
        click.echo(f"Warning: {line}", err=True)
    doc = _document(problem, method, outcome, record, fstar_for(problem, bounds, source),
                    source, verdict)
    if output is not None:
        atomic_write(output, to_json(doc) + "\n", "--output")
    if history_path is not None:
        atomic_write(history_path, _history_csv(outcome.history or []), "--history")
    click.echo(to_json(doc) if as_json else _summary(doc))
    if outcome.status == "interrupted" and output is not None:
        click.echo(f"interrupted: best point saved to {output}", err=True)
    if record is not None and record["interrupted"]:
        click.echo(f"interrupted: the best of the {record['starts'] - record['interrupted']} "
                   "solves that finished", err=True)
        raise click.exceptions.Exit(1)
    if not outcome.success:
        raise click.exceptions.Exit(1)
