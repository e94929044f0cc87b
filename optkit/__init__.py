"""optkit: exact derivatives of plain numpy code, and optimizers that just work."""

# optkit/_malloc.py tunes glibc once at import; OPTKIT_MALLOC_TUNING=0 opts out
from . import _malloc, linalg, signal, special, stats, tree  # noqa: F401
from .ad import (
    CompiledFunction,
    CompileWarning,
    EscapedTracerError,
    GradientCheckError,
    InPlaceWriteError,
    NotDifferentiableError,
    TracerConversionError,
    check_grads,
    compile,
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
from .curve_fitting import curve_fit
from .distributed import minimize_many, multistart, sum_objective
from .fitting import least_squares
from .minimize import minimize
from .optim.bounds import Bounds

__version__ = "0.1.0"

__all__ = [
    "grad", "value_and_grad", "vjp", "jvp", "hvp", "hessian", "jacfwd", "jacrev", "jacobian",
    "custom_primitive", "check_grads", "GradientCheckError", "NotDifferentiableError",
    "TracerConversionError", "EscapedTracerError", "InPlaceWriteError", "compile",
    "CompiledFunction", "CompileWarning", "minimize", "least_squares", "curve_fit",
    "minimize_many", "multistart", "sum_objective", "Bounds",
    "special", "stats", "linalg", "signal", "tree", "__version__",
]
