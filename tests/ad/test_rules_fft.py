"""numpy.fft: values equal numpy's, derivatives in both modes to second order, for real and
complex inputs, every norm, cropped and padded lengths, 2-d and n-d forms, and the shifts."""

import numpy as np
import pytest

import optkit
from optkit.ad.core import function_impls

from .table import Row, check_complex_row, check_row, rng

_R = rng(0)
X = _R.standard_normal(6)                                   # real 1-d
Z = _R.standard_normal(6) + 1j * _R.standard_normal(6)      # complex 1-d
M = _R.standard_normal((3, 4))                              # real 2-d
W = _R.standard_normal((3, 4)) + 1j * _R.standard_normal((3, 4))
T = _R.standard_normal((2, 3, 4))                           # real 3-d
H = np.fft.rfft(_R.standard_normal(6))                      # a half spectrum (irfft, hfft)

NORMS = [None, "ortho", "forward"]


def _rows():
    rows = []
    for norm in NORMS:
        for n in (None, 4, 9):
            k = f"{norm}-n{n}"
            rows += [
                Row(f"fft-real-{k}", lambda x, n=n, norm=norm: np.fft.fft(x, n, norm=norm), (X,)),
                Row(f"fft-{k}", lambda x, n=n, norm=norm: np.fft.fft(x, n, norm=norm), (Z,)),
                Row(f"ifft-{k}", lambda x, n=n, norm=norm: np.fft.ifft(x, n, norm=norm), (Z,)),
                Row(f"rfft-{k}", lambda x, n=n, norm=norm: np.fft.rfft(x, n, norm=norm), (X,)),
                Row(f"irfft-{k}", lambda x, n=n, norm=norm: np.fft.irfft(x, n, norm=norm), (H,)),
                Row(f"hfft-{k}", lambda x, n=n, norm=norm: np.fft.hfft(x, n, norm=norm), (H,)),
                Row(f"ihfft-{k}", lambda x, n=n, norm=norm: np.fft.ihfft(x, n, norm=norm), (X,)),
            ]
        rows += [
            Row(f"fft-axis0-{norm}", lambda x, norm=norm: np.fft.fft(x, axis=0, norm=norm), (W,)),
            Row(f"rfft-axis0-{norm}", lambda x, norm=norm: np.fft.rfft(x, 5, 0, norm), (M,)),
            Row(f"fft2-{norm}", lambda x, norm=norm: np.fft.fft2(x, norm=norm), (W,)),
            Row(f"ifft2-{norm}", lambda x, norm=norm: np.fft.ifft2(x, (4, 3), norm=norm), (W,)),
            Row(f"rfft2-{norm}", lambda x, norm=norm: np.fft.rfft2(x, norm=norm), (M,)),
            Row(f"irfft2-{norm}", lambda x, norm=norm: np.fft.irfft2(x, norm=norm), (W,)),
            Row(f"fftn-{norm}", lambda x, norm=norm: np.fft.fftn(x, norm=norm), (T,)),
            Row(f"ifftn-{norm}", lambda x, norm=norm: np.fft.ifftn(x, axes=(0, 2), norm=norm),
                (T,)),
            Row(f"rfftn-{norm}", lambda x, norm=norm: np.fft.rfftn(x, (3, 2, 6), (0, 1, 2), norm),
                (T,)),
            Row(f"irfftn-{norm}", lambda x, norm=norm: np.fft.irfftn(x, axes=(1, 2), norm=norm),
                (np.fft.rfftn(T),)),
        ]
    rows += [
        Row("fftshift", np.fft.fftshift, (M,)),
        Row("fftshift-axes", lambda x: np.fft.fftshift(x, axes=1), (W,)),
        Row("ifftshift", np.fft.ifftshift, (T,)),
        Row("ifftshift-axis", lambda x: np.fft.ifftshift(x, axes=0), (M,)),
        Row("fftfreq-spacing", lambda d: np.fft.fftfreq(5, d) * d ** 2, (np.array(0.3),)),
        Row("rfftfreq-spacing", lambda d: np.fft.rfftfreq(6, d) * d ** 2, (np.array(0.3),)),
    ]
    return rows


ROWS = _rows()


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_value_is_numpys(row):
    traced = optkit.jvp(lambda x: row.fun(x), row.args[0], np.zeros_like(row.args[0]))[0]
    np.testing.assert_allclose(traced, row.fun(*row.args), rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_derivatives_both_modes_second_order(row):
    check_row(row)


COMPLEX_ROWS = [r for r in ROWS if np.iscomplexobj(r.args[0]) and "irfft" not in r.name
                and "hfft" not in r.name]


@pytest.mark.parametrize("row", COMPLEX_ROWS[:12], ids=str)
def test_complex_conventions(row):
    check_complex_row(row)


def test_irfft_ignores_the_imaginary_parts_it_drops():
    # irfft reads y[0] and y[n/2] as real: their imaginary parts have no derivative
    def loss(y):
        return np.sum(np.fft.irfft(y) ** 2)

    g = optkit.grad(loss)(H)
    assert g[0].imag == 0.0 and g[-1].imag == 0.0
    assert np.any(g[1:-1].imag != 0.0)


def test_gradient_of_a_spectral_loss_against_finite_differences():
    def loss(x):
        return np.sum(np.abs(np.fft.rfft(x, norm="ortho"))[1:] ** 2)

    g = optkit.grad(loss)(X)
    h = 1e-6
    fd = np.array([(loss(X + h * e) - loss(X - h * e)) / (2 * h) for e in np.eye(X.size)])
    np.testing.assert_allclose(g, fd, rtol=1e-7, atol=1e-9)


def test_every_fft_function_is_in_the_table(monkeypatch):
    mine = {f: impl for f, impl in function_impls.items()
            if getattr(impl, "__module__", None) == "optkit.ad.rules.fft"}
    assert len(mine) == 16
    called = set()
    for func, impl in mine.items():
        def record(*args, func=func, impl=impl, **kwargs):
            called.add(func)
            return impl(*args, **kwargs)

        monkeypatch.setitem(function_impls, func, record)
    for row in ROWS:
        optkit.grad(lambda x, row=row: np.sum(np.abs(row.fun(x)) ** 2))(row.args[0])
    assert set(mine) == called


def test_refusals():
    with pytest.raises(TypeError, match="rfft of a complex traced value"):
        optkit.grad(lambda z: np.sum(np.abs(np.fft.rfft(z))))(Z)
    with pytest.raises(ValueError, match="invalid norm"):
        optkit.grad(lambda x: np.sum(np.abs(np.fft.fft(x, norm="bad"))))(X)
    with pytest.raises(TypeError, match="out="):
        optkit.grad(lambda x: np.sum(np.abs(np.fft.fft(x, out=np.zeros(6, complex)))))(X)


def test_compiled_fft():
    def loss(x):
        return np.sum(np.abs(np.fft.fft2(np.reshape(x, (2, 3)), norm="ortho")) ** 2 * np.arange(
            1.0, 7.0).reshape(2, 3))

    cf = optkit.compile(loss)
    np.testing.assert_allclose(optkit.grad(cf)(X), optkit.grad(loss)(X), rtol=1e-13)
    np.testing.assert_allclose(optkit.hvp(cf, X, X), optkit.hvp(loss, X, X), rtol=1e-12)
