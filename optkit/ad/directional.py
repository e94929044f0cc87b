"""Forward mode and forward-over-reverse: ``jvp`` and ``hvp`` (see ``ad.api``)."""

from __future__ import annotations

import functools

import numpy as np

from .boundary import like_primal, own, plain_leaf, zeros_like
from .captured import holding
from .core import FLOAT64, Tracer, new_level
from .forward import JVPTrace, JVPTracer, tangent_of
from .gradients import gradient
from .precision import narrow_dtype, narrowed
from .replay import REPLAYS
from .tree import call, flatten_input, flatten_output
from .vspace import as_output


# ---- forward mode -----------------------------------------------------------------------
def jvp(f, x, v):
    """Return ``(f(x), J v)``: forward mode, one pass whatever the output size.

    Parameters
    ----------
    f : callable
        Plain numpy code of one argument; it may return an array or a structure of arrays.
    x : array_like, number or structure
        The point.
    v : array_like, number or structure
        The tangent, in the structure and shapes of ``x``.

    Returns
    -------
    y
        ``f(x)``.
    jv
        ``J v``, in the structure of ``f(x)``.

    Raises
    ------
    ValueError
        ``v`` does not have the shape (structure) of ``x``.
    TypeError
        A complex ``v`` for a real ``x``.

    Examples
    --------
    >>> import numpy as np, optkit
    >>> optkit.jvp(lambda x: x ** 2, np.array([1.0, 3.0]), np.array([1.0, 0.5]))
    (array([1., 9.]), array([2., 3.]))
    """
    narrow = narrow_dtype(x)
    if narrow is not None:  # computed in double precision, returned in x's (see _NARROW)
        y, t = _jvp(f, x, v)
        return narrowed(y, narrow), narrowed(t, narrow)
    return _jvp(f, x, v)


def _jvp(f, x, v):
    # deferred tangents (under a reverse trace inside f) keep plain arrays by reference:
    # read-only until the call ends (captured.holding)
    with holding():
        return _forward_pass(f, x, v)


def _forward_pass(f, x, v):
    if plain_leaf(x) and plain_leaf(v):  # the common case: one array, no structure
        if np.shape(v) != np.shape(x):
            raise ValueError(f"v must have the shape of x {np.shape(x)}, got {np.shape(v)}")
        with new_level(JVPTrace) as trace:
            out = f(trace.new_leaf(x, v))
    else:
        fx = flatten_input(x, "x")
        vs = [like_primal(p, t, "v") for p, t in zip(fx.leaves, fx.match(v, "v"), strict=True)]
        with new_level(JVPTrace) as trace:
            tracers = [trace.new_leaf(p, t) for p, t in zip(fx.leaves, vs, strict=True)]
            out = call(f, (fx.rebuild(tracers),), [(fx, x)])
    if isinstance(out, Tracer):  # one output, the common case
        y, t = (out._a, tangent_of(out)) if out._trace is trace else (out, zeros_like(out))
        return as_output(y, y), as_output(t, y)
    outs, out_def = flatten_output(out)
    ys, ts = [], []
    for o in outs:
        if own(o, trace, JVPTracer):
            y, t = o._a, tangent_of(o)
        else:
            y, t = o, zeros_like(o)
        ys.append(as_output(y, y))
        ts.append(as_output(t, y))
    return out_def.unflatten(ys), out_def.unflatten(ts)


def hvp(f, x, v):
    """Hessian-vector product ``H(x) v`` by forward-over-reverse: no dense Hessian is formed.

    One forward pass through one reverse pass (Pearlmutter 1994), about the cost of a few
    gradients whatever the dimension.

    Parameters
    ----------
    f : callable
        Plain numpy code returning one real number.
    x : array_like, number or structure
        The point.
    v : array_like, number or structure
        The direction, in the structure of ``x``.

    Returns
    -------
    ndarray, float or structure
        ``H(x) v``, in the structure of ``x``. A ``CompiledFunction`` (``optkit.compile``)
        replays its compiled program.

    Raises
    ------
    ValueError
        ``v`` does not have the shape of ``x``.
    TypeError, NotDifferentiableError
        As :func:`grad`.

    References
    ----------
    B. A. Pearlmutter, "Fast exact multiplication by the Hessian", Neural Computation 6(1),
    147-160, 1994.

    Examples
    --------
    >>> import numpy as np, optkit
    >>> optkit.hvp(lambda x: x[0] ** 2 * x[1], np.array([1.0, 2.0]), np.array([1.0, 0.0]))
    array([4., 2.])
    """
    if type(f) in REPLAYS:  # replay the compiled program
        if type(x) is np.ndarray and x.dtype is FLOAT64 and type(v) is np.ndarray:
            return f.hvp(x, v)  # a solver's call: nothing to narrow
        if not isinstance(x, Tracer) and not isinstance(v, Tracer):
            return narrowed(f.hvp(x, v), narrow_dtype(x))
    return jvp(functools.partial(gradient, f), x, v)[1]
