"""What the commands share: one-line errors, problem and vector arguments, method names,
solver options, number formatting and atomic file writes.

Every bad input becomes a :class:`CliError` (exit code 2, one line on stderr) here, so the
command modules only parse, call the public API and echo.
"""

from __future__ import annotations

import ast
import inspect
import json
import math
import os
import pathlib
import tempfile
import warnings
from collections.abc import Callable

import click
import numpy as np

import optkit
from optkit import problems
from optkit.fitting import METHODS as LSQ_METHODS
from optkit.optim import METHODS, check_options
from optkit.optim.suggest import close_matches

__all__ = ["LSQ_METHODS", "LSQ_OPTIONS", "SCIPY_METHODS", "CliError", "atomic_replace",
           "atomic_write", "check_finite_start", "check_method", "check_writable", "fmt",
           "load_problem", "parse_options", "parse_vector", "read_vector_file", "to_json"]

# scipy.optimize.minimize's unconstrained-capable methods, spelled as SciPy spells them.
SCIPY_METHODS = ("Nelder-Mead", "Powell", "CG", "BFGS", "Newton-CG", "L-BFGS-B", "TNC",
                 "COBYLA", "COBYQA", "SLSQP", "trust-constr", "dogleg", "trust-ncg",
                 "trust-exact", "trust-krylov")

# optkit.least_squares's keywords a -O option may set for lm and gn-cg (gtol has its flag,
# --maxiter sets max_nfev; the rest the command line sets itself)
LSQ_OPTIONS = ("ftol", "xtol", "loss", "f_scale", "x_scale", "jac_mode", "geodesic")


class CliError(click.ClickException):
    """A bad input: printed as one line ``Error: ...`` on stderr, exit code 2."""

    exit_code = 2


def _closest(word, choices, n=3):
    return close_matches(word, choices, n=n, cutoff=0.5)


def load_problem(ref: str, n: int | None) -> problems.Problem:
    """A problem from the library (`ref` is a name) or from a Python file (`ref` ends in .py
    or contains a path separator; a bare word is always a name, so a stray file in the
    working directory is never run by accident)."""
    is_file = ref.endswith(".py") or os.sep in ref or "/" in ref
    try:
        if not is_file:
            return problems.get(ref, n)
        problem = problems.load_file(ref)
    except problems.ProblemError as exc:
        raise CliError(str(exc)) from None
    if n is not None and n != problem.n:
        raise CliError(f"--n: problem file {ref} has fixed dimension {problem.n}; got n={n}")
    return problem


def parse_vector(text: str, n: int, option: str) -> np.ndarray:
    """'1, 2.5, -3' -> array; a CliError names the bad entry or the wrong length."""
    parts = [p.strip() for p in text.replace(";", ",").split(",")]
    if len(parts) == 1 and " " in parts[0]:
        parts = parts[0].split()
    values = []
    for part in parts:
        try:
            value = float(part)
        except ValueError:
            raise CliError(f"{option}: {part!r} is not a number "
                           f"(expected {n} comma-separated numbers)") from None
        if not math.isfinite(value):
            raise CliError(f"{option}: entries must be finite; got {part!r}")
        values.append(value)
    return _check_length(np.array(values), n, option)


