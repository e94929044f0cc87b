"""What the user-facing transformations share at their boundary: input conversion, zero
tangents, whose tracer an output is, a tangent in its primal's space, and the
complex-number (``holomorphic``) checks, with their error messages."""

from __future__ import annotations

import numpy as np

from .core import Tracer, is_complex, value_of
from .vspace import COMPLEX_DTYPE, TRACE_DTYPE, as_input, tangent_zeros


# ---- inputs and outputs ------------------------------------------------------------------
def _as_input(x, name="x"):
    """One array or number, validated and converted to the traced dtype (``vspace.as_input``)."""
    return as_input(x, name)


def zeros_like(x):
    """A zero tangent in the space of ``x`` (a traced zero for a traced ``x``)."""
    if isinstance(x, Tracer):
        return np.zeros_like(x) * 0.0
    return tangent_zeros(x)


def plain_leaf(x):
    """A float64 ndarray or a traced value: an input with no structure to take apart."""
    return (type(x) is np.ndarray and x.dtype is TRACE_DTYPE) or isinstance(x, Tracer)


def own(out, trace, cls):
    """True if ``out`` is a ``cls`` tracer of ``trace`` (not of an outer or inner one)."""
    return isinstance(out, cls) and out._trace is trace


def check_holomorphic(holomorphic):
    """TypeError unless ``holomorphic`` is a bool."""
    if not isinstance(holomorphic, bool):
        raise TypeError(f"holomorphic must be True or False, got {holomorphic!r}")


def complex_output_error(who, holomorphic, dtype):
    """The TypeError for an output of the wrong kind (real or complex) for ``who``."""
    if holomorphic:
        return TypeError(f"{who} with holomorphic=True requires complex outputs, got {dtype}")
    return TypeError(
        f"{who} requires real-valued outputs, but the function returned dtype {dtype}. For "
        "a holomorphic function pass holomorphic=True; for a non-holomorphic function with "
        "complex outputs, use optkit.vjp directly (as in JAX)."
    )


def check_complex_inputs(who, leaves):
    """TypeError unless every leaf is complex (``holomorphic=True``)."""
    for v in leaves:
        if not is_complex(v):
            raise TypeError(f"{who} with holomorphic=True requires complex inputs, got "
                            f"dtype {getattr(value_of(v), 'dtype', type(v).__name__)}")


def like_primal(primal, t, name):
    """A tangent (cotangent) ``t`` in the space of ``primal``: complex128 for a complex primal
    (a real ``t`` is promoted); a complex ``t`` for a real primal is a TypeError."""
    if is_complex(primal):
        if isinstance(t, Tracer) or is_complex(t):
            return t
        return np.asarray(t, dtype=COMPLEX_DTYPE) if np.ndim(t) else COMPLEX_DTYPE.type(t)
    if is_complex(t):
        raise TypeError(f"{name} is complex but the value it goes with is real; a real value's "
                        "tangents and cotangents are real")
    return t
