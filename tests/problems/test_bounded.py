"""The bound-constrained problems (tag "bounds"): their data proves itself.

x* lies in its box and is first-order stationary there (projected gradient ~ 0), f(x*) = f*,
hand-written derivatives match the AD, and scipy's L-BFGS-B with optkit's exact derivatives
reaches f* from the problem's start (which checks the data, not our solvers).
"""

import numpy as np
import pytest
import scipy.optimize
from optkit.problems import minpack2

import optkit
import optkit.scipy
from optkit import problems
from optkit.optim.bounds import Bounds

from .test_catalog import central_gradient

BOUNDED = problems.names("bounds")
MINPACK2 = ["torsion", "journal-bearing"]


def start(p):
    return p.bounds.project(p.x0)


def lbfgsb(p, x0, **options):
    opts = dict(ftol=1e-14, gtol=1e-12, maxiter=50_000, maxfun=100_000) | options
    return optkit.scipy.minimize(p.objective, x0, method="L-BFGS-B",
                                 bounds=scipy.optimize.Bounds(p.bounds.lb, p.bounds.ub),
                                 options=opts)


def test_at_least_fifteen_bounded_problems_with_known_f_star():
    assert len(BOUNDED) >= 15
    assert all(problems.get(name).fstar is not None for name in BOUNDED)
    scalable = [name for name in BOUNDED if problems.spec(name).scalable]
    assert {"torsion", "journal-bearing"} <= set(scalable)
    for name in MINPACK2:  # f* recorded at n >= 1e5
        p = problems.get(name, n=320 * 320)
        assert p.n >= 100_000 and p.fstar is not None


@pytest.mark.parametrize("spec", problems.specs(), ids=problems.names())
def test_bounds_tag_marks_exactly_the_bounded_problems(spec):
    p = problems.get(spec.name)
    assert ("bounds" in spec.tags) == (p.bounds is not None)
    if p.bounds is not None:
        assert isinstance(p.bounds, Bounds) and p.bounds.lb.shape == (p.n,)
        assert not p.bounds.is_unbounded


WITH_XSTAR = [name for name in BOUNDED if problems.get(name).xstar is not None]


@pytest.mark.parametrize("name", WITH_XSTAR)
def test_xstar_is_in_the_box_and_gives_fstar(name):
    p = problems.get(name)
    assert p.bounds.contains(p.xstar)
    assert abs(p.objective(p.xstar.copy()) - p.fstar) <= 1e-12 * max(1.0, abs(p.fstar))


@pytest.mark.parametrize("name", WITH_XSTAR)
def test_xstar_is_first_order_stationary_in_the_box(name):
    p = problems.get(name)
    g = np.asarray(optkit.grad(p.objective)(p.xstar.copy()))
    # scale-free: the step P(x - g) - x relative to the size of x and of g
    scale = max(1.0, np.max(np.abs(p.xstar)))
    assert p.bounds.projected_gradient_norm(p.xstar, g) <= 1e-9 * scale
    # and not stationary without the box whenever a bound is active with a multiplier
    if np.any(p.bounds.active_mask(p.xstar)):
        assert np.max(np.abs(g)) > 1e-6


def test_some_bounds_are_active_at_the_solutions():
    active = {name: int(np.count_nonzero(problems.get(name).bounds.active_mask(
        problems.get(name).xstar))) for name in WITH_XSTAR}
    assert {name for name, k in active.items() if k} >= {
        "hs2", "hs3", "hs4", "hs45", "rosenbrock-box", "extended-rosenbrock-box",
        "powell-badly-scaled-box", "trid-box"}
    assert active["hs45"] == 5 and active["hs4"] == 2


