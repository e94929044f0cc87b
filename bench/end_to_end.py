"""Time to solution, as a new user meets it: optkit against SciPy with hand-written derivatives.

Run: python bench/end_to_end.py [--quick] [--repeats R] [--saddle-check K] (optkit newton-cg's
``saddle_check``; 0 turns its check off). BLAS is pinned to one thread before numpy loads.
Every method solves each problem to ||grad f||_inf <= 1e-5 from the same start:

- ``optkit lbfgs`` and ``optkit newton-cg``: ``optkit.minimize(f, x0, method, gtol=1e-5)``
  with nothing but f, so every run pays what a first call pays (tracing, compiling the
  value+gradient and HVP programs, the final saddle check);
- ``scipy L-BFGS-B`` and ``scipy Newton-CG``: ``scipy.optimize.minimize`` with the
  hand-written gradient (and Hessian-vector product). L-BFGS-B stops on its own gradient test
  (``gtol=1e-5``, ``ftol=0``); Newton-CG has no gradient test (it stops on the step size), so a
  callback stops it at the first iterate whose gradient, as last computed by ``jac``, passes
  the same test.

Times are the best of R (default 3) runs, the methods interleaved within each repeat, and are
printed as ratios against ``scipy L-BFGS-B`` measured in the same run, with the final
||g||_inf, the evaluations of f and the Hessian-vector products. The first ratio row is wall
time (what a user waits); the "cpu" row is this thread's CPU time (``time.thread_time``),
which other processes on a busy machine inflate far less (everything runs on this one thread:
BLAS is pinned to one). The problems are the rows of
issue 17: the chained Rosenbrock function (``scipy.optimize.rosen``) at n = 1e3, the extended
Rosenbrock function (independent pairs; More, Garbow & Hillstrom 1981, problem 21) at n = 1e4
and 1e6, and L2-regularized logistic regression on 20000 x 200 random data.

Under the logistic row, a hand-written reference for issue 17's newton-cg target: optkit
newton-cg's own counts of value+gradients and Hessian-vector products, written by hand and run
with no solver around them (``evaluation_floor``), as a ratio to L-BFGS-B's time (thread CPU).
Two versions, the faster counts: the plain one (two passes over the 32 MB design matrix per
evaluation: ``A w`` then ``A^T r``) and a blockwise one (``BLOCK_ROWS`` rows of A at a time,
both products on the block while it is in cache: about one pass per evaluation, the trick of
optkit's blocked replay). It is the numpy work of a Newton-CG run with these counts, not a
proven lower bound (a finer-tuned block size or a fused kernel can go below it); newton-cg's
own time is printed as a multiple of it.

The last line is issue 17's memory goal: the peak resident set size (``ru_maxrss``) of an
``optkit.minimize`` lbfgs solve of the extended Rosenbrock function at n = 1e6 against
``scipy L-BFGS-B`` with the hand-written gradient, each in a fresh subprocess that imports the
same modules, started before the timings (``--peak-rss-of METHOD`` runs one; ``--no-rss``
skips them). ``bench/solvers.py`` prints the same measurement (the issue asks for it there).
"""

import os

os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["OMP_NUM_THREADS"] = "1"
os.environ["MKL_NUM_THREADS"] = "1"

import argparse  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import scipy.optimize  # noqa: E402

import optkit  # noqa: E402

GTOL = 1e-5
BLOCK_ROWS = 512  # rows of A per block in the blockwise reference (512 x 200 doubles: 800 KB)
METHODS = ["scipy L-BFGS-B", "optkit lbfgs", "scipy Newton-CG", "optkit newton-cg"]


# ---- problems: f, its gradient and Hessian-vector product, by hand --------------------------
def chained_rosenbrock():
    def f(x):
        return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)

    def g(x):
        out = np.zeros_like(x)
        d = x[1:] - x[:-1] ** 2
        out[:-1] = -400.0 * x[:-1] * d - 2.0 * (1.0 - x[:-1])
        out[1:] += 200.0 * d
        return out

    def hvp(x, v):
        out = np.zeros_like(x)
        out[:-1] = (1200.0 * x[:-1] ** 2 - 400.0 * x[1:] + 2.0) * v[:-1] - 400.0 * x[:-1] * v[1:]
        out[1:] += -400.0 * x[:-1] * v[:-1] + 200.0 * v[1:]
        return out

    return f, g, hvp


