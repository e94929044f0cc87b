"""optkit.ad: automatic differentiation of plain numpy code (forward, reverse and mixed)."""

from . import rules  # noqa: F401  (registers every primitive)
from .api import grad, hessian, hvp, jacfwd, jacobian, jacrev, jvp, value_and_grad, vjp
from .captured import InPlaceWriteError
from .check import GradientCheckError, check_grads
from .compiled import CompiledFunction, CompileWarning, compile
from .core import EscapedTracerError, NotDifferentiableError, TracerConversionError
from .custom import custom_primitive

__all__ = [
    "grad", "value_and_grad", "vjp", "jvp", "hvp", "hessian", "jacfwd", "jacrev", "jacobian",
    "custom_primitive", "compile", "CompiledFunction", "CompileWarning", "check_grads",
    "GradientCheckError", "NotDifferentiableError", "TracerConversionError", "EscapedTracerError",
    "InPlaceWriteError",
]
