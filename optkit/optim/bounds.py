"""Bound constraints lb <= x <= ub: the `Bounds` value, input normalisation, and the box
geometry that bound-constrained solvers share.

Notation (Byrd, Lu, Nocedal & Zhu 1995, "A limited memory algorithm for bound constrained
optimization", SIAM J. Sci. Comput. 16(5), section 2): l, u the bounds, P(x) the projection
onto the box B = {x : l <= x <= u}, g the gradient.  x is first-order stationary on B when the
projected gradient P(x - g) - x is zero.

`as_bounds(bounds, n)` accepts what `scipy.optimize.minimize` accepts:

- a `scipy.optimize.Bounds`, or anything with `lb` and `ub` attributes (duck-typed, so this
  module does not import scipy.optimize; `keep_feasible` is ignored: optkit's bounded solvers
  always stay feasible);
- a sequence of (lo, hi) pairs, None or +-inf for a missing side, read as scipy's
  `old_bound_to_new` reads it.  A bare 2-tuple is always a sequence of pairs, never one
  (lo, hi) box: `((0, 1), (2, 3))` bounds two variables and `(0, 1)` is an error.  As in
  `scipy.optimize.minimize`, which broadcasts the pairs to x0's shape, a single pair
  `[(lo, hi)]` applies to every variable; any other count than 1 or n is an error;
- `Bounds(lb, ub)` from here (public as `optkit.Bounds`): scipy's `Bounds` semantics, scalars
  and length-1 arrays broadcast to n, None for a missing side.

Bad bounds raise ValueError naming the index: "bounds[3]: lower 2.0 > upper 1.0".  lo == hi
is allowed (a fixed variable).  A lower bound of +inf or an upper bound of -inf leaves no
feasible point and is refused.
"""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

__all__ = ["Bounds", "Breakpoints", "as_bounds"]


def _side(values, fill: float, what: str) -> np.ndarray:
    """One side of the box as a float64 array of ndim <= 1, None entries read as `fill`."""
    if values is None:
        return np.array(fill)
    items = np.asarray(values)
    if items.ndim > 1:
        raise ValueError(f"bounds: {what} must be a scalar or a 1-D array; "
                         f"got shape {items.shape}")
    if items.dtype != object:
        try:
            return items.astype(float)
        except (TypeError, ValueError):
            raise ValueError(f"bounds: {what} must hold numbers; got {values!r}") from None
    arr = np.empty(items.shape)
    flat = arr.reshape(-1)
    for i, item in enumerate(items.reshape(-1)):
        flat[i] = fill if item is None else _number(item, f"bounds[{i}]", what)
    return arr


def _number(value, where: str, what: str) -> float:
    if isinstance(value, np.ndarray) and value.size == 1:  # as scipy's _arr_to_scalar
        value = value.item()
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: {what} must be a number or None; got {value!r}") from None


def _is_structure(side) -> bool:
    """True for a side given as a parameter structure rather than numbers: a dict, or lists
    and tuples holding an array or a dict (nested lists of numbers stay an array)."""
    if isinstance(side, dict):
        return True
    return isinstance(side, (list, tuple)) and any(
        isinstance(item, np.ndarray) or _is_structure(item) for item in side)


def _check(lb: np.ndarray, ub: np.ndarray) -> None:
    """Raise ValueError naming the first bad index of the broadcast 1-D arrays lb, ub."""
    bad = np.isnan(lb) | np.isnan(ub) | (lb > ub) | (lb == np.inf) | (ub == -np.inf)
    if not bad.any():
        return
    i = int(np.argmax(bad))
    lo, hi = float(lb[i]), float(ub[i])
    if np.isnan(lo) or np.isnan(hi):
        side = "lower" if np.isnan(lo) else "upper"
        raise ValueError(f"bounds[{i}]: {side} bound is NaN")
    if lo == np.inf:
        raise ValueError(f"bounds[{i}]: lower bound is +inf, which leaves no feasible point")
    if hi == -np.inf:
        raise ValueError(f"bounds[{i}]: upper bound is -inf, which leaves no feasible point")
    raise ValueError(f"bounds[{i}]: lower {lo!r} > upper {hi!r}")


