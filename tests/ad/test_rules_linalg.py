"""Table: linear-algebra primitives (products and numpy.linalg), both modes, second order."""

import warnings

import numpy as np
import pytest

import optkit
from optkit import NotDifferentiableError
from optkit.ad.rules.products import CROSS_OF_2_VECTORS

from .table import Row, check_row, rng
from .values import check_values

R = rng(0)


def _normal(*shape):
    return R.standard_normal(shape)


def _spd(n, batch=()):
    b = R.standard_normal(batch + (n, n))
    return b @ np.swapaxes(b, -1, -2) + n * np.eye(n)


def _wellcond(n, batch=()):
    return R.standard_normal(batch + (n, n)) + 3.0 * np.eye(n)


A34, B45, V4, W3 = _normal(3, 4), _normal(4, 5), _normal(4), _normal(3)
S4, S3B = _spd(4), _spd(3, (2,))
M4, M3B = _wellcond(4), _wellcond(3, (2,))
NEG = np.diag([-2.0, 1.5, 3.0]) + 0.1 * _normal(3, 3)   # det < 0: slogdet sign -1


def _eigvec_invariant(v):
    """V with each column multiplied by its first entry: unchanged by the sign of a column."""
    return v * v[..., :1, :]


def _cross_2d(a, b):
    """np.cross of 2-vectors: deprecated (with a warning) by numpy 2.0, removed in 2.5."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return np.cross(a, b)


ROWS = [
    # matmul / @ : numpy's 1-D conventions and stacks of matrices
    Row("matmul-2d-2d", lambda a, b: a @ b, (A34, B45)),
    Row("matmul-2d-1d", lambda a, b: a @ b, (A34, V4)),
    Row("matmul-1d-2d", lambda a, b: a @ b, (W3, A34)),
    Row("matmul-1d-1d", lambda a, b: a @ b, (V4, _normal(4))),
    Row("matmul-batch-2d", lambda a, b: a @ b, (_normal(2, 3, 4), B45)),
    Row("matmul-2d-batch", lambda a, b: a @ b, (A34, _normal(2, 4, 5))),
    Row("matmul-batch-broadcast", np.matmul, (_normal(2, 1, 3, 4), _normal(3, 4, 2))),
    Row("matmul-1d-batch", lambda a, b: a @ b, (V4, _normal(2, 4, 3))),
    Row("matmul-batch-1d", lambda a, b: a @ b, (_normal(2, 3, 4), V4)),
    Row("matmul-const-left", lambda b: A34 @ b, (B45,)),
    Row("linalg.matmul", np.linalg.matmul, (A34, B45)),
    # dot: every numpy case
    Row("dot-scalar", lambda a: np.dot(2.5, a), (A34,)),
    Row("dot-1d-1d", np.dot, (V4, _normal(4))),
    Row("dot-2d-1d", np.dot, (A34, V4)),
    Row("dot-1d-2d", np.dot, (W3, A34)),
    Row("dot-2d-2d", np.dot, (A34, B45)),
    Row("dot-nd-1d", np.dot, (_normal(2, 3, 4), V4)),
    Row("dot-nd-nd", np.dot, (_normal(2, 3, 4), _normal(5, 4, 2))),
    Row("dot-method", lambda a: a.dot(B45), (A34,)),
    Row("vdot", np.vdot, (A34, _normal(3, 4))),
    Row("inner-1d", np.inner, (V4, _normal(4))),
    Row("inner-nd", np.inner, (A34, _normal(2, 5, 4))),
    Row("inner-scalar", lambda a: np.inner(a, 3.0), (A34,)),
    Row("outer", np.outer, (W3, V4)),
    Row("outer-ravels", np.outer, (A34, W3)),
    Row("vecdot", np.vecdot, (_normal(2, 4), V4)),
    Row("linalg.vecdot-axis", lambda a, b: np.linalg.vecdot(a, b, axis=0), (A34, _normal(3, 1))),
    Row("matvec", np.matvec, (_normal(2, 3, 4), V4)),
    Row("vecmat", np.vecmat, (W3, _normal(2, 3, 4))),
    Row("linalg.tensordot", lambda a, b: np.linalg.tensordot(a, b, axes=1), (A34, B45)),
    Row("linalg.outer", np.linalg.outer, (W3, V4)),
    Row("linalg.cross", lambda a, b: np.linalg.cross(a, b, axis=0), (_normal(3, 2), W3[:, None])),
    Row("matrix_transpose", lambda a: np.linalg.matrix_transpose(a) @ a, (A34,)),
    Row("matrix_power-3", lambda a: np.linalg.matrix_power(a, 3), (M4 / 3.0,)),
    Row("matrix_power-0", lambda a: np.linalg.matrix_power(a, 0) * a, (M4,)),
    Row("matrix_power-neg", lambda a: np.linalg.matrix_power(a, -2), (M3B,)),
    Row("multi_dot", lambda a, b, c: np.linalg.multi_dot([a, b, c]), (W3, A34, B45)),
    # tensordot
    Row("tensordot-0", lambda a, b: np.tensordot(a, b, axes=0), (W3, _normal(2, 2))),
    Row("tensordot-1", lambda a, b: np.tensordot(a, b, axes=1), (A34, B45)),
    Row("tensordot-2", np.tensordot, (_normal(2, 3, 4), _normal(3, 4, 2))),
    Row("tensordot-pair-ints", lambda a, b: np.tensordot(a, b, axes=(0, 1)),
        (A34, _normal(2, 3))),
    Row("tensordot-pair-seqs", lambda a, b: np.tensordot(a, b, axes=([2, 0], [0, 2])),
        (_normal(2, 3, 4), _normal(4, 5, 2))),
    Row("tensordot-negative", lambda a, b: np.tensordot(a, b, axes=([-1], [-2])),
        (A34, _normal(2, 4, 3))),
    # einsum
    Row("einsum-matmul", lambda a, b: np.einsum("ij,jk->ik", a, b), (A34, B45)),
    Row("einsum-implicit", lambda a, b: np.einsum("ij,jk", a, b), (A34, B45)),
    Row("einsum-implicit-order", lambda a: np.einsum("ba", a), (A34,)),
    Row("einsum-transpose", lambda a: np.einsum("ij->ji", a), (A34,)),
    Row("einsum-dot", lambda a, b: np.einsum("i,i->", a, b), (V4, _normal(4))),
    Row("einsum-outer", lambda a, b: np.einsum("i,j->ij", a, b), (W3, V4)),
    Row("einsum-sum-out", lambda a: np.einsum("ijk->i", a), (_normal(2, 3, 4),)),
    Row("einsum-three", lambda a, b, c: np.einsum("ij,jk,kl->il", a, b, c),
        (A34, B45, _normal(5, 2))),
    Row("einsum-ellipsis", lambda a, b: np.einsum("...ij,...jk->...ik", a, b),
        (_normal(2, 3, 4), _normal(2, 4, 5))),
    Row("einsum-ellipsis-broadcast", lambda a, b: np.einsum("...ij,jk->...ik", a, b),
        (_normal(2, 3, 4), B45)),
    Row("einsum-ellipsis-implicit", lambda a, b: np.einsum("...j,jk", a, b),
        (_normal(2, 3, 4), B45)),
    Row("einsum-const-list", lambda a: np.einsum("ij,j->i", a, [1.0, 2.0, -1.0, 0.5]), (A34,)),
    Row("einsum-size1-broadcast", lambda a, b: np.einsum("ij,ij->ij", a, b),
        (_normal(3, 1), A34)),
    Row("einsum-trace", lambda a: np.einsum("ii", a), (M4,)),
    Row("einsum-diagonal", lambda a: np.einsum("ii->i", a), (M4,)),
    Row("einsum-diag-times", lambda a, b: np.einsum("ii,ij->ij", a, b), (M4, _normal(4, 2))),
    Row("einsum-sublists", lambda a, b: np.einsum(a, [0, 1], b, [1, 2], [0, 2]), (A34, B45)),
    Row("einsum-optimize", lambda a, b, c: np.einsum("ij,jk,kl", a, b, c, optimize=True),
        (A34, B45, _normal(5, 2))),
    # kron, cross
    Row("kron-2d", np.kron, (_normal(2, 3), _normal(3, 2))),
    Row("kron-1d", np.kron, (W3, V4)),
    Row("kron-mixed-ndim", np.kron, (W3, _normal(2, 2))),
    Row("cross-3", np.cross, (W3, _normal(3))),
    Row("cross-broadcast", np.cross, (_normal(5, 3), W3)),
    Row("cross-axes", lambda a, b: np.cross(a, b, axisa=0, axisb=1, axisc=0),
        (_normal(3, 4), _normal(4, 3))),
    Row("cross-axis", lambda a, b: np.cross(a, b, axis=0), (_normal(3, 2), _normal(3, 2))),
    # solve, inv
    Row("solve-vector", np.linalg.solve, (M4, V4)),
    Row("solve-matrix", np.linalg.solve, (M4, _normal(4, 2))),
    Row("solve-batch", np.linalg.solve, (M3B, _normal(2, 3, 2))),
    Row("solve-batch-vector", np.linalg.solve, (M3B, W3)),
    Row("solve-broadcast-a", np.linalg.solve, (_wellcond(3), _normal(2, 3, 4))),
    Row("inv", np.linalg.inv, (M4,)),
    Row("inv-batch", np.linalg.inv, (M3B,)),
    # det, slogdet
    Row("det", np.linalg.det, (M4,)),
    Row("det-negative", np.linalg.det, (NEG,)),
    Row("det-batch", np.linalg.det, (M3B,)),
    Row("slogdet", lambda a: np.linalg.slogdet(a)[1], (M4,)),
    Row("slogdet-negative", lambda a: np.linalg.slogdet(a).logabsdet, (NEG,)),
    Row("slogdet-sign-times", lambda a: np.linalg.slogdet(a)[0] * a, (NEG,)),
    Row("slogdet-batch", lambda a: np.linalg.slogdet(a)[1], (M3B,)),
    # cholesky
    Row("cholesky", np.linalg.cholesky, (S4,)),
    Row("cholesky-upper", lambda a: np.linalg.cholesky(a, upper=True), (S4,)),
    Row("cholesky-batch", np.linalg.cholesky, (S3B,)),
    Row("cholesky-logdet", lambda a: 2.0 * np.sum(np.log(np.linalg.cholesky(a) @ np.ones(4))),
        (S4,)),
    # eigh (eigenvectors through sign-invariant functions)
    Row("eigh-values", lambda a: np.linalg.eigh(a)[0], (S4,)),
    Row("eigh-vectors", lambda a: _eigvec_invariant(np.linalg.eigh(a)[1]), (S4,)),
    Row("eigh-both", lambda a: np.linalg.eigh(a).eigenvalues * np.linalg.eigh(a)[1] ** 2, (S4,)),
    Row("eigh-upper", lambda a: _eigvec_invariant(np.linalg.eigh(a, UPLO="U")[1]), (S4,)),
    Row("eigh-batch", lambda a: _eigvec_invariant(np.linalg.eigh(a)[1]), (S3B,)),
    Row("eigvalsh", np.linalg.eigvalsh, (S4,)),
    Row("eigvalsh-upper", lambda a: np.linalg.eigvalsh(a, UPLO="U"), (S4,)),
    Row("eigvalsh-batch", np.linalg.eigvalsh, (S3B,)),
]
if CROSS_OF_2_VECTORS:  # numpy 2.5 removed np.cross of 2-vectors, and optkit follows it
    ROWS += [
        Row("cross-2-3", lambda a, b: _cross_2d(a, b), (_normal(4, 2), _normal(4, 3))),
        Row("cross-2-2", lambda a, b: _cross_2d(a, b), (_normal(4, 2), _normal(2))),
    ]


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_linalg(row):
    check_row(row)


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_linalg_value_through_tracer(row):
    check_values(row, rtol=1e-13, atol=1e-13)


# ---- specific values and derivatives ---------------------------------------------------------
def test_logistic_gradient_matches_hand_written():
    r = rng(1)
    x, y, w = r.standard_normal((50, 6)), r.choice([-1.0, 1.0], 50), r.standard_normal(6)

    def loss(w):
        return np.mean(np.logaddexp(0.0, -y * (x @ w))) + 0.5 * w @ w

    z = y * (x @ w)
    expected = -(x.T @ (y / (1.0 + np.exp(z)))) / 50 + w
    np.testing.assert_allclose(optkit.grad(loss)(w), expected, rtol=1e-12)


def test_slogdet_sign_and_value():
    sign, logabsdet = optkit.jvp(lambda a: np.linalg.slogdet(a)[0], NEG, np.ones((3, 3)))
    assert sign == -1.0 and logabsdet == 0.0
    expected = np.linalg.inv(NEG).T   # d log|det A| / dA = A^{-T}
    np.testing.assert_allclose(optkit.grad(lambda a: np.linalg.slogdet(a)[1])(NEG), expected,
                               rtol=1e-12)


def test_det_hessian_vector_product():
    # d^2 det(A)[V, V] = det(A) ((tr A^{-1}V)^2 - tr(A^{-1}V A^{-1}V)) for V = direction
    v = rng(2).standard_normal((4, 4))
    hv = optkit.hvp(np.linalg.det, M4, v)
    ainv = np.linalg.inv(M4)
    k = ainv @ v
    expected = np.linalg.det(M4) * (np.trace(k) ** 2 - np.trace(k @ k))
    np.testing.assert_allclose(np.sum(hv * v), expected, rtol=1e-10)


def test_cholesky_and_eigh_read_one_triangle_like_numpy():
    a = S4 + np.triu(_normal(4, 4), 1)   # garbage above the diagonal: numpy ignores it
    np.testing.assert_allclose(optkit.jvp(np.linalg.cholesky, a, np.ones((4, 4)))[0],
                               np.linalg.cholesky(a), rtol=1e-14)
    w = optkit.jvp(np.linalg.eigvalsh, a, np.ones((4, 4)))[0]
    np.testing.assert_allclose(w, np.linalg.eigvalsh(a), rtol=1e-14)
    # the gradient lives on the lower triangle that numpy reads
    g = optkit.grad(lambda m: np.sum(np.linalg.cholesky(m)))(a)
    assert np.all(np.triu(g, 1) == 0.0)
    check_row(Row("cholesky-nonsymmetric", np.linalg.cholesky, (a,)))


def test_eigh_symmetric_gradient_of_sum_of_eigenvalues_is_identity_on_triangle():
    # sum of eigenvalues = trace: its derivative is I, whichever triangle is read
    g = optkit.grad(lambda m: np.sum(np.linalg.eigvalsh(m)))(S4)
    np.testing.assert_allclose(g, np.eye(4), atol=1e-12)


def test_einsum_rejects_out_and_bad_subscripts():
    x = np.ones((2, 2))
    with pytest.raises(TypeError, match="out="):
        optkit.grad(lambda a: np.sum(np.einsum("ij->i", a, out=np.empty(2))))(x)
    with pytest.raises(ValueError, match="subscripts"):
        optkit.grad(lambda a: np.sum(np.einsum("ijk->i", a)))(x)


def test_plain_ndarray_dot_method_on_traced_argument_raises():
    # ndarray.dot converts its argument with no numpy protocol to intercept: never silent
    with pytest.raises(optkit.TracerConversionError):
        optkit.grad(lambda b: np.sum(A34.dot(b)))(V4)


def test_tensordot_rejects_bad_axes():
    with pytest.raises(ValueError, match="same length"):
        optkit.grad(lambda a: np.sum(np.tensordot(a, a, axes=([0, 1], [0]))))(np.ones((2, 2)))


def test_einsum_too_many_operands_is_refused():
    from optkit.ad.rules.einsum import EINSUM_MAX_OPERANDS as _EINSUM_MAX_OPERANDS

    n = _EINSUM_MAX_OPERANDS + 1
    with pytest.raises(NotDifferentiableError, match="operands"):
        optkit.grad(lambda a: np.einsum(",".join("i" * n) + "->i", *([a] * n))[0])(np.ones(1))


@pytest.mark.skipif(not CROSS_OF_2_VECTORS, reason="numpy >= 2.5 has no 2-vector cross")
def test_cross_of_2_vectors_warns_as_numpy_does():
    with pytest.warns(DeprecationWarning, match="2-dimensional vectors"):
        optkit.grad(lambda a: np.cross(a, np.ones(2)))(np.array([1.0, 2.0]))


def test_eigh_at_repeated_eigenvalues():
    # spectral functions f(w) through eigvalsh keep their gradient V diag(f'(w)) V^T
    # (Lewis 1996) where eigenvalues repeat ...
    a = 2.0 * np.eye(3)
    g = optkit.grad(lambda m: np.sum(np.log(np.linalg.eigvalsh(m))))(a)
    np.testing.assert_allclose(g, 0.5 * np.eye(3), atol=1e-15)
    _, dw = optkit.jvp(lambda m: np.sum(np.linalg.eigvalsh(m) ** 2), a, S4[:3, :3])
    np.testing.assert_allclose(dw, 4.0 * np.trace(S4[:3, :3]), rtol=1e-14)
    _, dw = optkit.jvp(lambda m: np.linalg.eigh(m)[0], a, S4[:3, :3])
    np.testing.assert_allclose(np.sum(dw), np.trace(S4[:3, :3]), rtol=1e-14)
    # ... while eigenvector derivatives are undefined there: NaN, never a plausible number
    g = optkit.grad(lambda m: np.sum(np.linalg.eigh(m)[1] ** 3))(a)
    assert np.all(np.isnan(g))


SCALAR_OUTPUTS = [
    ("matmul-1d-1d", lambda x: x @ x),
    ("dot", lambda x: np.dot(x, 2.0 * x)),
    ("inner", lambda x: np.inner(x, x)),
    ("vdot", lambda x: np.vdot(x, x)),
    ("vecdot", lambda x: np.vecdot(x, x)),
    ("linalg.vecdot", lambda x: np.linalg.vecdot(x, x)),
    ("tensordot", lambda x: np.tensordot(x, x, axes=1)),
    ("einsum", lambda x: np.einsum("i,i", x, x)),
    ("det", lambda x: np.linalg.det(np.outer(x, x) + np.eye(3))),
    ("slogdet", lambda x: np.linalg.slogdet(np.outer(x, x) + np.eye(3))[1]),
]
if CROSS_OF_2_VECTORS:
    SCALAR_OUTPUTS.append(("cross-2d", lambda x: _cross_2d(x[:2], x[1:])))


@pytest.mark.parametrize("fun", [f for _, f in SCALAR_OUTPUTS], ids=[n for n, _ in SCALAR_OUTPUTS])
def test_grad_of_scalar_outputs(fun):
    # grad seeds the backward pass with a Python float: every rule must accept it
    x = np.array([0.3, -1.2, 0.7])
    _, pullback = optkit.vjp(fun, x)
    np.testing.assert_allclose(optkit.grad(fun)(x), pullback(np.array(1.0)), rtol=1e-14)
    optkit.check_grads(fun, x, order=2)


@pytest.mark.skipif(CROSS_OF_2_VECTORS, reason="numpy < 2.5 still has np.cross of 2-vectors")
def test_cross_of_2_vectors_is_refused_as_numpy_refuses_it():
    a, b = _normal(2), _normal(3)
    with pytest.raises(ValueError, match="3-dimensional vectors"):
        np.cross(a, b)
    with pytest.raises(ValueError, match="3-dimensional vectors"):
        optkit.grad(lambda x: np.sum(np.cross(x, b)))(a)
