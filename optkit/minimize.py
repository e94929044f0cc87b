"""The front door: ``optkit.minimize`` fills missing derivatives from optkit.ad, then solves.

This module is where the two halves meet: ``optkit.optim`` takes plain callables and never
imports ``optkit.ad``; here the AD supplies them.
"""

from __future__ import annotations

import functools

from .ad import NotDifferentiableError, TracerConversionError, hvp, value_and_grad
from .ad import compile as compile_function
from .optim import solve

__all__ = ["minimize", "ad_derivatives"]


def _explain_ad_failure(fn):
    """Re-raise AD failures with the way around them: hand-written derivatives."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (NotDifferentiableError, TracerConversionError) as exc:
            raise type(exc)(
                f"{exc} (while differentiating the objective with optkit's AD; pass jac= "
                "(and hessp=) explicitly to bypass AD)"
            ) from exc

    return wrapper


def ad_derivatives(fun, args=()):
    """``(fun_and_jac, hessp)`` for ``fun(x, *args)``, from reverse mode and forward-over-reverse.

    Value and gradient come from one reverse pass; ``hessp(x, p, *args)`` never forms a Hessian.
    """
    vg = value_and_grad(fun)

    @_explain_ad_failure
    def fun_and_jac(x, *a):
        return vg(x, *a)

    @_explain_ad_failure
    def hessp(x, p, *a):
        return hvp(lambda z: fun(z, *a), x, p) if a else hvp(fun, x, p)

    return fun_and_jac, hessp


def minimize(fun, x0, method="lbfgs", *, jac=None, hessp=None, args=(), callback=None,
             compile=True, **options):  # noqa: A002 - `compile` mirrors optkit.compile
    """Minimize ``fun(x, *args)`` from ``x0`` with optkit's solvers; derivatives default to AD.

    ``method`` is ``"lbfgs"`` (default), ``"newton-cg"``, ``"gd"`` or a solver instance such as
    ``optkit.optim.LBFGS(m=5)``. When ``jac`` is None the value and gradient come from one
    reverse-mode pass; when ``hessp`` is None Hessian-vector products come from
    ``optkit.hvp``. Hand-written ``jac`` (or ``jac=True`` if ``fun`` returns ``(f, g)``) and
    ``hessp`` bypass AD, for objectives it cannot trace. ``options`` are the driver's stopping
    options (gtol, ftol, xtol, maxiter, maxfev, max_time, history) and the solver's own fields.

    ``compile=True`` (the default) runs the AD derivatives through ``optkit.compile``: the
    objective is traced once and its value+gradient and HVP programs are replayed; a function
    whose trace depends on values (``if`` on a traced value, ``float()``, random numbers) falls
    back to eager AD with a one-time ``optkit.CompileWarning``. ``compile=False`` turns it off.
    Returns an ``OptimizeResult`` with SciPy's field names.
    """
    if not isinstance(args, tuple):
        args = (args,)
    if compile and (jac is None or hessp is None):
        # the compiled closure holds the extra arguments, so the solver passes none
        fun = compile_function(functools.partial(_with_args, fun, args) if args else fun)
        args = ()
    ad_fun_and_jac, ad_hessp = ad_derivatives(fun, args)
    fun_and_jac = ad_fun_and_jac if jac is None else None
    if hessp is None:
        hessp = ad_hessp
    return solve(fun, x0, method, jac=jac, hessp=hessp, fun_and_jac=fun_and_jac, args=args,
                 callback=callback, **options)


def _with_args(fun, args, x):
    return fun(x, *args)
