"""SciPy adapters: exact derivatives for ``scipy.optimize``, and optkit's solvers inside it.

Change one line::

    from optkit.scipy import minimize      # instead of: from scipy.optimize import minimize
    res = minimize(fun, x0, method="trust-krylov")

and SciPy gets gradients from reverse mode and Hessian-vector products from
forward-over-reverse (Pearlmutter 1994); ``dogleg`` and ``trust-exact``, which need a dense
Hessian, get ``optkit.hessian``. ``least_squares`` and ``root`` get Jacobians built in the cheaper
mode (forward mode costs one pass per input, reverse mode one per output), or, for large
problems, a ``LinearOperator`` of JVPs and VJPs or a sparse Jacobian from grouped JVPs (Curtis,
Powell & Reid 1974). ``constraint`` builds a ``NonlinearConstraint`` with an exact Jacobian and
the Hessian of v^T c(x). ``lbfgs``, ``gradient_descent`` and ``newton_cg`` are custom methods
for ``scipy.optimize.minimize(..., method=optkit.scipy.lbfgs)``.

This is the one module that imports ``scipy.optimize``.
"""

from __future__ import annotations

import numpy as np
import scipy.optimize as _so

from .ad import NotDifferentiableError, TracerConversionError, hessian
from .boundary import as_start, flat_bounds
from .methods import (
    SCIPY_CUSTOM_METHODS,
    SCIPY_DERIVATIVE_FREE,
    SCIPY_HESS,
    SCIPY_HESSP,
    SCIPY_METHODS,
    did_you_mean,
)
from .minimize import minimize as _optkit_minimize
from .minimize import takes_intermediate_result
from .optim.bounds import as_bounds
from .optim.start import check_x0
from .scipy_derivatives import Derivatives, VectorDerivatives

__all__ = ["Derivatives", "constraint", "derivatives", "gradient_descent", "lbfgs",
           "least_squares", "minimize", "newton_cg", "root"]



# ---- argument checks ------------------------------------------------------------------------
def _check_x0(x0):
    """x0 as a float64 vector, as SciPy takes it: empty and non-finite starts pass through."""
    return check_x0(x0, allow_empty=True, allow_nonfinite=True,
                    shape_hint=" (a vector, as in scipy.optimize); pass x0.ravel() and "
                               "reshape inside fun")


def _method_name(method, bounds, constraints):
    """SciPy's lower-case method name ('_custom' for a callable), chosen as SciPy does if None."""
    if method is None:
        return "slsqp" if constraints else ("l-bfgs-b" if bounds is not None else "bfgs")
    if callable(method):
        return "_custom"
    if not isinstance(method, str):
        raise TypeError(f"method must be a string or a callable, got {type(method).__name__}")
    meth = method.lower()
    if meth in SCIPY_CUSTOM_METHODS:
        custom = SCIPY_CUSTOM_METHODS[meth]
        raise ValueError(f"method: {method!r} is optkit's own solver, not a scipy.optimize "
                         f"method; pass it as a custom method: method=optkit.scipy.{custom} "
                         f"(or call optkit.minimize(fun, x0, method={meth!r}))")
    if meth not in SCIPY_METHODS:
        raise ValueError(f"method: unknown method {method!r}; expected one of "
                         f"{list(SCIPY_METHODS)} or a callable{did_you_mean(meth, SCIPY_METHODS)}")
    return meth


class _Counted:
    """A plain objective that counts its calls (derivative-free and finite-difference methods)."""

    def __init__(self, fun):
        self.fun = fun
        self.n = 0

    def __call__(self, x, *args, **kwargs):
        self.n += 1
        return self.fun(x, *args, **kwargs)


def _probe(p0):
    """A direction for the up-front Hessian check: -g (the first CG direction), else ones."""
    return -p0 if np.any(p0) else np.ones_like(p0)


