"""Exceptions a solver raises when it cannot make progress.

Each class names the :class:`~optkit.optim.result.Status` the driver reports for it; only the
driver turns these exceptions into a status. ``state`` may carry a valid solver state (f and g
evaluated at x) better than the last iterate, found on the way to the failure; the driver then
returns it when it is the best point seen.
"""

from .result import Status

__all__ = ["LineSearchError", "NumericalError", "SolverError", "TrustRegionError"]


class SolverError(Exception):
    """Base class: the solver could not make progress.

    A solver's ``step`` raises it; the driver catches it and returns a result with the
    class's ``status`` (``success=False``) at the best point seen, so users of ``solve`` and
    ``optkit.minimize`` read the status, not the exception.

    Parameters
    ----------
    reason : str
        Why; the driver appends it to the status message.
    state : solver state, optional
        A valid state (f and g evaluated at x) found on the way to the failure, better than
        the last iterate, or None.

    Examples
    --------
    >>> import numpy as np
    >>> from optkit.optim import LBFGS, Status, solve
    >>> f = lambda x: float(x @ x)
    >>> r = solve(f, np.ones(2), LBFGS(), jac=lambda x: -2.0 * x)  # a wrong gradient
    >>> r.status_enum is LineSearchError.status is Status.LINESEARCH_FAILED, r.success
    (True, False)
    """

    status = Status.SOLVER_FAILED

    def __init__(self, reason, *, state=None):
        super().__init__(reason)
        self.reason = reason
        self.state = state


class LineSearchError(SolverError):
    """No step satisfying the line search conditions was found.

    Carries the data of the best trial step: ``alpha`` (0.0 when no trial decreased phi),
    ``phi`` and ``dphi`` there (``dphi`` may be None when it was not evaluated), and ``nfev``,
    the number of phi evaluations spent. The driver reports it as
    ``Status.LINESEARCH_FAILED``.

    Parameters
    ----------
    reason : str
        Why no step was found.
    alpha : float, optional
        The best trial step (0.0 when no trial decreased phi).
    phi, dphi : float or None, optional
        phi and phi' at ``alpha`` (None when not evaluated).
    nfev : int, optional
        The phi evaluations spent.
    state : solver state, optional
        As for :class:`SolverError`.

    Examples
    --------
    A search along a direction that is not downhill, as a wrong gradient gives:

    >>> import numpy as np
    >>> from optkit.optim import Backtracking, Objective
    >>> from optkit.optim.linesearch.base import Line
    >>> objective = Objective(lambda x: float(x @ x), jac=lambda x: 2.0 * x)
    >>> x = np.array([1.0, 0.0])
    >>> line = Line(objective, x, np.array([1.0, 0.0]))  # uphill from x
    >>> try:
    ...     Backtracking().search(line, 1.0, -2.0, 1.0)  # told the slope is -2
    ... except LineSearchError as err:
    ...     print(err.reason, err.alpha)
    step shrank below alpha_min=1e-20 0.0
    """

    status = Status.LINESEARCH_FAILED

    def __init__(self, reason, *, alpha=0.0, phi=None, dphi=None, nfev=0, state=None):
        super().__init__(reason, state=state)
        self.alpha = alpha
        self.phi = phi
        self.dphi = dphi
        self.nfev = nfev


class NumericalError(SolverError):
    """A non-finite quantity arose that the solver cannot recover from.

    The driver reports it as ``Status.NONFINITE``. (A non-finite f or gradient at ``x0`` is
    a ValueError before any step.)

    Examples
    --------
    >>> import numpy as np
    >>> from optkit.optim import NewtonCG, solve
    >>> r = solve(lambda x: float(x @ x), np.ones(2), NewtonCG(), jac=lambda x: 2.0 * x,
    ...           hessp=lambda x, p: np.full(2, np.nan))
    >>> r.status_enum is NumericalError.status, r.message
    (True, 'numerical trouble: non-finite value: hessp returned a non-finite product ...')
    """

    status = Status.NONFINITE


class TrustRegionError(SolverError):
    """The trust-region radius shrank below its minimum without an acceptable step.

    The driver reports it as ``Status.TRUST_REGION_FAILED``; a gradient that does not match f
    is the usual cause.

    Examples
    --------
    >>> import numpy as np
    >>> from optkit.optim import NewtonCG, solve
    >>> r = solve(lambda x: float(x @ x), np.ones(2), NewtonCG(), jac=lambda x: -2.0 * x,
    ...           hessp=lambda x, p: 2.0 * p)  # a wrong gradient
    >>> r.status_enum is TrustRegionError.status, r.success
    (True, False)
    """

    status = Status.TRUST_REGION_FAILED
