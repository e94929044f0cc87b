"""Every AD transformation on parameter structures, against the same computation on one flat
vector (``optkit.tree.ravel``): the structured result, raveled, must equal the flat one."""

from collections import namedtuple

import numpy as np
import pytest

import optkit
from optkit import tree

Layer = namedtuple("Layer", ["w", "b"])


def _structures():
    rng = np.random.default_rng(0)
    return {
        "dict": {"w": rng.standard_normal((2, 3)), "b": rng.standard_normal(3)},
        "nested": {"layer1": [rng.standard_normal((3, 2)), rng.standard_normal(2)],
                   "scale": 0.7, "empty": np.zeros(0)},
        "tuple-of-scalars": (0.3, -1.1, 2.0),
        "namedtuple": Layer(w=rng.standard_normal((2, 2)), b=rng.standard_normal(2)),
        "with-none": [rng.standard_normal(4), None, {"s": np.array(0.5)}],
    }


STRUCTURES = _structures()
IDS = list(STRUCTURES)


def loss(p):
    """A scalar function of every leaf of any structure (sum of smooth terms per leaf)."""
    total = 0.0
    for k, leaf in enumerate(tree.leaves(p)):
        total = total + (k + 1.0) * np.sum(np.sin(leaf) * leaf) + np.sum(leaf) ** 2 * 0.1
    return total


def vector_fn(p):
    """A structured output: a dict of an array and a scalar, from every leaf."""
    leaves = tree.leaves(p)
    s = sum(np.sum(np.exp(0.3 * leaf)) for leaf in leaves)
    return {"first": np.tanh(leaves[0]) * s, "total": s ** 2}


def _flat(fun, x):
    """``fun`` as a function of the raveled ``x``, its output raveled too."""
    flat, unravel = tree.ravel(x)

    def g(z):
        out = fun(unravel(z))
        leaves = tree.leaves(out)
        if len(leaves) == 1 and np.ndim(leaves[0]) == 0 and not isinstance(out, dict):
            return leaves[0]
        return np.concatenate([np.reshape(v, -1) for v in leaves])

    return g, flat, unravel


def _ravel(t):
    leaves = tree.leaves(t)
    return np.concatenate([np.reshape(np.asarray(v, dtype=float), -1) for v in leaves]) \
        if leaves else np.zeros(0)


def _same_structure(a, b):
    assert tree.structure(a) == tree.structure(b)
    for x, y in zip(tree.leaves(a), tree.leaves(b), strict=True):
        assert np.shape(x) == np.shape(y)