# ---- exact derivatives for SciPy's solvers ----------------------------------------------------
def derivatives(fun, args=(), *, x0=None, compile=True):  # noqa: A002 - mirrors optkit.compile
    """``Derivatives`` of scalar ``fun(x, *args)`` from optkit's AD, sharing one evaluation cache.

    Use ``d.fun`` with ``jac=d.jac`` (or ``d.fun_and_jac`` with ``jac=True``), ``hessp=d.hessp``
    or ``hess=d.hess`` when wiring SciPy yourself; ``d.nfev``, ``d.njev``, ``d.nhev`` count the
    evaluations made. ``compile`` as in :func:`minimize`.

    ``x0``, a parameter structure (see :func:`minimize`), makes them functions of the raveled
    vector that call ``fun`` with the structure: start SciPy from ``d.x0`` (the raveled
    ``x0``) and rebuild its answer with ``d.unravel(res.x)``. Without it ``fun`` gets what
    SciPy passes, ``d.x0`` is None and ``d.unravel`` the identity.

    Parameters
    ----------
    fun : callable
        ``fun(x, *args) -> float``, plain numpy code.
    args : tuple, optional
        Extra arguments of ``fun``, used when SciPy passes none.
    x0 : array_like or parameter structure, optional
        A start whose structure ``fun`` takes (see above).
    compile : bool, optional
        True (default): the derivatives replay ``optkit.compile`` programs; False: eager AD.

    Returns
    -------
    Derivatives
        With ``fun``, ``jac``, ``fun_and_jac``, ``hessp``, ``hess``, the counters and the
        attributes ``x0`` and ``unravel``.

    Raises
    ------
    TypeError
        A ``fun`` that is not callable.

    Examples
    --------
    >>> import numpy as np, scipy.optimize
    >>> from optkit.scipy import derivatives
    >>> def rosen(x):
    ...     return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)
    >>> d = derivatives(rosen)
    >>> res = scipy.optimize.minimize(d.fun, np.zeros(2), jac=d.jac, hessp=d.hessp,
    ...                               method="Newton-CG")
    >>> bool(res.success), np.round(res.x, 3)
    (True, array([1., 1.]))
    >>> d.nfev >= 1 and d.njev >= 1 and d.nhev >= 1
    True
    """
    start = as_start(x0) if x0 is not None else None
    if start is None or not start.structured:
        d = Derivatives(fun, args, compile=compile)
        d.x0 = None if start is None else _check_x0(x0)
        d.unravel = _identity
        return d
    if not callable(fun):
        raise TypeError(f"fun must be callable, got {type(fun).__name__}")
    d = Derivatives(start.value(fun), args, compile=compile)
    d.x0, d.unravel = start.x, start.tree
    return d


def _identity(x):
    return x


def minimize(fun, x0, args=(), method=None, jac=None, hess=None, hessp=None, bounds=None,
             constraints=(), tol=None, callback=None, options=None, *, flat_callback=False,
             compile=True):  # noqa: A002 - mirrors optkit.compile
    """``scipy.optimize.minimize`` with derivatives from optkit's AD; same signature and result.

    Missing derivatives are supplied per method: ``jac`` for every gradient-based method,
    ``hessp`` for Newton-CG, trust-ncg, trust-krylov and trust-constr, a dense ``hess`` for
    dogleg and trust-exact. A user's ``jac`` (callable, True or a finite-difference string),
    ``hess`` and ``hessp`` are used as given. A ``fun(x)`` and the ``jac(x)`` SciPy asks for next
    share one evaluation of the objective (see ``Derivatives``). Before the solve, the gradient
    (and, where the method needs it, one Hessian-vector product or the Hessian) is evaluated at
    x0, so an objective AD cannot differentiate is reported up front; those evaluations are
    cached and counted.
    ``nfev``, ``njev`` and ``nhev`` in the result are the true counts (see
    ``optkit.scipy_derivatives``). bounds, constraints, callback, options and tol pass through.
    The result is SciPy's: for SciPy's own methods ``success`` is SciPy's claim, which may
    come from a test on f or x with the gradient still large (optkit's rule, success only
    when the first-order test holds, binds optkit's methods, ``method=optkit.scipy.lbfgs``
    and the other custom methods included; ``optkit solve -m scipy:...`` applies the test
    itself, see ``optkit.cli.first_order``).

    ``compile=True`` (the default, as in ``optkit.minimize``) replays ``optkit.compile``
    programs for the value+gradient and the Hessian-vector products; an objective whose trace
    depends on values runs eagerly with a one-time ``optkit.CompileWarning``.

    ``x0`` may be a parameter structure, as in ``optkit.minimize`` (a dict, list, tuple,
    namedtuple or dataclass of arrays, or an array of any shape; a list or tuple of numbers
    stays a vector, as in SciPy). SciPy then works on the raveled vector
    (``optkit.tree.ravel``) and ``fun``, ``jac``, ``hessp``, ``hess`` and the ``fun`` of each
    constraint receive the structure; ``jac`` and ``hessp`` answer in it, while a dense ``hess``
    and a constraint's ``jac`` (and a ``LinearConstraint``'s columns) are over the raveled
    vector. ``bounds`` may be ``optkit.Bounds`` with sides in x0's structure (a number at a
    path broadcasts over that leaf). The callback's ``xk`` (or ``intermediate_result.x``) and
    the result's ``x`` and ``jac`` (``grad`` for trust-constr) come back in the structure;
    ``flat_callback=True`` gives the callback SciPy's flat vectors instead.

    Parameters
    ----------
    fun : callable
        ``fun(x, *args) -> float``, plain numpy code.
    x0 : array_like or parameter structure
        The start: a vector, as SciPy takes it, or a structure of arrays (above).
    args : tuple, optional
        Extra arguments of ``fun`` and its derivatives.
    method : str or callable, optional
        A ``scipy.optimize.minimize`` method (SciPy's default choice when None), or a custom
        method such as ``optkit.scipy.lbfgs``.
    jac : callable, bool or str, optional
        None (default): the gradient from optkit's AD. A callable, True (``fun`` returns
        ``(f, g)``) or a finite-difference string is SciPy's and used as given.
    hess : callable, str or HessianUpdateStrategy, optional
        A dense Hessian, used as given; None: optkit's AD, for the methods that need it.
    hessp : callable, optional
        ``hessp(x, p, *args)``, used as given; None: optkit's AD, for the methods that need
        it.
    bounds : scipy.optimize.Bounds, sequence or optkit.Bounds, optional
        Passed to SciPy (an ``optkit.Bounds`` in x0's structure is raveled first).
    constraints : constraint or sequence, optional
        Passed to SciPy; :func:`constraint` builds one with exact derivatives.
    tol : float, optional
        Passed to SciPy.
    callback : callable, optional
        Passed to SciPy; with a structured x0 it sees the structure (above).
    options : dict, optional
        Passed to SciPy.
    flat_callback : bool, optional
        True: the callback sees SciPy's flat vectors even for a structured x0.
    compile : bool, optional
        True (default): the AD derivatives replay ``optkit.compile`` programs.

    Returns
    -------
    scipy.optimize.OptimizeResult
        SciPy's result, with true ``nfev``, ``njev`` and ``nhev`` and, for a structured x0,
        ``x`` and ``jac`` in its structure.

    Raises
    ------
    TypeError
        A ``fun`` that is not callable, a ``method`` that is neither a string nor callable;
        ``optkit.NotDifferentiableError`` or ``optkit.TracerConversionError`` (both
        TypeErrors) at x0 when the AD cannot differentiate ``fun`` as the method needs.
    ValueError
        An unknown method name (with the closest one), or one of optkit's own (``"lbfgs"``:
        pass ``method=optkit.scipy.lbfgs``).

    Examples
    --------
    >>> import numpy as np
    >>> from optkit.scipy import minimize
    >>> def rosen(x):
    ...     return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)
    >>> res = minimize(rosen, np.zeros(3), method="trust-krylov")  # gradient and hessp by AD
    >>> bool(res.success), np.round(res.x, 6)
    (True, array([1., 1., 1.]))
    >>> res = minimize(lambda p: np.sum((p["w"] - 1.0) ** 2) + (p["b"] + 2.0) ** 2,
    ...                {"w": np.zeros(2), "b": 0.0}, method="BFGS")
    >>> np.round(res.x["w"], 6), np.round(res.x["b"], 6)
    (array([1., 1.]), np.float64(-2.0))
    """
    start = as_start(x0)
    if start.structured:  # SciPy sees the raveled vector; fun and the rest the structure
        if not callable(fun):
            raise TypeError(f"fun must be callable, got {type(fun).__name__}")
        fun = start.pair(fun) if jac is True else start.value(fun)
        jac, hessp, hess = start.gradient(jac), start.product(hessp), start.dense(hess)
        flat = flat_bounds(bounds, start)
        bounds = bounds if flat is None else _so.Bounds(*flat)
        constraints = _flat_constraints(constraints, start)
        res = _flat_minimize(fun, start.x, args, method, jac, hess, hessp, bounds, constraints,
                             tol, _tree_callback(callback, start, flat_callback), options,
                             compile)
        return _tree_result(res, start)
    return _flat_minimize(fun, _check_x0(x0), args, method, jac, hess, hessp, bounds,
                          constraints, tol, callback, options, compile)


