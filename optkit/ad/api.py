"""The user-facing transformations, named and shaped as in JAX.

``grad``, ``value_and_grad`` and ``vjp`` run reverse mode; ``jvp`` runs forward mode; ``hvp`` is
forward-over-reverse (Pearlmutter 1994); ``jacfwd``/``jacrev`` build dense Jacobians one column
or one row at a time, and ``jacobian`` picks the cheaper of the two from the shapes.

Inputs may be Python numbers, arrays of any shape, or *structures* of them: dicts, lists,
tuples, namedtuples and dataclasses, nested (``optkit.tree``; JAX's pytree conventions, so a
list is a container, not an array). Integers become float64. Derivatives come back in the
structure of the input, each leaf with its own shape and dtype (``ad.tree``, ``ad.vspace``).
Plain inputs give plain outputs (numpy arrays, or Python floats for scalars); tracer inputs (a
derivative of a derivative) give tracers back, which is what lets the transformations nest.

Complex inputs, intermediates and outputs follow JAX's conventions (``vspace`` states them):
``grad`` of a real-valued ``f(z)`` is ``df/dx - i df/dy``; ``holomorphic=True`` (in ``grad``,
``value_and_grad``, ``jacfwd``, ``jacrev``, ``jacobian`` and ``hessian``) differentiates a
holomorphic ``f`` of complex inputs and gives ``f'(z)``. As in JAX, ``grad`` and ``jacrev``
refuse a complex output and ``jacfwd`` a complex input without it (``jvp``/``vjp`` take any).
"""

from __future__ import annotations

import functools

import numpy as np

from .core import Tracer, is_complex, new_level, value_of
from .forward import JVPTrace, JVPTracer
from .reverse import ReverseTrace, ReverseTracer, backward
from .tree import FlatFun, Raveler, call, flatten_input, flatten_output, is_leaf_def
from .vspace import COMPLEX_DTYPE, TRACE_DTYPE, as_input, as_output, tangent_zeros

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
    """One array or number, validated and converted to the traced dtype (``vspace.as_input``)."""
    return as_input(x, name)


def _zeros_like(x):
    if isinstance(x, Tracer):
        return np.zeros_like(x) * 0.0
    return tangent_zeros(x)


def _plain_leaf(x):
    """A float64 ndarray or a traced value: an input with no structure to take apart."""
    return (type(x) is np.ndarray and x.dtype is TRACE_DTYPE) or isinstance(x, Tracer)


def _own(out, trace, cls):
    return isinstance(out, cls) and out._trace is trace


# ---- reverse mode -----------------------------------------------------------------------
def _record(f, args, argnums):
    """Run ``f`` with the ``argnums`` arguments traced; return (trace, out, leaf nodes, flats).

    ``flats`` holds one ``(Flat, original argument)`` pair per differentiated argument; the
    Flat is None for a plain float64 array, the common case, which skips the structure.
    """
    args = list(args)
    flats = []
    nodes = []
    with new_level(ReverseTrace) as trace:
        for i in argnums:
            a = args[i]
            if _plain_leaf(a):  # one float64 array (or a traced value): nothing to take apart
                t = trace.new_leaf(a)
                nodes.append(t._b)
                flats.append((None, a))
                args[i] = t
                continue
            fl = flatten_input(a, f"argument {i}")
            flats.append((fl, args[i]))
            tracers = [trace.new_leaf(v) for v in fl.leaves]
            nodes.extend(t._b for t in tracers)
            args[i] = fl.rebuild(tracers)
        out = call(f, args, flats)
    return trace, out, nodes, flats


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
    """``aux`` with this trace's tracers replaced by their values, in any structure."""
    if isinstance(aux, Tracer):
        return as_output(aux._a, aux._a) if aux._trace is trace else aux
    leaves, treedef = flatten_output(aux)
    if is_leaf_def(treedef):
        return aux
    return treedef.unflatten([_without_trace(v, trace) if isinstance(v, Tracer) else v
                              for v in leaves])


def _check_holomorphic(holomorphic):
    if not isinstance(holomorphic, bool):
        raise TypeError(f"holomorphic must be True or False, got {holomorphic!r}")


