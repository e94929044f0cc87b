"""The AD kernel's exceptions: a leaf module, so that every other module can raise them.

``core`` re-exports them; users meet them as ``optkit.NotDifferentiableError`` and friends.
"""

from __future__ import annotations

__all__ = ["NotDifferentiableError", "TracerConversionError", "ComplexValueError",
           "EscapedTracerError", "complex_error", "conversion_error",
           "nondiff_argument_error"]


class NotDifferentiableError(TypeError):
    """A numpy/scipy function was called on a traced value and optkit has no rule for it.

    Also raised for a tangent reaching an argument that is not differentiable (an index, a
    shape or a flag). The message names the function and says how to register a rule
    (``optkit.custom_primitive``) or to pass a hand-written derivative instead. A TypeError.

    Examples
    --------
    >>> import numpy as np
    >>> import optkit
    >>> optkit.grad(lambda x: np.histogram(x)[0].sum())(np.array([0.3, 1.0]))
    Traceback (most recent call last):
        ...
    optkit.ad.errors.NotDifferentiableError: optkit has no derivative rule for numpy.histogram, ...
    """


class TracerConversionError(TypeError):
    """A traced value was converted to a plain array or Python number, losing its derivative.

    ``float(x)``, ``np.asarray(x)`` or writing a traced value into a plain numpy array would
    silently drop the derivative, so they raise; the message says what to write instead. A
    TypeError.

    Examples
    --------
    >>> import numpy as np
    >>> import optkit
    >>> optkit.grad(lambda x: float(x[0]) * x[1])(np.array([0.3, 1.0]))
    Traceback (most recent call last):
        ...
    optkit.ad.errors.TracerConversionError: float() ... would discard its derivative. ...
    """


class ComplexValueError(NotDifferentiableError):
    """A complex value reached a primitive whose derivative rules are for real values only."""


class EscapedTracerError(TypeError):
    """A traced value was used after the transformation that made it had returned.

    It happens when the function being differentiated stores its traced argument (in a global,
    a list, an attribute) and the stored value is used later: return what you need instead.
    A TypeError.

    Examples
    --------
    >>> import numpy as np
    >>> import optkit
    >>> kept = []
    >>> def f(x):
    ...     kept.append(x)  # the traced x escapes the call
    ...     return np.sum(x ** 2)
    >>> optkit.grad(f)(np.array([1.0, 2.0]))
    array([2., 4.])
    >>> np.sin(kept[0])
    Traceback (most recent call last):
        ...
    optkit.ad.errors.EscapedTracerError: sin: this traced value belongs to an optkit ...
    """


def complex_error(name):
    """The ``ComplexValueError`` for ``name``, a function with real-only derivative rules that
    made or received a complex value."""
    return ComplexValueError(
        f"{name} has no complex derivative rule, and it was called with or produced a complex "
        "traced value. Its derivative is defined for real values only (optkit does not guess a "
        "complex extension). Work with real and imaginary parts (np.real, np.imag) as real "
        "arrays around it, or register a rule that holds for complex values with "
        "@optkit.custom_primitive(complex=True)."
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