def _flat_minimize(fun, x0, args, method, jac, hess, hessp, bounds, constraints, tol, callback,
                   options, compile):  # noqa: A002
    """:func:`minimize` on a flat vector ``x0``."""
    args = args if isinstance(args, tuple) else (args,)
    meth = _method_name(method, bounds, constraints)
    if meth != "trust-constr" and constraints:
        constraints = _without_hess(constraints)
    passthrough = dict(method=method, bounds=bounds, constraints=constraints, tol=tol,
                       callback=callback, options=options)
    if meth in SCIPY_DERIVATIVE_FREE or isinstance(jac, str):
        counted = _Counted(fun)
        res = _so.minimize(counted, x0, args=args, jac=jac, hess=hess, hessp=hessp,
                           **passthrough)
        res.nfev = counted.n
        return res

    der = Derivatives(fun, args, jac=jac or None, hessp=hessp,
                      hess=hess if callable(hess) else None, compile=compile,
                      products_follow=(meth in SCIPY_HESSP and hess is None and hessp is None))
    if hess is not None:  # the user's: a callable, a HessianUpdateStrategy or an FD string
        second = {"hess": der.hess if callable(hess) else hess}
    elif hessp is not None or meth in SCIPY_HESSP or meth == "_custom":
        second = {"hessp": der.hessp}
    elif meth in SCIPY_HESS:
        second = {"hess": der.hess}
    else:
        second = {}
    g0 = der.jac(x0)
    if der.uses_ad_gradient:
        _check_second_order(der, x0, g0, meth, method, second, hess, hessp)
    res = _so.minimize(der.fun, x0, args=(), jac=der.jac, **second, **passthrough)
    res.nfev, res.njev, res.nhev = der.nfev, der.njev, der.nhev
    return res


