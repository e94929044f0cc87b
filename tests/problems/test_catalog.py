"""Table-driven checks of every built-in problem: shapes, f(x*) = f*, finite derivatives,
hand-written gradients, and that objectives are plain numpy (traceable)."""

import numpy as np
import pytest
from scipy.optimize import least_squares

from optkit import problems

from .probe import Probe

ALL = problems.names()


def central_gradient(f, x, rel_step=1e-6):
    x = np.array(x, dtype=float)
    g = np.empty_like(x)
    for i in range(x.size):
        h = rel_step * max(1.0, abs(x[i]))
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2.0 * h)
    return g


def small(name):
    """The problem at its default n, or at n = 10 when the default is larger (speed)."""
    spec = problems.specs()[ALL.index(name)]
    if spec.scalable and spec.default_n > 10 and 10 in spec.n_range:
        return problems.get(name, n=10)
    return problems.get(name)


def test_catalogue_is_large_enough_and_covers_the_kinds():
    assert len(ALL) >= 35
    assert len(problems.names("scalable")) >= 15
    assert {"logistic-regression", "linear-least-squares", "mlp-regression", "lj13"} <= set(ALL)
    for tag in ("convex", "nonconvex", "least-squares", "scalable", "ml", "physics"):
        assert problems.names(tag), tag


@pytest.mark.parametrize("spec", problems.specs(), ids=ALL)
def test_spec_metadata(spec):
    assert spec.tags <= problems.KNOWN_TAGS
    assert len(spec.tags & {"convex", "nonconvex"}) == 1
    assert spec.source and spec.description
    assert ("scalable" in spec.tags) == spec.scalable
    p = problems.get(spec.name)
    assert p.name == spec.name and p.tags == spec.tags and p.n == spec.default_n


@pytest.mark.parametrize("name", ALL)
def test_start_point_and_value(name):
    p = problems.get(name)
    assert p.x0.shape == (p.n,)
    assert p.x0.dtype == np.float64
    # a bounded problem's f* is the minimum over the box, where solvers start (some
    # published starts lie outside it)
    f0 = p.objective(p.x0.copy() if p.bounds is None else p.bounds.project(p.x0))
    assert np.ndim(f0) == 0 and np.isfinite(f0)
    assert p.fstar is not None
    assert f0 >= p.fstar - 1e-12 * max(1.0, abs(p.fstar))


WITH_XSTAR = [n for n in ALL if small(n).xstar is not None]


def test_most_problems_know_their_minimizer():
    # the others (Watson, Penalty II, Chebyquad, discrete boundary value, the Broyden
    # functions) have f* tabulated or exactly 0 without a closed-form x*, and the MINPACK-2
    # grid problems (torsion, journal bearing) have f* from a numerical solve only
    assert len(WITH_XSTAR) >= len(ALL) - 8


@pytest.mark.parametrize("name", WITH_XSTAR)
def test_value_at_solution_is_fstar(name):
    p = small(name)
    f = p.objective(p.xstar.copy())
    assert abs(f - p.fstar) <= 1e-9 * max(1.0, abs(p.fstar))


# objectives using abs or logaddexp, which the complex step cannot differentiate
NO_COMPLEX_STEP = {"helical-valley", "gulf", "logistic-regression"}


def exact_gradient(p, x, scale):
    """Complex-step gradient (exact to rounding), or central differences as a fallback."""
    if p.name in NO_COMPLEX_STEP:
        return central_gradient(p.objective, x)
    g = np.empty(p.n)
    for i in range(p.n):
        xc = x.astype(complex)
        xc[i] += 1e-20j * scale[i]
        g[i] = np.imag(p.objective(xc)) / (1e-20 * scale[i])
    return g


# (a bounded x* is stationary in the projected sense: tests/problems/test_bounded.py)
@pytest.mark.parametrize("name", [n for n in WITH_XSTAR if small(n).bounds is None])
def test_solution_is_stationary(name):
    p = small(name)
    scale = np.where(np.abs(p.xstar) > 1e-8, np.abs(p.xstar), 1.0)
    g = exact_gradient(p, p.xstar, scale)
    # dimensionless: the change of f, relative to max(1, |f*|), per relative change of x_i;
    # rounding x* to doubles leaves up to ~1e-4 here on the worst-conditioned fit (Meyer)
    assert np.max(np.abs(g) * scale) <= 1e-3 * max(1.0, abs(p.fstar))


@pytest.mark.parametrize("name", [n for n in WITH_XSTAR if small(n).residuals is not None])
def test_fstar_cannot_be_improved_from_xstar(name):
    """A tight Levenberg-Marquardt solve started at x* finds nothing below f*."""
    p = small(name)
    sol = least_squares(p.residuals, p.xstar.copy(), method="lm", xtol=1e-15, ftol=1e-15,
                        gtol=1e-15, max_nfev=2000)
    assert p.objective(sol.x) >= p.fstar - 1e-10 * max(1.0, abs(p.fstar))


