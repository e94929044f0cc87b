"""What bench/solvers.py and bench/bounds.py share: one objective's calls counted under a
budget (``Counted``), one bench row per solve (``run_counted``), the summary's totals and
lbfgs / L-BFGS-B lines, and the per-iteration overhead measure (``lbfgs_overhead``).

What the two scripts differ in is a parameter here: where the derivatives come from
(``ad_derivatives``, or ``problem_derivatives`` for a problem's hand-written ones) and
whether calls outside a box are counted (``Counted(..., bounds=box)``).

The scripts run as ``python bench/X.py`` (from any folder), which puts bench/ first on
sys.path, and import this module as ``import _harness as harness``; ``python -m bench.X``
does not find it.
"""

import statistics
import time
import warnings

import numpy as np
import scipy.optimize
import scipy.sparse.linalg

import optkit
from optkit.optim import solve

BUDGET = 50_000  # calls of f, gradient and hessp together; a run that exceeds it is unsolved


class BudgetExhausted(Exception):
    """More than the budget of calls: the run is stopped and counts as unsolved."""


def ad_derivatives(objective):
    """(gradient, hessp) of ``objective`` from optkit's AD of its compiled trace (eager AD
    where the trace depends on values); both replay one ``optkit.ad.compile``-d function."""
    compiled = optkit.ad.compile(objective)
    value_and_grad = optkit.value_and_grad(compiled)
    return (lambda x: value_and_grad(x)[1]), (lambda x, p: optkit.hvp(compiled, x, p))


def problem_derivatives(prob):
    """(gradient, hessp) of a problem: its hand-written ones where it has them, else
    ``ad_derivatives`` of its objective."""
    ad_gradient, ad_hessp = ad_derivatives(prob.objective)
    gradient = prob.gradient if prob.gradient is not None else ad_gradient
    hessp = prob.hessp if prob.hessp is not None else ad_hessp
    return gradient, hessp


class Counted:
    """f, gradient and Hessian-vector products of one objective, each call counted; with
    ``bounds`` (an ``optkit.Bounds``), each call at a point outside the box is counted again
    in ``outside``. A call past ``budget`` calls in all raises BudgetExhausted."""

    def __init__(self, objective, gradient, hessp, bounds=None, budget=BUDGET):
        self.objective = objective
        self.gradient = gradient
        self._hessp = hessp
        self.bounds = bounds
        self.budget = budget
        if bounds is not None:
            self.lb = bounds.lb
            self.ub = bounds.ub
        self.nf = self.ng = self.nh = self.outside = 0

    def _spend(self, x):
        if self.nf + self.ng + self.nh > self.budget:
            raise BudgetExhausted
        if self.bounds is not None and (np.any(x < self.lb) or np.any(x > self.ub)):
            self.outside += 1

    def fun(self, x):
        self.nf += 1
        self._spend(x)
        return float(self.objective(x))

    def jac(self, x):
        self.ng += 1
        self._spend(x)
        return np.asarray(self.gradient(x), dtype=float)

    def hessp(self, x, p):
        self.nh += 1
        self._spend(x)
        return np.asarray(self._hessp(x, p), dtype=float)

    def hess(self, x):
        """trust-constr asks for a Hessian object: a LinearOperator of hessp."""
        return scipy.sparse.linalg.LinearOperator((x.size, x.size), dtype=float,
                                                  matvec=lambda p: self.hessp(x, p))

    def first_order(self, x):
        """||grad f(x)||_inf, or ||P(x - grad f(x)) - x||_inf in the box; not counted."""
        g = np.asarray(self.gradient(x), dtype=float)
        if self.bounds is None:
            return float(np.max(np.abs(g)))
        return self.bounds.projected_gradient_norm(x, g)


