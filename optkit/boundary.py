"""Parameter structures at the solvers' boundary: ``x0`` flattened once, everything else rebuilt.

``optkit.optim``'s solvers and ``scipy.optimize`` work on one flat float64 vector. The front
door (``optkit.minimize``) and the SciPy adapters (``optkit.scipy``) accept an ``x0`` that is a
parameter structure (dicts, lists, tuples, namedtuples, dataclasses of arrays; see
``optkit.tree``): :func:`as_start` ravels it once, the objective the solver calls rebuilds the
structure from the solver's vector (views, no copies), and derivatives the user writes by hand
come back in the structure and are raveled again. The result's ``x`` and ``jac`` and what a
callback sees are rebuilt from the flat vectors.

What counts as a vector and what as a structure (SciPy's habits are kept where they are
unambiguous):

- a NumPy array of ndim <= 1, a number, or a ``list``/``tuple`` whose items are all Python or
  NumPy scalars (``[1.0, 2.0]``, ``(0, 1.5)``) is a plain vector, read as ``np.asarray`` reads
  it, as ``scipy.optimize`` does; nothing is raveled and ``x`` comes back a 1-D array;
- anything else is a structure: a dict, a namedtuple, a dataclass, a list or tuple holding an
  array (even a 0-d one) or another container, and an array of ndim >= 2 (one leaf, which
  keeps its shape). A list of arrays is therefore a list of separate leaves, not the stacked
  2-D array ``np.asarray`` would make of it.

(The AD transformations (``optkit.grad`` ...) follow JAX for every list: ``grad(f)([1.0, 2.0])``
gives ``f`` a list of two scalars. The solvers read that list as a vector, as SciPy does.)

A leaf must be an array or scalar of real numbers; integer leaves are converted to float64
(as SciPy converts an integer ``x0``). A leaf of any other kind is a TypeError naming its path,
for example ``x0['layer1'][0]: dtype object``.
"""

from __future__ import annotations

import collections
import dataclasses
import math
import numbers

import numpy as np

from . import tree
from .ad.tree import sequence_hint, with_hint

__all__ = ["Start", "as_start", "flat_bounds", "is_plain_vector"]


_HINTED = "reads lists and tuples as structures"  # in every sequence_hint


def _is_scalar(v):
    return isinstance(v, (numbers.Real, np.generic)) and not isinstance(v, (bool, np.bool_))


def is_plain_vector(x0) -> bool:
    """True when ``x0`` is read as a plain vector (see the module docstring), not raveled."""
    if isinstance(x0, np.ndarray):
        return x0.ndim <= 1
    if type(x0) in (list, tuple):
        return all(_is_scalar(v) for v in x0)
    return _is_scalar(x0) or isinstance(x0, (str, bytes, bool, np.bool_))


def _leaf(value, path, name):
    """A leaf of ``x0`` as a real floating array (integers become float64), or a TypeError."""
    if isinstance(value, (np.ndarray, np.generic, numbers.Number)) and not isinstance(
            value, (bool, np.bool_)):
        arr = np.asarray(value)
        if arr.dtype.kind == "f":
            return arr
        if arr.dtype.kind in "iu":
            return arr.astype(np.float64)
        what = f"dtype {arr.dtype}"
    elif isinstance(value, (bool, np.bool_)):
        what = "a bool"
    else:
        dtype = getattr(value, "dtype", None)
        what = f"dtype {dtype}" if dtype is not None else f"type {type(value).__name__}"
    raise TypeError(f"{name}{path}: {what}; each leaf must be an array or a number of real "
                    "floating (or integer) dtype")


