"""Exceptions a solver raises when it cannot make progress.

Each class names the :class:`~optkit.optim.result.Status` the driver reports for it; only the
driver turns these exceptions into a status. ``state`` may carry a valid solver state (f and g
evaluated at x) better than the last iterate, found on the way to the failure; the driver then
returns it when it is the best point seen.
"""

from .result import Status

__all__ = ["LineSearchError", "NumericalError", "SolverError", "TrustRegionError"]


class SolverError(Exception):
    """Base class: the solver could not make progress."""

    status = Status.SOLVER_FAILED

    def __init__(self, reason, *, state=None):
        super().__init__(reason)
        self.reason = reason
        self.state = state


class LineSearchError(SolverError):
    """No step satisfying the line search conditions was found.

    Carries the data of the best trial step: ``alpha`` (0.0 when no trial decreased phi),
    ``phi`` and ``dphi`` there (``dphi`` may be None when it was not evaluated), and ``nfev``,
    the number of phi evaluations spent.
    """

    status = Status.LINESEARCH_FAILED

    def __init__(self, reason, *, alpha=0.0, phi=None, dphi=None, nfev=0, state=None):
        super().__init__(reason, state=state)
        self.alpha = alpha
        self.phi = phi
        self.dphi = dphi
        self.nfev = nfev


class NumericalError(SolverError):
    """A non-finite quantity arose that the solver cannot recover from."""

    status = Status.NONFINITE


class TrustRegionError(SolverError):
    """The trust-region radius shrank below its minimum without an acceptable step."""

    status = Status.TRUST_REGION_FAILED
