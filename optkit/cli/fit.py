"""``optkit fit DATA.csv --model FILE.py``: curve fitting with exact Jacobians.

The model file defines ``model(x, *params)`` in plain numpy and ``p0`` (the starting
parameters; optionally ``names``, one label per parameter). The data file holds numbers in
columns, comma- or whitespace-separated, with an optional header line: the last column is y,
the others x (one x column: x is 1-D; k columns: x has shape (k, m), as scipy's curve_fit
passes it). The command calls ``optkit.curve_fit`` and prints each parameter with its
standard error (the square root of pcov's diagonal).
"""

import math
import pathlib
import runpy

import click
import numpy as np

import optkit

from .common import CliError, fmt, parse_vector, to_json

__all__ = ["fit"]


def _read_data(path):
    file = pathlib.Path(path)
    if not file.is_file():
        raise CliError(f"DATA: file {path!r} does not exist")
    text = file.read_text(encoding="utf-8", errors="replace").splitlines()
    rows = [line.replace(",", " ").split() for line in text if line.strip()
            and not line.lstrip().startswith("#")]
    if rows and not _numeric(rows[0]):
        rows = rows[1:]  # a header line
    if not rows:
        raise CliError(f"DATA: {path!r} holds no data rows")
    width = len(rows[0])
    if width < 2:
        raise CliError(f"DATA: {path!r} needs at least two columns (x ... y), got one")
    values = []
    for number, row in enumerate(rows, 1):
        if len(row) != width or not _numeric(row):
            raise CliError(f"DATA: {path!r} data row {number} is not {width} numbers: "
                           f"{' '.join(row)!r}")
        values.append([float(v) for v in row])
    data = np.array(values)
    if not np.isfinite(data).all():
        raise CliError(f"DATA: {path!r} contains nan or inf")
    x = data[:, 0] if width == 2 else data[:, :-1].T
    return x, data[:, -1]


def _numeric(row):
    try:
        [float(v) for v in row]
    except ValueError:
        return False
    return True


def _load_model(path):
    file = pathlib.Path(path)
    if not file.is_file():
        raise CliError(f"--model: file {path!r} does not exist")
    try:
        namespace = runpy.run_path(str(file), run_name="optkit_model_file")
    except SyntaxError as exc:
        raise CliError(f"--model: {path}:{exc.lineno}: syntax error: {exc.msg}") from None
    except Exception as exc:  # the user's code may raise anything: one line
        raise CliError(f"--model: running {path} raised {type(exc).__name__}: {exc}") from None
    model = namespace.get("model")
    if not callable(model):
        raise CliError(f"--model: {path} does not define model(x, *params)")
    return model, namespace.get("p0"), namespace.get("names")


@click.command(short_help="Fit a model file to data; parameters with standard errors.")
@click.argument("data", metavar="DATA.csv")
@click.option("--model", "model_path", required=True, metavar="FILE.py",
              help="A Python file defining model(x, *params) and p0.")
@click.option("--p0", "p0_text", metavar='"1,2,..."', help="Starting parameters (default: "
              "the model file's p0).")
@click.option("-m", "--method", type=click.Choice(["lm", "gn-cg"]), default="lm",
              show_default=True, help="The least-squares method.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
def fit(data, model_path, p0_text, method, as_json):
    """Fit model(x, *params) from FILE.py to the columns of DATA.csv (x ..., y) by least
    squares with an exact Jacobian, and print the parameters with standard errors.

    Exit code 0 for a converged fit, 1 when it does not converge, 2 for bad input.

    \b
    Example:
      optkit fit decay.csv --model decay.py
    """
    model, p0, names = _load_model(model_path)
    x, y = _read_data(data)
    if p0_text is not None:
        if p0 is None:
            p0 = parse_vector(p0_text, len(p0_text.replace(";", ",").split(",")), "--p0")
        else:
            p0 = parse_vector(p0_text, np.size(p0), "--p0")
    if p0 is None:
        raise CliError(f"--model: {model_path} does not define p0 (or pass --p0)")
    try:
        p0 = np.atleast_1d(np.asarray(p0, dtype=float))
    except (TypeError, ValueError):
        raise CliError(f"--model: p0 in {model_path} must be a list of numbers") from None
    if p0.ndim != 1 or not np.isfinite(p0).all():
        raise CliError("p0 must be a 1-D list of finite numbers")
    if names is None:
        names = [f"p{i}" for i in range(p0.size)]
    elif len(names) != p0.size:
        raise CliError(f"--model: names has {len(names)} entries but p0 has {p0.size}")
    try:
        with np.errstate(all="ignore"):
            start = np.asarray(model(x, *p0), dtype=float)
    except Exception as exc:  # the user's model: one line
        raise CliError(f"--model: model(x, *p0) raised {type(exc).__name__}: {exc}") from None
    if start.shape != y.shape:
        raise CliError(f"--model: model(x, *p0) returned shape {start.shape}, expected "
                       f"{y.shape} (one value per data row)")
    try:
        popt, pcov = optkit.curve_fit(model, x, y, p0=p0, method=method)
    except RuntimeError as exc:
        click.echo(f"Error: fit failed: {exc}", err=True)
        raise click.exceptions.Exit(1) from None
    except (ValueError, TypeError) as exc:
        raise CliError(str(exc)) from None
    errors = np.sqrt(np.diag(pcov))
    residuals = model(x, *popt) - y
    doc = {"model": str(model_path), "data": str(data), "method": method, "m": int(y.size),
           "parameters": {str(k): float(v) for k, v in zip(names, popt, strict=True)},
           "standard_errors": {str(k): float(e) for k, e in zip(names, errors, strict=True)},
           "residual_sum_of_squares": float(residuals @ residuals)}
    if as_json:
        click.echo(to_json(doc))
        return
    width = max(len(str(k)) for k in names)
    for k, v, e in zip(names, popt, errors, strict=True):
        shown = fmt(e, 4) if math.isfinite(e) else "inf"
        click.echo(f"{str(k):<{width}}  {v:>16.10g}  +/- {shown}")
    click.echo(f"{'RSS':<{width}}  {fmt(doc['residual_sum_of_squares'], 10):>16}  "
               f"({y.size} points)")