# ---- reverse mode ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", IDS)
def test_grad_matches_the_flat_gradient(name):
    x = STRUCTURES[name]
    g = optkit.grad(loss)(x)
    _same_structure(g, x)
    f, flat, _ = _flat(loss, x)
    np.testing.assert_allclose(_ravel(g), optkit.grad(f)(flat), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", IDS)
def test_value_and_grad_and_has_aux(name):
    x = STRUCTURES[name]

    def with_aux(p):
        value = loss(p)
        return value, {"value": value, "leaves": tree.leaves(p), "label": "aux"}

    (value, aux), g = optkit.value_and_grad(with_aux, has_aux=True)(x)
    assert value == pytest.approx(loss(x), rel=1e-14)
    assert aux["label"] == "aux" and type(aux["value"]) is float
    for got, want in zip(aux["leaves"], tree.leaves(x), strict=True):
        np.testing.assert_array_equal(got, want)
        assert not isinstance(got, optkit.ad.core.Tracer)
    _same_structure(g, x)
    np.testing.assert_allclose(_ravel(g), _ravel(optkit.grad(loss)(x)), rtol=1e-14)


def test_argnums_tuple_with_structures():
    a = {"u": np.array([1.0, 2.0]), "v": 3.0}
    b = [np.array([[0.5, -1.0]]), 2.0]

    def f(a, c, b):
        return np.sum(a["u"] * b[0]) * a["v"] + c * b[1] ** 2

    ga, gb = optkit.grad(f, argnums=(0, 2))(a, 4.0, b)
    assert set(ga) == {"u", "v"} and isinstance(gb, list)
    np.testing.assert_allclose(ga["u"], b[0][0] * a["v"])
    assert ga["v"] == pytest.approx(np.sum(a["u"] * b[0]))
    np.testing.assert_allclose(gb[0], a["u"][None, :] * a["v"])
    assert gb[1] == pytest.approx(2 * 4.0 * b[1])


@pytest.mark.parametrize("name", IDS)
def test_vjp_pullback_returns_the_input_structure(name):
    x = STRUCTURES[name]
    y, pullback = optkit.vjp(vector_fn, x)
    rng = np.random.default_rng(1)
    u = {"first": rng.standard_normal(np.shape(y["first"])), "total": 0.7}
    ct = pullback(u)
    _same_structure(ct, x)
    f, flat, _ = _flat(vector_fn, x)
    y_flat, pb_flat = optkit.vjp(f, flat)
    np.testing.assert_allclose(_ravel(y), y_flat, rtol=1e-14)
    np.testing.assert_allclose(_ravel(ct), pb_flat(_ravel(u)), rtol=1e-12, atol=1e-14)


def test_vjp_cotangent_structure_and_shapes_are_checked():
    x = {"a": np.ones(2), "b": 1.0}
    _, pullback = optkit.vjp(vector_fn, x)
    with pytest.raises(ValueError, match=r"u\['first'\] must have the output's shape \(2,\)"):
        pullback({"first": np.ones(3), "total": 1.0})
    with pytest.raises(ValueError, match="^u: expected a dict with keys"):
        pullback([np.ones(2), 1.0])


# ---- forward mode ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", IDS)
def test_jvp_matches_the_flat_jvp(name):
    x = STRUCTURES[name]
    rng = np.random.default_rng(2)
    v = tree.map(lambda leaf: rng.standard_normal(np.shape(leaf)), x)
    y, t = optkit.jvp(vector_fn, x, v)
    assert set(t) == {"first", "total"}
    f, flat, _ = _flat(vector_fn, x)
    y_flat, t_flat = optkit.jvp(f, flat, _ravel(v))
    np.testing.assert_allclose(_ravel(y), y_flat, rtol=1e-14)
    np.testing.assert_allclose(_ravel(t), t_flat, rtol=1e-12, atol=1e-14)


def test_jvp_tangent_must_match_the_structure():
    x = {"a": np.ones(2), "b": 1.0}
    with pytest.raises(ValueError, match=r"v\['a'\] must have the shape of x\['a'\] \(2,\)"):
        optkit.jvp(loss, x, {"a": np.ones(3), "b": 1.0})
    with pytest.raises(ValueError, match=r"^v: expected a dict"):
        optkit.jvp(loss, x, np.ones(3))


@pytest.mark.parametrize("name", IDS)
def test_hvp_matches_the_flat_hvp(name):
    x = STRUCTURES[name]
    rng = np.random.default_rng(3)
    v = tree.map(lambda leaf: rng.standard_normal(np.shape(leaf)), x)
    hv = optkit.hvp(loss, x, v)
    _same_structure(hv, x)
    f, flat, _ = _flat(loss, x)
    np.testing.assert_allclose(_ravel(hv), optkit.hvp(f, flat, _ravel(v)), rtol=1e-12,
                               atol=1e-14)


# ---- dense Jacobians and Hessians ------------------------------------------------------------
def _blocks_to_dense(J, out_struct, in_struct):
    """Assemble nested blocks J[out path][in path] back into one dense matrix."""
    rows = []
    for block_row in tree.structure(out_struct).flatten_up_to(J):
        blocks = tree.structure(in_struct).flatten_up_to(block_row)
        rows.append(blocks)
    out_sizes = [int(np.size(v)) for v in tree.leaves(out_struct)]
    in_sizes = [int(np.size(v)) for v in tree.leaves(in_struct)]
    return np.block([[np.reshape(b, (m, n)) for b, n in zip(row, in_sizes, strict=True)]
                     for row, m in zip(rows, out_sizes, strict=True)])


@pytest.mark.parametrize("name", ["dict", "nested", "tuple-of-scalars", "namedtuple"])
def test_hessian_returns_nested_blocks(name):
    x = STRUCTURES[name]
    H = optkit.hessian(loss)(x)
    paths = tree.structure(x).paths()
    for (pi, xi), row in zip(tree.flatten_with_path(x), tree.structure(x).flatten_up_to(H),
                             strict=True):
        for (pj, xj), block in zip(tree.flatten_with_path(x),
                                   tree.structure(x).flatten_up_to(row), strict=True):
            assert np.shape(block) == np.shape(xi) + np.shape(xj), (pi, pj)
    assert len(paths) == len(tree.leaves(x))
    f, flat, _ = _flat(loss, x)
    np.testing.assert_allclose(_blocks_to_dense(H, x, x), optkit.hessian(f)(flat),
                               rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("how", ["jacfwd", "jacrev", "jacobian"])
@pytest.mark.parametrize("name", ["dict", "nested", "namedtuple"])
def test_jacobians_of_structure_valued_functions_of_structures(how, name):
    x = STRUCTURES[name]
    J = getattr(optkit, how)(vector_fn)(x)
    assert set(J) == {"first", "total"}
    _same_structure(J["total"], x)  # a scalar output: one block per input leaf, its shape
    leaf0 = tree.leaves(x)[0]
    for block, xi in zip(tree.leaves(J["first"]), tree.leaves(x), strict=True):
        assert np.shape(block) == np.shape(leaf0) + np.shape(xi)
    f, flat, _ = _flat(vector_fn, x)
    np.testing.assert_allclose(_blocks_to_dense(J, vector_fn(x), x), optkit.jacobian(f)(flat),
                               rtol=1e-12, atol=1e-13)


def test_jacobian_of_an_array_function_of_a_structure_and_vice_versa():
    x = {"a": np.array([1.0, 2.0]), "b": 0.5}
    J = optkit.jacobian(lambda p: p["a"] * p["b"])(x)
    np.testing.assert_allclose(J["a"], 0.5 * np.eye(2))
    np.testing.assert_allclose(J["b"], [1.0, 2.0])
    J2 = optkit.jacfwd(lambda z: {"sq": z**2, "sum": np.sum(z)})(np.array([1.0, 3.0]))
    np.testing.assert_allclose(J2["sq"], np.diag([2.0, 6.0]))
    np.testing.assert_allclose(J2["sum"], [1.0, 1.0])


# ---- the checker and the compiler ------------------------------------------------------------
@pytest.mark.parametrize("name", ["dict", "nested", "namedtuple"])
def test_check_grads_on_structures(name):
    optkit.check_grads(loss, STRUCTURES[name], order=2)
    optkit.check_grads(vector_fn, STRUCTURES[name], order=1)


def test_check_grads_on_a_structure_catches_a_wrong_rule():
    wrong = optkit.custom_primitive(np.sin, name="wrong_sin")  # derivative sin, not cos
    wrong.defjvp(lambda t, ans, x: t * np.sin(x))
    wrong.defvjp(lambda g, ans, x: g * np.sin(x))
    with pytest.raises(optkit.GradientCheckError):
        optkit.check_grads(lambda p: np.sum(wrong(p["a"])) + p["b"], {"a": np.ones(3),
                                                                       "b": 1.0}, order=1)


def test_compile_caches_per_structure():
    fc = optkit.compile(loss)
    a, b = np.linspace(0.1, 1.0, 3), np.array(0.4)
    x1, x2 = {"a": a, "b": b}, [a, b]  # same leaves, different structures
    for x in (x1, x2):
        value, g = optkit.value_and_grad(fc)(x)
        value0, g0 = optkit.value_and_grad(loss)(x)
        assert value == pytest.approx(value0, rel=1e-14)
        _same_structure(g, x)
        np.testing.assert_allclose(_ravel(g), _ravel(g0), rtol=1e-14)
        np.testing.assert_allclose(_ravel(optkit.hvp(fc, x, x)), _ravel(optkit.hvp(loss, x, x)),
                                   rtol=1e-13)
        assert fc(x) == pytest.approx(loss(x), rel=1e-14)
        assert fc.is_dynamic(a) is None
    n_entries = len(fc._cache)
    assert n_entries == 6  # (value, value_and_grad, hvp) x two structures
    optkit.value_and_grad(fc)({"a": a + 1.0, "b": b})
    assert len(fc._cache) == n_entries  # same structure and shapes: no new program
    optkit.value_and_grad(fc)({"a": np.ones(5), "b": b})
    assert len(fc._cache) == n_entries + 1  # a new shape


@pytest.mark.parametrize("name", IDS)
def test_compile_rebuilds_a_structured_output(name):
    # the value program returns f's output in its structure on every call (the staging call
    # and the replays), as the eager call does: plain arrays, never tracers
    x = STRUCTURES[name]
    fc = optkit.compile(vector_fn)
    expected = vector_fn(x)
    for _ in range(3):
        out = fc(x)
        _same_structure(out, expected)
        for got, want in zip(tree.leaves(out), tree.leaves(expected), strict=True):
            assert type(got) in (np.ndarray, np.float64, float)
            np.testing.assert_allclose(got, want, rtol=1e-14)
    assert fc.is_dynamic(x) is None and len(fc._cache) == 1


@pytest.mark.parametrize("out", [
    lambda x: (np.sin(x), np.sum(x)),
    lambda x: [np.sin(x)],
    lambda x: (np.sin(x),),
    lambda x: {"s": np.sin(x), "n": None, "t": (np.sum(x), [x * 2.0])},
    lambda x: np.sum(x),
], ids=["tuple", "list-of-one", "tuple-of-one", "nested-dict", "scalar"])
def test_compile_of_an_array_input_keeps_the_output_structure(out):
    x = np.linspace(0.1, 1.0, 4)
    fc = optkit.compile(out)
    expected = out(x)
    for _ in range(3):
        got = fc(x)
        assert tree.structure(got) == tree.structure(expected)
        for a, b in zip(tree.leaves(got), tree.leaves(expected), strict=True):
            assert not isinstance(a, optkit.ad.core.Tracer)
            np.testing.assert_allclose(a, b, rtol=1e-14)
    assert list(fc._cache.values())[0].programs  # compiled, not eager


def test_compile_jacobian_of_a_structured_output_matches_eager():
    x = STRUCTURES["dict"]
    fc = optkit.compile(vector_fn)
    for how in (optkit.jacfwd, optkit.jacrev):
        got, want = how(fc)(x), how(vector_fn)(x)
        _same_structure(got, want)
        np.testing.assert_allclose(_ravel(got), _ravel(want), rtol=1e-13)


def _branchy(p):
    if np.sum(tree.leaves(p)[0]) > 0:  # a branch on a traced value: eager
        return loss(p)
    return -loss(p)


def test_is_dynamic_accepts_structures():
    a, b = np.linspace(0.1, 1.0, 3), np.array(0.4)
    fc = optkit.compile(_branchy)
    for x in ({"a": a, "b": b}, [a, b]):
        assert fc.is_dynamic(x) is None  # not called yet
    with pytest.warns(optkit.CompileWarning):
        optkit.value_and_grad(fc)({"a": a, "b": b})
    assert "bool()" in fc.is_dynamic({"a": a, "b": b})
    assert fc.is_dynamic({"a": a, "c": b}) is None  # another structure: its own entry
    assert fc.is_dynamic([a, b]) is None  # a list of leaves, not the stacked array
    fv = optkit.compile(_branchy)
    with pytest.warns(optkit.CompileWarning):
        fv([a, a])
    assert fv.is_dynamic([a, a]) is not None
    assert fv.is_dynamic(np.stack([a, a])) is None
    fh = optkit.compile(_branchy)
    with pytest.warns(optkit.CompileWarning):
        optkit.hvp(fh, (a, b), (a, b))
    assert fh.is_dynamic((a, b), (a, b)) is not None
    assert fh.is_dynamic((a, b)) is None  # value_and_grad not tried yet


# ---- leaves keep their shapes and dtypes; errors name the path -----------------------------
def test_leaves_keep_their_dtypes_and_scalars_come_back_as_floats():
    x = {"f32": np.ones(3, np.float32), "i": np.arange(2), "s": 2.0, "zero": np.zeros((0, 2))}

    def f(p):
        return np.sum(p["f32"] ** 2) + np.sum(p["i"] * p["s"]) + np.sum(p["zero"])

    g = optkit.grad(f)(x)
    assert g["f32"].dtype == np.float32 and g["i"].dtype == np.float64
    assert type(g["s"]) is float and g["zero"].shape == (0, 2)
    np.testing.assert_array_equal(g["f32"], [2.0, 2.0, 2.0])
    assert g["s"] == 1.0


def test_a_bad_leaf_is_named_by_its_path():
    params = {"layer1": [np.array([1.0, None], dtype=object), np.ones(2)]}
    with pytest.raises(TypeError, match=r"argument 0\['layer1'\]\[0\]: dtype object"):
        optkit.grad(loss)(params)
    with pytest.raises(TypeError, match=r"x\['layer1'\]\[0\]: dtype object"):
        optkit.jvp(loss, params, params)
    with pytest.raises(TypeError, match=r"argument 1\['k'\]: type str"):
        optkit.grad(lambda a, b: a, argnums=(0, 1))(1.0, {"k": "text"})
    with pytest.raises(TypeError, match="got None"):
        optkit.grad(loss)(None)


def test_a_list_is_a_structure_of_leaves_as_in_jax():
    g = optkit.grad(lambda p: p[0] * p[1] ** 2)([2.0, 3.0])
    assert g == [9.0, 12.0] and type(g) is list
    g = optkit.grad(lambda p: np.sum(p[0] * p[1]))((np.ones(2), np.arange(2.0)))
    assert type(g) is tuple
    np.testing.assert_array_equal(g[0], [0.0, 1.0])


@pytest.mark.parametrize("x", [[1.0, 2.0, 3.0], (1, 2, 3), [[1.0, 2.0], [3.0, 4.0]]])
def test_array_code_on_a_list_input_suggests_np_array(x):
    for call in (lambda: optkit.grad(lambda z: np.sum(z**2))(x),
                 lambda: optkit.jvp(lambda z: np.sum(np.sin(z) ** 2), x, x),
                 lambda: optkit.hessian(lambda z: np.sum(z[1:] - z[:-1]))(x)):
        with pytest.raises(TypeError, match=r"np\.array\(x0\)"):
            call()


def test_structures_nest_inside_other_derivatives():
    # d/ds of grad wrt a structure scaled by s: forward over reverse through the boundary
    def inner(s):
        g = optkit.grad(lambda p: s * np.sum(p["a"] ** 3) + s**2 * p["b"])({"a": np.ones(2) * s,
                                                                           "b": s})
        return np.sum(g["a"]) + g["b"]

    s = 1.3
    fd = (inner(s + 1e-6) - inner(s - 1e-6)) / 2e-6
    assert optkit.grad(inner)(s) == pytest.approx(fd, rel=1e-6)
