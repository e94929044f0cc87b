"""The one-point evaluation cache: ``Objective``, ``ResidualObjective``, ``optkit.scipy``'s
derivatives (and their Hessian-product tape) and the distributed ``SumObjective`` all use it.

Solvers and SciPy ask for the value, then the gradient (or a Jacobian, a Hessian) at the point
they just evaluated; the answers computed there are kept until another point is asked for.
Only the last point is kept: that is all the solvers revisit.
"""

import numpy as np

__all__ = ["PointCache", "same_args"]

_ALL = np.logical_and.reduce  # ndarray.all without its Python wrapper (a few calls a trial)
_FLOAT64 = np.dtype(np.float64)
_SHORT = 32  # up to this size, compare points as lists (~0.1 us against ~1 us for numpy's ==)


def same_args(a, b):
    """Two argument tuples holding the same objects (identity, as SciPy passes them again)."""
    return a is b or (len(a) == len(b) and all(p is q for p, q in zip(a, b, strict=True)))


class PointCache:
    """The last point: ``x`` (a read-only float64 array nobody can write: a private copy, or
    the caller's array itself when it is a read-only float64 array owning its data, which
    then cannot change either), the extra ``args`` it was evaluated with (compared by
    identity), and ``items``, what is known there by name."""

    def __init__(self):
        self.x = None
        self.args = ()
        self.items = {}

    def lookup(self, x, args=()):
        """``items`` if ``x`` is exactly the last point, with the same ``args``; else None."""
        last = self.x
        if last is None:
            return None
        if x is not last:
            if type(x) is np.ndarray and last.size <= _SHORT:
                # the same test on lists of Python numbers (new objects, so nan != nan as in
                # numpy; a shape mismatch makes the lists differ), cheaper on short vectors
                if last.tolist() != x.tolist():
                    return None
            else:
                shape = x.shape if type(x) is np.ndarray else np.shape(x)
                if last.shape != shape or not _ALL(last == x, axis=None):
                    return None
        if args is self.args or same_args(self.args, args):
            return self.items
        return None

    def reset(self, x, args=()):
        """Make ``x`` the last point, with nothing known there yet; return its ``items``."""
        # the dtype by identity (numpy's float64 descriptor is one object; any other
        # float64 descriptor takes the copy) and one flags object, not two: a reset per LM trial
        if (type(x) is np.ndarray and x.dtype is _FLOAT64
                and not (flags := x.flags).writeable and flags.owndata):
            self.x = x  # read-only and no view of a writable base: it cannot change
        else:
            self.x = np.array(x, dtype=np.float64)
            self.x.flags.writeable = False
        self.args = args
        self.items = {}
        return self.items
