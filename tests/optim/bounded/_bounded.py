"""Shared builders for the L-BFGS-B numerics tests: a memory filled from a random SPD
quadratic, and the dense BFGS matrix built from the same pairs."""

import numpy as np

from optkit.optim.bounded.compact import CompactMemory


def random_pairs(rng, n, count, scale=1.0):
    """(s, y) pairs with y = H s for a random SPD H (so s'y > 0)."""
    a = rng.standard_normal((n, n))
    h = scale * (a @ a.T / n + np.eye(n))
    pairs = []
    for _ in range(count):
        s = rng.standard_normal(n)
        pairs.append((s, h @ s))
    return pairs


def filled_memory(rng, n, m, count):
    mem = CompactMemory(m, n)
    pairs = random_pairs(rng, n, count)
    for s, y in pairs:
        mem.push(s, y, s @ y, y @ y)
    return mem, pairs[-m:]


def dense_bfgs(pairs):
    """B_k from B_0 = theta I (theta = y'y / s'y of the newest pair) by the BFGS update
    applied to the pairs oldest first (Nocedal & Wright eq. 6.19)."""
    s_new, y_new = pairs[-1]
    n = s_new.size
    b = (y_new @ y_new) / (s_new @ y_new) * np.eye(n)
    for s, y in pairs:
        bs = b @ s
        b = b - np.outer(bs, bs) / (s @ bs) + np.outer(y, y) / (y @ s)
    return b
