"""optkit.tree: flatten/unflatten and ravel/unravel round trips, JAX's container conventions,
TreeDef equality and hashing, map, and errors that name the path to the bad part."""

import dataclasses
from collections import OrderedDict, defaultdict, namedtuple

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optkit import tree

# Hypothesis's pytest plugin may import libcst on a failure, whose import warns (see
# tests/ad/test_properties.py); keep a failure report readable with warnings as errors.
pytestmark = pytest.mark.filterwarnings(
    "ignore:mypy_extensions.TypedDict is deprecated:DeprecationWarning"
)

SETTINGS = settings(
    derandomize=True,  # the same examples on every run
    database=None,
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

Point = namedtuple("Point", "x y")


@dataclasses.dataclass
class Layer:
    w: object
    b: object


@dataclasses.dataclass(frozen=True)
class Frozen:
    a: object
    b: object = None


# ---------------------------------------------------------------- generated trees


@st.composite
def arrays(draw):
    shape = tuple(draw(st.lists(st.integers(0, 3), max_size=3)))
    dtype = draw(st.sampled_from([np.float64, np.float32, np.float16]))
    seed = draw(st.integers(0, 2**16))
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


LEAVES = st.one_of(
    arrays(),
    st.floats(-1e3, 1e3, allow_nan=False),
    st.builds(np.float32, st.floats(-1e3, 1e3, allow_nan=False, width=32)),
)
KEYS = st.text("abcxyz", min_size=1, max_size=3)


def containers(children):
    return st.one_of(
        st.dictionaries(KEYS, children, max_size=4),
        st.lists(children, max_size=4),
        st.lists(children, max_size=4).map(tuple),
        st.builds(Point, children, children),
        st.builds(Layer, children, children),
        st.builds(Frozen, children, children),
        st.lists(st.tuples(KEYS, children), max_size=4).map(OrderedDict),
        st.dictionaries(KEYS, children, max_size=3).map(lambda d: defaultdict(list, d)),
        st.none(),
    )


TREES = st.recursive(LEAVES | st.none(), containers, max_leaves=12)


def assert_same(a, b, path="tree"):
    """Same containers (exact types, keys in the same order for OrderedDict) and equal leaves
    with the same dtype and shape."""
    assert type(a) is type(b), f"{path}: {type(a).__name__} vs {type(b).__name__}"
    if isinstance(a, dict):
        assert list(a) == list(b) if isinstance(a, OrderedDict) else set(a) == set(b), path
        if isinstance(a, defaultdict):
            assert a.default_factory is b.default_factory, path
        for k in a:
            assert_same(a[k], b[k], f"{path}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{path}[{i}]")
    elif dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            assert_same(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}")
    elif a is None:
        assert b is None, path
    else:
        assert np.shape(a) == np.shape(b) and np.asarray(a).dtype == np.asarray(b).dtype, path
        assert np.array_equal(a, b), path


@SETTINGS
@given(TREES)
def test_flatten_unflatten_round_trip(t):
    leaves, treedef = tree.flatten(t)
    assert treedef.num_leaves == len(leaves)
    assert_same(tree.unflatten(treedef, leaves), t)
    assert_same(treedef.unflatten(iter(leaves)), t)  # any iterable of leaves
    assert tree.structure(tree.unflatten(treedef, leaves)) == treedef
    # the leaves are the objects themselves, not copies
    assert all(x is y for x, y in zip(leaves, tree.leaves(t), strict=True))


@SETTINGS
@given(TREES)
def test_ravel_unravel_round_trip(t):
    flat, unravel = tree.ravel(t)
    leaves = [np.asarray(x) for x in tree.leaves(t)]
    assert flat.ndim == 1 and flat.size == sum(x.size for x in leaves) == unravel.size
    expected = np.result_type(*leaves) if leaves else np.float64
    assert flat.dtype == expected
    back = unravel(flat)
    # scalar leaves come back as 0-d arrays (as in JAX); shapes and dtypes are the leaves' own
    assert_same(back, tree.map(np.asarray, t))
    assert np.array_equal(tree.ravel(back)[0], flat)


@SETTINGS
@given(TREES)
def test_paths_name_each_leaf(t):
    pairs = tree.flatten_with_path(t)
    assert all(x is y for (_, x), y in zip(pairs, tree.leaves(t), strict=True))
    for path, leaf in pairs:
        # the path, read as Python, gets the leaf back from the tree
        assert eval("t" + path, {"t": t}) is leaf


# ---------------------------------------------------------------- conventions


def test_dict_is_flattened_in_sorted_key_order():
    leaves, treedef = tree.flatten({"b": 2.0, "a": 1.0, "c": 3.0})
    assert leaves == [1.0, 2.0, 3.0]
    assert treedef == tree.structure({"c": 0.0, "a": 0.0, "b": 0.0})
    assert repr(treedef) == "TreeDef({'a': *, 'b': *, 'c': *})"


def test_ordereddict_keeps_insertion_order_and_it_is_part_of_the_structure():
    t = OrderedDict([("b", 2.0), ("a", 1.0)])
    leaves, treedef = tree.flatten(t)
    assert leaves == [2.0, 1.0]
    assert treedef != tree.structure(OrderedDict([("a", 1.0), ("b", 2.0)]))
    assert treedef != tree.structure({"b": 2.0, "a": 1.0})


def test_defaultdict_keeps_its_factory():
    back = tree.map(lambda x: 2 * x, defaultdict(list, {"b": 1.0, "a": 2.0}))
    assert type(back) is defaultdict and back.default_factory is list
    assert back == {"a": 4.0, "b": 2.0}
    assert tree.structure(defaultdict(list, {"a": 1.0})) != tree.structure(
        defaultdict(dict, {"a": 1.0}))


def test_none_is_an_empty_subtree():
    leaves, treedef = tree.flatten([None, 1.0, {"a": None}])
    assert leaves == [1.0] and treedef.num_leaves == 1
    assert tree.unflatten(treedef, [5.0]) == [None, 5.0, {"a": None}]
    assert tree.flatten(None)[0] == []
    flat, unravel = tree.ravel(None)
    assert flat.shape == (0,) and flat.dtype == np.float64 and unravel(flat) is None


def test_namedtuple_and_dataclasses_are_rebuilt_as_their_type():
    t = Point(Layer(np.ones(2), 3.0), Frozen(np.zeros((1, 2))))
    leaves, treedef = tree.flatten(t)
    assert len(leaves) == 3  # Frozen.b is None: no leaf
    assert repr(treedef) == "TreeDef(Point(x=Layer(w=*, b=*), y=Frozen(a=*, b=None)))"
    back = tree.unflatten(treedef, [np.full(2, 7.0), 8.0, np.ones((1, 2))])
    assert type(back) is Point and type(back.x) is Layer and type(back.y) is Frozen
    assert back.x.b == 8.0 and back.y.b is None
    assert [p for p, _ in tree.flatten_with_path(t)] == [".x.w", ".x.b", ".y.a"]


def test_lists_tuples_and_subclasses():
    # lists and tuples are containers: a list of equal-shaped arrays is not stacked
    leaves, treedef = tree.flatten([np.ones(2), np.ones(2)])
    assert len(leaves) == 2 and treedef != tree.structure((np.ones(2), np.ones(2)))

    class MyDict(dict):
        pass

    # only the exact container types are containers, as in JAX
    assert tree.flatten(MyDict(a=1.0))[0] == [MyDict(a=1.0)]


def test_other_objects_are_leaves():
    leaves, _ = tree.flatten({"s": "text", "a": np.ones(3), "n": np.float32(2), "f": 1.5})
    assert len(leaves) == 4 and leaves[3] == "text"


def test_zero_size_and_scalar_leaves_in_ravel():
    t = {"e": np.zeros((0, 3)), "s": 2.5, "z": np.array(4.0), "v": np.arange(3.0)}
    flat, unravel = tree.ravel(t)
    np.testing.assert_array_equal(flat, [2.5, 0.0, 1.0, 2.0, 4.0])  # keys e, s, v, z
    back = unravel(flat + 1)
    assert back["e"].shape == (0, 3) and back["s"].shape == () and back["z"].shape == ()
    assert float(back["s"]) == 3.5


def test_unravel_restores_dtypes_and_returns_views_when_dtypes_match():
    t = {"a": np.ones((2, 2), np.float32), "b": np.arange(3.0)}
    flat, unravel = tree.ravel(t)
    assert flat.dtype == np.float64
    back = unravel(flat)
    assert back["a"].dtype == np.float32 and back["b"].dtype == np.float64
    assert np.shares_memory(back["b"], flat) and not np.shares_memory(back["a"], flat)
    # a vector of another real floating dtype converts each leaf to its own dtype
    back32 = unravel(flat.astype(np.float32))
    assert back32["a"].dtype == np.float32 and back32["b"].dtype == np.float64
    # all float32: the vector is float32 and every leaf a view
    flat32, unravel32 = tree.ravel({"a": np.ones(2, np.float32)})
    assert flat32.dtype == np.float32 and np.shares_memory(unravel32(flat32)["a"], flat32)
    # ravel copies: writing into flat does not touch the tree
    flat[:] = 0
    assert t["b"][1] == 1.0


def test_unravel_refuses_a_wrong_vector():
    _, unravel = tree.ravel({"a": np.ones(3)})
    with pytest.raises(ValueError, match=r"shape \(3,\), got shape \(4,\)"):
        unravel(np.ones(4))
    with pytest.raises(ValueError, match="shape"):
        unravel(np.ones((3, 1)))
    with pytest.raises(TypeError, match="real floating dtype, got complex128"):
        unravel(np.ones(3, complex))
    with pytest.raises(TypeError, match="int64"):
        unravel(np.ones(3, np.int64))
    assert np.array_equal(unravel([1.0, 2.0, 3.0])["a"], [1.0, 2.0, 3.0])  # a list is fine


# ---------------------------------------------------------------- errors naming the path


@pytest.mark.parametrize(
    "leaf, dtype",
    [(np.array([object()]), "object"), (3, "int64"), (True, "bool"),
     (np.ones(2, complex), "complex128"), ("abc", "<U3")],
)
def test_ravel_names_the_path_to_a_non_floating_leaf(leaf, dtype):
    params = {"layer1": [leaf, np.ones(2)], "layer0": np.ones(1)}
    with pytest.raises(TypeError, match=rf"^params\['layer1'\]\[0\]: dtype {dtype}; "):
        tree.ravel(params, name="params")


def test_ravel_hints_at_float_literals_for_integers():
    with pytest.raises(TypeError, match=r"tree\.n: dtype int64.*3\.0 rather than 3"):
        tree.ravel(Counted(1.0, 3))


Counted = namedtuple("Counted", "x n")


def test_unsortable_dict_keys_name_the_path():
    with pytest.raises(TypeError, match=r"^tree\['a'\]\[1\]: dict keys must be sortable.*int, str"):
        tree.flatten({"a": [1.0, {1: 2.0, "x": 3.0}]})


def test_dataclass_with_a_non_init_field_is_refused_with_its_path():
    @dataclasses.dataclass
    class Cached:
        w: object
        cache: object = dataclasses.field(init=False, default=None)

    with pytest.raises(TypeError, match=r"^x0\['m'\]: dataclass .*Cached has field 'cache' "
                                        r"with init=False"):
        tree.ravel({"m": Cached(np.ones(2))}, name="x0")


def test_unflatten_checks_its_arguments():
    leaves, treedef = tree.flatten({"a": 1.0, "b": [2.0]})
    with pytest.raises(ValueError, match="has 2 leaves, got 3"):
        tree.unflatten(treedef, [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="arguments swapped"):
        tree.unflatten(leaves, treedef)


# ---------------------------------------------------------------- TreeDef and map


def test_treedef_equality_and_hash():
    a = tree.structure({"w": np.ones((2, 3)), "b": [np.ones(2), None]})
    b = tree.structure({"b": [0.0, None], "w": 1.0})  # leaf values and shapes do not matter
    c = tree.structure({"w": 1.0, "b": (0.0, None)})  # a tuple is not a list
    d = tree.structure({"w": 1.0, "b": [0.0, 1.0]})  # None is not a leaf
    assert a == b and hash(a) == hash(b)
    assert a != c and a != d and c != d
    assert len({a, b, c, d}) == 3
    assert {a: "cached"}[b] == "cached"
    assert a != "not a treedef"
    assert tree.structure(Point(1.0, 2.0)) != tree.structure((1.0, 2.0))
    assert tree.structure(Layer(1.0, 2.0)) != tree.structure(Frozen(1.0, 2.0))
    assert repr(c) == "TreeDef({'b': (*, None), 'w': *})"
    assert repr(tree.structure((1.0,))) == "TreeDef((*,))"
    assert repr(tree.structure(1.0)) == "TreeDef(*)"


def test_map_over_several_trees():
    t = {"a": np.ones(2), "b": (1.0, None, Point(2.0, 3.0))}
    u = {"a": np.full(2, 2.0), "b": (10.0, None, Point(20.0, 30.0))}
    out = tree.map(lambda x, y, z: x + y * z, t, u, u)
    assert_same(out, {"a": np.full(2, 5.0), "b": (101.0, None, Point(402.0, 903.0))})
    # a leaf of the first tree may stand for a whole subtree of the others (JAX's prefix rule)
    assert tree.map(lambda x, s: len(s), {"a": 0.0}, {"a": [1.0, 2.0]}) == {"a": 2}


@pytest.mark.parametrize(
    "other, message",
    [({"a": np.ones(2)}, r"rest\[0\]: expected a dict with keys \['a', 'b'\], got a dict "
                          r"with keys \['a'\]"),
     ({"a": 1.0, "b": [1.0, 2.0, None]}, r"rest\[0\]\['b'\]: expected a tuple of length 3, "
                                          r"got a list of length 3"),
     ({"a": 1.0, "b": (1.0, 2.0, 3.0)}, r"rest\[0\]\['b'\]\[1\]: expected None, got a leaf"),
     ({"a": 1.0, "b": (1.0, None, (2.0, 3.0))},
      r"rest\[0\]\['b'\]\[2\]: expected a Point, got a tuple of length 2"),
     ([1.0], r"rest\[0\]: expected a dict .* got a list of length 1")],
)
def test_map_structure_mismatch_names_the_path(other, message):
    t = {"a": np.ones(2), "b": (1.0, None, Point(2.0, 3.0))}
    with pytest.raises(ValueError, match=message):
        tree.map(lambda x, y: x, t, other)
