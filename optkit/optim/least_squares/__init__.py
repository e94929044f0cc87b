"""Nonlinear least squares: Levenberg-Marquardt, Gauss-Newton-CG, robust losses, covariance.

The solvers run on a :class:`~optkit.optim.residual.ResidualObjective` through the one driver
(``optkit.optim.driver.run``), with the driver's own tests off; their MINPACK tests reach the
driver through ``converged(state)`` (see ``stopping.py``).
"""

from .covariance import CovarianceWarning, covariance
from .geodesic import GeodesicAcceleration
from .gn_cg import GaussNewtonCG, GaussNewtonCGState
from .lm import LevenbergMarquardt, LMState
from .loss import LOSSES, Loss, as_loss
from .stopping import Stop

__all__ = [
    "LOSSES",
    "CovarianceWarning",
    "GaussNewtonCG",
    "GaussNewtonCGState",
    "GeodesicAcceleration",
    "LMState",
    "LevenbergMarquardt",
    "Loss",
    "Stop",
    "as_loss",
    "covariance",
]
