"""optkit.special: logsumexp, softmax and log_softmax equal SciPy's, on plain and traced input."""

import numpy as np
import pytest
from scipy import special

import optkit
import optkit.special as osp

from .table import Row, check_row, rng

R = rng(0)
A = R.standard_normal((3, 4))
B = R.uniform(0.5, 2.0, size=(3, 4))
C = R.standard_normal((2, 3, 4))
BIG = A * 300.0 + 1000.0                 # exp overflows without the max shift

LSE_CASES = [
    ("axis-none", A, {}),
    ("axis-0", A, {"axis": 0}),
    ("axis-1", A, {"axis": 1}),
    ("axis-negative", C, {"axis": -1}),
    ("axis-tuple", C, {"axis": (0, 2)}),
    ("keepdims", C, {"axis": 1, "keepdims": True}),
    ("keepdims-none", A, {"keepdims": True}),
    ("large", BIG, {"axis": 1}),
    ("vector", A[0], {}),
]
SOFTMAX_CASES = [
    ("axis-none", A, {}),
    ("axis-0", A, {"axis": 0}),
    ("axis-negative", C, {"axis": -1}),
    ("axis-tuple", C, {"axis": (1, 2)}),
    ("large", BIG, {"axis": 1}),
]

ROWS = (
    [Row(f"logsumexp-{name}", lambda a, kw=kw: osp.logsumexp(a, **kw), (x,))
     for name, x, kw in LSE_CASES]
    + [Row(f"softmax-{name}", lambda a, kw=kw: osp.softmax(a, **kw), (x,))
       for name, x, kw in SOFTMAX_CASES]
    + [Row(f"log_softmax-{name}", lambda a, kw=kw: osp.log_softmax(a, **kw), (x,))
       for name, x, kw in SOFTMAX_CASES]
    + [
        Row("logsumexp-b", lambda a, b: osp.logsumexp(a, axis=1, b=b), (A, B)),
        Row("logsumexp-b-broadcast", lambda a, b: osp.logsumexp(a, axis=0, b=b), (A, B[0])),
        Row("logsumexp-b-broadcasts-a", lambda a, b: osp.logsumexp(a, axis=0, b=b), (A[0], B)),
    ]
)


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_special_module(row):
    check_row(row)


@pytest.mark.parametrize("name,x,kw", LSE_CASES, ids=[c[0] for c in LSE_CASES])
def test_logsumexp_equals_scipy(name, x, kw):
    expected = special.logsumexp(x, **kw)
    np.testing.assert_allclose(osp.logsumexp(x, **kw), expected, rtol=1e-13)
    np.testing.assert_allclose(optkit.vjp(lambda a: osp.logsumexp(a, **kw), x)[0], expected,
                               rtol=1e-13)
    assert np.shape(osp.logsumexp(x, **kw)) == np.shape(expected)


@pytest.mark.parametrize("name,x,kw", SOFTMAX_CASES, ids=[c[0] for c in SOFTMAX_CASES])
def test_softmax_and_log_softmax_equal_scipy(name, x, kw):
    for ours, theirs in ((osp.softmax, special.softmax), (osp.log_softmax, special.log_softmax)):
        expected = theirs(x, **kw)
        np.testing.assert_allclose(ours(x, **kw), expected, rtol=1e-12, atol=1e-300)
        np.testing.assert_allclose(optkit.vjp(lambda a, f=ours: f(a, **kw), x)[0], expected,
                                   rtol=1e-12, atol=1e-300)


def test_logsumexp_with_b_and_sign_equals_scipy():
    b = np.array([[1.0, -2.0, 0.5, 1.0], [-1.0, -1.0, 0.5, 0.1], [2.0, 1.0, 1.0, 1.0]])
    out, sign = osp.logsumexp(A, axis=1, b=b, return_sign=True)
    ref_out, ref_sign = special.logsumexp(A, axis=1, b=b, return_sign=True)
    np.testing.assert_allclose(out, ref_out, rtol=1e-12)
    np.testing.assert_array_equal(sign, ref_sign)
    np.testing.assert_allclose(osp.logsumexp(A, b=B), special.logsumexp(A, b=B), rtol=1e-13)


def test_gradient_of_logsumexp_is_softmax_even_for_large_inputs():
    g = optkit.grad(osp.logsumexp)(BIG)
    np.testing.assert_allclose(g, special.softmax(BIG), rtol=1e-12, atol=1e-300)
    assert np.all(np.isfinite(g))


def test_logsumexp_of_minus_infinity():
    x = np.array([-np.inf, 0.0, -np.inf])
    assert osp.logsumexp(x) == 0.0
    np.testing.assert_array_equal(optkit.grad(osp.logsumexp)(x), [0.0, 1.0, 0.0])
    all_inf = np.full(3, -np.inf)
    assert osp.logsumexp(all_inf) == special.logsumexp(all_inf) == -np.inf


def test_hessian_of_logsumexp():
    # H = diag(p) - p p^T with p = softmax(x)
    x = A[0]
    p = special.softmax(x)
    np.testing.assert_allclose(optkit.hessian(osp.logsumexp)(x), np.diag(p) - np.outer(p, p),
                               rtol=1e-12, atol=1e-15)


def test_plain_lists_and_integers_are_accepted():
    assert osp.logsumexp([1, 2, 3]) == pytest.approx(special.logsumexp([1, 2, 3]), rel=1e-14)
    np.testing.assert_allclose(osp.softmax([1, 2, 3]), special.softmax([1, 2, 3]), rtol=1e-14)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="axis 2 is out of bounds"):
        osp.softmax(A, axis=2)
    with pytest.raises(ValueError, match="repeats"):
        osp.logsumexp(A, axis=(1, -1))
    with pytest.raises(TypeError, match="x must be a real array"):
        osp.log_softmax(np.array(["a", "b"]))


@pytest.mark.parametrize("fun", [special.logsumexp, special.softmax, special.log_softmax])
def test_scipy_python_level_functions_raise_on_traced_values(fun):
    # SciPy converts with np.asarray first (no protocol can intercept it): never silent
    with pytest.raises(optkit.TracerConversionError):
        optkit.grad(lambda x: np.sum(fun(x)))(A[0])


def test_exported_from_optkit():
    assert optkit.special is osp
    assert "special" in optkit.__all__
