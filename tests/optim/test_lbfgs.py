import numpy as np
import pytest
from _problems import quadratic, rosenbrock

from optkit.optim import LBFGS, Backtracking, LineSearchError, Objective, StrongWolfe, run, solve
from optkit.optim.solvers.lbfgs import _Memory


def _dense_inverse_bfgs(pairs, n):
    """H from gamma I by the textbook BFGS inverse update (N&W eq. 6.17) over the pairs."""
    s, y = pairs[-1]
    h = (s @ y) / (y @ y) * np.eye(n)
    for s, y in pairs:
        rho = 1.0 / (s @ y)
        v = np.eye(n) - rho * np.outer(y, s)
        h = v.T @ h @ v + rho * np.outer(s, s)
    return h


@pytest.mark.parametrize("m, npairs", [(5, 3), (3, 7), (1, 4)])
def test_two_loop_matches_dense_bfgs_over_the_last_m_pairs(m, npairs):
    rng = np.random.default_rng(0)
    n = 6
    a = rng.standard_normal((n, n))
    a = a @ a.T + n * np.eye(n)  # SPD, so every pair has s'y > 0
    mem = _Memory(m, n)
    pairs = []
    for _ in range(npairs):
        s = rng.standard_normal(n)
        y = a @ s
        mem.push(s, y, s @ y, y @ y)
        pairs.append((s, y))
    g = rng.standard_normal(n)
    expected = -_dense_inverse_bfgs(pairs[-m:], n) @ g
    np.testing.assert_allclose(mem.direction(g), expected, rtol=1e-10)


def test_compact_memory_after_clear_is_the_bfgs_matrix_of_the_new_pairs_alone():
    rng = np.random.default_rng(0)
    n, m = 7, 4
    a = rng.standard_normal((n, n))
    a = a @ a.T + n * np.eye(n)
    mem = _Memory(m, n)
    for _ in range(6):  # wrap the ring buffer, then forget everything
        s = rng.standard_normal(n)
        mem.push(s, a @ s, s @ a @ s, (a @ s) @ (a @ s))
    mem.clear()
    assert mem.size == 0
    g = rng.standard_normal(n)
    np.testing.assert_array_equal(mem.direction(g), -g)  # H = I with no pair
    pairs = []
    for _ in range(2):
        s = rng.standard_normal(n)
        y = a @ s
        mem.push(s, y, s @ y, y @ y)
        pairs.append((s, y))
    np.testing.assert_allclose(mem.direction(g), -_dense_inverse_bfgs(pairs, n) @ g, rtol=1e-10)


def test_first_direction_is_steepest_descent_and_memory_fills():
    prob = rosenbrock(2)
    obj = Objective(prob.fun, prob.jac)
    solver = LBFGS(m=3)
    state = solver.init(obj, prob.x0)
    new = solver.step(obj, state)
    d = (new.x - state.x) / np.linalg.norm(new.x - state.x)
    np.testing.assert_allclose(d, -state.g / np.linalg.norm(state.g), rtol=1e-12)
    for _ in range(5):
        new = solver.step(obj, new)
    assert new.memory.size == 3  # the ring buffer wrapped around


def test_accepted_steps_satisfy_strong_wolfe():
    prob = rosenbrock(2)
    obj = Objective(prob.fun, prob.jac)
    solver = LBFGS()
    state = solver.init(obj, prob.x0)
    for _ in range(20):
        new = solver.step(obj, state)
        p = (new.x - state.x) / new.alpha
        dphi0 = state.g @ p
        assert new.f <= state.f + 1e-4 * new.alpha * dphi0
        assert abs(new.g @ p) <= 0.9 * abs(dphi0) + 1e-12
        state = new


def test_skips_update_when_curvature_condition_fails():
    # Armijo-only steps on a concave-then-convex function give s'y <= 0 at the first step
    def fun(x):
        return float(np.sum(np.cos(x) + 0.05 * x ** 2))

    def jac(x):
        return -np.sin(x) + 0.1 * x

    obj = Objective(fun, jac)
    res_state = None
    solver = LBFGS(linesearch=Backtracking())
    state = solver.init(obj, np.array([0.3, -0.2]))
    for _ in range(3):
        state = solver.step(obj, state)
        res_state = state
    assert res_state.skipped >= 1
    assert res_state.f < fun(np.array([0.3, -0.2]))


class _FailOnce:
    """A line search that fails the first time it is asked, then defers to StrongWolfe."""

    memory = 1
    needs_slope = True

    def __init__(self, fail_on_call):
        self.calls = 0
        self.fail_on_call = fail_on_call

    def search(self, line, phi0, dphi0, alpha0, *, phi_ref=None):
        self.calls += 1
        if self.calls == self.fail_on_call:
            raise LineSearchError("scripted failure")
        return StrongWolfe().search(line, phi0, dphi0, alpha0)


