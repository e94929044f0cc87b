"""The user-facing transformations, named and shaped as in JAX.

``grad``, ``value_and_grad`` and ``vjp`` run reverse mode; ``jvp`` runs forward mode; ``hvp`` is
forward-over-reverse (Pearlmutter 1994); ``jacfwd``/``jacrev`` build dense Jacobians one column
or one row at a time, and ``jacobian`` picks the cheaper of the two from the shapes.

Inputs may be Python numbers, lists or arrays of any shape; integers become float64. Plain
inputs give plain outputs (numpy arrays, or Python floats for scalars); tracer inputs (a
derivative of a derivative) give tracers back, which is what lets the transformations nest.
"""

from __future__ import annotations

import functools
import numbers

import numpy as np

from .core import Tracer, new_level
from .forward import JVPTrace, JVPTracer
from .reverse import ReverseTrace, ReverseTracer, backward

__all__ = ["grad", "value_and_grad", "vjp", "jvp", "hvp", "hessian", "jacfwd", "jacrev",
           "jacobian"]


_REPLAYS = set()  # function types with their own compiled derivatives (register_replay)


def register_replay(cls):
    """Register a function type whose instances replay compiled derivative programs.

    For an instance ``f`` of ``cls`` and plain (untraced) inputs, ``value_and_grad(f)(x)``
    calls ``f.value_and_grad(x)`` and ``hvp(f, x, v)`` calls ``f.hvp(x, v)``; other
    transformations, and traced inputs, evaluate ``f`` eagerly. ``optkit.compile`` registers
    its ``CompiledFunction`` here, so this module never imports the compiler.
    """
    _REPLAYS.add(cls)
    return cls


# ---- inputs and outputs ------------------------------------------------------------------
def _as_input(x, name="x"):
    """Validate a primal or tangent: a traced value, a real number, or an array of them."""
    if type(x) is np.ndarray and x.dtype == np.float64:  # the common case, nothing to do
        return x
    if isinstance(x, Tracer):
        return x
    if isinstance(x, (bool, np.bool_)):
        raise TypeError(f"{name} must be a real number or array of real numbers, not a bool")
    if isinstance(x, numbers.Real):
        return np.float64(x)
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError) as exc:
        raise TypeError(f"{name} must be a real number or array of real numbers: {exc}") from None
    if arr.dtype.kind in "iuf":
        return arr.astype(np.float64, copy=False)
    if arr.dtype.kind == "b":
        raise TypeError(f"{name} must be a real array, not a boolean array")
    raise TypeError(
        f"{name} must be a real number or array of real numbers, got {type(x).__name__}"
        + (f" with dtype {arr.dtype}" if hasattr(arr, "dtype") else "")
    )


def _as_output(value, like):
    """Plain results leave as float (for scalar inputs/outputs) or float64 arrays."""
    if type(value) is np.ndarray and value.ndim and value.dtype == np.float64 \
            and value.flags.writeable:  # the common case, nothing to do
        return value
    if isinstance(value, Tracer):
        return value
    if like is None and type(value) in (float, np.float64):  # a scalar loss
        return float(value)
    if np.ndim(value) == 0 and (like is None or np.ndim(like) == 0):
        return float(value)
    out = np.asarray(value, dtype=np.float64)
    if not out.flags.writeable:  # a broadcast view from a rule (sum's VJP): give a real array
        out = out.copy()
    return out


def _zeros_like(x):
    if isinstance(x, Tracer):
        return np.zeros_like(x) * 0.0
    return np.zeros(np.shape(x))


def _own(out, trace, cls):
    return isinstance(out, cls) and out._trace is trace


# ---- reverse mode -----------------------------------------------------------------------
def _record(f, args, argnums):
    """Run ``f`` with the ``argnums`` arguments traced; return (trace, out, leaf nodes)."""
    args = list(args)
    with new_level(ReverseTrace) as trace:
        leaves = []
        for i in argnums:
            args[i] = trace.new_leaf(_as_input(args[i], f"argument {i}"))
            leaves.append(args[i]._b)
        out = f(*args)
    return trace, out, leaves


