"""The front door: ``optkit.minimize`` fills missing derivatives from optkit.ad, then solves.

This module is where the two halves meet: ``optkit.optim`` takes plain callables and never
imports ``optkit.ad``; here the AD supplies them. It also speaks SciPy's habits (``tol``,
``options``, ``callback(xk)``) and points SciPy's method names to ``optkit.scipy``.
"""

from __future__ import annotations

import functools
import inspect
import math
import numbers
from collections.abc import Mapping

import numpy as np

from .ad import CompiledFunction, NotDifferentiableError, TracerConversionError, hvp, value_and_grad
from .ad.convexity import CONVEX_CURVATURES, curvature, is_convex
from .ad.core import FLOAT64
from .boundary import as_start, flat_bounds
from .methods import OPTKIT_METHODS, SCIPY_METHODS
from .optim import solve
from .optim.bounds import Bounds, as_bounds
from .optim.objective import check_scalar
from .optim.solvers import METHODS
from .optim.start import check_x0

__all__ = ["ad_derivatives", "explain_ad_failure", "minimize", "takes_intermediate_result"]

# Calls of the value and gradient made eagerly before they are compiled (tiered compilation):
# a solve that ends within them never pays for tracing and code generation (issue 17).
COMPILE_WARMUP = 5


_AD_FAILURES = (NotDifferentiableError, TracerConversionError)


def _explained(exc):
    """``exc`` again, its message saying how to bypass the AD (``explain_ad_failure``)."""
    return type(exc)(f"{exc} (while differentiating the objective with optkit's AD; pass jac= "
                     "(and hessp=) explicitly to bypass AD)")


