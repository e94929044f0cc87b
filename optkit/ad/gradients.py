"""Reverse mode: ``value_and_grad``, ``grad`` and ``vjp`` (see ``ad.api`` for the conventions)."""

from __future__ import annotations

import functools

import numpy as np

from .boundary import (
    check_complex_inputs,
    check_holomorphic,
    complex_output_error,
    like_primal,
    own,
    plain_leaf,
    zeros_like,
)
from .captured import check_unchanged, holding
from .core import FLOAT64, Tracer, is_complex, new_level, value_of
from .precision import narrow_dtype, narrowed
from .replay import REPLAYS
from .reverse import ReverseTrace, ReverseTracer, backward
from .tree import Raveler, call, flatten_input, flatten_output, is_leaf_def
from .vspace import as_input, as_output


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
            if plain_leaf(a):  # one float64 array (or a traced value): nothing to take apart
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
        ``holomorphic``), ``has_aux`` and ``f`` does not return a pair, or bad ``argnums``;
        at once, a ``has_aux`` that is not a bool.
    ValueError
        When ``g`` is called: an ``argnums`` out of range for the arguments given; or
        ``InPlaceWriteError``: ``f`` wrote into a plain array in place after a traced
        computation used it (the tape keeps it by reference and the backward pass would
        read the new values; it is read-only from that use until the gradient is computed,
        ``ad.captured``).
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
    check_holomorphic(holomorphic)
    compiled = type(f) in REPLAYS and argnums == 0 and not has_aux and not holomorphic
    replay = f.value_and_grad if compiled else None  # the compiled program's entry

    @functools.wraps(f)
    def value_and_grad_f(*args, **kwargs):
        if replay is not None and len(args) == 1 and not kwargs:
            x = args[0]
            if type(x) is np.ndarray and x.dtype is FLOAT64:  # a solver's call: no narrowing
                return replay(x)
            if not isinstance(x, Tracer):
                value, g = replay(x)
                return value, narrowed(g, narrow_dtype(x))
        return _value_and_grad(f, args, kwargs, argnums, has_aux, holomorphic)

    return value_and_grad_f


def _value_and_grad(f, args, kwargs, argnums, has_aux, holomorphic=False, keep_value=True):
    """One reverse pass: ``value_and_grad(f, argnums, has_aux)(*args, **kwargs)``.

    Without ``keep_value`` the value is let go before the backward pass and returned as None
    (``gradient``: in an HVP, f's value holds the forward tangents no one reads).

    The plain arrays the tape keeps are read-only from their first traced use until the
    backward pass ends (``captured.holding``): f writing into one after that use raises
    ``InPlaceWriteError`` (a ValueError), flags restored either way.
    """
    with holding():
        return _reverse_pass(f, args, kwargs, argnums, has_aux, holomorphic, keep_value)


def _reverse_pass(f, args, kwargs, argnums, has_aux, holomorphic, keep_value):
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
    value = out._a if own(out, trace, ReverseTracer) else out
    if holomorphic:
        check_complex_inputs("grad", [n.ans for n in nodes])
        if not is_complex(value):
            raise complex_output_error("grad", True, np.result_type(value_of(value)))
    elif type(value) is not np.float64 and is_complex(value):
        raise complex_output_error("grad", False, np.result_type(value_of(value)))
    if own(out, trace, ReverseTracer):
        node = out._b
        if not keep_value:
            out = value = None
        cts = backward(trace, node, 1.0, nodes)
    else:
        cts = [None] * len(nodes)
    grads = []
    start = 0
    for fl, a in flats:
        if fl is None:  # a plain float64 array
            ct = cts[start]
            grads.append(as_output(zeros_like(a) if ct is None else ct, a))
            start += 1
            continue
        stop = start + len(fl.leaves)
        grads.append(fl.project(cts[start:stop]))
        start = stop
    value = None if value is None else as_output(value, None)
    grads = grads[0] if isinstance(argnums, int) else tuple(grads)
    return ((value, aux), grads) if has_aux else (value, grads)


def gradient(f, x):
    """``grad(f)(x)`` without building the wrapper functions (hvp calls it once per product)."""
    return _value_and_grad(f, (x,), {}, 0, False, keep_value=False)[1]


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

    Notes
    -----
    The tape keeps the plain arrays f's traced computations read by reference. While f runs
    they are read-only from their first use (a write raises ``InPlaceWriteError``, a
    ValueError), but the pullback outlives the call, so the flags are restored when ``vjp``
    returns. Each ``pullback`` call then compares the arrays of at most
    ``captured.SNAPSHOT_BYTES`` with copies taken at their use and raises
    ``InPlaceWriteError`` if one changed; a write into a *larger* array between ``vjp``
    and ``pullback`` is not detected (the pullback reads the new values). Inside another
    differentiation (``jacobian``, ``jacrev``, ``grad``) the arrays stay read-only until
    the outermost call ends.
    """
    guard = holding()
    with guard, new_level(ReverseTrace) as trace:
        fx = flatten_input(x, "x")
        tracers = [trace.new_leaf(v) for v in fx.leaves]
        nodes = [t._b for t in tracers]
        out = call(f, (fx.rebuild(tracers),), [(fx, x)])
        outs, out_def = flatten_output(out)
        single = is_leaf_def(out_def)
        if not single and outs:  # one output node: the leaves joined into one vector
            out = Raveler([np.shape(o) for o in outs], False).ravel(outs)
    snapshots = guard.snapshots  # empty inside an enclosing holding(): it checks at its end
    owned = bool(outs) and own(out, trace, ReverseTracer)
    ys = [o._a if own(o, trace, ReverseTracer) else o for o in outs]
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
        us = [like_primal(y, v, "u") for y, v in zip(ys, us, strict=True)]
        check_unchanged(snapshots, "between vjp and its pullback")
        if not owned:
            return fx.project([None] * len(nodes))
        trace.tape = list(tape)
        g = us[0] if single else Raveler(shapes, False).ravel(us)
        return fx.project(backward(trace, out._b, g, nodes, keep=True))

    y = out_def.unflatten([as_output(v, None if np.ndim(v) == 0 else v) for v in ys])
    return narrowed(y, narrow_dtype(x)), pullback


def _name(f):
    return getattr(f, "__name__", repr(f))
