"""Steihaug-Toint CG on the trust-region subproblem (the radius update is tested with the
trust-region globalization, tests/optim/globalization/test_trust_region.py)."""

import math

import numpy as np
import pytest

from optkit.optim.trust_region import CGExit, Steihaug, as_preconditioner


def _spd(n=8, cond=1e3, seed=0):
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    h = (q * np.logspace(0.0, np.log10(cond), n)) @ q.T
    return 0.5 * (h + h.T), rng.standard_normal(n)


class Counted:
    """hessp for a dense test matrix, counting its calls."""

    def __init__(self, h):
        self.h = h
        self.calls = 0

    def __call__(self, v):
        self.calls += 1
        return self.h @ v


def _model(h, g, p):
    return float(g @ p + 0.5 * p @ h @ p)


def test_spd_inside_region_matches_newton_step():
    h, g = _spd()
    hessp = Counted(h)
    res = Steihaug().solve(hessp, g, radius=1e6, rtol=1e-12)
    newton = -np.linalg.solve(h, g)
    assert res.exit is CGExit.CONVERGED and not res.on_boundary
    np.testing.assert_allclose(res.step, newton, rtol=1e-8)
    assert res.model_decrease == pytest.approx(-_model(h, g, newton), rel=1e-10)
    assert res.step_norm == pytest.approx(np.linalg.norm(newton), rel=1e-10)
    assert res.residual_norm <= 1e-12 * np.linalg.norm(g) * 10
    assert res.niter == hessp.calls <= 2 * g.size  # one product per CG iteration, nothing else


def test_newton_step_outside_region_stops_on_boundary():
    h, g = _spd()
    newton = -np.linalg.solve(h, g)
    radius = 0.3 * np.linalg.norm(newton)
    hessp = Counted(h)
    res = Steihaug().solve(hessp, g, radius=radius, rtol=1e-12)
    assert res.exit is CGExit.BOUNDARY and res.on_boundary
    assert np.linalg.norm(res.step) == pytest.approx(radius, rel=1e-12)
    assert res.model_decrease == pytest.approx(-_model(h, g, res.step), rel=1e-10)
    assert res.residual_norm == pytest.approx(np.linalg.norm(g + h @ res.step), rel=1e-8)
    # at least the Cauchy decrease (the first CG iterate is the Cauchy point)
    gn = np.linalg.norm(g)
    tau = min(1.0, gn**3 / (radius * float(g @ h @ g)))
    cauchy = -tau * radius / gn * g
    assert -_model(h, g, res.step) >= -_model(h, g, cauchy)
    assert res.niter == hessp.calls


def test_negative_curvature_goes_to_boundary():
    h = np.diag([2.0, 1.0, -0.5, 3.0])
    g = np.array([1.0, -1.0, 0.5, 0.2])
    res = Steihaug().solve(Counted(h), g, radius=10.0, rtol=1e-10)
    assert res.exit is CGExit.NEGATIVE_CURVATURE and res.on_boundary
    assert np.linalg.norm(res.step) == pytest.approx(10.0, rel=1e-12)
    d = res.curvature_direction
    assert float(d @ h @ d) <= 0 and res.curvature == pytest.approx(float(d @ h @ d) / (d @ d))
    assert res.model_decrease == pytest.approx(-_model(h, g, res.step), rel=1e-10)
    # the chosen boundary point is at least as good as the other root along d
    others = []
    p = res.step
    for sign in (1.0, -1.0):
        # points on the sphere along d through the step's base point
        base = p - (p @ d) / (d @ d) * d
        t = math.sqrt(max(100.0 - base @ base, 0.0) / (d @ d))
        others.append(_model(h, g, base + sign * t * d))
    assert _model(h, g, p) <= min(others) + 1e-12


def test_negative_curvature_first_direction():
    h = -np.eye(3)
    g = np.array([0.3, 0.0, -0.4])
    res = Steihaug().solve(Counted(h), g, radius=1.5, rtol=0.5)
    assert res.exit is CGExit.NEGATIVE_CURVATURE and res.niter == 1
    np.testing.assert_allclose(res.step, -1.5 * g / np.linalg.norm(g))


def test_without_radius_negative_curvature_is_reported_not_followed():
    h = np.diag([2.0, 1.0, -0.5, 3.0])
    g = np.array([1.0, -1.0, 0.5, 0.2])
    res = Steihaug().solve(Counted(h), g, radius=math.inf, rtol=1e-10)
    assert res.exit is CGExit.NEGATIVE_CURVATURE and not res.on_boundary
    d = res.curvature_direction
    assert float(g @ d) < 0  # a descent direction of negative curvature
    assert res.curvature < 0
    assert float(g @ res.step) < 0 and res.model_decrease > 0  # the iterate before it


def test_zero_gradient_takes_no_step():
    hessp = Counted(np.eye(3))
    res = Steihaug().solve(hessp, np.zeros(3), radius=1.0, rtol=0.1)
    assert res.exit is CGExit.CONVERGED and res.niter == 0 and hessp.calls == 0
    assert not res.step.any()


def test_maxiter_returns_last_iterate():
    h, g = _spd(n=20, cond=1e6)
    res = Steihaug(maxiter=3).solve(Counted(h), g, radius=1e9, rtol=1e-12)
    assert res.exit is CGExit.MAXITER and res.niter == 3
    assert res.model_decrease == pytest.approx(-_model(h, g, res.step), rel=1e-9)


