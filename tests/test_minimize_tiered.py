"""optkit.minimize compiles the AD derivatives only after a few eager calls (issue 17)."""

import numpy as np
import pytest

import optkit
from optkit.minimize import COMPILE_WARMUP


def _sphere(x):
    return np.sum((x - 1.0) ** 2)


def _rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def test_a_solve_within_the_warmup_traces_nothing(stagings):
    res = optkit.minimize(_sphere, np.zeros(4))
    assert res.success and res.nfev <= COMPILE_WARMUP
    np.testing.assert_allclose(res.x, 1.0, atol=1e-6)
    assert stagings == []


@pytest.mark.parametrize("method", ["lbfgs", "newton-cg"])
def test_a_longer_solve_compiles_and_matches_the_eager_solve(stagings, method):
    x0 = np.tile([-1.2, 1.0], 5)
    res = optkit.minimize(_rosenbrock, x0, method)
    eager = optkit.minimize(_rosenbrock, x0, method, compile=False)
    assert res.nfev > COMPILE_WARMUP and stagings  # past the warm-up: compiled
    assert res.success and eager.success
    np.testing.assert_allclose(res.x, eager.x, atol=1e-6)
