"""NewtonCG: both globalizations on the test problems, negative curvature, robustness, options.

Ceilings are about 1.3x the counts measured when the rows were written (nfev, njev, nhev each),
so an efficiency regression fails instead of passing silently. The nhev ceilings include the
second-order check at the final point (at most min(n, 20) products; raised for it on the
quadratic-1e2 and logistic rows).
"""

import functools
import math
from dataclasses import replace

import numpy as np
import pytest
from _problems import PROBLEMS, Counting, double_well, saddle

from optkit.optim import Backtracking, Nonmonotone, Objective, Status, StrongWolfe, run, solve
from optkit.optim.globalization import LineSearch, TrustRegion
from optkit.optim.solvers.newton_cg import NewtonCG
from optkit.optim.trust_region import CGExit, Steihaug

GLOBALIZATIONS = {
    "trust-region": lambda: NewtonCG(globalization=TrustRegion(Steihaug())),
    "line-search": lambda: NewtonCG(globalization=LineSearch(StrongWolfe())),
}

# (globalization, problem, status, max nfev, max njev, max nhev)
ROWS = [
    ("trust-region", "rosenbrock-2", "CONVERGED_GTOL", 39, 36, 51),
    ("trust-region", "rosenbrock-100", "CONVERGED_GTOL", 514, 400, 2238),
    ("trust-region", "quadratic-1e2", "CONVERGED_GTOL", 7, 7, 94),
    ("trust-region", "quadratic-1e4", "CONVERGED_GTOL", 7, 7, 251),
    ("trust-region", "quadratic-1e6", "CONVERGED_GTOL", 7, 7, 636),
    ("trust-region", "double-well", "CONVERGED_GTOL", 20, 17, 51),
    ("trust-region", "saddle", "CONVERGED_GTOL", 16, 12, 12),
    ("trust-region", "logistic", "CONVERGED_GTOL", 10, 10, 38),
    ("line-search", "rosenbrock-2", "CONVERGED_GTOL", 83, 83, 60),
    ("line-search", "rosenbrock-100", "CONVERGED_GTOL", 930, 930, 2270),
    ("line-search", "quadratic-1e2", "CONVERGED_GTOL", 7, 7, 98),
    ("line-search", "quadratic-1e4", "CONVERGED_GTOL", 7, 7, 251),
    ("line-search", "quadratic-1e6", "CONVERGED_GTOL", 7, 7, 636),
    ("line-search", "double-well", "CONVERGED_GTOL", 34, 34, 52),
    ("line-search", "saddle", "CONVERGED_GTOL", 7, 7, 6),
    ("line-search", "logistic", "CONVERGED_GTOL", 8, 8, 31),
]


@functools.cache
def _problem(name):
    return PROBLEMS[name]()


def _objective(prob):
    return Objective(prob.fun, prob.jac, prob.hessp)


@pytest.mark.parametrize("glob, problem, status, nfev, njev, nhev", ROWS,
                         ids=[f"{r[0]}-{r[1]}" for r in ROWS])
def test_solves_problem_within_budget(glob, problem, status, nfev, njev, nhev):
    prob = _problem(problem)
    res = run(GLOBALIZATIONS[glob](), _objective(prob), prob.x0, maxiter=20000)
    assert abs(res.fun - prob.fstar) <= 1e-6 * max(1.0, abs(prob.fstar))
    assert res.status_enum.name == status
    assert res.nfev <= nfev and res.njev <= njev and res.nhev <= nhev


def test_rows_cover_every_problem_and_globalization():
    assert {(r[0], r[1]) for r in ROWS} == {(g, p) for g in GLOBALIZATIONS for p in PROBLEMS}


