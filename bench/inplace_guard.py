"""Cost of eager AD's in-place guard (``optkit.ad.captured``): eager derivatives per call with
the guard on, and with it switched off in the same process (the traces take no ``Captured``
and the entry points hold nothing), thread CPU time, best of ``--rounds`` interleaved (off
first in even rounds, on first in odd ones).

Run: python bench/inplace_guard.py [--rounds K]. BLAS is pinned to one thread before numpy
loads. Every derivative is compared bit for bit, guard on against off, before timing.
"""

import os

os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["OMP_NUM_THREADS"] = "1"
os.environ["MKL_NUM_THREADS"] = "1"

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import ad as cases  # noqa: E402  (bench/ad.py: the same test functions)

import optkit  # noqa: E402
from optkit.ad import directional, forward, gradients, jacobians, reverse  # noqa: E402


class _NoGuard:
    __slots__ = ("snapshots",)

    def __enter__(self):
        self.snapshots = ()
        return self

    def __exit__(self, *exc):
        return False


_ON = {m: (m.active if hasattr(m, "active") else None, getattr(m, "holding", None))
       for m in (reverse, forward, gradients, directional, jacobians)}


def guard(on):
    for m, (active, holding) in _ON.items():
        if active is not None:
            m.active = active if on else (lambda: None)
        if holding is not None:
            m.holding = holding if on else _NoGuard


def per_call(fn, args, min_time):
    fn(*args)
    n, t0 = 0, time.thread_time()
    while True:
        fn(*args)
        n += 1
        t = time.thread_time() - t0
        if t >= min_time:
            return t / n


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    rounds = parser.parse_args().rounds
    rng = np.random.default_rng(0)
    x10, v10 = rng.uniform(-1, 1, 10), rng.standard_normal(10)
    x3 = rng.uniform(-1, 1, 1000)
    x6, v6 = rng.uniform(-1, 1, 1_000_000), rng.standard_normal(1_000_000)
    f_log, _, _, d = cases.make_logistic(2000, 500)
    w, u = rng.standard_normal(d) * 0.1, rng.standard_normal(d)
    f_mlp, _, _, nm = cases.make_mlp()
    p = rng.standard_normal(nm) * 0.1
    c10 = np.arange(10.0)

    def f_const(x):  # a closed-over small array: held (and compared) on every call
        return np.sum(c10 * x ** 2) + np.sum(np.exp(c10 * x))

    vg, ros = optkit.value_and_grad, cases.rosenbrock
    rows = [("rosenbrock n=10 grad", optkit.grad(ros), (x10,)),
            ("rosenbrock n=10 hvp", optkit.hvp, (ros, x10, v10)),
            ("small constant n=10 grad", optkit.grad(f_const), (x10,)),
            ("rosenbrock n=1e3 v+g", vg(ros), (x3,)),
            ("scalar loop v+g", vg(cases.scalar_loop), (x10,)),
            ("mlp 32-64-1 v+g", vg(f_mlp), (p,)),
            ("logistic 2000x500 v+g", vg(f_log), (w,)),
            ("logistic 2000x500 hvp", optkit.hvp, (f_log, w, u)),
            ("rosenbrock n=1e6 v+g", vg(ros), (x6,)),
            ("rosenbrock n=1e6 hvp", optkit.hvp, (ros, x6, v6))]
    for name, fn, args in rows:  # the same bits with and without the guard
        outs = []
        for on in (True, False):
            guard(on)
            out = fn(*args)
            outs.append(b"".join(np.asarray(o).tobytes() for o in
                                 (out if isinstance(out, tuple) else (out,))))
        assert outs[0] == outs[1], f"{name}: the guard changed the result"
    best = {}
    for r in range(rounds):
        for name, fn, args in rows:
            big = "1e6" in name
            for on in ((False, True) if r % 2 == 0 else (True, False)):  # neither always first
                guard(on)
                t = per_call(fn, args, 0.2 if big else 0.05)
                best[name, on] = min(best.get((name, on), t), t)
    guard(True)
    print(f"eager derivative per call, in-place guard off -> on, thread CPU time, best of "
          f"{rounds} interleaved")
    for name, *_ in rows:
        off, on = best[name, False], best[name, True]
        print(f"  {name:26s} {off * 1e6:10.1f}us -> {on * 1e6:10.1f}us   "
              f"+{(on - off) * 1e6:7.1f}us  {on / off:5.3f}x")


if __name__ == "__main__":
    main()