def extended_rosenbrock():
    def f(x):
        odd, even = x[0::2], x[1::2]
        return np.sum(100.0 * (even - odd ** 2) ** 2 + (1.0 - odd) ** 2)

    def g(x):
        odd, even = x[0::2], x[1::2]
        d = even - odd ** 2
        out = np.empty_like(x)
        out[0::2] = -400.0 * odd * d - 2.0 * (1.0 - odd)
        out[1::2] = 200.0 * d
        return out

    def hvp(x, v):
        odd, even = x[0::2], x[1::2]
        vo, ve = v[0::2], v[1::2]
        out = np.empty_like(x)
        out[0::2] = (1200.0 * odd ** 2 - 400.0 * even + 2.0) * vo - 400.0 * odd * ve
        out[1::2] = -400.0 * odd * vo + 200.0 * ve
        return out

    return f, g, hvp


def _logistic_data(m, d, seed):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((m, d)) / np.sqrt(d)
    y = np.where(A @ rng.standard_normal(d) + 0.5 * rng.standard_normal(m) > 0, 1.0, -1.0)
    return A, y


def logistic(m=20_000, d=200, lam=1e-2, seed=0):
    """Mean logistic loss plus (lam/2)||w||^2 on standard normal features scaled by 1/sqrt(d)."""
    A, y = _logistic_data(m, d, seed)

    def f(w):
        z = y * (A @ w)
        return np.mean(np.logaddexp(0.0, -z)) + 0.5 * lam * np.dot(w, w)

    def g(w):
        z = y * (A @ w)
        return A.T @ (-y / (1.0 + np.exp(z))) / m + lam * w

    def hvp(w, v):
        p = 1.0 / (1.0 + np.exp(-y * (A @ w)))
        return A.T @ (p * (1.0 - p) * (A @ v)) / m + lam * v

    return f, g, hvp


def logistic_linearized(m=20_000, d=200, lam=1e-2, seed=0, block_rows=None):
    """``at(w) -> (f, g, hvp)`` for the logistic row, by hand: f and g share z = y * (A w),
    and the products at w reuse its curvature weights. ``block_rows=None``: whole-matrix
    products, two passes over A per evaluation (A w and A^T r; A v and A^T u); else A is
    taken ``block_rows`` rows at a time and both products run on a block while it is in
    cache (about one pass over A per evaluation; g and H v summed block by block)."""
    A, y = _logistic_data(m, d, seed)
    rows = m if block_rows is None else block_rows
    blocks = [(A[lo:lo + rows], y[lo:lo + rows]) for lo in range(0, m, rows)]

    def at(w):
        loss, g, weights = 0.0, lam * w, []
        for Ab, yb in blocks:
            z = yb * (Ab @ w)
            e = np.exp(z)
            loss += np.sum(np.logaddexp(0.0, -z))
            g = g + Ab.T @ (-yb / (1.0 + e)) / m
            weights.append(e / (1.0 + e) ** 2)
        f = loss / m + 0.5 * lam * np.dot(w, w)

        def hvp(v):
            out = lam * v
            for (Ab, _), wb in zip(blocks, weights, strict=True):
                out = out + Ab.T @ (wb * (Ab @ v)) / m
            return out

        return f, g, hvp

    return at


