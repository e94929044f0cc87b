"""Structured x0 (issue 12) through optkit.minimize and the SciPy adapters.

Each structured solve is checked against the same problem on the raveled vector: the solvers
see that vector, so both must reach the known minimizer, and everything handed back (x, jac,
callbacks) must have x0's structure, leaf shapes and dtypes.
"""

import collections
import dataclasses
import inspect
import pathlib
import re

import numpy as np
import pytest
import scipy.optimize as so

import optkit
import optkit.scipy as oks
from optkit.boundary import as_start

Pair = collections.namedtuple("Pair", "left right")


@dataclasses.dataclass
class Layer:
    weight: np.ndarray
    bias: float


def _mixed():
    """Leaves of every kind: a matrix, a vector, a Python float, a 0-d array, a zero-size
    array, in a dict holding a tuple, a namedtuple, a list and a dataclass."""
    return {
        "layer": Layer(np.full((2, 3), 0.5), 0.25),
        "pair": Pair(np.zeros(4), np.array(1.0)),
        "rest": [np.zeros(0), np.ones(2)],
        "scale": (3.0,),
    }


def _quadratic(n, seed=0):
    """f(z) = 1/2 (z - c)^T Q (z - c) + 1, with Q well conditioned; minimizer c."""
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((n, n))
    Q = M @ M.T / n + np.eye(n)
    c = rng.standard_normal(n)
    return Q, c


X0 = _mixed()
N = as_start(X0).size  # 6 + 1 + 4 + 1 + 0 + 2 + 1 = 15 entries
Q, C = _quadratic(N)


def flat_f(z):
    d = z - C
    return 0.5 * d @ (Q @ d) + 1.0


def tree_f(p):
    return flat_f(np.concatenate([np.reshape(leaf, -1) for leaf in optkit.tree.leaves(p)]))


def tree_grad(p):
    z = as_start(p).x
    return as_start(p).tree(Q @ (z - C))


def assert_like_x0(got, x0=X0):
    """``got`` has x0's structure, and each leaf x0's leaf shape and dtype."""
    assert optkit.tree.structure(got) == optkit.tree.structure(x0)
    for g, x in zip(optkit.tree.leaves(got), optkit.tree.leaves(x0), strict=True):
        assert np.shape(g) == np.shape(x)
        assert np.asarray(g).dtype == np.asarray(x).dtype or np.asarray(x).dtype.kind != "f"


def raveled(tree):
    return np.concatenate([np.reshape(leaf, -1) for leaf in optkit.tree.leaves(tree)])


# ---- optkit.minimize: every solver ---------------------------------------------------------
# (method, options, ceiling on iterations): the flat run sets the pace, the structured one must
# match it, as both solve the same problem on the same vector
SOLVERS = [("gd", {"maxiter": 20000}), ("lbfgs", {}), ("newton-cg", {})]


@pytest.mark.parametrize("method, options", SOLVERS, ids=[m for m, _ in SOLVERS])
@pytest.mark.parametrize("compile", [True, False], ids=["compiled", "eager"])
def test_every_solver_takes_a_structure(method, options, compile):  # noqa: A002
    flat = optkit.minimize(flat_f, np.asarray(as_start(X0).x), method, compile=compile,
                           gtol=1e-8, **options)
    res = optkit.minimize(tree_f, X0, method, compile=compile, gtol=1e-8, **options)
    assert flat.success and res.success, res.message
    assert_like_x0(res.x)
    assert_like_x0(res.jac)
    np.testing.assert_allclose(raveled(res.x), C, atol=1e-6)
    assert np.max(np.abs(raveled(res.jac))) <= 1e-8
    assert res.nit <= flat.nit + 2 and res.nfev <= flat.nfev + 5