@pytest.mark.parametrize("glob", list(GLOBALIZATIONS))
@pytest.mark.parametrize("problem", ["rosenbrock-2", "double-well", "saddle", "logistic"])
def test_counts_are_exact(glob, problem):
    counted = Counting(_problem(problem))
    res = run(GLOBALIZATIONS[glob](), Objective(counted.fun, counted.jac, counted.hessp),
              _problem(problem).x0)
    assert res.success
    assert (res.nfev, res.njev, res.nhev) == (
        counted.calls["fun"], counted.calls["jac"], counted.calls["hessp"])


@pytest.mark.parametrize("problem", ["rosenbrock-2", "rosenbrock-100", "quadratic-1e6",
                                     "double-well", "saddle", "logistic"])
def test_fewer_hessian_products_than_scipy_trust_ncg(problem):
    optimize = pytest.importorskip("scipy.optimize")
    prob = _problem(problem)
    ref = optimize.minimize(prob.fun, prob.x0, jac=prob.jac, hessp=prob.hessp,
                            method="trust-ncg", options={"gtol": 1e-5})
    # like for like: trust-ncg makes no second-order check at the point where it stops
    res = run(NewtonCG(saddle_check=0), _objective(prob), prob.x0, maxiter=20000)
    assert res.success and ref.success
    assert res.nhev <= ref.nhev


@pytest.mark.parametrize("glob", list(GLOBALIZATIONS))
@pytest.mark.parametrize("problem", ["rosenbrock-2", "quadratic-1e2", "logistic"])
def test_second_order_check_costs_at_most_its_lanczos_steps_at_a_minimum(glob, problem):
    prob = _problem(problem)
    plain = run(replace(GLOBALIZATIONS[glob](), saddle_check=0), _objective(prob), prob.x0)
    checked = run(GLOBALIZATIONS[glob](), _objective(prob), prob.x0)
    assert plain.success and checked.success
    np.testing.assert_array_equal(checked.x, plain.x)  # a minimum: the check only looks
    assert (checked.nit, checked.nfev, checked.njev) == (plain.nit, plain.nfev, plain.njev)
    assert 0 < checked.nhev - plain.nhev <= min(prob.x0.size, NewtonCG().saddle_check)


@pytest.mark.parametrize("glob", list(GLOBALIZATIONS))
def test_certified_check_stops_early_on_a_well_conditioned_minimum(glob):
    # quadratic with Hessian spectrum in [1, 2], n = 200: the bound of Kuczynski & Wozniakowski
    # certifies lambda_min > 0 long before 40 Lanczos steps; saddle_delta=0 runs them all
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.standard_normal((200, 200)))
    a = (q * np.linspace(1.0, 2.0, 200)) @ q.T
    b = rng.standard_normal(200)
    obj = functools.partial(Objective, lambda x: 0.5 * x @ a @ x - b @ x, lambda x: a @ x - b,
                            lambda x, p: a @ p)
    base = replace(GLOBALIZATIONS[glob](), saddle_check=40)
    full = run(replace(base, saddle_delta=0.0), obj(), np.zeros(200))
    early = run(base, obj(), np.zeros(200))
    plain = run(replace(base, saddle_check=0), obj(), np.zeros(200))
    assert full.success and early.success
    np.testing.assert_array_equal(early.x, full.x)
    assert full.nhev - plain.nhev == 40
    assert 0 < early.nhev - plain.nhev < 40


# -- negative curvature --------------------------------------------------------------------------
@pytest.mark.parametrize("glob", list(GLOBALIZATIONS))
@pytest.mark.parametrize("x0", [[1.0, 1e-3], [1e-4, 1e-6], [-0.5, -1e-5]])
def test_escapes_the_saddle(glob, x0):
    prob = saddle()
    res = run(GLOBALIZATIONS[glob](), _objective(prob), x0)
    assert res.success
    assert res.fun == pytest.approx(-0.25, abs=1e-9)
    assert abs(abs(res.x[1]) - 1.0) < 1e-4