def _check_second_order(der, x0, g0, meth, method, second, hess, hessp):
    """Take the method's first Hessian(-vector product) at x0 now, so a failure comes first."""
    if meth == "_custom" or hess is not None or hessp is not None or not second:
        return
    try:
        if "hessp" in second:
            der.probe_hessp(x0, _probe(g0))
        else:
            der.hess(x0)
    except (NotDifferentiableError, TracerConversionError) as exc:
        need = "hessp" if "hessp" in second else "hess"
        raise type(exc)(
            f"method {method!r} needs second derivatives ({need}), but optkit's AD cannot "
            f"differentiate fun twice: {exc}. Pass {need}= explicitly, or use a method that "
            "needs only the gradient, such as 'L-BFGS-B'"
        ) from exc


# ---- parameter structures: SciPy sees the raveled vector ---------------------------------------
def _tree_callback(callback, start, flat):
    """SciPy's callback (``xk``, or ``intermediate_result``) with x0's structure rebuilt."""
    if callback is None or flat:
        return callback
    if takes_intermediate_result(callback):
        def structured(intermediate_result):
            return callback(intermediate_result=_tree_result(
                _so.OptimizeResult(intermediate_result), start))
        return structured

    def structured_xk(xk, *rest):  # root's callbacks also get the residual
        return callback(start.tree(np.array(xk, dtype=float)), *rest)

    return structured_xk


def _tree_result(res, start):
    """``res`` with ``x`` (and the objective's gradient, ``jac`` or trust-constr's ``grad``)
    rebuilt in x0's structure; constraint Jacobians and residuals stay as SciPy gives them."""
    n = start.size
    for key in ("x", "jac", "grad"):
        value = res.get(key)
        if isinstance(value, np.ndarray) and value.shape == (n,):
            res[key] = start.tree(value)
    return res


def _flat_constraint(con, start):
    """One constraint whose ``fun`` takes x0's structure, as one taking the raveled vector."""
    if isinstance(con, dict):
        out = dict(con)
        out["fun"] = start.value(con["fun"])
        if callable(con.get("jac")):
            out["jac"] = start.value(con["jac"])
        return out
    if isinstance(con, _so.NonlinearConstraint):
        source = getattr(con, "optkit_source", None)
        if source is not None:  # optkit.scipy.constraint: rebuilt around the flat function
            fun, args, hess, kwargs = source
            return constraint(start.value(fun), con.lb, con.ub, args=args, hess=hess, **kwargs)
        jac = start.value(con.jac) if callable(con.jac) else con.jac
        hess = con.hess
        if callable(hess):
            def hess(z, v, _h=con.hess):
                return _h(start.tree(z), v)
        return _so.NonlinearConstraint(start.value(con.fun), con.lb, con.ub, jac=jac,
                                       hess=hess, keep_feasible=con.keep_feasible)
    return con  # a LinearConstraint: its columns are the raveled vector's


def _flat_constraints(constraints, start):
    if isinstance(constraints, (dict, _so.NonlinearConstraint, _so.LinearConstraint)):
        return _flat_constraint(constraints, start)
    return [_flat_constraint(con, start) for con in constraints]


