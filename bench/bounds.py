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

import _harness as harness  # noqa: E402
import numpy as np  # noqa: E402
import scipy.optimize  # noqa: E402
from optkit.problems import minpack2  # noqa: E402

import optkit  # noqa: E402
from optkit import problems  # noqa: E402
from optkit.optim import solve  # noqa: E402
from optkit.optim.solvers import METHODS  # noqa: E402

GTOL = 1e-5
MAXITER = 10_000
LARGE_N = 102_400  # the 320 x 320 grid, whose f* the problem library tabulates

OPTKIT = [m for m in ("lbfgs", "newton-cg", "gd") if METHODS[m].supports_bounds]
SCIPY = ["L-BFGS-B", "TNC", "trust-constr", "SLSQP"]
USES_HESSP = {"newton-cg", "trust-constr"}


def gtol_for(prob):
    """GTOL, or on a MINPACK-2 grid the same residual tolerance as GTOL at its default grid."""
    if prob.name in ("torsion", "journal-bearing"):
        return minpack2.grid_gtol(prob.n, GTOL)
    return GTOL


def run_one(method, prob):
    gtol = gtol_for(prob)
    box = prob.bounds
    x0 = box.project(np.array(prob.x0))  # published starts may lie outside: all start at P(x0)
    c = harness.Counted(prob.objective, *harness.problem_derivatives(prob), bounds=box)

    def run():
        if method in OPTKIT:
            return solve(c.fun, x0, method, jac=c.jac, hessp=c.hessp, bounds=box, gtol=gtol,
                         maxiter=MAXITER)
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
        scipy_box = scipy.optimize.Bounds(np.broadcast_to(box.lb, prob.n),
                                          np.broadcast_to(box.ub, prob.n))
        return scipy.optimize.minimize(c.fun, x0, method=method, jac=c.jac, bounds=scipy_box,
                                       options=options, **extra)

    return harness.run_counted(method, prob, c, run, gtol)


def overhead_at_1e6():
    """Per-iteration time outside f and g, lbfgs / L-BFGS-B, n = 1e6: f = sum d (x - c)^2 / 2
    on [0, 1]^n with c alternately inside and beyond the upper bound (half active at x*)."""
    n = 10**6
    d = np.linspace(1.0, 100.0, n)
    cen = np.where(np.arange(n) % 2 == 0, 0.5, 1.5)

    def fg(x):
        r = x - cen
        g = d * r
        return 0.5 * float(r @ g), g

    per_iter, last_x = harness.lbfgs_overhead(fg, np.full(n, 0.25), iters=30,
                                      bounds=optkit.Bounds(0.0, 1.0))
    active = {name: float(np.mean((x <= 0) | (x >= 1))) for name, x in last_x.items()}
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
          f"n={LARGE_N}), maxiter={MAXITER}, at most {harness.BUDGET} calls per run; every method "
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
        t = harness.totals(results[m].values())
        print(f"{m:13s} {t['solved']:>3d}/{t['runs']:<3d} {t['evals']:>12d} {t['median']:>13.1f} "
              f"{t['hessp']:>8d} {t['false_success']:>14d} {t['outside']:>12d} "
              f"{t['time']:>9.2f}")

    line = harness.median_evals_line(results)
    if line is not None:
        print(f"\n{line}")

    if args.no_overhead:
        return
    per_iter, active = overhead_at_1e6()
    print(f"\nper-iteration overhead at n=1e6, {active['lbfgs']:.0%} of bounds active at the "
          f"end (time outside f, g): lbfgs {per_iter['lbfgs'] * 1e3:.1f} ms, L-BFGS-B "
          f"{per_iter['L-BFGS-B'] * 1e3:.1f} ms, ratio "
          f"{per_iter['lbfgs'] / per_iter['L-BFGS-B']:.2f}")


if __name__ == "__main__":
    main()