def evaluation_floor(at, d, nfev, nhev, repeats=5):
    """Thread CPU seconds (best of ``repeats``) of ``nfev`` hand-written value+gradients and
    ``nhev`` Hessian-vector products spread over those points, with no solver around them: the
    numpy work of a Newton-CG run with these counts."""
    rng = np.random.default_rng(0)
    points = [0.1 * rng.standard_normal(d) for _ in range(nfev)]
    best = np.inf
    for _ in range(repeats):
        c0 = time.thread_time()
        left = nhev
        for k, w in enumerate(points):
            _, g, hvp = at(w)
            for _ in range(-(-left // (nfev - k)) if k < nfev - 1 else left):  # spread evenly
                g = hvp(g)
                left -= 1
        best = min(best, time.thread_time() - c0)
    return best


def rosenbrock_start(n):
    return np.tile([-1.2, 1.0], n // 2)


def cases(quick):
    """[(label, (f, g, hvp), x0)]: the rows of issue 17's first table."""
    rows = [
        ("chained Rosenbrock n=1e3", chained_rosenbrock(), rosenbrock_start(1000)),
        ("extended Rosenbrock n=1e4", extended_rosenbrock(), rosenbrock_start(10_000)),
    ]
    if not quick:
        rows.append(("extended Rosenbrock n=1e6", extended_rosenbrock(),
                     rosenbrock_start(1_000_000)))
    rows.append(("logistic 20000x200", logistic(), np.zeros(200)))
    return rows


# ---- one solve per method -------------------------------------------------------------------
class Counted:
    """f, g and hvp with call counts; ``g`` remembers the last point and ||g||_inf there."""

    def __init__(self, problem):
        self.f_, self.g_, self.hvp_ = problem
        self.nf = self.ng = self.nh = 0
        self.last_x, self.last_gnorm = None, np.inf

    def f(self, x):
        self.nf += 1
        return self.f_(x)

    def g(self, x):
        self.ng += 1
        out = self.g_(x)
        self.last_x, self.last_gnorm = x.copy(), np.max(np.abs(out))
        return out

    def hvp(self, x, v):
        self.nh += 1
        return self.hvp_(x, v)

    def newton_cg_stop(self, intermediate_result):
        """SciPy's callback: stop at the first iterate that passes the gradient test."""
        x = intermediate_result.x
        if self.last_x is None or not np.array_equal(x, self.last_x):
            self.g(x)
        return self.last_gnorm <= GTOL


SOLVER_OPTIONS = {"optkit lbfgs": {}, "optkit newton-cg": {}}  # --saddle-check sets one


def solve(method, problem, x0):
    """(wall seconds, ||g||_inf at the result, evaluations of f, HVPs, CPU seconds) of one solve.

    optkit evaluates f and its gradient together (one reverse pass); SciPy's methods call f
    and the gradient apart and almost always at the same points, so nfev compares them."""
    c = Counted(problem)
    t0, c0 = time.perf_counter(), time.thread_time()
    if method == "scipy L-BFGS-B":
        res = scipy.optimize.minimize(c.f, x0, jac=c.g, method="L-BFGS-B",
                                      options={"gtol": GTOL, "ftol": 0.0, "maxiter": 100_000})
    elif method == "scipy Newton-CG":
        res = scipy.optimize.minimize(c.f, x0, jac=c.g, hessp=c.hvp, method="Newton-CG",
                                      callback=c.newton_cg_stop,
                                      options={"xtol": 1e-14, "maxiter": 100_000})
    else:
        res = optkit.minimize(c.f_, x0, method.split()[1], gtol=GTOL, maxiter=100_000,
                              **SOLVER_OPTIONS[method])
        c.nf, c.ng, c.nh = res.nfev, res.njev, res.nhev
    seconds, cpu = time.perf_counter() - t0, time.thread_time() - c0
    gnorm = np.max(np.abs(problem[1](res.x)))
    return seconds, gnorm, c.nf, c.nh, cpu


def peak_rss_of(method, n=1_000_000):
    """Solve extended Rosenbrock at n with ``method``; print the process's peak RSS in MB."""
    problem = extended_rosenbrock()
    seconds, gnorm, *_ = solve(method, problem, rosenbrock_start(n))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    print(f"{peak:.0f} {gnorm:.1e} {seconds:.2f}")


def peak_rss():
    """{method: (peak RSS in MB, ||g||_inf, seconds)}, each solve in a fresh subprocess."""
    out = {}
    for method in ("scipy L-BFGS-B", "optkit lbfgs"):
        line = subprocess.run([sys.executable, __file__, "--peak-rss-of", method], check=True,
                              capture_output=True, text=True).stdout.split()
        out[method] = (float(line[0]), float(line[1]), float(line[2]))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="leave out n = 1e6")
    parser.add_argument("--repeats", type=int, default=3, help="best of R interleaved runs")
    parser.add_argument("--no-rss", action="store_true", help="skip the peak-RSS subprocesses")
    parser.add_argument("--saddle-check", type=int, default=None, metavar="K",
                        help="optkit newton-cg's saddle_check (0: off; default: its own)")
    parser.add_argument("--peak-rss-of", choices=["scipy L-BFGS-B", "optkit lbfgs"],
                        help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.saddle_check is not None:
        SOLVER_OPTIONS["optkit newton-cg"]["saddle_check"] = opts.saddle_check
    if opts.peak_rss_of:
        peak_rss_of(opts.peak_rss_of)
        return
    # first, while this process is small: Linux keeps a process's peak RSS across fork and
    # exec, so a child started after the n = 1e6 timings would report this process's peak
    rss = None if opts.no_rss else peak_rss()
    print(f"time to ||g||_inf <= {GTOL:g}, best of {opts.repeats}, as a ratio to scipy L-BFGS-B "
          "with a hand-written gradient (same run)")
    print(f"{'problem':28s}" + "".join(f"{m:>20s}" for m in METHODS))
    for label, problem, x0 in cases(opts.quick):
        best, cpu, info = {}, {}, {}
        for _ in range(opts.repeats):
            for method in METHODS:
                seconds, gnorm, evals, nh, cpu_seconds = solve(method, problem, x0)
                cpu[method] = min(cpu.get(method, np.inf), cpu_seconds)
                if seconds < best.get(method, np.inf):
                    best[method], info[method] = seconds, (gnorm, evals, nh)
        base, cpu_base = best["scipy L-BFGS-B"], cpu["scipy L-BFGS-B"]
        print(f"{label:28s}" + "".join(
            f"{best[m] / base:19.2f}x" for m in METHODS) + f"   (L-BFGS-B {base * 1e3:.1f} ms)")
        print(f"{'  cpu':28s}" + "".join(
            f"{cpu[m] / cpu_base:19.2f}x" for m in METHODS)
            + f"   (L-BFGS-B {cpu_base * 1e3:.1f} ms)")
        print(f"{'  ||g||_inf, nfev, nhev':28s}" + "".join(
            f"{info[m][0]:>9.1e} {info[m][1]:>5d} {info[m][2]:>4d}" for m in METHODS))
        if label.startswith("logistic"):
            _, nfev, nhev = info["optkit newton-cg"]
            floors = {name: evaluation_floor(logistic_linearized(block_rows=rows), x0.size,
                                             nfev, nhev)
                      for name, rows in (("plain", None), ("blockwise", BLOCK_ROWS))}
            name = min(floors, key=floors.get)
            floor = floors[name]
            print(f"  reference: optkit newton-cg's {nfev} value+gradients and {nhev} HVPs by "
                  f"hand, no solver (plain {floors['plain'] * 1e3:.1f} ms, blockwise "
                  f"{floors['blockwise'] * 1e3:.1f} ms): {floor / cpu_base:.2f}x L-BFGS-B (cpu);"
                  f" optkit newton-cg {cpu['optkit newton-cg'] / floor:.2f}x the {name} one")
    if rss is None:
        return
    ours, theirs = rss["optkit lbfgs"][0], rss["scipy L-BFGS-B"][0]
    print(f"\npeak RSS, extended Rosenbrock n=1e6 (fresh subprocesses): optkit lbfgs {ours:.0f} MB,"
          f" scipy L-BFGS-B {theirs:.0f} MB, ratio {ours / theirs:.2f}")


if __name__ == "__main__":
    main()
