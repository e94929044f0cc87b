"""The solvers, one file per algorithm on the protocol of ``base.Solver``, and the registry of
method names used by ``solve``."""

from .base import Solver
from .gd import GradientDescent
from .lbfgs import LBFGS
from .newton_cg import NewtonCG

__all__ = ["LBFGS", "METHODS", "GradientDescent", "NewtonCG", "Solver"]

METHODS = {"gd": GradientDescent, "lbfgs": LBFGS, "newton-cg": NewtonCG}
