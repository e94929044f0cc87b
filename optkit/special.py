"""Differentiable equivalents of SciPy's Python-level special functions.

``scipy.special.logsumexp``, ``softmax``, ``log_softmax``, ``polygamma`` and ``multigammaln``
convert their input with ``np.asarray`` before computing, which no numpy protocol can
intercept, so on a traced value they raise ``TracerConversionError``. The functions here take
the same arguments and return the same values, written as numpy code: they work on plain arrays
and on traced values alike.

Complex values: ``logsumexp``, ``softmax`` and ``log_softmax`` accept them as SciPy's do
(``return_sign`` then gives the complex phase ``s / |s|``), and ``polygamma`` accepts them
although SciPy's does not (the values come from ``optkit.ad.rules.special``'s series); all are
differentiable with JAX's conventions. ``multigammaln`` stays real, as SciPy's.

Stability: the usual max-shift, ``logsumexp(a) = m + log(sum(exp(a - m)))`` with ``m =
max(a)``. The shift is taken from the plain value of ``a`` and treated as a constant, which is
exact (the identity holds for any constant ``m``) and spares a derivative of ``max``. For
complex ``a`` the shift is the max of the real parts, a real constant, so no branch of the
logarithm moves.
"""

from __future__ import annotations

import numbers

import numpy as np

from .ad.core import Tracer, value_of
from .ad.rules.special import gammaln as _gammaln
from .ad.rules.special import polygamma as _polygamma

__all__ = ["logsumexp", "softmax", "log_softmax", "polygamma", "multigammaln"]


def _as_array(a, name, complex_ok=False):
    """``a`` as a float64 (or, if ``complex_ok``, complex128) array; traced values pass."""
    if isinstance(a, Tracer):
        return a
    arr = np.asarray(a)
    if complex_ok and arr.dtype.kind == "c":
        return arr.astype(np.complex128, copy=False)
    if arr.dtype.kind not in "iufb":
        also = " or a complex one" if complex_ok else ""
        raise TypeError(f"{name} must be a real array{also}, got dtype {arr.dtype}")
    return arr.astype(np.float64, copy=False)


