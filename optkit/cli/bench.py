"""``optkit bench``: the method x problem matrix, a summary table, a performance profile."""

import os
import pathlib
import sys
import tempfile

import click
import numpy as np

from optkit import problems

from .common import CliError, check_method, check_writable, fmt, load_problem, to_json
from .listing import check_tag
from .runner import run

__all__ = ["DEFAULT_METHODS", "DEFAULT_PROBLEMS", "bench"]

# Small and quick (a few seconds in all), yet varied: classics, scalable, ML, physics.
DEFAULT_PROBLEMS = ("rosenbrock", "freudenstein-roth", "beale", "helical-valley",
                    "powell-singular", "wood", "himmelblau", "box-3d", "brown-dennis",
                    "extended-rosenbrock", "broyden-tridiagonal", "dixon-price", "trid",
                    "zakharov", "logistic-regression", "lj13")
DEFAULT_METHODS = ("lbfgs", "newton-cg", "gd")


def _split(text):
    return [part.strip() for part in text.split(",") if part.strip()]


def _select_problems(names, tag):
    if names is not None and tag is not None:
        raise CliError("--problems and --tag are mutually exclusive; give one")
    if tag is not None:
        return [problems.get(name) for name in problems.names(check_tag(tag))]
    chosen = DEFAULT_PROBLEMS if names is None else _split(names)
    if not chosen:
        raise CliError("--problems: give at least one problem name")
    return [load_problem(name, None) for name in chosen]


def _cost(run_record, metric):
    """The performance measure of a run: inf unless it reached f*."""
    if not run_record["solved"]:
        return np.inf
    if metric == "time":
        return max(run_record["time"], 1e-9)
    return max(sum(run_record[k] or 0 for k in ("nfev", "njev", "nhev")), 1)


def _run_one(problem, method, maxiter):
    try:
        out = run(problem, method, maxiter=maxiter)
    except Exception as exc:  # one failing solve must not stop the matrix
        return {"problem": problem.name, "n": problem.n, "method": method, "status": "error",
                "message": f"{type(exc).__name__}: {exc}", "solved": False, "fun": None,
                "fstar": problem.fstar, "nit": 0, "nfev": 0, "njev": 0, "nhev": 0,
                "time": 0.0}
    return {"problem": problem.name, "n": problem.n, "method": method, "status": out.status,
            "message": out.message, "solved": problem.is_solved(out.fun), "fun": out.fun,
            "fstar": problem.fstar, "nit": out.nit, "nfev": out.nfev, "njev": out.njev,
            "nhev": out.nhev, "time": out.time}


def _summary(runs, methods, total):
    rows = []
    for method in methods:
        mine = [r for r in runs if r["method"] == method]
        row = {"method": method, "solved": sum(r["solved"] for r in mine), "problems": total}
        for key in ("nfev", "njev", "nhev", "time"):  # None: unknown after a Ctrl-C
            row[key] = sum(r[key] or 0 for r in mine)
        rows.append(row)
    return rows


def _table(runs, summary, problem_names, methods):
    """Per problem: evaluations (nfev+njev+nhev) of each method, '*' when f* was not
    reached; then the per-method totals."""
    by_key = {(r["problem"], r["method"]): r for r in runs}
    width = max(len(name) for name in problem_names + ["problem"])
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
            evals = sum(r[k] or 0 for k in ("nfev", "njev", "nhev"))
            cells.append((str(evals) + ("" if r["solved"] else "*")).rjust(c))
        lines.append("  ".join([name.ljust(width)] + cells))
    lines.append("(evaluations nfev+njev+nhev; * = f* not reached)")
    lines.append("")
    w = max(len(m) for m in methods + ["method"]) + 2
    lines.append(f"{'method':<{w}}{'solved':>7}{'nfev':>9}{'njev':>9}{'nhev':>9}{'time':>10}")
    for s in summary:
        solved = f"{s['solved']}/{s['problems']}"
        lines.append(f"{s['method']:<{w}}{solved:>7}{s['nfev']:>9}{s['njev']:>9}"
                     f"{s['nhev']:>9}{fmt(s['time'], 3) + ' s':>10}")
    return "\n".join(lines)


def _check_plot_target(path):
    check_writable(path, "--plot")
    try:
        import matplotlib  # noqa: F401  (only to learn whether the optional extra is there)
    except ImportError:
        raise CliError("--plot needs matplotlib, an optional extra: "
                       "pip install 'optkit[plot]'") from None


def _write_plot(runs, problem_names, methods, path, metric):
    from .profile import plot_profile

    by_key = {(r["problem"], r["method"]): r for r in runs}
    costs = np.array([[_cost(by_key[(p, m)], metric) for m in methods]
                      for p in problem_names if all((p, m) in by_key for m in methods)])
    if costs.size == 0:
        raise CliError("--plot: no complete row of results to plot")
    target = pathlib.Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent or ".", prefix=f".{target.name}.",
                               suffix=target.suffix or ".png")
    os.close(fd)
    try:
        plot_profile(costs, methods, tmp, "evaluations" if metric == "evals" else "time")
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise


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
              help="Write a Dolan-More performance profile (needs optkit[plot]).")
def bench(problem_names, tag, methods, maxiter, metric, as_json, plot_path):
    """Run every method on every problem and print how many each solved, with its
    evaluations and time. A problem counts as solved when |f - f*| <= 1e-6 max(1, |f*|).
    Ctrl-C stops the matrix, reports the runs so far and exits with code 1.

    \b
    Examples:
      optkit bench
      optkit bench --methods lbfgs,scipy:L-BFGS-B --tag mgh
      optkit bench --problems rosenbrock,wood,lj13 --json
      optkit bench --tag scalable --plot profile.png --metric time
    """
    method_list = list(dict.fromkeys(check_method(m) for m in _split(methods)))
    if not method_list:
        raise CliError("--methods: give at least one method")
    if plot_path is not None:
        _check_plot_target(plot_path)
    chosen = _select_problems(problem_names, tag)
    jobs = [(p, m) for p in chosen for m in method_list]
    runs, interrupted = [], False
    with click.progressbar(jobs, label="bench", file=sys.stderr,
                           item_show_func=lambda j: j and f"{j[0].name} / {j[1]}") as bar:
        for problem, method in bar:
            record = _run_one(problem, method, maxiter)
            runs.append(record)
            if record["status"] == "interrupted":
                interrupted = True
                click.echo("\ninterrupted: reporting the runs so far", err=True)
                break
    names = list(dict.fromkeys(p.name for p in chosen))
    summary = _summary(runs, method_list, len(names))
    if plot_path is not None:
        _write_plot(runs, names, method_list, plot_path, metric)
    if as_json:
        click.echo(to_json({"methods": method_list, "problems": names, "runs": runs,
                            "summary": summary}))
    else:
        click.echo(_table(runs, summary, names, method_list))
        if plot_path is not None:
            click.echo(f"performance profile written to {plot_path}")
    if interrupted:
        raise click.exceptions.Exit(1)
