"""Property tests: random compositions of smooth primitives, derivatives against finite
differences.

A composition is a tree of depth 1 to 5 over the input ``x`` (a vector or a small matrix):
unary nodes (sin, cos, tanh, exp of a bounded argument, log of a positive argument, square,
a constant multiple, adding back a reduction), binary nodes (sum and product of two branches),
and a final reduction (sum, mean or a weighted sum). Every node is plain numpy, as a user
writes it. Gradients, JVPs and HVPs are compared with central differences; the reverse and
forward first derivatives are also compared with each other to rounding error.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import optkit

# On a failure, Hypothesis's pytest plugin imports libcst (when installed) to propose a patch,
# and libcst's import warns (mypy_extensions.TypedDict); with warnings as errors that would turn
# a readable failure report into an INTERNALERROR.
pytestmark = pytest.mark.filterwarnings(
    "ignore:mypy_extensions.TypedDict is deprecated:DeprecationWarning"
)

SETTINGS = settings(
    derandomize=True,  # the same examples on every run: no flaky CI
    database=None,  # nothing written to .hypothesis/
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

CONST = st.floats(-1.5, 1.5, allow_nan=False).filter(lambda c: abs(c) > 0.1)

UNARY = {
    "sin": np.sin,
    "cos": np.cos,
    "tanh": np.tanh,
    "exp_bounded": lambda e: np.exp(np.tanh(e)),
    "log_positive": lambda e: np.log(0.5 + np.square(e)),
    "square": np.square,
    "plus_mean": lambda e: e + np.mean(e),
    "times_sum_tanh": lambda e: e * np.tanh(np.sum(e)),
}
BINARY = {"add": np.add, "mul": lambda a, b: a * b}
REDUCE = ["sum", "mean", "weighted"]


@st.composite
def trees(draw, depth):
    """A random expression tree of exactly ``depth`` levels above the leaves."""
    if depth == 0:
        return ("x",) if draw(st.booleans()) else ("cx", draw(CONST))
    kind = draw(st.sampled_from(["unary", "unary", "scale", "binary"]))
    if kind == "unary":
        return (draw(st.sampled_from(sorted(UNARY))), draw(trees(depth - 1)))
    if kind == "scale":
        return ("scale", draw(CONST), draw(trees(depth - 1)))
    other = draw(st.integers(0, depth - 1))
    left, right = draw(trees(depth - 1)), draw(trees(other))
    if draw(st.booleans()):
        left, right = right, left
    return (draw(st.sampled_from(sorted(BINARY))), left, right)


def evaluate(tree, x):
    op = tree[0]
    if op == "x":
        return x
    if op == "cx":
        return tree[1] * x
    if op == "scale":
        return tree[1] * evaluate(tree[2], x)
    if op in UNARY:
        return UNARY[op](evaluate(tree[1], x))
    return BINARY[op](evaluate(tree[1], x), evaluate(tree[2], x))


def describe(tree):
    if tree[0] == "x":
        return "x"
    if tree[0] == "cx":
        return f"{tree[1]:.3g}*x"
    if tree[0] == "scale":
        return f"{tree[1]:.3g}*({describe(tree[2])})"
    return f"{tree[0]}(" + ", ".join(describe(t) for t in tree[1:]) + ")"


@st.composite
def problems(draw):
    """(tree, reduction, x, v, weights) for a random composition and evaluation point."""
    depth = draw(st.integers(1, 5))
    tree = draw(trees(depth))
    shape = draw(st.sampled_from([(1,), (3,), (5,), (2, 3)]))
    seed = draw(st.integers(0, 2**32 - 1))
    r = np.random.default_rng(seed)
    x = r.uniform(-1.0, 1.0, shape)
    v = r.standard_normal(shape)
    w = r.standard_normal(shape)
    return tree, draw(st.sampled_from(REDUCE)), x, v, w


def scalar_fn(tree, reduction, w):
    def f(x):
        e = evaluate(tree, x)
        if reduction == "sum":
            return np.sum(e)
        if reduction == "mean":
            return np.mean(e)
        return np.sum(w * e)

    return f


def directional_fd(f, x, v, h=1e-5):
    """Central difference with one Richardson step (error O(h^4))."""

    def central(s):
        return (np.asarray(f(x + s * v)) - np.asarray(f(x - s * v))) / (2 * s)

    return (4 * central(h / 2) - central(h)) / 3


def fd_gradient(f, x, h=1e-5):
    g = np.zeros_like(x)
    for k in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[k] = 1.0
        g[k] = directional_fd(f, x, e, h)
    return g


def assert_close(actual, expected, what, tree, rtol=1e-6):
    scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol * scale,
                               err_msg=f"{what} of {describe(tree)}")


@SETTINGS
@given(problems())
def test_gradient_matches_finite_differences(problem):
    tree, reduction, x, v, w = problem
    f = scalar_fn(tree, reduction, w)
    val, g = optkit.value_and_grad(f)(x)
    assert type(g) is np.ndarray and g.shape == x.shape
    np.testing.assert_allclose(val, f(x), rtol=1e-14, atol=1e-14)
    assert_close(g, fd_gradient(f, x), "gradient", tree)
    # reverse and forward mode agree to rounding: <grad f, v> == J v
    _, jv = optkit.jvp(f, x, v)
    assert_close(jv, np.sum(g * v), "<grad, v> vs JVP", tree, rtol=1e-11)


@SETTINGS
@given(problems())
def test_jvp_of_the_vector_map_matches_finite_differences(problem):
    tree, _, x, v, _ = problem

    def g(x):
        return evaluate(tree, x)

    y, t = optkit.jvp(g, x, v)
    np.testing.assert_allclose(y, g(x), rtol=1e-14, atol=1e-14)
    assert_close(t, directional_fd(g, x, v), "JVP", tree)
    # and the adjoint identity with the VJP: <u, J v> == <J^T u, v>
    u = np.random.default_rng(1).standard_normal(np.shape(y))
    _, pullback = optkit.vjp(g, x)
    assert_close(np.sum(pullback(u) * v), np.sum(u * t), "adjoint test", tree, rtol=1e-11)


@SETTINGS
@given(problems())
def test_hvp_matches_finite_differences_of_the_gradient(problem):
    tree, reduction, x, v, w = problem
    f = scalar_fn(tree, reduction, w)
    hv = optkit.hvp(f, x, v)
    assert type(hv) is np.ndarray and hv.shape == x.shape
    assert_close(hv, directional_fd(optkit.grad(f), x, v), "HVP", tree, rtol=1e-5)
    # forward-over-reverse equals reverse-over-forward: grad of <grad f, v>
    rof = optkit.grad(lambda z: optkit.jvp(f, z, v)[1])(x)
    assert_close(hv, rof, "HVP vs reverse-over-forward", tree, rtol=1e-10)
