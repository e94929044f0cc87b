"""Differentiable ``convolve`` and ``correlate`` with ``scipy.signal``'s signatures.

``scipy.signal.convolve``/``correlate`` convert their input with ``np.asarray``; these take the
same arguments (``in1``, ``in2``, ``mode`` in {'full', 'same', 'valid'}, ``method``) and return
the same values for real or complex inputs of any (equal) number of dimensions, computed directly
(``method='direct'``; 'auto' and 'fft' are accepted and also computed directly, which agrees
with scipy's FFT to rounding). Both arguments are differentiable, to any order: the modes are
slices of one full-convolution primitive (``optkit.ad.rules.convolution``). Complex inputs
follow JAX's conventions (``optkit.ad.vspace``): ``convolve`` is holomorphic in each argument,
``correlate`` conjugates ``in2`` as scipy does.
"""

from __future__ import annotations

import numpy as np

from .ad.core import Tracer, is_complex, value_of
from .ad.rules.convolution import convolve_full

__all__ = ["convolve", "correlate"]

_MODES = ("full", "same", "valid")
_METHODS = ("auto", "direct", "fft")


def _operand(x, name):
    if isinstance(x, Tracer):
        return x
    arr = np.asarray(x)
    if arr.dtype.kind not in "iufbc":
        raise TypeError(f"{name} must be a real or complex array, got dtype {arr.dtype}")
    return arr.astype(np.complex128 if arr.dtype.kind == "c" else np.float64, copy=False)


def _check(in1, in2, mode, method):
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {_MODES}, got {mode!r}")
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    in1, in2 = _operand(in1, "in1"), _operand(in2, "in2")
    s1, s2 = np.shape(value_of(in1)), np.shape(value_of(in2))
    if len(s1) != len(s2):
        raise ValueError(f"in1 and in2 should have the same dimensionality, got shapes {s1} "
                         f"and {s2}")
    if 0 in s1 or 0 in s2:
        raise ValueError("in1 and in2 must not be empty")
    if mode == "valid":
        ge = all(a >= b for a, b in zip(s1, s2, strict=True))
        le = all(a <= b for a, b in zip(s1, s2, strict=True))
        if not (ge or le):
            raise ValueError("For 'valid' mode, one must be at least as large as the other in "
                             f"every dimension; got shapes {s1} and {s2}")
    return in1, in2, s1, s2


def _slice(full, s1, s2, mode):
    if mode == "full":
        return full
    fs = [a + b - 1 for a, b in zip(s1, s2, strict=True)]
    if mode == "same":       # centred on the full output, with in1's shape
        shape = s1
    else:                    # valid: where the smaller fits entirely inside the larger
        shape = [abs(a - b) + 1 for a, b in zip(s1, s2, strict=True)]
    starts = [(f - n) // 2 for f, n in zip(fs, shape, strict=True)]
    return full[tuple(slice(s, s + n) for s, n in zip(starts, shape, strict=True))]


def convolve(in1, in2, mode="full", method="auto"):
    """The n-dimensional convolution of ``in1`` and ``in2``; as ``scipy.signal.convolve``.

    Parameters
    ----------
    in1, in2 : array_like or traced value
        Real or complex arrays with the same number of dimensions; both are differentiable,
        to any order.
    mode : {'full', 'same', 'valid'}, optional
        'full' (default): the whole convolution; 'same': centred, with ``in1``'s shape;
        'valid': where one input fits entirely inside the other.
    method : {'auto', 'direct', 'fft'}, optional
        Accepted for compatibility; the convolution is always computed directly.

    Returns
    -------
    ndarray or traced value
        The convolution, with scipy's shape for the mode.

    Raises
    ------
    ValueError
        An unknown ``mode`` or ``method``; inputs of different dimensionality or empty ones;
        for 'valid', neither input at least as large as the other in every dimension.
    TypeError
        An input is not numeric.

    Examples
    --------
    >>> import numpy as np, optkit
    >>> optkit.signal.convolve(np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 0.5]))
    array([0. , 1. , 2.5, 4. , 1.5])
    >>> optkit.grad(lambda h: optkit.signal.convolve(np.ones(3), h, "valid")[0])(np.ones(3))
    array([1., 1., 1.])
    """
    in1, in2, s1, s2 = _check(in1, in2, mode, method)
    if np.ndim(value_of(in1)) == 0:
        return in1 * in2
    return _slice(convolve_full(in1, in2), s1, s2, mode)


def correlate(in1, in2, mode="full", method="auto"):
    """The n-dimensional cross-correlation; as ``scipy.signal.correlate``.

    ``correlate(in1, in2)[k] = sum_j in1[j + k] conj(in2[j])``, with the output indexed as
    scipy's: the convolution of ``in1`` with ``conj(in2)`` reversed along every axis.

    Parameters
    ----------
    in1, in2 : array_like or traced value
        Real or complex arrays with the same number of dimensions; both are differentiable.
    mode : {'full', 'same', 'valid'}, optional
        As in :func:`convolve`.
    method : {'auto', 'direct', 'fft'}, optional
        Accepted for compatibility; computed directly.

    Returns
    -------
    ndarray or traced value
        The cross-correlation, with scipy's shape for the mode.

    Raises
    ------
    ValueError
        As :func:`convolve`.
    TypeError
        An input is not numeric.

    Examples
    --------
    >>> import numpy as np, optkit
    >>> optkit.signal.correlate(np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 0.5]), "valid")
    array([3.5])
    """
    in1, in2, s1, s2 = _check(in1, in2, mode, method)
    if is_complex(in2):
        in2 = np.conjugate(in2)
    if np.ndim(value_of(in1)) == 0:
        return in1 * in2
    flipped = np.flip(in2, axis=tuple(range(len(s2))))
    return _slice(convolve_full(in1, flipped), s1, s2, mode)
