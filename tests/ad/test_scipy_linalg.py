"""optkit.linalg against scipy.linalg: values, derivatives in every array argument (both modes,
second order), the compiled path, and bad input."""

import warnings

import numpy as np
import pytest
import scipy.linalg as sla

import optkit
from optkit import linalg

from .table import Row, check_row, fd_grad, rng

R = rng(4)
N = 4
A = R.normal(size=(N, N)) * 0.5
SPD = A @ A.T + N * np.eye(N)
B = R.normal(size=(N, 2))
V = R.normal(size=N)
UPPER = np.triu(R.normal(size=(N, N))) + 3.0 * np.eye(N)
C = R.normal(size=(3, 3)) + 4.0 * np.eye(3)
Q = R.normal(size=(N, 3))
AB = R.normal(size=(4, N))          # (l, u) = (2, 1): the diagonal is row u = 1
AB[1] += 4.0
STACK = R.normal(size=(2, 3, 3)) * 0.4


def _lu_solve(a, b, trans=0):
    return linalg.lu_solve(linalg.lu_factor(a), b, trans=trans)


def _cho_solve(a, b, lower=False):
    return linalg.cho_solve(linalg.cho_factor(a, lower=lower), b)


ROWS = [
    Row("expm", linalg.expm, (A,)),
    Row("expm-stack", linalg.expm, (STACK,)),
    Row("sqrtm", linalg.sqrtm, (SPD,)),
    Row("solve_sylvester", linalg.solve_sylvester, (A, C, Q)),
    Row("lu_factor", lambda a: linalg.lu_factor(a)[0], (A,)),
    Row("lu_solve", _lu_solve, (A, B)),
    Row("lu_solve-T", lambda a, b: _lu_solve(a, b, trans=1), (A, V)),
    Row("cho_solve", _cho_solve, (SPD, B)),
    Row("cho_solve-lower", lambda a, b: _cho_solve(a, b, lower=True), (SPD, V)),
    Row("solve_banded", lambda ab, b: linalg.solve_banded((2, 1), ab, b), (AB, B)),
    Row("solve_banded-vector", lambda ab, b: linalg.solve_banded((2, 1), ab, b), (AB, V)),
    Row("solve_banded-upper", lambda ab, b: linalg.solve_banded((0, 2), ab, b), (AB[:3], V)),
    Row("solve_banded-lower", lambda ab, b: linalg.solve_banded((1, 0), ab, b), (AB[1:3], V)),
] + [
    Row(f"solve_triangular-trans{trans}-lower{lower}-unit{unit}-{len(b.shape)}d",
        lambda t, b, trans=trans, lower=lower, unit=unit: linalg.solve_triangular(
            t, b, trans=trans, lower=lower, unit_diagonal=unit),
        (UPPER.T if lower else UPPER, b))
    for trans in (0, 1, "C") for lower in (False, True) for unit in (False, True)
    for b in (B, V)
]


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_derivatives(row):
    check_row(row)


def test_values_match_scipy():
    np.testing.assert_allclose(linalg.expm(A), sla.expm(A), rtol=1e-14)
    np.testing.assert_allclose(linalg.expm(STACK), sla.expm(STACK), rtol=1e-14)
    np.testing.assert_allclose(linalg.sqrtm(SPD), sla.sqrtm(SPD), rtol=1e-14)
    np.testing.assert_allclose(linalg.solve_sylvester(A, C, Q), sla.solve_sylvester(A, C, Q),
                               rtol=1e-13)
    for trans in (0, 1):
        for unit in (False, True):
            np.testing.assert_allclose(
                linalg.solve_triangular(UPPER.T, B, trans=trans, lower=True, unit_diagonal=unit),
                sla.solve_triangular(UPPER.T, B, trans=trans, lower=True, unit_diagonal=unit),
                rtol=1e-13)
    lu, piv = linalg.lu_factor(A)
    lu_s, piv_s = sla.lu_factor(A)
    np.testing.assert_allclose(lu, lu_s, rtol=1e-14)
    np.testing.assert_array_equal(piv, piv_s)
    for trans in (0, 1, 2):
        np.testing.assert_allclose(linalg.lu_solve((lu, piv), B, trans=trans),
                                   sla.lu_solve((lu_s, piv_s), B, trans=trans), rtol=1e-13)
    for lower in (False, True):
        c, low = linalg.cho_factor(SPD, lower=lower)
        c_s, _ = sla.cho_factor(SPD, lower=lower)
        mask = np.tril(np.ones((N, N))) if lower else np.triu(np.ones((N, N)))
        np.testing.assert_allclose(c, mask * c_s, rtol=1e-14)   # scipy's other triangle: junk
        np.testing.assert_allclose(linalg.cho_solve((c, low), B), sla.cho_solve((c_s, low), B),
                                   rtol=1e-13)
        # scipy's own factor (junk in the other triangle) works in optkit's cho_solve
        np.testing.assert_allclose(linalg.cho_solve((c_s, low), V), sla.cho_solve((c_s, low), V),
                                   rtol=1e-13)
    np.testing.assert_allclose(linalg.solve_banded((2, 1), AB, B),
                               sla.solve_banded((2, 1), AB, B), rtol=1e-13)