class Start:
    """``x0`` as the solvers see it: the flat vector ``x``, and the way back to the structure.

    ``structured`` is False for a plain vector (``x`` is then ``x0`` itself, unchecked, and
    every method is the identity). Otherwise ``tree(flat)`` rebuilds the structure from a flat
    vector (each leaf a view of it where its dtype is float64), and ``flat(value, name)``
    ravels a value given in the structure (a gradient, a Hessian-vector product), checking
    each leaf's shape; errors name ``name`` and the path.
    """

    __slots__ = ("x", "structured", "unravel", "treedef", "shapes", "paths", "original", "hint")

    def __init__(self, x, unravel=None, shapes=None, original=None, name="x0"):
        self.x = x
        self.structured = unravel is not None
        self.unravel = unravel
        self.original = original
        if self.structured:
            self.treedef = unravel.treedef
            self.shapes = shapes
            self.paths = self.treedef.paths()
            self.hint = sequence_hint(original, name)

    @property
    def size(self):
        return self.x.size

    def tree(self, flat):
        """The structure of ``x0`` holding the entries of the vector ``flat``."""
        return self.unravel(flat) if self.structured else flat

    def flat(self, value, name):
        """``value`` (in ``x0``'s structure, each leaf of its leaf's shape) as one float64
        vector; a mismatch is a ValueError naming ``name`` and the path."""
        if not self.structured:
            return value
        parts = self.treedef.flatten_up_to(value, name=name)
        for part, shape, path in zip(parts, self.shapes, self.paths, strict=True):
            got = np.shape(part)
            if got != shape:
                raise ValueError(f"{name}{path} has shape {got}; expected {shape}, the shape "
                                 f"of x0{path}")
        return self._join(parts)

    def flat_trusted(self, value):
        """``value`` raveled without checks: it comes from optkit's AD, in x0's structure."""
        return self._join(tree.leaves(value))

    def _join(self, parts):
        if len(parts) == 1:
            return np.array(parts[0], dtype=np.float64).reshape(-1)
        return np.concatenate([np.ravel(p) for p in parts], dtype=np.float64)

    def flat_output(self, out, name="fun"):
        """A vector-valued function's output given in ``x0``'s structure (``root``), raveled;
        traced values stay traced. A plain array passes through."""
        if not self.structured or isinstance(out, np.ndarray) and out.ndim <= 1:
            return out
        parts = self.treedef.flatten_up_to(out, name=name)
        return np.concatenate([np.reshape(p, (-1,)) for p in parts])

    # ---- callables on the structure as callables on the flat vector ----
    def _hinted(self, fun):
        """``fun`` whose TypeError gets a hint when ``x0`` is a list or tuple that numpy would
        have stacked into one array (old code that meant an array)."""
        hint = self.hint
        if hint is None:
            return fun

        def hinted(x, *a, **k):
            try:
                return fun(x, *a, **k)
            except TypeError as exc:
                if _HINTED in str(exc):  # optkit's AD has said it already
                    raise
                raise with_hint(exc, hint) from exc.__cause__

        return hinted

    def value(self, fun):
        """``z -> fun(tree(z))``."""
        if not self.structured:
            return fun
        unravel, fun = self.unravel, self._hinted(fun)
        return lambda z, *a, **k: fun(unravel(z), *a, **k)

    def pair(self, fun, name="fun"):
        """``z -> (f, g)`` from ``fun(tree) -> (f, g in the structure)`` (``jac=True``)."""
        if not self.structured:
            return fun
        value = self.value(fun)

        def flat_pair(z, *a):
            out = value(z, *a)
            try:
                f, g = out
            except (TypeError, ValueError) as exc:
                raise TypeError(f"{name} (with jac=True) must return a pair (f, g)") from exc
            return f, self.flat(g, f"{name}'s gradient ")

        return flat_pair

    def gradient(self, jac, name="jac", trusted=False):
        """``z -> flat(jac(tree(z)))``."""
        if not self.structured or not callable(jac):
            return jac
        unravel = self.unravel
        if trusted:
            return lambda z, *a: self.flat_trusted(jac(unravel(z), *a))
        return lambda z, *a: self.flat(jac(unravel(z), *a), name)

    def value_and_gradient(self, fun_and_jac):
        """``z -> (f, flat(g))`` from optkit's AD ``fun_and_jac(tree) -> (f, g)``."""
        if not self.structured or fun_and_jac is None:
            return fun_and_jac
        unravel, join = self.unravel, self.flat_trusted
        fun_and_jac = self._hinted(fun_and_jac)

        def flat_fun_and_jac(z):
            f, g = fun_and_jac(unravel(z))
            return f, join(g)

        return flat_fun_and_jac

    def product(self, hessp, name="hessp", trusted=False):
        """``(z, p) -> flat(hessp(tree(z), tree(p)))``."""
        if not self.structured or not callable(hessp):
            return hessp
        unravel = self.unravel

        def flat_hessp(z, p, *a):
            out = hessp(unravel(z), unravel(p), *a)
            return self.flat_trusted(out) if trusted else self.flat(out, name)

        return flat_hessp

    def dense(self, hess, name="hess"):
        """``z -> hess(tree(z))`` as an (n, n) array: with a structured ``x0`` a dense Hessian
        is given over the raveled vector (rows and columns in ``optkit.tree.ravel`` order)."""
        if not self.structured or not callable(hess):
            return hess
        unravel, n = self.unravel, self.size

        def flat_hess(z, *a):
            H = np.asarray(hess(unravel(z), *a), dtype=np.float64)
            if H.size != n * n:
                raise ValueError(f"{name} must return the ({n}, {n}) Hessian of the raveled "
                                 f"x0 (optkit.tree.ravel order), got shape {H.shape}")
            return H.reshape(n, n)

        return flat_hess

    def bounds(self, lb, ub, name="bounds"):
        """Flat float64 ``(lb, ub)`` from sides given in ``x0``'s structure.

        Each side is None (unbounded), a number or raveled vector, or a structure matching
        ``x0`` whose leaf at each path is None, a number (broadcast over that leaf of ``x0``)
        or an array of that leaf's shape; or a prefix of ``x0``'s structure with numbers or
        arrays at its leaves, each spread over the whole subtree of ``x0`` there.
        """
        lb, ub = self._side(lb, -np.inf, f"{name}.lb"), self._side(ub, np.inf, f"{name}.ub")
        bad = np.flatnonzero(lb > ub)
        if bad.size:
            i = int(bad[0])
            raise ValueError(f"{name}: lower {float(lb[i])!r} > upper {float(ub[i])!r} at "
                             f"x0{self.where(i)}")
        return lb, ub

    def where(self, i):
        """The path and index in its leaf of entry ``i`` of the raveled vector."""
        start = 0
        for shape, path in zip(self.shapes, self.paths, strict=True):
            stop = start + math.prod(shape)
            if i < stop:
                index = np.unravel_index(i - start, shape) if shape else ()
                return path + "".join(f"[{int(k)}]" for k in index)
            start = stop
        raise IndexError(i)

    def _side_parts(self, side, name):
        """The bound at each leaf of x0 (None: unbounded). ``side`` is x0's structure or a
        prefix of it: None, a number or an array at a path applies to the whole subtree of
        x0 there (``{"layers": 0.0, ...}`` bounds every array of a list of layers)."""
        parts = []
        _spread(side, self.unravel(np.zeros(self.size)), name, parts)
        return parts

    def _side(self, side, fill, name):
        n = self.size
        if side is None:
            return np.full(n, fill)
        if is_plain_vector(side):  # a number for every entry, or one per raveled entry
            arr = np.asarray(side, dtype=np.float64)
            if arr.size not in (1, n):
                raise ValueError(f"{name} has {arr.size} entries; expected 1, {n} (the raveled "
                                 "x0) or a structure matching x0")
            return np.array(np.broadcast_to(arr.reshape(-1), (n,)))
        parts = self._side_parts(side, name)
        out = np.empty(n)
        start = 0
        for part, shape, path in zip(parts, self.shapes, self.paths, strict=True):
            stop = start + math.prod(shape)
            if part is None:
                out[start:stop] = fill
            else:
                arr = np.asarray(part)
                if arr.dtype.kind not in "iuf":
                    raise TypeError(f"{name}{path}: dtype {arr.dtype}; a bound must be a "
                                    "number, an array of numbers or None")
                try:
                    out[start:stop] = np.broadcast_to(arr, shape).reshape(-1)
                except ValueError:
                    raise ValueError(f"{name}{path} has shape {arr.shape}; expected a number "
                                     f"or the shape of x0{path}, {shape}") from None
            start = stop
        return out


