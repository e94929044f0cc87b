"""Bounds on the command line: ``--bounds LO,HI``, ``--bounds-file F``, which methods take
bounds, and which f* still holds under a box from the command line.

A box given on the command line replaces the problem's own bounds (a library problem's or a
problem file's ``bounds``); without one, the problem's bounds are used. Every bad box is a
:class:`~optkit.cli.common.CliError` (exit 2, one line) naming the option and, through
:func:`optkit.optim.bounds.as_bounds`, the index.
"""

from __future__ import annotations

import csv
import pathlib

import numpy as np

from optkit.optim.bounds import Bounds, as_bounds

from .common import CliError

__all__ = ["SCIPY_BOUNDED", "check_method_bounds", "fstar_for", "parse_bounds",
           "read_bounds_file", "resolve_bounds"]

# scipy.optimize.minimize's methods that take `bounds` (its documentation, "bounds" argument)
SCIPY_BOUNDED = ("Nelder-Mead", "Powell", "L-BFGS-B", "TNC", "SLSQP", "trust-constr",
                 "COBYLA", "COBYQA")

_MISSING = {"none": None, "": None}


def _side(text: str, option: str, where: str) -> float | None:
    """One side: a number, inf/-inf, or none/empty for a missing side (None)."""
    word = text.strip().lower()
    if word in _MISSING:
        return None
    try:
        return float(word)
    except ValueError:
        raise CliError(f"{option}: {where}: {text.strip()!r} is not a number "
                       "(use a number, inf, -inf or none)") from None


def _as_bounds(lb, ub, n: int, option: str) -> Bounds:
    try:
        return as_bounds(Bounds(lb, ub), n)
    except ValueError as exc:
        raise CliError(f"{option}: {exc}") from None


def parse_bounds(text: str, n: int) -> Bounds:
    """``"LO,HI"`` -> the box [LO, HI] in each of the n components (inf, -inf or none for a
    missing side)."""
    parts = text.split(",")
    if len(parts) != 2:
        raise CliError(f"--bounds: expected LO,HI (e.g. 0,inf or -1,1), got {text!r}")
    lo, hi = (_side(p, "--bounds", name) for p, name in zip(parts, ("LO", "HI"), strict=True))
    return _as_bounds(np.full(n, -np.inf if lo is None else lo),
                      np.full(n, np.inf if hi is None else hi), n, "--bounds")


def read_bounds_file(path: str, n: int) -> Bounds:
    """Per-component bounds from a ``.npy`` file of shape (n, 2) or a CSV file (any other
    extension) of n rows ``lo,hi``; a side may be inf, -inf, none or empty."""
    option = "--bounds-file"
    file = pathlib.Path(path)
    if not file.is_file():
        raise CliError(f"{option}: file {path!r} does not exist")
    if file.suffix == ".npy":
        try:
            arr = np.load(file, allow_pickle=False)
        except (ValueError, OSError, EOFError) as exc:
            first = (str(exc).splitlines() or [type(exc).__name__])[0]
            raise CliError(f"{option}: cannot read {path!r}: {first}") from None
        if arr.dtype.kind not in "iuf":
            raise CliError(f"{option}: {path!r} holds {arr.dtype} values, expected numbers")
        if arr.ndim != 2 or arr.shape[1] != 2:
            raise CliError(f"{option}: {path!r} holds an array of shape {arr.shape}, "
                           f"expected ({n}, 2): one (lo, hi) row per component")
        rows = arr.astype(float)
    else:
        rows = _read_csv(file, path, option)
    if rows.shape[0] != n:
        raise CliError(f"{option}: {path!r} has {rows.shape[0]} rows but the problem has "
                       f"n={n} (one lo,hi row per component)")
    return _as_bounds(rows[:, 0], rows[:, 1], n, option)


def _read_csv(file: pathlib.Path, path: str, option: str) -> np.ndarray:
    try:
        with open(file, newline="", encoding="utf-8") as handle:
            records = [r for r in csv.reader(handle) if r and any(c.strip() for c in r)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise CliError(f"{option}: cannot read {path!r}: {exc}") from None
    rows = []
    for k, record in enumerate(records):
        if len(record) != 2:
            raise CliError(f"{option}: {path!r} row {k + 1} has {len(record)} columns, "
                           "expected 2 (lo,hi)")
        lo, hi = (_side(c, option, f"bounds[{k}]") for c in record)
        rows.append((-np.inf if lo is None else lo, np.inf if hi is None else hi))
    return np.array(rows, dtype=float).reshape(-1, 2)


def resolve_bounds(problem, text: str | None, path: str | None) -> tuple[Bounds | None, str]:
    """The bounds of a solve (None for none, or all infinite) and where they come from:
    "--bounds", "--bounds-file", "problem" (its own) or "none"."""
    if text is not None and path is not None:
        raise CliError("--bounds and --bounds-file are mutually exclusive; give one")
    if text is not None:
        bounds, source = parse_bounds(text, problem.n), "--bounds"
    elif path is not None:
        bounds, source = read_bounds_file(path, problem.n), "--bounds-file"
    else:
        bounds, source = problem.bounds, "problem" if problem.bounds is not None else "none"
    if bounds is not None and bounds.is_unbounded:
        bounds = None  # a box from the command line still replaces the problem's own
    return bounds, source


def check_method_bounds(method: str, bounds: Bounds | None, problem_name: str) -> None:
    """A CliError when `method` cannot take bounds and there are some: SciPy's methods
    outside :data:`SCIPY_BOUNDED` (SciPy would only warn and ignore them)."""
    if bounds is None or not method.startswith("scipy:"):
        return
    name = method[len("scipy:"):]
    if name not in SCIPY_BOUNDED:
        raise CliError(f"--method {method} does not support bounds, and {problem_name} is "
                       f"bounded; use lbfgs, newton-cg, gd or one of "
                       f"{', '.join('scipy:' + m for m in SCIPY_BOUNDED)}")


def fstar_for(problem, bounds: Bounds | None, source: str):
    """The problem's f* when it is still the minimum under `bounds`: always for the problem's
    own bounds; for a box from the command line, when the known x* lies in it and the box
    lies in the problem's own domain (so no lower point is let in). Else None (unknown)."""
    if source in ("problem", "none"):
        return problem.fstar
    return _inside(problem, bounds)


def _inside(problem, bounds):
    if problem.fstar is None or problem.xstar is None:
        return None
    own = problem.bounds
    if bounds is not None and not bounds.contains(problem.xstar):
        return None
    if own is not None and (bounds is None or np.any(bounds.lb < own.lb)
                            or np.any(bounds.ub > own.ub)):
        return None
    return problem.fstar
