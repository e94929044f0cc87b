"""The objective of a least-squares solver: residuals r(x) that keep their structure.

``F(x) = 1/2 sum C^2 rho((r_i(x) / C)^2)``, which is ``1/2 ||r(x)||^2`` for the linear loss
(see ``least_squares.loss``). The Jacobian J of r comes either dense, from ``jac(x)``, or as
an operator from ``jvp(x, v) = J v`` and ``vjp(x, u) = J^T u``, never formed (the pattern of
optimistix's ``ResidualJac``). A solver asks for a :class:`Linearization` at a point: the
loss-scaled residuals r~ and Jacobian J~ (``J~^T r~ = grad F``), dense or as products.

The same object is also a scalar objective (``f``, ``f_and_g``, ``counts``, ``nfev``): the
view a general minimizer and the driver need, F and its gradient, with no Hessian products.

Counting (``counts()`` returns ``(nfev, njev, nhev)``, the driver's triple):
    nfev   calls of ``fun`` (residual evaluations)
    njev   dense form: calls of ``jac``; operator form: Jacobian products, one per call of
           ``jvp`` or of ``vjp`` (also kept apart as ``njvp`` and ``nvjp``)
    nhev   always 0 (no Hessian is used); ``nrvv`` counts calls of ``rvv``
A request at the last point evaluated (exact equality) is answered from the cache and not
counted again: residuals, cost, the dense J and the gradient.
"""

import math
from functools import partial

import numpy as np

from .least_squares.loss import Loss, as_loss
from .point_cache import PointCache

__all__ = ["Linearization", "ResidualObjective"]

_ALL = np.logical_and.reduce  # ndarray.all without its Python wrapper (a few calls a trial)
# _setflags(a, False) makes a read-only: ndarray.setflags(write=False) called positionally,
# a quarter of the cost of ``a.flags.writeable = False`` (which builds a flags object first)
_setflags = np.ndarray.setflags
# np.einsum's C function (np.einsum without optimize calls it, after a dispatcher and a
# wrapper that cost ~1 us of a small LM trial); np.einsum itself where numpy moved it
_EINSUM = getattr(getattr(getattr(np, "_core", None), "multiarray", None), "c_einsum", np.einsum)


def _with_args(function, args, x):
    """function(x, *args) (bound by functools.partial: picklable, unlike a lambda)."""
    return function(x, *args)


def _check_callable(name, value):
    if value is not None and not callable(value):
        raise TypeError(f"{name} must be callable or None, got {type(value).__name__}")


class Linearization:
    """r~ and J~ at one point x (read-only views; copy before modifying).

    ``r`` holds r~, ``residuals`` the raw r (the same array for the linear loss), ``cost``
    F(x), ``grad`` = J~^T r~ = grad F(x). ``dense`` is J~ as an
    (m, n) array in the dense form, None in the operator form; ``matvec(v) = J~ v`` and
    ``rmatvec(u) = J~^T u`` work in both (counted as products in the operator form only).
    """

    # one is built per accepted point: slots make its construction a little cheaper
    __slots__ = ("_owner", "x", "r", "residuals", "cost", "scale", "dense", "_column_norms",
                 "grad")

    def __init__(self, owner, x, r_model, cost, scale, dense, residuals):
        self._owner = owner
        self.x = x
        self.r = r_model
        self.residuals = residuals
        self.cost = cost
        self.scale = scale  # row scale s of the loss, None for the linear loss
        self.dense = dense
        self._column_norms = None
        self.grad = dense.T @ r_model if dense is not None else self.rmatvec(r_model)
        _setflags(self.grad, False)

    @property
    def shape(self):
        """(m, n), J~'s shape."""
        return (self.r.size, self.x.size)

    def matvec(self, v) -> np.ndarray:
        """J~ v."""
        if self.dense is not None:
            return self.dense @ v
        jv = self._owner._jvp_at(self.x, v)
        return jv if self.scale is None else self.scale * jv

    def rmatvec(self, u) -> np.ndarray:
        """J~^T u."""
        if self.dense is not None:
            return self.dense.T @ u
        if self.scale is not None:
            u = self.scale * u
        return self._owner._vjp_at(self.x, u)

    def column_norms(self) -> np.ndarray:
        """The 2-norms of the columns of J~ (dense form only; read-only)."""
        if self.dense is None:
            raise ValueError("column_norms needs a dense Jacobian (jac=callable)")
        if self._column_norms is None:  # computed once: LM asks for D and for the cosine
            self._column_norms = np.sqrt(_EINSUM("ij,ij->j", self.dense, self.dense))
            _setflags(self._column_norms, False)
        return self._column_norms

    def finite_jacobian(self) -> bool:
        """Whether the dense J~ has only finite entries. Its column norms are finite exactly
        then, unless a column's sum of squares overflowed: one sum over n numbers
        (the norms are cached for the solver), and the m n entries are tested only then."""
        # a sum of the n norms (a list: cheaper than a reduction on a few numbers) is finite
        # exactly when each is: norms below sqrt(max float) cannot overflow a sum of n of them
        if math.isfinite(sum(self.column_norms().tolist())):
            return True
        return bool(_ALL(np.isfinite(self.dense), axis=None))

    def column_norms_estimate(self, samples) -> np.ndarray:
        """The 2-norms of the columns of J~ from ``samples`` products J~^T u with random signs
        u (operator form; exact from the dense J~). E[(J~^T u)_j^2] = ||J~_j||^2 for
        independent u_i = +-1 (the diagonal estimator of Bekas, Kokiopoulou & Saad 2007,
        "An estimator for the diagonal of a matrix", applied to J~ J~^T's transpose pair);
        with k samples each norm is within a factor ~(1 +- sqrt(2/k)) of the true one, which
        is what a scaling needs. The signs are the same on every call (seeded here)."""
        if self.dense is not None:
            return self.column_norms()
        rng = np.random.default_rng(0)
        total = np.zeros(self.shape[1])
        for _ in range(samples):
            u = rng.integers(0, 2, self.shape[0]) * 2.0 - 1.0
            total += self.rmatvec(u) ** 2
        return np.sqrt(total / samples)


