"""optkit's bounded solvers against SciPy's, on the bound-constrained problems, with the same
exact derivatives.

Run: python bench/bounds.py [--per-problem] [--large] [--no-overhead]. BLAS is pinned to one
thread before numpy loads. Every method gets the same plain-numpy objective and the same
gradient and Hessian-vector products (the problem's hand-written ones where it has them, else
optkit's AD of the compiled objective); the bench counts the calls itself: "evals" is calls of
f plus calls of the gradient (Hessian-vector products apart, as "hessp").

Methods: optkit's lbfgs (L-BFGS-B), newton-cg and gd (when they take bounds) against SciPy's
L-BFGS-B, TNC, trust-constr, and SLSQP for n <= 50.  Problems: every problem of
``optkit.problems`` tagged ``bounds`` at its default dimension, plus (``--large``) the two
MINPACK-2 problems at n = 102400 (trust-constr and SLSQP left out there: minutes per run).

Every method gets gtol = 1e-5, except on the MINPACK-2 grids, where it gets
``minpack2.grid_gtol(n)``: the same tolerance on the discretized PDE's residual as 1e-5 at the
default 50 x 50 grid (1e-5 there, 2.5e-7 at n = 102400, where a fixed 1e-5 leaves |f - f*|
above the f test for every method but newton-cg).

Per method: solved (|f - f*| <= 1e-6 max(1, |f*|)), total and median evaluations, false
success claims (success reported while ||P(x - g) - x||_inf > gtol at the returned x),
evaluations outside the box (f, gradient or hessp at a point with some x_i outside
[lb_i, ub_i]), time.  The last section times the per-iteration overhead (time outside f and
g) of lbfgs and L-BFGS-B at n = 1e6 on a diagonal quadratic whose minimizer has half of its
bounds active, in the same process.
"""

import os

os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["OMP_NUM_THREADS"] = "1"
os.environ["MKL_NUM_THREADS"] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import scipy.optimize  # noqa: E402
import scipy.sparse.linalg  # noqa: E402
from optkit.problems import minpack2  # noqa: E402

import optkit  # noqa: E402
from optkit import problems  # noqa: E402
from optkit.optim import solve  # noqa: E402
from optkit.optim.solvers import METHODS  # noqa: E402

GTOL = 1e-5
MAXITER = 10_000
BUDGET = 50_000  # calls of f, gradient and hessp together; a run that exceeds it is unsolved
LARGE_N = 102_400  # the 320 x 320 grid, whose f* the problem library tabulates

OPTKIT = [m for m in ("lbfgs", "newton-cg", "gd") if METHODS[m].supports_bounds]
SCIPY = ["L-BFGS-B", "TNC", "trust-constr", "SLSQP"]
USES_HESSP = {"newton-cg", "trust-constr"}


class BudgetExhausted(Exception):
    """More than BUDGET calls: the run is stopped and counts as unsolved."""


class Counted:
    """f, gradient and Hessian-vector products of one problem: each call counted, and each
    call at a point outside the box counted again as a violation."""

    def __init__(self, prob):
        self.prob = prob
        self.objective = prob.objective
        self.lb = np.broadcast_to(prob.bounds.lb, prob.n)
        self.ub = np.broadcast_to(prob.bounds.ub, prob.n)
        if prob.gradient is not None:
            self._grad = prob.gradient
        else:
            compiled = optkit.ad.compile(prob.objective)
            vg = optkit.value_and_grad(compiled)
            self._grad = lambda x: vg(x)[1]
        if prob.hessp is not None:
            self._hessp = prob.hessp
        else:
            compiled = optkit.ad.compile(prob.objective)
            self._hessp = lambda x, p: optkit.hvp(compiled, x, p)
        self.nf = self.ng = self.nh = self.outside = 0

    def _spend(self, x):
        if self.nf + self.ng + self.nh > BUDGET:
            raise BudgetExhausted
        if np.any(x < self.lb) or np.any(x > self.ub):
            self.outside += 1

    def fun(self, x):
        self.nf += 1
        self._spend(x)
        return float(self.objective(x))

    def jac(self, x):
        self.ng += 1
        self._spend(x)
        return np.asarray(self._grad(x), dtype=float)

    def hessp(self, x, p):
        self.nh += 1
        self._spend(x)
        return np.asarray(self._hessp(x, p), dtype=float)

    def hess(self, x):
        """trust-constr asks for a Hessian object: a LinearOperator of hessp."""
        return scipy.sparse.linalg.LinearOperator((x.size, x.size), dtype=float,
                                                  matvec=lambda p: self.hessp(x, p))


