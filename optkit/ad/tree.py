"""Structures at the AD boundary: flattened once on the way in, rebuilt on the way out.

The AD kernel sees leaves only: arrays and numbers of the traced dtype. The transformations in
``api`` accept any parameter structure of ``optkit.tree`` (dicts, lists, tuples, namedtuples,
dataclasses; JAX's pytree conventions) and give tangents, cotangents and gradients back in the
structure of the input. This module owns that round trip (Autodidax's ``tree_flatten`` and
``flatten_fun``):

- :func:`flatten_input` validates each leaf (a TypeError names its path, ``argument 0['w']``)
  and records its :class:`~optkit.ad.vspace.VSpace`, in which derivatives are given back;
- :func:`flatten_output` takes a function's result apart (tracers are leaves);
- :class:`Raveler` joins leaves into one vector and splits a vector back (traced or not),
  for the dense Jacobians and the gradient checker, which work on one flat vector;
- :func:`sequence_hint` explains the one case where the old reading differs: a list or
  tuple of numbers used to be an array and is now a structure of scalar leaves.
"""

from __future__ import annotations

import functools
import math
import numbers

import numpy as np

from ..tree import flatten
from .core import Tracer
from .vspace import TRACE_DTYPE, as_input, as_output, vspace

__all__ = ["Flat", "FlatFun", "Raveler", "call", "flatten_input", "flatten_output", "is_leaf_def",
           "sequence_hint", "with_hint"]

_LEAF_DEF = flatten(0.0)[1]  # the structure of a single leaf


class Flat:
    """One flattened input: traced-dtype ``leaves``, their ``spaces``, and the ``treedef``.

    ``is_leaf`` is True when the input was a single array or number (no container): the
    transformations then behave exactly as on plain arrays.
    """

    __slots__ = ("leaves", "spaces", "treedef", "is_leaf", "name")

    def __init__(self, leaves, spaces, treedef, name):
        self.leaves = leaves
        self.spaces = spaces
        self.treedef = treedef
        self.is_leaf = treedef is _LEAF_DEF
        self.name = name

    def rebuild(self, leaves):
        """The input's structure with ``leaves`` in place of its own."""
        return leaves[0] if self.is_leaf else self.treedef.unflatten(leaves)

    def project(self, cts):
        """Derivatives of the leaves (``None``: zero), each in its leaf's space, rebuilt."""
        out = []
        for ct, leaf, space in zip(cts, self.leaves, self.spaces, strict=True):
            if ct is None:
                # zeros of a traced leaf stay traced (np.zeros_like would be plain): a zero
                # derivative inside a derivative is still differentiable
                ct = np.zeros_like(leaf) * 0.0 if isinstance(leaf, Tracer) else space.zeros()
            out.append(space.project(ct))
        return self.rebuild(out)

    def paths(self):
        return [""] if self.is_leaf else self.treedef.paths()

    def match(self, other, name):
        """The leaves of ``other`` (a tangent, a cotangent), which must have this structure and
        each leaf this leaf's shape; errors name ``name`` and the path."""
        if self.is_leaf:
            others = [as_input(other, name)]
        else:
            others = self.treedef.flatten_up_to(other, name=name)
            paths = self.treedef.paths()
            others = [as_input(o, f"{name}{p}") for o, p in zip(others, paths, strict=True)]
        for o, s, p in zip(others, self.spaces, self.paths(), strict=True):
            if np.shape(o) != s.shape:
                raise ValueError(f"{name}{p} must have the shape of {self.name}{p} {s.shape}, "
                                 f"got {np.shape(o)}")
        return others


def flatten_input(x, name):
    """Flatten an input that is differentiated: a :class:`Flat`, its leaves validated.

    A leaf must be a real number or an array of real numbers (integers are promoted to the
    traced dtype); anything else is a TypeError naming the path. ``None`` alone is refused
    (it is an empty structure, almost always a mistake at the top).
    """
    if type(x) is np.ndarray or isinstance(x, (Tracer, numbers.Number)):  # the common case
        return Flat([as_input(x, name)], [vspace(x)], _LEAF_DEF, name)
    if x is None:
        raise TypeError(f"{name} must be a real number, an array of real numbers or a "
                        "structure of them (dicts, lists, tuples), got None")
    leaves, treedef = flatten(x)
    if treedef == _LEAF_DEF:  # a leaf of another type: as_input says what is wrong with it
        return Flat([as_input(x, name)], [vspace(x)], _LEAF_DEF, name)
    converted = []
    for i, leaf in enumerate(leaves):
        try:
            converted.append(as_input(leaf, name))
        except TypeError:
            raise TypeError(f"{name}{treedef.paths()[i]}: {_describe(leaf)}; a leaf must be a "
                            f"real number or an array of real numbers") from None
    return Flat(converted, [vspace(leaf) for leaf in leaves], treedef, name)


def _describe(leaf):
    dtype = getattr(leaf, "dtype", None)
    if dtype is not None:
        return f"dtype {dtype}"
    if isinstance(leaf, (bool, np.bool_)):
        return "a bool"
    if isinstance(leaf, complex):
        return "a complex number"
    return f"type {type(leaf).__name__}"


def flatten_output(out):
    """``(leaves, treedef)`` of a function's result; a single value is one leaf."""
    if type(out) is np.ndarray or isinstance(out, (Tracer, float, int)):
        return [out], _LEAF_DEF
    return flatten(out)


