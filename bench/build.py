"""Build time of compiled programs: what every solve pays once per program (issue 17, goal 1).

Each case builds from scratch, as a new solve does (a new ``optkit.compile`` of f, or a new
``CompiledFunction`` of a least-squares J): staging, the check's recordings, the
optimisation passes and code generation. Thread CPU time, best of ``--repeat`` rounds with
the cases interleaved. Two columns: ``cold`` with the kept code objects cleared before
each build (a process's first build of that program), ``warm`` with them kept (a later solve
of the same f; ``codegen`` keeps code objects by source text).

Cases: chained Rosenbrock value+gradient and HVP at n = 10 and 1000 (``bench/ad.py``'s
"build v+g" / "build hvp"), the logistic regression 20000 x 200 HVP (newton-cg's program in
``bench/end_to_end.py``), the unrolled forward Jacobians of MGH osborne2 and meyer
(``optkit.least_squares``'s compiled J), and the trust-krylov SciPy adapter stopped before
its first iteration at n = 1000 (``bench/scipy_adapters.py --setup``), next to the same
setup with eager AD.

Run: python bench/build.py [--repeat K]. BLAS is pinned to one thread before numpy loads.
"""

import os

os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["OMP_NUM_THREADS"] = "1"
os.environ["MKL_NUM_THREADS"] = "1"

import argparse  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

import optkit  # noqa: E402
import optkit.scipy  # noqa: E402
from optkit import problems, residual_ad  # noqa: E402
from optkit.ad.compiled import codegen  # noqa: E402
from optkit.ad.compiled.function import CompiledFunction  # noqa: E402


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def ext_rosenbrock(x):
    a, b = x[0::2], x[1::2]
    t = b - a * a
    s = 1.0 - a
    return np.sum(100.0 * t * t + s * s)


def logistic(m=20_000, d=200, lam=1e-2, seed=0):
    """bench/end_to_end.py's logistic row."""
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((m, d)) / np.sqrt(d)
    y = np.where(A @ rng.standard_normal(d) + 0.5 * rng.standard_normal(m) > 0, 1.0, -1.0)

    def f(w):
        z = y * (A @ w)
        return np.mean(np.logaddexp(0.0, -z)) + 0.5 * lam * np.dot(w, w)

    return f


def value_and_grad_build(f, n):
    x = np.linspace(-1.0, 1.0, n)
    return lambda: optkit.value_and_grad(optkit.compile(f, blocked=False))(x)


def hvp_build(f, n):
    x = np.linspace(-1.0, 1.0, n)
    v = np.cos(np.arange(n))
    return lambda: optkit.hvp(optkit.compile(f, blocked=False), x, v)


def jacobian_build(name):
    """As residual_ad compiles the unrolled forward J (checked by recordings of r)."""
    p = problems.get(name)
    x = np.asarray(p.x0, dtype=float)

    def build():
        program = CompiledFunction(residual_ad._forward_jacobian(p.residuals))
        program.derived_from = p.residuals
        return program(x)
    return build


def adapter_setup(compile_ad):
    x0 = np.empty(1000)
    x0[0::2], x0[1::2] = -1.2, 1.0
    return lambda: optkit.scipy.minimize(ext_rosenbrock, x0, method="trust-krylov",
                                         options={"maxiter": 0}, compile=compile_ad)


def cases():
    f_logistic = logistic()
    return {
        "rosenbrock n=10 v+g": value_and_grad_build(rosenbrock, 10),
        "rosenbrock n=1000 v+g": value_and_grad_build(rosenbrock, 1000),
        "rosenbrock n=10 hvp": hvp_build(rosenbrock, 10),
        "rosenbrock n=1000 hvp": hvp_build(rosenbrock, 1000),
        "logistic 20000x200 hvp": hvp_build(f_logistic, 200),
        "osborne2 J (unrolled)": jacobian_build("osborne2"),
        "meyer J (unrolled)": jacobian_build("meyer"),
        "trust-krylov setup n=1e3": adapter_setup(True),
        "  the same, eager AD": adapter_setup(False),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    opts = parser.parse_args()
    warnings.simplefilter("ignore", optkit.CompileWarning)
    runs = cases()
    for build in runs.values():
        build()  # imports and first-use costs out of the way
    best = {}
    for _ in range(opts.repeat):
        for name, build in runs.items():
            codegen.clear_codes()
            for cold in (True, False):  # the warm build finds the cold one's code objects
                t0 = time.thread_time()
                build()
                t = time.thread_time() - t0
                best[name, cold] = min(best.get((name, cold), np.inf), t)
    print(f"{'build [ms], thread CPU':<26} {'cold':>8} {'warm':>8}")
    for name in runs:
        print(f"{name:<26} {1e3 * best[name, True]:8.2f} {1e3 * best[name, False]:8.2f}")


if __name__ == "__main__":
    main()
