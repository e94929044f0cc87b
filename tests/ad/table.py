"""Shared machinery for the primitive tables: one row per primitive and valid input domain.

A row is ``Row(name, fun, args)``: ``fun`` takes the arrays in ``args`` positionally and is
written with plain numpy, exactly as a user would. The table test checks every argument in
both modes to second order with ``optkit.check_grads``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optkit import check_grads


@dataclass(frozen=True)
class Row:
    name: str
    fun: object
    args: tuple
    order: int = 2

    def __str__(self):
        return self.name


def rng(seed=0):
    return np.random.default_rng(seed)


def check_row(row):
    """Check ``row.fun`` with respect to each argument in turn (the others held fixed)."""
    for i in range(len(row.args)):
        def partial(x, i=i):
            args = list(row.args)
            args[i] = x
            return row.fun(*args)

        check_grads(partial, row.args[i], modes=("fwd", "rev"), order=row.order)


def fd_grad(f, x, h=1e-6):
    """Central-difference gradient of scalar ``f`` at array ``x`` (any shape)."""
    x = np.asarray(x, dtype=float)
    g = np.zeros_like(x)
    for k in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[k] = h
        g[k] = (f(x + e) - f(x - e)) / (2 * h)
    return g
