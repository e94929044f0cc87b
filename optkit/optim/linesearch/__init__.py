"""Line searches on phi(alpha) = f(x + alpha p).

Each search is a frozen dataclass of its options with ``search(line, phi0, dphi0, alpha0, *,
phi_ref=None, alphamax=inf) -> StepResult``, class attributes ``memory`` (how many recent f
values form the Armijo reference; 1 for monotone searches) and ``needs_slope``. ``alphamax``
is the largest step the caller allows (LineSearches.jl's ``alphamax``: in a box, the distance to
its edge along the direction, ``Bounds.max_step``); no trial goes beyond it, and with the
default inf every search behaves as it always has. The first trial step ``alpha0`` comes from a
rule in ``initial.py`` (``InitialQuadratic``, ``InitialPrevious``, ``InitialBarzilaiBorwein``).
A failed search raises
:class:`~optkit.optim.errors.LineSearchError` carrying its data.
"""

from .backtracking import Backtracking
from .base import Line, StepResult
from .initial import InitialBarzilaiBorwein, InitialPrevious, InitialQuadratic
from .nonmonotone import Nonmonotone
from .strong_wolfe import StrongWolfe

__all__ = ["Backtracking", "InitialBarzilaiBorwein", "InitialPrevious", "InitialQuadratic", "Line",
           "Nonmonotone", "StepResult", "StrongWolfe"]
