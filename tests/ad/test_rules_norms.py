"""Table: ``np.linalg.norm`` (vector and matrix norms, axis, keepdims), both modes, order 2.

Plus the norms at zero: the 2-norm's subgradient 0, no NaN and no warning (warnings are errors
here), and a subgradient for the matrix norms from singular values.
"""

import numpy as np
import pytest

import optkit

from .table import Row, check_row, rng
from .values import check_values

R = rng(2)
# entries bounded away from 0 (abs is smooth there) and from each other (max/min are too)
X = R.permutation(np.linspace(0.2, 1.3, 12)).reshape(3, 4) * R.choice([-1.0, 1.0], (3, 4))
T = R.uniform(-1.0, 1.0, size=(2, 3, 4))
V = np.array([0.3, -1.2, 0.7, 1.9, -0.5])

ROWS = [
    Row("norm-vector", np.linalg.norm, (V,)),
    Row("norm-vector-2", lambda a: np.linalg.norm(a, 2), (V,)),
    Row("norm-vector-1", lambda a: np.linalg.norm(a, 1), (V,)),
    Row("norm-vector-inf", lambda a: np.linalg.norm(a, np.inf), (V,)),
    Row("norm-vector-neg-inf", lambda a: np.linalg.norm(a, -np.inf), (V,)),
    Row("norm-vector-p3", lambda a: np.linalg.norm(a, 3), (V,)),
    Row("norm-vector-p1.5", lambda a: np.linalg.norm(a, 1.5), (V,)),
    Row("norm-vector-0", lambda a: np.linalg.norm(a, 0) * np.sum(a), (V,)),
    Row("norm-flattened", np.linalg.norm, (T,)),
    Row("norm-frobenius", lambda a: np.linalg.norm(a, "fro"), (X,)),
    Row("norm-frobenius-keepdims", lambda a: np.linalg.norm(a, keepdims=True), (X,)),
    Row("norm-axis0", lambda a: np.linalg.norm(a, axis=0), (X,)),
    Row("norm-axis-neg-keepdims", lambda a: np.linalg.norm(a, axis=-1, keepdims=True), (T,)),
    Row("norm-axis-1", lambda a: np.linalg.norm(a, 1, axis=1), (X,)),
    Row("norm-axis-inf", lambda a: np.linalg.norm(a, np.inf, axis=0), (X,)),
    Row("norm-axis-p4", lambda a: np.linalg.norm(a, 4, axis=1), (T,)),
    Row("norm-matrix-axes", lambda a: np.linalg.norm(a, axis=(0, 2)), (T,)),
    Row("norm-matrix-fro-axes", lambda a: np.linalg.norm(a, "fro", axis=(2, 1)), (T,)),
    Row("norm-matrix-1", lambda a: np.linalg.norm(a, 1), (X,)),
    Row("norm-matrix-neg-1", lambda a: np.linalg.norm(a, -1), (X,)),
    Row("norm-matrix-inf", lambda a: np.linalg.norm(a, np.inf), (X,)),
    Row("norm-matrix-neg-inf", lambda a: np.linalg.norm(a, -np.inf), (X,)),
    Row("norm-matrix-1-keepdims", lambda a: np.linalg.norm(a, 1, keepdims=True), (X,)),
    Row("norm-matrix-inf-axes", lambda a: np.linalg.norm(a, np.inf, axis=(1, 0)), (X,)),
    Row("norm-matrix-2", lambda a: np.linalg.norm(a, 2), (X,)),
    Row("norm-matrix-neg-2", lambda a: np.linalg.norm(a, -2), (X,)),
    Row("norm-matrix-nuc", lambda a: np.linalg.norm(a, "nuc"), (X,)),
    Row("norm-matrix-2-axes", lambda a: np.linalg.norm(a, 2, axis=(1, 2)), (T,)),
    Row("norm-matrix-nuc-axes-keepdims",
        lambda a: np.linalg.norm(a, "nuc", axis=(2, 0), keepdims=True), (T,)),
    Row("vector_norm", np.linalg.vector_norm, (T,)),
    Row("vector_norm-axes-keepdims",
        lambda a: np.linalg.vector_norm(a, axis=(0, 2), keepdims=True), (T,)),
    Row("vector_norm-ord1-keepdims", lambda a: np.linalg.vector_norm(a, ord=1, keepdims=True),
        (X,)),
    Row("vector_norm-axis-p3", lambda a: np.linalg.vector_norm(a, axis=-1, ord=3), (X,)),
    Row("matrix_norm", np.linalg.matrix_norm, (T,)),
    Row("matrix_norm-inf-keepdims",
        lambda a: np.linalg.matrix_norm(a, ord=np.inf, keepdims=True), (X,)),
    Row("matrix_norm-nuc", lambda a: np.linalg.matrix_norm(a, ord="nuc"), (T,)),
    Row("matrix_norm-neg-2-keepdims",
        lambda a: np.linalg.matrix_norm(a, ord=-2, keepdims=True), (T,)),
]


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_derivatives(row):
    check_row(row)


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_values(row):
    check_values(row)