def _complex_output_error(who, holomorphic, dtype):
    if holomorphic:
        return TypeError(f"{who} with holomorphic=True requires complex outputs, got {dtype}")
    return TypeError(
        f"{who} requires real-valued outputs, but the function returned dtype {dtype}. For "
        "a holomorphic function pass holomorphic=True; for a non-holomorphic function with "
        "complex outputs, use optkit.vjp directly (as in JAX)."
    )


def _check_complex_inputs(who, leaves):
    for v in leaves:
        if not is_complex(v):
            raise TypeError(f"{who} with holomorphic=True requires complex inputs, got "
                            f"dtype {getattr(value_of(v), 'dtype', type(v).__name__)}")


def value_and_grad(f, argnums=0, has_aux=False, holomorphic=False):
    """Return ``g(*args) -> (f(*args), gradient)`` for scalar-valued ``f``, in one reverse pass.

    Parameters
    ----------
    f : callable
        Plain numpy code returning one real number (a float or 0-d array).
    argnums : int or tuple of ints, optional
        The differentiated positional arguments (default 0); with a tuple the gradient is a
        tuple too. Each may be a structure (dict, list, tuple, namedtuple, dataclass of
        arrays); its gradient has the same structure.
    has_aux : bool, optional
        ``f`` returns ``(value, aux)``; ``aux`` (any values: arrays, tuples, lists, dicts of
        them) is carried out undifferentiated, and ``g`` returns ``((value, aux),
        gradient)``, as in JAX.
    holomorphic : bool, optional
        ``f`` is holomorphic, its inputs and output complex, and the result is ``f'(z)``.
        Without it complex inputs are allowed, the output must be real, and the gradient of
        ``f(z)`` is ``df/dx - i df/dy`` (JAX's convention; descend along its conjugate).

    Returns
    -------
    callable
        ``g(*args, **kwargs)`` returning ``(value, gradient)``: the value a float, the
        gradient in the structure (and dtype) of the differentiated argument(s).

    Raises
    ------
    TypeError
        When ``g`` is called: ``f`` returns a non-scalar or complex output (complex without
        ``holomorphic``), ``has_aux`` and ``f`` does not return a pair, or bad ``argnums``.
    NotDifferentiableError, TracerConversionError
        ``f`` calls a numpy function without a derivative rule, or converts a traced value
        to a plain array or float.

    Examples
    --------
    >>> import numpy as np, optkit
    >>> value, g = optkit.value_and_grad(lambda x: np.sum(x ** 3))(np.array([1.0, 2.0]))
    >>> value, g
    (9.0, array([ 3., 12.]))
    >>> optkit.value_and_grad(lambda p: p["w"] * p["b"])({"w": 2.0, "b": 3.0})
    (6.0, {'b': 2.0, 'w': 3.0})
    """
    if not isinstance(has_aux, bool):
        raise TypeError(f"has_aux must be True or False, got {has_aux!r}")
    _check_holomorphic(holomorphic)
    compiled = type(f) in _REPLAYS and argnums == 0 and not has_aux and not holomorphic

    @functools.wraps(f)
    def value_and_grad_f(*args, **kwargs):
        if compiled and len(args) == 1 and not kwargs and not isinstance(args[0], Tracer):
            value, g = f.value_and_grad(args[0])  # replay the compiled program
            return value, _narrowed(g, _narrow_dtype(args[0]))
        return _value_and_grad(f, args, kwargs, argnums, has_aux, holomorphic)

    return value_and_grad_f


def _value_and_grad(f, args, kwargs, argnums, has_aux, holomorphic=False):
    """One reverse pass: ``value_and_grad(f, argnums, has_aux)(*args, **kwargs)``."""
    if type(argnums) is int and argnums == 0 and args:
        nums = (0,)
    else:
        nums = _argnums(argnums, len(args))
    fk = functools.partial(f, **kwargs) if kwargs else f
    trace, out, nodes, flats = _record(fk, args, nums)
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
    value = out._a if _own(out, trace, ReverseTracer) else out
    if holomorphic:
        _check_complex_inputs("grad", [n.ans for n in nodes])
        if not is_complex(value):
            raise _complex_output_error("grad", True, np.result_type(value_of(value)))
    elif type(value) is not np.float64 and is_complex(value):
        raise _complex_output_error("grad", False, np.result_type(value_of(value)))
    if _own(out, trace, ReverseTracer):
        cts = backward(trace, out._b, 1.0, nodes)
    else:
        cts = [None] * len(nodes)
    grads = []
    start = 0
    for fl, a in flats:
        if fl is None:  # a plain float64 array
            ct = cts[start]
            grads.append(as_output(_zeros_like(a) if ct is None else ct, a))
            start += 1
            continue
        stop = start + len(fl.leaves)
        grads.append(fl.project(cts[start:stop]))
        start = stop
    value = as_output(value, None)
    grads = grads[0] if isinstance(argnums, int) else tuple(grads)
    return ((value, aux), grads) if has_aux else (value, grads)


