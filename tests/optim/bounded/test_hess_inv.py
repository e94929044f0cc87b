"""``hess_inv`` of a bounded lbfgs (L-BFGS-B) result: the limited-memory inverse Hessian
approximation over the solve's last pairs, as SciPy's L-BFGS-B returns one, checked against
the dense matrix rebuilt from the same pairs."""

import numpy as np
from _bounded import dense_bfgs

from optkit.optim import solve
from optkit.optim.solvers.lbfgs import InverseHessian

_A = np.diag([1.0, 4.0, 9.0, 16.0, 25.0])


def _fun(x):
    return float(0.5 * x @ _A @ x + np.sum(np.cos(x)) + x[0])


def _jac(x):
    return _A @ x - np.sin(x) + np.eye(5)[0]


def _solve_recording_steps():
    """A bounded solve whose last few iterates and gradients are kept (one bound active)."""
    seen = []
    res = solve(_fun, np.full(5, 2.0), "lbfgs", jac=_jac, gtol=1e-10, m=3,
                bounds=[(0.5, 3.0)] + [(-3.0, 3.0)] * 4,
                callback=lambda r: seen.append((np.array(r.x), np.array(r.jac))))
    return res, seen


def test_bounded_result_has_hess_inv_and_active_mask():
    res, _ = _solve_recording_steps()
    assert res.success and res.x[0] == 0.5 and res.active_mask[0] == -1
    assert isinstance(res.hess_inv, InverseHessian) and res.hess_inv.shape == (5, 5)


def test_hess_inv_is_the_inverse_bfgs_matrix_of_the_last_pairs():
    res, seen = _solve_recording_steps()
    steps = [(x1 - x0, g1 - g0) for (x0, g0), (x1, g1) in zip(seen[:-1], seen[1:], strict=True)]
    pairs = [(s, y) for s, y in steps if s @ y > 1e-16 * (y @ y)][-3:]  # m = 3, none skipped
    want = np.linalg.inv(dense_bfgs(pairs))
    dense = res.hess_inv.todense()
    np.testing.assert_allclose(dense, want, rtol=1e-7, atol=1e-9 * np.abs(want).max())
    np.testing.assert_allclose(dense, dense.T, rtol=1e-12, atol=1e-14)
    assert np.all(np.linalg.eigvalsh(dense) > 0)
    s, y = pairs[-1]
    np.testing.assert_allclose(res.hess_inv @ y, s, rtol=1e-8, atol=1e-14)   # H y = s
    v = np.random.default_rng(0).standard_normal((5, 2))
    np.testing.assert_allclose(res.hess_inv @ v, dense @ v, rtol=1e-10, atol=1e-14)