def _axis(axis, ndim):
    """Normalize ``axis`` (None, int or tuple of ints) to a tuple of non-negative ints."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (numbers.Integral, np.integer)) else tuple(axis)
    out = []
    for ax in axes:
        if not isinstance(ax, (numbers.Integral, np.integer)) or not -ndim <= ax < max(ndim, 1):
            raise ValueError(f"axis {ax!r} is out of bounds for an array of dimension {ndim}")
        out.append(int(ax) % max(ndim, 1))
    if len(set(out)) != len(out):
        raise ValueError(f"axis {axis!r} repeats an axis")
    return tuple(out)


def _shift(a, axes):
    """The max of the real parts over ``axes`` (kept as size-1 axes), as a plain real
    constant; 0 where not finite."""
    m = np.max(np.real(value_of(a)), axis=axes, keepdims=True)
    return np.where(np.isfinite(m), m, 0.0)


def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False):
    """``log(sum(b * exp(a), axis))``, computed stably; as ``scipy.special.logsumexp``.

    Parameters
    ----------
    a : array_like or traced value
        Real or complex values; differentiable.
    axis : None, int or tuple of ints, optional
        The axes summed over (default: all).
    b : array_like or traced value, optional
        Scales ``exp(a)`` and broadcasts against ``a``; negative entries subtract. Real or
        complex; differentiable.
    keepdims : bool, optional
        Keep the summed axes with size one.
    return_sign : bool, optional
        Return ``(log|s|, sign(s))`` for the sum ``s`` instead of ``log(s)``.

    Returns
    -------
    ndarray, float or traced value
        ``log(s)`` (NaN where ``s < 0``, as in SciPy; ``-inf`` where ``s = 0``; the principal
        logarithm for complex ``s``), or the pair ``(log|s|, sign(s))`` with ``return_sign``;
        the sign (``s / |s|`` for complex ``s``) is a plain array.

    Raises
    ------
    ValueError
        ``axis`` is out of bounds or repeats an axis.
    TypeError
        ``a`` or ``b`` is neither real nor complex.

    Examples
    --------
    >>> import numpy as np, optkit
    >>> a = np.array([1000.0, 1000.0])
    >>> float(optkit.special.logsumexp(a)) == 1000.0 + float(np.log(2.0))
    True
    >>> optkit.grad(optkit.special.logsumexp)(np.log([1.0, 3.0]))  # the softmax
    array([0.25, 0.75])
    """
    a = _as_array(a, "a", complex_ok=True)
    if b is not None:
        b = _as_array(b, "b", complex_ok=True)
        shape = np.broadcast_shapes(np.shape(value_of(a)), np.shape(value_of(b)))
        if np.shape(value_of(a)) != shape:
            a = np.broadcast_to(a, shape)
    axes = _axis(axis, np.ndim(value_of(a)))
    m = _shift(a, axes)
    e = np.exp(a - m)
    if b is not None:
        e = b * e
    s = np.sum(e, axis=axes, keepdims=bool(keepdims))
    m = np.reshape(m, np.shape(value_of(s)))
    with np.errstate(divide="ignore"):   # log(0) = -inf is the answer, as in SciPy
        if return_sign:
            return np.log(np.abs(s)) + m, np.sign(value_of(s))
        return np.log(s) + m


def softmax(x, axis=None):
    """``exp(x) / sum(exp(x), axis)``, computed stably; as ``scipy.special.softmax``.

    Parameters
    ----------
    x : array_like or traced value
        Real or complex values; differentiable.
    axis : None, int or tuple of ints, optional
        The axes normalized over (default: all).

    Returns
    -------
    ndarray or traced value
        Shaped like ``x``, positive, summing to one over ``axis``.

    Raises
    ------
    ValueError
        ``axis`` is out of bounds or repeats an axis.
    TypeError
        ``x`` is neither real nor complex.

    Examples
    --------
    >>> import numpy as np, optkit
    >>> optkit.special.softmax(np.log([1.0, 3.0]))
    array([0.25, 0.75])
    """
    x = _as_array(x, "x", complex_ok=True)
    axes = _axis(axis, np.ndim(value_of(x)))
    e = np.exp(x - _shift(x, axes))
    return e / np.sum(e, axis=axes, keepdims=True)


def log_softmax(x, axis=None):
    """``x - logsumexp(x, axis, keepdims=True)``, computed stably; as SciPy's ``log_softmax``.

    Parameters
    ----------
    x : array_like or traced value
        Real or complex values; differentiable.
    axis : None, int or tuple of ints, optional
        The axes normalized over (default: all).

    Returns
    -------
    ndarray or traced value
        Shaped like ``x``; ``exp`` of it sums to one over ``axis``.

    Raises
    ------
    ValueError
        ``axis`` is out of bounds or repeats an axis.
    TypeError
        ``x`` is neither real nor complex.

    Examples
    --------
    >>> import numpy as np, optkit
    >>> np.exp(optkit.special.log_softmax(np.array([[0.0, 0.0], [0.0, np.log(3.0)]]), axis=1))
    array([[0.5 , 0.5 ],
           [0.25, 0.75]])
    """
    x = _as_array(x, "x", complex_ok=True)
    axes = _axis(axis, np.ndim(value_of(x)))
    z = x - _shift(x, axes)
    return z - np.log(np.sum(np.exp(z), axis=axes, keepdims=True))


def polygamma(n, x):
    """The polygamma function psi^(n)(x), differentiable in ``x`` (SciPy's calls np.asarray).

    Parameters
    ----------
    n : int
        The order, an integer >= 0 (``n = 0`` is the digamma function); not differentiable.
    x : array_like or traced value
        Real or complex arguments (SciPy's takes real ones only); differentiable to any
        order (the derivative is ``polygamma(n + 1)``).

    Returns
    -------
    ndarray, float or traced value
        psi^(n)(x), elementwise.

    Raises
    ------
    TypeError
        ``n`` is not an integer, or ``x`` is neither real nor complex.
    ValueError
        ``n < 0``.

    Examples
    --------
    >>> import numpy as np, optkit
    >>> bool(np.isclose(optkit.special.polygamma(1, 1.0), np.pi ** 2 / 6))
    True
    """
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (numbers.Integral, np.integer)):
        raise TypeError(f"n must be an integer order >= 0, got {n!r}")
    if n < 0:
        raise ValueError(f"n must be an integer order >= 0, got {n}")
    return _polygamma(_as_array(x, "x", complex_ok=True), n=int(n))


def multigammaln(a, d):
    """log of the multivariate gamma function of dimension ``d``; as ``scipy.special``'s.

    ``log Gamma_d(a) = d (d-1)/4 log(pi) + sum_{j=1..d} gammaln(a - (j-1)/2)`` (Muirhead 1982,
    Aspects of Multivariate Statistical Theory, Thm. 2.1.12), elementwise in ``a``.

    Parameters
    ----------
    a : array_like or traced value
        Real arguments, each greater than ``(d - 1) / 2``; differentiable.
    d : int
        The dimension, a positive integer (an integral float is accepted, as in SciPy).

    Returns
    -------
    ndarray or traced value
        ``log Gamma_d(a)``, shaped like ``a``.

    Raises
    ------
    ValueError
        ``d`` is not a positive integer, or an entry of ``a`` is ``<= (d - 1) / 2``.
    TypeError
        ``a`` is not real.

    Examples
    --------
    >>> import numpy as np, optkit
    >>> from scipy.special import gammaln
    >>> bool(np.isclose(optkit.special.multigammaln(3.0, 1), gammaln(3.0)))
    True
    """
    if isinstance(d, (bool, np.bool_)) or not isinstance(d, (numbers.Integral, np.integer)):
        if not (isinstance(d, (numbers.Real, np.floating)) and float(d).is_integer()):
            raise ValueError(f"d should be a positive integer (dimension), got {d!r}")
    d = int(d)
    if d < 1:
        raise ValueError(f"d should be a positive integer (dimension), got {d}")
    a = _as_array(a, "a")
    if np.any(value_of(a) <= 0.5 * (d - 1)):
        raise ValueError(f"a must exceed (d - 1) / 2 = {0.5 * (d - 1)}")
    offsets = 0.5 * np.arange(d)
    terms = _gammaln(np.expand_dims(a, -1) - offsets)
    return np.sum(terms, axis=-1) + (d * (d - 1) * 0.25) * np.log(np.pi)