def read_vector_file(path: str, n: int, option: str) -> np.ndarray:
    """A vector from a .npy file (or a text file of numbers); CliError on any problem."""
    file = pathlib.Path(path)
    if not file.is_file():
        raise CliError(f"{option}: file {path!r} does not exist")
    try:
        if file.suffix == ".npy":
            arr = np.load(file, allow_pickle=False)
        else:
            arr = np.loadtxt(file, delimiter="," if file.suffix == ".csv" else None, ndmin=1)
    except (ValueError, OSError, EOFError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CliError(f"{option}: cannot read {path!r}: {first}") from None
    if arr.dtype.kind not in "iuf":
        raise CliError(f"{option}: {path!r} holds {arr.dtype} values, expected real numbers")
    arr = np.asarray(arr, dtype=float).reshape(-1) if arr.ndim <= 1 else arr
    if arr.ndim != 1:
        raise CliError(f"{option}: {path!r} holds an array of shape {arr.shape}, expected 1-D")
    if not np.isfinite(arr).all():
        raise CliError(f"{option}: {path!r} contains non-finite entries")
    return _check_length(arr, n, option)


def _check_length(arr, n, option):
    if arr.size != n:
        raise CliError(f"{option} has {arr.size} entries but the problem has n={n}")
    return arr


def check_finite_start(problem: problems.Problem, x: np.ndarray, option: str,
                       given: bool) -> None:
    """Refuse a point where the objective is nan or inf: no solve and no derivative check can
    start there. `given` says whether the user passed `x` with `option` (else it is the
    problem's own x0, and `option` is where to give another). An objective that raises, or
    returns something other than a number, is left to the command, which reports that error.
    """
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the value decides; its warnings add nothing
            value = float(problem.objective(np.array(x, dtype=float)))
    except Exception:  # the command's own call reports it, with the objective's message
        return
    if math.isfinite(value):
        return
    if given:
        raise CliError(f"{option}: the objective is {value} there; "
                       "choose a point where it is finite")
    raise CliError(f"the objective is {value} at x0, the start of {problem.name}; "
                   f"give a point where it is finite with {option}")


def check_method(method: str) -> str:
    """The canonical method name ('lbfgs', 'scipy:L-BFGS-B', ...); CliError suggests the
    closest valid one."""
    text = method.strip()
    if text.lower().startswith("scipy:"):
        name = text[len("scipy:"):]
        by_lower = {m.lower(): m for m in SCIPY_METHODS}
        if name.lower() in by_lower:
            return "scipy:" + by_lower[name.lower()]
        close = _closest(name, SCIPY_METHODS)
        hint = (f"; did you mean {', '.join('scipy:' + c for c in close)}?" if close
                else f"; scipy methods: {', '.join(SCIPY_METHODS)}")
        raise CliError(f"--method: unknown scipy method {name!r}{hint}")
    if text.lower() in METHODS or text.lower() in LSQ_METHODS:
        return text.lower()
    valid = sorted(METHODS) + list(LSQ_METHODS) + ["scipy:" + m for m in SCIPY_METHODS]
    close = _closest(text, valid)
    hint = (f"; did you mean {', '.join(close)}?" if close
            else f"; choose from {', '.join(sorted(METHODS) + list(LSQ_METHODS))} or "
            "scipy:<method>")
    raise CliError(f"--method: unknown method {method!r}{hint}")


# set by their own flags (or by the runner): refused as --option so that each has one spelling
_FLAG_OPTIONS = {"gtol": "--gtol", "maxiter": "--maxiter", "history": "--history",
                 "compile": "--compile/--no-compile", "callback": None, "tol": "--gtol"}

# Not options but arguments of the call the CLI makes itself: the problem, its start, the
# derivatives, the method. scipy.optimize.minimize's signature (stable public API) is spelled
# out so that checking an option does not import SciPy; SciPy passes these to its method
# functions next to the options dict, so a key among them collides ("got multiple values").
_SCIPY_ARGUMENTS = frozenset({"fun", "x0", "args", "method", "jac", "hess", "hessp", "bounds",
                              "constraints", "tol", "callback", "options"})
_UNSUPPORTED = frozenset({"constraints"})  # the CLI solves unconstrained or bounded problems


def _call_arguments(method: str) -> frozenset:
    """The argument names of the front door the CLI calls for `method`."""
    if method.startswith("scipy:"):
        return _SCIPY_ARGUMENTS
    return frozenset(name for name, param in inspect.signature(optkit.minimize).parameters.items()
                     if param.kind is not inspect.Parameter.VAR_KEYWORD)


def _check_key(key: str, method: str) -> None:
    """A CliError when `key` is set by a flag or collides with an argument the CLI passes."""
    if key in _FLAG_OPTIONS:
        flag = _FLAG_OPTIONS[key]
        raise CliError(f"--option: {key!r} is not a solver option here"
                       + (f"; use {flag}" if flag else ""))
    if key == "bounds":
        raise CliError("--option: 'bounds' is not a solver option here; use --bounds LO,HI "
                       "or --bounds-file F (a problem's own bounds are used without them)")
    if method in LSQ_METHODS:
        if key not in LSQ_OPTIONS:
            raise CliError(f"--option: {key!r} is not an option of {method}; valid options: "
                           f"{', '.join(LSQ_OPTIONS)}")
        return
    if key in _UNSUPPORTED:
        raise CliError(f"--option: {key!r} is not supported by the command line yet "
                       "(it solves unconstrained and bound-constrained problems only)")
    if key in _call_arguments(method):
        raise CliError(f"--option: {key!r} is an argument the command line sets itself "
                       "(from the problem and its flags), not a solver option")


def parse_options(raw: tuple[str, ...], method: str) -> dict:
    """``("m=20", "forcing=superlinear")`` -> ``{"m": 20, "forcing": "superlinear"}``.

    Values are Python literals (numbers, True/False/None, quoted strings); anything else is
    kept as a string. A key that a flag sets (gtol, maxiter, ...) or that collides with an
    argument the CLI passes itself (x0, jac, bounds, ...) is a CliError. For optkit's methods
    the options are checked as ``optkit.minimize`` would check them, so a bad one is a
    CliError before anything runs.
    """
    options = {}
    for item in raw:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise CliError(f"--option: expected KEY=VALUE (e.g. m=20), got {item!r}")
        if key in options:
            raise CliError(f"--option: {key!r} is given twice")
        _check_key(key, method)
        try:
            value = ast.literal_eval(text.strip())
        except (ValueError, SyntaxError):
            value = text.strip()
        options[key] = value
    if options and not method.startswith("scipy:") and method not in LSQ_METHODS:
        try:
            check_options(method, **options)
        except (ValueError, TypeError) as exc:
            raise CliError(f"--option: {exc}") from None
    return options


def fmt(value, digits=6) -> str:
    """A number in a short, fixed-width-friendly form ('-' for None)."""
    if value is None:
        return "-"
    value = float(value)
    if value == 0:
        return "0"
    return f"{value:.{digits}g}"


def _plain(value):
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (np.floating, float)):
        value = float(value)
        return value if math.isfinite(value) else None  # JSON has no inf/nan
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def to_json(document) -> str:
    """A JSON text of plain types, one top-level entry per line (so a long x stays on one
    line and a list of runs reads as a table); non-finite floats become null."""
    doc = _plain(document)
    if isinstance(doc, dict) and doc:
        items = [f"  {json.dumps(k)}: {_rows(v, '  ')}" for k, v in doc.items()]
        return "{\n" + ",\n".join(items) + "\n}"
    return _rows(doc, "")