@pytest.mark.parametrize("how", ["jac", "jac=True", "hessp", "hess"])
def test_hand_written_derivatives_answer_in_the_structure(how):
    kw = {}
    if how == "jac":
        kw["jac"] = tree_grad
    elif how == "hessp":
        kw.update(jac=tree_grad, hessp=lambda p, v: as_start(v).tree(Q @ as_start(v).x))
    elif how == "hess":
        kw.update(jac=tree_grad, hess=lambda p: Q)
    fun = (lambda p: (tree_f(p), tree_grad(p))) if how == "jac=True" else tree_f
    if how == "jac=True":
        kw["jac"] = True
    method = "newton-cg" if how in ("hessp", "hess") else "lbfgs"
    res = optkit.minimize(fun, X0, method, gtol=1e-9, **kw)
    assert res.success, res.message
    assert_like_x0(res.x)
    np.testing.assert_allclose(raveled(res.x), C, atol=1e-7)


def test_a_hand_written_jac_of_the_wrong_shape_names_the_path():
    def bad_jac(p):
        g = tree_grad(p)
        g["pair"] = Pair(np.zeros(3), g["pair"].right)
        return g

    with pytest.raises(ValueError, match=r"jac\['pair'\]\.left has shape \(3,\); expected "
                                         r"\(4,\), the shape of x0\['pair'\]\.left"):
        optkit.minimize(tree_f, X0, jac=bad_jac)
    with pytest.raises(ValueError, match=r"jac\['scale'\]: expected a tuple"):
        optkit.minimize(tree_f, X0, jac=lambda p: {**tree_grad(p), "scale": 0.0})
    with pytest.raises(ValueError, match=r"\(15, 15\) Hessian of the raveled x0"):
        optkit.minimize(tree_f, X0, "newton-cg", jac=tree_grad, hess=lambda p: np.eye(3))


def test_fun_gets_views_of_the_solver_vector_with_leaf_dtypes():
    seen = []

    def f(p):
        seen.append(p)
        return tree_f(p)

    optkit.minimize(f, X0, jac=tree_grad, maxiter=2)
    def root(a):
        while a.base is not None:
            a = a.base
        return a

    p = seen[0]
    assert_like_x0(p)
    # views of one buffer, the solver's vector: nothing was copied
    assert root(p["layer"].weight) is root(p["pair"].left) is root(p["rest"][1])


def test_a_float32_leaf_keeps_its_dtype():
    seen = []

    def f(p):
        seen.append(p["v"].dtype)
        return np.sum((p["v"] - 0.5) ** 2) + (p["s"] - 1.0) ** 2

    def g(p):
        return {"v": 2 * (p["v"] - 0.5), "s": 2 * (p["s"] - 1.0)}

    x0 = {"v": np.zeros(3, dtype=np.float32), "s": 0.0}
    res = optkit.minimize(f, x0, jac=g, gtol=1e-4)  # no AD: f gets the leaves as they are
    assert res.success, res.message
    assert set(seen) == {np.dtype(np.float32)}
    assert res.x["v"].dtype == np.float32
    np.testing.assert_allclose(res.x["v"], 0.5, atol=1e-4)
    res = optkit.minimize(f, x0, gtol=1e-4)  # AD traces in float64; x keeps float32
    assert res.success and res.x["v"].dtype == np.float32


# ---- callbacks and history ------------------------------------------------------------------
def test_callbacks_see_structures_unless_flat_callback():
    xks, results, flats = [], [], []
    optkit.minimize(tree_f, X0, callback=xks.append, maxiter=5)
    optkit.minimize(tree_f, X0, callback=lambda intermediate_result:
                    results.append(intermediate_result), maxiter=5)
    optkit.minimize(tree_f, X0, callback=flats.append, flat_callback=True, maxiter=5)
    assert len(xks) == len(results) == len(flats) == 5
    for xk, r, z in zip(xks, results, flats, strict=True):
        assert_like_x0(xk)
        assert_like_x0(r.x)
        assert_like_x0(r.jac)
        assert isinstance(z, np.ndarray) and z.shape == (N,)
        np.testing.assert_array_equal(raveled(xk), z)
    assert not np.shares_memory(xks[0]["layer"].weight, xks[1]["layer"].weight)
    with pytest.raises(TypeError, match="flat_callback must be True or False"):
        optkit.minimize(tree_f, X0, flat_callback="yes")


