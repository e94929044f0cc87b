"""Array creation from a traced template: ``np.zeros_like(x)`` stays traced (with a zero
derivative), so that ``y = np.zeros_like(x); y[0] = x[1] ** 2`` is differentiated correctly."""

from __future__ import annotations

import numpy as np

from ..core import COMPLEX128, FLOAT64, ZERO, dtype_of, function_impls, primitive, value_of


def _like_dtype(x):
    return COMPLEX128 if dtype_of(x).kind == "c" else FLOAT64  # the traced dtypes


def _like(fill):
    def impl(x):
        return np.full(np.shape(x), fill, dtype=_like_dtype(x))

    return impl


zeros_like = primitive("zeros_like", _like(0.0), jvp=ZERO, vjp=ZERO, complex=True)
ones_like = primitive("ones_like", _like(1.0), jvp=ZERO, vjp=ZERO, complex=True)


def _full_like_impl(x, fill_value):
    return np.full(np.shape(x), fill_value, dtype=_like_dtype(x))


_full_like = primitive("full_like", _full_like_impl, jvp=(ZERO, None), vjp=(ZERO, None),
                       complex=True)


def _check_dtype(name, dtype):
    if dtype is not None and np.dtype(dtype).kind != "f":
        raise TypeError(f"np.{name}(traced, dtype={dtype!r}): only float arrays can stay traced")


def _zeros_like_function(a, dtype=None, order="K", subok=True, shape=None, **kwargs):
    _check_dtype("zeros_like", dtype)
    return zeros_like(a if shape is None else np.broadcast_to(a, shape))


def _ones_like_function(a, dtype=None, order="K", subok=True, shape=None, **kwargs):
    _check_dtype("ones_like", dtype)
    return ones_like(a if shape is None else np.broadcast_to(a, shape))


def _full_like_function(a, fill_value, dtype=None, order="K", subok=True, shape=None, **kwargs):
    _check_dtype("full_like", dtype)
    if hasattr(fill_value, "_trace"):
        return zeros_like(a) + fill_value
    return _full_like(a, fill_value)


def _copy_function(a, order="K", subok=False):
    return a.copy()


function_impls.update({
    np.zeros_like: _zeros_like_function,
    np.ones_like: _ones_like_function,
    np.empty_like: _zeros_like_function,
    np.full_like: _full_like_function,
    np.copy: _copy_function,
    np.shape: lambda a: np.shape(a._a),
    np.ndim: lambda a: np.ndim(a._a),
    np.size: lambda a, axis=None: np.size(a._a, axis),
    np.result_type: lambda *a: np.result_type(*(value_of(x) for x in a)),
})