@pytest.mark.parametrize("name", ALL)
def test_residuals_match_objective(name):
    p = small(name)
    if p.residuals is None:
        assert "least-squares" not in p.tags or p.name == "linear-least-squares"
        return
    assert "least-squares" in p.tags
    r = p.residuals(p.x0.copy())
    assert r.ndim == 1 and r.size >= 1
    assert p.objective(p.x0.copy()) == pytest.approx(np.sum(r * r), rel=1e-12)


@pytest.mark.parametrize("name", ALL)
def test_finite_difference_gradient_is_finite_at_start(name):
    p = small(name)
    assert np.all(np.isfinite(central_gradient(p.objective, p.x0)))


@pytest.mark.parametrize("name", [n for n in ALL if small(n).gradient is not None])
def test_hand_written_gradient_matches_differences(name):
    p = small(name)
    rng = np.random.default_rng(0)
    for x in (p.x0, p.x0 + 0.1 * rng.standard_normal(p.n)):
        g = p.gradient(x)
        fd = central_gradient(p.objective, x)
        np.testing.assert_allclose(g, fd, rtol=1e-5, atol=1e-6 * max(1.0, np.max(np.abs(fd))))


@pytest.mark.parametrize("name", ALL)
def test_objective_is_plain_numpy(name):
    """Traced like optkit's AD would trace it: no float(), no np.asarray, no writes."""
    p = small(name)
    traced = p.objective(Probe(p.x0.copy()))
    assert isinstance(traced, Probe), "the value must depend on x through numpy dispatch"
    assert traced.value == pytest.approx(p.objective(p.x0.copy()), rel=1e-14)
    if p.residuals is not None:
        assert isinstance(p.residuals(Probe(p.x0.copy())), Probe)


@pytest.mark.parametrize("spec", [s for s in problems.specs() if s.scalable],
                         ids=[s.name for s in problems.specs() if s.scalable])
def test_scalable_problems_build_across_their_range(spec):
    rng = spec.n_range
    candidates = {rng.lo, rng.lo + rng.multiple_of, spec.default_n, min(rng.hi or 40, 40)}
    for n in sorted(c - c % rng.multiple_of for c in candidates):
        if n not in rng:
            continue
        p = spec.build(n)
        assert p.n == n and p.x0.shape == (n,)
        assert np.isfinite(p.objective(p.x0.copy()))
        if p.xstar is not None:
            assert abs(p.objective(p.xstar) - p.fstar) <= 1e-9 * max(1.0, abs(p.fstar))
    too_big = () if rng.hi is None else (rng.hi + rng.multiple_of,)  # None: memory decides
    for bad in (rng.lo - 1, *too_big):
        with pytest.raises(problems.ProblemError, match=f"n={bad}"):
            spec.build(bad)
    if rng.multiple_of > 1:
        with pytest.raises(problems.ProblemError, match=f"n={rng.lo + 1}"):
            spec.build(rng.lo + 1)


def test_large_instances_build():
    for name in ("extended-rosenbrock", "trid", "broyden-tridiagonal", "dixon-price"):
        p = problems.get(name, n=1000)
        assert p.n == 1000 and np.isfinite(p.objective(p.x0))


@pytest.mark.parametrize("name", ["extended-rosenbrock", "quadratic-cond1e6", "zakharov"])
def test_o_n_problems_take_any_n_that_fits_in_memory(name):
    p = problems.spec(name).build(1_000_000)  # not cached: a million-variable problem
    assert p.n == 1_000_000 and np.isfinite(p.objective(p.x0))


@pytest.mark.parametrize("name, n", [("watson", 6), ("watson", 9), ("penalty2", 4),
                                     ("penalty2", 10), ("chebyquad", 8), ("chebyquad", 10)])
def test_tabulated_fstar_is_a_minimum_reached_from_the_start(name, n):
    """f* with no closed form: a tight Levenberg-Marquardt solve from x0 reproduces it."""
    p = problems.get(name, n=n)
    sol = least_squares(p.residuals, p.x0.copy(), method="lm", xtol=1e-15, ftol=1e-15,
                        gtol=1e-15, max_nfev=20000)
    assert p.objective(sol.x) == pytest.approx(p.fstar, rel=1e-7, abs=1e-14)


def test_lj13_optimum_matches_the_cambridge_cluster_database():
    p = problems.get("lj13")
    assert round(p.fstar, 6) == -44.326801
    assert p.is_solved(-44.3268014)


def test_freudenstein_roth_records_the_global_minimum():
    p = problems.get("freudenstein-roth")
    assert p.fstar == 0.0 and "48.98" in p.description


def test_problems_whose_start_reaches_a_local_minimum_are_tagged():
    assert set(problems.names("start-local-min")) == {
        "freudenstein-roth", "biggs-exp6", "trigonometric", "hs2", "hs25"}
