"""The call path between a caller and a compiled program, and what newton-cg pays for it.

Run: python bench/call_path.py [--repeats R] [--layers-only]. BLAS is pinned to one thread
before numpy loads.

1. Per call, on Rosenbrock at n = 10 and 1000 (``optkit.compile(f, blocked=False)``), the
   thread CPU time of each layer over numpy's f, innermost first: the bare programs
   (``cf.program(x, kind='value_and_grad')``; for the HVP, split in ``compiled.linearize``,
   its generated part on v alone given the residuals ("hvp apply"), the ``Linearized``
   called ("hvp bare": the check that x is its kept point by ``_Point.same``) and its
   ``product``, the float64 path ``cf.hvp`` takes (x's bytes against the kept bytes)),
   ``CompiledFunction.value_and_grad`` / ``.hvp``, ``optkit.value_and_grad(cf)(x)`` /
   ``optkit.hvp(cf, x, v)``, and the solver's own path: ``Objective.hessp`` over
   ``optkit.minimize``'s AD product. The last column is the call path's cost, the outermost
   public call minus the bare v+g program, or minus the HVP's part on v, in us.
2. newton-cg time to solution (``optkit.minimize(f, x0, 'newton-cg')``, default options,
   tracing and compiling included) on small problems of the library, with the counts and a
   digest of the solution (same digest, same iterates bit for bit).

Timings are best of R interleaved rounds (default 3). Measured on 2026-12-06 (issue 17's
call-path work, before -> after, machine shared): call path over the bare program, v+g
1.26 -> 0.80 us (n = 10) and 1.49 -> 0.83 us (n = 1000), HVP 0.93 -> 0.73 and 0.88 -> 0.61
us; newton-cg on the ten problems below 114 -> 103 ms in all (same digests and counts), the
rest mostly tracing and building the HVP program (beale, 17 products: two thirds of its
solve) and Steihaug's own numpy work per CG step (~7.5 us at n = 100, was ~10.5).
Then (the split HVP's float64 path, ``Linearized.product``: the kept point and residuals
read without a lock, x compared by its bytes): ``optkit.hvp(cf, x, v)`` over the product's
part on v, at n = 1000, 1.9 -> 1.2 us quiet (1.4 us with the test suite running), over
numpy's f 1.32x -> 1.09-1.15x quiet.
"""

import os

os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["OMP_NUM_THREADS"] = "1"
os.environ["MKL_NUM_THREADS"] = "1"

import argparse  # noqa: E402
import hashlib  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

import optkit  # noqa: E402
from optkit import problems  # noqa: E402
from optkit.ad import CompiledFunction  # noqa: E402
from optkit.minimize import ad_derivatives  # noqa: E402
from optkit.optim import Objective  # noqa: E402

PROBLEMS = ["rosenbrock", "beale", "wood", "biggs-exp6", "chained-rosenbrock",
            "extended-rosenbrock", "trigonometric", "logistic-regression", "quadratic-cond1e4",
            "dixon-price"]


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def per_call(fn, *args, inner, repeat=5):
    """Best thread CPU seconds per call of ``fn(*args)``."""
    fn(*args)
    best = np.inf
    for _ in range(repeat):
        t0 = time.thread_time()
        for _ in range(inner):
            fn(*args)
        best = min(best, (time.thread_time() - t0) / inner)
    return best


def layers(repeats):
    print("per call / numpy f, thread CPU (compile(blocked=False)); path = outermost - bare "
          "(v+g) or - apply (hvp), us")
    rng = np.random.default_rng(0)
    for n in (10, 1000):
        x, v = rng.uniform(-1, 1, n), rng.standard_normal(n)
        cf = CompiledFunction(rosenbrock)
        _, hessp = ad_derivatives(cf)
        objective = Objective(cf, None, hessp, fun_and_jac=ad_derivatives(cf)[0])
        vg = optkit.value_and_grad(cf)
        for _ in range(3):  # stage both programs, then replay them
            vg(x)
            optkit.hvp(cf, x, v)
        split = cf.program(x, v, kind="hvp")  # a Linearized at these sizes
        kept = split.prepare(x)  # the residuals at x, as the kept point has them
        calls = {
            "v+g bare": (cf.program(x, kind="value_and_grad"), (x,)),
            "cf.value_and_grad": (cf.value_and_grad, (x,)),
            "optkit.value_and_grad": (vg, (x,)),
            "hvp apply": (split.apply.fn, (x, v, *kept)),
            "hvp bare": (split, (x, v)),
            "hvp product": (split.product, (x, v)),
            "cf.hvp": (cf.hvp, (x, v)),
            "optkit.hvp": (optkit.hvp, (cf, x, v)),
            "Objective.hessp": (objective.hessp, (x, v)),
        }
        best = {}
        for _ in range(repeats):
            for key, (fn, args) in [("f", (rosenbrock, (x,))), *calls.items()]:
                t = per_call(fn, *args, inner=2000)
                best[key] = min(best.get(key, np.inf), t)
        f = best["f"]
        print(f"  rosenbrock n={n:<5d} f {f * 1e6:5.2f} us  " + "  ".join(
            f"{k} {best[k] / f:4.2f}x" for k in calls))
        print(f"  {'':22s}path: v+g {(best['optkit.value_and_grad'] - best['v+g bare']) * 1e6:4.2f}"
              f" us, hvp {(best['optkit.hvp'] - best['hvp apply']) * 1e6:4.2f} us, "
              f"solver's product {(best['Objective.hessp'] - best['hvp apply']) * 1e6:4.2f} us")


def time_to_solution(repeats):
    print("\nnewton-cg time to solution (optkit.minimize, defaults), thread CPU, best of "
          f"{repeats}")
    best, info = {}, {}
    for _ in range(repeats):
        for name in PROBLEMS:
            p = problems.get(name)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t0 = time.thread_time()
                res = optkit.minimize(p.objective, p.x0, "newton-cg")
                t = time.thread_time() - t0
            best[name] = min(best.get(name, np.inf), t)
            info[name] = (res.nfev, res.njev, res.nhev, res.nit,
                          hashlib.md5(np.asarray(res.x).tobytes()).hexdigest()[:8])
    for name in PROBLEMS:
        nfev, njev, nhev, nit, digest = info[name]
        print(f"  {name:22s} {best[name] * 1e3:7.2f} ms  nfev={nfev} njev={njev} nhev={nhev} "
              f"nit={nit} x digest {digest}")
    print(f"  total {sum(best.values()) * 1e3:.1f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="best of R interleaved rounds")
    parser.add_argument("--layers-only", action="store_true", help="part 1 alone")
    opts = parser.parse_args()
    layers(opts.repeats)
    if not opts.layers_only:
        time_to_solution(opts.repeats)


if __name__ == "__main__":
    main()
