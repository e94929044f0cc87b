"""SciPy-facing derivatives (``Derivatives``, ``VectorDerivatives``, public in ``optkit.scipy``)
and their evaluation caches: one AD pass per point, and exact counts.

SciPy asks for ``fun(x)`` and then ``jac(x)`` at the same point in separate calls; both are
answered from one evaluation. Compiled (the default), ``fun(x)`` runs the fused
value-and-gradient program and caches both. Eager, ``fun(x)`` records the objective on a
reverse-mode tape and ``jac(x)`` at that point runs only the backward pass over it, so a point
whose gradient is never asked for (a rejected trust-region trial) costs no backward pass.
Only the last point is kept: that is all SciPy's methods revisit.

Counting (the numbers a result reports): ``nfev`` is the number of evaluations of the
objective (a fused value-and-gradient pass, a recording, or a plain call), ``njev`` the number
of gradients computed, ``nhev`` the number of Hessian-vector products or dense Hessians (SciPy's
trust-constr counts Hessian evaluations of its Lagrangian instead). A cache hit counts nothing.
"""

from __future__ import annotations

import functools

import numpy as np

from .ad import NotDifferentiableError, TracerConversionError, grad, jvp, value_and_grad, vjp
from .ad import compile as compile_function
from .minimize import explain_ad_failure
from .optim.point_cache import PointCache, same_args

__all__ = ["Derivatives", "VectorDerivatives"]


_FLOAT64 = np.dtype(np.float64)


def _as_point(x):
    """``x`` as a float64 array (itself when it is one: SciPy's points and directions)."""
    if type(x) is np.ndarray and x.dtype is _FLOAT64:
        return x
    return np.asarray(x, dtype=float)


def _scalar_output(y):
    """A one-element output as a scalar (SciPy accepts f returning shape (1,)); else as is."""
    if np.ndim(y) != 0 and np.size(y) == 1:
        return np.reshape(y, ())
    return y


class _ADFunctions:
    """optkit's AD of ``fun(., *args)``, built once: value_and_grad, record (a tape), hvp.

    Compiled, value+gradient and Hessian-vector products replay ``optkit.compile`` programs.
    Eager (``compiled=False``, or an objective the compiler found value-dependent), H(x) p is
    the reverse-mode pullback of the gradient at x (H is symmetric, so p^T H = (H p)^T): the
    gradient's tape is recorded once per point, and each product is one backward pass over it,
    instead of a forward-over-reverse pass through the whole objective per product.
    """

    def __init__(self, fun, args, returns_pair, compiled, products_follow=False):
        if returns_pair:  # jac=True: fun returns (f, g); differentiate f
            def objective(z):
                return _scalar_output(fun(z, *args)[0])
        else:
            def objective(z):
                return _scalar_output(fun(z, *args))
        self._compiled = compile_function(objective) if compiled else None
        self._eager_hvp = not compiled
        self._checked = False
        self._products_follow = compiled and products_follow
        self._objective = objective
        self._vg = explain_ad_failure(
            self._compiled.value_and_grad if compiled else value_and_grad(objective))
        self._tape = PointCache()  # item "hvp": the gradient's linearization at that point

    @functools.cached_property
    def record(self):
        """``record(x) -> (f(x), pullback)``: f on a reverse-mode tape (eager only)."""
        return explain_ad_failure(functools.partial(vjp, self._objective))

    @functools.cached_property
    def _grad(self):
        return grad(self._objective)

    def value_and_grad(self, x):
        if self._products_follow:
            if self._checked:
                return self._vg_for_hvp(x)
            if self._stage_hvp(x):
                return self._vg_for_hvp(x)
        f, g = self._vg(x)
        if not self._eager_hvp and not self._checked:
            self._checked = True  # did the compiler decide to run this objective eagerly?
            self._eager_hvp = self._compiled.is_dynamic(x) is not None
        return f, g

    @functools.cached_property
    def _vg_for_hvp(self):
        return explain_ad_failure(self._compiled.value_and_grad_for_hvp)

    def _stage_hvp(self, x):
        """Stage the HVP program (it computes f and g too) at x's signature, before any
        product: f and g at every point then come from its part that reads x alone, which
        keeps its work for the products there, and no value-and-gradient program is
        compiled (one staging and code generation fewer per solve). The product staged with
        it (v = 0) is not one SciPy asked for, and is not counted. True if the program is
        compiled; False (products_follow dropped) when the objective runs eagerly or its
        second derivatives fail: then f and g come as without products, and the failure
        is raised where products are first asked for."""
        self._checked = True
        try:
            self._compiled.hvp(x, np.zeros_like(x))
        except (NotDifferentiableError, TracerConversionError):  # raised again where the
            # first product is asked for (optkit.scipy.minimize's check says what to do)
            self._products_follow = False
            self._checked = False
            return False
        if self._compiled.is_dynamic(x, x) is not None:  # the HVP of f runs eagerly
            self._products_follow = False
            self._checked = False
            return False
        return True

    @functools.cached_property
    def _compiled_hvp(self):
        return explain_ad_failure(self._compiled.hvp)

    def hvp(self, x, p):
        if not self._eager_hvp:
            return self._compiled_hvp(x, p)
        items = self._tape.lookup(x)
        if items is None:
            # the tape keeps (views of) its input: record on the cache's private copy, since
            # SciPy's solvers may overwrite their x buffer in place
            items = self._tape.reset(x)
            items["hvp"] = explain_ad_failure(vjp)(self._grad, self._tape.x)[1]
        return explain_ad_failure(items["hvp"])(p)


