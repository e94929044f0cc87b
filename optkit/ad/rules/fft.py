"""``numpy.fft``: the discrete Fourier transforms, all linear maps, with their transposes.

Four one-axis primitives carry the rules: ``fft``, ``ifft`` (complex to complex), ``rfft``
(real to half-spectrum) and ``irfft`` (half-spectrum to real); the 2-d and n-d forms, ``hfft``,
``ihfft`` and the shifts are numpy's own compositions of them (numpy computes ``fftn`` one axis
at a time too, and ``hfft``/``ihfft`` as a conjugated ``irfft``/``rfft``). Each primitive is
linear, so its JVP is the transform of the tangent; its VJP is the transpose for the pairing
``Re(sum(a * b))`` of ``vspace`` (no conjugate):

- the DFT matrix is symmetric, so ``fft``'s transpose is ``fft`` with the same ``norm`` (and
  ``ifft``'s is ``ifft``), followed by the transpose of the crop or zero-padding to ``n``;
- ``rfft`` keeps the first ``n//2 + 1`` outputs of ``fft`` of a real input: its transpose pads
  the cotangent with zeros to ``n`` and applies ``fft`` (the real part is taken for the real
  input by the backward pass);
- ``irfft`` reads a half spectrum ``y`` as the Hermitian full spectrum, ignoring the imaginary
  parts of ``y[0]`` and of ``y[n/2]`` (n even): ``x = Re(A y)`` with
  ``A[j, k] = c w_k exp(2 pi i jk / n)``, ``w_k = 2`` except ``w_0 = w_{n/2} = 1``, and ``c``
  ``ifft``'s scale. Its transpose is ``w * ifft(x-bar)[:n//2 + 1]`` (the Hermitian weighting).

``norm`` is numpy's: "backward" (default), "ortho" or "forward". ``out=`` is refused.
``fftfreq`` and ``rfftfreq`` need no rule (they take a length and a spacing, and numpy's code
multiplies by ``1 / (n d)``, which is traced when ``d`` is).
"""

from __future__ import annotations

import numpy as np

from ..core import COMPLEX128, FLOAT64, function_impls, is_complex, primitive, value_of

_NORMS = (None, "backward", "ortho", "forward")


def _resized(x, m, axis):
    """``x`` cropped or zero-padded to length ``m`` along ``axis``: the transpose of numpy's
    own crop-or-pad of an input to the transform length (it pads with zeros, or crops)."""
    n = np.shape(value_of(x))[axis]
    if n == m:
        return x
    if n > m:
        index = [slice(None)] * np.ndim(value_of(x))
        index[axis] = slice(0, m)
        return x[tuple(index)]
    shape = list(np.shape(value_of(x)))
    shape[axis] = m - n
    dtype = COMPLEX128 if is_complex(x) else FLOAT64  # the traced dtypes
    return np.concatenate([x, np.zeros(shape, dtype)], axis=axis)


# ---- complex to complex ----------------------------------------------------------------------
def _fft(x, n, axis, norm, m):
    return np.fft.fft(x, n, axis, norm)


def _fft_vjp(g, ans, x, n, axis, norm, m):
    return _resized(fft(g, n=n, axis=axis, norm=norm, m=n), m, axis)


fft = primitive("fft", _fft, vjp=_fft_vjp, linear=True)


def _ifft(x, n, axis, norm, m):
    return np.fft.ifft(x, n, axis, norm)


def _ifft_vjp(g, ans, x, n, axis, norm, m):
    return _resized(ifft(g, n=n, axis=axis, norm=norm, m=n), m, axis)


ifft = primitive("ifft", _ifft, vjp=_ifft_vjp, linear=True)


# ---- real to half spectrum and back ------------------------------------------------------------
def _rfft(x, n, axis, norm, m):
    return np.fft.rfft(x, n, axis, norm)


def _rfft_vjp(g, ans, x, n, axis, norm, m):
    full = _resized(g, n, axis)  # zeros for the discarded upper half
    return _resized(fft(full, n=n, axis=axis, norm=norm, m=n), m, axis)


rfft = primitive("rfft", _rfft, vjp=_rfft_vjp, linear=True)