def run_counted(method, prob, counted, run, gtol):
    """One bench row: ``run()`` solves ``prob`` through ``counted``'s fun, jac and hessp and
    returns a result with ``x`` and ``success``.

    f is taken at the returned x (clipped into the box, where f* is the minimum over it);
    a run past the budget, or one that raises (reported on one line), is unsolved.
    "false_success" is success claimed while the first-order measure at x exceeds gtol;
    that check is outside the counts and the timing. Warnings are silenced throughout.
    """
    start = time.perf_counter()
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            res = run()
            x = np.asarray(res.x, dtype=float)
            if counted.bounds is not None:
                x = np.clip(x, counted.lb, counted.ub)
            f = float(counted.objective(x))
            success = bool(res.success)
        except BudgetExhausted:
            f, success, x = float("nan"), False, None
        except Exception as exc:  # a crash counts as unsolved, and is reported
            f, success, x = float("nan"), False, None
            print(f"    {method} crashed on {prob.name}: {type(exc).__name__}: {exc}")
    elapsed = time.perf_counter() - start
    gnorm = float("nan")
    if success:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            gnorm = counted.first_order(x)
    return {"solved": prob.is_solved(f), "evals": counted.nf + counted.ng, "hessp": counted.nh,
            "time": elapsed, "f": f, "success": success,
            "false_success": success and not gnorm <= gtol, "gnorm": gnorm,
            "outside": counted.outside}


def median_evals_line(results, ours="lbfgs", theirs="L-BFGS-B"):
    """The line comparing two methods' median evaluations on the problems both solve, from
    ``results[method][label]`` rows of ``run_counted``; None when no problem is solved by both."""
    both = [k for k in results[ours] if results[ours][k]["solved"] and results[theirs][k]["solved"]]
    if not both:
        return None
    a = statistics.median(results[ours][k]["evals"] for k in both)
    b = statistics.median(results[theirs][k]["evals"] for k in both)
    return (f"{ours} / {theirs} median evals on the {len(both)} problems both solve: "
            f"{a:.1f} / {b:.1f} = {a / b:.2f}")


class Timed:
    """``fun`` with the ``clock`` time spent in its calls summed in ``spent``: a solve's
    per-iteration overhead is its time minus ``spent``, over its iterations."""

    def __init__(self, fun, clock=time.perf_counter):
        self.fun = fun
        self.clock = clock
        self.spent = 0.0

    def __call__(self, x):
        start = self.clock()
        out = self.fun(x)
        self.spent += self.clock() - start
        return out


def lbfgs_overhead(fun_and_jac, x0, iters, bounds=None):
    """Per-iteration wall time outside f and g of optkit's lbfgs and SciPy's L-BFGS-B, each
    run ``iters`` iterations (gtol = ftol = 0) from ``x0`` on ``fun_and_jac`` (x -> (f, g)),
    in ``bounds`` (an ``optkit.Bounds``) if given; two interleaved rounds, the best kept.

    Returns ({method: seconds per iteration}, {method: the last run's x})."""
    fg = Timed(fun_and_jac)
    scipy_bounds = None
    if bounds is not None:
        scipy_bounds = scipy.optimize.Bounds(np.broadcast_to(bounds.lb, x0.size),
                                             np.broadcast_to(bounds.ub, x0.size))
    per_iter, last_x = {}, {}
    for name in ("L-BFGS-B", "lbfgs", "L-BFGS-B", "lbfgs"):
        fg.spent = 0.0
        start = time.perf_counter()
        if name == "lbfgs":
            res = solve(None, x0, "lbfgs", fun_and_jac=fg, bounds=bounds, gtol=0.0, ftol=0.0,
                        maxiter=iters)
        else:
            res = scipy.optimize.minimize(fg, x0, jac=True, method="L-BFGS-B",
                                          bounds=scipy_bounds,
                                          options={"maxiter": iters, "gtol": 0.0, "ftol": 0.0})
        total = time.perf_counter() - start
        value = (total - fg.spent) / max(res.nit, 1)
        per_iter[name] = min(per_iter.get(name, float("inf")), value)
        last_x[name] = res.x
    return per_iter, last_x


def totals(rows):
    """One method's line of the summary table from its ``run_counted`` rows: how many were
    solved out of how many, evaluations in all and their median, and the sums of hessp,
    false success, evaluations outside the box and time."""
    rows = list(rows)
    evals = [r["evals"] for r in rows]
    return {"solved": sum(r["solved"] for r in rows), "runs": len(rows), "evals": sum(evals),
            "median": statistics.median(evals), "hessp": sum(r["hessp"] for r in rows),
            "false_success": sum(r["false_success"] for r in rows),
            "outside": sum(r["outside"] for r in rows), "time": sum(r["time"] for r in rows)}