# ---- Jacobians: least squares, roots, constraints -------------------------------------------
def least_squares(fun, x0, jac=None, bounds=(-np.inf, np.inf), method="trf", *, args=(),
                  kwargs=None, tr_solver=None, jac_sparsity=None, jac_mode=None, **options):
    """``scipy.optimize.least_squares`` with the Jacobian of the residuals from optkit's AD.

    Dense by default, in the cheaper mode (``jac_mode`` None) or the one named ("forward",
    "reverse"). With ``jac_sparsity`` the Jacobian is a sparse matrix computed with one JVP per
    group of structurally orthogonal columns; with ``tr_solver='lsmr'`` it is a
    ``LinearOperator`` whose ``matvec`` is a JVP and ``rmatvec`` a VJP (both need method 'trf'
    or 'dogbox', as in SciPy). A user's ``jac`` is passed through unchanged. The result adds
    ``jac_mode`` ("forward", "reverse", "sparse" or "operator"), ``njvp`` and ``nvjp``; ``nfev``
    and ``njev`` are true counts.

    ``x0`` may be a parameter structure (see :func:`minimize`): ``fun`` (and a user's ``jac``,
    which is over the raveled vector) receive it, ``bounds=(lb, ub)`` may give each side in
    its structure, and the result's ``x`` comes back in it (``fun`` and ``jac`` are SciPy's).

    Parameters
    ----------
    fun : callable
        ``fun(x, *args, **kwargs)``, the m residuals as a 1-D array, plain numpy code.
    x0 : array_like or parameter structure
        The start.
    jac : callable or str, optional
        None (default): the Jacobian from optkit's AD; anything else is SciPy's, used as
        given.
    bounds : 2-tuple, scipy.optimize.Bounds or optkit.Bounds, optional
        Passed to SciPy (each side may be in x0's structure).
    method : {"trf", "dogbox", "lm"}, optional
        SciPy's method.
    args : tuple, optional
        Extra positional arguments of ``fun``.
    kwargs : dict, optional
        Extra keyword arguments of ``fun``.
    tr_solver : {None, "exact", "lsmr"}, optional
        SciPy's; ``"lsmr"`` makes the Jacobian a ``LinearOperator`` of JVPs and VJPs.
    jac_sparsity : array_like or sparse matrix, optional
        The Jacobian's sparsity pattern: the Jacobian is then sparse, one JVP per group of
        structurally orthogonal columns.
    jac_mode : {None, "forward", "reverse"}, optional
        The AD mode of a dense Jacobian; None: the cheaper one (forward when n <= m).
    **options
        Passed to ``scipy.optimize.least_squares`` (ftol, xtol, gtol, x_scale, loss,
        f_scale, max_nfev, ...).

    Returns
    -------
    scipy.optimize.OptimizeResult
        SciPy's result plus ``jac_mode`` (``"forward"``, ``"reverse"``, ``"sparse"`` or
        ``"operator"``), ``njvp`` and ``nvjp``; ``nfev`` and ``njev`` are true counts.

    Raises
    ------
    TypeError
        A ``fun`` that is not callable (structured x0); AD errors at x0 when ``fun`` cannot
        be differentiated.
    ValueError
        ``method="lm"`` with ``jac_sparsity`` or ``tr_solver="lsmr"``, or
        ``tr_solver="exact"`` with ``jac_sparsity``.

    Examples
    --------
    >>> import numpy as np
    >>> from optkit.scipy import least_squares
    >>> t = np.linspace(0.0, 1.0, 6)
    >>> y = 2.0 * np.exp(-1.5 * t)
    >>> res = least_squares(lambda p: p[0] * np.exp(-p[1] * t) - y, np.ones(2))
    >>> bool(res.success), np.round(res.x, 6), res.jac_mode
    (True, array([2. , 1.5]), 'forward')
    """
    start = as_start(x0)
    if start.structured:
        if not callable(fun):
            raise TypeError(f"fun must be callable, got {type(fun).__name__}")
        fun, jac = start.value(fun), start.value(jac) if callable(jac) else jac
        if isinstance(bounds, tuple) and len(bounds) == 2:  # SciPy's (lb, ub)
            bounds = start.bounds(*bounds)
        else:
            flat = flat_bounds(bounds, start)
            bounds = bounds if flat is None else flat
        res = least_squares(fun, start.x, jac, bounds, method, args=args, kwargs=kwargs,
                            tr_solver=tr_solver, jac_sparsity=jac_sparsity, jac_mode=jac_mode,
                            **options)
        res.x = start.tree(res.x)
        return res
    x0 = _check_x0(x0)
    if jac is not None:
        return _so.least_squares(fun, x0, jac, bounds, method, args=args, kwargs=kwargs,
                                 tr_solver=tr_solver, jac_sparsity=jac_sparsity, **options)
    large = jac_sparsity is not None or tr_solver == "lsmr"
    if large and method == "lm":
        raise ValueError("method: 'lm' needs a dense Jacobian; use method='trf' or 'dogbox' "
                         "with jac_sparsity or tr_solver='lsmr'")
    if jac_sparsity is not None and tr_solver == "exact":
        raise ValueError("tr_solver: 'exact' needs a dense Jacobian; use tr_solver='lsmr' (or "
                         "None) with jac_sparsity")
    if jac_sparsity is not None:
        jac_mode = "forward"  # products J v only: no tape needed
    elif tr_solver == "lsmr":
        jac_mode = "reverse"  # keep each point's tape for the operator's rmatvec
    vd = VectorDerivatives(fun, args, kwargs, mode=jac_mode)
    vd.fun(x0)  # an objective AD cannot record fails here, before the solve
    if jac_sparsity is not None:
        kind = "sparse"

        def jac_fn(x):
            return vd.sparse(x, jac_sparsity)
    elif tr_solver == "lsmr":
        kind, jac_fn = "operator", vd.operator
    else:
        kind, jac_fn = vd.mode, vd.jac
    res = _so.least_squares(vd.fun, x0, jac_fn, bounds, method, tr_solver=tr_solver,
                            **options)
    res.nfev, res.njev = vd.nfev, vd.njev
    res.jac_mode, res.njvp, res.nvjp = kind, vd.njvp, vd.nvjp
    return res


