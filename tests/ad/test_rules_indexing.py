"""Table: indexing (basic, fancy, boolean, None/...), take, diagonals, triangles and item
assignment, both modes, order 2; plus hand-derived checks of repeated indices and of numpy's
assignment semantics."""

import numpy as np
import pytest

import optkit

from .table import Row, check_row, rng
from .values import check_values

R = rng(5)
X = R.uniform(-1.0, 1.0, size=(4, 5))
T = R.uniform(-1.0, 1.0, size=(2, 3, 4))
V = R.uniform(-1.0, 1.0, size=(6,))
W = R.uniform(-1.0, 1.0, size=(8,))
SQ = R.uniform(-1.0, 1.0, size=(4, 4))
MASK = np.array([[True, False, True, False, True]] * 2 + [[False, True, True, False, False]] * 2)
ROWMASK = np.array([True, False, True, True])


def zeros_then(assign):
    """``y = np.zeros_like(x)``, then ``assign(y, x)``, return ``y``: the autograd #58 pattern."""
    def f(x):
        y = np.zeros_like(x)
        assign(y, x)
        return y

    return f


def set_first_row(y, x):
    y[0] = x[1] ** 2


def set_slice(y, x):
    y[1:3] = np.sin(x[:2]) * x[3]


def set_mask(y, x):
    y[MASK] = x[MASK] ** 3


def set_repeated(y, x):
    y[[0, 0]] = x[1:3] ** 2                 # numpy: the last write to row 0 wins


def set_repeated_scalar(y, x):
    y[[1, 1, 3], [2, 2, 0]] = x[0, 0] * x[2, 1]


def set_broadcast(y, x):
    y[:, 1] = np.sum(x ** 2)


def set_strided(y, x):
    y[::-2, 1::2] = x[:2, :2] * 3.0


def set_ellipsis(y, x):
    y[..., 0] = x[..., -1] ** 2
    y[None, 1, 1:] = x[2, :-1] * x[3, 1:]


def set_leading_one(y, x):
    y[2] = np.reshape(x[0] ** 2, (1, 5))   # numpy accepts a leading size-1 dim


def set_list(y, x):
    y[0, :2] = [x[1, 1] * x[2, 2], 3.0]        # a list of traced scalars, as np.array reads it
    y[1:3, 0] = (x[0, 0] ** 2, x[3, 4])


def iadd(x):
    x = x * 1.0
    x[1] += x[2] ** 2                       # getitem, add, setitem
    x[[0, 0, 3]] += 1.0                    # buffered: row 0 gets 1.0 once, as in numpy
    x[:, ::2] *= x[:, 1:2]
    return x


def assign_into_traced_input(x):
    x = x.copy()
    x[0, :] = 2.0 * x[1, :]
    return x * x