@pytest.mark.parametrize("name", BOUNDED)
def test_ad_gradient_matches_differences_inside_the_box(name):
    spec = problems.spec(name)
    p = problems.get(name, n=12 if spec.scalable else None)
    rng = np.random.default_rng(0)
    lo = np.maximum(p.bounds.lb, -5.0)
    hi = np.minimum(p.bounds.ub, lo + 10.0)
    inside = lo + (hi - lo) * rng.uniform(0.1, 0.9, p.n)
    grad = optkit.grad(p.objective)
    for x in (start(p), inside):
        # keep the difference stencil inside the box
        x = np.clip(x, p.bounds.lb + 1e-5 * np.maximum(1, np.abs(x)),
                    p.bounds.ub - 1e-5 * np.maximum(1, np.abs(x)))
        fd = central_gradient(p.objective, x)
        g = np.asarray(grad(x))
        np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-7 * max(1.0, np.max(np.abs(fd))))
        if p.gradient is not None:
            np.testing.assert_allclose(p.gradient(x), g, rtol=1e-11,
                                       atol=1e-12 * max(1.0, np.max(np.abs(g))))


@pytest.mark.parametrize("name", [n for n in BOUNDED if "start-local-min" not in
                                  problems.spec(n).tags])
def test_scipy_lbfgsb_reaches_fstar_from_the_start(name):
    p = problems.get(name)
    res = lbfgsb(p, p.x0.copy())
    assert p.bounds.contains(res.x)
    assert p.is_solved(res.fun), (res.fun, p.fstar, res.message)


# start-local-min: the start leads to the value in the description; from near x* L-BFGS-B
# reaches f* (so f* is reachable and recorded right)
LOCAL = {"hs2": 4.941229317989186, "hs25": 32.835}


@pytest.mark.parametrize("name", sorted(LOCAL))
def test_start_local_min_problems_reach_the_documented_value(name):
    p = problems.get(name)
    assert "start-local-min" in p.tags and str(LOCAL[name])[:5] in p.description
    res = lbfgsb(p, p.x0.copy())
    assert res.fun == pytest.approx(LOCAL[name], rel=1e-6)
    assert not p.is_solved(res.fun)
    near = p.bounds.project(p.xstar * (1 + 0.05 * np.random.default_rng(1).standard_normal(p.n)))
    res = lbfgsb(p, near)
    assert p.is_solved(res.fun), (res.fun, p.fstar)


def test_hs2_global_minimum_is_below_the_cutest_local_one():
    p = problems.get("hs2")
    local = np.array([-1.2210262421071017, 1.5])
    assert p.objective(local) == pytest.approx(LOCAL["hs2"], rel=1e-14)
    g = np.asarray(optkit.grad(p.objective)(local))
    assert p.bounds.projected_gradient_norm(local, g) <= 1e-9   # a genuine local minimum
    assert p.fstar < 0.051


# ---------------------------------------------------------------- trid-box

@pytest.mark.parametrize("n", [2, 3, 4, 5, 6, 7, 10, 31, 100, 1000])
def test_trid_box_solution_satisfies_kkt_and_matches_lbfgsb(n):
    p = problems.get("trid-box", n=n)
    assert p.bounds.contains(p.xstar)
    g = p.gradient(p.xstar)
    assert p.bounds.projected_gradient_norm(p.xstar, g) <= 1e-10 * n
    assert np.any(p.xstar == n / 2.0)           # the upper bound is active
    if n <= 100:
        res = lbfgsb(p, p.x0.copy())
        assert p.is_solved(res.fun, rtol=1e-9)


# ---------------------------------------------------------------- MINPACK-2

