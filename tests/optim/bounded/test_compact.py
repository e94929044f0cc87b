"""The compact representation B = theta I - W M W' against the dense BFGS matrix."""

import numpy as np
import pytest
from _bounded import dense_bfgs, filled_memory

from optkit.optim.bounded.compact import CompactMemory


@pytest.mark.parametrize("count", [1, 3, 5, 12])
def test_compact_matches_dense_bfgs(count):
    rng = np.random.default_rng(count)
    mem, pairs = filled_memory(rng, n=9, m=5, count=count)
    assert mem.size == min(count, 5)
    want = dense_bfgs(pairs)
    np.testing.assert_allclose(mem.dense(), want, rtol=1e-10, atol=1e-10 * np.abs(want).max())


def test_empty_memory_is_identity():
    mem = CompactMemory(4, 6)
    np.testing.assert_array_equal(mem.dense(), np.eye(6))


def test_products_match_dense_w():
    rng = np.random.default_rng(1)
    mem, pairs = filled_memory(rng, n=8, m=3, count=7)
    theta = mem.theta
    w = np.column_stack([y for _, y in pairs] + [theta * s for s, _ in pairs])
    v = rng.standard_normal(8)
    u = rng.standard_normal(6)
    np.testing.assert_allclose(mem.wt(v), w.T @ v, rtol=1e-12)
    np.testing.assert_allclose(mem.w(u), w @ u, rtol=1e-12)
    idx = np.array([5, 0, 3])
    np.testing.assert_allclose(mem.rows(idx), w[idx], rtol=1e-12)


def test_gram_over_free_set_tracks_changes():
    """W_F'W_F stays equal to the direct product while pairs and the free set change."""
    rng = np.random.default_rng(2)
    n, m = 30, 4
    mem = CompactMemory(m, n)
    for it in range(25):
        s = rng.standard_normal(n)
        y = s + 0.1 * rng.standard_normal(n)
        mem.push(s, y, s @ y, y @ y)
        free = rng.random(n) < (0.9 if it % 3 else 0.3)
        pairs_s = mem.V[m:][(mem.head - mem.size + np.arange(mem.size)) % m]
        pairs_y = mem.V[:m][(mem.head - mem.size + np.arange(mem.size)) % m]
        w = np.column_stack([pairs_y.T, mem.theta * pairs_s.T])[free]
        np.testing.assert_allclose(mem.gram_free(free), w.T @ w, rtol=1e-9, atol=1e-9)


def test_clear_forgets_pairs():
    rng = np.random.default_rng(3)
    mem, _ = filled_memory(rng, n=5, m=3, count=4)
    mem.clear()
    assert mem.size == 0 and mem.theta == 1.0
    np.testing.assert_array_equal(mem.dense(), np.eye(5))


@pytest.mark.parametrize("count", [0, 1, 3, 5, 12])
def test_direction_is_minus_the_inverse_of_the_dense_matrix(count):
    rng = np.random.default_rng(10 + count)
    mem, _ = filled_memory(rng, n=9, m=5, count=count) if count else (CompactMemory(5, 9), None)
    g = rng.standard_normal(9)
    want = -np.linalg.solve(mem.dense(), g)
    np.testing.assert_allclose(mem.direction(g), want, rtol=1e-9, atol=1e-12)
