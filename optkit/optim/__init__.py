"""optkit.optim: gradient descent, L-BFGS and Newton-CG on one driver; imports numpy only."""

from .api import solve
from .driver import run
from .errors import LineSearchError, NumericalError, SolverError, TrustRegionError
from .linesearch import Backtracking, Nonmonotone, StrongWolfe
from .objective import Objective
from .result import History, OptimizeResult, Status
from .solvers import LBFGS, METHODS, GradientDescent, NewtonCG

__all__ = [
    "LBFGS",
    "METHODS",
    "Backtracking",
    "GradientDescent",
    "History",
    "LineSearchError",
    "NewtonCG",
    "Nonmonotone",
    "NumericalError",
    "Objective",
    "OptimizeResult",
    "SolverError",
    "Status",
    "StrongWolfe",
    "TrustRegionError",
    "run",
    "solve",
]