def gtol_for(prob):
    """GTOL, or on a MINPACK-2 grid the same residual tolerance as GTOL at its default grid."""
    if prob.name in ("torsion", "journal-bearing"):
        return minpack2.grid_gtol(prob.n, GTOL)
    return GTOL


def run_one(method, prob):
    gtol = gtol_for(prob)
    box = prob.bounds
    x0 = box.project(np.array(prob.x0))  # published starts may lie outside: all start at P(x0)
    start = time.perf_counter()
    c = Counted(prob)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            if method in OPTKIT:
                res = solve(c.fun, x0, method, jac=c.jac, hessp=c.hessp, bounds=box, gtol=gtol,
                            maxiter=MAXITER)
            else:
                options = {"maxiter": MAXITER}
                extra = {}
                if method == "L-BFGS-B":
                    options.update(gtol=gtol, maxfun=10 * MAXITER)
                elif method == "TNC":
                    options.update(gtol=gtol, maxfun=10 * MAXITER)
                    del options["maxiter"]
                elif method == "trust-constr":
                    options["gtol"] = gtol
                    extra["hess"] = c.hess
                res = scipy.optimize.minimize(c.fun, x0, method=method, jac=c.jac,
                                              bounds=scipy.optimize.Bounds(c.lb, c.ub),
                                              options=options, **extra)
            x = np.clip(np.asarray(res.x, dtype=float), c.lb, c.ub)  # f* is over the box
            f = float(c.objective(x))
            success = bool(res.success)
        except BudgetExhausted:
            f, success, x = float("nan"), False, None
        except Exception as exc:  # a crash counts as unsolved, and is reported
            f, success, x = float("nan"), False, None
            print(f"    {method} crashed on {prob.name}: {type(exc).__name__}: {exc}")
    elapsed = time.perf_counter() - start
    pgnorm = float("nan")
    if success:  # the projected gradient at the returned point, outside counts and timing
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            pgnorm = box.projected_gradient_norm(x, np.asarray(c._grad(x), dtype=float))
    return {"solved": prob.is_solved(f), "evals": c.nf + c.ng, "hessp": c.nh, "time": elapsed,
            "f": f, "success": success, "false_success": success and not pgnorm <= gtol,
            "outside": c.outside}


def overhead_at_1e6():
    """Per-iteration time outside f and g, lbfgs / L-BFGS-B, n = 1e6: f = sum d (x - c)^2 / 2
    on [0, 1]^n with c alternately inside and beyond the upper bound (half active at x*)."""
    n = 10**6
    d = np.linspace(1.0, 100.0, n)
    cen = np.where(np.arange(n) % 2 == 0, 0.5, 1.5)
    spent = [0.0]

    def fg(x):
        t = time.perf_counter()
        r = x - cen
        g = d * r
        f = 0.5 * float(r @ g)
        spent[0] += time.perf_counter() - t
        return f, g

    x0 = np.full(n, 0.25)
    box = optkit.Bounds(0.0, 1.0)
    iters = 30
    per_iter, active = {}, {}
    for name in ("L-BFGS-B", "lbfgs", "L-BFGS-B", "lbfgs"):  # two rounds; keep the best
        spent[0] = 0.0
        start = time.perf_counter()
        if name == "lbfgs":
            res = solve(None, x0, "lbfgs", fun_and_jac=fg, bounds=box, gtol=0.0, ftol=0.0,
                        maxiter=iters)
        else:
            res = scipy.optimize.minimize(fg, x0, jac=True, method="L-BFGS-B",
                                          bounds=scipy.optimize.Bounds(np.zeros(n), np.ones(n)),
                                          options={"maxiter": iters, "gtol": 0.0, "ftol": 0.0})
        total = time.perf_counter() - start
        value = (total - spent[0]) / max(res.nit, 1)
        per_iter[name] = min(per_iter.get(name, float("inf")), value)
        active[name] = float(np.mean((res.x <= 0) | (res.x >= 1)))
    return per_iter, active