ROWS = [
    Row("int", lambda a: a[1] ** 2, (X,)),
    Row("int-negative", lambda a: a[-1, -2] * a, (X,)),
    Row("slice", lambda a: a[1:3] ** 2, (X,)),
    Row("slice-step", lambda a: a[::2, 1::3] ** 2, (X,)),
    Row("slice-negative-step", lambda a: a[::-1, 3:0:-2] ** 2, (X,)),
    Row("reverse", lambda a: a[::-1] * np.arange(6.0), (V,)),
    Row("none", lambda a: a[None, :, None] ** 2, (V,)),
    Row("ellipsis", lambda a: a[..., 1] ** 2, (T,)),
    Row("ellipsis-none", lambda a: a[1, ..., None, 2:] ** 2, (T,)),
    Row("fancy-list", lambda a: a[[0, 2, 3]] ** 2, (X,)),
    Row("fancy-repeated", lambda a: a[[0, 0, 3, 0]] ** 2, (V,)),
    Row("fancy-2d-index", lambda a: a[np.array([[0, 1], [1, 5]])] ** 2, (V,)),
    Row("fancy-pair", lambda a: a[[0, 0, 3], [1, 1, 4]] ** 2, (X,)),
    Row("fancy-tuple-lists", lambda a: a[([1, 1], [2, 2])] ** 3, (X,)),
    Row("fancy-with-slice", lambda a: a[1:, [4, 0, 4]] ** 2, (X,)),
    Row("fancy-negative", lambda a: a[[-1, -1, 0]] ** 2, (V,)),
    Row("mask", lambda a: a[MASK] ** 2, (X,)),
    Row("mask-rows", lambda a: a[ROWMASK] ** 2, (X,)),
    Row("mask-from-values", lambda a: a[a > 0] ** 2, (X,)),
    Row("mask-and-int", lambda a: a[ROWMASK, 2] ** 2, (X,)),
    Row("take", lambda a: np.take(a, [5, 0, 0]) ** 2, (X,)),
    Row("take-axis", lambda a: np.take(a, [3, 1, 3], axis=1) ** 2, (X,)),
    Row("take-axis-neg", lambda a: np.take(a, [2, 0], axis=-1) ** 2, (T,)),
    Row("take-wrap", lambda a: np.take(a, [7, -1], mode="wrap") ** 2, (V,)),
    Row("take-clip", lambda a: np.take(a, [9, 2], mode="clip") ** 2, (V,)),
    Row("take-method", lambda a: a.take([1, 1], axis=0) ** 2, (X,)),
    Row("delete", lambda a: np.delete(a, [0, 2], axis=1) ** 2, (X,)),
    Row("delete-flat", lambda a: np.delete(a, slice(3, 9)) ** 2, (X,)),
    Row("diagonal", lambda a: np.diagonal(a) ** 2, (X,)),
    Row("diagonal-offset", lambda a: np.diagonal(a, 2) ** 2, (X,)),
    Row("diagonal-offset-neg", lambda a: np.diagonal(a, -1) ** 2, (X,)),
    Row("diagonal-3d-axes", lambda a: np.diagonal(a, 1, axis1=2, axis2=0) ** 2, (T,)),
    Row("diagonal-method", lambda a: a.diagonal(0, 1, 2) ** 2, (T,)),
    Row("linalg-diagonal", lambda a: np.linalg.diagonal(a, offset=-1) ** 2, (T,)),
    Row("diag-matrix", lambda a: np.diag(a) ** 2, (X,)),
    Row("diag-matrix-k", lambda a: np.diag(a, k=-2) ** 2, (X,)),
    Row("diag-vector", lambda v: np.diag(v) @ np.diag(v ** 2), (V,)),
    Row("diag-vector-k", lambda v: np.diag(v, 2) ** 2, (V,)),
    Row("diag-vector-k-neg", lambda v: np.diag(v, k=-1) ** 2, (V,)),
    Row("diagflat", lambda a: np.diagflat(a[:2], 1) ** 2, (X,)),
    Row("triu", lambda a: np.triu(a) ** 2, (X,)),
    Row("triu-k", lambda a: np.triu(a, 2) ** 2, (X,)),
    Row("tril", lambda a: np.tril(a) ** 2, (SQ,)),
    Row("tril-k-neg", lambda a: np.tril(a, -1) ** 2, (X,)),
    Row("tril-1d", lambda v: np.tril(v) ** 2, (V,)),
    Row("triu-batched", lambda a: np.triu(a, -1) ** 2, (T,)),
    Row("setitem-row", zeros_then(set_first_row), (X,)),
    Row("setitem-slice", zeros_then(set_slice), (X,)),
    Row("setitem-mask", zeros_then(set_mask), (X,)),
    Row("setitem-repeated", zeros_then(set_repeated), (X,)),
    Row("setitem-repeated-scalar", zeros_then(set_repeated_scalar), (X,)),
    Row("setitem-broadcast", zeros_then(set_broadcast), (X,)),
    Row("setitem-strided", zeros_then(set_strided), (X,)),
    Row("setitem-ellipsis-none", zeros_then(set_ellipsis), (X,)),
    Row("setitem-leading-one", zeros_then(set_leading_one), (X,)),
    Row("setitem-list", zeros_then(set_list), (X,)),
    Row("setitem-augmented", iadd, (X,)),
    Row("setitem-into-input-copy", assign_into_traced_input, (X,)),
    Row("setitem-two-args", lambda a, v: _put(a, v), (X, W)),
]


def _put(a, v):
    a = a * v[7]                            # traced whichever argument is
    a[[1, 3, 1]] = v[:3, None] * v[3:]     # rows 1 and 3; the first write to row 1 is lost
    return a ** 2


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_derivatives(row):
    check_row(row)


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_values(row):
    check_values(row)


# ---- repeated fancy indices: reading accumulates, writing keeps the last ---------------------
def test_repeated_read_accumulates():
    x = np.array([1.0, 2.0, 3.0])
    g = optkit.grad(lambda a: np.sum(a[[0, 0, 2, 0]] ** 2))(x)
    np.testing.assert_array_equal(g, [6.0, 0.0, 6.0])
    h = optkit.hessian(lambda a: np.sum(a[[0, 0, 2, 0]] ** 2))(x)
    np.testing.assert_array_equal(h, np.diag([6.0, 0.0, 2.0]))


def test_repeated_pair_read_accumulates():
    x = np.arange(6.0).reshape(2, 3)
    g = optkit.grad(lambda a: np.sum(a[[1, 1, 0], [2, 2, 0]]))(x)
    np.testing.assert_array_equal(g, [[1.0, 0.0, 0.0], [0.0, 0.0, 2.0]])


