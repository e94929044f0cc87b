"""Step strategies of a Newton-type direction: trust region and line search, on one protocol
(``base.Globalization``), with the acceptance measure they share (``reduction``)."""

from .base import Globalization, Move
from .line_search import LineSearch
from .reduction import SMALL, actual_reduction, reduction_ratio
from .trust_region import TrustRegion

__all__ = ["SMALL", "Globalization", "LineSearch", "Move", "TrustRegion", "actual_reduction",
           "reduction_ratio"]