def explain_ad_failure(fn):
    """Re-raise AD failures with the way around them: hand-written derivatives."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except _AD_FAILURES as exc:
            raise _explained(exc) from exc

    return wrapper


def ad_derivatives(fun, args=()):
    """``(fun_and_jac, hessp)`` for ``fun(x, *args)``, from reverse mode and forward-over-reverse.

    Value and gradient come from one reverse pass; ``hessp(x, p, *args)`` never forms a Hessian.
    Nothing is evaluated until one of them is called. For a ``CompiledFunction`` whose HVP
    program exists, the value and gradient at a plain vector come from that program's part
    that reads x alone, which keeps its work for the products at x that follow
    (``CompiledFunction.value_and_grad_for_hvp``: a truncated Newton step evaluates g at x,
    then asks for products there). AD failures are explained as by ``explain_ad_failure``,
    caught in the two callables themselves (a solver calls them once per evaluation and per
    product: no wrapper around them), and a ``CompiledFunction``'s products at float64
    arrays go to its ``hvp`` directly (what ``optkit.hvp`` does for them).
    """
    vg = value_and_grad(fun)
    compiled = isinstance(fun, CompiledFunction)
    shared = fun.value_and_grad_for_hvp if compiled else None
    product = fun.hvp if compiled else None

    def fun_and_jac(x, *a):
        try:
            if shared is not None and not a and type(x) is np.ndarray and x.dtype is FLOAT64:
                return shared(x)
            return vg(x, *a)
        except _AD_FAILURES as exc:
            raise _explained(exc) from exc

    def hessp(x, p, *a):
        try:
            if a:
                return hvp(lambda z: fun(z, *a), x, p)
            if (product is not None and type(x) is np.ndarray and x.dtype is FLOAT64
                    and type(p) is np.ndarray):  # optkit.hvp's own fast path, one call less
                return product(x, p)
            return hvp(fun, x, p)
        except _AD_FAILURES as exc:
            raise _explained(exc) from exc

    return fun_and_jac, hessp


def takes_intermediate_result(callback) -> bool:
    """SciPy's rule: a callback whose only parameter is named ``intermediate_result`` is given
    the OptimizeResult (as that keyword); any other callback is given ``xk``."""
    try:
        params = inspect.signature(callback).parameters
    except (TypeError, ValueError):  # a builtin without a signature: the plain xk style
        return False
    return set(params) == {"intermediate_result"}


def _refuse_complex_start(x0):
    """optkit.minimize works over real parameters; a complex x0 is a TypeError (the AD
    differentiates complex intermediates, but a solver's steps and tests are real)."""
    if isinstance(x0, complex) or getattr(getattr(x0, "dtype", None), "kind", "") == "c":
        raise TypeError("x0 is complex; optkit.minimize works over real parameters. Optimize "
                        "the real and imaginary parts as separate real parameters, e.g. "
                        "x0 = np.concatenate([z0.real, z0.imag]) and z = x[:n] + 1j * x[n:] "
                        "inside fun (complex intermediates are differentiated exactly)")


def minimize(fun, x0, method="lbfgs", *, jac=None, hessp=None, hess=None, args=(),
             callback=None, flat_callback=False, tol=None, options=None,
             compile=True,  # noqa: A002 - as optkit.compile
             **kwargs):
    """Minimize ``fun(x, *args)`` from ``x0`` with optkit's solvers; derivatives default to AD.

    Parameters
    ----------
    fun : callable
        ``fun(x, *args) -> float``, written with numpy. It must return one number (a float or
        0-d array); anything else (None, an array of shape (1,)) is a TypeError naming what
        it returned.
    x0 : array_like or parameter structure
        The start; f and its gradient must be finite there. A vector (a 1-D array, a number,
        or a list or tuple of numbers, read as SciPy reads them), or a parameter structure: a
        dict, list, tuple, namedtuple or dataclass of arrays, or an array of any shape (see
        ``optkit.tree``; a list holding an array is a structure, not a stacked array). A
        structure is raveled once (``optkit.tree.ravel``); the solver works on the flat
        vector, and ``fun``, ``jac``, ``hessp`` and ``hess`` receive the structure (each leaf
        a view of the solver's vector: do not write into it). Integer leaves become float64;
        any other non-real leaf is a TypeError naming its path (``x0['w'][0]: dtype object``).
    method : str or solver, optional
        ``"lbfgs"`` (default), ``"newton-cg"``, ``"gd"`` (any case) or a solver instance such
        as ``optkit.optim.LBFGS(m=5)``. A ``scipy.optimize`` name such as ``"L-BFGS-B"`` is a
        ValueError pointing to ``optkit.scipy.minimize``.
    jac : callable or True, optional
        A hand-written gradient ``jac(x, *args)``, or True when ``fun`` returns ``(f, g)``;
        with a structured ``x0`` the gradient is given in the same structure.
        Either bypasses AD: ``fun`` and ``jac`` are then called with plain arrays and nothing
        is traced, unless the method needs an AD Hessian-vector product. None (default): the
        value and gradient come from one reverse-mode pass.
    hessp : callable, optional
        ``hessp(x, p, *args)``, the Hessian times p, for newton-cg. Default: ``optkit.hvp``
        (forward-over-reverse), evaluated only when the method asks for it. When every
        derivative comes from AD (no ``jac``, ``hessp`` or ``hess``), newton-cg asks once
        whether f's trace proves it convex (``optkit.ad.convexity``: disciplined convex
        programming, sound but not complete); if so it skips its saddle check, and the
        result has ``second_order_check = 'skipped: f proven convex'``.
    hess : callable, optional
        ``hess(x, *args)``, a dense Hessian, used as ``hess(x) @ p`` (not with ``hessp``);
        with a structured ``x0``, the (n, n) Hessian of the raveled vector.
    args : tuple, optional
        Extra arguments passed to ``fun``, ``jac``, ``hessp`` and ``hess`` after x.
    callback : callable, optional
        Runs after each iteration, called as SciPy calls it: with the ``OptimizeResult`` if
        its only parameter is named ``intermediate_result``, else with ``xk`` (a copy of the
        current point). Returning True or raising StopIteration stops the solve (status
        "stopped by the callback", a success: you asked for it). With a structured ``x0``,
        ``xk`` and the result's ``x`` and ``jac`` are in ``x0``'s structure.
    flat_callback : bool, optional
        True: the callback sees the solver's flat vectors instead (``optkit.tree.ravel``
        order), as the solver does; no structure is rebuilt per iteration. Default False.
        (The ``history`` rows hold numbers only, the same for every ``x0``.)
    tol : float, optional
        Sets gtol, as SciPy's ``tol`` does (a different gtol as well is a ValueError).
    options : dict, optional
        Options SciPy's way; merged with ``**kwargs`` (a name in both is a TypeError).
    compile : bool, optional
        True (default): the AD derivatives run through ``optkit.compile``: the objective is
        traced once and its value+gradient and HVP programs are replayed: the value and
        gradient after their first ``COMPILE_WARMUP`` (5) calls, made eagerly (a solve that
        ends within them never pays for tracing), HVPs from the first. A function whose
        trace depends on values (``if`` on a traced value, ``float()``, random numbers)
        falls back to eager AD with a one-time ``optkit.CompileWarning``. False: eager AD.
    **kwargs
        ``bounds`` (where the solver takes them): a ``scipy.optimize.Bounds``, (lo, hi)
        pairs (None or +-inf for a missing side) or ``optkit.Bounds``; with a structured
        ``x0`` also ``optkit.Bounds(lb, ub)`` whose sides match ``x0``'s structure (None, or
        at each path a number broadcast over that leaf, or an array of its shape). f is
        never evaluated outside the box; an ``x0`` outside it is projected (one warning
        naming how many components moved); the result's ``x`` lies in the box exactly and
        ``active_mask`` (flat) is -1 at a lower bound, +1 at an upper, 0 free. Also
        the driver's stopping options (gtol, ftol, xtol, maxiter, maxfev, max_time, history;
        see :func:`optkit.optim.run`) and the solver's own fields (``m=20`` for L-BFGS, ...).

    Returns
    -------
    OptimizeResult
        With SciPy's field names (x, fun, jac, nit, nfev, njev, nhev, status, success,
        message) plus status_enum, method, time and history. ``success`` is True only when
        the gradient test holds or a stop you asked for (ftol, xtol) fired. ``x`` and
        ``jac`` have ``x0``'s structure (a plain vector start gives 1-D arrays).

    Raises
    ------
    ValueError
        For an unknown method or option (naming the closest valid one), an option out of
        range, a SciPy method name, or a non-finite f or gradient at ``x0``.
    TypeError
        For a ``fun`` that is not callable or does not return one number, or an option given
        twice.
    optkit.NotDifferentiableError, optkit.TracerConversionError
        When the AD cannot differentiate ``fun``; the message says to pass ``jac=`` (and
        ``hessp=``) to bypass it.

    Examples
    --------
    >>> import numpy as np
    >>> import optkit
    >>> def rosenbrock(x):
    ...     return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)
    >>> res = optkit.minimize(rosenbrock, np.zeros(5))
    >>> bool(res.success), np.round(res.x, 4)
    (True, array([1., 1., 1., 1., 1.]))
    >>> res = optkit.minimize(rosenbrock, np.zeros(5), "newton-cg", gtol=1e-8)
    >>> res.message
    'gradient norm below gtol'

    A structure of parameters comes back in its structure:

    >>> res = optkit.minimize(lambda p: np.sum((p["w"] - 1.0) ** 2) + (p["b"] + 2.0) ** 2,
    ...                       {"w": np.zeros(3), "b": 0.0})
    >>> np.round(res.x["w"], 6), np.round(res.x["b"], 6)
    (array([1., 1., 1.]), np.float64(-2.0))
    """
    kwargs = _merge_options(options, kwargs)
    if tol is not None:
        _set_gtol_from_tol(tol, kwargs)
    _refuse_scipy_method(method)
    args = args if isinstance(args, tuple) else (args,)
    if not isinstance(flat_callback, bool):
        raise TypeError(f"flat_callback must be True or False, got {flat_callback!r}")
    _refuse_complex_start(x0)
    start = as_start(x0)
    hessp = _hessp_from_hess(hess, hessp, start)
    if args:  # bound once here, so the AD's callables and the user's take the same x alone
        fun, jac, hessp = _bind_args(fun, jac, hessp, args)
    if not callable(fun):
        raise TypeError(f"fun must be callable, got {type(fun).__name__}")
    fun = _differentiable_equivalent(fun)

    ad_gradient = jac is None or jac is False
    # every derivative from the AD of f: f's trace is then all there is, and may prove it convex
    derived = ad_gradient and hessp is None
    target = _scalar_valued(fun, returns_pair=jac is True)
    if compile and (ad_gradient or hessp is None):
        target = CompiledFunction(target, warmup=COMPILE_WARMUP)
    convex = _convexity_proof(target, start) if derived else False
    ad_fun_and_jac, ad_hessp = ad_derivatives(target)
    if isinstance(target, CompiledFunction) and hessp is None and _needs_hessp(method):
        target.expect_products()  # its first value and gradient kept for the HVP's staging
    if ad_gradient:
        fun, jac, fun_and_jac = target, None, ad_fun_and_jac
    else:  # the user's fun and jac, called with plain arrays
        fun_and_jac = None
    if hessp is None:
        hessp = ad_hessp  # evaluated only if the method asks for it
    if start.structured:  # the solver sees the raveled vector; fun and the rest the structure
        fun, jac, fun_and_jac, hessp = _flat_callables(start, fun, jac, fun_and_jac, hessp,
                                                       ad_hessp)
        flat = flat_bounds(kwargs.get("bounds"), start)
        if flat is not None:
            kwargs["bounds"] = Bounds(*flat)
    res = solve(fun, start.x, method, jac=jac, hessp=hessp, fun_and_jac=fun_and_jac,
                callback=_driver_callback(callback, None if flat_callback else start),
                convex=convex, **kwargs)
    box = as_bounds(kwargs.get("bounds"), np.size(res["x"]))
    if box is not None:  # as scipy.optimize.least_squares: -1 at lb, +1 at ub, 0 free (flat)
        res["active_mask"] = box.active_mask(res["x"])
    if start.structured:
        res["x"], res["jac"] = start.tree(res["x"]), start.tree(res["jac"])
    return res


def _needs_hessp(method):
    """True if ``method`` (a name or a solver instance) asks for Hessian-vector products."""
    cls = METHODS.get(method.lower()) if isinstance(method, str) else type(method)
    return bool(getattr(cls, "needs_hessp", False))


def _convexity_proof(fun, start):
    """The deferred proof that ``fun`` is convex (``Objective(convex=...)``): f's program
    analysed by disciplined convex programming (``optkit.ad.convexity``), on the flat vector
    the solver holds. Run only if a solver asks (newton-cg, where its saddle check would run).
    A compiled f of a flat x that has compiled a derivative program by then has a checked
    recording of f (``CompiledFunction.checked_recording``): one pass over it; otherwise f is
    traced twice at x0 (``is_convex``)."""
    flat_fun = start.value(fun)

    def proof():
        x0 = check_x0(start.x)
        if isinstance(fun, CompiledFunction) and not start.structured:
            recording = fun.checked_recording(x0)
            if recording is not None:  # arrays its products proved finite are not read again
                return curvature(recording, finite=fun.finite_constants()) in CONVEX_CURVATURES
        return is_convex(flat_fun, x0)

    return proof


def _flat_callables(start, fun, jac, fun_and_jac, hessp, ad_hessp):
    """The solver's callables on the raveled vector, from the ones on x0's structure."""
    if fun_and_jac is not None:  # AD's value and gradient, in the structure: ravel g
        fun, fun_and_jac = start.value(fun), start.value_and_gradient(fun_and_jac)
    elif jac is True:
        fun = start.pair(fun)
    else:
        fun, jac = start.value(fun), start.gradient(jac)
    return fun, jac, fun_and_jac, start.product(hessp, trusted=hessp is ad_hessp)


# ---- SciPy's habits ---------------------------------------------------------------------------
def _rosen(x):
    """``scipy.optimize.rosen`` (Rosenbrock 1960), written with numpy operations AD can trace."""
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2, axis=0)


