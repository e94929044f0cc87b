"""What a derivative costs in each mode, measured: reverse for many inputs, forward for many
outputs, and forward-over-reverse for Hessian-vector products.

For f: R^n -> R^m, forward mode (a JVP) gives one column J v per pass, reverse mode (a VJP)
one row u^T J per pass. A dense Jacobian therefore costs n forward passes or m reverse
passes: a gradient (m = 1) is one reverse pass whatever n is, and a curve's tangent (n = 1,
many outputs) is one forward pass whatever m is. Each time below is divided by the time of
one plain numpy evaluation of the same function, measured in the same run (best of several
repeats; BLAS pinned to one thread).
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy loads

import time  # noqa: E402

import numpy as np  # noqa: E402

import optkit  # noqa: E402


def seconds(fn, budget=0.05, repeat=5):
    """Best time of one call: enough calls per repeat to fill ``budget`` seconds."""
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-7)
    number = max(1, int(budget / once))
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def scalar(x):  # R^n -> R
    return np.sum(np.sin(x) * x**2) + np.sum(x[1:] * x[:-1])


print("f: R^n -> R (a loss). Cost / cost of f:")
print(f"{'n':>6} {'gradient, reverse':>18} {'gradient, forward':>18} {'HVP (fwd-over-rev)':>19}")


def loss_row(n):
    x = np.linspace(-1.0, 1.0, n)
    v = np.ones(n)
    t_f = seconds(lambda: scalar(x))
    t_rev = seconds(lambda: optkit.grad(scalar)(x))
    t_fwd = seconds(lambda: optkit.jacfwd(scalar)(x), repeat=3)   # n JVPs
    t_hvp = seconds(lambda: optkit.hvp(scalar, x, v))
    print(f"{n:>6} {t_rev / t_f:>17.0f}x {t_fwd / t_f:>17.0f}x {t_hvp / t_f:>18.0f}x")


for n in (10, 100, 1000):
    loss_row(n)

print("\ng: R^2 -> R^m (a curve). Cost of the m x 2 Jacobian / cost of g:")
print(f"{'m':>6} {'jacfwd (2 JVPs)':>18} {'jacrev (m VJPs)':>18} {'jacobian picks':>19}")


def curve_row(m):
    T = np.linspace(0.0, 5.0, m)

    def curve(x):  # R^2 -> R^m: m points of a damped oscillation
        return np.cos(x[0] * T) * np.exp(-x[1] * T)

    x = np.array([2.0, 0.3])
    t_g = seconds(lambda: curve(x))
    t_fwd = seconds(lambda: optkit.jacfwd(curve)(x))
    t_rev = seconds(lambda: optkit.jacrev(curve)(x), repeat=3)
    t_auto = seconds(lambda: optkit.jacobian(curve)(x))
    print(f"{m:>6} {t_fwd / t_g:>17.0f}x {t_rev / t_g:>17.0f}x {t_auto / t_g:>18.0f}x")


for m in (10, 100, 1000):
    curve_row(m)
