"""Levenberg-Marquardt on MGH residual problems through the driver: f reaches f*, the status
is an honest success, evaluations stay under a ceiling, and against scipy's MINPACK 'lm' with
the same exact Jacobian the median number of evaluations is no larger."""

import numpy as np
import pytest
import scipy.optimize
from _lsq_problems import by_name, mgh_problems

from optkit.optim.driver import run
from optkit.optim.least_squares import GeodesicAcceleration, LevenbergMarquardt
from optkit.optim.residual import ResidualObjective
from optkit.optim.result import Status

ROWS = mgh_problems()
# ceilings on nfev (residual evaluations) measured at commit time; they may not rise silently
# (brown-badly-scaled 16 -> 24 with the first radius 0.5 ||D x0|| instead of MINPACK's 100: the
# solution is 1e6 away; lm.py says why the factor is 0.5)
CEILING = {"rosenbrock": 16, "freudenstein-roth": 14, "powell-badly-scaled": 15,
           "brown-badly-scaled": 24, "meyer": 73, "osborne1": 18, "osborne2": 17}


def solve(p, solver=None, **objective_options):
    objective = ResidualObjective(p.residuals, p.jac, **objective_options)
    result = run(solver or LevenbergMarquardt(), objective, p.x0, gtol=0.0, ftol=0.0,
                 maxfev=100 * p.x0.size)
    return result, objective


def _reaches(p, result):
    return 2 * result.fun <= p.fstar + 1e-8 * max(1.0, p.fstar)


@pytest.mark.parametrize("p", ROWS, ids=[p.name for p in ROWS])
def test_lm_solves(p):
    result, objective = solve(p)
    assert result.success, result.message
    assert _reaches(p, result), (result.fun, p.fstar)
    assert result.nfev <= CEILING[p.name]
    assert objective.njev <= result.nfev  # one J per accepted trial, plus x0


def test_median_evaluations_no_more_than_scipy_lm():
    """The issue's target, measured on the same problems with the same Jacobians. scipy's
    njev leaves out the Jacobian it evaluates after MINPACK returns, so nfev is compared."""
    ours, theirs = [], []
    for p in ROWS:
        result, _ = solve(p)
        ref = scipy.optimize.least_squares(p.residuals, p.x0, jac=p.jac, method="lm")
        assert ref.success and result.success
        ours.append(result.nfev)
        theirs.append(ref.nfev)
    assert np.median(ours) <= np.median(theirs), (ours, theirs)


def test_budget_exhaustion_is_not_success():
    p = by_name("meyer")
    objective = ResidualObjective(p.residuals, p.jac)
    result = run(LevenbergMarquardt(), objective, p.x0, gtol=0.0, ftol=0.0, maxfev=20)
    assert not result.success
    assert result.status_enum is Status.MAXFEV
    assert result.nfev == 20  # one trial per step: the budget is exact


def test_minpack_tests_name_their_status():
    """With ftol and xtol off, only the cosine test may stop a zero-residual problem."""
    p = by_name("rosenbrock")
    result, _ = solve(p, LevenbergMarquardt(ftol=0.0, xtol=0.0, gtol=1e-10))
    assert result.status_enum is Status.CONVERGED_GTOL
    jac, r = p.jac(result.x), p.residuals(result.x)
    norms = np.linalg.norm(jac, axis=0)
    rnorm = np.linalg.norm(r)
    assert rnorm == 0 or np.max(np.abs(jac.T @ r) / (norms * rnorm)) <= 1e-10


def test_rejected_trial_keeps_x():
    """A first radius far too large for Meyer: the trial is rejected, x stays, Delta shrinks."""
    p = by_name("meyer")
    objective = ResidualObjective(p.residuals, p.jac)
    solver = LevenbergMarquardt(factor=1e6)
    state = solver.init(objective, p.x0)
    states = [state]
    while states[-1].accepted and len(states) < 20:
        states.append(solver.step(objective, states[-1]))
    new = states[-1]
    assert not new.accepted
    np.testing.assert_array_equal(new.x, states[-2].x)
    assert new.delta < states[-2].delta and new.step_norm == 0.0 and new.step is None


def test_accepted_trial_keeps_its_step():
    """The step taken is kept (x_k = x_{k-1} + step) and step_norm is its 2-norm, asked on
    demand; the driver's history reads it, as it reads every solver's step_norm."""
    p = by_name("osborne1")
    objective = ResidualObjective(p.residuals, p.jac)
    solver = LevenbergMarquardt()
    state = solver.init(objective, p.x0)
    assert state.step is None and state.step_norm == 0.0
    new = solver.step(objective, state)
    assert new.accepted
    np.testing.assert_array_equal(new.x, state.x + new.step)
    assert new.step_norm == np.sqrt(new.step @ new.step) > 0
    result = run(solver, ResidualObjective(p.residuals, p.jac), p.x0, gtol=0.0, ftol=0.0,
                 history=True)
    steps = result.history.as_arrays()["step"][1:]  # row 0 is the start
    assert steps.size == result.nit and steps.max() > 0 and steps.min() >= 0