class ResidualObjective:
    """Residuals with a dense or operator Jacobian, counted and cached (module docstring).

    ``fun(x, *args)`` returns the m residuals as a 1-D array. Give exactly one Jacobian form:
    ``jac(x, *args)`` returning the (m, n) array, or both ``jvp(x, v, *args)`` (returns J v,
    length m) and ``vjp(x, u, *args)`` (returns J^T u, length n). ``rvv(x, v, *args)``,
    optional, returns the second directional derivative r''(x)[v, v] (length m), for
    geodesic acceleration. ``loss`` is a :class:`~.least_squares.loss.Loss` or a loss name.
    """

    has_hessp = False  # the scalar view offers no Hessian-vector products

    def __init__(self, fun, jac=None, *, jvp=None, vjp=None, rvv=None, loss="linear",
                 f_scale=1.0, args=()):
        if not (callable(fun) and (jac is None or callable(jac))
                and jvp is None and vjp is None and rvv is None):  # else check each, naming it
            for name, value in (("fun", fun), ("jac", jac), ("jvp", jvp), ("vjp", vjp),
                                ("rvv", rvv)):
                _check_callable(name, value)
        if fun is None:
            raise ValueError("fun: a residual callable is required")
        if jac is not None and (jvp is not None or vjp is not None):
            raise ValueError("jac: give either jac (dense) or jvp and vjp (operator), not both")
        if jac is None and (jvp is None or vjp is None):
            raise ValueError("jac: a Jacobian is required; pass jac=callable, or both "
                             "jvp=callable and vjp=callable")
        if not isinstance(args, tuple):
            args = (args,)
        self._fun, self._jac, self._jvp, self._vjp, self._rvv = fun, jac, jvp, vjp, rvv
        self._args = args
        # fun(x) and jac(x) with the args bound: without args, the callables themselves, so a
        # trial calls fun(x), not fun(x, *()) (~0.2 us less per call: no argument unpacking)
        self._fun_x = fun if not args else partial(_with_args, fun, args)
        self._jac_x = jac if not args or jac is None else partial(_with_args, jac, args)
        self.loss: Loss = as_loss(loss, f_scale)
        self._linear = self.loss.is_linear  # the linear loss: r~ = r, F = 1/2 r.r
        self.m = None  # number of residuals, fixed by the first evaluation
        self._shape = None  # (m,) once m is fixed
        self.nfev = 0
        self.njev = 0
        self.njvp = 0
        self.nvjp = 0
        self.nrvv = 0
        self.nhev = 0
        self._cache = PointCache()  # items "r", "cost" and "lin" at the last point

    @property
    def is_operator(self) -> bool:
        """True when J is only available through products (jvp/vjp)."""
        return self._jac is None

    @property
    def has_rvv(self) -> bool:
        return self._rvv is not None

    # -- checks ------------------------------------------------------------------------------
    def _vector(self, value, length, source):
        out = np.array(value, dtype=np.float64)  # a copy: the caller may reuse its buffer
        if out.ndim != 1 or (length is not None and out.size != length):
            want = "a 1-D array" if length is None else f"shape ({length},)"
            raise ValueError(f"{source} returned an array of shape {out.shape}; expected {want}")
        return out

    # -- evaluation --------------------------------------------------------------------------
    def residuals(self, x) -> np.ndarray:
        """r(x) (read-only)."""
        items = self._cache.lookup(x)
        if items is None:
            items = self._evaluate(x)
        return items["r"]

    def _evaluate(self, x):
        """Evaluate r at a new point (counted) and make it the cached point; its items."""
        self.nfev += 1
        return self._store(x, self._fun(x, *self._args))

    def _store(self, x, value, copy=True):
        """Check ``value`` = r(x) and make x the cached point holding it; its items.
        ``copy=False``: ``value`` is a float64 array nobody else holds, kept as it is."""
        # a copy: the caller may reuse its buffer
        r = np.array(value, dtype=np.float64) if copy else value
        if r.shape != self._shape:  # (m,) once the first evaluation fixed m
            if r.ndim != 1 or (self.m is not None and r.size != self.m):
                self._vector(r, self.m, "fun")  # raises, with the message
            if r.size == 0:
                raise ValueError("fun returned no residuals")
            self.m = r.size
            self._shape = r.shape
        _setflags(r, False)
        items = self._cache.reset(x)
        items["r"] = r
        return items

    def record(self, x, value, *, copy=True):
        """Take ``value`` = fun(x), evaluated by the caller (a front door checking x0), as
        this objective's evaluation at x: counted in nfev and cached, as ``residuals(x)``
        would have done. ``copy=False`` hands over a fresh float64 array the caller keeps
        no use of (kept without a copy, made read-only)."""
        self.nfev += 1
        if not copy and not (type(value) is np.ndarray and value.dtype == np.float64):
            copy = True  # not an array to keep as it is
        self._store(x, value, copy)

    def cost(self, x) -> float:
        """F(x) (inf when a residual is not finite)."""
        cache = self._cache
        items = cache.lookup(x)
        if items is None:  # a new point: ``_evaluate`` and ``_store`` inline (an LM trial)
            self.nfev += 1
            r = np.array(self._fun_x(x), dtype=np.float64)  # a copy, as _store
            if r.shape != self._shape:  # the first evaluation, or a wrong shape
                return self._store_then_cost(x, r)
            _setflags(r, False)
            items = cache.reset(x)
            items["r"] = r
        else:
            cost = items.get("cost")
            if cost is not None:
                return cost
            r = items["r"]
        if self._linear:  # Loss.finite_cost's linear branch, without the call
            cost = 0.5 * float(r @ r)
            if not math.isfinite(cost):
                cost = math.inf
        else:
            cost = self.loss.finite_cost(r)
        items["cost"] = cost
        return cost

    def _store_then_cost(self, x, r):
        """``cost``'s end for a residual vector of a new shape: checked by ``_store``."""
        self._store(x, r, copy=False)  # r is cost's own copy
        return self.cost(x)

    def linearize(self, x) -> Linearization:
        """r~, J~ and grad F at x (one Jacobian evaluation in the dense form; one vjp for the
        gradient in the operator form)."""
        cache = self._cache
        # x is the cached point itself after cost(x) (LM's accepted trial): no comparison
        items = cache.items if x is cache.x else cache.lookup(x)
        if items is not None and "cost" in items:  # cost(x) known: one lookup, not two
            lin = items.get("lin")
            if lin is not None:
                return lin
            cost = items["cost"]
        else:
            cost = self.cost(x)
            items = cache.items
        x, r = cache.x, items["r"]  # the private read-only copy of x
        if self._linear:  # r~ = r, already read-only; no row scale
            r_model, scale = r, None
        else:
            r_model, scale = self.loss.scaling(r)
            if scale is not None:  # a rescaled copy
                r_model.flags.writeable = False
        dense = None
        if self._jac is not None:
            self.njev += 1
            dense = np.array(self._jac_x(x), dtype=np.float64)
            if dense.shape != (r.size, x.size):  # r.size is m
                raise ValueError(f"jac returned an array of shape {dense.shape}; expected "
                                 f"({self.m}, {x.size})")
            if scale is not None:
                dense *= scale[:, None]
            _setflags(dense, False)
        lin = items["lin"] = Linearization(self, x, r_model, cost, scale, dense, r)
        return lin

    def _jvp_at(self, x, v):
        self.njvp += 1
        self.njev += 1
        return self._vector(self._jvp(x, v, *self._args), self.m, "jvp")

    def _vjp_at(self, x, u):
        self.nvjp += 1
        self.njev += 1
        return self._vector(self._vjp(x, u, *self._args), x.size, "vjp")

    def rvv(self, x, v) -> np.ndarray:
        """r''(x)[v, v], the second directional derivative of the raw residuals."""
        if self._rvv is None:
            raise ValueError("rvv: geodesic acceleration needs the second directional "
                             "derivative; pass rvv=callable")
        self.nrvv += 1
        return self._vector(self._rvv(x, v, *self._args), self.m, "rvv")

    # -- the scalar view (optkit.optim.Objective's protocol) -----------------------------------
    def f(self, x) -> float:
        """F(x)."""
        return self.cost(x)

    def f_expecting_g(self, x) -> float:
        """F(x) alone (``Objective.f_expecting_g``): the gradient needs the Jacobian, which
        is not worth computing before the step is known to be taken."""
        return self.cost(x)

    def f_and_g(self, x):
        """(F(x), grad F(x)); the gradient costs a Jacobian evaluation or one vjp."""
        lin = self.linearize(x)
        return lin.cost, lin.grad

    def hessp(self, x, p):
        raise ValueError("hessp: a residual objective has no Hessian-vector products; use a "
                         "least-squares method (lm, gn-cg) or a gradient-only minimizer")

    def counts(self):
        """(nfev, njev, nhev) so far (module docstring)."""
        return self.nfev, self.njev, self.nhev