# SciPy's test objectives convert their input (np.asarray / array_namespace), so AD cannot
# trace them; they are recognised by module and name (scipy.optimize is imported only by
# optkit.scipy) and replaced by an equivalent with the same values.
_SCIPY_OBJECTIVES = {("scipy.optimize", "rosen"): _rosen}


def _differentiable_equivalent(fun):
    """``fun``, or the traceable equivalent of a known SciPy objective."""
    module = getattr(fun, "__module__", None) or ""
    if module.startswith("scipy.optimize"):
        return _SCIPY_OBJECTIVES.get(("scipy.optimize", getattr(fun, "__name__", "")), fun)
    return fun


def _merge_options(options, keywords):
    """``options={...}`` merged into the keyword options; a name given both ways is an error."""
    if options is None:
        return keywords
    if not isinstance(options, Mapping):
        raise TypeError(f"options must be a dict or None, got {type(options).__name__}")
    both = sorted(set(options) & set(keywords))
    if both:
        raise TypeError(f"options: {both[0]!r} is given both as a keyword argument and in "
                        "options=; pass it once")
    return {**options, **keywords}


def _set_gtol_from_tol(tol, options):
    """SciPy's ``tol``: here the gradient tolerance gtol (||g||_inf <= tol)."""
    if (isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not math.isfinite(tol)
            or tol < 0):
        raise ValueError(f"tol must be a finite number >= 0 (it sets gtol), got {tol!r}")
    if "gtol" in options and options["gtol"] != tol:
        raise ValueError(f"tol={tol!r} and gtol={options['gtol']!r} disagree; tol sets gtol, "
                         "so pass only one of them")
    options["gtol"] = tol