def _gradient(f, x):
    """``grad(f)(x)`` without building the wrapper functions (hvp calls it once per product)."""
    return _value_and_grad(f, (x,), {}, 0, False)[1]


def grad(f, argnums=0, has_aux=False, holomorphic=False):
    """Return ``g(*args) -> gradient of f`` (reverse mode); ``f`` must return a real scalar.

    Parameters
    ----------
    f : callable
        Plain numpy code returning one real number.
    argnums : int or tuple of ints, optional
        The differentiated positional arguments, as in :func:`value_and_grad`.
    has_aux : bool, optional
        ``f`` returns ``(value, aux)`` and ``g`` returns ``(gradient, aux)``.
    holomorphic : bool, optional
        As in :func:`value_and_grad` (complex inputs follow its conventions).

    Returns
    -------
    callable
        ``g(*args, **kwargs)``, the gradient in the structure of the argument(s).

    Raises
    ------
    TypeError, NotDifferentiableError, TracerConversionError
        As :func:`value_and_grad`, when ``g`` is called.

    Examples
    --------
    >>> import numpy as np, optkit
    >>> optkit.grad(lambda x: np.sum(np.sin(x)))(np.array([0.0, np.pi]))
    array([ 1., -1.])
    >>> optkit.grad(lambda x, y: x * y, argnums=(0, 1))(2.0, 5.0)
    (5.0, 2.0)
    """
    vg = value_and_grad(f, argnums, has_aux, holomorphic)

    @functools.wraps(f)
    def grad_f(*args, **kwargs):
        if has_aux:
            (_, aux), g = vg(*args, **kwargs)
            return g, aux
        return vg(*args, **kwargs)[1]

    return grad_f


def vjp(f, x):
    """Return ``(f(x), pullback)`` with ``pullback(u) = u^T J``; the pullback may be reused.

    Parameters
    ----------
    f : callable
        Plain numpy code of one argument; it may return an array or a structure of arrays.
    x : array_like, number or structure
        The point.

    Returns
    -------
    y
        ``f(x)``.
    pullback : callable
        ``pullback(u)``, ``u`` in the structure and shapes of ``f(x)``, returns ``u^T J`` in
        the structure of ``x``; one reverse pass per call over the same tape.

    Raises
    ------
    ValueError
        From ``pullback``: ``u`` does not have the output's shape.
    TypeError
        From ``pullback``: a complex ``u`` for a real output.

    Examples
    --------
    >>> import numpy as np, optkit
    >>> y, pullback = optkit.vjp(lambda x: x ** 2, np.array([1.0, 2.0, 3.0]))
    >>> pullback(np.array([1.0, 0.0, 1.0]))  # a combination of rows of J = diag(2 x)
    array([2., 0., 6.])
    """
    with new_level(ReverseTrace) as trace:
        fx = flatten_input(x, "x")
        tracers = [trace.new_leaf(v) for v in fx.leaves]
        nodes = [t._b for t in tracers]
        out = call(f, (fx.rebuild(tracers),), [(fx, x)])
        outs, out_def = flatten_output(out)
        single = is_leaf_def(out_def)
        if not single and outs:  # one output node: the leaves joined into one vector
            out = Raveler([np.shape(o) for o in outs], False).ravel(outs)
    owned = bool(outs) and _own(out, trace, ReverseTracer)
    ys = [o._a if _own(o, trace, ReverseTracer) else o for o in outs]
    shapes = [np.shape(y) for y in ys]
    tape = list(trace.tape)

    def pullback(u):
        if single:
            us = [as_input(u, "u")]
            if np.shape(us[0]) != shapes[0]:
                raise ValueError(f"u must have the output's shape {shapes[0]}, got "
                                 f"{np.shape(us[0])}")
        else:
            us = out_def.flatten_up_to(u, name="u")
            paths = out_def.paths()
            us = [as_input(v, f"u{p}") for v, p in zip(us, paths, strict=True)]
            for v, s, p in zip(us, shapes, paths, strict=True):
                if np.shape(v) != s:
                    raise ValueError(f"u{p} must have the output's shape {s}, got "
                                     f"{np.shape(v)}")
        us = [_like_primal(y, v, "u") for y, v in zip(ys, us, strict=True)]
        if not owned:
            return fx.project([None] * len(nodes))
        trace.tape = list(tape)
        g = us[0] if single else Raveler(shapes, False).ravel(us)
        return fx.project(backward(trace, out._b, g, nodes, keep=True))

    y = out_def.unflatten([as_output(v, None if np.ndim(v) == 0 else v) for v in ys])
    return _narrowed(y, _narrow_dtype(x)), pullback