def _symmetric_saddle():
    """(x + y - 2)^2 + ((x - y)^2 - 1)^2: minima f = 0 at (1.5, 0.5) and (0.5, 1.5), and a
    saddle f = 1 at (1, 1) on the diagonal x = y, which the gradient and the Hessian map into
    itself: Newton-CG started on the diagonal never leaves it without a random probe."""

    def fun(z):
        s, d = z[0] + z[1], z[0] - z[1]
        return float((s - 2.0) ** 2 + (d * d - 1.0) ** 2)

    def jac(z):
        s, d = z[0] + z[1], z[0] - z[1]
        gs, gd = 2.0 * (s - 2.0), 4.0 * d * (d * d - 1.0)
        return np.array([gs + gd, gs - gd])

    def hessp(z, p):
        d = z[0] - z[1]
        ps, pd = p[0] + p[1], p[0] - p[1]
        hs, hd = 2.0 * ps, (12.0 * d * d - 4.0) * pd
        return np.array([hs + hd, hs - hd])

    return fun, jac, hessp


@pytest.mark.parametrize("glob", list(GLOBALIZATIONS))
@pytest.mark.parametrize("x0", [[0.0, 0.0], [3.0, 3.0], [1.0, 1.0]])
def test_second_order_check_leaves_a_saddle_first_order_tests_accept(glob, x0):
    fun, jac, hessp = _symmetric_saddle()
    unchecked = run(replace(GLOBALIZATIONS[glob](), saddle_check=0),
                    Objective(fun, jac, hessp), x0)
    assert unchecked.success and unchecked.fun == pytest.approx(1.0)  # stuck on the saddle
    res = run(GLOBALIZATIONS[glob](), Objective(fun, jac, hessp), x0)
    assert res.status_enum is Status.CONVERGED_GTOL
    assert res.fun < 1e-10
    assert sorted(res.x) == pytest.approx([0.5, 1.5], abs=1e-5)


@pytest.mark.parametrize("glob", list(GLOBALIZATIONS))
def test_start_exactly_on_a_saddle_is_left(glob):
    prob = saddle()  # gradient exactly zero at the origin
    seen = []
    res = run(GLOBALIZATIONS[glob](), _objective(prob), [0.0, 0.0],
              callback=lambda r: seen.append(r.fun))
    assert res.success and res.fun == pytest.approx(-0.25, abs=1e-9)
    assert res.nit >= 1 and len(seen) == res.nit  # the step off the saddle is an iteration
    assert seen[0] < 0.0


def test_second_order_check_is_reproducible_and_seeded():
    fun, jac, hessp = _symmetric_saddle()
    a = run(NewtonCG(seed=3), Objective(fun, jac, hessp), [1.0, 1.0])
    b = run(NewtonCG(seed=3), Objective(fun, jac, hessp), [1.0, 1.0])
    np.testing.assert_array_equal(a.x, b.x)
    assert (a.nfev, a.njev, a.nhev) == (b.nfev, b.njev, b.nhev)


def test_line_search_uses_the_negative_curvature_direction():
    # At x0 the Hessian is negative definite: CG meets negative curvature at once, and the
    # step along it covers most of the way down to the wells in one iteration.
    prob = double_well()
    solver = GLOBALIZATIONS["line-search"]()
    objective = _objective(prob)
    state = solver.init(objective, prob.x0)
    new = solver.step(objective, state)
    assert new.cg_exit is CGExit.NEGATIVE_CURVATURE and new.cg_iterations == 1
    assert new.f < state.f - 0.5 * (state.f - prob.fstar)


def test_line_search_combines_newton_and_curvature_steps_at_a_saddle():
    # Next to the saddle CG first takes the Newton step in x, then meets negative curvature in
    # y. Both are used: x goes to about 0 and y leaves the saddle in the same iteration
    # (returning the CG iterate alone would land on the saddle, where gtol stops).
    prob = saddle()
    for linesearch in (Backtracking(), StrongWolfe()):
        solver = NewtonCG(globalization=LineSearch(linesearch))
        objective = _objective(prob)
        new = solver.step(objective, solver.init(objective, np.array([1e-4, 1e-6])))
        assert new.cg_exit is CGExit.NEGATIVE_CURVATURE and new.cg_iterations == 2
        assert abs(new.x[0]) < 0.02 and abs(new.x[1]) > 0.9


