"""optkit.linalg on complex matrices: values against scipy.linalg, and derivatives with JAX's
conventions against central differences (real and imaginary parts perturbed), both modes and
second order (``check_complex_row``)."""

import warnings

import numpy as np
import pytest
import scipy.linalg as sla

import optkit
from optkit import linalg

from .table import Row, check_complex_row, check_row


def _cmat(shape, seed, scale=1.0):
    r = np.random.default_rng(seed)
    return scale * (r.standard_normal(shape) + 1j * r.standard_normal(shape))


N = 3
A = _cmat((N, N), 0, 0.5)
HPD = A @ np.conj(A.T) + N * np.eye(N)
NONHERM = HPD + 0.5 * np.triu(_cmat((N, N), 1), 1) + 0.5 * np.tril(_cmat((N, N), 2), -1)
B = _cmat((N, 2), 3)
V = _cmat((N,), 4)
UPPER = np.triu(_cmat((N, N), 5)) + 3.0 * np.eye(N)
C = _cmat((2, 2), 6) + 4.0 * np.eye(2)
Q = _cmat((N, 2), 7)
AB = _cmat((4, N), 8)             # (l, u) = (2, 1): the diagonal is row u = 1
AB[1] += 4.0
STACK = _cmat((2, 2, 2), 9, 0.4)


def _lu_solve(a, b, trans=0):
    return linalg.lu_solve(linalg.lu_factor(a), b, trans=trans)


def _cho_solve(a, b, lower=False):
    return linalg.cho_solve(linalg.cho_factor(a, lower=lower), b)


ROWS = [
    Row("expm", linalg.expm, (A,)),
    Row("expm-stack", linalg.expm, (STACK,)),
    Row("sqrtm", linalg.sqrtm, (HPD + A,)),
    Row("solve_sylvester", linalg.solve_sylvester, (A + 2 * np.eye(N), C, Q)),
    Row("lu_factor", lambda a: linalg.lu_factor(a)[0], (A + np.eye(N),)),
    Row("lu_solve", _lu_solve, (A + np.eye(N), B)),
    Row("lu_solve-T", lambda a, b: _lu_solve(a, b, trans=1), (A + np.eye(N), V)),
    Row("lu_solve-C", lambda a, b: _lu_solve(a, b, trans=2), (A + np.eye(N), V)),
    Row("cho_factor", lambda a: linalg.cho_factor(a)[0], (NONHERM,)),
    Row("cho_factor-lower", lambda a: linalg.cho_factor(a, lower=True)[0], (NONHERM,)),
    Row("cho_solve", _cho_solve, (NONHERM, B)),
    Row("cho_solve-lower", lambda a, b: _cho_solve(a, b, lower=True), (NONHERM, V)),
    Row("solve_banded", lambda ab, b: linalg.solve_banded((2, 1), ab, b), (AB, B)),
    Row("solve_banded-vector", lambda ab, b: linalg.solve_banded((2, 1), ab, b), (AB, V)),
] + [
    Row(f"solve_triangular-trans{trans}-lower{lower}-{len(b.shape)}d",
        lambda t, b, trans=trans, lower=lower: linalg.solve_triangular(
            t, b, trans=trans, lower=lower),
        (UPPER.T if lower else UPPER, b))
    for trans in (0, 1, "C") for lower in (False, True) for b in (B, V)
]


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_complex_derivatives(row):
    check_complex_row(row, rtol=1e-5, atol=1e-7)


def test_complex_values_match_scipy():
    np.testing.assert_allclose(linalg.expm(A), sla.expm(A), rtol=1e-13)
    np.testing.assert_allclose(linalg.sqrtm(HPD + A), sla.sqrtm(HPD + A), rtol=1e-13)
    np.testing.assert_allclose(linalg.solve_sylvester(A, C, Q), sla.solve_sylvester(A, C, Q),
                               rtol=1e-12)
    for trans in (0, 1, 2):
        np.testing.assert_allclose(linalg.solve_triangular(UPPER, B, trans=trans),
                                   sla.solve_triangular(UPPER, B, trans=trans), rtol=1e-13)
    lu, piv = linalg.lu_factor(A)
    lu_s, piv_s = sla.lu_factor(A)
    np.testing.assert_allclose(lu, lu_s, rtol=1e-14)
    np.testing.assert_array_equal(piv, piv_s)
    for trans in (0, 1, 2):
        np.testing.assert_allclose(linalg.lu_solve((lu, piv), B, trans=trans),
                                   sla.lu_solve((lu_s, piv_s), B, trans=trans), rtol=1e-13)
    for lower in (False, True):
        c, low = linalg.cho_factor(NONHERM, lower=lower)
        c_s, _ = sla.cho_factor(NONHERM, lower=lower)
        mask = np.tril(np.ones((N, N))) if lower else np.triu(np.ones((N, N)))
        np.testing.assert_allclose(c, mask * c_s, rtol=1e-14)
        np.testing.assert_allclose(linalg.cho_solve((c, low), B), sla.cho_solve((c_s, low), B),
                                   rtol=1e-13)
    np.testing.assert_allclose(linalg.solve_banded((2, 1), AB, B),
                               sla.solve_banded((2, 1), AB, B), rtol=1e-13)


def test_non_numeric_input_names_the_argument():
    with pytest.raises(TypeError, match="A must be a real or complex array, got dtype <U1"):
        linalg.expm(np.array([["a"]]))


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_check_grads(row):
    # optkit's own checker: complex directions, both modes, second order
    check_row(row)


def test_complex_sqrtm_on_the_branch_cut_is_refused():
    a = np.diag([-1.0, 2.0]) + 0j       # a complex matrix with an eigenvalue -1 on the cut
    np.testing.assert_allclose(linalg.sqrtm(a), sla.sqrtm(a), rtol=1e-14)   # the value is fine
    with pytest.raises(ValueError, match="branch cut"):
        optkit.grad(lambda x: np.real(np.sum(linalg.sqrtm(x))))(a)
    with pytest.raises(ValueError, match="branch cut"):
        optkit.jvp(linalg.sqrtm, a, a)
    # the real matrix is differentiable there (real directions keep -1 on the axis)
    optkit.grad(lambda x: np.real(np.sum(linalg.sqrtm(x))))(np.real(a))


@pytest.mark.parametrize("a", [-np.eye(2), np.diag([0.0, 1.0])], ids=["repeated", "zero"])
def test_real_sqrtm_at_a_repeated_negative_or_zero_eigenvalue_is_refused(a):
    with warnings.catch_warnings():   # scipy warns that a singular matrix's root is inaccurate
        warnings.simplefilter("ignore", sla.LinAlgWarning)
        with pytest.raises(ValueError, match="branch cut"):
            optkit.grad(lambda x: np.real(np.sum(linalg.sqrtm(x))))(a)
