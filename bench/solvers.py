"""optkit's solvers against SciPy's on the problem library, with the same exact derivatives.

Run: python bench/solvers.py [--quick] [--per-problem] [--ftol F] [--no-overhead]. BLAS is
pinned to one thread before numpy loads. Every method gets the same plain-numpy objective and
the same gradient and Hessian-vector products from optkit's AD (``optkit.value_and_grad``,
``optkit.hvp`` of the ``optkit.ad.compile``-d objective); the bench counts the calls itself, so
"evals" means the same thing for every method: calls of f plus calls of the gradient
(Hessian-vector products are counted apart, as "hessp").

A problem counts as solved when |f - f*| <= 1e-6 max(1, |f*|). "false success" counts runs
that report success while ||grad f||_inf > gtol at the returned x (optkit's methods claim
success only when the gradient test holds or a stop the user asked for fires, e.g.
``--ftol``; SciPy's are shown as they are). ``--ftol`` passes an explicit ftol to optkit's
methods (default: none, their own defaults). The suite is every unconstrained problem of
``optkit.problems`` with a known f*, at its default dimension, plus the scalable ones at
n = 1000. The last section times the per-iteration overhead (time outside f and g) of lbfgs
and L-BFGS-B at n = 1e6 on a cheap diagonal quadratic, in the same process, and the same for
``optkit.minimize`` with the parameters as a dict of four arrays against one flat vector
(issue 12: the structure is raveled once; per iteration it costs rebuilding the views and
concatenating the gradient). The last line is issue 17's memory goal: the peak resident set
size of an lbfgs solve of the extended Rosenbrock function at n = 1e6 against SciPy's L-BFGS-B
with a hand-written gradient, each in a fresh subprocess (``end_to_end.peak_rss``, the same
measurement ``bench/end_to_end.py`` prints; ``--no-rss`` skips it).
"""

import os

os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["OMP_NUM_THREADS"] = "1"
os.environ["MKL_NUM_THREADS"] = "1"

import argparse  # noqa: E402
import time  # noqa: E402

import _harness as harness  # noqa: E402
import end_to_end  # noqa: E402
import numpy as np  # noqa: E402
import scipy.optimize  # noqa: E402

import optkit  # noqa: E402
from optkit import problems  # noqa: E402
from optkit.optim import solve  # noqa: E402

GTOL = 1e-5
MAXITER = 10_000

OPTKIT = ["gd", "lbfgs", "newton-cg"]
SCIPY = ["L-BFGS-B", "CG", "Newton-CG", "trust-ncg", "trust-krylov"]
USES_HESSP = {"newton-cg", "Newton-CG", "trust-ncg", "trust-krylov"}


def suite(quick):
    """[(label, Problem)]: known-f* problems at default n, scalable ones also at n = 1000.

    Bound-constrained problems are left out: their f* is the minimum over the box, and these
    methods are unconstrained.
    """
    out = []
    for spec in problems.specs():
        if "bounds" in spec.tags:
            continue
        dims = [spec.default_n]
        if spec.scalable and not quick and 1000 in spec.n_range and spec.default_n != 1000:
            dims.append(1000)
        for n in dims:
            prob = spec.build(n)
            if prob.fstar is not None:
                out.append((f"{spec.name}-{n}", prob))
    return out


def run_one(method, prob, ftol=None):
    x0 = np.array(prob.x0)
    extra = {} if ftol is None else {"ftol": ftol}
    c = harness.Counted(prob.objective, *harness.ad_derivatives(prob.objective))

    def run():
        if method in OPTKIT:
            return solve(c.fun, x0, method, jac=c.jac, hessp=c.hessp, gtol=GTOL,
                         maxiter=MAXITER, **extra)
        options = {"maxiter": MAXITER}
        if method != "Newton-CG":  # scipy's Newton-CG has no gtol (it uses xtol)
            options["gtol"] = GTOL
        if method == "L-BFGS-B":
            options["maxfun"] = 10 * MAXITER
        hessp = c.hessp if method in USES_HESSP else None
        return scipy.optimize.minimize(c.fun, x0, method=method, jac=c.jac, hessp=hessp,
                                       options=options)

    return harness.run_counted(method, prob, c, run, GTOL)


def overhead_at_1e6():
    """Per-iteration time outside f and g, lbfgs / L-BFGS-B, n = 1e6 diagonal quadratic."""
    n = 10**6
    d = np.linspace(1.0, 100.0, n)

    def fg(x):
        g = d * x
        return 0.5 * float(x @ g), g

    return harness.lbfgs_overhead(fg, np.ones(n), iters=40)[0]