def as_start(x0, name="x0") -> Start:
    """``x0`` read as a plain vector or a structure (module docstring), ready for a solver.

    A structure is raveled to a new float64 vector (integer leaves converted); a plain vector
    is returned as given, for the solver's own checks. Raises TypeError naming the path to a
    leaf that is not real numbers, ValueError when the structure holds no number at all or a
    leaf is not finite.
    """
    if is_plain_vector(x0):
        return Start(x0)
    raw, treedef = tree.flatten(x0)
    paths = treedef.paths()
    leaves = [_leaf(v, p, name) for p, v in zip(paths, raw, strict=True)]
    for path, leaf in zip(paths, leaves, strict=True):
        if not np.isfinite(leaf).all():
            raise ValueError(f"{name}{path} must be finite")
    if sum(leaf.size for leaf in leaves) == 0:
        raise ValueError(f"{name} must have at least one element (its leaves are all empty)")
    flat, unravel = tree.ravel(treedef.unflatten(leaves), name=name)
    return Start(np.asarray(flat, dtype=np.float64), unravel,
                 [leaf.shape for leaf in leaves], x0, name)


def _children(x):
    """``[(path part, child), ...]`` of a container of optkit.tree, None for a leaf."""
    if tree.structure(x) == _LEAF:
        return None
    if isinstance(x, dict):
        keys = list(x) if isinstance(x, collections.OrderedDict) else sorted(x)
        return [(f"[{k!r}]", x[k]) for k in keys]
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return [(f".{f}", v) for f, v in zip(x._fields, x, strict=True)]
    if isinstance(x, (list, tuple)):
        return [(f"[{i}]", v) for i, v in enumerate(x)]
    if x is None:
        return []
    return [(f".{f.name}", getattr(x, f.name)) for f in dataclasses.fields(x)]