def root(fun, x0, args=(), method="hybr", jac=None, tol=None, callback=None, options=None,
         *, jac_mode=None):
    """``scipy.optimize.root`` with a dense AD Jacobian for the methods that take one.

    'hybr' and 'lm' receive the Jacobian, built in the cheaper mode (``jac_mode`` None) or the
    one named; the quasi-Newton methods take none and run unchanged. A user's ``jac`` passes
    through. The result adds ``jac_mode``, ``njvp`` and ``nvjp``; ``nfev``/``njev`` are true.

    ``x0`` may be a parameter structure (see :func:`minimize`): ``fun`` receives it and returns
    its residual in the same structure (or as a vector of the raveled length); a user's
    ``jac`` is over the raveled vector. The callback's ``x`` and the result's ``x`` come back
    in the structure; ``fun`` in the result is the raveled residual.

    Parameters
    ----------
    fun : callable
        ``fun(x, *args)``, the residual (n values for n unknowns), plain numpy code.
    x0 : array_like or parameter structure
        The start.
    args : tuple, optional
        Extra arguments of ``fun``.
    method : str, optional
        A ``scipy.optimize.root`` method (default ``"hybr"``).
    jac : callable or bool, optional
        None (default): the Jacobian from optkit's AD for 'hybr' and 'lm'; anything else is
        SciPy's, used as given.
    tol : float, optional
        Passed to SciPy.
    callback : callable, optional
        Passed to SciPy.
    options : dict, optional
        Passed to SciPy.
    jac_mode : {None, "forward", "reverse"}, optional
        The AD mode of the Jacobian; None: the cheaper one.

    Returns
    -------
    scipy.optimize.OptimizeResult
        SciPy's result plus ``jac_mode``, ``njvp`` and ``nvjp``; ``nfev`` and ``njev`` are
        true counts.

    Raises
    ------
    TypeError
        A ``fun`` that is not callable (structured x0); AD errors at x0 when ``fun`` cannot
        be differentiated.

    Examples
    --------
    >>> import numpy as np
    >>> from optkit.scipy import root
    >>> res = root(lambda x: np.stack([x[0] ** 2 + x[1] - 3.0, x[0] - x[1] + 1.0]), np.ones(2))
    >>> bool(res.success), np.round(res.x, 6)
    (True, array([1., 2.]))
    """
    start = as_start(x0)
    if start.structured:
        if not callable(fun):
            raise TypeError(f"fun must be callable, got {type(fun).__name__}")
        value = start.value(fun)

        def flat_fun(z, *a):
            return start.flat_output(value(z, *a))

        jac = start.value(jac) if callable(jac) else jac
        callback = _tree_callback(callback, start, False)
        res = root(flat_fun, start.x, args, method, jac, tol, callback, options,
                   jac_mode=jac_mode)
        res.x = start.tree(res.x)
        return res
    x0 = _check_x0(x0)
    args = args if isinstance(args, tuple) else (args,)
    passthrough = dict(method=method, tol=tol, callback=callback, options=options)
    if jac is not None or str(method).lower() not in ("hybr", "lm"):
        counted = _Counted(fun)
        res = _so.root(counted, x0, args=args, jac=jac, **passthrough)
        res.nfev = counted.n
        return res
    vd = VectorDerivatives(fun, args, mode=jac_mode)
    vd.fun(x0)
    res = _so.root(vd.fun, x0, jac=vd.jac, **passthrough)
    res.nfev, res.njev = vd.nfev, vd.njev
    res.jac_mode, res.njvp, res.nvjp = vd.mode, vd.njvp, vd.nvjp
    return res


def constraint(fun, lb=-np.inf, ub=np.inf, *, args=(), hess=True, **kwargs):
    """``NonlinearConstraint(lb <= fun(x) <= ub)`` with AD derivatives.

    ``jac`` is the dense Jacobian (m, n) in the cheaper mode; ``hess(x, v)`` is the dense
    Hessian of v^T c(x), built from n Hessian-vector products (forward-over-reverse), which
    gives trust-constr exact second derivatives. SLSQP and COBYLA use only ``fun`` and ``jac``
    and SciPy warns that a ``hess`` is ignored: :func:`minimize` drops it for them; when calling
    ``scipy.optimize.minimize`` directly with those methods pass ``hess=False``. ``kwargs`` go
    to ``NonlinearConstraint`` (keep_feasible, ...). The returned object carries its evaluation
    counters as ``optkit_derivatives``.

    Parameters
    ----------
    fun : callable
        ``fun(x, *args)``, the constraint values (a number or a 1-D array), plain numpy code.
    lb, ub : float or array_like, optional
        The bounds ``lb <= fun(x) <= ub`` (default -inf and inf).
    args : tuple, optional
        Extra arguments of ``fun``.
    hess : bool, optional
        True (default): attach the Hessian of v^T c(x) (for trust-constr).
    **kwargs
        Passed to ``scipy.optimize.NonlinearConstraint``.

    Returns
    -------
    scipy.optimize.NonlinearConstraint
        With ``jac`` (and ``hess``) from optkit's AD.

    Examples
    --------
    >>> import numpy as np
    >>> from optkit.scipy import constraint, minimize
    >>> disk = constraint(lambda x: x[0] ** 2 + x[1] ** 2, ub=1.0)
    >>> res = minimize(lambda x: -x[0] - x[1], np.zeros(2), method="trust-constr",
    ...                constraints=[disk])
    >>> bool(res.success), np.round(res.x, 3)  # (1, 1) / sqrt(2)
    (True, array([0.707, 0.707]))
    """
    args = args if isinstance(args, tuple) else (args,)
    vd = VectorDerivatives(fun, args)

    def hess_vc(x, v):
        v = np.asarray(v, dtype=float).reshape(-1)
        return hessian(lambda z: np.sum(v * np.reshape(fun(z, *args), -1)))(np.asarray(x, float))

    extra = {"hess": hess_vc} if hess else {}
    con = _so.NonlinearConstraint(vd.fun, lb, ub, jac=vd.jac, **extra, **kwargs)
    con.optkit_derivatives = vd
    con.optkit_source = (fun, args, hess, kwargs)  # to rebuild it for a structured x0
    return con