@dataclass(frozen=True, eq=False)
class Bounds:
    """The box lb <= x <= ub, with scipy.optimize.Bounds semantics.

    Parameters
    ----------
    lb, ub : float, None or array_like of float or None
        Lower and upper bounds, scalars or 1-D. None (or an entry None) is a missing side,
        read as -inf / +inf. Scalars are broadcast against the other side, so
        ``Bounds(0, 1)`` has length 1 until ``as_bounds(b, n)`` broadcasts it to n.
        A side given as a parameter structure (a dict, or lists/tuples holding arrays) is
        kept as given, unchecked: only ``optkit.minimize`` with an ``x0`` of that structure
        reads it (raveling it in x0's order); ``as_bounds`` refuses it.

    Attributes
    ----------
    lb, ub : numpy.ndarray
        Read-only float64 1-D arrays of equal length. The geometry helpers assume x (and d,
        g) of length n and broadcast length-1 bounds against it.

    Raises
    ------
    ValueError
        Naming the index, for a lower bound above its upper bound, a NaN bound, a lower bound
        of +inf or an upper bound of -inf (no feasible point), sides of different lengths,
        or empty bounds. ``lb == ub`` is allowed (a fixed variable).

    Examples
    --------
    >>> b = Bounds([0, None], 1.0)
    >>> b.lb, b.ub
    (array([  0., -inf]), array([1., 1.]))
    >>> b.project([2.0, -5.0])
    array([ 1., -5.])
    >>> Bounds([0.0, 2.0], [1.0, 1.0])
    Traceback (most recent call last):
    ...
    ValueError: bounds[1]: lower 2.0 > upper 1.0
    """

    lb: np.ndarray = -np.inf
    ub: np.ndarray = np.inf

    def __post_init__(self):
        if _is_structure(self.lb) or _is_structure(self.ub):
            # sides given in a parameter structure (a dict, nested lists of arrays, ...): kept
            # as given, for the front door (optkit.minimize) to ravel against x0's structure
            return
        lb = _side(self.lb, -np.inf, "lb")
        ub = _side(self.ub, np.inf, "ub")
        try:
            lb, ub = np.broadcast_arrays(np.atleast_1d(lb), np.atleast_1d(ub))
        except ValueError:
            raise ValueError(f"bounds: lb has {np.size(lb)} entries but ub has "
                             f"{np.size(ub)}") from None
        lb, ub = np.array(lb, dtype=float), np.array(ub, dtype=float)  # own, contiguous copies
        if lb.size == 0:
            raise ValueError("bounds: lb and ub must not be empty")
        _check(lb, ub)
        lb.setflags(write=False)
        ub.setflags(write=False)
        object.__setattr__(self, "lb", lb)
        object.__setattr__(self, "ub", ub)

    def __repr__(self):
        return f"Bounds(lb={self.lb!r}, ub={self.ub!r})"

    @property
    def is_unbounded(self) -> bool:
        """True when every bound is infinite: a bounded solver must then behave exactly as
        the unconstrained one."""
        return bool(np.all(self.lb == -np.inf) and np.all(self.ub == np.inf))

    def contains(self, x) -> bool:
        """True when lb <= x <= ub holds exactly, componentwise (False for NaN entries)."""
        x = np.asarray(x, dtype=float)
        return bool(np.all(x >= self.lb) and np.all(x <= self.ub))

    def project(self, x) -> np.ndarray:
        """P(x) = min(max(x, lb), ub), a new array.  Exact: entries inside the box are
        returned unchanged, the others equal their bound bit for bit."""
        out = np.maximum(x, self.lb)
        return np.minimum(out, self.ub, out=out)

    def project_x0(self, x0) -> tuple[np.ndarray, int]:
        """(P(x0), number of components P moved): the solvers start from P(x0) and warn once,
        naming that number, when it is not zero."""
        x0 = np.asarray(x0, dtype=float)
        x = self.project(x0)
        return x, int(np.count_nonzero(x != x0))

    def projected_gradient(self, x, g) -> np.ndarray:
        """P(x - g) - x: zero exactly when x (in the box) is first-order stationary
        (Byrd, Lu, Nocedal & Zhu 1995, sec. 2; Conn, Gould & Toint 1988)."""
        out = self.project(np.subtract(x, g))
        return np.subtract(out, x, out=out)

    def projected_gradient_norm(self, x, g) -> float:
        """||P(x - g) - x||_inf, the first-order measure that replaces ||g||_inf in a box."""
        return float(np.max(np.abs(self.projected_gradient(x, g))))

    def active_mask(self, x, rtol: float = 0.0) -> np.ndarray:
        """-1 where x is at its lower bound, +1 at its upper bound, 0 free (int array).

        As `scipy.optimize.least_squares` (its `find_active_constraints`): with rtol = 0 a
        bound is active when x reaches it exactly; with rtol > 0 when x is within
        rtol * max(1, |bound|) of it and no farther from it than from the other bound.  A
        fixed variable (lb == ub) reports +1.
        """
        x = np.asarray(x, dtype=float)
        lb = np.broadcast_to(self.lb, x.shape)
        ub = np.broadcast_to(self.ub, x.shape)
        active = np.zeros(x.shape, dtype=int)
        if rtol == 0:
            active[x <= lb] = -1
            active[x >= ub] = 1
            return active
        if not rtol > 0:
            raise ValueError(f"rtol must be >= 0; got {rtol}")
        with np.errstate(invalid="ignore"):  # inf - inf on a missing side: never active
            lower_dist = x - lb
            upper_dist = ub - x
        lower_tol = rtol * np.maximum(1.0, np.abs(lb))
        upper_tol = rtol * np.maximum(1.0, np.abs(ub))
        active[np.isfinite(lb) & (lower_dist <= np.minimum(upper_dist, lower_tol))] = -1
        active[np.isfinite(ub) & (upper_dist <= np.minimum(lower_dist, upper_tol))] = 1
        return active

    def max_step(self, x, d) -> float:
        """The largest alpha >= 0 with lb <= x + alpha d <= ub, for x in the box (inf when
        no bound blocks d): the `alphamax` a line search in the box must respect.

        Computed per component as (bound - x_i) / d_i; x + alpha d may miss the blocking
        bound by a rounding error, so a solver projects its trial points.
        """
        x = np.asarray(x, dtype=float)
        d = np.asarray(d, dtype=float)
        t = self._hit_times(x, d)
        return float(np.min(t)) if t.size else np.inf

    def breakpoints(self, x, d) -> "Breakpoints":
        """Where the projected path x(t) = P(x + t d), t >= 0, bends.

        Byrd, Lu, Nocedal & Zhu 1995, eq. (4.1) with d = -g: component i moves linearly until
        t_i = (u_i - x_i) / d_i (d_i > 0) or (l_i - x_i) / d_i (d_i < 0), then stays at its
        bound; t_i = inf when d_i = 0 or the bound on that side is infinite.  The generalized
        Cauchy point walks the breakpoints in increasing order (eq. 4.2 sorts them and drops
        zeros and duplicates: `np.unique(t[order])`).  x must be in the box.
        """
        x = np.asarray(x, dtype=float)
        d = np.asarray(d, dtype=float)
        t = self._hit_times(x, d)
        moving = np.flatnonzero((t > 0) & (t < np.inf))
        order = moving[np.argsort(t[moving], kind="stable")]
        return Breakpoints(t=t, order=order)

    def _hit_times(self, x, d) -> np.ndarray:
        """Per component, the t >= 0 at which x_i + t d_i reaches its bound (inf: never)."""
        # (bound - x_i) / d_i on the side d_i points to; an infinite bound gives +inf, and
        # d_i = 0 (where the quotient is +-inf or 0/0) is set to inf afterwards
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(d > 0, self.ub, self.lb)
            np.subtract(t, x, out=t)
            np.divide(t, d, out=t)
        t[d == 0] = np.inf
        # outside the box on the blocking side (rounding, misuse): no step at all
        np.maximum(t, 0.0, out=t)
        return t