def test_a_callback_stop_returns_the_structure():
    res = optkit.minimize(tree_f, X0, callback=lambda xk: xk["scale"][0] != 3.0)
    assert res.message == "stopped by the callback" and res.nit == 1
    assert_like_x0(res.x)


def test_history_is_the_same_for_a_structure_and_its_vector():
    flat = optkit.minimize(flat_f, as_start(X0).x, history=True)
    res = optkit.minimize(tree_f, X0, history=True)
    assert len(res.history) == len(flat.history) == res.nit + 1
    np.testing.assert_allclose(res.history.as_arrays()["f"], flat.history.as_arrays()["f"],
                               rtol=1e-6)


# ---- what is a vector, what is a structure ---------------------------------------------------
def sphere(x):
    return np.sum((x - 1.0) ** 2)


@pytest.mark.parametrize("x0", [[0.0, 2.0], (0, 2), [np.float64(0.0), 2]],
                         ids=["list", "tuple-of-ints", "numpy-scalar"])
def test_a_list_of_numbers_is_a_vector_as_in_scipy(x0):
    res = optkit.minimize(sphere, x0)
    assert type(res.x) is np.ndarray and res.x.shape == (2,)
    np.testing.assert_allclose(res.x, 1.0, atol=1e-6)


def test_a_list_of_arrays_is_a_structure_and_array_code_gets_a_hint():
    res = optkit.minimize(lambda xs: sphere(xs[0]) + sphere(xs[1]), [np.zeros(2), np.zeros(3)])
    assert type(res.x) is list and [a.shape for a in res.x] == [(2,), (3,)]
    with pytest.raises(TypeError, match=r"x0 is a list.*np\.array"):
        optkit.minimize(lambda x: np.sum(x[1:] - x[:-1] ** 2), [np.zeros(2), np.ones(2)],
                        jac=lambda x: x)


@pytest.mark.parametrize("shape", [(2, 3), (1, 1, 4)])
def test_an_array_of_any_shape_keeps_its_shape(shape):
    target = np.arange(np.prod(shape), dtype=float).reshape(shape)
    res = optkit.minimize(lambda x: np.sum((x - target) ** 2), np.zeros(shape))
    assert res.x.shape == res.jac.shape == shape
    np.testing.assert_allclose(res.x, target, atol=1e-6)


def test_scalar_and_zero_size_leaves():
    res = optkit.minimize(lambda p: (p["a"] - 2.0) ** 2 + np.sum(p["e"] ** 2),
                          {"a": 0.0, "e": np.zeros((0, 3))})
    assert res.x["a"].shape == () and res.x["e"].shape == (0, 3)
    assert res.x["a"] == pytest.approx(2.0, abs=1e-6)


def test_integer_leaves_become_float64():
    res = optkit.minimize(lambda p: np.sum((p["w"] - 0.5) ** 2), {"w": np.array([1, 2])})
    assert res.x["w"].dtype == np.float64
    np.testing.assert_allclose(res.x["w"], 0.5, atol=1e-6)


@pytest.mark.parametrize("x0, message", [
    ({"layer1": [np.array([None, 1.0])]}, r"x0\['layer1'\]\[0\]: dtype object"),
    ({"w": np.zeros(2), "flag": True}, r"x0\['flag'\]: a bool"),
    ({"w": np.zeros(2), "name": "w"}, r"x0\['name'\]: type str"),
    (Pair(np.zeros(2), np.array([1 + 2j])), r"x0\.right: dtype complex128"),
])
def test_a_bad_leaf_is_named_by_its_path(x0, message):
    with pytest.raises(TypeError, match=message):
        optkit.minimize(tree_f, x0)
    with pytest.raises(TypeError, match=message):
        oks.minimize(tree_f, x0)