def _without_hess(constraints):
    """Our constraints minus their ``hess`` (for methods that would warn it is ignored)."""
    def strip(con):
        if getattr(con, "optkit_derivatives", None) is None or isinstance(con.hess, _so.BFGS):
            return con
        return _so.NonlinearConstraint(con.fun, con.lb, con.ub, jac=con.jac,
                                       keep_feasible=con.keep_feasible)

    if isinstance(constraints, (dict, _so.NonlinearConstraint, _so.LinearConstraint)):
        return strip(constraints)
    return [strip(con) for con in constraints]


# ---- optkit's solvers as SciPy custom methods ---------------------------------------------------
def _check_constraints(name, constraints):
    if constraints is not None and len(constraints) > 0:
        raise ValueError(f"constraints: optkit.scipy.{name} handles no constraints; use "
                         "method='SLSQP' or 'trust-constr'")


def _box(bounds, x0):
    """The ``bounds`` scipy.optimize.minimize passes (a ``Bounds`` or (lo, hi) pairs) as an
    optkit Bounds, or None when there are none or all are infinite (so a method that takes
    no bounds still runs, as before)."""
    box = as_bounds(bounds, np.size(x0))
    return None if box is None or box.is_unbounded else box


def _wrap_callback(callback):
    """The callback for optkit.minimize, which follows SciPy's rule (xk or intermediate_result);
    only the result's type changes: a ``scipy.optimize.OptimizeResult``, as SciPy gives."""
    if callback is None or not takes_intermediate_result(callback):
        return callback

    def with_scipy_result(intermediate_result):
        return callback(intermediate_result=_so.OptimizeResult(intermediate_result))

    return with_scipy_result


def _run_optkit(name, fun, x0, args, jac, hessp, bounds, constraints, callback, options):
    _check_constraints(name, constraints)
    box = _box(bounds, x0)
    if box is not None:
        options["bounds"] = box
    if isinstance(jac, str) or jac is False:
        raise ValueError(f"jac: optkit.scipy.{name} needs exact gradients; pass a callable, "
                         f"True (fun returns (f, g)) or None (optkit's AD), got {jac!r}")
    if "tol" in options:
        tol = options.pop("tol")
        options.setdefault("gtol", tol)
    res = _optkit_minimize(fun, x0, method=name, jac=jac, hessp=hessp, args=args,
                           callback=_wrap_callback(callback), **options)
    return _so.OptimizeResult(res)


def lbfgs(fun, x0, args=(), jac=None, hess=None, hessp=None, bounds=None, constraints=(),
          callback=None, **options):
    """optkit's L-BFGS (Nocedal & Wright, Alg. 7.5) as a SciPy custom method.

    ``scipy.optimize.minimize(fun, x0, method=optkit.scipy.lbfgs)``; a missing ``jac`` comes
    from optkit's AD, ``hess``/``hessp`` are not used. ``options`` (and ``tol``, which sets
    gtol) are optkit's: gtol, ftol, xtol, maxiter, maxfev, max_time, m, linesearch, ...
    ``bounds`` make it L-BFGS-B (f is never evaluated outside them; the result has
    ``active_mask``). Returns a ``scipy.optimize.OptimizeResult``; constraints are a
    ValueError.

    Parameters
    ----------
    fun : callable
        ``fun(x, *args) -> float``, plain numpy code.
    x0 : ndarray
        The start, as SciPy passes it.
    args : tuple, optional
        Extra arguments of ``fun`` and its derivatives.
    jac : callable or True, optional
        None: the gradient from optkit's AD; a callable, or True when ``fun`` returns
        ``(f, g)``. A finite-difference string is a ValueError.
    hess : callable, optional
        Not used (SciPy passes it).
    hessp : callable, optional
        Not used.
    bounds : scipy.optimize.Bounds or sequence, optional
        The box: L-BFGS-B.
    constraints : sequence, optional
        Must be empty.
    callback : callable, optional
        SciPy's: called with ``xk``, or with the ``OptimizeResult`` if its one parameter is
        named ``intermediate_result``; returning True or raising StopIteration stops.
    **options
        optkit's options (``tol`` sets gtol): gtol, ftol, xtol, maxiter, maxfev,
        max_time, and the solver's own fields (m, linesearch, ...).

    Returns
    -------
    scipy.optimize.OptimizeResult
        optkit's result as SciPy's type (``success`` by optkit's first-order test).

    Raises
    ------
    ValueError
        Constraints, a finite-difference ``jac``, or an unknown option.

    Examples
    --------
    >>> import numpy as np, scipy.optimize
    >>> import optkit.scipy
    >>> def rosen(x):
    ...     return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)
    >>> res = scipy.optimize.minimize(rosen, np.zeros(3), method=optkit.scipy.lbfgs,
    ...                               options={"m": 5})
    >>> bool(res.success), np.round(res.x, 5)
    (True, array([1., 1., 1.]))
    """
    return _run_optkit("lbfgs", fun, x0, args, jac, None, bounds, constraints, callback,
                       options)


