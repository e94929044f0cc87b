"""The one check of a starting point ``x0``, shared by the driver, the SciPy adapter and
``optkit.least_squares``.

Every caller gets the same conversion (a fresh 1-D float64 array; a scalar becomes a
1-element vector) and the same errors, each naming the argument. What legitimately differs
is a parameter: the SciPy adapter passes ``x0`` on as SciPy would, so it allows an empty or
non-finite start (SciPy's ``minimize`` does not refuse them either).
"""

import math

import numpy as np

__all__ = ["all_finite", "check_x0"]

# booleans, signed and unsigned integers, floats; an object array is tried as numbers
_REAL_KINDS = "biuf"
_SUM = np.add.reduce  # ndarray.sum without its Python wrapper


def all_finite(a) -> bool:
    """Every entry of the float array ``a`` is finite: a finite sum shows it (one reduction,
    cheaper than ``np.isfinite(a).all()`` on the few entries of most fits); an infinite or
    nan sum, which finite entries can also give by overflowing, is checked entry by entry."""
    return math.isfinite(float(_SUM(a))) or bool(np.isfinite(a).all())


def check_x0(x0, *, name="x0", allow_empty=False, allow_nonfinite=False, shape_hint=""):
    """``x0`` as a fresh 1-D float64 array; a scalar becomes a 1-element array.

    Raises TypeError (naming ``name``) if ``x0`` is not made of real numbers (complex and
    strings included), ValueError if it has more than one dimension (``shape_hint`` is
    appended to that message), is empty unless ``allow_empty``, or holds inf/nan unless
    ``allow_nonfinite``.
    """
    if type(x0) is np.ndarray and x0.dtype == np.float64 and x0.ndim == 1 and x0.size:
        # the common case (a front door passing its checked start on): a copy
        x = x0.copy()
        if allow_nonfinite or all_finite(x):
            return x
        raise ValueError(f"{name} must be finite")
    try:
        arr = np.asarray(x0)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a 1-D array of real numbers, got "
                        f"{type(x0).__name__}: {exc}") from None
    if arr.dtype.kind not in _REAL_KINDS:
        if arr.dtype.kind != "O":
            raise TypeError(f"{name} must be a 1-D array of real numbers, got dtype {arr.dtype}")
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name} must be a 1-D array of real numbers, got "
                            f"{type(x0).__name__}: {exc}") from None
    if arr.ndim > 1:
        raise ValueError(f"{name} must be 1-D, got an array of shape {arr.shape}{shape_hint}")
    x = np.array(arr, dtype=np.float64).reshape(-1)
    if x.size == 0 and not allow_empty:
        raise ValueError(f"{name} must have at least one element")
    if not allow_nonfinite and not np.isfinite(x).all():
        raise ValueError(f"{name} must be finite")
    return x
