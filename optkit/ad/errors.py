"""The AD kernel's exceptions: a leaf module, so that every other module can raise them.

``core`` re-exports them; users meet them as ``optkit.NotDifferentiableError`` and friends.
"""

from __future__ import annotations

__all__ = ["NotDifferentiableError", "TracerConversionError", "ComplexValueError",
           "EscapedTracerError", "complex_error", "conversion_error",
           "nondiff_argument_error"]


class NotDifferentiableError(TypeError):
    """A numpy/scipy function was called on a traced value and optkit has no rule for it."""


class TracerConversionError(TypeError):
    """A traced value was converted to a plain array or Python number, losing its derivative."""


class ComplexValueError(NotDifferentiableError):
    """A complex value reached a primitive whose derivative rules are for real values only."""


class EscapedTracerError(TypeError):
    """A traced value was used after the transformation that made it had returned."""


def complex_error(name):
    """The ``ComplexValueError`` for ``name``, a function with real-only derivative rules that
    made or received a complex value."""
    return ComplexValueError(
        f"{name} has no complex derivative rule, and it was called with or produced a complex "
        "traced value. Its derivative is defined for real values only (optkit does not guess a "
        "complex extension). Work with real and imaginary parts (np.real, np.imag) as real "
        "arrays around it, or register a rule with @optkit.custom_primitive."
    )


def conversion_error(what, hint):
    """The ``TracerConversionError`` for converting a traced value by ``what``; ``hint`` says
    what to write instead."""
    return TracerConversionError(f"{what} on a traced value would discard its derivative. {hint}")


def nondiff_argument_error(prim, i):
    """A tangent or cotangent reached argument ``i`` of ``prim``, which has no rule for it."""
    return NotDifferentiableError(
        f"argument {i} of {prim.name!r} is not differentiable (it is an index, shape or flag); "
        "pass a constant there"
    )
