"""The solvers, one file per algorithm, and the registry of method names used by ``solve``."""

from .gd import GradientDescent
from .lbfgs import LBFGS
from .newton_cg import NewtonCG

__all__ = ["LBFGS", "METHODS", "GradientDescent", "NewtonCG"]

METHODS = {"gd": GradientDescent, "lbfgs": LBFGS, "newton-cg": NewtonCG}
