"""np.linalg.eig and eigvals of general matrices: eigenvalues, and eigenvectors as numpy
normalizes them (unit norm, largest component real), against finite differences in both modes
to second order, real and complex; a repeated eigenvalue is refused."""

import warnings

import numpy as np
import pytest

import optkit

from .table import Row, check_complex_row, check_row, rng

_R = rng(0)
A = _R.standard_normal((4, 4))                      # real, with a complex pair
S = A @ A.T + np.diag([1.0, 2.0, 3.0, 4.0])         # real eigenvalues: numpy returns real arrays
C = A + 1j * _R.standard_normal((4, 4))             # complex
B = _R.standard_normal((2, 3, 3))                   # a stack


def _sign_free(v):
    return np.abs(v) ** 2  # invariant under the sign a finite difference may flip


# ``EIG_ROWS``, not ``ROWS``: the generic compiled-table test expects rows that compile without a
# fallback, and these read eigenvalue gaps as values (tested below)
EIG_ROWS = [
    Row("eigvals", np.linalg.eigvals, (A,)),
    Row("eigvals-real-spectrum", np.linalg.eigvals, (S,)),
    Row("eigvals-stack", np.linalg.eigvals, (B,)),
    Row("eig-values", lambda a: np.linalg.eig(a)[0], (A,)),
    Row("eig-vectors", lambda a: _sign_free(np.linalg.eig(a)[1]), (A,)),
    Row("eig-vectors-real-spectrum", lambda a: _sign_free(np.linalg.eig(a).eigenvectors), (S,)),
    Row("eig-reconstruct", lambda a: (lambda w, v: (v * w) @ np.linalg.inv(v))(
        *np.linalg.eig(a)), (A,)),
]


def _abs_rows(rows):
    # real-valued outputs for check_grads (complex outputs have no real finite difference)
    return [Row(r.name, lambda a, f=r.fun: np.abs(f(a)) ** 2, r.args, r.order) for r in rows]


@pytest.mark.parametrize("row", _abs_rows(EIG_ROWS), ids=str)
def test_eig_rules_real_matrices(row):
    check_row(row)


COMPLEX_ROWS = [
    Row("eigvals", np.linalg.eigvals, (C,)),
    Row("eig-values", lambda a: np.linalg.eig(a)[0], (C,)),
    Row("eig-vectors", lambda a: np.linalg.eig(a)[1], (C,)),
]


@pytest.mark.parametrize("row", COMPLEX_ROWS, ids=str)
def test_eig_rules_complex_matrices(row):
    check_complex_row(row, rtol=1e-5, atol=1e-7)


def test_values_are_numpys_and_real_when_numpy_is():
    # numpy < 2.5 returns real arrays for real eigenvalues, numpy 2.5 always complex ones:
    # the value and its tangent follow the installed numpy's dtype
    w, v = optkit.jvp(lambda a: np.linalg.eig(a)[1], S, S)
    want = np.linalg.eig(S)[1]
    assert w.dtype == want.dtype and v.dtype == want.dtype
    np.testing.assert_array_equal(w, want)
    assert optkit.jvp(np.linalg.eigvals, A, A)[0].dtype == np.complex128


def test_gradient_of_the_spectral_abscissa():
    # d max Re(w) / dA = Re(u v^T / (u^T v)) for the simple eigenvalue of largest real part
    def f(a):
        return np.max(np.real(np.linalg.eigvals(a)))

    w, vr = np.linalg.eig(A)
    i = np.argmax(w.real)
    left = np.linalg.inv(vr)[i]          # a left eigenvector with left @ vr[:, i] == 1
    np.testing.assert_allclose(optkit.grad(f)(A), np.real(np.outer(left, vr[:, i])),
                               rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("fun", [np.linalg.eigvals, lambda a: np.linalg.eig(a)[1]])
def test_repeated_eigenvalue_is_refused(fun):
    with pytest.raises(ValueError, match="repeated eigenvalue"):
        optkit.grad(lambda a: np.sum(np.abs(fun(a)) ** 2))(np.diag([1.0, 2.0, 1.0]))
    with pytest.raises(ValueError, match="repeated eigenvalue"):
        optkit.jvp(fun, np.eye(2), np.ones((2, 2)))


def test_compiled_falls_back_with_its_warning():
    def f(a):
        return np.sum(np.abs(np.linalg.eigvals(a)) ** 2)

    cf = optkit.compile(f)
    with pytest.warns(optkit.CompileWarning):
        g = optkit.grad(cf)(A)
    np.testing.assert_allclose(g, optkit.grad(f)(A), rtol=1e-13)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(optkit.grad(cf)(A), g, rtol=1e-13)  # warned once
