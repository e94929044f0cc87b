"""Never silently wrong: every way of losing a derivative raises an error that names it."""

import math

import numpy as np
import pytest
from scipy import special

import optkit
from optkit import NotDifferentiableError, TracerConversionError

X = np.array([0.3, 0.6, 0.9])


def _grad(f):
    return optkit.grad(f)(X)


def _jvp(f):
    return optkit.jvp(f, X, np.ones(3))


def _hvp(f):
    return optkit.hvp(f, X, np.ones(3))


MODES = {"grad": _grad, "jvp": _jvp, "hvp": _hvp}


def test_error_classes_are_type_errors_exported_at_top_level():
    assert issubclass(NotDifferentiableError, TypeError)
    assert issubclass(TracerConversionError, TypeError)
    assert optkit.NotDifferentiableError is NotDifferentiableError
    assert optkit.TracerConversionError is TracerConversionError


# ---- functions without a rule ----------------------------------------------------------------
# Functions outside optkit's scope (if one of them gains a rule, swap in another).
NO_RULE = [
    ("numpy.unwrap", lambda x: np.sum(np.unwrap(x))),
    ("numpy.polydiv", lambda x: np.sum(np.polydiv(x, [1.0, 2.0])[0])),
    ("numpy.bincount", lambda x: np.sum(np.bincount(np.array([0, 1, 1]), weights=x))),
    ("numpy.histogram", lambda x: np.sum(np.histogram(x, bins=2)[1])),
    ("numpy.piecewise", lambda x: np.sum(np.piecewise(x, [x > 1], [1.0, 2.0]))),
    ("numpy.histogram2d", lambda x: np.sum(np.histogram2d(x, x, bins=2)[1])),
    ("numpy.correlate", lambda x: np.sum(np.correlate(x, X))),
    ("numpy.polyfit", lambda x: np.sum(np.polyfit(X, x, 1))),
    ("numpy.linalg.tensorsolve", lambda x: np.sum(np.linalg.tensorsolve(np.eye(3), x))),
    ("numpy.lib.stride_tricks.sliding_window_view",
     lambda x: np.sum(np.lib.stride_tricks.sliding_window_view(x, 2))),
    ("numpy.divmod", lambda x: np.sum(np.divmod(x, 0.5)[0])),
    ("scipy.special.struve", lambda x: np.sum(special.struve(1.0, x))),
    ("numpy.maximum.accumulate", lambda x: np.sum(np.maximum.accumulate(x))),
    ("numpy.add.reduceat", lambda x: np.sum(np.add.reduceat(x, [0, 2]))),
    ("the ufunc sin (vectorized)", lambda x: np.sum(np.frompyfunc(np.sin, 1, 1)(x))),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name, f", NO_RULE, ids=[n for n, _ in NO_RULE])
def test_function_without_rule_raises_naming_it(name, f, mode):
    with pytest.raises(NotDifferentiableError) as info:
        MODES[mode](f)
    msg = str(info.value)
    assert name in msg
    assert "custom_primitive" in msg  # and says how to register a rule


def test_ufunc_keyword_arguments_are_refused_not_ignored():
    msg = r"numpy\.sin with keyword arguments \['where'\]"
    with pytest.raises(NotDifferentiableError, match=msg):
        _grad(lambda x: np.sum(np.sin(x, where=x > 0.5)))


@pytest.mark.parametrize("f", [special.logsumexp, lambda x: special.softmax(x)[0]],
                         ids=["logsumexp", "softmax"])
def test_scipy_python_level_functions_are_right_or_refused(f):
    # scipy converts with np.asarray first: optkit either differentiates correctly or refuses
    try:
        g = _grad(f)
    except (TracerConversionError, NotDifferentiableError):
        return
    h = 1e-6
    ref = [(f(X + h * e) - f(X - h * e)) / (2 * h) for e in np.eye(3)]
    np.testing.assert_allclose(g, ref, rtol=1e-7)


# ---- conversions that would drop the derivative ---------------------------------------------
def write_slice_into_plain(x):
    y = np.zeros(4)
    y[1:] = x
    return np.sum(y)


def write_fancy_into_plain(x):
    y = np.zeros(4)
    y[[0, 1, 3]] = x
    return np.sum(y)


def write_element_into_plain(x):
    y = np.zeros(3)
    y[0] = x[0]
    return np.sum(y * x)


def fill_plain(x):
    y = np.zeros(3)
    y.fill(x[1])
    return np.sum(y)


def iadd_into_plain(x):
    a = np.zeros(3)
    a += x
    return np.sum(a)


def imul_slice_of_plain(x):
    a = np.ones(4)
    a[1:] *= x
    return np.sum(a)


def ufunc_out_plain(x):
    buf = np.empty(3)
    np.sin(x, out=buf)
    return np.sum(buf)


CONVERSIONS = [
    ("float", lambda x: float(x[0]) * x[1], "float()"),
    ("int", lambda x: x[int(x[0])], "int()"),
    ("bool", lambda x: x[0] if x[1] else x[2], "bool()"),
    ("complex", lambda x: complex(x[0]).real * x[1], "complex()"),
    ("math.sin", lambda x: math.sin(x[0]), "float()"),
    ("np.asarray", lambda x: np.sum(np.asarray(x)), "np.asarray"),
    ("np.array", lambda x: np.sum(np.array(x)), "np.asarray"),
    ("np.array-of-list", lambda x: np.sum(np.array([x[0], x[1]])), "np.asarray"),
    ("np.float64", lambda x: np.float64(x[0]), "np.asarray"),
    ("tolist", lambda x: sum(x.tolist()), ".tolist()"),
    ("item", lambda x: x[0].item(), ".item()"),
    ("astype-int", lambda x: np.sum(x.astype(int)), ".astype"),
    ("write-slice", write_slice_into_plain, "plain ndarray"),
    ("write-fancy", write_fancy_into_plain, "plain ndarray"),
    ("iadd", iadd_into_plain, "a += x"),
    ("imul-slice", imul_slice_of_plain, "a += x"),
    ("ufunc-out", ufunc_out_plain, "out="),
    ("index-with-traced", lambda x: np.sum(np.arange(3.0)[x]), "np.asarray"),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name, f, phrase", CONVERSIONS, ids=[c[0] for c in CONVERSIONS])
def test_conversion_of_traced_value_raises(name, f, phrase, mode):
    with pytest.raises(TracerConversionError) as info:
        MODES[mode](f)
    msg = str(info.value)
    assert phrase in msg
    assert "discard its derivative" in msg


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("f", [write_element_into_plain, fill_plain], ids=["y[0]=x[0]", "fill"])
def test_writing_a_traced_scalar_into_a_plain_array_raises(f, mode):
    # numpy stores a single element through float(); the error must still be ours, not
    # numpy's "setting an array element with a sequence"
    with pytest.raises(TracerConversionError):
        MODES[mode](f)


def test_astype_to_an_integer_is_refused():
    with pytest.raises(TracerConversionError, match="Only float and complex dtypes"):
        _grad(lambda x: np.sum(x.astype(np.int64)))
    with pytest.raises(TracerConversionError, match="np.real"):
        _grad(lambda x: np.sum((x * 1j).astype(np.float64)))


def test_astype_to_float32_keeps_the_derivative():
    g = _grad(lambda x: np.sum(x.astype(np.float32) ** 2))
    np.testing.assert_allclose(g, 2 * X.astype(np.float32), rtol=1e-6)


def test_writing_into_a_traced_array_is_fine():
    # the supported form of the same code: the target array is itself traced
    def f(x):
        y = np.zeros_like(x)
        y[0] = x[1] ** 2
        y[1:] = x[:-1] * 3.0
        return np.sum(y * y)

    g = _grad(f)
    ref = [18 * X[0], 4 * X[1] ** 3 + 18 * X[1], 0.0]
    np.testing.assert_allclose(g, ref, rtol=1e-14)


# ---- grad of a non-scalar ------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(3,), (1,), (2, 2)])
def test_grad_of_non_scalar_output(shape):
    def f(x):
        return np.reshape(x[0] * np.ones(int(np.prod(shape))), shape)

    for transform in (optkit.grad, optkit.value_and_grad):
        with pytest.raises(TypeError) as info:
            transform(f)(X)
        msg = str(info.value)
        assert "scalar" in msg and str(shape) in msg
        assert "jacobian" in msg and "vjp" in msg
        assert "but f returned" in msg  # names the function


def test_hvp_and_hessian_of_non_scalar_output():
    for call in (lambda: optkit.hvp(np.sin, X, X), lambda: optkit.hessian(np.sin)(X)):
        with pytest.raises(TypeError, match="jacobian"):
            call()


# ---- inputs of a non-numeric type ---------------------------------------------------------
BAD_INPUTS = [
    ("str", "1.0"),
    ("None", None),
    ("object-array", np.array([1.0, None], dtype=object)),
    ("bool", True),
    ("bool-array", np.array([True, False])),
    ("set", {1.0, 2.0}),
    ("string-array", np.array(["a", "b"])),
]


def _sum(x):
    return np.sum(x)


@pytest.mark.parametrize("name, bad", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_non_numeric_input_is_refused_naming_the_argument(name, bad):
    with pytest.raises(TypeError, match="argument 0 must be a real"):
        optkit.grad(_sum)(bad)
    with pytest.raises(TypeError, match="argument 1 must be a real"):
        optkit.grad(lambda a, b: np.sum(a * b), argnums=(0, 1))(1.0, bad)
    with pytest.raises(TypeError, match="x must be a real"):
        optkit.jvp(_sum, bad, 1.0)
    with pytest.raises(TypeError, match="x must be a real"):
        optkit.vjp(_sum, bad)
    with pytest.raises(TypeError, match="x must be a real"):
        optkit.hessian(_sum)(bad)
    with pytest.raises(TypeError, match="x must be a real"):
        optkit.jacobian(_sum)(bad)


@pytest.mark.parametrize("name, bad", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_non_numeric_tangent_or_cotangent_is_refused(name, bad):
    with pytest.raises(TypeError, match="v must be a real"):
        optkit.jvp(_sum, 1.0, bad)
    with pytest.raises(TypeError, match="v must be a real"):
        optkit.hvp(_sum, 1.0, bad)
    _, pullback = optkit.vjp(np.sin, 1.0)
    with pytest.raises(TypeError, match="u must be a real"):
        pullback(bad)


# ---- item assignment and numpy's view semantics ------------------------------------------
def stale_view(x):
    y = np.zeros_like(x)
    v = y[:2]  # a view in numpy: it sees the write below
    y[0] = x[1]
    return np.sum(v * x)


def chained_write(x):
    y = np.zeros_like(x)
    y[:2][0] = x[1]  # writes into y through a temporary view
    return np.sum(y * x)


def reshape_view_write(x):
    y = np.zeros_like(x)
    r = y.reshape(3, 1)
    r[0, 0] = x[1]  # writes into y through a reshaped view
    return np.sum(y * x)


def transpose_view_read(x):
    y = np.zeros_like(x).reshape(1, 3) + 1.0
    yt = y.T
    y[0, 0] = x[2] ** 2
    return np.sum(yt * x[:, None])


def alias_write(x):
    y = x * 1.0
    z = y  # the same array under two names
    z[0] = 10.0 * x[2]
    return np.sum(y * x)


def write_into_the_input(x):
    x[0] = x[1] * x[2]
    return np.sum(x**2)


def copy_then_write(x):
    y = x * 2.0
    z = y.copy()  # a copy is independent: the write below must not reach y
    z[0] = x[2]
    w = np.copy(z)
    w[1] = 0.0
    return np.sum(y * x) + np.sum(z * x) + np.sum(w)


def alias_iadd(x):
    y = x * 1.0
    z = y
    z += x  # in place: y is z, so y changes too
    z *= x
    return np.sum(y * x)


def iadd_into_the_input(x):
    z = x
    z -= 1.0
    z /= x[1]
    z **= 2
    return np.sum(x * x[2])


def slice_iadd(x):
    y = x * 1.0
    y[:2] += x[1:]
    return np.sum(y * x)


def view_iadd(x):
    y = x * 1.0
    v = y[:2]  # a view: the in-place update below reaches y
    v += x[1:]
    return np.sum(y * x)


def scalar_snapshots(x):
    # x[i] and np.sum give numpy *scalars*, which are immutable: `s += ...` rebinds s and the
    # values already in the list keep theirs
    s = np.sum(x) * 0.0
    seen = []
    for i in range(3):
        s += x[i] ** 2
        seen.append(s)
    return seen[0] + 2.0 * seen[1] + 3.0 * seen[2]


VIEW_CASES = [copy_then_write, stale_view, chained_write, reshape_view_write,
              transpose_view_read, alias_write, write_into_the_input, alias_iadd,
              iadd_into_the_input, slice_iadd, view_iadd, scalar_snapshots]


@pytest.mark.parametrize("f", VIEW_CASES, ids=[f.__name__ for f in VIEW_CASES])
def test_writes_seen_through_views_are_right_or_refused(f):
    # numpy semantics: a write is visible through every view of the array. optkit must give
    # numpy's value and the matching derivative, or refuse; never the value of a stale copy.
    x0 = np.array([0.5, 2.0, 3.0])
    v = np.array([1.0, -1.0, 0.5])
    try:
        val, g = optkit.value_and_grad(f)(x0.copy())
        _, jv = optkit.jvp(f, x0.copy(), v)
    except (NotDifferentiableError, TracerConversionError):
        return
    assert val == pytest.approx(f(x0.copy()), rel=1e-14)
    h = 1e-6
    fd = [(f(x0 + h * e) - f(x0 - h * e)) / (2 * h) for e in np.eye(3)]
    np.testing.assert_allclose(g, fd, rtol=1e-7, atol=1e-9)
    assert jv == pytest.approx(np.dot(fd, v), rel=1e-7)


def test_writing_into_the_input_leaves_the_callers_array_alone():
    x = np.array([0.5, 2.0, 3.0])
    optkit.grad(write_into_the_input)(x)
    optkit.jvp(write_into_the_input, x, np.ones(3))
    optkit.hvp(write_into_the_input, x, np.ones(3))
    np.testing.assert_array_equal(x, [0.5, 2.0, 3.0])


def test_in_place_operator_cannot_change_the_shape():
    def f(x):
        y = x[:1] * 1.0
        y += x  # numpy: "non-broadcastable output operand"
        return np.sum(y)

    with pytest.raises(ValueError, match="in-place"):
        optkit.grad(f)(np.ones(3))


# ---- tracers that outlive their transformation -------------------------------------------------
def _leaking(kept):
    def f(x):
        kept.append(x * 2.0)
        return np.sum(x**2)

    return f


@pytest.mark.parametrize("transform", [
    lambda f: optkit.grad(f)(X),
    lambda f: optkit.jvp(f, X, np.ones(3)),
    lambda f: optkit.hvp(f, X, np.ones(3)),
    lambda f: optkit.value_and_grad(optkit.compile(f))(X),
], ids=["grad", "jvp", "hvp", "compiled"])
@pytest.mark.parametrize("use", [
    lambda t: t + 1.0,
    lambda t: np.sin(t),
    lambda t: t[0],
    lambda t: optkit.grad(lambda y: np.sum(y * t))(X),  # a new trace does not adopt it
], ids=["operator", "ufunc", "index", "inside-new-grad"])
def test_escaped_tracer_is_refused_with_a_clear_error(transform, use):
    kept = []
    transform(_leaking(kept))
    assert kept
    with pytest.raises(optkit.EscapedTracerError, match="already returned"):
        use(kept[-1])


def test_escaped_tracer_error_is_exported():
    assert issubclass(optkit.EscapedTracerError, TypeError)
    assert optkit.ad.EscapedTracerError is optkit.EscapedTracerError
