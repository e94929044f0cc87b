"""The one-point evaluation cache: ``Objective``, ``ResidualObjective``, ``optkit.scipy``'s
derivatives (and their Hessian-product tape) and the distributed ``SumObjective`` all use it.

Solvers and SciPy ask for the value, then the gradient (or a Jacobian, a Hessian) at the point
they just evaluated; the answers computed there are kept until another point is asked for.
Only the last point is kept: that is all the solvers revisit.
"""

import numpy as np

__all__ = ["PointCache", "same_args"]

_ALL = np.logical_and.reduce  # ndarray.all without its Python wrapper (a few calls a trial)


def same_args(a, b):
    """Two argument tuples holding the same objects (identity, as SciPy passes them again)."""
    return a is b or (len(a) == len(b) and all(p is q for p, q in zip(a, b, strict=True)))


class PointCache:
    """The last point: ``x`` (a private read-only float64 copy), the extra ``args`` it was
    evaluated with (compared by identity), and ``items``, what is known there by name."""

    def __init__(self):
        self.x = None
        self.args = ()
        self.items = {}

    def lookup(self, x, args=()):
        """``items`` if ``x`` is exactly the last point, with the same ``args``; else None."""
        last = self.x
        if (last is not None and (x is last or (last.shape == np.shape(x)
                                                 and bool(_ALL(last == x, axis=None))))
                and same_args(self.args, args)):
            return self.items
        return None

    def reset(self, x, args=()):
        """Make ``x`` the last point, with nothing known there yet; return its ``items``."""
        self.x = np.array(x, dtype=np.float64)
        self.x.flags.writeable = False
        self.args = args
        self.items = {}
        return self.items