def test_non_finite_and_empty_structures_are_refused():
    with pytest.raises(ValueError, match=r"x0\['b'\]\[1\] must be finite|x0\['b'\] must be"):
        optkit.minimize(tree_f, {"a": 0.0, "b": [0.0, np.array([np.nan])]})
    with pytest.raises(ValueError, match="at least one element"):
        optkit.minimize(tree_f, {"a": np.zeros(0), "b": None})


# ---- bounds in the structure ------------------------------------------------------------------
def test_bounds_in_the_structure_ravel_with_broadcast_scalars():
    start = as_start({"w": np.zeros((2, 2)), "b": 0.0, "v": [np.zeros(2)]})
    lb, ub = start.bounds({"w": -1.0, "b": None, "v": [np.array([0.0, 1.0])]},
                          {"w": np.array([[1.0, 2.0], [3.0, 4.0]]), "b": 5.0, "v": 9.0})
    np.testing.assert_array_equal(lb, [-np.inf, 0, 1, -1, -1, -1, -1])
    np.testing.assert_array_equal(ub, [5, 9, 9, 1, 2, 3, 4])
    with pytest.raises(ValueError, match=r"lower 3.0 > upper 2.0 at x0\['w'\]\[0\]\[1\]"):
        start.bounds({"w": 3.0, "b": None, "v": None}, {"w": [[5.0, 2.0], [5.0, 5.0]],
                                                        "b": None, "v": None})
    with pytest.raises(ValueError, match=r"bounds.ub\['w'\] has shape \(3,\)"):
        start.bounds(None, {"w": np.zeros(3), "b": 0.0, "v": 0.0})


def test_bounds_as_a_structure_need_a_structured_x0():
    box = optkit.Bounds({"w": 0.0}, {"w": 1.0})
    with pytest.raises(TypeError, match="parameter structure"):
        optkit.optim.bounds.as_bounds(box, 2)


@pytest.mark.skipif("bounds" not in inspect.signature(optkit.optim.solve).parameters,
                    reason="optkit.minimize takes bounds once the bounded solvers land")
def test_minimize_with_bounds_in_the_structure():
    x0 = {"w": np.array([0.5, 0.5, 1.2]), "b": 0.0}

    def f(p):
        return np.sum((p["w"] - 2.0) ** 2) + (p["b"] + 1.0) ** 2

    res = optkit.minimize(f, x0, bounds=optkit.Bounds({"w": [-1, 0, 1], "b": 0.0},
                                                      {"w": 1.5, "b": None}))
    assert res.success, res.message
    np.testing.assert_allclose(res.x["w"], 1.5)
    assert res.x["b"] == 0.0


# ---- the SciPy adapters -----------------------------------------------------------------------
SCIPY_METHODS = ["BFGS", "L-BFGS-B", "CG", "Newton-CG", "trust-ncg", "trust-krylov",
                 "trust-exact", "trust-constr", "SLSQP", "TNC"]


@pytest.mark.parametrize("method", SCIPY_METHODS)
def test_scipy_methods_take_a_structure(method):
    flat = oks.minimize(flat_f, as_start(X0).x, method=method)
    res = oks.minimize(tree_f, X0, method=method)
    assert res.success and flat.success, res.message
    assert_like_x0(res.x)
    assert_like_x0(res.grad if method == "trust-constr" else res.jac)
    np.testing.assert_allclose(raveled(res.x), flat.x, atol=1e-6)
    np.testing.assert_allclose(raveled(res.x), C, atol=1e-4)