def test_trust_region_follows_negative_curvature_to_the_boundary():
    prob = double_well()
    solver = NewtonCG(globalization=TrustRegion(initial_radius=0.5))
    objective = _objective(prob)
    new = solver.step(objective, solver.init(objective, prob.x0))
    assert new.cg_exit is CGExit.NEGATIVE_CURVATURE
    assert new.step_norm == pytest.approx(0.5)
    assert new.radius == 1.0  # a good boundary step doubles the region


# -- robustness ----------------------------------------------------------------------------------
def _walled(x):
    """sum(exp(x) - 2 x), minimized at log 2, with f = inf beyond x_i = 1.5."""
    return math.inf if np.any(x > 1.5) else float(np.sum(np.exp(x) - 2.0 * x))


def _walled_jac(x):
    return np.exp(x) - 2.0


def _walled_hessp(x, p):
    return np.exp(x) * p


WALLED_FSTAR = 2.0 * (2.0 - 2.0 * math.log(2.0))


def test_nonfinite_trial_value_shrinks_the_radius():
    solver = NewtonCG(globalization=TrustRegion(initial_radius=10.0))
    objective = Objective(_walled, _walled_jac, _walled_hessp)
    state = solver.init(objective, np.array([-3.0, -3.0]))
    new = solver.step(objective, state)
    assert new.rejected >= 1 and np.isfinite(new.f) and new.f < state.f
    assert new.step_norm < 10.0
    # the rejected step was re-solved from the stored CG path: no further products
    assert objective.nhev == new.cg_iterations == 1
    res = run(solver, Objective(_walled, _walled_jac, _walled_hessp), [-3.0, -3.0])
    assert res.status_enum is Status.CONVERGED_GTOL
    assert res.fun == pytest.approx(WALLED_FSTAR, abs=1e-10)


def test_nonfinite_trial_value_in_line_search_variant():
    res = run(NewtonCG(globalization=LineSearch()),
              Objective(_walled, _walled_jac, _walled_hessp), [-3.0, -3.0])
    assert res.success and res.fun == pytest.approx(WALLED_FSTAR, abs=1e-10)


def test_nonfinite_gradient_at_trial_point_shrinks_the_radius():
    def jac(x):
        return np.full_like(x, np.nan) if np.any(x > 1.0) else _walled_jac(x)

    def fun(x):
        return float(np.sum(np.exp(x) - 2.0 * x))

    res = run(NewtonCG(globalization=TrustRegion(initial_radius=10.0)),
              Objective(fun, jac, _walled_hessp), [-3.0, -3.0])
    assert res.status_enum is Status.CONVERGED_GTOL
    assert res.fun == pytest.approx(WALLED_FSTAR, abs=1e-10)


def test_no_decrease_possible_is_a_trust_region_failure():
    # a gradient of the wrong sign: every model step goes uphill
    res = run(NewtonCG(), Objective(lambda x: float(x @ x), lambda x: -2.0 * x,
                                    lambda x, p: 2.0 * p), [1.0, 2.0])
    assert res.status_enum is Status.TRUST_REGION_FAILED and not res.success
    np.testing.assert_array_equal(res.x, [1.0, 2.0])  # the best point seen
    assert res.fun == 5.0


def test_nonfinite_hessian_product_is_numerical_trouble():
    res = run(NewtonCG(), Objective(lambda x: float(x @ x), lambda x: 2.0 * x,
                                    lambda x, p: np.full_like(p, np.nan)), [1.0, 2.0])
    assert res.status_enum is Status.NONFINITE