def fortran_loops(name, nx, ny, x):
    """deptfg / dpjbfg transcribed loop by loop (1-based k = nx (j - 1) + i), f only."""
    def at(k):
        return x[k - 1]

    if name == "torsion":
        hx, hy, c = 1.0 / (nx + 1), 1.0 / (ny + 1), 5.0

        def weight_lower(i):
            return 0.5 * hx * hy

        weight_upper = weight_lower
    else:
        ecc, b = 0.1, 10.0
        hx, hy = 2 * np.pi / (nx + 1), 2 * b / (ny + 1)

        def p(xi):
            return (1 + ecc * np.cos(xi)) ** 3

        def weight_lower(i):
            xi = i * hx
            return hx * hy * (p(xi) + p(xi + hx) + p(xi)) / 6

        def weight_upper(i):
            xi = i * hx
            return hx * hy * (p(xi) + p(xi - hx) + p(xi)) / 6

    fquad = flin = 0.0
    for j in range(ny + 1):
        for i in range(nx + 1):
            k = nx * (j - 1) + i
            v = at(k) if i >= 1 and j >= 1 else 0.0
            vr = at(k + 1) if i < nx and j > 0 else 0.0
            vt = at(k + nx) if i > 0 and j < ny else 0.0
            q = ((vr - v) / hx) ** 2 + ((vt - v) / hy) ** 2
            if name == "torsion":
                fquad += q
                flin -= c / 3 * (v + vr + vt)
            else:
                fquad += weight_lower(i) * q
    for j in range(1, ny + 2):
        for i in range(1, nx + 2):
            k = nx * (j - 1) + i
            vb = at(k - nx) if i <= nx and j > 1 else 0.0
            vl = at(k - 1) if i > 1 and j <= ny else 0.0
            v = at(k) if i <= nx and j <= ny else 0.0
            q = ((v - vl) / hx) ** 2 + ((v - vb) / hy) ** 2
            if name == "torsion":
                fquad += q
                flin -= c / 3 * (vb + vl + v)
            else:
                fquad += weight_upper(i) * q
    if name == "torsion":
        return 0.5 * hx * hy * (0.5 * fquad + flin)
    lin = sum(np.sin(i * hx) * at(nx * (j - 1) + i) for i in range(1, nx + 1)
              for j in range(1, ny + 1))
    return 0.5 * fquad - 0.1 * hx * hy * lin


@pytest.mark.parametrize("name", MINPACK2)
@pytest.mark.parametrize("n", [1, 3, 12, 20, 49])
def test_minpack2_objective_is_the_fortran(name, n):
    p = problems.get(name, n=n)
    nx, ny = minpack2.grid_shape(n)
    rng = np.random.default_rng(n)
    for x in (p.x0, rng.standard_normal(n)):
        assert p.objective(x) == pytest.approx(fortran_loops(name, nx, ny, x), rel=1e-13,
                                               abs=1e-15)


@pytest.mark.parametrize("name", MINPACK2)
def test_minpack2_hand_written_derivatives_match_the_ad(name):
    p = problems.get(name, n=30)                 # a 5 x 6 grid
    rng = np.random.default_rng(0)
    x, v = rng.standard_normal(30), rng.standard_normal(30)
    g = np.asarray(optkit.grad(p.objective)(x))
    np.testing.assert_allclose(p.gradient(x), g, rtol=1e-12, atol=1e-13)
    hv = np.asarray(optkit.hvp(p.objective, x, v))
    np.testing.assert_allclose(p.hessp(x, v), hv, rtol=1e-12, atol=1e-13)


def test_minpack2_grid_and_start():
    assert minpack2.grid_shape(2500) == (50, 50)
    assert minpack2.grid_shape(12) == (3, 4)
    assert minpack2.grid_shape(13) == (1, 13)
    torsion = problems.get("torsion")
    # the standard start is the upper bound (deptfg 'XS' = 'XU'), the lower bound its negative
    np.testing.assert_array_equal(torsion.x0, torsion.bounds.ub)
    np.testing.assert_array_equal(torsion.bounds.lb, -torsion.bounds.ub)
    bearing = problems.get("journal-bearing")
    assert np.all(bearing.bounds.lb == 0) and np.all(bearing.bounds.ub == np.inf)
    assert problems.get("torsion", n=12).fstar is None        # no recorded grid: unknown


@pytest.mark.parametrize("name", MINPACK2)
def test_minpack2_fstar_on_the_10_by_10_grid(name):
    p = problems.get(name, n=100)
    res = lbfgsb(p, p.x0.copy())
    assert p.is_solved(res.fun, rtol=1e-10)
    assert np.count_nonzero(p.bounds.active_mask(res.x, rtol=1e-8)) > 0