def gradient_descent(fun, x0, args=(), jac=None, hess=None, hessp=None, bounds=None,
                     constraints=(), callback=None, **options):
    """optkit's gradient descent as a SciPy custom method; see :func:`lbfgs` for the protocol.

    ``scipy.optimize.minimize(fun, x0, method=optkit.scipy.gradient_descent)``; with bounds it
    is the spectral projected gradient SPG2 (Birgin, Martínez & Raydan 2000).

    Parameters
    ----------
    fun : callable
        ``fun(x, *args) -> float``, plain numpy code.
    x0 : ndarray
        The start, as SciPy passes it.
    args : tuple, optional
        Extra arguments of ``fun`` and its derivatives.
    jac : callable or True, optional
        None: the gradient from optkit's AD; a callable, or True when ``fun`` returns
        ``(f, g)``. A finite-difference string is a ValueError.
    hess : callable, optional
        Not used.
    hessp : callable, optional
        Not used.
    bounds : scipy.optimize.Bounds or sequence, optional
        The box: SPG2.
    constraints : sequence, optional
        Must be empty.
    callback : callable, optional
        SciPy's: called with ``xk``, or with the ``OptimizeResult`` if its one parameter is
        named ``intermediate_result``; returning True or raising StopIteration stops.
    **options
        optkit's options (``tol`` sets gtol): gtol, ftol, xtol, maxiter, maxfev,
        max_time, and the solver's own fields (stepsize, linesearch, momentum, beta).

    Returns
    -------
    scipy.optimize.OptimizeResult
        optkit's result as SciPy's type (``success`` by optkit's first-order test).

    Raises
    ------
    ValueError
        Constraints, a finite-difference ``jac``, or an unknown option.

    Examples
    --------
    >>> import numpy as np, scipy.optimize
    >>> import optkit.scipy
    >>> def rosen(x):
    ...     return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)
    >>> res = scipy.optimize.minimize(lambda x: np.sum((x - 2.0) ** 2), np.zeros(3),
    ...                               method=optkit.scipy.gradient_descent,
    ...                               bounds=[(0, 1)] * 3)
    >>> bool(res.success), np.round(res.x, 5)
    (True, array([1., 1., 1.]))
    """
    return _run_optkit("gd", fun, x0, args, jac, None, bounds, constraints, callback, options)


def newton_cg(fun, x0, args=(), jac=None, hess=None, hessp=None, bounds=None, constraints=(),
              callback=None, **options):
    """optkit's Newton-CG (truncated Newton, Nocedal & Wright, Alg. 7.1/7.2) as a custom method.

    Hessian-vector products come from ``hessp``, else ``hess(x) @ p``, else optkit's AD
    (forward-over-reverse); the rest is as in :func:`lbfgs`.

    Parameters
    ----------
    fun : callable
        ``fun(x, *args) -> float``, plain numpy code.
    x0 : ndarray
        The start, as SciPy passes it.
    args : tuple, optional
        Extra arguments of ``fun`` and its derivatives.
    jac : callable or True, optional
        None: the gradient from optkit's AD; a callable, or True when ``fun`` returns
        ``(f, g)``. A finite-difference string is a ValueError.
    hess : callable, optional
        ``hess(x, *args)``, a dense Hessian, used as ``hess(x) @ p``.
    hessp : callable, optional
        ``hessp(x, p, *args)``; None: ``hess``, else optkit's AD.
    bounds : scipy.optimize.Bounds or sequence, optional
        The box: TRON (Lin & Moré 1999).
    constraints : sequence, optional
        Must be empty.
    callback : callable, optional
        SciPy's: called with ``xk``, or with the ``OptimizeResult`` if its one parameter is
        named ``intermediate_result``; returning True or raising StopIteration stops.
    **options
        optkit's options (``tol`` sets gtol): gtol, ftol, xtol, maxiter, maxfev,
        max_time, and the solver's own fields (globalization, forcing, preconditioner, ...).

    Returns
    -------
    scipy.optimize.OptimizeResult
        optkit's result as SciPy's type (``success`` by optkit's first-order test).

    Raises
    ------
    ValueError
        Constraints, a finite-difference ``jac``, or an unknown option.

    Examples
    --------
    >>> import numpy as np, scipy.optimize
    >>> import optkit.scipy
    >>> def rosen(x):
    ...     return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)
    >>> res = scipy.optimize.minimize(rosen, np.zeros(3), method=optkit.scipy.newton_cg)
    >>> bool(res.success), np.round(res.x, 5)
    (True, array([1., 1., 1.]))
    """
    if hessp is None and callable(hess):
        def hessp(x, p, *a):
            return np.asarray(hess(x, *a)) @ p
    return _run_optkit("newton-cg", fun, x0, args, jac, hessp, bounds, constraints, callback,
                       options)