class Derivatives:
    """``fun``, ``jac``, ``fun_and_jac``, ``hessp`` and ``hess`` of a scalar objective for SciPy.

    ``fun(x, *args)`` is the objective. Missing derivatives come from optkit's AD: the gradient
    from reverse mode, ``hessp`` by forward-over-reverse (no Hessian is formed), ``hess`` from
    n Hessian-vector products. A user-supplied ``jac`` (callable, or ``True`` when ``fun``
    returns ``(f, g)``), ``hessp`` or ``hess`` is used as given (and counted).

    With ``compile=True`` the AD derivatives replay ``optkit.compile`` programs; ``fun(x)`` then
    runs the fused value-and-gradient program (one pass), so ``jac(x)`` is a cache hit. Without
    it, ``fun(x)`` records a tape and ``jac(x)`` runs only the backward pass over it.

    The callables accept extra positional arguments as SciPy passes them; with none, the
    ``args`` given here are used. All share one cache of the last point.

    Parameters
    ----------
    fun : callable
        ``fun(x, *args) -> float`` (``(f, g)`` with ``jac=True``).
    args : tuple, optional
        Extra arguments of every callable.
    jac : callable or True, optional
        The user's gradient; None (default): optkit's AD.
    hessp : callable, optional
        The user's ``hessp(x, p, *args)``; None: optkit's AD.
    hess : callable, optional
        The user's dense ``hess(x, *args)``; None: n AD Hessian-vector products.
    compile : bool, optional
        True (default): the AD derivatives replay ``optkit.compile`` programs.
    products_follow : bool, optional
        True: a solver will ask for AD Hessian-vector products at the points whose gradient
        it takes (Newton-CG, the trust-region methods). Compiled, the HVP program (staged with
        f and its gradient) is then made at the first evaluation and gives f and g at every
        point from its part that reads x alone, keeping that work for the products there;
        no separate value-and-gradient program is compiled. Same values and counts. Default
        False (``optkit.scipy.minimize`` sets it for the methods that take ``hessp``).

    Attributes
    ----------
    nfev, njev, nhev : int
        Evaluations of f, of the gradient and of Hessian(-vector) products made so far.

    Raises
    ------
    TypeError
        A ``fun`` that is not callable, or a ``jac``, ``hessp`` or ``hess`` of the wrong type.

    Examples
    --------
    >>> import numpy as np
    >>> from optkit.scipy import Derivatives
    >>> d = Derivatives(lambda x: np.sum(x ** 2) + x[0] * x[1])
    >>> x = np.array([1.0, 2.0])
    >>> d.fun(x), d.jac(x), d.hessp(x, np.array([1.0, 0.0]))
    (7.0, array([4., 5.]), array([2., 1.]))
    >>> d.nfev, d.njev, d.nhev  # fun(x) and jac(x) shared one evaluation
    (1, 1, 1)
    """

    def __init__(self, fun, args=(), *, jac=None, hessp=None, hess=None, compile=True,  # noqa: A002
                 products_follow=False):
        if not callable(fun):
            raise TypeError(f"fun must be callable, got {type(fun).__name__}")
        for name, value in (("hessp", hessp), ("hess", hess)):
            if value is not None and not callable(value):
                raise TypeError(f"{name} must be callable or None, got {type(value).__name__}")
        if not (jac is None or jac is True or callable(jac)):
            raise TypeError(f"jac must be None, True or callable, got {jac!r}")
        self._fun = fun
        self._args = args if isinstance(args, tuple) else (args,)
        self._user_jac = jac
        self._user_hessp = hessp
        self._user_hess = hess
        self._compile = bool(compile)
        self._products_follow = bool(products_follow) and hessp is None and hess is None
        self._ad_cache = None  # (args, _ADFunctions)
        self._cache = PointCache()
        self.nfev = 0
        self.njev = 0
        self.nhev = 0

    @property
    def uses_ad_gradient(self) -> bool:
        return self._user_jac is None

    def _resolve(self, x, args):
        return _as_point(x), (args if args else self._args)

    def _scalar(self, f):
        if type(f) is float:
            return f
        if np.size(f) != 1:
            raise TypeError(f"fun must return a scalar, got an array of shape {np.shape(f)}")
        return float(np.reshape(f, ()))

    def _ad(self, args):
        """optkit's AD of the objective for these args, built once (and compiled if asked)."""
        if self._ad_cache is None or not (args is self._ad_cache[0]
                                          or same_args(self._ad_cache[0], args)):
            self._ad_cache = (args, _ADFunctions(self._fun, args, self._user_jac is True,
                                                 self._compile, self._products_follow))
        return self._ad_cache[1]

    # ---- value and gradient -----------------------------------------------------------------
    def fun(self, x, *args):
        """f(x), remembered with what the pass that computed it also yields (gradient or tape)."""
        x, args = self._resolve(x, args)
        items = self._cache.lookup(x, args)
        if items is not None and "f" in items:
            return items["f"]
        if items is None:
            items = self._cache.reset(x, args)
        if self._user_jac is True or (self._user_jac is None and self._compile):
            return self._both(x, args, items)[0]
        if self._user_jac is None:  # the tape keeps its input: the cache's private copy
            y, items["pullback"] = self._ad(args).record(self._cache.x)
        else:
            y = self._fun(x, *args)
        self.nfev += 1
        items["f"] = self._scalar(y)
        return items["f"]

    def jac(self, x, *args):
        """grad f(x): from the cache, a backward pass over the tape of ``fun(x)``, or one pass."""
        x, args = self._resolve(x, args)
        items = self._cache.lookup(x, args)
        if items is None:
            items = self._cache.reset(x, args)
        elif "g" in items:
            return items["g"].copy()
        if "pullback" in items:
            g = explain_ad_failure(items.pop("pullback"))(1.0)
        elif callable(self._user_jac):
            g = self._user_jac(x, *args)
        else:
            return self._both(x, args, items)[1].copy()
        self.njev += 1
        items["g"] = np.asarray(g, dtype=float)
        return items["g"].copy()

    def fun_and_jac(self, x, *args):
        """``(f(x), grad f(x))`` in one pass (SciPy's ``jac=True`` convention)."""
        x, args = self._resolve(x, args)
        items = self._cache.lookup(x, args)
        if items is None:
            items = self._cache.reset(x, args)
        elif "g" in items and "f" in items:
            return items["f"], items["g"].copy()
        if "pullback" in items or callable(self._user_jac):
            return self.fun(x, *args), self.jac(x, *args)
        f, g = self._both(x, args, items)
        return f, g.copy()

    def _both(self, x, args, items):
        """Evaluate value and gradient at a point not yet evaluated; store them in ``items``."""
        if self._user_jac is None:
            f, g = self._ad(args).value_and_grad(x)
        else:  # jac=True: fun returns (f, g)
            f, g = self._fun(x, *args)
        self.nfev += 1
        self.njev += 1
        items["f"] = self._scalar(f)
        items["g"] = np.asarray(g, dtype=float)
        return items["f"], items["g"]

    # ---- second derivatives -------------------------------------------------------------------
    def hessp(self, x, p, *args):
        """H(x) p: the user's ``hessp``, the user's ``hess`` times p, or AD forward-over-reverse.

        Products are not cached (each p differs), except the one taken by :meth:`probe_hessp`,
        which answers the first matching request and is then forgotten.
        """
        x, args = self._resolve(x, args)
        p = _as_point(p)
        # the product probe_hessp took is kept beside the point's other answers, under its p,
        # and forgotten by the next product request, matching or not (or when the cache moves
        # to another point: a solver's first product is at the point it just evaluated)
        probe = self._cache.items.pop("hessp_probe", None)
        if (probe is not None and self._cache.lookup(x, args) is not None
                and probe[0].shape == p.shape and (probe[0] == p).all()):
            return probe[1]
        if self._user_hessp is not None:
            hp = self._user_hessp(x, p, *args)
            self.nhev += 1
        elif self._user_hess is not None:
            hp = self.hess(x, *args) @ p  # hess() counts its own evaluations
        else:
            hp = self._ad(args).hvp(x, p)
            self.nhev += 1
        return _as_point(hp)

    def probe_hessp(self, x, p):
        """``hessp(x, p)``, remembered for the next request: a check made before a solve
        costs nothing when the solver's first product is the same one."""
        hp = self.hessp(x, p)
        items = self._cache.lookup(x, self._args)
        if items is None:
            items = self._cache.reset(x, self._args)
        items["hessp_probe"] = (np.array(p, dtype=float), hp.copy())
        return hp

    def hess(self, x, *args):
        """The dense Hessian: the user's ``hess`` or n AD Hessian-vector products; cached per x."""
        x, args = self._resolve(x, args)
        items = self._cache.lookup(x, args)
        if items is not None and "H" in items:
            return items["H"].copy()
        if items is None:
            items = self._cache.reset(x, args)
        if self._user_hess is not None:
            H = self._user_hess(x, *args)
        else:
            ad_hvp = self._ad(args).hvp
            H = np.empty((x.size, x.size))
            for k, e in enumerate(np.eye(x.size)):
                H[:, k] = np.reshape(ad_hvp(x, e.reshape(x.shape)), -1)
        self.nhev += 1
        items["H"] = np.asarray(H, dtype=float)
        return items["H"].copy()


