"""Trust-region machinery: the Steihaug-Toint CG subproblem solver and the radius update."""

from .radius import TrustRegion, reduction_ratio
from .steihaug import CGExit, Steihaug, SubproblemResult, as_preconditioner

__all__ = [
    "CGExit",
    "Steihaug",
    "SubproblemResult",
    "TrustRegion",
    "as_preconditioner",
    "reduction_ratio",
]
