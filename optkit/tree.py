"""Parameter structures ("pytrees"): flatten, rebuild, ravel to one vector, map over leaves.

A *tree* is a nested combination of containers; anything else is a *leaf* (numpy arrays,
Python and numpy scalars, and any other object). The containers follow JAX's pytree
conventions (``jax.tree_util``, ``jax.flatten_util.ravel_pytree``):

=============  ==============================================================================
dict           children in sorted-key order (keys must be mutually sortable)
OrderedDict    children in insertion order; the order is part of the structure
defaultdict    children in sorted-key order; rebuilt with the same ``default_factory``
list, tuple    children in order
namedtuple     children in field order; rebuilt as the same namedtuple type
dataclass      instances whose fields are all init fields; children in declaration order,
               rebuilt by calling the class with keyword arguments
None           an empty subtree: no leaves
=============  ==============================================================================

Only these exact types are containers: a subclass of dict or list is a leaf, as in JAX
(namedtuples and dataclasses are recognised by their marks, not by a registry).

The structure left after taking the leaves out is a :class:`TreeDef`: hashable and comparable,
so a cache can key on it. ``flatten`` walks the tree once and allocates one list; the hot
direction in an optimizer, a flat vector back to the structure, is ``ravel``'s ``unravel``,
which slices precomputed offsets into views of the vector.

This module is a leaf of the package: it imports numpy and the standard library only, so that
``optkit.ad``, ``optkit.optim`` and the front door can all use it.
"""

import dataclasses
import math
from collections import OrderedDict, defaultdict

import numpy as np

# `map` is left out so that `from optkit.tree import *` cannot shadow the builtin; call it as
# `optkit.tree.map`, as JAX users call `jax.tree.map`.
__all__ = ["TreeDef", "Unravel", "flatten", "unflatten", "leaves", "structure",
           "flatten_with_path", "ravel"]

# The structure is a nested tuple "spec": a leaf is LEAF, a container is (kind, aux, children),
# where aux is what rebuilding needs beyond the children (sorted keys, a type, field names).
# Tuples and strings hash and compare in C, which makes TreeDef equality and hashing cheap.
LEAF = "*"