def _refuse_scipy_method(method):
    """A SciPy method name that optkit lacks is an error pointing to ``optkit.scipy.minimize``."""
    if not isinstance(method, str):
        return
    key = method.lower()
    if key in SCIPY_METHODS and key not in OPTKIT_METHODS:
        raise ValueError(
            f"method: {method!r} is a scipy.optimize method; optkit.minimize runs optkit's own "
            f"solvers {list(OPTKIT_METHODS)}. For SciPy's {method!r} with optkit's derivatives, "
            f"call optkit.scipy.minimize(fun, x0, method={method!r})")


def _driver_callback(callback, start=None):
    """The user's callback as the driver calls it (with the result), following SciPy's rule;
    with a structured ``start``, x and jac are rebuilt in its structure first."""
    if callback is None:
        return None
    if not callable(callback):
        raise TypeError(f"callback must be callable or None, got {type(callback).__name__}")
    if start is not None and start.structured:
        rebuild = start.tree

        def structured(result):  # the driver's result is fresh: its x and jac can be replaced
            result["x"], result["jac"] = rebuild(result["x"]), rebuild(result["jac"])
            return result
    else:
        def structured(result):
            return result
    if takes_intermediate_result(callback):
        return lambda result: callback(intermediate_result=structured(result))
    return lambda result: callback(structured(result)["x"])  # x is a fresh copy