class VectorDerivatives:
    """``fun`` and its Jacobian for vector-valued ``fun(x, *args)`` (residuals, constraints, roots).

    ``mode`` picks how a dense Jacobian is built: ``"forward"`` (one JVP per input) or
    ``"reverse"`` (one VJP per output, over one tape); ``None`` decides at the first evaluation:
    forward when there are fewer inputs than outputs, else reverse. ``operator(x)`` is a
    ``LinearOperator`` of JVPs and VJPs, ``sparse(x, sparsity)`` a sparse Jacobian from one JVP
    per group of structurally orthogonal columns.

    Counters: ``nfev`` (evaluations through ``fun``), ``njev`` (Jacobians or operators
    built), ``njvp`` and ``nvjp`` (AD passes spent on Jacobians).
    """

    def __init__(self, fun, args=(), kwargs=None, *, mode=None):
        if not callable(fun):
            raise TypeError(f"fun must be callable, got {type(fun).__name__}")
        if mode not in (None, "forward", "reverse"):
            raise ValueError(f"mode must be None, 'forward' or 'reverse', got {mode!r}")
        self._fun = fun
        self._args = args if isinstance(args, tuple) else (args,)
        self._kwargs = dict(kwargs or {})
        self.mode = mode
        self._cache = PointCache()
        self._groups = None
        self.nfev = 0
        self.njev = 0
        self.njvp = 0
        self.nvjp = 0

    def _resolve(self, x, args):
        return _as_point(x), (args if args else self._args)

    def _f(self, args):
        fun, kwargs = self._fun, self._kwargs
        return lambda z: fun(z, *args, **kwargs)

    def choose_mode(self, n_in, n_out):
        if self.mode is None:
            self.mode = "forward" if n_in < n_out else "reverse"
        return self.mode

    def fun(self, x, *args):
        x, args = self._resolve(x, args)
        items = self._cache.lookup(x, args)
        if items is not None and "f" in items:
            return items["f"].copy()
        items = self._cache.reset(x, args)
        x = self._cache.x  # a private copy: a tape keeps (views of) its input, and MINPACK
        # overwrites its x buffer in place
        if self.mode == "forward":
            y = self._f(args)(x)
        else:
            y, items["pullback"] = explain_ad_failure(vjp)(self._f(args), x)
        self.nfev += 1
        items["f"] = np.asarray(y, dtype=float)
        if self.mode is None:
            self.choose_mode(x.size, items["f"].size)
        return items["f"].copy()

    def _pullback(self, x, args):
        """The VJP at x, reusing the tape recorded by ``fun(x)`` when there is one."""
        items = self._cache.lookup(x, args)
        if items is None or "f" not in items:
            self.fun(x, *args)
            items = self._cache.lookup(x, args)
        if "pullback" not in items:  # fun(x) ran plainly (forward mode): record it now
            _, items["pullback"] = explain_ad_failure(vjp)(self._f(args), self._cache.x)
            self.nfev += 1
        return items["pullback"], items["f"]

    def jac(self, x, *args):
        """The dense Jacobian, shape (m, n) (m = 1 for a scalar function)."""
        x, args = self._resolve(x, args)
        items = self._cache.lookup(x, args)
        if items is not None and "J" in items:
            return items["J"].copy()
        if items is None or "f" not in items:
            self.fun(x, *args)
        y = self._cache.items["f"]
        m, n = y.size, x.size
        mode = self.choose_mode(n, m)
        if mode == "forward":
            f = self._f(args)
            cols = [explain_ad_failure(jvp)(f, x, e)[1] for e in np.eye(n)]
            self.njvp += n
            J = np.reshape(np.stack([np.reshape(c, -1) for c in cols], axis=1), (m, n))
        else:
            pullback, _ = self._pullback(x, args)
            rows = [pullback(u.reshape(y.shape)) for u in np.eye(m)]
            self.nvjp += m
            J = np.reshape(np.asarray(rows, dtype=float), (m, n))
        self.njev += 1
        self._cache.items["J"] = J
        return J.copy()

    def operator(self, x, *args):
        """``LinearOperator`` (m, n) with ``matvec`` a JVP at x and ``rmatvec`` a VJP at x."""
        from scipy.sparse.linalg import LinearOperator

        x, args = self._resolve(x, args)
        pullback, y = self._pullback(x, args)
        x = x.copy()
        f = self._f(args)
        shape_in, shape_out = x.shape, y.shape

        def matvec(v):
            self.njvp += 1
            v = np.reshape(np.asarray(v, dtype=float), shape_in)
            return np.reshape(explain_ad_failure(jvp)(f, x, v)[1], -1)

        def rmatvec(u):
            self.nvjp += 1
            u = np.reshape(np.asarray(u, dtype=float), shape_out)
            return np.reshape(pullback(u), -1)

        self.njev += 1
        return LinearOperator((y.size, x.size), matvec=matvec, rmatvec=rmatvec, dtype=float)

    def sparse(self, x, sparsity, *args):
        """CSR Jacobian with the structure of ``sparsity``, one JVP per column group."""
        import scipy.sparse as sp

        x, args = self._resolve(x, args)
        if self._cache.lookup(x, args) is None:
            self.fun(x, *args)
        y = self._cache.items["f"]
        S = sp.coo_array(sparsity if sp.issparse(sparsity) else np.atleast_2d(sparsity))
        if S.shape != (y.size, x.size):
            raise ValueError(f"jac_sparsity must have shape {(y.size, x.size)} (residuals, "
                             f"variables), got {S.shape}")
        if self._groups is None or self._groups[0] is not sparsity:
            self._groups = (sparsity, group_columns(S))
        groups = self._groups[1]
        f = self._f(args)
        products = np.empty((groups.max() + 1, y.size))
        for k in range(products.shape[0]):
            v = (groups == k).astype(float).reshape(x.shape)
            products[k] = np.reshape(explain_ad_failure(jvp)(f, x, v)[1], -1)
        self.njvp += products.shape[0]
        self.njev += 1
        rows, cols = S.row, S.col
        return sp.csr_array((products[groups[cols], rows], (rows, cols)), shape=S.shape)


def group_columns(S):
    """Greedy grouping of the columns of sparse ``S`` (m, n) so no two in a group share a row.

    Curtis, Powell & Reid (1974): the columns of a group can be recovered from one product
    J v with v the group's indicator. Returns the group index of each column.
    """
    S = S.tocsc()
    n = S.shape[1]
    groups = np.empty(n, dtype=np.intp)
    used = []  # per group: boolean mask of the rows its columns touch
    for j in range(n):
        rows = S.indices[S.indptr[j]:S.indptr[j + 1]]
        k = next((i for i, mask in enumerate(used) if not mask[rows].any()), len(used))
        if k == len(used):
            used.append(np.zeros(S.shape[0], dtype=bool))
        used[k][rows] = True
        groups[j] = k
    return groups
