"""The LM trust-region step: Moré's lambda and the damped subproblem against direct solves of
(J^T J + lambda D^T D) p = -J^T r."""

import numpy as np
import pytest

from optkit.optim.least_squares import subproblem
from optkit.optim.least_squares.lmpar import lmpar, lmpar_coordinates
from optkit.optim.least_squares.subproblem import DenseSubproblem, OperatorSubproblem
from optkit.optim.residual import ResidualObjective


def _data(m, n, seed=0, cond=1e3):
    rng = np.random.default_rng(seed)
    u, _ = np.linalg.qr(rng.standard_normal((m, m)))
    v, _ = np.linalg.qr(rng.standard_normal((n, n)))
    s = np.geomspace(1.0, 1.0 / cond, min(m, n))
    jac = (u[:, : s.size] * s) @ v[: s.size]
    r = rng.standard_normal(m)
    diag = rng.uniform(0.5, 2.0, n)
    return jac, r, diag


def _direct(jac, r, diag, lam):
    return np.linalg.solve(jac.T @ jac + lam * np.diag(diag ** 2), -jac.T @ r)


@pytest.mark.parametrize("m, n", [(8, 5), (5, 5), (3, 6), (40, 12), (60, 12)])
def test_damped_step_solves_the_normal_equations(m, n):
    jac, r, diag = _data(m, n)
    sub = DenseSubproblem(jac, r, diag)
    for lam in (1e-3, 0.1, 10.0):
        p = sub.solve(lam) / diag
        np.testing.assert_allclose(p, _direct(jac, r, diag, lam), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("m, n", [(8, 5), (40, 12), (3, 6)])
def test_lmpar_lands_on_the_boundary(m, n):
    """||D p|| within Moré's 10 % of Delta, and p = p(lambda) of the normal equations."""
    jac, r, diag = _data(m, n, seed=1)
    sub = DenseSubproblem(jac, r, diag)
    gn_norm = np.linalg.norm(sub.solve(0.0))
    for fraction in (0.5, 0.1, 1e-3):
        delta = fraction * gn_norm
        lam, q = lmpar(sub, delta, 0.0)
        p = q / diag
        assert lam > 0
        assert abs(np.linalg.norm(diag * p) - delta) <= 0.1 * delta
        np.testing.assert_allclose(p, _direct(jac, r, diag, lam), rtol=1e-8, atol=1e-12)


def _root(sub, target):
    """lambda with ||q(lambda)|| = target, by bisection (||q(lambda)|| decreases)."""
    lo, hi = 0.0, 1e8
    for _ in range(300):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if np.linalg.norm(sub.solve(mid)) > target else (lo, mid)
    return 0.5 * (lo + hi)


def test_lmpar_lambda_is_the_root_of_phi():
    """lambda lies between the roots of ||D p(lambda)|| = 1.1 Delta and = 0.9 Delta."""
    jac, r, diag = _data(10, 4, seed=2)
    sub = DenseSubproblem(jac, r, diag)
    for fraction in (0.5, 0.2, 0.01):
        delta = fraction * np.linalg.norm(sub.solve(0.0))
        lam, _ = lmpar(sub, delta, 0.0)
        assert _root(sub, 1.1 * delta) <= lam <= _root(sub, 0.9 * delta)


def test_gauss_newton_step_inside_the_region_has_lambda_zero():
    jac, r, diag = _data(9, 4, seed=3)
    sub = DenseSubproblem(jac, r, diag)
    q0 = sub.solve(0.0)
    lam, q = lmpar(sub, 2.0 * np.linalg.norm(q0), 0.0)
    assert lam == 0.0
    np.testing.assert_allclose(q / diag, np.linalg.lstsq(jac, -r, rcond=None)[0], rtol=1e-9)


def test_rank_deficient_jacobian():
    """A zero column: Moré's lower bound is 0 and the step still solves the damped system."""
    jac, r, diag = _data(8, 4, seed=4)
    jac[:, 2] = 0.0
    sub = DenseSubproblem(jac, r, diag)
    assert not sub.full_rank
    delta = 0.3 * np.linalg.norm(sub.solve(0.0))
    lam, q = lmpar(sub, delta, 0.0)
    assert abs(np.linalg.norm(q) - delta) <= 0.1 * delta
    np.testing.assert_allclose(q / diag, _direct(jac, r, diag, lam), rtol=1e-8, atol=1e-12)
    assert q[2] == 0.0


def test_operator_subproblem_matches_dense():
    """LSMR on [B; sqrt(lambda) I] q = [-b; 0] gives the dense step; lmpar agrees on lambda."""
    jac, r, diag = _data(30, 6, seed=5, cond=1e2)
    obj = ResidualObjective(lambda x: r + jac @ x, jvp=lambda x, v: jac @ v,
                            vjp=lambda x, u: jac.T @ u)
    lin = obj.linearize(np.zeros(6))
    dense = DenseSubproblem(jac, r, diag)
    op = OperatorSubproblem(lin, diag, atol=1e-12)
    for lam in (1e-2, 1.0):
        np.testing.assert_allclose(op.solve(lam), dense.solve(lam), rtol=1e-7, atol=1e-10)
        q = dense.solve(lam)
        assert op.curvature(lam, q) == pytest.approx(dense.curvature(lam, q), rel=1e-7)
    delta = 0.3 * np.linalg.norm(dense.solve(0.0))
    lam_d, q_d = lmpar(dense, delta, 0.0)
    lam_o, q_o = lmpar(op, delta, 0.0)
    assert abs(np.linalg.norm(q_o) - delta) <= 0.1 * delta
    np.testing.assert_allclose(q_o / diag, _direct(jac, r, diag, lam_o), rtol=1e-6, atol=1e-9)
    assert obj.njev == obj.njvp + obj.nvjp > 0


def test_damped_solve_is_the_geodesic_system():
    """a = -(J^T J + lambda D^T D)^-1 J^T w (Transtrum & Sethna 2012, eq. 14)."""
    jac, r, diag = _data(12, 5, seed=6)
    w = np.random.default_rng(7).standard_normal(12)
    sub = DenseSubproblem(jac, r, diag)
    for lam in (0.0, 0.5):
        a = sub.damped(w, lam) / diag
        np.testing.assert_allclose(a, _direct(jac, w, diag, lam), rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("m, n", [(12, 5), (4, 4), (3, 6)])
def test_trial_coordinates_give_the_step_its_norm_and_curvature(m, n):
    """lmpar's O(n) path: ||w|| = ||q||, the curvature from w equals the one from q."""
    jac, r, diag = _data(m, n, seed=8)
    sub = DenseSubproblem(jac, r, diag)
    for lam in (0.0, 1e-2, 3.0):
        qnorm, w = sub.trial(lam)
        q = sub.step(w)
        if lam > 0:
            np.testing.assert_allclose(q / diag, _direct(jac, r, diag, lam), rtol=1e-8,
                                       atol=1e-12)
        assert qnorm == pytest.approx(np.linalg.norm(q), rel=1e-12)
        assert sub.trial_curvature(lam, w) == pytest.approx(sub.curvature(lam, q), rel=1e-10)


def test_operator_gauss_newton_step_is_solved_once():
    """A rejected trial asks for q(0) again: the operator form answers without new products."""
    jac, r, diag = _data(30, 6, seed=9, cond=1e2)
    obj = ResidualObjective(lambda x: r + jac @ x, jvp=lambda x, v: jac @ v,
                            vjp=lambda x, u: jac.T @ u)
    op = OperatorSubproblem(obj.linearize(np.zeros(6)), diag, atol=1e-12)
    first = op.solve(0.0)
    products = obj.njev
    np.testing.assert_array_equal(op.solve(0.0), first)
    assert obj.njev == products


def _svd_step(jac, r, diag, lam):
    """q(lambda) from numpy's SVD of B = J D^-1 on arrays (Nocedal & Wright 2006, sec. 10.3), the
    reference for the subproblem's list-based coordinates; lam > 0, or lam = 0 with B of
    full column rank."""
    u, s, vt = np.linalg.svd(jac / diag, full_matrices=False)
    return -vt.T @ (s * (u.T @ r) / (s * s + lam))


@pytest.mark.parametrize("m, n", [(8, 5), (5, 5), (3, 6), (40, 12), (2, 2)])
def test_coordinates_match_a_numpy_svd_step(m, n):
    """The O(n) per-lambda path on lists: q, ||q|| and ||J p|| against numpy's SVD and direct
    products, to rtol 1e-10, full rank (lambda = 0 included when m >= n) and damped."""
    jac, r, diag = _data(m, n, seed=10)
    sub = DenseSubproblem(jac, r, diag)
    for lam in ((0.0,) if m >= n else ()) + (1e-4, 0.3, 20.0):
        qnorm, w = sub.trial(lam)
        q = sub.step(w)
        np.testing.assert_allclose(q, _svd_step(jac, r, diag, lam), rtol=1e-10, atol=1e-14)
        assert qnorm == pytest.approx(np.linalg.norm(q), rel=1e-12)
        assert sub.model_norm_coordinates(w) == pytest.approx(
            np.linalg.norm(jac @ (q / diag)), rel=1e-10)
        assert sub.model_norm_coordinates(w) == pytest.approx(sub.model_norm(q), rel=1e-12)


def test_rank_deficient_coordinates_give_the_minimum_norm_steps():
    """A zero column (rank n - 1, an exact zero singular value): damped steps solve the normal
    equations to rtol 1e-10; the Gauss-Newton step is the minimum-norm least-squares step
    (lstsq's), with no component along the zero column."""
    jac, r, diag = _data(10, 5, seed=11)
    jac[:, 3] = 0.0
    sub = DenseSubproblem(jac, r, diag)
    assert not sub.full_rank
    for lam in (1e-3, 0.5, 7.0):
        q = sub.step(sub.trial(lam)[1])
        np.testing.assert_allclose(q / diag, _direct(jac, r, diag, lam), rtol=1e-10,
                                   atol=1e-14)
    q0 = sub.step(sub.trial(0.0)[1])
    np.testing.assert_allclose(q0, np.linalg.lstsq(jac / diag, -r, rcond=None)[0],
                               rtol=1e-10, atol=1e-14)
    assert q0[3] == 0.0


@pytest.mark.parametrize("seed, zero_column", [(12, None), (13, 1)])
def test_lmpar_coordinates_are_lmpars_step(seed, zero_column):
    """lmpar_coordinates returns lmpar's lambda, the coordinates of its q and ||q||."""
    jac, r, diag = _data(9, 4, seed=seed)
    if zero_column is not None:
        jac[:, zero_column] = 0.0
    sub = DenseSubproblem(jac, r, diag)
    gn_norm = np.linalg.norm(sub.solve(0.0))
    for fraction in (2.0, 0.5, 0.05):
        lam, q = lmpar(sub, fraction * gn_norm, 0.3)
        lam_c, w, qnorm = lmpar_coordinates(sub, fraction * gn_norm, 0.3)
        assert lam_c == lam
        np.testing.assert_array_equal(sub.step(w), q)
        assert qnorm == pytest.approx(np.linalg.norm(q), rel=1e-12)


@pytest.mark.parametrize("m, n, zero_column", [(8, 5, None), (40, 12, None), (60, 12, None),
                                               (20, 4, 3)])
def test_direct_svd_and_qr_paths_agree(monkeypatch, m, n, zero_column):
    """A tall J factored by one SVD of B (up to DIRECT_SVD_MAX_ENTRIES entries) or by QR and
    the SVD of R: the same singular values, steps, curvatures and geodesic solves up to
    rounding, and the same rank."""
    jac, r, diag = _data(m, n, seed=14)
    if zero_column is not None:
        jac[:, zero_column] = 0.0
    rhs = np.random.default_rng(15).standard_normal(m)
    subs = []
    for limit in (m * n, m * n - 1):  # direct SVD, then QR + SVD of R
        monkeypatch.setattr(subproblem, "DIRECT_SVD_MAX_ENTRIES", limit)
        subs.append(DenseSubproblem(jac, r, diag))
    direct, qr = subs
    assert direct.full_rank == qr.full_rank == (zero_column is None)
    assert direct.gnorm == pytest.approx(qr.gnorm, rel=1e-12)
    for lam in (0.0, 1e-3, 0.5, 7.0):
        q_direct, q_qr = direct.solve(lam), qr.solve(lam)
        np.testing.assert_allclose(q_direct, q_qr, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(direct.damped(rhs, lam), qr.damped(rhs, lam), rtol=1e-9,
                                   atol=1e-12)
        assert direct.curvature(lam, q_direct) == pytest.approx(qr.curvature(lam, q_qr),
                                                                 rel=1e-9)
        assert direct.model_norm(q_direct) == pytest.approx(qr.model_norm(q_qr), rel=1e-9)
