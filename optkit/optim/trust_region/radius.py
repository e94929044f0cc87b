"""Moved: the trust-region globalization is ``optkit.optim.globalization.trust_region`` and the
reduction ratio ``optkit.optim.globalization.reduction``. This module re-exports both for the
importers written before the move; new code imports from ``optkit.optim.globalization``."""

from ..globalization.reduction import reduction_ratio
from ..globalization.trust_region import TrustRegion

__all__ = ["TrustRegion", "reduction_ratio"]