def test_resets_memory_when_the_line_search_fails():
    prob = quadratic(1e2)
    obj = Objective(prob.fun, prob.jac)
    search = _FailOnce(fail_on_call=4)
    solver = LBFGS(linesearch=search)
    state = solver.init(obj, prob.x0)
    for _ in range(3):
        state = solver.step(obj, state)
    assert state.memory.size == 3 and state.resets == 0
    new = solver.step(obj, state)  # the quasi-Newton search fails; steepest descent succeeds
    assert new.resets == 1 and new.memory.size == 1 and new.f < state.f
    assert search.calls == 5


def test_gives_up_only_after_the_reset_fails_too():
    prob = quadratic(1e2)
    obj = Objective(prob.fun, prob.jac)

    class AlwaysFail(_FailOnce):
        def search(self, line, phi0, dphi0, alpha0, *, phi_ref=None):
            self.calls += 1
            if self.calls >= 2:
                raise LineSearchError("scripted failure")
            return StrongWolfe().search(line, phi0, dphi0, alpha0)

    search = AlwaysFail(0)
    res = run(LBFGS(linesearch=search), obj, prob.x0)
    assert res.status_enum.name == "LINESEARCH_FAILED" and res.nit == 1
    assert search.calls == 3  # step 1 ok; step 2: quasi-Newton search, then the reset's


@pytest.mark.parametrize("m", [1, 3, 10, 30])
def test_memory_sizes_all_converge(m):
    prob = rosenbrock(2)
    res = run(LBFGS(m=m), Objective(prob.fun, prob.jac), prob.x0)
    assert res.success and res.fun < 1e-8


@pytest.mark.parametrize("bad", [0, -1, 2.0, True])
def test_bad_memory_size(bad):
    with pytest.raises(ValueError, match="m must be an integer >= 1"):
        LBFGS(m=bad)


def test_bad_linesearch_type():
    with pytest.raises(TypeError, match="linesearch"):
        LBFGS(linesearch="wolfe")


# ---- hess_inv ---------------------------------------------------------------------------------
def _curved():
    a = np.diag([1.0, 4.0, 9.0, 16.0])

    def fun(x):
        return float(0.5 * x @ a @ x + np.sum(np.cos(x)))

    def jac(x):
        return a @ x - np.sin(x)

    return fun, jac


def test_hess_inv_satisfies_the_secant_equation_of_its_newest_pair():
    fun, jac = _curved()
    seen = []
    res = solve(fun, np.full(4, 2.0), "lbfgs", jac=jac, gtol=1e-10,
                callback=lambda r: seen.append((np.array(r.x), np.array(r.jac))))
    h = res.hess_inv
    (x0, g0), (x1, g1) = seen[-2], seen[-1]
    np.testing.assert_allclose(h @ (g1 - g0), x1 - x0, rtol=1e-9, atol=1e-14)  # H y = s
    dense = h.todense()
    assert dense.shape == (4, 4) == h.shape
    np.testing.assert_allclose(dense, dense.T, rtol=1e-12, atol=1e-14)
    assert np.all(np.linalg.eigvalsh(dense) > 0)


def test_hess_inv_applies_to_vectors_and_matrices_alike():
    fun, jac = _curved()
    h = solve(fun, np.full(4, 2.0), "lbfgs", jac=jac).hess_inv
    v = np.random.default_rng(0).standard_normal((4, 3))
    np.testing.assert_allclose(h.matvec(v), np.column_stack([h.dot(c) for c in v.T]))
    np.testing.assert_allclose(h.todense() @ v, h @ v)
    with pytest.raises(ValueError, match="v: expected shape"):
        h @ np.ones(5)


def test_hess_inv_approximates_the_inverse_hessian_like_scipys():
    scipy_optimize = pytest.importorskip("scipy.optimize")
    fun, jac = _curved()
    x0 = np.full(4, 2.0)
    ours = solve(fun, x0, "lbfgs", jac=jac, gtol=1e-8)
    theirs = scipy_optimize.minimize(fun, x0, jac=jac, method="L-BFGS-B",
                                     options={"gtol": 1e-8})
    exact = np.linalg.inv(np.diag([1.0, 4.0, 9.0, 16.0]) - np.diag(np.cos(ours.x)))
    err_ours = np.linalg.norm(ours.hess_inv.todense() - exact) / np.linalg.norm(exact)
    err_theirs = np.linalg.norm(theirs.hess_inv.todense() - exact) / np.linalg.norm(exact)
    assert err_ours <= 2.0 * err_theirs + 1e-3


def test_hess_inv_is_unaffected_by_later_solves():
    fun, jac = _curved()
    res = solve(fun, np.full(4, 2.0), "lbfgs", jac=jac)
    before = res.hess_inv.todense()
    solve(fun, np.full(4, -3.0), "lbfgs", jac=jac)
    np.testing.assert_array_equal(res.hess_inv.todense(), before)


def test_only_lbfgs_reports_hess_inv():
    fun, jac = _curved()
    assert "hess_inv" not in solve(fun, np.full(4, 2.0), "gd", jac=jac)
    assert "hess_inv" in solve(fun, np.full(4, 2.0), "lbfgs", jac=jac)