def structured_overhead(iters=40):
    """Per-iteration time outside f and g of ``optkit.minimize(method="lbfgs")`` at n = 1e6 on
    a diagonal quadratic whose parameters are a dict of four arrays, and on the same numbers
    as one flat vector; f and g are hand-written (``jac=True``), so no AD is timed. Thread CPU
    time, which other processes on a busy machine do not inflate."""
    shapes = {"W1": (400, 1000), "b1": (1000,), "W2": (599, 1000), "b2": ()}
    sizes = [int(np.prod(s)) for s in shapes.values()]
    d_flat = np.linspace(1.0, 100.0, sum(sizes))
    d_tree, k = {}, 0
    for (name, shape), size in zip(shapes.items(), sizes, strict=True):
        d_tree[name] = d_flat[k:k + size].reshape(shape)
        k += size

    def quadratic_flat(x):
        g = d_flat * x
        return 0.5 * float(x @ g), g

    def quadratic_tree(p):
        g = {name: d_tree[name] * p[name] for name in shapes}
        return 0.5 * sum(float(np.vdot(p[name], g[name])) for name in shapes), g

    fg_flat = harness.Timed(quadratic_flat, time.thread_time)
    fg_tree = harness.Timed(quadratic_tree, time.thread_time)
    x0_tree = {name: np.ones(shape) for name, shape in shapes.items()}
    x0_flat = np.ones(d_flat.size)
    per_iter = {}
    for name in ("flat", "dict") * 3:  # three rounds; keep the best
        fun, x0 = (fg_flat, x0_flat) if name == "flat" else (fg_tree, x0_tree)
        fun.spent = 0.0
        start = time.thread_time()
        res = optkit.minimize(fun, x0, "lbfgs", jac=True, gtol=0.0, ftol=0.0, maxiter=iters)
        total = time.thread_time() - start
        per_iter[name] = min(per_iter.get(name, float("inf")), (total - fun.spent) / res.nit)
    return per_iter


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="default dimensions only")
    parser.add_argument("--per-problem", action="store_true", help="print every run")
    parser.add_argument("--ftol", type=float, default=None,
                        help="an explicit ftol for optkit's methods (default: their own)")
    parser.add_argument("--no-overhead", action="store_true",
                        help="skip the per-iteration overhead measure at n = 1e6")
    parser.add_argument("--no-rss", action="store_true",
                        help="skip the peak-RSS subprocesses at n = 1e6")
    args = parser.parse_args()
    # first, while this process is small (Linux keeps a process's peak RSS across fork)
    rss = None if args.no_rss else end_to_end.peak_rss()

    cases = suite(args.quick)
    methods = OPTKIT + SCIPY
    ftol = "their defaults" if args.ftol is None else f"{args.ftol:g}"
    print(f"{len(cases)} problems with known f*; gtol={GTOL:g}, maxiter={MAXITER}, at most "
          f"{harness.BUDGET} calls per run; derivatives from optkit AD for every method; optkit's "
          f"ftol: {ftol}")
    results = {m: {} for m in methods}
    for label, prob in cases:
        for m in methods:
            results[m][label] = run_one(m, prob, args.ftol if m in OPTKIT else None)
        if args.per_problem:
            row = "  ".join(f"{m}:{'ok' if results[m][label]['solved'] else '--'}"
                            f"{'!' if results[m][label]['false_success'] else ''}"
                            f"/{results[m][label]['evals']}" for m in methods)
            print(f"  {label:32s} {row}")

    print()
    print(f"{'method':14s} {'solved':>8s} {'evals total':>12s} {'evals median':>13s} "
          f"{'hessp total':>12s} {'time [s]':>9s} {'false success':>14s}")
    for m in methods:
        t = harness.totals(results[m].values())
        hessp = t["hessp"] if m in USES_HESSP else 0
        print(f"{m:14s} {t['solved']:>5d}/{t['runs']:<2d} {t['evals']:>12d} {t['median']:>13.1f} "
              f"{hessp:>12d} {t['time']:>9.2f} {t['false_success']:>14d}")

    line = harness.median_evals_line(results)
    if line is not None:
        print(f"\n{line}")
    hard = [k for k in results["newton-cg"]]
    ncg = sum(results["newton-cg"][k]["hessp"] for k in hard)
    tncg = sum(results["trust-ncg"][k]["hessp"] for k in hard)
    print(f"newton-cg / trust-ncg hessp totals: {ncg} / {tncg}")

    if rss is not None:
        ours, theirs = rss["optkit lbfgs"][0], rss["scipy L-BFGS-B"][0]
        print(f"\npeak RSS, extended Rosenbrock n=1e6 (fresh subprocesses): optkit lbfgs "
              f"{ours:.0f} MB, scipy L-BFGS-B {theirs:.0f} MB, ratio {ours / theirs:.2f}")
    if args.no_overhead:
        return
    per_iter = overhead_at_1e6()
    print(f"\nper-iteration overhead at n=1e6 (time outside f, g): lbfgs "
          f"{per_iter['lbfgs'] * 1e3:.1f} ms, L-BFGS-B {per_iter['L-BFGS-B'] * 1e3:.1f} ms, "
          f"ratio {per_iter['lbfgs'] / per_iter['L-BFGS-B']:.2f}")
    per_iter = structured_overhead()
    print(f"structured x0 at n=1e6 (optkit.minimize lbfgs, time outside f, g): dict of four "
          f"arrays {per_iter['dict'] * 1e3:.1f} ms, flat vector {per_iter['flat'] * 1e3:.1f} "
          f"ms, ratio {per_iter['dict'] / per_iter['flat']:.2f}")


if __name__ == "__main__":
    main()
