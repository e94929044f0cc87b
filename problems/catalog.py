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
    """All problem specs in catalogue order, optionally only those carrying `tag`."""
    return [s for s in _SPECS.values() if tag is None or tag in s.tags]


def names(tag: str | None = None) -> list[str]:
    """Names of all problems (optionally only those carrying `tag`), in catalogue order."""
    return [s.name for s in specs(tag)]


def spec(name: str) -> ProblemSpec:
    """The spec called `name` (case and '_'/'-' insensitive); ProblemError suggests the
    closest names when there is none."""
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
    """Build the problem `name` at dimension `n` (its default when None).

    Problems are immutable, so repeated calls return the same cached object.
    Raises ProblemError (a ValueError) for an unknown name or an n outside the range.
    """
    s = spec(name)
    return _build(s.name, s.check_n(n))
