"""Trust-region subproblem solvers: Steihaug-Toint CG. The trust region itself (acceptance and
radius update) is a globalization: ``optkit.optim.globalization.TrustRegion``."""

from .steihaug import CGExit, Steihaug, SubproblemResult, as_preconditioner

__all__ = [
    "CGExit",
    "Steihaug",
    "SubproblemResult",
    "as_preconditioner",
]
