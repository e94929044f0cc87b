"""optkit: exact derivatives of plain numpy code, and optimizers that just work."""

from . import _malloc  # noqa: F401  (see optkit/_malloc.py: opt out with OPTKIT_MALLOC_TUNING=0)
from .ad import (
    CompiledFunction,
    CompileWarning,
    compile,
    GradientCheckError,
    check_grads,
    NotDifferentiableError,
    TracerConversionError,
    custom_primitive,
    grad,
    hessian,
    hvp,
    jacfwd,
    jacobian,
    jacrev,
    jvp,
    value_and_grad,
    vjp,
)

from . import special
from .minimize import minimize

__version__ = "0.1.0"

__all__ = [
    "grad", "value_and_grad", "vjp", "jvp", "hvp", "hessian", "jacfwd", "jacrev", "jacobian",
    "custom_primitive", "compile", "CompiledFunction", "CompileWarning", "check_grads", "GradientCheckError", "NotDifferentiableError", "TracerConversionError", "minimize", "special", "__version__",
]
