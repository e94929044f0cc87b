"""``multistart``: Latin hypercube starts in a box, solved with ``minimize_many``, best first.

A nonconvex objective has many local minima; a local solver finds the one whose basin holds
its start. Spreading the starts over the box with a Latin hypercube (McKay, Beckman & Conover
1979, "A comparison of three methods for selecting values of input variables in the analysis
of output from a computer code", Technometrics 21(2)) puts exactly one start in each of
``n_starts`` equal slices of every coordinate, so no coordinate range is left unexplored by
chance, as plain uniform sampling may.

The box is also the problem's bounds: every solve runs inside it (lbfgs as L-BFGS-B, newton-cg
as TRON, gd as SPG), so no solve ends outside the box it was started in.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ..optim.bounds import Bounds, as_bounds
from .executors import CONNECT_TIMEOUT
from .many import minimize_many

__all__ = ["latin_hypercube", "multistart"]


def latin_hypercube(lb, ub, n_starts, rng) -> np.ndarray:
    """``n_starts`` points in the box [lb, ub], one per slice of each coordinate (McKay 1979).

    Coordinate j of point i is ``lb_j + (pi_j(i) + u_ij) / n_starts * (ub_j - lb_j)`` with
    pi_j an independent random permutation and u_ij uniform on [0, 1).

    Parameters
    ----------
    lb, ub : ndarray, shape (n,)
        The finite lower and upper bounds (not checked here; :func:`multistart` checks them).
    n_starts : int
        The number of points.
    rng : numpy.random.Generator
        The source of randomness (``np.random.default_rng(seed)``).

    Returns
    -------
    ndarray, shape (n_starts, n)

    References
    ----------
    M. D. McKay, R. J. Beckman and W. J. Conover, "A comparison of three methods for
    selecting values of input variables in the analysis of output from a computer code",
    Technometrics 21(2), 239-245, 1979.

    Examples
    --------
    >>> import numpy as np
    >>> from optkit.distributed import latin_hypercube
    >>> pts = latin_hypercube(np.zeros(2), np.ones(2), 4, np.random.default_rng(0))
    >>> pts.shape, sorted(np.floor(pts[:, 0] * 4).astype(int).tolist())  # one per quarter
    ((4, 2), [0, 1, 2, 3])
    """
    n = lb.size
    strata = np.argsort(rng.random((n_starts, n)), axis=0)  # a permutation per column
    unit = (strata + rng.random((n_starts, n))) / n_starts
    return lb + unit * (ub - lb)


def _dimension(bounds, n):
    if n is not None:
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
            raise ValueError(f"n must be a positive integer or None, got {n!r}")
        return int(n)
    if hasattr(bounds, "lb") and hasattr(bounds, "ub"):
        return Bounds(bounds.lb, bounds.ub).lb.size
    try:
        return len(bounds)
    except TypeError:
        raise TypeError("bounds must be a sequence of (lo, hi) pairs, a scipy.optimize.Bounds "
                        f"or an optkit.Bounds; got {type(bounds).__name__}") from None


def _box(bounds, n):
    if bounds is None:
        raise ValueError("bounds: multistart needs a box to draw starts from, got None")
    box = as_bounds(bounds, _dimension(bounds, n))
    infinite = np.flatnonzero(~(np.isfinite(box.lb) & np.isfinite(box.ub)))
    if infinite.size:
        i = int(infinite[0])
        raise ValueError(f"bounds[{i}] is ({box.lb[i]}, {box.ub[i]}): multistart draws starts "
                         "in the box, so every bound must be finite")
    return box


def _sort_key(result):
    f = result["fun"]
    return math.inf if math.isnan(f) else f


_THE_BOX = "box"


def multistart(fun, bounds, n_starts=32, method="lbfgs", *, seed=0, executor=None, n=None,
               args=(), progress=False, connect_timeout=CONNECT_TIMEOUT,
               solve_bounds=_THE_BOX, **options):
    """Minimize ``fun(x, *args)`` from ``n_starts`` Latin hypercube starts in ``bounds``.

    Parameters
    ----------
    fun : callable
        ``fun(x, *args) -> float`` in plain numpy.
    bounds : scipy.optimize.Bounds, optkit.Bounds or sequence of (lo, hi)
        The box the starts are drawn from, all finite, and by default the bounds every
        solve keeps to. Scalar bounds apply to every variable only when ``n`` is given.
    n_starts : int, optional
        The number of starts (default 32).
    method : str or solver, optional
        As :func:`optkit.minimize`.
    seed : int, optional
        The starts come from ``np.random.default_rng(seed)``, so a seed gives the same starts,
        and the same results, on every executor.
    executor, args, progress, connect_timeout, **options
        As :func:`optkit.minimize_many`, which runs the solves.
    n : int, optional
        The number of variables, needed with scalar bounds.
    solve_bounds : optional
        The bounds every solve keeps to, passed to :func:`optkit.minimize` as ``bounds``:
        ``"box"`` (the default) for ``bounds`` itself, None for unconstrained solves, or any
        form ``minimize`` accepts (wider than the box, say, with infinite sides).

    Returns
    -------
    OptimizeResult
        The best result (lowest ``fun``; ties go to the earlier start) with ``.all`` holding
        every run sorted by ``fun`` (runs with a nan ``fun``, such as starts never run after
        Ctrl-C, last). Each run records its start as ``x0``.

    Raises
    ------
    ValueError
        ``n_starts`` or ``n`` not a positive integer, bounds missing or not finite.
    TypeError
        ``bounds`` of an unknown kind; and as :func:`optkit.minimize_many`.

    Examples
    --------
    >>> import numpy as np, optkit
    >>> def f(x):  # two minima, at x = -1 (f = -0.3) and near x = 1 (f = 0.3)
    ...     return (x[0] ** 2 - 1.0) ** 2 + 0.3 * x[0]
    >>> best = optkit.multistart(f, [(-2.0, 2.0)], n_starts=8)
    >>> bool(best.x[0] < 0), len(best.all)
    (True, 8)
    """
    if isinstance(n_starts, bool) or not isinstance(n_starts, numbers.Integral) or n_starts < 1:
        raise ValueError(f"n_starts must be a positive integer, got {n_starts!r}")
    box = _box(bounds, n)
    starts = latin_hypercube(box.lb, box.ub, int(n_starts), np.random.default_rng(seed))
    if "bounds" in options:
        raise TypeError("multistart got bounds twice: the box is its second argument "
                        "(solve_bounds= sets the solves' own bounds)")
    if isinstance(solve_bounds, str) and solve_bounds == _THE_BOX:
        solve_bounds = box
    runs = minimize_many(fun, starts, method, executor=executor, args=args, progress=progress,
                         connect_timeout=connect_timeout, bounds=solve_bounds, **options)
    for run, x0 in zip(runs, starts, strict=True):
        run["x0"] = x0
    ordered = sorted(runs, key=_sort_key)
    best = type(ordered[0])(ordered[0])
    best["all"] = ordered
    return best