def _argnums(argnums, nargs):
    nums = (argnums,) if isinstance(argnums, int) else argnums
    if not isinstance(nums, (tuple, list)) or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in nums):
        raise TypeError(f"argnums must be an int or a tuple of ints, got {argnums!r}")
    for i in nums:
        if not -nargs <= i < nargs:
            raise ValueError(
                f"argnums={argnums!r} is out of range for {nargs} positional arguments")
    return tuple(i % nargs for i in nums)


def _without_trace(aux, trace):
    """``aux`` with this trace's tracers replaced by their values (tuples, lists, dicts too)."""
    if isinstance(aux, Tracer):
        if aux._trace is trace:
            return _as_output(aux._a, aux._a)
        return aux
    if isinstance(aux, (tuple, list)):
        items = [_without_trace(a, trace) for a in aux]
        return type(aux)(items) if not hasattr(aux, "_fields") else type(aux)(*items)
    if isinstance(aux, dict):
        return {k: _without_trace(v, trace) for k, v in aux.items()}
    return aux


def value_and_grad(f, argnums=0, has_aux=False):
    """Return ``g(*args) -> (f(*args), gradient)`` for scalar-valued ``f``, in one reverse pass.

    ``argnums`` (int or tuple of ints) picks the differentiated positional arguments; with a
    tuple the gradient is a tuple too. ``has_aux=True``: ``f`` returns ``(value, aux)``, where
    ``aux`` (any values: arrays, tuples, lists, dicts of them) is carried out undifferentiated,
    and ``g`` returns ``((value, aux), gradient)``, as in JAX.
    """
    if not isinstance(has_aux, bool):
        raise TypeError(f"has_aux must be True or False, got {has_aux!r}")
    compiled = type(f) in _REPLAYS and argnums == 0 and not has_aux

    @functools.wraps(f)
    def value_and_grad_f(*args, **kwargs):
        if compiled and len(args) == 1 and not kwargs and not isinstance(args[0], Tracer):
            return f.value_and_grad(args[0])  # replay the compiled program (optkit.compile)
        return _value_and_grad(f, args, kwargs, argnums, has_aux)

    return value_and_grad_f


def _value_and_grad(f, args, kwargs, argnums, has_aux):
    """One reverse pass: ``value_and_grad(f, argnums, has_aux)(*args, **kwargs)``."""
    if type(argnums) is int and argnums == 0 and args:
        nums = (0,)
    else:
        nums = _argnums(argnums, len(args))
    fk = functools.partial(f, **kwargs) if kwargs else f
    trace, out, leaves = _record(fk, args, nums)
    if has_aux:
        if not (isinstance(out, (tuple, list)) and len(out) == 2):
            raise TypeError(
                f"has_aux=True: {_name(f)} must return a pair (value, aux), got "
                f"{type(out).__name__}"
            )
        out, aux = out
        aux = _without_trace(aux, trace)
    shape = out.shape if isinstance(out, Tracer) else np.shape(out)
    if shape != ():
        raise TypeError(
            f"grad requires a scalar-valued function, but {_name(f)} returned shape "
            f"{shape}; use optkit.vjp or optkit.jacobian for vector outputs"
        )
    if _own(out, trace, ReverseTracer):
        value = out._a
        cts = backward(trace, out._b, 1.0, leaves)
    else:
        value = out
        cts = [None] * len(leaves)
    grads = tuple(
        _as_output(_zeros_like(args[i]) if ct is None else ct, args[i])
        for ct, i in zip(cts, nums, strict=True)
    )
    value = _as_output(value, None)
    grads = grads[0] if isinstance(argnums, int) else grads
    return ((value, aux), grads) if has_aux else (value, grads)


def _gradient(f, x):
    """``grad(f)(x)`` without building the wrapper functions (hvp calls it once per product)."""
    return _value_and_grad(f, (x,), {}, 0, False)[1]


def grad(f, argnums=0, has_aux=False):
    """Return ``g(*args) -> gradient of f`` (reverse mode); ``f`` must return a scalar.

    With ``has_aux=True``, ``f`` returns ``(value, aux)`` and ``g`` returns ``(gradient, aux)``.
    """
    vg = value_and_grad(f, argnums, has_aux)

    @functools.wraps(f)
    def grad_f(*args, **kwargs):
        if has_aux:
            (_, aux), g = vg(*args, **kwargs)
            return g, aux
        return vg(*args, **kwargs)[1]

    return grad_f