class Breakpoints(NamedTuple):
    """The breakpoints of the projected path P(x + t d) (see `Bounds.breakpoints`).

    t: per component, the t_i >= 0 at which it reaches its bound (inf: never; 0: it is on
       the bound d points out of, so it is fixed from the start).
    order: the components with 0 < t_i < inf, sorted by t_i (ties in index order).
    """

    t: np.ndarray
    order: np.ndarray


def _pairs(bounds, n: int) -> Bounds:
    """A sequence of (lo, hi) pairs, as scipy.optimize's `old_bound_to_new` reads it."""
    if isinstance(bounds, (str, bytes)) or not hasattr(bounds, "__len__"):
        raise TypeError("bounds must be a sequence of (lo, hi) pairs, a scipy.optimize.Bounds "
                        f"or an optkit.Bounds; got {type(bounds).__name__}")
    count = len(bounds)
    lb = np.empty(count)
    ub = np.empty(count)
    for i, pair in enumerate(bounds):
        if isinstance(pair, (str, bytes)) or not hasattr(pair, "__len__") or len(pair) != 2:
            hint = ""
            if not hasattr(pair, "__len__"):
                hint = (" (a bare (lo, hi) is read as one pair per variable, as scipy reads "
                        "it; for one box on every variable give [(lo, hi)] or "
                        "optkit.Bounds(lo, hi))")
            raise ValueError(f"bounds[{i}] must be a (lo, hi) pair; got {pair!r}{hint}")
        lo, hi = pair
        lb[i] = -np.inf if lo is None else _number(lo, f"bounds[{i}]", "lower bound")
        ub[i] = np.inf if hi is None else _number(hi, f"bounds[{i}]", "upper bound")
    if count not in (1, n):
        raise ValueError(f"bounds has {count} (lo, hi) pairs for {n} variables "
                         "(give one pair per variable, or one pair for all)")
    return Bounds(lb, ub)