def test_scipy_constraints_receive_the_structure():
    def c(p):
        assert isinstance(p, dict)
        return 2.5 - p["scale"][0]

    res = oks.minimize(tree_f, X0, method="SLSQP", constraints=[{"type": "ineq", "fun": c}])
    res_optkit = oks.minimize(tree_f, X0, method="trust-constr",
                              constraints=[oks.constraint(lambda p: p["scale"][0], ub=2.5)])
    flat = oks.minimize(flat_f, as_start(X0).x, method="SLSQP",
                        constraints=[{"type": "ineq", "fun": lambda z: 2.5 - z[-1]}])
    assert res.success and res_optkit.success and flat.success
    np.testing.assert_allclose(raveled(res.x), flat.x, atol=1e-6)
    np.testing.assert_allclose(raveled(res_optkit.x), flat.x, atol=1e-4)
    assert res.x["scale"][0] <= 2.5 + 1e-9 and res_optkit.x["scale"][0] <= 2.5 + 1e-9


def test_scipy_bounds_in_the_structure():
    box = optkit.Bounds({"layer": 0.0, "pair": None, "rest": None, "scale": (-1.0,)},
                        {"layer": Layer(np.full((2, 3), 0.1), 1.0), "pair": None,
                         "rest": None, "scale": (0.5,)})
    lb, ub = as_start(X0).bounds(box.lb, box.ub)
    res = oks.minimize(tree_f, X0, method="L-BFGS-B", bounds=box)
    flat = oks.minimize(flat_f, as_start(X0).x, method="L-BFGS-B", bounds=so.Bounds(lb, ub))
    assert res.success and flat.success
    np.testing.assert_allclose(raveled(res.x), flat.x, atol=1e-6)
    assert np.all(res.x["layer"].weight <= 0.1) and 0.0 <= res.x["layer"].bias <= 1.0


def test_scipy_callbacks_see_structures_unless_flat_callback():
    xks, results, flats = [], [], []
    oks.minimize(tree_f, X0, method="BFGS", callback=xks.append)
    oks.minimize(tree_f, X0, method="BFGS",
                 callback=lambda intermediate_result: results.append(intermediate_result))
    oks.minimize(tree_f, X0, method="BFGS", callback=flats.append, flat_callback=True)
    assert xks and results and flats
    assert_like_x0(xks[0])
    assert isinstance(results[0], so.OptimizeResult)
    assert_like_x0(results[0].x)
    assert isinstance(flats[0], np.ndarray) and flats[0].shape == (N,)


def test_scipy_custom_method_and_hand_written_derivatives():
    res = so.minimize(flat_f, as_start(X0).x, method=oks.lbfgs)  # flat, inside SciPy
    assert res.success
    res = oks.minimize(tree_f, X0, method="trust-ncg", jac=tree_grad,
                       hessp=lambda p, v: as_start(v).tree(Q @ as_start(v).x))
    assert res.success
    assert_like_x0(res.x)
    res = oks.minimize(tree_f, X0, method="dogleg", jac=tree_grad, hess=lambda p: Q)
    assert res.success
    np.testing.assert_allclose(raveled(res.x), C, atol=1e-6)


def test_scipy_derivatives_with_a_structured_x0():
    d = oks.derivatives(tree_f, x0=X0)
    assert d.x0.shape == (N,)
    res = so.minimize(d.fun, d.x0, jac=d.jac, hessp=d.hessp, method="trust-ncg")
    assert res.success
    x = d.unravel(res.x)
    assert_like_x0(x)
    np.testing.assert_allclose(raveled(x), C, atol=1e-4)  # SciPy's gtol 1e-5
    plain = oks.derivatives(flat_f, x0=[0.0, 1.0])
    assert plain.unravel(plain.x0) is plain.x0


