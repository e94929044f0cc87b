"""The catalogue: every built-in problem spec by name, and lookup with suggestions."""

import difflib
import functools

from . import (
    box,
    classics,
    hock_schittkowski,
    mgh_fitting,
    mgh_scalable,
    minpack2,
    ml,
    nist,
    physics,
    quadratics,
    scalable,
)
from .registry import Problem, ProblemError, ProblemSpec

__all__ = ["get", "names", "spec", "specs"]

_FAMILIES = (classics, mgh_fitting, mgh_scalable, scalable, quadratics, ml, physics,
             hock_schittkowski, box, minpack2, nist)


def _collect() -> dict:
    table = {}
    for module in _FAMILIES:
        for spec in module.SPECS:
            if spec.name in table:
                raise RuntimeError(f"problem {spec.name!r} is defined twice")
            table[spec.name] = spec
    return table


_SPECS = _collect()


def _normalize(name: str) -> str:
    return name.strip().lower().replace("_", "-")


def specs(tag: str | None = None) -> list[ProblemSpec]:
    """All problem specs in catalogue order, optionally only those carrying ``tag``.

    Parameters
    ----------
    tag : str, optional
        Keep the specs carrying this tag (``KNOWN_TAGS`` lists the built-in ones).

    Returns
    -------
    list of ProblemSpec

    Examples
    --------
    >>> from optkit import problems
    >>> all(s.scalable for s in problems.specs("scalable"))
    True
    """
    return [s for s in _SPECS.values() if tag is None or tag in s.tags]


def names(tag: str | None = None) -> list[str]:
    """Names of all problems (optionally only those carrying ``tag``), in catalogue order.

    Parameters
    ----------
    tag : str, optional
        Keep the problems carrying this tag.

    Returns
    -------
    list of str

    Examples
    --------
    >>> from optkit import problems
    >>> "rosenbrock" in problems.names(), "rosenbrock" in problems.names("bounds")
    (True, False)
    """
    return [s.name for s in specs(tag)]


def spec(name: str) -> ProblemSpec:
    """The spec called ``name`` (case and '_'/'-' insensitive).

    Parameters
    ----------
    name : str
        A problem name.

    Returns
    -------
    ProblemSpec

    Raises
    ------
    ProblemError
        ``name`` is not a string, or no problem has it (the message suggests the closest
        names).

    Examples
    --------
    >>> from optkit import problems
    >>> problems.spec("Extended_Rosenbrock").name
    'extended-rosenbrock'
    """
    if not isinstance(name, str):
        raise ProblemError(f"problem name must be a string; got {type(name).__name__}")
    key = _normalize(name)
    if key in _SPECS:
        return _SPECS[key]
    close = difflib.get_close_matches(key, list(_SPECS), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else "; `optkit list` shows them all"
    raise ProblemError(f"unknown problem {name!r}{hint}")


@functools.lru_cache(maxsize=32)
def _build(key: str, n: int) -> Problem:
    return _SPECS[key].build(n)


def get(name: str, n: int | None = None) -> Problem:
    """Build the problem ``name`` at dimension ``n`` (its default when None).

    Parameters
    ----------
    name : str
        A problem name (case and '_'/'-' insensitive).
    n : int, optional
        The dimension; the problem's default when None.

    Returns
    -------
    Problem
        Problems are immutable, so repeated calls return the same cached object.

    Raises
    ------
    ProblemError
        An unknown name or an n outside the problem's range (a ValueError).

    Examples
    --------
    >>> from optkit import problems
    >>> p = problems.get("extended-rosenbrock", n=6)
    >>> p.n, p.fstar, p is problems.get("extended-rosenbrock", n=6)
    (6, 0.0, True)
    """
    s = spec(name)
    return _build(s.name, s.check_n(n))