def test_small_reductions_are_judged_by_gradients():
    # f evaluates with rounding error far above eps |f| (large cancelling terms); the last
    # steps predict reductions below that noise yet must still be accepted
    prob = _problem("quadratic-1e6")
    big = 1e7

    def fun(x):
        return (prob.fun(x) + big) - big

    res = run(NewtonCG(), Objective(fun, prob.jac, prob.hessp), prob.x0, ftol=0.0)
    assert res.status_enum is Status.CONVERGED_GTOL
    assert res.fun == pytest.approx(prob.fstar, abs=1e-8)


# -- preconditioner ------------------------------------------------------------------------------
def _badly_scaled(n=30):
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    a = (q * np.logspace(0.0, 1.0, n)) @ q.T
    scale = np.logspace(-2.0, 2.0, n)
    rng.shuffle(scale)
    h = (0.5 * (a + a.T) * scale).T * scale
    b = rng.standard_normal(n)

    def fun(x):
        return float(0.5 * x @ h @ x - b @ x + 0.25 * np.sum((scale * x) ** 4))

    def jac(x):
        return h @ x - b + scale**4 * x**3

    def hessp(x, p):
        return h @ p + 3.0 * scale**4 * x**2 * p

    return fun, jac, hessp, np.diag(h).copy(), np.zeros(n)


@pytest.mark.parametrize("form", ["array", "callable"])
def test_preconditioner_reduces_hessian_products(form):
    fun, jac, hessp, diag, x0 = _badly_scaled()
    plain = run(NewtonCG(), Objective(fun, jac, hessp), x0)
    pre = diag if form == "array" else (lambda v: v / diag)
    res = run(NewtonCG(preconditioner=pre), Objective(fun, jac, hessp), x0)
    assert plain.success and res.success
    assert res.fun == pytest.approx(plain.fun, rel=1e-10)
    assert 5 * res.nhev <= plain.nhev


def test_preconditioner_in_line_search_variant():
    fun, jac, hessp, diag, x0 = _badly_scaled()
    plain = run(NewtonCG(globalization=LineSearch()), Objective(fun, jac, hessp), x0)
    res = run(NewtonCG(globalization=LineSearch(), preconditioner=diag),
              Objective(fun, jac, hessp), x0)
    assert res.fun == pytest.approx(plain.fun, rel=1e-10)
    assert 5 * res.nhev <= plain.nhev


# -- options and entry points --------------------------------------------------------------------
@pytest.mark.parametrize("forcing", ["eisenstat-walker", "eisenstat-walker-2", "superlinear", 0.1])
@pytest.mark.parametrize("problem", ["rosenbrock-2", "logistic", "double-well"])
def test_forcing_rules(forcing, problem):
    prob = _problem(problem)
    res = run(NewtonCG(forcing=forcing), _objective(prob), prob.x0)
    assert res.success
    assert abs(res.fun - prob.fstar) <= 1e-6 * max(1.0, abs(prob.fstar))


def test_constructor_combinations():
    prob = _problem("rosenbrock-2")
    for solver in (NewtonCG(), NewtonCG(globalization=TrustRegion(Steihaug(maxiter=5))),
                   NewtonCG(globalization=LineSearch(StrongWolfe())),
                   NewtonCG(globalization=LineSearch(Backtracking())),
                   NewtonCG(globalization=LineSearch(Nonmonotone()))):
        res = run(solver, _objective(prob), prob.x0)
        assert res.success and res.fun < 1e-10
    assert NewtonCG().globalization == TrustRegion(Steihaug())


def test_needs_hessp():
    assert NewtonCG.needs_hessp is True
    prob = _problem("rosenbrock-2")
    with pytest.raises(ValueError, match="hessp"):
        NewtonCG().init(Objective(prob.fun, prob.jac), prob.x0)
    with pytest.raises(ValueError, match="hessp"):
        solve(prob.fun, prob.x0, "newton-cg", jac=prob.jac)


