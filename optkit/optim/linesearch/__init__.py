"""Line searches on phi(alpha) = f(x + alpha p).

Each search is a frozen dataclass of its options with ``search(line, phi0, dphi0, alpha0, *,
phi_ref=None) -> StepResult``, class attributes ``memory`` (how many recent f values form the
Armijo reference; 1 for monotone searches) and ``needs_slope``. A failed search raises
:class:`~optkit.optim.errors.LineSearchError` carrying its data.
"""

from .backtracking import Backtracking
from .base import Line, StepResult
from .nonmonotone import Nonmonotone
from .strong_wolfe import StrongWolfe

__all__ = ["Backtracking", "Line", "Nonmonotone", "StepResult", "StrongWolfe"]