def _hermitian_weights(n, ndim, axis):
    """``w``: 1 at k = 0 and at k = n/2 (n even), 2 between; shaped to broadcast on ``axis``."""
    w = np.full(n // 2 + 1, 2.0)
    w[0] = 1.0
    if n % 2 == 0:
        w[-1] = 1.0
    shape = [1] * ndim
    shape[axis] = n // 2 + 1
    return w.reshape(shape)


def _irfft(y, n, axis, norm, m):
    return np.fft.irfft(y, n, axis, norm)


def _irfft_vjp(g, ans, y, n, axis, norm, m):
    half = _resized(ifft(g, n=n, axis=axis, norm=norm, m=n), n // 2 + 1, axis)
    return _resized(half * _hermitian_weights(n, np.ndim(value_of(g)), axis), m, axis)


irfft = primitive("irfft", _irfft, vjp=_irfft_vjp, linear=True)


# ---- numpy's API over the primitives -------------------------------------------------------
def _check(name, norm, out):
    if out is not None:
        raise TypeError(f"np.fft.{name}(..., out=) cannot write a traced value; drop `out`")
    if norm not in _NORMS:
        raise ValueError(f'np.fft.{name}: invalid norm {norm!r}; use "backward", "ortho" or '
                         '"forward"')
    return "backward" if norm is None else norm


def _axis_length(a, axis, name):
    shape = np.shape(value_of(a))
    if not shape:
        raise ValueError(f"np.fft.{name}: the input must be at least 1-d")
    axis = int(axis)
    if not -len(shape) <= axis < len(shape):
        raise ValueError(f"np.fft.{name}: axis {axis} is out of bounds for a {len(shape)}-d "
                         "input")
    return axis % len(shape), shape[axis]


def _real_input(name, a):
    if is_complex(a):
        raise TypeError(f"np.fft.{name} of a complex traced value: numpy would discard its "
                        "imaginary part; take np.real(a) explicitly, or use np.fft.fft")
    return a


def _one_axis(prim, name, real_in=False, inverse_real=False):
    def function(a, n=None, axis=-1, norm=None, out=None):
        norm = _check(name, norm, out)
        if real_in:
            _real_input(name, a)
        axis, m = _axis_length(a, axis, name)
        if n is None:
            n = 2 * (m - 1) if inverse_real else m
        if int(n) < 1:
            raise ValueError(f"np.fft.{name}: invalid number of data points ({n}) specified")
        return prim(a, n=int(n), axis=axis, norm=norm, m=m)

    function.__name__ = name
    return function


fft_function = _one_axis(fft, "fft")
ifft_function = _one_axis(ifft, "ifft")
rfft_function = _one_axis(rfft, "rfft", real_in=True)
irfft_function = _one_axis(irfft, "irfft", inverse_real=True)

_SWAP = {"backward": "forward", "forward": "backward", "ortho": "ortho"}


def _hfft_function(a, n=None, axis=-1, norm=None, out=None):
    # numpy: hfft(a) = irfft(conj(a)) with the opposite normalization
    norm = _check("hfft", norm, out)
    return irfft_function(np.conjugate(a), n, axis, _SWAP[norm])


def _ihfft_function(a, n=None, axis=-1, norm=None, out=None):
    # numpy: ihfft(a) = conj(rfft(a)) with the opposite normalization
    norm = _check("ihfft", norm, out)
    return np.conjugate(rfft_function(a, n, axis, _SWAP[norm]))


def _nd_args(a, s, axes, name, inverse_real=False):
    """numpy's defaults for ``s`` and ``axes`` (``_cook_nd_args``): all axes, or the last
    ``len(s)``; the input's lengths, and ``2 (m - 1)`` on the last axis of an inverse real
    transform."""
    shape = np.shape(value_of(a))
    if axes is None:
        axes = list(range(len(shape))) if s is None else list(range(-len(s), 0))
    axes = [int(ax) for ax in axes]
    if s is None:
        s = [shape[ax] for ax in axes]
        if inverse_real and s:
            s[-1] = 2 * (shape[axes[-1]] - 1)
    s = [int(k) for k in s]
    if len(s) != len(axes):
        raise ValueError(f"np.fft.{name}: shape and axes have different lengths")
    return s, axes


def _nd(one, name):
    def function(a, s=None, axes=None, norm=None, out=None):
        norm = _check(name, norm, out)
        s, axes = _nd_args(a, s, axes, name)
        for k in range(len(axes) - 1, -1, -1):  # numpy's order: the last axis first
            a = one(a, s[k], axes[k], norm)
        return a

    function.__name__ = name
    return function


def _nd_2(nd, name):
    def function(a, s=None, axes=(-2, -1), norm=None, out=None):
        return nd(a, s, axes, norm, out)

    function.__name__ = name
    return function


fftn_function = _nd(fft_function, "fftn")
ifftn_function = _nd(ifft_function, "ifftn")


def rfftn_function(a, s=None, axes=None, norm=None, out=None):
    norm = _check("rfftn", norm, out)
    s, axes = _nd_args(a, s, axes, "rfftn")
    a = rfft_function(a, s[-1], axes[-1], norm)
    for k in range(len(axes) - 2, -1, -1):
        a = fft_function(a, s[k], axes[k], norm)
    return a


def irfftn_function(a, s=None, axes=None, norm=None, out=None):
    norm = _check("irfftn", norm, out)
    s, axes = _nd_args(a, s, axes, "irfftn", inverse_real=True)
    for k in range(len(axes) - 1):
        a = ifft_function(a, s[k], axes[k], norm)
    return irfft_function(a, s[-1], axes[-1], norm)


def _shift(sign):
    def function(x, axes=None):
        shape = np.shape(value_of(x))
        if axes is None:
            axes = tuple(range(len(shape)))
        elif isinstance(axes, (int, np.integer)):
            axes = (int(axes),)
        shift = [sign * (shape[ax] // 2) for ax in axes]
        return np.roll(x, shift, tuple(axes))

    return function


function_impls.update({
    np.fft.fft: fft_function,
    np.fft.ifft: ifft_function,
    np.fft.rfft: rfft_function,
    np.fft.irfft: irfft_function,
    np.fft.hfft: _hfft_function,
    np.fft.ihfft: _ihfft_function,
    np.fft.fftn: fftn_function,
    np.fft.ifftn: ifftn_function,
    np.fft.rfftn: rfftn_function,
    np.fft.irfftn: irfftn_function,
    np.fft.fft2: _nd_2(fftn_function, "fft2"),
    np.fft.ifft2: _nd_2(ifftn_function, "ifft2"),
    np.fft.rfft2: _nd_2(rfftn_function, "rfft2"),
    np.fft.irfft2: _nd_2(irfftn_function, "irfft2"),
    np.fft.fftshift: _shift(1),
    np.fft.ifftshift: _shift(-1),
})
