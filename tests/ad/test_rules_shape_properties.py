"""Property test: random chains of shape, indexing, joining and scan operations on a small
matrix, each written as plain numpy, then a smooth scalar. Gradients and Hessian-vector products
are compared with central differences, and forward with reverse mode.

Every operation keeps a 2-d array (so any chain composes) and is smooth, so finite differences
are valid everywhere.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import optkit

pytestmark = pytest.mark.filterwarnings(
    "ignore:mypy_extensions.TypedDict is deprecated:DeprecationWarning"
)

SETTINGS = settings(derandomize=True, database=None, max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _assign_row(a):
    y = a * 1.0
    y[0] = np.sin(a[-1])
    return y


def _iadd_fancy(a):
    y = a * 1.0
    y[[0, 0, -1]] += np.cos(a[[1, 0, 0]])
    return y


def _zeros_then_slice(a):
    y = np.zeros_like(a)
    y[::2] = a[::2] ** 2
    y[1::2, ::-1] = np.tanh(a[1::2])
    return y


OPS = {
    "T": lambda a: a.T,
    "flip0": lambda a: np.flip(a, 0),
    "fliplr": np.fliplr,
    "roll": lambda a: np.roll(a, 1, axis=1),
    "roll-flat": lambda a: np.roll(a, -2),
    "rot90": np.rot90,
    "reverse-step": lambda a: a[::-1, ::2] if a.shape[1] > 1 else a[::-1],
    "drop-first-row": lambda a: a[1:] if a.shape[0] > 1 else a,
    "fancy-rows": lambda a: a[[0, 0, -1]],
    "mask": lambda a: a[:, np.arange(a.shape[1]) % 2 == 0],
    "concat-sq": lambda a: np.concatenate([a, a * a], axis=1),
    "vstack-sin": lambda a: np.vstack([np.sin(a), a[:1]]),
    "stack-sum": lambda a: np.sum(np.stack([a, np.tanh(a)], axis=-1), axis=-1),
    "tile": lambda a: np.tile(a, (1, 2)),
    "repeat": lambda a: np.repeat(a, 2, axis=0),
    "cumsum": lambda a: np.cumsum(a, axis=1) * 0.5,
    "cumprod": lambda a: np.cumprod(np.tanh(a), axis=0),
    "reshape-swap": lambda a: np.reshape(a, (a.shape[1], a.shape[0])),
    "ravel-col": lambda a: np.ravel(a)[:, None] if a.size <= 12 else a,
    "prod-scale": lambda a: a * np.prod(np.cos(a), axis=0, keepdims=True),
    "norm-scale": lambda a: a / (1.0 + np.linalg.norm(a, axis=1, keepdims=True)),
    "std-shift": lambda a: a - np.std(a, axis=0),
    "diff": lambda a: np.diff(a, axis=1, prepend=0.5),
    "triu": lambda a: np.triu(a) + 0.5 * np.tril(a, -1),
    "pad-edge": lambda a: np.pad(a, ((0, 1), (1, 0)), mode="edge"),
    "split-join": lambda a: np.hstack(np.array_split(a, 2, axis=1)[::-1]),
    "assign-row": _assign_row,
    "iadd-fancy": _iadd_fancy,
    "zeros-then-slice": _zeros_then_slice,
}


def run_chain(names, a):
    for name in names:
        a = OPS[name](a)
    return a


def objective(names):
    def f(x):
        y = run_chain(names, np.reshape(x, (3, 4)))
        w = np.cos(np.arange(np.size(y), dtype=float)).reshape(np.shape(y))
        return np.sum(np.sin(y) * w)

    return f


X = np.random.default_rng(7).uniform(-1.0, 1.0, 12)


def _fd_grad(f, x, h=1e-6):
    return np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(x.size)])


@SETTINGS
@given(st.lists(st.sampled_from(sorted(OPS)), min_size=1, max_size=5))
def test_random_chains_match_finite_differences(names):
    f = objective(names)
    g = optkit.grad(f)(X)
    np.testing.assert_allclose(g, _fd_grad(f, X), rtol=1e-6, atol=1e-7)
    v = np.cos(np.arange(12.0))
    _, jv = optkit.jvp(f, X, v)
    assert jv == pytest.approx(float(g @ v), rel=1e-10, abs=1e-12)
    hv = optkit.hvp(f, X, v)
    h = 1e-5
    fd_hv = (optkit.grad(f)(X + h * v) - optkit.grad(f)(X - h * v)) / (2 * h)
    np.testing.assert_allclose(hv, fd_hv, rtol=1e-5, atol=1e-6)