def _like_primal(primal, t, name):
    """A tangent (cotangent) ``t`` in the space of ``primal``: complex128 for a complex primal
    (a real ``t`` is promoted); a complex ``t`` for a real primal is a TypeError."""
    if is_complex(primal):
        if isinstance(t, Tracer) or is_complex(t):
            return t
        return np.asarray(t, dtype=COMPLEX_DTYPE) if np.ndim(t) else COMPLEX_DTYPE.type(t)
    if is_complex(t):
        raise TypeError(f"{name} is complex but the value it goes with is real; a real value's "
                        "tangents and cotangents are real")
    return t


# ---- single and half precision ------------------------------------------------------------
# Traced values are float64 (complex128); derivatives come back in the input's precision, as
# JAX and PyTorch give them: the gradient of each leaf in its own dtype (``vspace.project``),
# and, when every input leaf is float32/float16/complex64, the outputs of jvp, vjp, hvp and the
# dense Jacobians in that precision too. They are computed in double precision and rounded
# once, so they are correct to the dtype's precision (JAX computes in float32 throughout).
_NARROW = frozenset(np.dtype(d) for d in (np.float16, np.float32, np.complex64))


def _narrow_dtype(x):
    """The common single/half precision dtype of ``x``'s leaves, or None (any other leaf)."""
    if type(x) is np.ndarray:  # the common case
        return x.dtype if x.dtype in _NARROW else None
    if isinstance(x, (Tracer, float, int, complex)):
        return None
    leaves, _ = flatten_output(x)
    dtypes = [getattr(v, "dtype", None) for v in leaves]
    if not dtypes or any(d not in _NARROW for d in dtypes):
        return None
    return np.result_type(*dtypes)


def _narrowed(out, dtype):
    """``out`` (an array or a structure) with float and complex arrays in ``dtype``'s
    precision; Python numbers and traced values are left alone."""
    if dtype is None:
        return out
    real = np.finfo(dtype).dtype
    cplx = np.result_type(real, np.complex64)

    def cast(v):
        if type(v) is not np.ndarray or v.dtype.kind not in "fc":
            return v
        return v.astype(cplx if v.dtype.kind == "c" else real, copy=False)

    if type(out) is np.ndarray:
        return cast(out)
    leaves, treedef = flatten_output(out)
    return treedef.unflatten([cast(v) for v in leaves])


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
    narrow = _narrow_dtype(x)
    if narrow is not None:  # computed in double precision, returned in x's (see _NARROW)
        y, t = _jvp(f, x, v)
        return _narrowed(y, narrow), _narrowed(t, narrow)
    return _jvp(f, x, v)