def test_repeated_write_keeps_the_last_value_and_its_gradient():
    def f(v):
        y = np.zeros_like(v)
        y[[0, 0, 1]] = v * np.array([1.0, 2.0, 3.0])
        return y

    v = np.array([5.0, 7.0, 11.0])
    reference = np.zeros(3)
    reference[[0, 0, 1]] = v * np.array([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(optkit.jvp(f, v, np.ones(3))[0], reference)
    # y = [2 v1, 3 v2, 0]: the first write (v0) was overwritten, so it has no influence
    np.testing.assert_array_equal(optkit.jacobian(f)(v), [[0, 2, 0], [0, 0, 3], [0, 0, 0]])
    np.testing.assert_array_equal(optkit.jacrev(f)(v), optkit.jacfwd(f)(v))


def test_write_then_read_in_a_loop_matches_finite_differences():
    def f(x):
        y = np.zeros_like(x)
        for i in range(1, len(x)):
            y[i] = y[i - 1] * 0.5 + np.sin(x[i] * x[i - 1])
        return np.sum(y ** 2)

    x = np.linspace(0.1, 1.0, 6)
    g = optkit.grad(f)(x)
    h = 1e-6
    fd = [(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(6)]
    np.testing.assert_allclose(g, fd, rtol=1e-7, atol=1e-10)


def test_augmented_assignment_matches_numpy_buffering():
    x = np.arange(4.0)

    def f(a):
        a = a * 1.0
        a[[0, 0, 2]] += a[[1, 2, 3]]
        return a

    plain = x.copy()
    plain[[0, 0, 2]] += plain[[1, 2, 3]]      # row 0 gets x[2] (the last), once
    np.testing.assert_array_equal(optkit.jvp(f, x, np.ones(4))[0], plain)
    expected = np.eye(4)
    expected[0, 2] = expected[2, 3] = 1.0
    np.testing.assert_array_equal(optkit.jacobian(f)(x), expected)


def test_setitem_leaves_the_source_unchanged():
    def f(x):
        y = x.copy()
        y[0] = 0.0
        return np.sum(x * x) + np.sum(y)

    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(optkit.grad(f)(x), [2.0, 5.0, 7.0])


# ---- never silently wrong -------------------------------------------------------------------
def _conversion_refused(info):
    """True if the error is, or was directly caused by, optkit's TracerConversionError."""
    err = info.value
    return isinstance(err, optkit.TracerConversionError) or isinstance(
        err.__cause__, optkit.TracerConversionError)


def test_writing_a_traced_value_into_a_plain_array_raises():
    # numpy turns any error of float() during a one-element write into
    # "ValueError: setting an array element with a sequence", raised *from* optkit's error
    def f(x):
        y = np.zeros(3)
        y[0] = x[1] ** 2
        return np.sum(y)

    with pytest.raises((optkit.TracerConversionError, ValueError)) as info:
        optkit.grad(f)(np.ones(3))
    assert _conversion_refused(info)
    with pytest.raises((optkit.TracerConversionError, ValueError)) as info:
        optkit.jvp(f, np.ones(3), np.ones(3))
    assert _conversion_refused(info)


def test_writing_a_traced_slice_into_a_plain_array_raises():
    def f(x):
        y = np.zeros((2, 3))
        y[1:] = x
        return np.sum(y)

    with pytest.raises(optkit.TracerConversionError):
        optkit.grad(f)(np.ones(3))


def test_traced_index_raises():
    with pytest.raises(TypeError, match="index"):
        optkit.grad(lambda x: x[x[0:1]])(np.ones(3))


def test_take_bad_arguments():
    with pytest.raises(ValueError, match="mode"):
        optkit.grad(lambda a: np.sum(np.take(a, [0], mode="bogus")))(V)
    with pytest.raises(TypeError, match="integers"):
        optkit.grad(lambda a: np.sum(np.take(a, [0.5])))(V)


def test_diag_of_3d_raises():
    with pytest.raises(ValueError, match="np.diag"):
        optkit.grad(lambda a: np.sum(np.diag(a)))(T)


# ---- views taken by numpy functions: a later write to the base is seen, or refused ---------
VIEWS = [
    ("flip", np.flip), ("fliplr", np.fliplr), ("flipud", np.flipud), ("rot90", np.rot90),
    ("atleast_3d", np.atleast_3d), ("diagonal", np.diagonal), ("diag", np.diag),
    ("linalg.diagonal", np.linalg.diagonal), ("split", lambda y: np.split(y, 3, axis=1)[0]),
    ("hsplit", lambda y: np.hsplit(y, [1])[1]), ("vsplit", lambda y: np.vsplit(y, 2)[0]),
    ("array_split", lambda y: np.array_split(y, 2, axis=1)[1]),
]


@pytest.mark.parametrize("name, view", VIEWS, ids=[v[0] for v in VIEWS])
def test_stale_view_after_write_is_refused(name, view):
    def f(x):
        y = np.zeros_like(x) + 1.0
        v = view(y)                 # numpy: a view, which sees the write below
        y[0, 0] = x[0, 1] ** 2
        return np.sum(v * v)

    with pytest.raises(optkit.NotDifferentiableError, match="view"):
        optkit.grad(f)(np.arange(1.0, 7.0).reshape(2, 3))


def test_matrix_built_by_diag_is_not_a_view():
    def f(v):
        d = np.diag(v)
        d[0, 1] = v[2]
        return np.sum(d * d)

    np.testing.assert_array_equal(optkit.grad(f)(np.array([1.0, 2.0, 3.0])), [2.0, 4.0, 12.0])


def test_astype_gives_a_copy_that_writes_do_not_alias():
    def f(x):
        y = x.astype(float)
        y[0] = 0.0
        return np.sum(x) + 2.0 * np.sum(y)

    np.testing.assert_array_equal(optkit.grad(f)(np.ones(3)), [1.0, 3.0, 3.0])
