"""The records of the problem library: a built `Problem`, the `ProblemSpec` that builds it,
and the error every lookup or load failure raises.

A spec is the catalogue entry (name, tags, allowed dimensions); `spec.build(n)` returns a
`Problem` for one dimension, with its objective, start point and known optimum.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from optkit.optim.bounds import as_bounds

from .memory import check_fits

__all__ = ["KNOWN_TAGS", "DimRange", "Problem", "ProblemError", "ProblemSpec",
           "fixed_spec", "scalable_spec", "sum_of_squares"]

#: The vocabulary of tags used by the built-in problems (user files may add their own).
#: "start-local-min" marks problems whose standard start leads BFGS and L-BFGS to a local
#: minimum above the recorded (global) f*, so a benchmark may want to leave them out.
#: "bounds" marks the bound-constrained problems (``problem.bounds`` is not None): f* and x*
#: are the minimum over the box, so an unconstrained solver must not be judged by them.
#: "nist" marks the NIST StRD nonlinear regression problems (certified f* and x*).
KNOWN_TAGS = frozenset({"convex", "nonconvex", "least-squares", "scalable", "ml", "physics",
                        "quadratic", "mgh", "start-local-min", "bounds", "nist"})


class ProblemError(ValueError):
    """A problem could not be found, built or loaded; the message is one line for the user.

    A ValueError, so code that catches bad arguments in general catches it too.

    Examples
    --------
    >>> from optkit import problems
    >>> try:
    ...     problems.get("rosenbrock", n=3)
    ... except problems.ProblemError as exc:
    ...     print(exc)
    rosenbrock has fixed dimension 2; got n=3
    """


def _readonly_vector(value, what: str) -> np.ndarray:
    arr = np.array(value, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise ProblemError(f"{what} must be a non-empty 1-D array; got shape {arr.shape}")
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class Problem:
    """One minimization problem of fixed dimension: minimize ``objective(x)`` over R^n, or
    over the box ``bounds``.

    Parameters
    ----------
    name, description : str
        A non-empty name, and one line about the problem.
    objective : callable
        ``objective(x) -> float``, written in plain numpy (operators and ``np.*`` functions on
        ``x`` only), so optkit's AD can trace it.
    x0 : array_like
        The start, a non-empty 1-D vector; stored read-only (copy before mutating).
    fstar : float, optional
        The known minimum, finite; None when unknown.
    xstar : array_like, optional
        A known minimizer, stored read-only.
    tags : iterable of str, optional
        Labels (``KNOWN_TAGS`` lists the built-in ones).
    source : str, optional
        Where the problem comes from (a paper, a file).
    n : int, optional
        The dimension; 0 (default) takes it from ``x0``.
    residuals : callable, optional
        For least-squares problems, ``residuals(x)`` with
        ``objective(x) == sum(residuals(x)**2)``.
    gradient : callable, optional
        A hand-written gradient, used to cross-check the AD.
    hessp : callable, optional
        A hand-written Hessian-vector product ``hessp(x, v)``.
    bounds : optional
        A box in any form ``optkit.minimize`` accepts, normalised to an ``optkit.Bounds``; the
        problem then carries the tag "bounds", its f* and x* are the minimum over the box,
        and x0 may lie outside it (as some published starts do): solvers project it.

    Raises
    ------
    ProblemError
        An empty name, a non-callable objective, a bad ``x0``/``xstar``/``fstar``, an ``n``
        that disagrees with ``x0``, or invalid bounds; the message names the problem.

    Examples
    --------
    >>> import numpy as np
    >>> from optkit.problems import Problem
    >>> p = Problem("sphere", "sum of squares", lambda x: np.sum(x * x), x0=[1.0, 2.0],
    ...             fstar=0.0)
    >>> p
    Problem('sphere', n=2, fstar=0.0)
    >>> p.is_solved(1e-9), p.is_solved(1e-3)
    (True, False)
    """

    name: str
    description: str
    objective: Callable
    x0: np.ndarray
    fstar: float | None = None
    xstar: np.ndarray | None = None
    tags: frozenset = field(default_factory=frozenset)
    source: str = ""
    n: int = 0  # 0 means "take it from x0"
    residuals: Callable | None = None
    gradient: Callable | None = None
    hessp: Callable | None = None
    bounds: object = None  # normalised to an optkit.Bounds of length n, or None

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ProblemError(f"name must be a non-empty string; got {self.name!r}")
        if not callable(self.objective):
            raise ProblemError(f"{self.name}: objective must be callable")
        x0 = _readonly_vector(self.x0, f"{self.name}: x0")
        object.__setattr__(self, "x0", x0)
        if self.n == 0:
            object.__setattr__(self, "n", x0.size)
        if self.n != x0.size:
            raise ProblemError(f"{self.name}: n={self.n} but x0 has {x0.size} entries")
        if self.xstar is not None:
            xstar = _readonly_vector(self.xstar, f"{self.name}: xstar")
            if xstar.size != self.n:
                raise ProblemError(
                    f"{self.name}: xstar has {xstar.size} entries, expected {self.n}")
            object.__setattr__(self, "xstar", xstar)
        if self.fstar is not None:
            fstar = float(self.fstar)
            if not math.isfinite(fstar):
                raise ProblemError(f"{self.name}: fstar must be finite; got {fstar}")
            object.__setattr__(self, "fstar", fstar)
        tags = frozenset(self.tags)
        if self.bounds is not None:
            try:
                object.__setattr__(self, "bounds", as_bounds(self.bounds, self.n))
            except (TypeError, ValueError) as exc:
                raise ProblemError(f"{self.name}: {exc}") from None
            tags |= {"bounds"}
        object.__setattr__(self, "tags", tags)

    def is_solved(self, f: float, rtol: float = 1e-6) -> bool:
        """True when ``|f - f*| <= rtol * max(1, |f*|)``; False when f* is unknown.

        Parameters
        ----------
        f : float
            An objective value reached; a non-finite one is never solved.
        rtol : float, optional
            The relative tolerance.

        Returns
        -------
        bool
        """
        if self.fstar is None or not math.isfinite(f):
            return False
        return abs(f - self.fstar) <= rtol * max(1.0, abs(self.fstar))

    def __repr__(self):
        return f"Problem({self.name!r}, n={self.n}, fstar={self.fstar!r})"


@dataclass(frozen=True)
class DimRange:
    """Allowed dimensions of a scalable problem: lo <= n <= hi and n % multiple_of == 0.

    Parameters
    ----------
    lo : int
        The smallest dimension, >= 1.
    hi : int or None, optional
        The largest dimension. None means no upper limit but memory (checked when a problem
        is built); a finite hi is a limit of the problem itself (f* tabulated only up to hi,
        or a build cost that grows faster than n).
    multiple_of : int, optional
        n must be a multiple of it (>= 1).

    Raises
    ------
    ValueError
        ``lo < 1``, ``hi < lo`` or ``multiple_of < 1``.

    Examples
    --------
    >>> from optkit.problems import DimRange
    >>> r = DimRange(2, multiple_of=2)
    >>> 4 in r, 5 in r, str(r)
    (True, False, 'n >= 2, n even')
    """

    lo: int
    hi: int | None = None
    multiple_of: int = 1

    def __post_init__(self):
        if self.lo < 1 or (self.hi is not None and self.hi < self.lo):
            raise ValueError(f"DimRange needs 1 <= lo <= hi; got lo={self.lo}, hi={self.hi}")
        if self.multiple_of < 1:
            raise ValueError(f"multiple_of must be >= 1; got {self.multiple_of}")

    def __contains__(self, n) -> bool:
        return (isinstance(n, int) and self.lo <= n and (self.hi is None or n <= self.hi)
                and n % self.multiple_of == 0)

    def __str__(self):
        text = f"n >= {self.lo}" if self.hi is None else f"{self.lo} <= n <= {self.hi}"
        if self.multiple_of == 2:
            text += ", n even"
        elif self.multiple_of > 2:
            text += f", n a multiple of {self.multiple_of}"
        return text


@dataclass(frozen=True)
class ProblemSpec:
    """A catalogue entry: ``build(n)`` checks n against ``n_range`` and calls ``factory(n)``.

    Parameters
    ----------
    name, description, source : str
        As the ``Problem`` it builds.
    tags : iterable of str
        Stored as a frozenset.
    default_n : int
        The dimension built when none is asked for; inside ``n_range``.
    n_range : DimRange or None
        The allowed dimensions; None for a fixed-dimension problem (only ``default_n``).
    factory : callable
        ``factory(n) -> Problem`` of dimension n.

    Raises
    ------
    ValueError
        ``default_n`` outside ``n_range``.

    Examples
    --------
    >>> from optkit import problems
    >>> s = problems.spec("extended-rosenbrock")
    >>> s.scalable, s.default_n in s.n_range, s.build(4).n
    (True, True, 4)
    """

    name: str
    description: str
    tags: frozenset
    source: str
    default_n: int
    n_range: DimRange | None
    factory: Callable[[int], Problem]

    def __post_init__(self):
        object.__setattr__(self, "tags", frozenset(self.tags))
        if self.n_range is not None and self.default_n not in self.n_range:
            raise ValueError(f"{self.name}: default_n={self.default_n} outside {self.n_range}")

    @property
    def scalable(self) -> bool:
        """True when the problem takes more than one dimension (``n_range`` is given)."""
        return self.n_range is not None

    def check_n(self, n) -> int:
        """Return n (default_n when None) or raise ProblemError naming n and the allowed range.

        Parameters
        ----------
        n : int or None
            The dimension asked for.

        Returns
        -------
        int
            ``n``, or ``default_n`` when n is None.

        Raises
        ------
        ProblemError
            n is not an integer, outside ``n_range`` (not ``default_n`` for a fixed problem),
            or, without an upper limit, too large for the memory it would need.
        """
        if n is None:
            return self.default_n
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise ProblemError(f"{self.name}: n must be an integer; got {n!r}")
        n = int(n)
        if self.n_range is None:
            if n != self.default_n:
                raise ProblemError(
                    f"{self.name} has fixed dimension {self.default_n}; got n={n}")
        elif n not in self.n_range:
            raise ProblemError(f"{self.name}: n={n} is outside the allowed range {self.n_range}")
        elif self.n_range.hi is None and (reason := check_fits(self.name, n)) is not None:
            raise ProblemError(reason)
        return n

    def build(self, n=None) -> Problem:
        """The ``Problem`` of dimension n (``default_n`` when None).

        Parameters
        ----------
        n : int, optional
            The dimension, checked by ``check_n``.

        Returns
        -------
        Problem

        Raises
        ------
        ProblemError
            As ``check_n``.
        """
        n = self.check_n(n)
        problem = self.factory(n)
        if problem.n != n:
            raise AssertionError(f"{self.name}: factory built n={problem.n}, asked for {n}")
        return problem


def sum_of_squares(residuals: Callable) -> Callable:
    """The least-squares objective f(x) = sum(r(x)**2) (the More-Garbow-Hillstrom convention).

    Parameters
    ----------
    residuals : callable
        ``residuals(x)``, a 1-D array.

    Returns
    -------
    callable
        ``objective(x) = sum(residuals(x)**2)`` (no factor 1/2).

    Examples
    --------
    >>> import numpy as np
    >>> from problems.registry import sum_of_squares
    >>> float(sum_of_squares(lambda x: x - 1.0)(np.array([3.0, 0.0])))
    5.0
    """

    def objective(x):
        r = residuals(x)
        return np.sum(r * r)

    objective.__doc__ = f"sum of squares of {getattr(residuals, '__name__', 'residuals')}(x)"
    return objective


def fixed_spec(name, description, tags, source, *, x0, objective=None, residuals=None,
               fstar=None, xstar=None, gradient=None, hessp=None, bounds=None) -> ProblemSpec:
    """A spec for a fixed-dimension problem (n = len(x0)).

    Parameters
    ----------
    name, description, tags, source
        As ``ProblemSpec``.
    x0 : array_like
        The start.
    objective, residuals : callable
        Exactly one: ``residuals`` for least squares (the objective is then their sum of
        squares and the tag "least-squares" is added), else ``objective``.
    fstar, xstar, gradient, hessp
        As ``Problem``.
    bounds : optional
        Any accepted box form; makes the problem bound-constrained (tag "bounds").

    Returns
    -------
    ProblemSpec

    Raises
    ------
    ValueError
        Both or neither of ``objective`` and ``residuals``.
    """
    if (objective is None) == (residuals is None):
        raise ValueError(f"{name}: give exactly one of objective and residuals")
    if residuals is not None:
        objective = sum_of_squares(residuals)
        tags = set(tags) | {"least-squares"}
    if bounds is not None:
        tags = set(tags) | {"bounds"}
    n = len(x0)

    def factory(_n):
        return Problem(name=name, description=description, objective=objective, x0=x0,
                       fstar=fstar, xstar=xstar, tags=tags, source=source, n=n,
                       residuals=residuals, gradient=gradient, hessp=hessp, bounds=bounds)

    return ProblemSpec(name=name, description=description, tags=tags, source=source,
                       default_n=n, n_range=None, factory=factory)


def scalable_spec(name, description, tags, source, default_n, n_range, make) -> ProblemSpec:
    """A spec for a scalable problem, built by ``make(n)``.

    Parameters
    ----------
    name, description, tags, source
        As ``ProblemSpec``; the tag "scalable" is added (a bounded family lists "bounds").
    default_n : int
        The dimension built by default.
    n_range : DimRange
        The allowed dimensions.
    make : callable
        ``make(n)`` returns a dict with ``x0`` and either ``objective`` or ``residuals``
        (then the objective is their sum of squares), and optionally ``fstar``, ``xstar``,
        ``gradient``, ``hessp`` and ``bounds``.

    Returns
    -------
    ProblemSpec
    """
    tags = frozenset(tags) | {"scalable"}

    def factory(n):
        parts = dict(make(n))
        if "residuals" in parts and "objective" not in parts:
            parts["objective"] = sum_of_squares(parts["residuals"])
        return Problem(name=name, description=description, tags=tags, source=source, n=n,
                       **parts)

    return ProblemSpec(name=name, description=description, tags=tags, source=source,
                       default_n=default_n, n_range=n_range, factory=factory)