_LEAF = tree.structure(0.0)


def _spread(side, sub, path, out):
    """Append to ``out`` the bound for each leaf of ``sub`` (a part of x0): ``side`` there,
    or its matching part when both are containers."""
    sub_children = _children(sub)
    side_children = None if sub_children is None else _children(side)
    if side_children is not None and side is not None and type(side) is type(sub) and (
            [p for p, _ in side_children] == [p for p, _ in sub_children]):
        for (part, s), (_, x) in zip(side_children, sub_children, strict=True):
            _spread(s, x, path + part, out)
        return
    if sub_children is None or side is None or is_plain_vector(side) or (
            type(side) in (list, tuple) and _numbers_only(side)):
        out.extend([side] * tree.structure(sub).num_leaves)  # over the whole subtree
        return
    raise ValueError(f"{path}: expected None, a number, an array or a {type(sub).__name__} "
                     f"like x0's there ({tree.structure(sub)!r}), got {type(side).__name__}")


def _numbers_only(side):
    """True for nested lists and tuples of numbers only (a bound array as np.asarray reads it)."""
    return all(_numbers_only(v) if type(v) in (list, tuple) else _is_scalar(v) for v in side)


def flat_bounds(bounds, start):
    """``(lb, ub)`` as flat float64 vectors when ``bounds`` (anything with ``lb`` and ``ub``
    attributes, such as ``optkit.Bounds``) gives them in ``x0``'s structure; None otherwise
    (plain bounds, pairs or None: they apply to the raveled vector as given).

    A side that is None, a number or a vector of the raveled length is plain; any other side
    of a structured ``x0`` is read by :meth:`Start.bounds` (a number at a path broadcasts over
    that leaf of ``x0``).
    """
    if not start.structured or bounds is None:
        return None
    lb, ub = getattr(bounds, "lb", None), getattr(bounds, "ub", None)
    if not (hasattr(bounds, "lb") and hasattr(bounds, "ub")):
        return None
    if all(side is None or is_plain_vector(side) for side in (lb, ub)):
        return None
    return start.bounds(lb, ub)