def _badly_scaled(n=40):
    rng = np.random.default_rng(0)
    a, _ = _spd(n=n, cond=10.0)
    s = np.logspace(-3, 3, n)
    rng.shuffle(s)
    h = (a * s).T * s  # diag(s) A diag(s): condition number about 1e13
    return h, rng.standard_normal(n)


def test_diagonal_preconditioner_reduces_cg_iterations():
    h, g = _badly_scaled()
    plain = Steihaug(maxiter=400).solve(Counted(h), g, radius=1e20, rtol=1e-8)
    diag = np.diag(h).copy()  # Jacobi: the diagonal of M
    pre = Steihaug(maxiter=400).solve(Counted(h), g, radius=1e20, rtol=1e-8,
                                      precond=as_preconditioner(diag, g.size))
    assert pre.exit is CGExit.CONVERGED
    np.testing.assert_allclose(h @ pre.step, -g, atol=1e-7 * np.linalg.norm(g))
    assert pre.niter * 4 <= plain.niter


def test_preconditioned_boundary_is_measured_in_m_norm():
    h, g = _badly_scaled()
    diag = np.diag(h).copy()
    callable_form = as_preconditioner(lambda v: v / diag, g.size)
    res = Steihaug().solve(Counted(h), g, radius=0.5, rtol=1e-8, precond=callable_form)
    assert res.on_boundary
    assert math.sqrt(res.step @ (diag * res.step)) == pytest.approx(0.5, rel=1e-8)
    assert res.model_decrease == pytest.approx(-_model(h, g, res.step), rel=1e-8)
    same = Steihaug().solve(Counted(h), g, radius=0.5, rtol=1e-8,
                            precond=as_preconditioner(diag, g.size))
    np.testing.assert_allclose(same.step, res.step)


@pytest.mark.parametrize("h, g", [_spd(), (np.diag([2.0, 1.0, -0.5, 3.0]),
                                           np.array([1.0, -1.0, 0.5, 0.2]))])
@pytest.mark.parametrize("fraction", [0.9, 0.5, 0.1, 0.01])
def test_truncate_equals_a_fresh_solve_without_products(h, g, fraction):
    first = Steihaug().solve(Counted(h), g, radius=10.0, rtol=1e-10)
    radius = fraction * first.step_norm
    hessp = Counted(h)
    fresh = Steihaug().solve(hessp, g, radius=radius, rtol=1e-10)
    replay = first.truncate(radius)
    np.testing.assert_allclose(replay.step, fresh.step, rtol=1e-10, atol=1e-14)
    assert replay.model_decrease == pytest.approx(fresh.model_decrease, rel=1e-10)
    assert replay.residual_norm == pytest.approx(fresh.residual_norm, rel=1e-8)
    assert replay.exit is fresh.exit and replay.on_boundary
    assert first.truncate(2 * first.step_norm) is first


@pytest.mark.parametrize(
    "kwargs, match",
    [({"radius": 0.0}, "radius"), ({"radius": -1.0}, "radius"), ({"rtol": 0.0}, "rtol"),
     ({"rtol": 1.0}, "rtol")],
)
def test_solve_rejects_bad_arguments(kwargs, match):
    args = {"radius": 1.0, "rtol": 0.1} | kwargs
    with pytest.raises(ValueError, match=match):
        Steihaug().solve(Counted(np.eye(2)), np.ones(2), **args)


@pytest.mark.parametrize("maxiter", [0, -1, 2.5, True])
def test_maxiter_is_validated(maxiter):
    with pytest.raises(ValueError, match="maxiter"):
        Steihaug(maxiter=maxiter)


@pytest.mark.parametrize("pre", [np.ones(3), np.array([1.0, 0.0]), np.array([1.0, np.nan])])
def test_bad_diagonal_preconditioner(pre):
    with pytest.raises(ValueError, match="preconditioner"):
        as_preconditioner(pre, 2)


def test_indefinite_preconditioner_is_an_error():
    with pytest.raises(ValueError, match="preconditioner"):
        Steihaug().solve(Counted(np.eye(2)), np.ones(2), 1.0, 0.1, precond=lambda v: -v)


# -- radius update (Nocedal & Wright, Alg. 4.1) ------------------------------------------------
def test_path_cut_for_memory_falls_back_to_a_fresh_solve(monkeypatch):
    import optkit.optim.trust_region.steihaug as steihaug

    h, g = _spd(n=8, cond=1e3)
    monkeypatch.setattr(steihaug, "_PATH_BUDGET", 2 * g.size)  # keep 2 directions only
    first = Steihaug().solve(Counted(h), g, radius=1e6, rtol=1e-12)
    assert first.niter > 3
    # a radius crossed within the stored directions is replayed; beyond them it is not
    inner = 0.5 * np.linalg.norm(Steihaug(maxiter=1).solve(Counted(h), g, 1e6, 1e-12).step)
    fresh = Steihaug().solve(Counted(h), g, radius=inner, rtol=1e-12)
    np.testing.assert_allclose(first.truncate(inner).step, fresh.step, rtol=1e-10)
    assert first.truncate(0.99 * first.step_norm) is None


def test_cauchy_step():
    h, g = _spd()
    res = Steihaug().solve(Counted(h), g, radius=1e6, rtol=1e-10)
    np.testing.assert_allclose(res.cauchy_step(), -(g @ g) / (g @ h @ g) * g)
    assert Steihaug().solve(Counted(-np.eye(3)), np.ones(3), 1.0, 0.5).cauchy_step() is None
