"""The CLI's verdict on a ``scipy:<Method>`` solve: success follows optkit's first-order test.

SciPy's methods report their own ``success``, which may come from a test on f or x (Powell's
and Nelder-Mead's tolerances, L-BFGS-B's relative reduction of f) with the gradient far from
zero; ``optkit solve rosenbrock-box -m scipy:Powell`` used to print success at |f - f*| = 1.89.
optkit's rule (issue 10) is that success means the first-order test holds at the returned x:
||g||_inf <= gtol, or with bounds the projected gradient ||P(x - g) - x||_inf <= gtol. So for a
SciPy method the CLI evaluates the gradient at SciPy's x itself (the problem's hand-written one,
else optkit's AD) and decides by that test; SciPy's own claim and message stay in the record
("scipy_success", "message"). The library adapter ``optkit.scipy.minimize`` keeps SciPy's
result as SciPy returns it (it is a drop-in for ``scipy.optimize.minimize``).
"""

from __future__ import annotations

import numpy as np

import optkit

from ..optim.driver import DEFAULT_GTOL
from .runner import Outcome, bounded_summary

__all__ = ["scipy_verdict"]


def _gradient_at(problem, x):
    """grad f(x) from the problem's hand-written gradient or optkit's AD; None when neither
    can give a finite one (then the test cannot hold)."""
    try:
        if problem.gradient is not None:
            g = problem.gradient(np.array(x))
        else:
            g = optkit.grad(problem.objective)(np.array(x))
        g = np.asarray(g, dtype=float)
    except Exception:  # anything AD or the objective raises here means: no certificate
        return None
    return g if g.shape == np.shape(x) and np.all(np.isfinite(g)) else None


def scipy_verdict(problem, outcome: Outcome, bounds, gtol) -> dict:
    """Set ``outcome``'s ``success`` and ``status`` (in place) by optkit's first-order test at
    ``outcome.x`` with ``gtol`` (None: the driver's ``DEFAULT_GTOL``), with its ``gradient``,
    ``gnorm`` (and with bounds ``bounded``) from the gradient evaluated there; return the
    record's extra fields: ``scipy_success`` (SciPy's own claim) and ``first_order`` (the
    test, in words)."""
    tol = DEFAULT_GTOL if gtol is None else gtol
    claimed = outcome.success
    g = _gradient_at(problem, outcome.x)
    if g is None:
        holds, text = False, "not evaluated: no finite gradient at x"
    else:
        outcome.gradient = g
        outcome.gnorm = float(np.max(np.abs(g))) if g.size else 0.0
        if bounds is not None:
            outcome.bounded = bounded_summary(bounds, outcome.x, g)
            measure, name = outcome.bounded["pgnorm"], "|P(x-g)-x|_inf"
        else:
            measure, name = outcome.gnorm, "|g|_inf"
        holds = bool(measure <= tol)
        text = f"{name} = {measure:.3g} {'<=' if holds else '>'} gtol {tol:g}"
    outcome.success = holds
    outcome.status = "converged" if holds else "failed"
    return {"scipy_success": claimed,
            "first_order": f"{'holds' if holds else 'fails'}: {text}"}
