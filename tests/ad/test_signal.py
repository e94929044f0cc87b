"""optkit.signal against scipy.signal (direct method): values in every mode, derivatives in
both arguments (both modes, second order), bad input."""

import numpy as np
import pytest
import scipy.signal as ss

import optkit
from optkit import signal

from .table import Row, check_complex_row, check_row, rng

R = rng(5)
PAIRS = [(R.normal(size=7), R.normal(size=3)), (R.normal(size=3), R.normal(size=7)),
         (R.normal(size=5), R.normal(size=5)), (R.normal(size=(5, 4)), R.normal(size=(2, 3))),
         (R.normal(size=(2, 3)), R.normal(size=(5, 4))),
         (R.normal(size=(4, 3, 3)), R.normal(size=(2, 2, 2)))]
IDS = ["x".join(map(str, a.shape)) + "-" + "x".join(map(str, v.shape)) for a, v in PAIRS]


@pytest.mark.parametrize("fn", ["convolve", "correlate"])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("pair", PAIRS, ids=IDS)
def test_values_match_scipy(fn, mode, pair):
    expected = getattr(ss, fn)(*pair, mode=mode, method="direct")
    got = getattr(signal, fn)(*pair, mode=mode)
    assert np.shape(got) == np.shape(expected)
    np.testing.assert_allclose(got, expected, rtol=1e-13, atol=1e-14)


ROWS = [Row(f"{fn}-{mode}-{name}", lambda a, v, fn=fn, mode=mode:
            getattr(signal, fn)(a, v, mode=mode), pair)
        for fn in ("convolve", "correlate") for mode in ("full", "same", "valid")
        for pair, name in zip(PAIRS[:5], IDS[:5], strict=True)]


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_derivatives(row):
    check_row(row)


def test_gradient_is_correlation():
    a, v = PAIRS[0]
    g = R.normal(size=9)
    _, pullback = optkit.vjp(lambda x: signal.convolve(x, v), a)
    np.testing.assert_allclose(pullback(g), ss.correlate(g, v, mode="valid"), rtol=1e-13)


@pytest.mark.parametrize("call, match", [
    (lambda: signal.convolve(np.ones(3), np.ones((2, 2))), "same dimensionality"),
    (lambda: signal.convolve(np.ones(3), np.ones(2), mode="circular"), "mode must be"),
    (lambda: signal.correlate(np.ones((3, 1)), np.ones((1, 3)), mode="valid"), "at least as"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ---- complex inputs: values as scipy's, derivatives with JAX's conventions -----------------------
def _complex(x, seed):
    return x + 1j * np.random.default_rng(seed).normal(size=np.shape(x))


CPAIRS = [(_complex(a, 2 * k), _complex(v, 2 * k + 1)) for k, (a, v) in enumerate(PAIRS)]


@pytest.mark.parametrize("fn", ["convolve", "correlate"])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("pair", CPAIRS, ids=IDS)
def test_complex_values_match_scipy(fn, mode, pair):
    expected = getattr(ss, fn)(*pair, mode=mode, method="direct")
    got = getattr(signal, fn)(*pair, mode=mode)
    np.testing.assert_allclose(got, expected, rtol=1e-13, atol=1e-14)
    mixed = (pair[0].real, pair[1])     # a real and a complex operand
    np.testing.assert_allclose(getattr(signal, fn)(*mixed, mode=mode),
                               getattr(ss, fn)(*mixed, mode=mode, method="direct"),
                               rtol=1e-13, atol=1e-14)


CROWS = [Row(f"{fn}-{mode}-{name}", lambda a, v, fn=fn, mode=mode:
             getattr(signal, fn)(a, v, mode=mode), pair)
         for fn in ("convolve", "correlate") for mode in ("full", "valid")
         for pair, name in zip(CPAIRS[2:4], IDS[2:4], strict=True)]


@pytest.mark.parametrize("row", CROWS, ids=str)
def test_complex_derivatives(row):
    check_complex_row(row)
    check_row(row)      # optkit's checker: complex directions, both modes, second order


def test_complex_scalar_correlate_conjugates_as_scipy():
    a, v = np.array(1.0 + 2.0j), np.array(0.5 - 1.0j)
    np.testing.assert_allclose(signal.correlate(a, v), ss.correlate(a, v), rtol=1e-15)