def test_scipy_least_squares_and_root_take_a_structure():
    rng = np.random.default_rng(1)
    A = rng.standard_normal((8, 3))
    y = rng.standard_normal(8)

    def residuals(p):
        return A @ p["w"] + p["b"] - y

    res = oks.least_squares(residuals, {"w": np.zeros(3), "b": 0.0})
    ref = np.linalg.lstsq(np.column_stack([np.ones(8), A]), y, rcond=None)[0]
    assert res.success and res.x["w"].shape == (3,)
    np.testing.assert_allclose([res.x["b"], *res.x["w"]], ref, atol=1e-8)
    bounded = oks.least_squares(residuals, {"w": np.zeros(3), "b": 0.0},
                                bounds=({"w": 0.0, "b": -np.inf}, np.inf))
    assert np.all(bounded.x["w"] >= 0.0)

    def F(p):
        return {"a": p["a"] ** 3 - 8.0, "b": p["b"] + p["a"] - 1.0}

    def F_flat(z):
        return np.concatenate([np.reshape(z[0] ** 3 - 8.0, (1,)), z[1:] + z[0] - 1.0])

    for method in ("hybr", "lm", "broyden1"):
        res = oks.root(F, {"a": 1.0, "b": np.zeros(2)}, method=method)
        flat = oks.root(F_flat, np.array([1.0, 0.0, 0.0]), method=method)
        assert res.success == flat.success, method
        assert res.x["a"].shape == () and res.x["b"].shape == (2,)
        np.testing.assert_allclose(raveled(res.x), flat.x, atol=1e-8)
    res = oks.root(F, {"a": 1.0, "b": np.zeros(2)})
    assert res.x["a"] == pytest.approx(2.0, abs=1e-8)


# ---- the README example ------------------------------------------------------------------------
def test_readme_mlp_example_runs():
    readme = pathlib.Path(__file__).resolve().parents[1] / "README.md"
    blocks = [b for b in re.findall(r"```python\n(.*?)```", readme.read_text(), flags=re.S)
              if 'optkit.minimize(loss, params, method="lbfgs")' in b]
    assert len(blocks) == 1
    namespace = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)
    res, params, loss = namespace["res"], namespace["params"], namespace["loss"]
    assert res.success and res.fun < 0.1 * loss(params)
    assert set(res.x) == set(params) and res.x["W1"].shape == params["W1"].shape
    assert set(res.jac) == set(params)


# ---- optkit.least_squares and curve_fit ---------------------------------------------------------
def test_curve_fit_with_a_structured_p0():
    rng = np.random.default_rng(0)
    x = np.linspace(0.0, 1.0, 30)
    y = 2.0 * np.exp(-3.0 * x) + 0.5 + 0.01 * rng.standard_normal(30)

    def tree_model(x, p):
        return p["a"] * np.exp(-p["k"] * x) + p["c"][0]

    popt, pcov = optkit.curve_fit(tree_model, x, y,
                                  p0={"a": 1.0, "k": 1.0, "c": [np.zeros(1)]})
    flat, flat_cov = optkit.curve_fit(lambda x, a, k, c: a * np.exp(-k * x) + c, x, y,
                                      p0=[1.0, 1.0, 0.0])
    assert set(popt) == {"a", "c", "k"} and popt["c"][0].shape == (1,)
    np.testing.assert_allclose([popt["a"], popt["k"], popt["c"][0][0]], flat, rtol=1e-8)
    order = [0, 2, 1]  # raveled order a, c, k against the flat a, k, c
    np.testing.assert_allclose(pcov, flat_cov[np.ix_(order, order)], rtol=1e-6)


def test_least_squares_with_a_structured_x0():
    rng = np.random.default_rng(1)
    A = rng.standard_normal((8, 3))
    y = rng.standard_normal(8)
    res = optkit.least_squares(lambda p: A @ p["w"] + p["b"] - y, {"w": np.zeros(3), "b": 0.0})
    ref = np.linalg.lstsq(np.column_stack([np.ones(8), A]), y, rcond=None)[0]
    assert res.success
    np.testing.assert_allclose([res.x["b"], *res.x["w"]], ref, atol=1e-8)
