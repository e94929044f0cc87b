"""Derivatives of single and half precision inputs come back in the input's precision."""

from __future__ import annotations

import numpy as np

from .core import Tracer
from .tree import flatten_output

# ---- single and half precision ------------------------------------------------------------
# Traced values are float64 (complex128); derivatives come back in the input's precision, as
# JAX and PyTorch give them: the gradient of each leaf in its own dtype (``vspace.project``),
# and, when every input leaf is float32/float16/complex64, the outputs of jvp, vjp, hvp and the
# dense Jacobians in that precision too. They are computed in double precision and rounded
# once, so they are correct to the dtype's precision (JAX computes in float32 throughout).
_NARROW = frozenset(np.dtype(d) for d in (np.float16, np.float32, np.complex64))


def narrow_dtype(x):
    """The common single/half precision dtype of ``x``'s leaves, or None (any other leaf)."""
    if type(x) is np.ndarray:  # the common case
        return x.dtype if x.dtype in _NARROW else None
    if isinstance(x, (Tracer, float, int, complex)):
        return None
    leaves, _ = flatten_output(x)
    dtypes = [getattr(v, "dtype", None) for v in leaves]
    if not dtypes or any(d not in _NARROW for d in dtypes):
        return None
    return np.result_type(*dtypes)


def narrowed(out, dtype):
    """``out`` (an array or a structure) with float and complex arrays in ``dtype``'s
    precision; Python numbers and traced values are left alone."""
    if dtype is None:
        return out
    real = np.finfo(dtype).dtype
    cplx = np.result_type(real, np.complex64)

    def cast(v):
        if type(v) is not np.ndarray or v.dtype.kind not in "fc":
            return v
        return v.astype(cplx if v.dtype.kind == "c" else real, copy=False)

    if type(out) is np.ndarray:
        return cast(out)
    leaves, treedef = flatten_output(out)
    return treedef.unflatten([cast(v) for v in leaves])