class _StructureError(Exception):
    """Raised inside the walk; each container on the way out adds its path part."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message
        self.parts = []  # innermost first

    def path(self):
        return "".join(reversed(self.parts))


# ---------------------------------------------------------------- containers, one level each
# A node function takes a container and returns (kind, aux, children): the kind, what
# rebuilding needs besides the children (sorted keys, a type, field names), and the children
# in flatten order. The walk recurses; mismatch checks and messages read the same triple.


def _sorted_keys(d):
    try:
        return tuple(sorted(d))
    except TypeError:
        types = sorted({type(k).__name__ for k in d})
        raise _StructureError(
            f"dict keys must be sortable (dicts are flattened in sorted-key order, as in JAX); "
            f"got keys of types {', '.join(types)}"
        ) from None


def _dict_node(x):
    keys = _sorted_keys(x)
    return "dict", keys, [x[k] for k in keys]


def _ordereddict_node(x):
    return "odict", tuple(x), list(x.values())


def _defaultdict_node(x):
    keys = _sorted_keys(x)
    return "ddict", (x.default_factory, keys), [x[k] for k in keys]


def _list_node(x):
    return "list", None, x


def _tuple_node(x):
    return "tuple", None, x


def _none_node(x):
    return "none", None, ()


def _namedtuple_node(x):
    return "namedtuple", type(x), x


def _dataclass_node_for(cls):
    fields = dataclasses.fields(cls)
    not_init = [f.name for f in fields if not f.init]
    if not_init:
        message = (
            f"dataclass {cls.__qualname__} has field {not_init[0]!r} with init=False; "
            "only dataclasses whose fields are all init fields can be rebuilt"
        )

        def refuse(x):
            raise _StructureError(message)

        return refuse
    names = tuple(f.name for f in fields)
    aux = (cls, names)

    def dataclass_node(x):
        return "dataclass", aux, [getattr(x, name) for name in names]

    return dataclass_node


# type -> node function, or None for a leaf type. namedtuple, dataclass and leaf types are
# added by _classify on first sight, so each type is inspected once.
_NODES = {
    dict: _dict_node,
    OrderedDict: _ordereddict_node,
    defaultdict: _defaultdict_node,
    list: _list_node,
    tuple: _tuple_node,
    type(None): _none_node,
}
_UNSEEN = object()


def _classify(cls):
    if issubclass(cls, tuple) and hasattr(cls, "_fields"):
        node = _namedtuple_node
    elif dataclasses.is_dataclass(cls):
        node = _dataclass_node_for(cls)
    else:
        node = None
    _NODES[cls] = node
    return node


def _node_of(x):
    node = _NODES.get(type(x), _UNSEEN)
    return _classify(type(x)) if node is _UNSEEN else node


def _labels(kind, aux, n):
    """Path parts of the ``n`` children of a container: ``['key']``, ``[0]`` or ``.field``."""
    if kind in ("dict", "odict"):
        return [f"[{k!r}]" for k in aux]
    if kind == "ddict":
        return [f"[{k!r}]" for k in aux[1]]
    if kind == "namedtuple":
        return [f".{name}" for name in aux._fields]
    if kind == "dataclass":
        return [f".{name}" for name in aux[1]]
    return [f"[{i}]" for i in range(n)]


def _walk(x, leaves):
    """The spec of ``x``; its leaves are appended to ``leaves``."""
    node = _node_of(x)
    if node is None:
        leaves.append(x)
        return LEAF
    kind, aux, values = node(x)
    nodes = _NODES
    children = []
    try:
        for v in values:
            if nodes.get(type(v), _UNSEEN) is None:  # the common case, a known leaf type
                leaves.append(v)
                children.append(LEAF)
            else:
                children.append(_walk(v, leaves))
    except _StructureError as e:
        e.parts.append(_labels(kind, aux, len(values))[len(children)])
        raise
    return (kind, aux, tuple(children))


# ---------------------------------------------------------------- rebuilding


def _rebuild_dataclass(aux, values):
    cls, names = aux
    return cls(**dict(zip(names, values, strict=True)))


_BUILDERS = {
    "dict": lambda keys, values: dict(zip(keys, values, strict=True)),
    "odict": lambda keys, values: OrderedDict(zip(keys, values, strict=True)),
    "ddict": lambda aux, values: defaultdict(aux[0], zip(aux[1], values, strict=True)),
    "list": lambda aux, values: list(values),
    "tuple": lambda aux, values: tuple(values),
    "none": lambda aux, values: None,
    "namedtuple": lambda cls, values: cls(*values),
    "dataclass": _rebuild_dataclass,
}


def _build(spec, it):
    if spec is LEAF:
        return next(it)
    kind, aux, children = spec
    values = [next(it) if c is LEAF else _build(c, it) for c in children]
    return _BUILDERS[kind](aux, values)


def _paths(spec, prefix, out):
    if spec is LEAF:
        out.append(prefix)
        return out
    kind, aux, children = spec
    for label, child in zip(_labels(kind, aux, len(children)), children, strict=True):
        _paths(child, prefix + label, out)
    return out


def _describe(kind, aux, n):
    """A short description of a container for mismatch messages."""
    if kind in ("dict", "odict", "ddict"):
        keys = aux[1] if kind == "ddict" else aux
        name = {"dict": "dict", "odict": "OrderedDict", "ddict": "defaultdict"}[kind]
        return f"a {name} with keys {list(keys)}"
    if kind in ("list", "tuple"):
        return f"a {kind} of length {n}"
    if kind == "none":
        return "None"
    return f"a {(aux if kind == 'namedtuple' else aux[0]).__qualname__}"


def _upto(spec, tree, out):
    """Append to ``out`` the subtrees of ``tree`` found at the leaves of ``spec``."""
    if spec is LEAF:
        out.append(tree)
        return
    kind, aux, children = spec
    node = _node_of(tree)
    if node is None:
        raise _StructureError(f"expected {_describe(kind, aux, len(children))}, got a leaf "
                              f"of type {type(tree).__name__}")
    their_kind, their_aux, values = node(tree)
    if their_kind != kind or their_aux != aux or len(values) != len(children):
        raise _StructureError(f"expected {_describe(kind, aux, len(children))}, got "
                              f"{_describe(their_kind, their_aux, len(values))}")
    for i, (child, value) in enumerate(zip(children, values, strict=True)):
        try:
            _upto(child, value, out)
        except _StructureError as e:
            e.parts.append(_labels(kind, aux, len(children))[i])
            raise


def _spec_repr(spec):
    if spec is LEAF:
        return "*"
    kind, aux, children = spec
    inner = [_spec_repr(c) for c in children]
    if kind in ("dict", "odict", "ddict"):
        keys = aux[1] if kind == "ddict" else aux
        body = "{" + ", ".join(f"{k!r}: {v}" for k, v in zip(keys, inner, strict=True)) + "}"
        if kind == "odict":
            return f"OrderedDict({body})"
        if kind == "ddict":
            factory = getattr(aux[0], "__qualname__", repr(aux[0]))
            return f"defaultdict({factory}, {body})"
        return body
    if kind == "list":
        return "[" + ", ".join(inner) + "]"
    if kind == "tuple":
        return "(" + ", ".join(inner) + (",)" if len(inner) == 1 else ")")
    if kind == "none":
        return "None"
    cls, names = (aux, aux._fields) if kind == "namedtuple" else aux
    fields = ", ".join(f"{n}={v}" for n, v in zip(names, inner, strict=True))
    return f"{cls.__qualname__}({fields})"


class TreeDef:
    """The structure of a tree without its leaves.

    Made by :func:`flatten` and :func:`structure`, not by hand. Hashable, and equal exactly
    when two trees have the same containers (types, sorted dict keys, namedtuple and dataclass
    types) in the same arrangement, so a cache can key on it.

    Parameters
    ----------
    spec : tuple
        The nested description of the containers, as :func:`flatten` builds it (internal).
    num_leaves : int
        The number of leaves.

    Attributes
    ----------
    num_leaves : int
        The number of leaves ``unflatten`` expects.

    Examples
    --------
    >>> treedef = structure({"w": [0.0, 0.0], "b": 0.0})
    >>> treedef.num_leaves, treedef.paths()
    (3, ["['b']", "['w'][0]", "['w'][1]"])
    >>> treedef.unflatten([1.0, 2.0, 3.0])
    {'b': 1.0, 'w': [2.0, 3.0]}
    """

    __slots__ = ("_spec", "num_leaves", "_hash")

    def __init__(self, spec, num_leaves):
        self._spec = spec
        self.num_leaves = num_leaves
        self._hash = None

    def __eq__(self, other):
        if not isinstance(other, TreeDef):
            return NotImplemented
        return self is other or self._spec == other._spec

    def __hash__(self):
        if self._hash is None:
            self._hash = hash(self._spec)
        return self._hash

    def __repr__(self):
        return f"TreeDef({_spec_repr(self._spec)})"

    def unflatten(self, leaves):
        """The tree of this structure with ``leaves`` (a sequence, in flatten order) put back."""
        try:
            n = len(leaves)
        except TypeError:  # an iterator
            leaves = list(leaves)
            n = len(leaves)
        if n != self.num_leaves:
            raise ValueError(f"unflatten: {self!r} has {self.num_leaves} leaves, got {n}")
        spec = self._spec
        if spec is LEAF:
            return leaves[0]
        kind, aux, children = spec
        if children.count(LEAF) == len(children):  # one container of leaves: the usual case
            return _BUILDERS[kind](aux, leaves)
        return _build(spec, iter(leaves))

    def flatten_up_to(self, tree, *, name="tree"):
        """The subtrees of ``tree`` at this structure's leaves (JAX's ``flatten_up_to``).

        ``tree`` must have this structure, or this structure as a prefix (a leaf here may be a
        whole subtree there). A mismatch is a ValueError naming the path, prefixed by ``name``.
        """
        out = []
        try:
            _upto(self._spec, tree, out)
        except _StructureError as e:
            raise ValueError(f"{name}{e.path()}: {e.message}") from None
        return out

    def paths(self):
        """The path of each leaf, in flatten order: ``['layer1'][0]``, ``.bias``, ``''``."""
        return _paths(self._spec, "", [])


# ---------------------------------------------------------------- the public functions


def flatten(tree):
    """The leaves of a tree in a fixed order, and its structure.

    Parameters
    ----------
    tree : object
        A nested combination of the containers listed in the module docstring; anything
        else is a leaf.

    Returns
    -------
    leaves : list
        The leaves, depth first, dicts in sorted-key order.
    treedef : TreeDef
        The structure without the leaves; ``treedef.unflatten(leaves)`` rebuilds ``tree``.

    Raises
    ------
    TypeError
        Naming the path to a container that cannot be flattened (a dict whose keys do not
        sort, a dataclass with a field that is not an init field).

    Examples
    --------
    >>> leaves, treedef = flatten({"b": 2.0, "a": [1.0, None]})
    >>> leaves
    [1.0, 2.0]
    >>> treedef
    TreeDef({'a': [*, None], 'b': *})
    >>> treedef.unflatten([10.0, 20.0])
    {'a': [10.0, None], 'b': 20.0}
    """
    return _flatten(tree, "tree")


def _flatten(tree, name):
    leaves = []
    try:
        spec = _walk(tree, leaves)
    except _StructureError as e:
        raise TypeError(f"{name}{e.path()}: {e.message}") from None
    return leaves, TreeDef(spec, len(leaves))


def unflatten(treedef, leaves):
    """The tree with structure ``treedef`` and the given ``leaves`` (JAX's ``tree_unflatten``).

    Parameters
    ----------
    treedef : TreeDef
        A structure, from :func:`flatten` or :func:`structure`.
    leaves : sequence
        ``treedef.num_leaves`` values, in flatten order.

    Returns
    -------
    object
        A new tree; the leaves themselves are not copied.

    Raises
    ------
    TypeError
        When ``treedef`` is not a TreeDef (arguments swapped?).
    ValueError
        When the number of leaves differs from ``treedef.num_leaves``.

    Examples
    --------
    >>> unflatten(structure((0.0, {"w": 0.0})), [1.0, 2.0])
    (1.0, {'w': 2.0})
    """
    if not isinstance(treedef, TreeDef):
        raise TypeError(
            f"unflatten(treedef, leaves): treedef must be a TreeDef, got "
            f"{type(treedef).__name__} (arguments swapped?)"
        )
    return treedef.unflatten(leaves)


def leaves(tree):
    """The leaves of ``tree`` in flatten order (``flatten(tree)[0]``).

    Parameters
    ----------
    tree : object
        Any tree (see the module docstring).

    Returns
    -------
    list
        The leaves, depth first, dicts in sorted-key order.

    Examples
    --------
    >>> leaves({"w": 1.0, "b": (2.0, 3.0)})
    [2.0, 3.0, 1.0]
    """
    return flatten(tree)[0]


def structure(tree):
    """The :class:`TreeDef` of ``tree`` (``flatten(tree)[1]``).

    Parameters
    ----------
    tree : object
        Any tree (see the module docstring).

    Returns
    -------
    TreeDef
        Its structure: hashable, equal for trees of the same shape.

    Examples
    --------
    >>> structure({"w": 1.0}) == structure({"w": 5.0})
    True
    """
    return flatten(tree)[1]


def flatten_with_path(tree):
    """Each leaf with its path, in flatten order.

    Parameters
    ----------
    tree : object
        Any tree (see the module docstring).

    Returns
    -------
    list of (str, object)
        ``(path, leaf)`` pairs; paths read like ``['layer1'][0]`` or ``.bias``. The root
        leaf's path is ``''``; prefix the argument's name for a message (``x0['w']``).

    Examples
    --------
    >>> flatten_with_path({"layer": [1.0, 2.0], "scale": 3.0})
    [("['layer'][0]", 1.0), ("['layer'][1]", 2.0), ("['scale']", 3.0)]
    """
    leaves_, treedef = flatten(tree)
    return list(zip(treedef.paths(), leaves_, strict=True))


def map(f, tree, *rest):  # JAX's name (jax.tree.map); this module never calls the builtin
    """The tree of ``f(leaf, *others)`` over the leaves of ``tree`` (JAX's ``tree_map``).

    Parameters
    ----------
    f : callable
        Called once per leaf, with the matching subtrees of ``rest`` as further arguments.
    tree : object
        The tree whose structure the result has.
    *rest : object
        Trees with the structure of ``tree``, or with it as a prefix (a leaf of ``tree`` may
        match a whole subtree there).

    Returns
    -------
    object
        A tree of the structure of ``tree`` holding the values of ``f``.

    Raises
    ------
    ValueError
        When a tree in ``rest`` does not match, naming the path in ``rest[i]``.

    Examples
    --------
    >>> import optkit
    >>> optkit.tree.map(lambda a, b: a + b, {"w": 1.0, "b": 2.0}, {"w": 10.0, "b": 20.0})
    {'b': 22.0, 'w': 11.0}
    """
    leaves_, treedef = flatten(tree)
    if not rest:
        return treedef.unflatten([f(x) for x in leaves_])
    others = [treedef.flatten_up_to(r, name=f"rest[{i}]") for i, r in enumerate(rest)]
    return treedef.unflatten([f(*xs) for xs in zip(leaves_, *others, strict=True)])


# ---------------------------------------------------------------- ravel


class Unravel:
    """The inverse of :func:`ravel` for one structure: a flat vector back to the tree.

    Made by :func:`ravel`; call it with a vector. Each leaf comes back with its own shape and
    dtype: a view ``flat[a:b].reshape(shape)`` when its dtype is the vector's (so the leaves
    share memory with ``flat``; copy them before writing in place), a converted copy otherwise.
    Scalar leaves come back as 0-d arrays, as in JAX. Any real floating vector of the right
    size is accepted (each leaf is converted to its own dtype); another shape is a ValueError,
    a non-floating dtype a TypeError.

    Parameters
    ----------
    treedef : TreeDef
        The structure of the tree.
    shapes : sequence of tuple
        Each leaf's shape, in leaf order.
    dtypes : sequence of numpy.dtype
        Each leaf's dtype, in leaf order.
    dtype : numpy.dtype
        The dtype of the flat vector.

    Attributes
    ----------
    treedef : TreeDef
        The structure it rebuilds.
    size : int
        The length of the vector it expects.
    dtype : numpy.dtype
        The dtype of the vector ``ravel`` made.

    Examples
    --------
    >>> import numpy as np
    >>> flat, unravel = ravel({"a": 1.0, "b": np.zeros(2)})
    >>> unravel.size
    3
    >>> unravel(np.array([5.0, 6.0, 7.0]))
    {'a': array(5.), 'b': array([6., 7.])}
    """

    __slots__ = ("treedef", "size", "dtype", "_dtypes", "_pieces", "_shape")

    def __init__(self, treedef, shapes, dtypes, dtype):
        self.treedef = treedef
        self.dtype = dtype
        self._dtypes = dtypes
        # (start, stop, shape, dtype to convert to or None), computed once for the hot path
        pieces, start = [], 0
        for shape, leaf_dtype in zip(shapes, dtypes, strict=True):
            stop = start + math.prod(shape)
            pieces.append((slice(start, stop), shape, None if leaf_dtype == dtype else leaf_dtype))
            start = stop
        self.size = start
        self._shape = (start,)
        self._pieces = pieces

    def __repr__(self):
        return f"Unravel({self.treedef!r}, size={self.size}, dtype={self.dtype})"

    def __call__(self, flat):
        if type(flat) is not np.ndarray and not hasattr(flat, "dtype"):
            flat = np.asarray(flat)  # a list; arrays and traced values keep their own type
        if flat.shape != self._shape:
            raise ValueError(
                f"unravel: flat must be a vector of shape ({self.size},), got shape {flat.shape}"
            )
        pieces = self._pieces
        if flat.dtype != self.dtype:
            if flat.dtype.kind != "f":
                raise TypeError(
                    f"unravel: flat must have a real floating dtype, got {flat.dtype}"
                )
            pieces = [(part, shape, None if d == flat.dtype else d)
                      for (part, shape, _), d in zip(pieces, self._dtypes, strict=True)]
        return self.treedef.unflatten([
            flat[part].reshape(shape) if cast is None else flat[part].reshape(shape).astype(cast)
            for part, shape, cast in pieces
        ])


def ravel(tree, *, name="tree"):
    """The leaves of ``tree`` concatenated into one 1-D vector, and the function that rebuilds
    the tree from such a vector (JAX's ``ravel_pytree``).

    Parameters
    ----------
    tree : object
        A tree whose leaves are arrays or scalars of a real floating dtype.
    name : str, optional
        The prefix of paths in error messages (``"params"`` gives ``params['w']``).

    Returns
    -------
    flat : numpy.ndarray
        A new 1-D array whose dtype is the promoted dtype of the leaves (float64 for a tree
        without leaves).
    unravel : Unravel
        Rebuilds the tree from a vector of ``flat``'s size; its leaves are views of that
        vector where dtypes agree.

    Raises
    ------
    TypeError
        For a leaf that is not real floating (int, bool, complex, object), naming its path,
        for example ``params['layer1'][0]: dtype int64``; for a container that cannot be
        flattened.

    Examples
    --------
    >>> import numpy as np
    >>> flat, unravel = ravel({"W": np.ones((2, 2)), "b": np.zeros(2)})
    >>> flat
    array([1., 1., 1., 1., 0., 0.])
    >>> unravel(np.arange(6.0))["W"]
    array([[0., 1.],
           [2., 3.]])
    """
    leaves_, treedef = _flatten(tree, name)
    arrays = [np.asarray(x) for x in leaves_]
    for i, a in enumerate(arrays):
        if a.dtype.kind != "f":
            hint = (" (write 3.0 rather than 3, or convert with .astype(float))"
                    if a.dtype.kind in "biu" else "")
            raise TypeError(
                f"{name}{treedef.paths()[i]}: dtype {a.dtype}; leaves must be arrays or "
                f"scalars of a real floating dtype{hint}"
            )
    dtypes = [a.dtype for a in arrays]
    dtype = np.result_type(*dtypes) if arrays else np.dtype(np.float64)
    if arrays:
        flat = np.concatenate([a.reshape(-1) for a in arrays], dtype=dtype)
    else:
        flat = np.zeros(0, dtype)
    return flat, Unravel(treedef, [a.shape for a in arrays], dtypes, dtype)