def as_bounds(bounds, n: int) -> Bounds | None:
    """Bounds in any form ``scipy.optimize.minimize`` accepts, as a :class:`Bounds` of length n.

    Parameters
    ----------
    bounds : Bounds, scipy.optimize.Bounds, sequence of (lo, hi) pairs, or None
        The forms listed in the module docstring: one pair per variable, or one pair for all
        (``[(lo, hi)]``); None or +-inf for a missing side.
    n : int
        The number of variables.

    Returns
    -------
    Bounds or None
        Bounds of length n, or None when ``bounds`` is None.

    Raises
    ------
    ValueError
        For bad bounds, naming the index, or a count of pairs other than 1 or n.
    TypeError
        For a value that is no form of bounds at all.

    Examples
    --------
    >>> as_bounds([(0, 1)], 3).ub
    array([1., 1., 1.])
    >>> as_bounds([(0, None), (None, 2)], 2).lb
    array([  0., -inf])
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer; got {n!r}")
    n = int(n)
    if bounds is None:
        return None
    if isinstance(bounds, Bounds):
        if not isinstance(bounds.lb, np.ndarray) or not isinstance(bounds.ub, np.ndarray):
            raise TypeError("bounds: lb and ub are given as a parameter structure; only "
                            "optkit.minimize with an x0 of that structure can read them")
        box = bounds
    elif hasattr(bounds, "lb") and hasattr(bounds, "ub"):  # scipy.optimize.Bounds
        box = Bounds(bounds.lb, bounds.ub)
    else:
        box = _pairs(bounds, n)
    if box.lb.size == n:
        return box
    if box.lb.size != 1:
        raise ValueError(f"bounds has {box.lb.size} entries for {n} variables")
    return Bounds(np.broadcast_to(box.lb, n), np.broadcast_to(box.ub, n))
