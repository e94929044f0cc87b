"""optkit.optim: gradient descent, L-BFGS and Newton-CG on one driver; imports numpy only."""

from .api import check_options, solve
from .driver import run
from .errors import LineSearchError, NumericalError, SolverError, TrustRegionError
from .globalization import LineSearch, TrustRegion
from .linesearch import Backtracking, Nonmonotone, StrongWolfe
from .objective import Objective
from .result import History, OptimizeResult, Status
from .solvers import LBFGS, METHODS, GradientDescent, NewtonCG, Solver
from .trust_region import Steihaug

__all__ = [
    "LBFGS",
    "METHODS",
    "Backtracking",
    "GradientDescent",
    "History",
    "LineSearch",
    "LineSearchError",
    "NewtonCG",
    "Nonmonotone",
    "NumericalError",
    "Objective",
    "OptimizeResult",
    "Solver",
    "SolverError",
    "Status",
    "Steihaug",
    "StrongWolfe",
    "TrustRegion",
    "TrustRegionError",
    "check_options",
    "run",
    "solve",
]