def test_two_norm_at_zero_has_zero_subgradient_and_refuses_a_hessian():
    zero = np.zeros(3)
    assert np.all(optkit.grad(np.linalg.norm)(zero) == 0.0)
    _, tangent = optkit.jvp(np.linalg.norm, zero, np.ones(3))
    assert tangent == 0.0
    # no local rule gives the Hessian of norm(x)**2 (2I) at 0: NaN, never a silent 0
    assert np.all(np.isnan(optkit.hvp(np.linalg.norm, zero, np.ones(3))))
    assert np.all(np.isnan(optkit.hessian(lambda a: np.linalg.norm(a) ** 2)(zero)))


@pytest.mark.parametrize("ord_, expected", [
    (3, [0.0, 0.0, 0.0]), (1.5, [0.0, 0.0, 0.0]),  # the subgradient 0, as for p = 2
    (1, [1.0, 1.0, 1.0]),       # sum |x_i|: abs's one-sided derivative sign(0) = +1
    (np.inf, [1.0, 0.0, 0.0]),  # max |x_i|: +1, to the first of the tied entries
])
def test_other_vector_norms_at_zero(ord_, expected):
    f = lambda a: np.linalg.norm(a, ord_)  # noqa: E731
    zero = np.zeros(3)
    np.testing.assert_array_equal(optkit.grad(f)(zero), expected)
    if ord_ != 1.5:  # |x|**1.5 has infinite curvature at 0: no finite Hessian to check
        assert np.all(np.isfinite(optkit.hvp(f, zero, np.ones(3))))


def test_two_norm_with_one_zero_column():
    x = np.array([[0.0, 3.0], [0.0, 4.0]])
    g = optkit.grad(lambda a: np.sum(np.linalg.norm(a, axis=0)))(x)
    np.testing.assert_allclose(g, [[0.0, 0.6], [0.0, 0.8]])
    h = optkit.hvp(lambda a: np.sum(np.linalg.norm(a, axis=0)), x, np.ones((2, 2)))
    assert np.all(np.isfinite(h[:, 1])) and np.all(np.isnan(h[:, 0]))  # NaN: the zero column


def test_two_norm_hessian_matches_formula():
    # H = (I - u u^T) / ||x||, u = x / ||x||
    x = np.array([1.0, -2.0, 2.0])
    u = x / 3.0
    np.testing.assert_allclose(optkit.hessian(np.linalg.norm)(x),
                               (np.eye(3) - np.outer(u, u)) / 3.0, rtol=1e-14)


@pytest.mark.parametrize("ord_, dual", [("nuc", 2), (2, "nuc")])
def test_singular_value_norms_at_zero_have_a_subgradient(ord_, dual):
    # a subgradient of a norm at 0 is any matrix of dual norm <= 1
    g = optkit.grad(lambda a: np.linalg.norm(a, ord_))(np.zeros((3, 4)))
    assert np.all(np.isfinite(g)) and np.linalg.norm(g, dual) <= 1.0 + 1e-15


def test_bad_norm_arguments_raise():
    with pytest.raises(ValueError, match="ord"):
        optkit.grad(lambda a: np.linalg.norm(a, "fro"))(V)
    with pytest.raises(ValueError, match="1-d or 2-d"):
        optkit.grad(lambda a: np.linalg.norm(a, 1))(T)
    with pytest.raises(ValueError, match="axis"):
        optkit.grad(lambda a: np.linalg.norm(a, axis=(0, 1, 2)))(T)


def test_compiled_two_norm_stays_valid_at_zero():
    # traced at a nonzero point, replayed at 0: the rule must not have frozen a branch
    def f(a):
        return np.linalg.norm(a[:2]) + np.sum(a * a)

    compiled = optkit.compile(f)
    x = np.array([3.0, 4.0, 1.0])
    np.testing.assert_allclose(compiled.value_and_grad(x)[1], optkit.grad(f)(x), rtol=1e-14)
    assert compiled.is_dynamic(x) is None
    zero = np.array([0.0, 0.0, 1.0])
    np.testing.assert_array_equal(compiled.value_and_grad(zero)[1], [0.0, 0.0, 2.0])
    # the norm's second derivative at 0 is refused (NaN), in the replay as eagerly
    np.testing.assert_array_equal(compiled.hvp(zero, np.ones(3)), [np.nan, np.nan, 2.0])
    np.testing.assert_array_equal(optkit.hvp(f, zero, np.ones(3)), [np.nan, np.nan, 2.0])