def test_solve_passes_globalization_through():
    prob = _problem("saddle")
    res = solve(prob.fun, prob.x0, "newton-cg", jac=prob.jac, hessp=prob.hessp,
                globalization=LineSearch(), forcing="superlinear")
    assert res.success and res.fun == pytest.approx(-0.25)


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [({"forcing": "fast"}, ValueError, "forcing"), ({"forcing": 1.0}, ValueError, "forcing"),
     ({"forcing": 0}, ValueError, "forcing"), ({"forcing": True}, ValueError, "forcing"),
     ({"globalization": "trust-region"}, TypeError, "globalization"),
     ({"globalization": Steihaug()}, TypeError, "globalization"),
     ({"preconditioner": np.ones((2, 2))}, ValueError, "preconditioner"),
     ({"preconditioner": np.array([1.0, -1.0])}, ValueError, "preconditioner"),
     ({"saddle_check": -1}, ValueError, "saddle_check"),
     ({"saddle_check": 2.0}, ValueError, "saddle_check"),
     ({"saddle_check": True}, ValueError, "saddle_check"),
     ({"saddle_tol": 0.0}, ValueError, "saddle_tol"),
     ({"saddle_tol": 1.0}, ValueError, "saddle_tol"),
     ({"seed": -1}, ValueError, "seed"), ({"seed": 0.5}, ValueError, "seed"),
     ({"saddle_delta": -0.1}, ValueError, "saddle_delta"),
     ({"saddle_delta": 1.0}, ValueError, "saddle_delta"),
     ({"saddle_delta": True}, ValueError, "saddle_delta")],
)
def test_options_are_validated(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        NewtonCG(**kwargs)


def test_preconditioner_length_is_checked_against_x0():
    prob = _problem("rosenbrock-2")
    with pytest.raises(ValueError, match="preconditioner"):
        NewtonCG(preconditioner=np.ones(3)).init(_objective(prob), prob.x0)


@pytest.mark.parametrize("kwargs, match", [({"linesearch": 3}, "linesearch"),
                                           ({"cg": "cg"}, "cg")])
def test_line_search_globalization_is_validated(kwargs, match):
    with pytest.raises(TypeError, match=match):
        LineSearch(**kwargs)


def test_nonmonotone_line_search_sees_recent_values():
    prob = _problem("rosenbrock-2")
    solver = NewtonCG(globalization=LineSearch(Nonmonotone(memory=3)))
    objective = _objective(prob)
    state = solver.init(objective, prob.x0)
    seen = [state.f]
    for _ in range(5):
        state = solver.step(objective, state)
        seen.append(state.f)
    assert state.f_recent == tuple(seen[-4:-1])  # the reference max covers the last 3 values


def test_failed_line_search_falls_back_on_the_cauchy_step():
    # one Armijo trial only: the full Newton step from this point fails, the Cauchy step
    # (steepest descent scaled by the curvature along it) is tried before giving up
    prob = _problem("rosenbrock-2")
    solver = NewtonCG(globalization=LineSearch(Backtracking(maxiter=1)), forcing=1e-8)
    objective = _objective(prob)
    state = solver.step(objective, solver.init(objective, prob.x0))
    before = objective.nfev
    new = solver.step(objective, state)
    assert objective.nfev - before == 2 and new.f < state.f
    d = new.x - state.x
    cosine = -float(d @ state.g) / (np.linalg.norm(d) * np.linalg.norm(state.g))
    assert cosine == pytest.approx(1.0)


@pytest.mark.parametrize("glob", list(GLOBALIZATIONS))
@pytest.mark.parametrize("scale", [1e-12, 1e12])
def test_second_order_check_does_not_depend_on_the_scale_of_f(glob, scale):
    fun, jac, hessp = _symmetric_saddle()
    res = run(GLOBALIZATIONS[glob](),
              Objective(lambda z: scale * fun(z), lambda z: scale * jac(z),
                        lambda z, p: scale * hessp(z, p)),
              [1.0, 1.0], gtol=1e-5 * scale)
    assert res.success and res.fun < 1e-10 * scale
    assert sorted(res.x) == pytest.approx([0.5, 1.5], abs=1e-5)
