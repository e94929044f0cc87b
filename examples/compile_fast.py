"""Make a function fast with ``optkit.compile``, and read its fallback warnings.

``optkit.compile(f)`` traces ``f`` once per input shape into a straight-line numpy program and
replays it for the value, the value+gradient and Hessian-vector products, skipping the
tracing overhead of eager AD. ``optkit.minimize`` does this by default. A function whose trace
depends on the values (an ``if`` on a traced number, ``float()``, random numbers drawn inside)
cannot be replayed: it is detected, run eagerly, and a one-time ``optkit.CompileWarning`` says
why.
"""

import time
import warnings

import numpy as np

import optkit


def best_of(fn, repeat=7, number=200):
    """Best time of one call in microseconds (a minimum over repeats resists noise)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return 1e6 * min(times)


def mlp_loss(w):  # a small network: many small numpy calls, where tracing overhead shows
    W1, b1, W2 = w[:32].reshape(2, 16), w[32:48], w[48:64]
    X = np.linspace(-1.0, 1.0, 40).reshape(20, 2)
    h = np.tanh(X @ W1 + b1)
    return np.mean((h @ W2 - np.sin(X[:, 0])) ** 2)


w = np.random.default_rng(0).standard_normal(64) * 0.3
v = np.ones(64)
fast = optkit.compile(mlp_loss)

eager_vg = optkit.value_and_grad(mlp_loss)
fast_vg = optkit.value_and_grad(fast)
f1, g1 = eager_vg(w)
f2, g2 = fast_vg(w)  # the first call at this shape traces and compiles
print(f"same value and gradient: {f1 == f2 and np.allclose(g1, g2, rtol=1e-14, atol=0)}")
print(f"value alone  numpy {best_of(lambda: mlp_loss(w)):7.1f} us")
print(f"value+grad   eager {best_of(lambda: eager_vg(w)):7.1f} us   "
      f"compiled {best_of(lambda: fast_vg(w)):7.1f} us")
print(f"HVP          eager {best_of(lambda: optkit.hvp(mlp_loss, w, v)):7.1f} us   "
      f"compiled {best_of(lambda: optkit.hvp(fast, w, v)):7.1f} us")


# --- fallbacks: each function below still gives the right answer, only eagerly --------------
def clipped(x):  # Python control flow on a traced value: the branch depends on x
    s = np.sum(x**2)
    if s > 1.0:
        return np.sqrt(s)
    return s


def noisy(x):  # random numbers drawn inside: two tracings disagree
    return np.sum(x**2) + 1e-3 * np.random.default_rng().standard_normal()


def to_float(x):  # float() of a traced value: the program would freeze the number
    scale = float(np.max(np.abs(x)))
    return np.sum((x / scale) ** 2)


x = np.array([0.6, 0.8, 0.5])
for fn in (clipped, noisy, to_float):
    compiled = optkit.compile(fn)
    print(f"\n{fn.__name__}:")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = compiled(x)
        compiled(x)  # warned once per function, not per call
        try:
            gradient = np.round(optkit.grad(compiled)(x), 4)
        except optkit.TracerConversionError as exc:
            gradient = f"refused, {type(exc).__name__}: {str(exc)[:75]}..."
    print(f"  value {value:.4f}; gradient {gradient}")
    for w_ in caught:
        print(f"  {w_.category.__name__}: {w_.message}")
