"""What to write instead, when a traced value is converted to a plain array.

Two common causes have an exact answer, found from the Python call stack when the conversion
is refused (an error path only: nothing here runs while tracing succeeds):
- a SciPy function that converts its input with ``np.asarray`` and has a differentiable
  equivalent in optkit (``scipy.stats.norm.logpdf`` -> ``optkit.stats.norm.logpdf``);
- an array built from a Python list of traced values (``np.array([x[0], x[1] ** 2])``,
  ``np.mean([a, b])``), which numpy converts element by element before any protocol can
  intercept it: the rewrite is ``np.stack([...])``.
The table names optkit's public functions as strings, so this module imports nothing of them
(``tests/ad/test_equivalents.py`` checks that every name exists).
"""

from __future__ import annotations

import linecache
import re
import sys

__all__ = ["EQUIVALENTS", "scipy_equivalent", "list_rewrite", "conversion_hint"]

_STATS_DISTRIBUTIONS = ("norm", "t", "gamma", "beta", "chi2", "expon", "lognorm", "laplace",
                        "cauchy", "logistic")
_STATS_DISCRETE = ("poisson", "binom", "nbinom")
_CONTINUOUS_METHODS = ("logpdf", "pdf", "logcdf", "cdf", "logsf", "sf")
_DISCRETE_METHODS = ("logpmf", "pmf", "logcdf", "cdf", "logsf", "sf")

# scipy's public name -> optkit's differentiable equivalent (same arguments)
EQUIVALENTS: dict = {
    **{f"scipy.special.{n}": f"optkit.special.{n}"
       for n in ("logsumexp", "softmax", "log_softmax", "polygamma", "multigammaln")},
    **{f"scipy.linalg.{n}": f"optkit.linalg.{n}"
       for n in ("expm", "sqrtm", "solve_triangular", "cho_factor", "cho_solve", "lu_factor",
                 "lu_solve", "solve_sylvester", "solve_banded")},
    **{f"scipy.signal.{n}": f"optkit.signal.{n}" for n in ("convolve", "correlate")},
    **{f"scipy.stats.{d}.{m}": f"optkit.stats.{d}.{m}"
       for d in _STATS_DISTRIBUTIONS for m in _CONTINUOUS_METHODS},
    **{f"scipy.stats.{d}.{m}": f"optkit.stats.{d}.{m}"
       for d in _STATS_DISCRETE for m in _DISCRETE_METHODS},
    **{f"scipy.stats.{d}.{m}": f"optkit.stats.{d}.{m}"
       for d in ("multivariate_normal", "dirichlet") for m in ("logpdf", "pdf")},
    "scipy.optimize.rosen": "np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2, "
                            "axis=0), as optkit.minimize does by itself when given "
                            "scipy.optimize.rosen,",
}


def _public_name(frame):
    """``scipy.<package>.<name>`` for a frame running SciPy code, or None."""
    module = frame.f_globals.get("__name__", "")
    if not module.startswith("scipy."):
        return None
    package = ".".join(module.split(".")[:2])
    name = frame.f_code.co_name
    if package == "scipy.stats":
        owner = frame.f_locals.get("self")
        dist = getattr(getattr(owner, "dist", owner), "name", None)   # frozen: owner.dist
        if not isinstance(dist, str):
            dist = type(owner).__name__.removesuffix("_gen") if owner is not None else None
        return f"{package}.{dist}.{name}" if dist else None
    return f"{package}.{name}"


def scipy_equivalent(frame):
    """``(scipy name, optkit equivalent)`` for the outermost SciPy call on the stack, or None."""
    found = None
    while frame is not None:
        name = _public_name(frame)
        if name in EQUIVALENTS:
            found = (name, EQUIVALENTS[name])
        frame = frame.f_back
    return found


_LIST_CALL = re.compile(r"\b(np|numpy)\.(array|asarray|asanyarray)\(\s*\[")
_REDUCTION_OF_LIST = re.compile(r"\b((?:np|numpy)(?:\.linalg)?\.\w+)\(\s*\[")


def _closing(text, start):
    """Index of the bracket closing the one at ``start`` (or None)."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] in "([{":
            depth += 1
        elif text[i] in ")]}":
            depth -= 1
            if depth == 0:
                return i
    return None


def list_rewrite(line):
    """The rewrite of a numpy call on a list literal in ``line`` with ``np.stack``, or None."""
    m = _LIST_CALL.search(line)
    if m:
        end = _closing(line, m.end() - 1)
        if end is not None:
            items = line[m.end() - 1:end + 1]
            close = _closing(line, line.index("(", m.start()))
            original = line[m.start():close + 1] if close is not None else line[m.start():]
            return original, f"{m.group(1)}.stack({items})"
    m = _REDUCTION_OF_LIST.search(line)
    if m:
        end = _closing(line, m.end() - 1)
        if end is not None:
            items = line[m.end() - 1:end + 1]
            np_name = m.group(1).split(".")[0]
            return items, f"{np_name}.stack({items})"
    return None


def _user_frame(frame):
    """The innermost frame outside numpy, scipy and optkit: the user's code."""
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module.split(".")[0] not in ("numpy", "scipy", "optkit"):
            return frame
        frame = frame.f_back
    return None


def _source_line(frame):
    return linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()


def conversion_hint(depth=2):
    """A sentence for the conversion error raised ``depth`` frames up, or ''."""
    frame = sys._getframe(depth)
    found = scipy_equivalent(frame)
    if found is not None:
        name, equivalent = found
        return (f" {name} converts its input with np.asarray; use {equivalent} instead, "
                "which is differentiable.")
    user = _user_frame(frame)
    if user is not None:
        rewrite = list_rewrite(_source_line(user))
        if rewrite is not None:
            original, new = rewrite
            return (f" numpy converts a Python list of traced values element by element; "
                    f"build the array with np.stack: write {new} instead of {original}.")
    return ""
