"""Method names: optkit's solvers and SciPy's, re-exporting the one "did you mean"
hint for a misspelling (``optim.suggest``).

``optkit.minimize`` runs optkit's solvers and ``optkit.scipy.minimize`` SciPy's; each points a
name of the other family to the right door. The lists live here, apart from ``optkit.scipy``,
so the front door can recognise a SciPy name without importing ``scipy.optimize``.
"""

from .optim.solvers import METHODS
from .optim.suggest import did_you_mean

__all__ = ["OPTKIT_METHODS", "SCIPY_CUSTOM_METHODS", "SCIPY_DERIVATIVE_FREE", "SCIPY_FIRST_ORDER",
           "SCIPY_HESS", "SCIPY_HESSP", "SCIPY_METHODS", "did_you_mean"]

OPTKIT_METHODS = tuple(sorted(METHODS))  # the names optkit.minimize accepts (any case)

# scipy.optimize.minimize's method names in lower case, grouped by the derivatives they use
SCIPY_DERIVATIVE_FREE = ("nelder-mead", "powell", "cobyla", "cobyqa")
SCIPY_FIRST_ORDER = ("cg", "bfgs", "l-bfgs-b", "tnc", "slsqp")
SCIPY_HESSP = ("newton-cg", "trust-ncg", "trust-krylov", "trust-constr")
SCIPY_HESS = ("dogleg", "trust-exact")
SCIPY_METHODS = SCIPY_DERIVATIVE_FREE + SCIPY_FIRST_ORDER + SCIPY_HESSP + SCIPY_HESS

# optkit's solver names that SciPy lacks -> the custom method in optkit.scipy that runs them
# ("newton-cg" is not here: to SciPy it means SciPy's own Newton-CG)
SCIPY_CUSTOM_METHODS = {"gd": "gradient_descent", "lbfgs": "lbfgs"}