def vjp(f, x):
    """Return ``(f(x), pullback)`` with ``pullback(u) = u^T J``; the pullback may be reused."""
    x = _as_input(x)
    trace, out, leaves = _record(f, (x,), (0,))
    owned = _own(out, trace, ReverseTracer)
    y = out._a if owned else out
    tape = list(trace.tape)

    def pullback(u):
        u = _as_input(u, "u")
        if np.shape(u) != np.shape(y):
            raise ValueError(f"u must have the output's shape {np.shape(y)}, got {np.shape(u)}")
        if not owned:
            return _as_output(_zeros_like(x), x)
        trace.tape = list(tape)
        (ct,) = backward(trace, out._b, u, leaves, keep=True)
        return _as_output(_zeros_like(x) if ct is None else ct, x)

    return _as_output(y, None if np.ndim(y) == 0 else y), pullback


# ---- forward mode -----------------------------------------------------------------------
def jvp(f, x, v):
    """Return ``(f(x), J v)``: forward mode, one pass whatever the output size."""
    x = _as_input(x)
    v = _as_input(v, "v")
    if np.shape(v) != np.shape(x):
        raise ValueError(f"v must have the shape of x {np.shape(x)}, got {np.shape(v)}")
    with new_level(JVPTrace) as trace:
        out = f(JVPTracer(trace, x, v))
    if _own(out, trace, JVPTracer):
        y, t = out._a, out._b
    else:
        y, t = out, _zeros_like(out)
    return _as_output(y, y), _as_output(t, y)


def hvp(f, x, v):
    """Hessian-vector product ``H(x) v`` by forward-over-reverse: no dense Hessian is formed."""
    if type(f) in _REPLAYS and not isinstance(x, Tracer) and not isinstance(v, Tracer):
        return f.hvp(x, v)  # replay the compiled program (optkit.compile)
    return jvp(functools.partial(_gradient, f), x, v)[1]


# ---- dense Jacobians ----------------------------------------------------------------------
def _basis(shape):
    n = int(np.prod(shape))
    for k in range(n):
        e = np.zeros(n)
        e[k] = 1.0
        yield e.reshape(shape)


def jacfwd(f):
    """Dense Jacobian by forward mode, one JVP per input entry; shape out.shape + x.shape."""

    @functools.wraps(f)
    def jac(x):
        x = _as_input(x)
        cols = [jvp(f, x, e)[1] for e in _basis(np.shape(x))]
        y_shape = np.shape(cols[0]) if cols else np.shape(f(x))
        if isinstance(x, Tracer) or any(isinstance(c, Tracer) for c in cols):
            J = np.stack([np.reshape(c, (-1,)) if np.ndim(c) else np.reshape(c, (1,))
                          for c in cols], axis=-1)
            return np.reshape(J, y_shape + np.shape(x))
        J = np.stack([np.reshape(c, -1) for c in cols], axis=-1) if cols else np.zeros((0, 0))
        return _as_output(J.reshape(y_shape + np.shape(x)), None)

    return jac


def jacrev(f):
    """Dense Jacobian by reverse mode, one VJP per output entry; shape out.shape + x.shape."""

    @functools.wraps(f)
    def jac(x):
        x = _as_input(x)
        return _rows(x, *vjp(f, x))

    return jac


def _rows(x, y, pullback):
    rows = [pullback(e) for e in _basis(np.shape(y))]
    shape = np.shape(y) + np.shape(x)
    if isinstance(x, Tracer) or any(isinstance(r, Tracer) for r in rows):
        return np.reshape(np.stack(rows, axis=0), shape)
    return _as_output(np.asarray(rows, dtype=float).reshape(shape), None)


def jacobian(f):
    """Dense Jacobian, by forward mode when outputs outnumber inputs, else by reverse mode.

    Forward mode costs one pass per input, reverse mode one per output.
    """

    @functools.wraps(f)
    def jac(x):
        x = _as_input(x)
        y, pullback = vjp(f, x)
        if np.size(y) > np.size(x):
            return jacfwd(f)(x)
        return _rows(x, y, pullback)

    return jac


def hessian(f):
    """Dense Hessian by forward-over-reverse: ``jacfwd(grad(f))``."""
    return jacfwd(grad(f))


def _name(f):
    return getattr(f, "__name__", repr(f))
