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
    """A traced computation produced a complex value; optkit differentiates real values only."""


class EscapedTracerError(TypeError):
    """A traced value was used after the transformation that made it had returned."""


def complex_error(what):
    """The ``ComplexValueError`` for ``what`` (a sentence subject naming the operation)."""
    return ComplexValueError(
        f"{what} from a traced value. optkit differentiates real (float64) computations "
        "only; complex support is not available yet (an open issue). Work with real and "
        "imaginary parts separately: for exp(1j*x) use np.cos(x) and np.sin(x) (then "
        "|sum(exp(1j*x))|**2 = sum(cos x)**2 + sum(sin x)**2); x*(a+bj) has real part a*x and "
        "imaginary part b*x."
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