def _rows(value, indent):
    """A list of records with one record per line; anything else compact."""
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        inner = indent + "  "
        return "[\n" + ",\n".join(inner + json.dumps(v) for v in value) + f"\n{indent}]"
    return json.dumps(value)


def check_writable(path: str, option: str) -> pathlib.Path:
    """`path` as a Path when its directory exists and it is not a directory itself (checked
    before a long solve, so a typo does not cost the result)."""
    target = pathlib.Path(path)
    if target.is_dir():
        raise CliError(f"{option}: {path!r} is a directory, expected a file name")
    if not target.parent.is_dir():
        raise CliError(f"{option}: directory {str(target.parent)!r} does not exist")
    return target


def _file_mode(target: pathlib.Path) -> int:
    """The mode `open(target, "w")` would leave: an existing file keeps its own, a new one
    gets 0o666 less the umask (mkstemp's temp files are 0o600, too strict for a result)."""
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)  # reading the umask means setting it; restored at once
        os.umask(umask)
        return 0o666 & ~umask


def atomic_replace(path: str, option: str, write: Callable[[str], None]) -> None:
    """Create `path` by `write(tmp)` on a temp file in the same directory, then os.replace,
    so a reader never sees a half-written file. The file gets the mode `open` would give it
    (see `_file_mode`). An OSError becomes a CliError naming `option`; a failed write leaves
    no temp file behind."""
    target = check_writable(path, option)
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                   suffix=".tmp")
        os.close(fd)
        try:
            write(tmp)
            os.chmod(tmp, _file_mode(target))
            os.replace(tmp, target)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError as exc:
        raise CliError(f"{option}: cannot write {path!r}: {exc.strerror or exc}") from None


def atomic_write(path: str, text: str, option: str) -> None:
    """Write `text` (UTF-8) to `path` atomically (see `atomic_replace`)."""

    def write(tmp):
        with open(tmp, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)

    atomic_replace(path, option, write)