def test_expm_frechet_matches_scipy():
    e = R.normal(size=(N, N))
    _, tangent = optkit.jvp(linalg.expm, A, e)
    np.testing.assert_allclose(tangent, sla.expm_frechet(A, e, compute_expm=False), rtol=1e-12)


def test_sqrtm_of_a_matrix_with_a_complex_root_is_scipys_and_differentiable():
    # (refused until complex rules landed) a real matrix with a negative eigenvalue
    a = np.array([[-1.0, 0.2], [0.1, 2.0]])
    np.testing.assert_allclose(linalg.sqrtm(a), sla.sqrtm(a), rtol=1e-13)
    w = np.array([[1.0 - 0.5j, 0.3j], [0.2, -0.7 + 1j]])

    def loss(x):
        return np.real(np.sum(w * linalg.sqrtm(x)))

    np.testing.assert_allclose(optkit.grad(loss)(a), fd_grad(loss, a), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("call, match", [
    (lambda: linalg.expm(np.ones((2, 3))), "A must be a square"),
    (lambda: linalg.solve_triangular(UPPER, np.ones(3)), "b must have 4 rows"),
    (lambda: linalg.solve_triangular(UPPER, V, trans="X"), "trans must be"),
    (lambda: linalg.solve_banded((2, 1), AB[:3], V), "ab must have shape"),
    (lambda: linalg.solve_banded((2, -1), AB, V), "u must be a non-negative"),
    (lambda: linalg.solve_sylvester(A, C, np.ones((3, 3))), "q must have shape"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_hvp_through_lu_solve_matches_finite_differences():
    def f(x):
        return np.sum(_lu_solve(SPD + A + np.diag(x), V) ** 2)

    x = np.linspace(0.1, 0.4, N)
    v = np.ones(N)
    h = 1e-5
    fd = (optkit.grad(f)(x + h * v) - optkit.grad(f)(x - h * v)) / (2 * h)
    np.testing.assert_allclose(optkit.hvp(f, x, v), fd, rtol=1e-6)


def test_compiled_path_needs_no_fallback():
    def f(x):
        m = np.outer(x, x) * 0.1 + np.eye(N)
        return np.sum(linalg.expm(m)) + np.sum(linalg.cho_solve(linalg.cho_factor(m), x))

    cf = optkit.compile(f)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(cf(V), f(V), rtol=1e-14)
        np.testing.assert_allclose(optkit.grad(cf)(V), optkit.grad(f)(V), rtol=1e-12)


def test_compiled_lu_solve_runs_eagerly_with_its_warning():
    # lu_solve reads the pivots (a plain value) out of the traced factorization: the compiled
    # program cannot replay it for another matrix, so it falls back with a CompileWarning
    def f(x):
        return np.sum(_lu_solve(A + np.diag(x), V))

    cf = optkit.compile(f)
    x = np.linspace(0.1, 0.4, N)
    with pytest.warns(optkit.CompileWarning):
        value = cf(x)
    np.testing.assert_allclose(value, f(x), rtol=1e-14)
