"""SciPy adapters: ``scipy.optimize.minimize`` end to end, hand-written derivatives vs AD.

For each row, the same SciPy method runs from the same x0 twice in this process: once with
hand-written numpy derivatives (value and gradient fused, ``jac=True``; ``hessp`` by hand),
once through ``optkit.scipy.minimize`` (derivatives from optkit's AD, compiled by default).
Times are CPU seconds of this process (``time.process_time``; BLAS runs on one thread, so on
an idle machine that is the wall time), the best of ``--repeat`` interleaved runs: on a shared
machine wall time measures the other users' load. The ratio is adapter time / hand-written
time; the adapter's time includes tracing and compiling the objective (once per call). Both
runs must reach the same minimum, or the row is flagged.

``--setup`` adds the part of the adapter's time spent before SciPy's first iteration (tracing
and compiling at x0, and the up-front check): each solve again with ``maxiter=0``, adapter
minus hand-written, best of the same rounds.

Run: python bench/scipy_adapters.py [--repeat K] [--quick] [--no-compile] [--setup]
BLAS is pinned to one thread before numpy loads.
"""

import os

os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["OMP_NUM_THREADS"] = "1"
os.environ["MKL_NUM_THREADS"] = "1"

import argparse  # noqa: E402
import functools  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import scipy.optimize  # noqa: E402

import optkit.scipy  # noqa: E402

TARGETS = {"L-BFGS-B": 1.5, "Newton-CG": 2.0, "trust-krylov": 2.0}


# ---- extended Rosenbrock (More, Garbow & Hillstrom 1981, problem 21) -------------------------
def ext_rosenbrock(x):
    a, b = x[0::2], x[1::2]
    t = b - a * a
    s = 1.0 - a
    return np.sum(100.0 * t * t + s * s)


def ext_rosenbrock_fg(x):
    a, b = x[0::2], x[1::2]
    t = b - a * a
    s = 1.0 - a
    g = np.empty_like(x)
    g[0::2] = -400.0 * a * t - 2.0 * s
    g[1::2] = 200.0 * t
    return np.sum(100.0 * t * t + s * s), g


def ext_rosenbrock_hessp(x, p):
    a, b = x[0::2], x[1::2]
    pa, pb = p[0::2], p[1::2]
    hp = np.empty_like(x)
    hp[0::2] = (1200.0 * a * a - 400.0 * b + 2.0) * pa - 400.0 * a * pb
    hp[1::2] = -400.0 * a * pa + 200.0 * pb
    return hp


def ext_rosenbrock_x0(n):
    x0 = np.empty(n)
    x0[0::2], x0[1::2] = -1.2, 1.0
    return x0


# ---- logistic regression, seeded data ----------------------------------------------------------
def make_logistic(m, n, lam=1e-3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, n))
    w_true = rng.standard_normal(n) / np.sqrt(n)
    y = np.where(0.5 * rng.standard_normal(m) + X @ w_true > 0, 1.0, -1.0)

    def f(w):
        z = -y * (X @ w)
        return np.sum(np.logaddexp(0.0, z)) / m + 0.5 * lam * np.sum(w * w)

    def fg(w):
        z = -y * (X @ w)
        sig = 0.5 * (1.0 + np.tanh(0.5 * z))  # logistic(z), overflow-free
        value = np.sum(np.logaddexp(0.0, z)) / m + 0.5 * lam * (w @ w)
        return value, X.T @ (-y * sig) / m + lam * w

    return f, fg, np.zeros(n)


def cases(quick):
    sizes = (1000,) if quick else (1000, 100_000)
    for method in ("L-BFGS-B", "Newton-CG", "trust-krylov"):
        for n in sizes:
            hand = {"jac": True}
            if method != "L-BFGS-B":
                hand["hessp"] = ext_rosenbrock_hessp
            yield (method, f"ext. Rosenbrock n={n:.0e}", ext_rosenbrock, ext_rosenbrock_fg,
                   hand, ext_rosenbrock_x0(n))
    f, fg, w0 = make_logistic(2000, 500)
    yield "L-BFGS-B", "logistic 2000x500", f, fg, {"jac": True}, w0


def best_times(runs, repeat):
    """Best wall time of each run over ``repeat`` interleaved rounds (shared-machine noise hits
    both alike), and each run's last result. Quick runs get more rounds."""
    best, results = [np.inf] * len(runs), [None] * len(runs)
    rounds = 0
    while rounds < repeat or (rounds < 10 * repeat and max(best) < 0.05):
        for k, run in enumerate(runs):
            t0 = time.process_time()
            results[k] = run()
            best[k] = min(best[k], time.process_time() - t0)
        rounds += 1
    return best, results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="n = 1e3 only")
    parser.add_argument("--no-compile", action="store_true", help="eager AD in the adapter")
    parser.add_argument("--setup", action="store_true",
                        help="also the adapter's time before SciPy's first iteration")
    opts = parser.parse_args()
    compile_ad = not opts.no_compile

    header = (f"{'solver':<13} {'case':<24} {'hand [s]':>9} {'adapter [s]':>11} {'ratio':>6} "
              f"{'target':>6}  {'nit h/a':>9}  ok" + ("   setup [s]" if opts.setup else ""))
    print(header)
    print("-" * len(header))
    for method, case, f, fg, hand, x0 in cases(opts.quick):
        options = {"maxiter": 10_000}
        (t_hand, t_ad), (r_hand, r_ad) = best_times([
            functools.partial(scipy.optimize.minimize, fg, x0, method=method,
                              options=options, **hand),
            functools.partial(optkit.scipy.minimize, f, x0, method=method, options=options,
                              compile=compile_ad),
        ], opts.repeat)
        ratio = t_ad / t_hand
        target = TARGETS[method]
        same = np.isclose(r_hand.fun, r_ad.fun, rtol=1e-6, atol=1e-8)
        flag = ("yes" if ratio <= target else "SLOW") + ("" if same else " DIFFERENT-MINIMUM")
        setup = ""
        if opts.setup:  # the same calls stopped before the first iteration
            stop = {"maxiter": 0}
            (s_hand, s_ad), _ = best_times([
                functools.partial(scipy.optimize.minimize, fg, x0, method=method,
                                  options=stop, **hand),
                functools.partial(optkit.scipy.minimize, f, x0, method=method, options=stop,
                                  compile=compile_ad),
            ], opts.repeat)
            setup = f"   {s_ad - s_hand:9.4f}"
        print(f"{method:<13} {case:<24} {t_hand:9.4f} {t_ad:11.4f} {ratio:6.2f} "
              f"{target:6.1f}  {r_hand.nit:>4}/{r_ad.nit:<4}  {flag}{setup}")


if __name__ == "__main__":
    main()