def _jvp(f, x, v):
    if _plain_leaf(x) and _plain_leaf(v):  # the common case: one array, no structure
        if np.shape(v) != np.shape(x):
            raise ValueError(f"v must have the shape of x {np.shape(x)}, got {np.shape(v)}")
        with new_level(JVPTrace) as trace:
            out = f(JVPTracer(trace, x, v))
    else:
        fx = flatten_input(x, "x")
        vs = [_like_primal(p, t, "v") for p, t in zip(fx.leaves, fx.match(v, "v"), strict=True)]
        with new_level(JVPTrace) as trace:
            tracers = [JVPTracer(trace, p, t) for p, t in zip(fx.leaves, vs, strict=True)]
            out = call(f, (fx.rebuild(tracers),), [(fx, x)])
    if isinstance(out, Tracer):  # one output, the common case
        y, t = (out._a, out._b) if out._trace is trace else (out, _zeros_like(out))
        return as_output(y, y), as_output(t, y)
    outs, out_def = flatten_output(out)
    ys, ts = [], []
    for o in outs:
        if _own(o, trace, JVPTracer):
            y, t = o._a, o._b
        else:
            y, t = o, _zeros_like(o)
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
    if type(f) in _REPLAYS and not isinstance(x, Tracer) and not isinstance(v, Tracer):
        return _narrowed(f.hvp(x, v), _narrow_dtype(x))  # replay the compiled program
    return jvp(functools.partial(_gradient, f), x, v)[1]


# ---- dense Jacobians ----------------------------------------------------------------------
def _basis(shape, dtype=TRACE_DTYPE):
    n = int(np.prod(shape))
    for k in range(n):
        e = np.zeros(n, dtype)
        e[k] = 1.0
        yield e.reshape(shape)


def _check_jacobian_dtypes(who, ff, y, holomorphic, real_inputs, real_outputs):
    """JAX's dtype rules for dense Jacobians: with ``holomorphic``, complex inputs and outputs;
    without, real inputs (``real_inputs``: forward mode) or real outputs (reverse mode)."""
    if holomorphic:
        _check_complex_inputs(who, [ff.x])
        if not is_complex(y):
            raise _complex_output_error(who, True, np.result_type(value_of(y)))
        return
    if real_inputs and is_complex(ff.x):
        raise TypeError(
            f"{who} requires real-valued inputs, got complex ones. For a holomorphic function "
            "pass holomorphic=True; for a non-holomorphic function of complex inputs, use "
            "optkit.jvp directly (as in JAX)."
        )
    if real_outputs and is_complex(y):
        raise _complex_output_error(who, False, np.result_type(value_of(y)))


def jacfwd(f, holomorphic=False):
    """Dense Jacobian by forward mode, one JVP per input entry; shape out.shape + x.shape.

    Parameters
    ----------
    f : callable
        Plain numpy code of one argument.
    holomorphic : bool, optional
        Complex inputs and outputs, and ``f'(z)``; without it the inputs must be real.

    Returns
    -------
    callable
        ``jac(x)``, the Jacobian of shape out.shape + x.shape; for structures, nested
        blocks: ``J[out path][in path]`` has shape out.shape + in.shape.

    Raises
    ------
    TypeError
        From ``jac``: complex inputs without ``holomorphic``, or real ones with it.

    Examples
    --------
    >>> import numpy as np, optkit
    >>> optkit.jacfwd(lambda x: np.stack([x[0] * x[1], x[0] + 3.0 * x[1], x[1] ** 2]))(
    ...     np.array([2.0, 1.0]))
    array([[1., 2.],
           [1., 3.],
           [0., 2.]])
    """
    _check_holomorphic(holomorphic)

    @functools.wraps(f)
    def jac(x):
        ff = FlatFun(f, x)
        J = _jacfwd(ff, ff.x, holomorphic)
        return _narrowed(ff.blocks(J), _narrow_dtype(x))

    return jac


def _jacfwd(f, x, holomorphic=False):
    dtype = COMPLEX_DTYPE if is_complex(x) else TRACE_DTYPE
    if holomorphic or is_complex(x):
        _check_jacobian_dtypes("jacfwd", f, f(x), holomorphic, True, False)
    cols = [jvp(f, x, e)[1] for e in _basis(np.shape(x), dtype)]
    y_shape = np.shape(cols[0]) if cols else np.shape(f(x))
    if isinstance(x, Tracer) or any(isinstance(c, Tracer) for c in cols):
        J = np.stack([np.reshape(c, (-1,)) if np.ndim(c) else np.reshape(c, (1,))
                      for c in cols], axis=-1)
        return np.reshape(J, y_shape + np.shape(x))
    J = np.stack([np.reshape(c, -1) for c in cols], axis=-1) if cols else np.zeros((0, 0))
    return as_output(J.reshape(y_shape + np.shape(x)), None)


