"""The objective seen by every solver: plain callables, exact counts, a one-point cache."""

import numpy as np

from .point_cache import PointCache

__all__ = ["Objective", "check_scalar"]

_FLOAT64 = np.dtype(np.float64)


def check_scalar(value, source):
    """``value``, if it is one number (a 0-d array, plain or traced, counts).

    Otherwise a TypeError (as numpy's for ``float(array)``) that names ``source`` (the callable
    whose return value this is), what came back (None, text, an array's shape) and the fix.
    """
    if value is None:
        raise TypeError(f"{source} must return a scalar, got None (is a return statement "
                        "missing?)")
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{source} must return a scalar, got {type(value).__name__} {value!r}")
    shape = getattr(value, "shape", None)
    shape = np.shape(value) if shape is None else tuple(shape)
    if shape != ():
        raise TypeError(f"{source} must return a scalar, got an array of shape {shape}; return "
                        "one number: f[0] if it holds one value, np.sum(f) to add up terms")
    return value


def _check_callable(name, value):
    if value is not None and not callable(value):
        raise TypeError(f"{name} must be callable or None, got {type(value).__name__}")


class Objective:
    """Wraps plain callables, counts every evaluation exactly, caches the last point.

    ``fun(x, *args) -> float``; ``jac(x, *args) -> ndarray``; ``fun_and_jac(x, *args) ->
    (float, ndarray)``; ``hessp(x, p, *args) -> ndarray``. ``jac=True`` means ``fun`` itself
    returns ``(f, g)`` (SciPy's convention). At least one gradient source (``jac`` or
    ``fun_and_jac``) is required.

    Counting: every call of ``fun`` adds one to ``nfev``, of ``jac`` one to ``njev``, of
    ``fun_and_jac`` one to each, of ``hessp`` one to ``nhev``. A request at the same x as the
    last evaluation (exact equality) is answered from the cache and not counted again.

    Arrays handed back (g, hessp results) are float64 1-D arrays owned by this object and
    marked read-only, so no caller can corrupt the cache; copy them before modifying.

    Parameters
    ----------
    fun : callable, optional
        ``fun(x, *args) -> float`` (or ``(f, g)`` with ``jac=True``).
    jac : callable or True, optional
        ``jac(x, *args) -> ndarray``.
    hessp : callable, optional
        ``hessp(x, p, *args) -> ndarray``, the Hessian times p.
    fun_and_jac : callable, optional
        ``fun_and_jac(x, *args) -> (float, ndarray)``.
    args : tuple, optional
        Extra arguments of every callable.
    convex : bool or callable, optional
        True only when f is *proven* convex (a proof, not a belief: ``optkit.minimize`` sets
        it from the analysis of f's trace, ``optkit.ad.convexity``); solvers may then skip
        second-order checks, since every stationary point of a convex function is a global
        minimum. A callable ``() -> bool`` is a deferred proof, run once, when a solver first
        reads ``convex``. Default False.

    Raises
    ------
    TypeError
        A callable argument that is not callable, or a value that is not a number.
    ValueError
        No gradient source; from ``hessp``, no ``hessp`` given.

    Examples
    --------
    >>> import numpy as np
    >>> from optkit.optim import Objective
    >>> f = lambda x: float(np.sum((x - 1.0) ** 2))
    >>> g = lambda x: 2.0 * (x - 1.0)
    >>> obj = Objective(f, g)
    >>> obj.f(np.zeros(2)), obj.f_and_g(np.zeros(2))[1], obj.counts()
    (2.0, array([-2., -2.]), (1, 1, 0))
    """

    def __init__(self, fun=None, jac=None, hessp=None, *, fun_and_jac=None, args=(),
                 convex=False):
        self._pair_name = "fun_and_jac"  # names the (f, g) callable in errors
        if jac is True:
            if fun_and_jac is not None:
                raise ValueError("jac=True (fun returns (f, g)) cannot be combined with "
                                 "fun_and_jac")
            fun, fun_and_jac, jac = None, fun, None
            self._pair_name = "fun (with jac=True)"
        elif jac is False:
            jac = None
        _check_callable("fun", fun)
        _check_callable("jac", jac)
        _check_callable("hessp", hessp)
        _check_callable("fun_and_jac", fun_and_jac)
        if not (isinstance(convex, bool) or callable(convex)):
            raise TypeError(f"convex must be True, False or a callable () -> bool, got "
                            f"{type(convex).__name__}")
        if jac is None and fun_and_jac is None:
            raise ValueError("jac: a gradient is required; pass jac=callable, jac=True "
                             "(fun returns (f, g)) or fun_and_jac=callable")
        if fun is None and fun_and_jac is None:
            raise ValueError("fun: an objective callable is required")
        if not isinstance(args, tuple):
            args = (args,)
        self._fun, self._jac, self._fun_and_jac, self._hessp = fun, jac, fun_and_jac, hessp
        self._args = args
        self.nfev = 0
        self.njev = 0
        self.nhev = 0
        self._cache = PointCache()  # items "f" and "g" at the last evaluated point
        self._convex = convex  # a bool, or the deferred proof until it is read

    @property
    def has_hessp(self) -> bool:
        return self._hessp is not None

    @property
    def convex(self) -> bool:
        """True when f is proven convex (see ``convex`` above); a deferred proof runs here."""
        if callable(self._convex):
            self._convex = bool(self._convex())
        return self._convex is True

    # -- evaluation --------------------------------------------------------------------------
    def _as_value(self, value, source):
        if type(value) is float:  # the common case: nothing to check or convert
            return value
        check_scalar(value, source)
        try:
            return float(value)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{source} must return a scalar, got {type(value).__name__}") from exc

    def _as_gradient(self, g, x, source):
        shape = x.shape if type(x) is np.ndarray else np.shape(x)
        if type(g) is np.ndarray and g.dtype is _FLOAT64:  # the common case, copied cheaper
            g = g.copy()  # a copy: the caller's buffer may be reused
        else:
            g = np.array(g, dtype=np.float64)
        if g.shape != shape:
            raise ValueError(f"{source} returned an array of shape {g.shape}; expected {shape}")
        g.setflags(write=False)
        return g

    def _call_fun_and_jac(self, x, items=None):
        """f and g from ``fun_and_jac``, remembered at x; ``items``: the cache's items when the
        caller's lookup found x (None: it did not, and x becomes the cached point without
        comparing it again)."""
        self.nfev += 1
        self.njev += 1
        out = self._fun_and_jac(x, *self._args)
        try:
            f, g = out
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{self._pair_name} must return a pair (f, g)") from exc
        f = self._as_value(f, self._pair_name)
        g = self._as_gradient(g, x, self._pair_name)
        if items is None:
            items = self._cache.reset(x)
        items["f"] = f
        items["g"] = g
        return f, g

    def f(self, x) -> float:
        """The value at x."""
        items = self._cache.lookup(x)
        if items is not None and "f" in items:
            return items["f"]
        if self._fun is None:
            return self._call_fun_and_jac(x, items)[0]
        self.nfev += 1
        f = self._as_value(self._fun(x, *self._args), "fun")
        if items is None:
            items = self._cache.reset(x)
        items["f"] = f
        return f

    def f_expecting_g(self, x) -> float:
        """The value at x, where the gradient at x will probably be asked next (a trial step
        the caller expects to accept): with ``fun_and_jac`` f and g come from one pass and g
        is cached for that request (one pass costs less than f, then f and g); otherwise f
        alone, g left until it is asked for (separate callables gain nothing by going first).
        Counted as the calls made."""
        if self._fun_and_jac is not None:
            return self.f_and_g(x)[0]
        return self.f(x)

    def f_and_g(self, x):
        """The value and gradient at x, in one pass when ``fun_and_jac`` exists."""
        items = self._cache.lookup(x)
        if items is not None:
            if "g" in items:
                return items["f"], items["g"]
            if self._jac is not None:  # the value is cached; only the gradient is missing
                self.njev += 1
                g = items["g"] = self._as_gradient(self._jac(x, *self._args), x, "jac")
                return items["f"], g
        if self._fun_and_jac is not None:
            return self._call_fun_and_jac(x, items)
        f = self.f(x)
        self.njev += 1
        g = self._as_gradient(self._jac(x, *self._args), x, "jac")
        self._cache.items["g"] = g  # f(x) just made x the cached point
        return f, g

    def hessp(self, x, p) -> np.ndarray:
        """The Hessian at x times p."""
        if self._hessp is None:
            raise ValueError("hessp: this solver needs Hessian-vector products; "
                             "pass hessp=callable")
        self.nhev += 1
        return self._as_gradient(self._hessp(x, p, *self._args), x, "hessp")

    def counts(self):
        """(nfev, njev, nhev) so far."""
        return self.nfev, self.njev, self.nhev
