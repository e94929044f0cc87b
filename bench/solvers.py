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
concatenating the gradient).
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

import optkit  # noqa: E402
from optkit import problems  # noqa: E402
from optkit.optim import solve  # noqa: E402

GTOL = 1e-5
MAXITER = 10_000
BUDGET = 50_000  # calls of f, gradient and hessp together; a run that exceeds it is unsolved

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


class BudgetExhausted(Exception):
    """More than BUDGET calls: the run is stopped and counts as unsolved."""


class Counted:
    """f, grad f and Hessian-vector products of one problem, each call counted."""

    def __init__(self, prob):
        self.objective = prob.objective
        # derivatives from the compiled trace (falls back to eager AD when the trace depends
        # on values); f itself is the plain numpy objective
        self.compiled = optkit.ad.compile(prob.objective)
        self.value_and_grad = optkit.value_and_grad(self.compiled)
        self.nf = self.ng = self.nh = 0

    def _spend(self):
        if self.nf + self.ng + self.nh > BUDGET:
            raise BudgetExhausted

    def fun(self, x):
        self.nf += 1
        self._spend()
        return float(self.objective(x))

    def jac(self, x):
        self.ng += 1
        self._spend()
        return self.value_and_grad(x)[1]

    def hessp(self, x, p):
        self.nh += 1
        self._spend()
        return optkit.hvp(self.compiled, x, p)


def run_one(method, prob, ftol=None):
    x0 = np.array(prob.x0)
    extra = {} if ftol is None else {"ftol": ftol}
    start = time.perf_counter()
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        c = Counted(prob)
        try:
            if method in OPTKIT:
                res = solve(c.fun, x0, method, jac=c.jac, hessp=c.hessp, gtol=GTOL,
                            maxiter=MAXITER, **extra)
            else:
                options = {"maxiter": MAXITER}
                if method != "Newton-CG":  # scipy's Newton-CG has no gtol (it uses xtol)
                    options["gtol"] = GTOL
                if method == "L-BFGS-B":
                    options["maxfun"] = 10 * MAXITER
                hessp = c.hessp if method in USES_HESSP else None
                res = scipy.optimize.minimize(c.fun, x0, method=method, jac=c.jac, hessp=hessp,
                                              options=options)
            f = float(c.objective(res.x))
            success = bool(res.success)
        except BudgetExhausted:
            f, success = float("nan"), False
        except Exception as exc:  # a crash counts as unsolved, and is reported
            f, success = float("nan"), False
            print(f"    {method} crashed on {prob.name}: {type(exc).__name__}: {exc}")
    elapsed = time.perf_counter() - start
    gnorm = float("nan")
    if success:  # the gradient at the returned point, outside the counts and the timing
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            gnorm = float(np.max(np.abs(c.value_and_grad(np.asarray(res.x, dtype=float))[1])))
    return {"solved": prob.is_solved(f), "evals": c.nf + c.ng, "hessp": c.nh, "time": elapsed,
            "f": f, "success": success, "false_success": success and not gnorm <= GTOL,
            "gnorm": gnorm}


def overhead_at_1e6():
    """Per-iteration time outside f and g, lbfgs / L-BFGS-B, n = 1e6 diagonal quadratic."""
    n = 10**6
    d = np.linspace(1.0, 100.0, n)
    spent = [0.0]

    def fg(x):
        t = time.perf_counter()
        g = d * x
        f = 0.5 * float(x @ g)
        spent[0] += time.perf_counter() - t
        return f, g

    x0 = np.ones(n)
    iters = 40
    per_iter = {}
    for name in ("L-BFGS-B", "lbfgs", "L-BFGS-B", "lbfgs"):  # two rounds; keep the best
        spent[0] = 0.0
        start = time.perf_counter()
        if name == "lbfgs":
            res = solve(None, x0, "lbfgs", fun_and_jac=fg, gtol=0.0, ftol=0.0, maxiter=iters)
        else:
            res = scipy.optimize.minimize(fg, x0, jac=True, method="L-BFGS-B",
                                          options={"maxiter": iters, "gtol": 0.0, "ftol": 0.0})
        total = time.perf_counter() - start
        value = (total - spent[0]) / res.nit
        per_iter[name] = min(per_iter.get(name, float("inf")), value)
    return per_iter


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
    spent = [0.0]

    def fg_flat(x):
        t = time.thread_time()
        g = d_flat * x
        f = 0.5 * float(x @ g)
        spent[0] += time.thread_time() - t
        return f, g

    def fg_tree(p):
        t = time.thread_time()
        g = {name: d_tree[name] * p[name] for name in shapes}
        f = 0.5 * sum(float(np.vdot(p[name], g[name])) for name in shapes)
        spent[0] += time.thread_time() - t
        return f, g

    x0_tree = {name: np.ones(shape) for name, shape in shapes.items()}
    x0_flat = np.ones(d_flat.size)
    per_iter = {}
    for name in ("flat", "dict") * 3:  # three rounds; keep the best
        fun, x0 = (fg_flat, x0_flat) if name == "flat" else (fg_tree, x0_tree)
        spent[0] = 0.0
        start = time.thread_time()
        res = optkit.minimize(fun, x0, "lbfgs", jac=True, gtol=0.0, ftol=0.0, maxiter=iters)
        total = time.thread_time() - start
        per_iter[name] = min(per_iter.get(name, float("inf")), (total - spent[0]) / res.nit)
    return per_iter


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="default dimensions only")
    parser.add_argument("--per-problem", action="store_true", help="print every run")
    parser.add_argument("--ftol", type=float, default=None,
                        help="an explicit ftol for optkit's methods (default: their own)")
    parser.add_argument("--no-overhead", action="store_true",
                        help="skip the per-iteration overhead measure at n = 1e6")
    args = parser.parse_args()

    cases = suite(args.quick)
    methods = OPTKIT + SCIPY
    ftol = "their defaults" if args.ftol is None else f"{args.ftol:g}"
    print(f"{len(cases)} problems with known f*; gtol={GTOL:g}, maxiter={MAXITER}, at most "
          f"{BUDGET} calls per run; derivatives from optkit AD for every method; optkit's "
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
        rs = list(results[m].values())
        evals = [r["evals"] for r in rs]
        hessp = sum(r["hessp"] for r in rs) if m in USES_HESSP else 0
        print(f"{m:14s} {sum(r['solved'] for r in rs):>5d}/{len(rs):<2d} {sum(evals):>12d} "
              f"{statistics.median(evals):>13.1f} {hessp:>12d} "
              f"{sum(r['time'] for r in rs):>9.2f} "
              f"{sum(r['false_success'] for r in rs):>14d}")

    both = [k for k in results["lbfgs"]
            if results["lbfgs"][k]["solved"] and results["L-BFGS-B"][k]["solved"]]
    if both:
        ours = statistics.median(results["lbfgs"][k]["evals"] for k in both)
        theirs = statistics.median(results["L-BFGS-B"][k]["evals"] for k in both)
        print(f"\nlbfgs / L-BFGS-B median evals on the {len(both)} problems both solve: "
              f"{ours:.1f} / {theirs:.1f} = {ours / theirs:.2f}")
    hard = [k for k in results["newton-cg"]]
    ncg = sum(results["newton-cg"][k]["hessp"] for k in hard)
    tncg = sum(results["trust-ncg"][k]["hessp"] for k in hard)
    print(f"newton-cg / trust-ncg hessp totals: {ncg} / {tncg}")

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