def jacrev(f, holomorphic=False):
    """Dense Jacobian by reverse mode, one VJP per output entry; shape out.shape + x.shape.

    Parameters
    ----------
    f : callable
        Plain numpy code of one argument.
    holomorphic : bool, optional
        Complex inputs and outputs, and ``f'(z)``; without it the outputs must be real.

    Returns
    -------
    callable
        ``jac(x)``, the Jacobian of shape out.shape + x.shape; for structures, nested
        blocks: ``J[out path][in path]`` has shape out.shape + in.shape.

    Raises
    ------
    TypeError
        From ``jac``: complex outputs without ``holomorphic``, or real ones with it.

    Examples
    --------
    >>> import numpy as np, optkit
    >>> optkit.jacrev(lambda x: np.stack([np.sum(x ** 2), x[0] * x[2]]))(np.ones(3))
    array([[2., 2., 2.],
           [1., 0., 1.]])
    """
    _check_holomorphic(holomorphic)

    @functools.wraps(f)
    def jac(x):
        ff = FlatFun(f, x)
        y, pullback = vjp(ff, ff.x)
        _check_jacobian_dtypes("jacrev", ff, y, holomorphic, False, True)
        return _narrowed(ff.blocks(_rows(ff.x, y, pullback)), _narrow_dtype(x))

    return jac


def _rows(x, y, pullback):
    rows = [pullback(e) for e in _basis(np.shape(y))]
    shape = np.shape(y) + np.shape(x)
    if isinstance(x, Tracer) or any(isinstance(r, Tracer) for r in rows):
        return np.reshape(np.stack(rows, axis=0), shape)
    dtype = COMPLEX_DTYPE if any(np.iscomplexobj(r) for r in rows) else TRACE_DTYPE
    return as_output(np.asarray(rows, dtype=dtype).reshape(shape), None)


def jacobian(f, holomorphic=False):
    """Dense Jacobian, by forward mode when outputs outnumber inputs, else by reverse mode.

    Forward mode costs one pass per input, reverse mode one per output.

    Parameters
    ----------
    f : callable
        Plain numpy code of one argument.
    holomorphic : bool, optional
        Complex inputs and outputs, and ``f'(z)``; without it inputs and outputs must be
        real.

    Returns
    -------
    callable
        ``jac(x)``, of shape out.shape + x.shape; structures give nested blocks, as
        :func:`jacfwd` and :func:`jacrev` do.

    Raises
    ------
    TypeError
        From ``jac``: complex values without ``holomorphic``, or real ones with it.

    Examples
    --------
    >>> import numpy as np, optkit
    >>> A = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    >>> np.array_equal(optkit.jacobian(lambda x: A @ x)(np.zeros(2)), A)
    True
    """
    _check_holomorphic(holomorphic)

    @functools.wraps(f)
    def jac(x):
        ff = FlatFun(f, x)
        y, pullback = vjp(ff, ff.x)
        _check_jacobian_dtypes("jacobian", ff, y, holomorphic, True, True)
        if np.size(y) > np.size(ff.x):
            J = ff.blocks(jacfwd(ff, holomorphic=holomorphic)(ff.x))
        else:
            J = ff.blocks(_rows(ff.x, y, pullback))
        return _narrowed(J, _narrow_dtype(x))

    return jac


def hessian(f, holomorphic=False):
    """Dense Hessian by forward-over-reverse: ``jacfwd(grad(f))``.

    Parameters
    ----------
    f : callable
        Plain numpy code of one argument returning one real number.
    holomorphic : bool, optional
        The complex second derivative of a holomorphic ``f``.

    Returns
    -------
    callable
        ``hess(x)``, of shape x.shape + x.shape; for a structure, nested blocks as in JAX:
        ``H[path_i][path_j]`` has shape ``x_i.shape + x_j.shape``.

    Raises
    ------
    TypeError, NotDifferentiableError
        As :func:`grad`, from ``hess``.

    Examples
    --------
    >>> import numpy as np, optkit
    >>> optkit.hessian(lambda x: x[0] ** 2 * x[1] + np.exp(x[1]))(np.array([1.0, 0.0]))
    array([[0., 2.],
           [2., 1.]])
    """
    return jacfwd(grad(f, holomorphic=holomorphic), holomorphic=holomorphic)


def _name(f):
    return getattr(f, "__name__", repr(f))
