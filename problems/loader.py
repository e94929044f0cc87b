"""Load a user's problem from a Python file.

The file defines `objective(x)` in plain numpy, or `residuals(x)` (a least-squares problem:
the objective is then their sum of squares, and `optkit solve` defaults to method lm), and
`x0`; optionally `fstar`, `xstar`,
`name`, `description`, `tags`, `gradient` and `bounds` (any form `optkit.minimize` accepts:
a list of (lo, hi) pairs, `optkit.Bounds(lb, ub)`, a `scipy.optimize.Bounds`).  Every
failure raises ProblemError with one line naming the file (and the line, for a syntax error).
"""

import math
import pathlib
import runpy

import numpy as np

from optkit.optim.bounds import as_bounds

from .registry import Problem, ProblemError, sum_of_squares

__all__ = ["load_file"]


def load_file(path) -> Problem:
    """Run the Python file at ``path`` and build a Problem from the names it defines.

    The file defines ``objective(x)`` (or ``residuals(x)``, whose sum of squares is then the
    objective) and ``x0``; optionally ``name`` (default: the file's stem), ``description``,
    ``fstar``, ``xstar``, ``gradient``, ``tags`` (a list of strings) and ``bounds``. The
    objective must run at the start (projected into the bounds) and return a scalar.

    Parameters
    ----------
    path : str or os.PathLike
        The problem file.

    Returns
    -------
    Problem

    Raises
    ------
    ProblemError
        The file is missing, does not run (its error in one line), lacks ``objective``/
        ``residuals`` or ``x0``, or defines a value of the wrong kind; the message names the
        file and the name.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from optkit import problems
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "bowl.py"
    >>> _ = path.write_text("import numpy as np; x0 = [0.0, 0.0]; fstar = 0.0; "
    ...                     "objective = lambda x: np.sum((x - 1.0) ** 2)")
    >>> problems.load_file(path)
    Problem('bowl', n=2, fstar=0.0)
    """
    path = pathlib.Path(path)
    if not path.exists():
        raise ProblemError(f"problem file {str(path)!r} does not exist")
    if not path.is_file():
        raise ProblemError(f"problem file {str(path)!r} is not a regular file")
    try:
        namespace = runpy.run_path(str(path), run_name="optkit_problem_file")
    except SyntaxError as exc:
        raise ProblemError(
            f"{path}:{exc.lineno}: syntax error: {exc.msg}") from None
    except Exception as exc:  # the user's code may raise anything; report it in one line
        raise ProblemError(
            f"{path}: running the file raised {type(exc).__name__}: {exc}") from exc

    objective = namespace.get("objective")
    residuals = namespace.get("residuals")
    if residuals is not None and not callable(residuals):
        raise ProblemError(f"{path}: residuals must be a function of x; "
                           f"got {type(residuals).__name__}")
    if objective is None and residuals is not None:
        objective = sum_of_squares(residuals)
    if objective is None:
        raise ProblemError(f"{path} does not define objective(x) (or residuals(x))")
    if not callable(objective):
        raise ProblemError(f"{path}: objective must be a function of x; "
                           f"got {type(objective).__name__}")
    if "x0" not in namespace:
        raise ProblemError(f"{path} does not define the starting point x0")
    x0 = _vector(namespace["x0"], "x0", path)
    xstar = namespace.get("xstar")
    if xstar is not None:
        xstar = _vector(xstar, "xstar", path)
        if xstar.shape != x0.shape:
            raise ProblemError(f"{path}: xstar has {xstar.size} entries but x0 has {x0.size}")
    fstar = namespace.get("fstar")
    if fstar is not None:
        fstar = _number(fstar, "fstar", path)
    gradient = namespace.get("gradient")
    if gradient is not None and not callable(gradient):
        raise ProblemError(f"{path}: gradient must be a function of x")
    tags = namespace.get("tags", ())
    if isinstance(tags, str) or not all(isinstance(t, str) for t in tags):
        raise ProblemError(f"{path}: tags must be a list of strings")

    bounds = _bounds(namespace.get("bounds"), x0.size, path)
    # the objective may be undefined outside the box: check it where a solver starts
    _check_value_at_start(objective, x0 if bounds is None else bounds.project(x0), path)
    return Problem(
        name=str(namespace.get("name", path.stem)),
        description=str(namespace.get("description", f"user problem from {path.name}")),
        objective=objective, x0=x0, fstar=fstar, xstar=xstar, tags=frozenset(tags),
        source=f"user file {path}", gradient=gradient, bounds=bounds, residuals=residuals)


def _vector(value, what, path) -> np.ndarray:
    try:
        arr = np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise ProblemError(f"{path}: {what} must be a list or array of numbers") from None
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1 or arr.size == 0:
        raise ProblemError(f"{path}: {what} must be a non-empty 1-D array; got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ProblemError(f"{path}: {what} contains non-finite entries")
    return arr


def _number(value, what, path) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ProblemError(f"{path}: {what} must be a number; got {value!r}") from None
    if not math.isfinite(number):
        raise ProblemError(f"{path}: {what} must be finite; got {number}")
    return number


def _bounds(value, n, path):
    try:
        return as_bounds(value, n)
    except (TypeError, ValueError) as exc:
        raise ProblemError(f"{path}: {exc}") from None


def _check_value_at_start(objective, x0, path):
    """objective(x0) must run and return a scalar. Its floating-point warnings are silenced:
    a nan or inf there is for the caller to judge (the CLI refuses to start from it)."""
    try:
        with np.errstate(all="ignore"):
            value = objective(x0.copy())
    except Exception as exc:  # report the user's error in one line
        raise ProblemError(
            f"{path}: objective(x0) raised {type(exc).__name__}: {exc}") from exc
    if np.ndim(value) != 0:
        raise ProblemError(
            f"{path}: objective(x0) must return a scalar; got shape {np.shape(value)}")