def test_x_scale_fixes_the_scaling():
    p = by_name("brown-badly-scaled")
    result, _ = solve(p, LevenbergMarquardt(x_scale=np.array([1e6, 1e-6])))
    assert result.success and _reaches(p, result)


@pytest.mark.parametrize("name", ["rosenbrock", "freudenstein-roth", "meyer"])
def test_geodesic_acceleration_solves(name):
    p = by_name(name)
    result, objective = solve(p, LevenbergMarquardt(geodesic=GeodesicAcceleration()),
                              rvv=p.rvv)
    assert result.success and _reaches(p, result), result.message
    assert objective.nrvv > 0


def test_geodesic_ratio_test_rejects_large_accelerations():
    """alpha -> 0 rejects every acceleration: no residual is evaluated for those trials."""
    p = by_name("rosenbrock")
    objective = ResidualObjective(p.residuals, p.jac, rvv=p.rvv)
    solver = LevenbergMarquardt(geodesic=GeodesicAcceleration(alpha=1e-12))
    state = solver.init(objective, p.x0)
    nfev = objective.nfev
    state = solver.step(objective, state)
    assert not state.accepted and objective.nfev == nfev and objective.nrvv == 1


def test_geodesic_needs_rvv_and_linear_loss():
    p = by_name("rosenbrock")
    with pytest.raises(ValueError, match="rvv"):
        LevenbergMarquardt(geodesic=GeodesicAcceleration()).init(
            ResidualObjective(p.residuals, p.jac), p.x0)
    with pytest.raises(ValueError, match="loss"):
        LevenbergMarquardt(geodesic=GeodesicAcceleration()).init(
            ResidualObjective(p.residuals, p.jac, rvv=p.rvv, loss="huber"), p.x0)


def test_operator_form_matches_dense_with_the_same_scaling():
    """Same D (x_scale), J only through products: the same minimum, and no dense J formed."""
    p = by_name("osborne1")
    x_scale = 1.0 / np.linalg.norm(p.jac(p.x0), axis=0)
    dense, _ = solve(p, LevenbergMarquardt(x_scale=x_scale))
    objective = ResidualObjective(p.residuals, jvp=lambda x, v: p.jac(x) @ v,
                                  vjp=lambda x, u: p.jac(x).T @ u)
    op = run(LevenbergMarquardt(x_scale=x_scale), objective, p.x0, gtol=0.0, ftol=0.0,
             maxfev=500)
    assert op.success and _reaches(p, op)
    np.testing.assert_allclose(op.x, dense.x, rtol=1e-4)
    assert objective.njev == objective.njvp + objective.nvjp


@pytest.mark.parametrize("name", ["powell-badly-scaled", "meyer"])
def test_operator_form_scales_by_estimated_column_norms(name):
    """Without x_scale the operator form estimates MINPACK's D from products J^T u; with
    D = 1 these badly scaled rows ran out of evaluations (maxfev = 100 n)."""
    p = by_name(name)
    objective = ResidualObjective(p.residuals, jvp=lambda x, v: p.jac(x) @ v,
                                  vjp=lambda x, u: p.jac(x).T @ u)
    op = run(LevenbergMarquardt(), objective, p.x0, gtol=0.0, ftol=0.0,
             maxfev=100 * p.x0.size)
    assert op.success and _reaches(p, op), op.message
    unscaled = run(LevenbergMarquardt(x_scale=1.0), ResidualObjective(
        p.residuals, jvp=lambda x, v: p.jac(x) @ v, vjp=lambda x, u: p.jac(x).T @ u),
        p.x0, gtol=0.0, ftol=0.0, maxfev=100 * p.x0.size)
    assert not (unscaled.success and _reaches(p, unscaled))


@pytest.mark.parametrize("bad, match", [
    (dict(ftol=-1.0), "ftol"), (dict(factor=0.0), "factor"), (dict(x_scale=[1.0, -1.0]),
                                                              "x_scale"),
    (dict(lsmr_maxiter=0), "lsmr_maxiter"), (dict(norm_samples=0), "norm_samples")])
def test_options_are_validated(bad, match):
    with pytest.raises(ValueError, match=match):
        LevenbergMarquardt(**bad)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_a_non_finite_jacobian_at_an_accepted_point_stops_nonfinite(bad):
    """NONFINITE, and the result is the best finite point seen."""
    p = by_name("rosenbrock")
    calls = []

    def jac(x):
        calls.append(1)
        out = p.jac(x)
        if len(calls) > 1:
            out[0, 0] = bad
        return out

    result = run(LevenbergMarquardt(), ResidualObjective(p.residuals, jac), p.x0, gtol=0.0,
                 ftol=0.0, maxfev=200)
    assert result.status_enum is Status.NONFINITE and not result.success
    assert "Jacobian is not finite" in result.message
    assert len(calls) == 2 and np.isfinite(result.fun) and np.isfinite(result.jac).all()
