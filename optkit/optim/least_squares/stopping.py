"""Stopping tests of the least-squares solvers and how they reach the driver.

MINPACK's tests (Moré, Garbow & Hillstrom 1980, "User guide for MINPACK-1", sec. 2; lmder),
in relative terms of the cost F (``actred = 1 - F(x+p)/F(x)``, ``prered`` the model's
relative reduction, ``ratio = actred / prered``):

    ftol   |actred| <= ftol and prered <= ftol and ratio <= 2: neither the function nor the
           model promises a relative reduction above ftol                -> CONVERGED_FTOL
    xtol   Delta <= xtol ||D x||: the trust region (hence any further step) is below a
           relative xtol of x                                            -> CONVERGED_XTOL
    gtol   max_j |cos(angle(J_j, r))| <= gtol: r is orthogonal to J's columns to gtol,
           the scale-free first-order test                               -> CONVERGED_GTOL

All three are tests the caller asked for, with scipy's documented defaults (1e-8), so they
count as success, as in scipy. MINPACK's "tolerance too small" stops (info 6 and 7: the
reductions or the radius fell below machine precision) say that no further progress is
possible and are failures (SOLVER_FAILED); its info 8 (the cosine below machine precision) is
first-order stationarity and counts as CONVERGED_GTOL.

Reaching the driver: a solver flags a stop on the state it returns (``state.stop``), and its
``converged(state)`` hands it to the driver, which asks before its own tests and limits (so a
trial that converges while exhausting maxfev reports the convergence). A success returns that
state; a failure returns the best state seen. Run the least-squares solvers with the driver's
own tests off (``gtol=0, ftol=0``): ftol=0 also turns off the driver's stall test.
"""

import math
import numbers
from typing import NamedTuple

from ..result import Status

__all__ = ["Stop", "check_tolerance", "gtol_test", "minpack_tests"]

EPS = 2.220446049250313e-16


def check_tolerance(name, value):
    """A tolerance as a float >= 0; ValueError naming it otherwise."""
    if ((type(value) is not float  # a float needs no type test (numbers.Real's is slow)
         and (isinstance(value, bool) or not isinstance(value, numbers.Real)))
            or not math.isfinite(value) or value < 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


class Stop(NamedTuple):
    """A stopping test that fired: the status to report and why (what ``converged`` returns
    to the driver).

    Parameters
    ----------
    status : Status
        The termination status the driver reports.
    reason : str
        Why the test fired, with the numbers; the driver appends it to the status message.

    Examples
    --------
    >>> from optkit.optim import Status
    >>> stop = gtol_test(1e-10, gtol=1e-8)
    >>> stop.status is Status.CONVERGED_GTOL
    True
    >>> gtol_test(1e-3, gtol=1e-8) is None
    True
    """

    status: Status
    reason: str


def minpack_tests(actred, prered, ratio, delta, xnorm, *, ftol, xtol):
    """MINPACK's tests after a trial step (module docstring); a Stop or None.

    ``LevenbergMarquardt.step`` calls this (and :func:`gtol_test`) only where a test may
    fire: ``|actred| <= max(ftol, EPS)`` or ``delta <= max(xtol, EPS) xnorm`` (``cosine <=
    max(gtol, EPS)``), each condition below implying one of them; a new test here needs
    its condition there too."""
    small_f = abs(actred) <= ftol and prered <= ftol and 0.5 * ratio <= 1.0
    small_x = delta <= xtol * xnorm
    if small_f and small_x:
        return Stop(Status.CONVERGED_FTOL, f"MINPACK ftol and xtol tests: relative reductions "
                    f"<= ftol = {ftol:.1e} and Delta <= xtol ||D x||, xtol = {xtol:.1e}")
    if small_f:
        return Stop(Status.CONVERGED_FTOL, f"MINPACK test: actual and predicted relative "
                    f"reductions of the cost <= ftol = {ftol:.1e}")
    if small_x:
        return Stop(Status.CONVERGED_XTOL, f"MINPACK test: trust radius <= xtol ||D x||, "
                    f"xtol = {xtol:.1e}")
    if abs(actred) <= EPS and prered <= EPS and 0.5 * ratio <= 1.0:
        return Stop(Status.SOLVER_FAILED, "no further reduction of the cost possible at "
                    "machine precision (ftol is too small; MINPACK info 6)")
    if delta <= EPS * xnorm:
        return Stop(Status.SOLVER_FAILED, "the trust radius fell to machine precision "
                    "relative to x (xtol is too small; MINPACK info 7)")
    return None


def gtol_test(cosine, gtol):
    """MINPACK's gradient test on the largest cosine; a Stop or None."""
    if cosine <= gtol:
        return Stop(Status.CONVERGED_GTOL, f"MINPACK test: max |cos(J_j, r)| = {cosine:.1e} "
                    f"<= gtol = {gtol:.1e}")
    if cosine <= EPS:
        return Stop(Status.CONVERGED_GTOL, f"max |cos(J_j, r)| = {cosine:.1e}: r is "
                    "orthogonal to the columns of J to machine precision (MINPACK info 8)")
    return None