# ---- the objective as the solver and the AD see it -------------------------------------------
def _hessp_from_hess(hess, hessp, start):
    """``hessp(x, p, *args)`` from a dense ``hess(x, *args)``; both given is an error. With a
    structured ``start``, x and p are structures and ``hess`` is over the raveled vector."""
    if hess is None:
        return hessp
    if hessp is not None:
        raise ValueError("hess, hessp: pass one of them, not both")
    if not callable(hess):
        raise TypeError(f"hess must be callable or None, got {type(hess).__name__}")

    def hessp_from_hess(x, p, *a):
        H = np.asarray(hess(x, *a), dtype=np.float64)
        if not start.structured:
            return H @ p
        n = start.size
        if H.size != n * n:
            raise ValueError(f"hess must return the ({n}, {n}) Hessian of the raveled x0 "
                             f"(optkit.tree.ravel order), got shape {H.shape}")
        return start.tree(H.reshape(n, n) @ start.flat_trusted(p))

    return hessp_from_hess


def _bind_args(fun, jac, hessp, args):
    """``fun``, ``jac`` and ``hessp`` with ``args`` bound after x (and p)."""
    def bind(f):
        if not callable(f):
            return f

        @functools.wraps(f)
        def bound(x):
            return f(x, *args)

        return bound

    def hessp_bound(x, p):
        return hessp(x, p, *args)

    return bind(fun), bind(jac), hessp_bound if callable(hessp) else hessp


def _scalar_valued(fun, *, returns_pair):
    """The function the AD differentiates: ``fun``'s value (the first of its pair when it
    returns ``(f, g)``), refused with an error naming what ``fun`` returned unless a scalar."""
    @functools.wraps(fun)
    def scalar_fun(x):
        out = fun(x)
        if returns_pair:
            try:
                out, _ = out
            except (TypeError, ValueError) as exc:
                raise TypeError("fun (with jac=True) must return a pair (f, g)") from exc
        return check_scalar(out, "fun")

    return scalar_fun