def suite(large):
    cases = [(f"{s.name}-{s.default_n}", s.build(s.default_n)) for s in problems.specs("bounds")]
    cases = [(label, p) for label, p in cases if p.fstar is not None]
    if large:
        for name in ("torsion", "journal-bearing"):
            cases.append((f"{name}-{LARGE_N}", problems.get(name, n=LARGE_N)))
    return cases


def applies(method, prob):
    if method == "SLSQP":
        return prob.n <= 50
    if method == "trust-constr":
        return prob.n <= 10_000
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-problem", action="store_true", help="print every run")
    parser.add_argument("--large", action="store_true",
                        help=f"add torsion and journal-bearing at n = {LARGE_N}")
    parser.add_argument("--no-overhead", action="store_true",
                        help="skip the per-iteration overhead measure at n = 1e6")
    args = parser.parse_args()

    cases = suite(args.large)
    methods = OPTKIT + SCIPY
    print(f"{len(cases)} bound-constrained problems with known f*; gtol={GTOL:g} (MINPACK-2 "
          f"grids: the same PDE residual, {minpack2.grid_gtol(LARGE_N, GTOL):.2g} at "
          f"n={LARGE_N}), maxiter={MAXITER}, at most {BUDGET} calls per run; every method "
          "starts at P(x0) with the same exact derivatives")
    results = {m: {} for m in methods}
    for label, prob in cases:
        for m in methods:
            if applies(m, prob):
                results[m][label] = run_one(m, prob)
        if args.per_problem:
            row = "  ".join(f"{m}:{'ok' if r['solved'] else '--'}"
                            f"{'!' if r['false_success'] else ''}/{r['evals']}"
                            for m in methods if (r := results[m].get(label)) is not None)
            print(f"  {label:30s} {row}", flush=True)

    print()
    print(f"{'method':13s} {'solved':>7s} {'evals total':>12s} {'evals median':>13s} "
          f"{'hessp':>8s} {'false success':>14s} {'outside box':>12s} {'time [s]':>9s}")
    for m in methods:
        rs = list(results[m].values())
        evals = [r["evals"] for r in rs]
        print(f"{m:13s} {sum(r['solved'] for r in rs):>3d}/{len(rs):<3d} {sum(evals):>12d} "
              f"{statistics.median(evals):>13.1f} {sum(r['hessp'] for r in rs):>8d} "
              f"{sum(r['false_success'] for r in rs):>14d} "
              f"{sum(r['outside'] for r in rs):>12d} {sum(r['time'] for r in rs):>9.2f}")

    both = [k for k in results["lbfgs"]
            if results["lbfgs"][k]["solved"] and results["L-BFGS-B"][k]["solved"]]
    if both:
        ours = statistics.median(results["lbfgs"][k]["evals"] for k in both)
        theirs = statistics.median(results["L-BFGS-B"][k]["evals"] for k in both)
        print(f"\nlbfgs / L-BFGS-B median evals on the {len(both)} problems both solve: "
              f"{ours:.1f} / {theirs:.1f} = {ours / theirs:.2f}")

    if args.no_overhead:
        return
    per_iter, active = overhead_at_1e6()
    print(f"\nper-iteration overhead at n=1e6, {active['lbfgs']:.0%} of bounds active at the "
          f"end (time outside f, g): lbfgs {per_iter['lbfgs'] * 1e3:.1f} ms, L-BFGS-B "
          f"{per_iter['L-BFGS-B'] * 1e3:.1f} ms, ratio "
          f"{per_iter['lbfgs'] / per_iter['L-BFGS-B']:.2f}")


if __name__ == "__main__":
    main()