# ---------------------------------------------------------------- problem files and records

def test_problem_record_normalises_and_checks_bounds():
    p = problems.Problem(name="q", description="d", objective=lambda x: x @ x, x0=[1.0, 2.0],
                         bounds=[(0, None), (None, 1)])
    assert isinstance(p.bounds, Bounds) and "bounds" in p.tags
    np.testing.assert_array_equal(p.bounds.ub, [np.inf, 1.0])
    with pytest.raises(problems.ProblemError, match=r"^q: bounds\[1\]: lower 3\.0 > upper 1\.0"):
        problems.Problem(name="q", description="d", objective=lambda x: x @ x, x0=[1.0, 2.0],
                         bounds=[(0, None), (3, 1)])
    with pytest.raises(problems.ProblemError, match=r"^q: bounds has 3"):
        problems.Problem(name="q", description="d", objective=lambda x: x @ x, x0=[1.0, 2.0],
                         bounds=[(0, 1)] * 3)


def write(tmp_path, text):
    path = tmp_path / "prob.py"
    path.write_text(text)
    return path


def test_a_problem_file_defines_bounds_in_every_form(tmp_path):
    for form in ("[(0, None), (None, 1)]", "optkit.Bounds([0, None], [None, 1])",
                 "scipy.optimize.Bounds([0, -np.inf], [np.inf, 1])"):
        path = write(tmp_path, f"import numpy as np, optkit, scipy.optimize\n"
                               f"x0 = [0.5, 0.5]\nbounds = {form}\n"
                               f"def objective(x):\n    return np.sum(x * x)\n")
        p = problems.load_file(path)
        np.testing.assert_array_equal(p.bounds.lb, [0.0, -np.inf])
        np.testing.assert_array_equal(p.bounds.ub, [np.inf, 1.0])
        assert "bounds" in p.tags


def test_a_problem_file_with_bad_bounds_names_the_file_and_index(tmp_path):
    path = write(tmp_path, "x0 = [0.5, 0.5]\nbounds = [(0, 1), (2, 1)]\n"
                           "def objective(x):\n    return x @ x\n")
    with pytest.raises(problems.ProblemError, match=r"prob\.py: bounds\[1\]: lower 2\.0 > "
                                                    r"upper 1\.0"):
        problems.load_file(path)
    path = write(tmp_path, "x0 = [0.5, 0.5]\nbounds = (0, 1)\n"
                           "def objective(x):\n    return x @ x\n")
    with pytest.raises(problems.ProblemError, match=r"prob\.py: bounds\[0\] must be a"):
        problems.load_file(path)


def test_a_problem_file_is_checked_where_the_solver_starts(tmp_path):
    # log is undefined at the given x0 = -1, but the solve starts at its projection 1e-3
    path = write(tmp_path, "import numpy as np\nx0 = [-1.0, 2.0]\n"
                           "bounds = [(1e-3, None), (1e-3, None)]\n"
                           "def objective(x):\n"
                           "    if np.any(x <= 0):\n        raise ValueError('log domain')\n"
                           "    return np.sum(x - np.log(x))\n")
    p = problems.load_file(path)
    np.testing.assert_array_equal(p.x0, [-1.0, 2.0])     # the file's x0 is kept as given


@pytest.mark.parametrize("name", MINPACK2)
@pytest.mark.parametrize("n", [100, 2500, 10000, 102400])
def test_grid_gtol_follows_the_gradients_scale(name, n):
    # the gradient at x = 0 is -b, the cell area times the PDE's right-hand side, so the
    # scaled gtol over gtol is the ratio of ||b||_inf on this grid to the default grid's
    ratio = minpack2.grid_gtol(n, 1e-5) / 1e-5
    b = -problems.get(name, n=n).gradient(np.zeros(n))
    b_default = -problems.get(name).gradient(np.zeros(2500))
    assert minpack2.grid_gtol(2500, 1e-5) == 1e-5
    assert ratio == pytest.approx(np.max(b) / np.max(b_default), rel=0.02)