def is_leaf_def(treedef):
    return treedef is _LEAF_DEF or treedef == _LEAF_DEF


class Raveler:
    """Leaves of the given shapes joined into one vector, and a vector split back.

    With a single leaf, ``ravel`` and ``unravel`` are the identity: a function of one array
    keeps its shape. Both work on traced values (the dense Jacobians of a structure).
    """

    __slots__ = ("shapes", "offsets", "size", "single")

    def __init__(self, shapes, single):
        self.shapes = shapes
        self.single = single
        self.offsets = [0]
        for s in shapes:
            self.offsets.append(self.offsets[-1] + math.prod(s))
        self.size = self.offsets[-1]

    def ravel(self, leaves):
        if self.single:
            return leaves[0]
        if not leaves:
            return np.zeros(0, TRACE_DTYPE)
        return np.concatenate([np.reshape(v, (-1,)) for v in leaves])

    def unravel(self, z):
        if self.single:
            return [z]
        o = self.offsets
        return [np.reshape(z[o[k]:o[k + 1]], s) for k, s in enumerate(self.shapes)]

    def blocks(self, J, inner):
        """Split a dense Jacobian with rows by this raveler and columns by ``inner``: a list
        (one per leaf here) of lists (one per leaf of ``inner``) of blocks, each shaped
        ``out_leaf.shape + in_leaf.shape``."""
        J = np.reshape(J, (self.size, inner.size))
        oi, oj = self.offsets, inner.offsets
        return [[np.reshape(J[oi[k]:oi[k + 1], oj[l]:oj[l + 1]], so + si)
                 for l, si in enumerate(inner.shapes)]  # noqa: E741
                for k, so in enumerate(self.shapes)]


def sequence_hint(x, name):
    """A hint if ``x`` is a list or tuple that numpy would read as one array, else None.

    Until lists and tuples became structures, ``grad(f)([1.0, 2.0])`` passed ``f`` an array;
    now ``f`` gets a list of scalars (as in JAX), and array code on it fails.
    """
    if type(x) not in (list, tuple) or not x:
        return None
    leaves, _ = flatten(x)
    if not all(isinstance(v, (numbers.Real, np.ndarray)) and not isinstance(v, bool)
               for v in leaves):
        return None
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError):
        return None
    if arr.dtype.kind not in "iuf":
        return None
    kind = type(x).__name__
    return (f"{name} is a {kind}: optkit reads lists and tuples as structures of separate "
            f"leaves (as JAX does), so the function was given a {kind} of {len(leaves)} "
            f"leaves, not an array. To pass one array of shape {arr.shape}, convert it first: "
            f"np.array(x0).")


def with_hint(exc, hint):
    """``exc`` with ``hint`` appended to its message, same type when it can be rebuilt."""
    try:
        new = type(exc)(f"{exc}\n{hint}")
    except Exception:  # an exception type with a constructor of its own: keep it, add a note
        exc.add_note(hint)
        return exc
    new.__cause__ = exc.__cause__
    return new.with_traceback(exc.__traceback__)


def call(f, args, flats):
    """``f(*args)``; a TypeError gets a hint when a differentiated input is a list or tuple
    that numpy would have read as one array (lists are structures now, as in JAX).

    ``flats`` holds one ``(Flat, original argument)`` pair per differentiated argument.
    """
    try:
        return f(*args)
    except TypeError as exc:
        for fl, original in flats:
            hint = None if fl is None else sequence_hint(original, fl.name)
            if hint is not None:
                raise with_hint(exc, hint) from exc.__cause__
        raise


class FlatFun:
    """``f`` as a function of one flat vector to one flat vector (Autodidax's flatten_fun).

    ``x`` (the point) and ``f(x)`` may be structures; ``self.x`` is the point raveled, and
    ``blocks`` turns a dense Jacobian of the flat function into the nested blocks JAX returns
    (outer: ``f(x)``'s structure, inner: ``x``'s). With a single array in and out nothing is
    raveled, and ``blocks`` returns the Jacobian as it is.
    """

    def __init__(self, f, x):
        self.f = f
        self.original = x
        self.fx = fx = flatten_input(x, "x")
        self.ins = Raveler([s.shape for s in fx.spaces], fx.is_leaf)
        self.x = self.ins.ravel(fx.leaves)
        self.out_def = None
        self.outs = None
        functools.update_wrapper(self, f)

    @property
    def structured(self):
        """Is the input or the output a structure? (The output is known after one call.)"""
        if self.outs is None:
            self(self.x)
        return not (self.fx.is_leaf and self.outs.single)

    def __call__(self, z):
        out = call(self.f, (self.fx.rebuild(self.ins.unravel(z)),), [(self.fx, self.original)])
        leaves, out_def = flatten_output(out)
        if self.out_def is None:
            self.out_def = out_def
            self.outs = Raveler([np.shape(v) for v in leaves], is_leaf_def(out_def))
        return self.outs.ravel(leaves)

    def blocks(self, J):
        if self.fx.is_leaf and self.outs.single:
            return J
        rows = self.outs.blocks(J, self.ins)
        if not isinstance(J, Tracer):
            rows = [[as_output(b, None if np.ndim(b) == 0 else b) for b in row] for row in rows]
        return self.out_def.unflatten([self.fx.rebuild(row) for row in rows])
