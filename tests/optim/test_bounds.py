"""optkit.optim.bounds: every input form, every error naming its index, and the box geometry
(projection, projected gradient, active set, max step, breakpoints) against brute force."""

import numpy as np
import pytest
import scipy.optimize

from optkit.optim.bounds import Bounds, as_bounds

INF = np.inf


def assert_box(box, lb, ub):
    assert isinstance(box, Bounds)
    assert box.lb.dtype == box.ub.dtype == np.float64
    np.testing.assert_array_equal(box.lb, lb)
    np.testing.assert_array_equal(box.ub, ub)


# ---------------------------------------------------------------- input forms

@pytest.mark.parametrize("bounds", [
    [(0, 1), (None, 2), (-1, None), (None, None)],
    [(0.0, 1.0), (-INF, 2.0), (-1.0, INF), (-INF, INF)],
    ((0, 1), (None, 2), (-1, None), (None, None)),
    np.array([[0, 1], [-INF, 2], [-1, INF], [-INF, INF]]),
    [(np.float32(0), np.array(1)), (None, np.array([2.0])), (np.int64(-1), None), (None, None)],
    scipy.optimize.Bounds([0, -INF, -1, -INF], [1, 2, INF, INF]),
    Bounds([0, None, -1, None], [1, 2, None, None]),
], ids=["list-of-tuples", "infinities", "tuple-of-tuples", "array-n-by-2", "numpy-scalars",
        "scipy-Bounds", "optkit-Bounds"])
def test_every_form_gives_the_same_box(bounds):
    assert_box(as_bounds(bounds, 4), [0, -INF, -1, -INF], [1, 2, INF, INF])


def test_none_means_no_bounds():
    assert as_bounds(None, 3) is None


def test_scalars_broadcast_as_in_scipy_bounds():
    assert_box(as_bounds(Bounds(0, 1), 3), [0, 0, 0], [1, 1, 1])
    assert_box(as_bounds(Bounds(lb=0), 2), [0, 0], [INF, INF])
    assert_box(as_bounds(Bounds(ub=[1, 2]), 2), [-INF, -INF], [1, 2])
    assert_box(as_bounds(scipy.optimize.Bounds(-1, 1), 3), [-1] * 3, [1] * 3)
    assert_box(as_bounds(Bounds([0], 1), 2), [0, 0], [1, 1])


def test_a_single_pair_applies_to_every_variable_as_scipy_minimize_does():
    assert_box(as_bounds([(0, 1)], 3), [0, 0, 0], [1, 1, 1])
    res = scipy.optimize.minimize(lambda x: np.sum((x - 2) ** 2), np.zeros(3),
                                  method="L-BFGS-B", bounds=[(0, 1)])
    np.testing.assert_allclose(res.x, 1.0)


def test_a_bare_two_tuple_is_pairs_never_one_box():
    assert_box(as_bounds(((0, 1), (2, 3)), 2), [0, 2], [1, 3])
    for n in (1, 2, 3):
        with pytest.raises(ValueError, match=r"bounds\[0\] must be a \(lo, hi\) pair.*bare"):
            as_bounds((0, 1), n)
    with pytest.raises(TypeError):  # scipy refuses it too
        scipy.optimize.minimize(lambda x: x @ x, np.ones(2), method="L-BFGS-B", bounds=(0, 1))


def test_lower_equal_upper_is_a_fixed_variable():
    box = as_bounds([(1, 1), (0, 2)], 2)
    np.testing.assert_array_equal(box.project([5.0, 5.0]), [1.0, 2.0])
    np.testing.assert_array_equal(box.active_mask([1.0, 1.0]), [1, 0])  # as least_squares


def test_bounds_are_read_only_copies():
    lb = np.zeros(3)
    box = Bounds(lb, 1.0)
    lb[0] = -5.0
    assert box.lb[0] == 0.0
    with pytest.raises(ValueError):
        box.lb[1] = 3.0
    with pytest.raises(AttributeError):
        box.lb = np.ones(3)


def test_is_unbounded():
    assert as_bounds([(None, None)] * 3, 3).is_unbounded
    assert Bounds().is_unbounded
    assert as_bounds(scipy.optimize.Bounds(), 2).is_unbounded
    assert not as_bounds([(None, None), (None, 1e300)], 2).is_unbounded
    assert not Bounds(-1e308).is_unbounded


# ---------------------------------------------------------------- errors

@pytest.mark.parametrize("bounds, n, message", [
    ([(0, 1), (0, 1), (0, 1), (2.0, 1.0)], 4, r"^bounds\[3\]: lower 2\.0 > upper 1\.0$"),
    ([(0, 1), (np.nan, 1)], 2, r"^bounds\[1\]: lower bound is NaN$"),
    ([(0, np.nan), (0, 1)], 2, r"^bounds\[0\]: upper bound is NaN$"),
    ([(0, 1), (INF, None)], 2, r"^bounds\[1\]: lower bound is \+inf"),
    ([(None, -INF), (0, 1)], 2, r"^bounds\[0\]: upper bound is -inf"),
    ([(0, 1), (0, 1, 2)], 2, r"^bounds\[1\] must be a \(lo, hi\) pair"),
    ([(0, 1), 5], 2, r"^bounds\[1\] must be a \(lo, hi\) pair"),
    ([(0, 1), ("a", 1)], 2, r"^bounds\[1\]: lower bound must be a number"),
    ([(0, 1), (0, [1, 2])], 2, r"^bounds\[1\]: upper bound must be a number"),
    ([(0, 1)] * 3, 2, r"3 \(lo, hi\) pairs for 2 variables"),
    ([], 2, r"0 \(lo, hi\) pairs for 2 variables"),
    (Bounds([0, 1, 2]), 2, r"3 entries for 2 variables"),
    (scipy.optimize.Bounds([0, 0], [1, 1]), 3, r"2 entries for 3 variables"),
    (scipy.optimize.Bounds([0, 3, 0], [1, 2, 1]), 3, r"^bounds\[1\]: lower 3\.0 > upper 2\.0$"),
])
def test_bad_bounds_name_the_index(bounds, n, message):
    with pytest.raises(ValueError, match=message):
        as_bounds(bounds, n)


@pytest.mark.parametrize("lb, ub, message", [
    ([0, 5, 0], [1, 1, 1], r"^bounds\[1\]: lower 5\.0 > upper 1\.0$"),
    ([0, None, np.nan], 1, r"^bounds\[2\]: lower bound is NaN$"),
    ([0, 0], [1, 1, 1], r"lb has 2 entries but ub has 3"),
    ([[0, 1]], 1, r"lb must be a scalar or a 1-D array"),
    ([], [], r"must not be empty"),
    (["a"], 1, r"lb must hold numbers"),
    ([None, "a"], 1, r"^bounds\[1\]: lb must be a number or None"),
])
def test_bad_optkit_bounds_name_the_index(lb, ub, message):
    with pytest.raises(ValueError, match=message):
        Bounds(lb, ub)


@pytest.mark.parametrize("bounds", ["0,1", 3.0, object()])
def test_a_value_that_is_no_form_of_bounds_is_a_type_error(bounds):
    with pytest.raises(TypeError, match="bounds must be"):
        as_bounds(bounds, 2)


@pytest.mark.parametrize("n", [0, -1, 2.0, True, None])
def test_n_must_be_a_positive_integer(n):
    with pytest.raises(ValueError, match="n must be a positive integer"):
        as_bounds([(0, 1)], n)


# ---------------------------------------------------------------- geometry

def random_box(rng, n):
    """A box mixing finite, one-sided, free and fixed components, and a point inside it."""
    lb = rng.uniform(-2, 0, n)
    ub = lb + rng.uniform(0, 3, n)
    kind = rng.integers(0, 5, n)
    lb[kind == 1] = -INF
    ub[kind == 2] = INF
    lb[kind == 3], ub[kind == 3] = -INF, INF
    ub[kind == 4] = lb[kind == 4]
    box = Bounds(lb, ub)
    x = box.project(rng.uniform(-3, 3, n))
    at = rng.random(n) < 0.3  # put some components on a bound
    side = np.where(rng.random(n) < 0.5, lb, ub)
    at &= np.isfinite(side)
    x[at] = side[at]
    return box, x


def test_projection_is_exact():
    rng = np.random.default_rng(0)
    box, _ = random_box(rng, 500)
    z = 4.0 * rng.standard_normal(500)
    p = box.project(z)
    inside = (z >= box.lb) & (z <= box.ub)
    assert np.array_equal(p[inside], z[inside])       # bit for bit
    assert np.array_equal(p[z < box.lb], box.lb[z < box.lb])
    assert np.array_equal(p[z > box.ub], box.ub[z > box.ub])
    assert box.contains(p) and np.array_equal(box.project(p), p)   # idempotent
    assert p is not z and not np.shares_memory(p, z)
    np.testing.assert_array_equal(p, np.clip(z, box.lb, box.ub))


def test_contains():
    box = Bounds([0, -1], [1, 1])
    assert box.contains([0.0, 1.0])
    assert not box.contains([np.nextafter(0.0, -1.0), 0.0])
    assert not box.contains([np.nan, 0.0])


def test_project_x0_counts_the_components_moved():
    box = Bounds([0, 0, 0, None], [1, 1, 1, 0])
    x, moved = box.project_x0([-1.0, 0.5, 2.0, 0.0])
    np.testing.assert_array_equal(x, [0.0, 0.5, 1.0, 0.0])
    assert moved == 2
    x, moved = box.project_x0([0.0, 1.0, 0.25, -7.0])
    assert moved == 0 and np.array_equal(x, [0.0, 1.0, 0.25, -7.0])


def brute_projected_gradient(box, x, g):
    out = np.empty_like(x)
    for i in range(x.size):
        z = x[i] - g[i]
        out[i] = min(max(z, box.lb[i]), box.ub[i]) - x[i]
    return out


def test_projected_gradient_against_its_definition():
    rng = np.random.default_rng(1)
    box, x = random_box(rng, 300)
    g = 3.0 * rng.standard_normal(300)
    pg = box.projected_gradient(x, g)
    np.testing.assert_array_equal(pg, brute_projected_gradient(box, x, g))
    assert box.projected_gradient_norm(x, g) == np.max(np.abs(pg))
    # zero at a bound the gradient pushes against, -g at a free component
    at_lower = (x == box.lb) & (box.lb < box.ub)
    assert np.all(pg[at_lower & (g > 0)] == 0.0)
    free = (x > box.lb) & (x < box.ub) & (x - g > box.lb) & (x - g < box.ub)
    np.testing.assert_allclose(pg[free], -g[free], rtol=0, atol=1e-15 * 8)


def test_projected_gradient_is_the_gradient_when_unbounded():
    rng = np.random.default_rng(2)
    x, g = rng.standard_normal(50), rng.standard_normal(50)
    box = as_bounds([(None, None)], 50)
    np.testing.assert_allclose(box.projected_gradient(x, g), -g, rtol=1e-15, atol=1e-15)
    assert box.projected_gradient_norm(x, g) == pytest.approx(np.max(np.abs(g)), rel=1e-15)


def test_active_mask_matches_least_squares_convention():
    box = Bounds([0, 0, -INF, 1, 0], [1, INF, 0, 1, 1])
    x = np.array([0.0, 5.0, 0.0, 1.0, 0.5])
    np.testing.assert_array_equal(box.active_mask(x), [-1, 0, 1, 1, 0])
    near = np.array([1e-12, 5.0, -1e-12, 1.0, 1 - 1e-12])
    np.testing.assert_array_equal(box.active_mask(near), [0, 0, 0, 1, 0])
    np.testing.assert_array_equal(box.active_mask(near, rtol=1e-10), [-1, 0, 1, 1, 1])
    with pytest.raises(ValueError, match="rtol"):
        box.active_mask(x, rtol=-1.0)
    # least_squares reports the same mask on a problem solved onto these bounds (it refuses
    # lb == ub, so the fixed component is left out)
    box = Bounds([0, 0, -INF, 0], [1, INF, 0, 1])
    res = scipy.optimize.least_squares(lambda z: z - [-1.0, 2.0, 3.0, 0.5],
                                       np.array([0.5, 0.5, -0.5, 0.5]), bounds=(box.lb, box.ub))
    assert list(res.active_mask) == [-1, 0, 1, 0]
    np.testing.assert_array_equal(box.active_mask(res.x, rtol=1e-8), res.active_mask)


def brute_max_step(box, x, d):
    """Bisection on alpha for feasibility of x + alpha d (monotone: the box is convex)."""
    if box.contains(x + 1e30 * d):
        return INF
    lo, hi = 0.0, 1e30
    for _ in range(3000):
        mid = 0.5 * (lo + hi)
        if box.contains(x + mid * d):
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-14 * hi:
            break
    return lo


def test_max_step_against_bisection():
    rng = np.random.default_rng(3)
    for _ in range(20):
        box, x = random_box(rng, 8)
        x = box.project(x + 0.01 * rng.standard_normal(8))   # mostly interior
        d = rng.standard_normal(8)
        d[rng.random(8) < 0.2] = 0.0
        alpha = box.max_step(x, d)
        brute = brute_max_step(box, x, d)
        if np.isinf(brute):
            assert np.isinf(alpha)
        else:
            # (bisection cannot resolve steps below the rounding of x: abs=1e-14)
            assert alpha == pytest.approx(brute, rel=1e-12, abs=1e-14)
            assert box.contains(box.project(x + alpha * d))
            # one component sits on its bound after the step (up to rounding)
            step = x + alpha * d
            gap = np.minimum(np.abs(step - box.lb), np.abs(step - box.ub))
            assert np.min(gap) <= 1e-12 * max(1.0, np.max(np.abs(step[np.isfinite(gap)])))


def test_max_step_special_cases():
    box = Bounds([0, 0], [1, INF])
    assert box.max_step([0.5, 0.5], [0.0, 1.0]) == INF
    assert box.max_step([0.5, 0.5], [2.0, 1.0]) == 0.25
    assert box.max_step([0.0, 0.5], [-1.0, 0.0]) == 0.0   # on the bound, pointing out
    assert box.max_step([0.0, 0.5], [1.0, -0.25]) == 1.0  # on the bound, pointing in
    assert box.max_step([0.5, 0.5], [0.0, 0.0]) == INF


def test_breakpoints_against_brute_force_along_the_projected_path():
    rng = np.random.default_rng(4)
    n = 40
    box, x = random_box(rng, n)
    d = rng.standard_normal(n)
    d[:4] = 0.0
    bp = box.breakpoints(x, d)
    t, order = bp
    # order lists exactly the components with 0 < t_i < inf, sorted
    assert set(order) == set(np.flatnonzero((t > 0) & np.isfinite(t)))
    assert np.all(np.diff(t[order]) >= 0)
    # brute force: on a fine grid of s, component i follows x_i + s d_i strictly inside the
    # box for s < t_i and sits on its bound for s >= t_i
    finite = t[np.isfinite(t)]
    s_grid = np.unique(np.concatenate([np.linspace(0, 1.5 * finite.max(), 2001), finite]))
    for s in s_grid:
        path = box.project(x + s * d)
        before = s < t
        np.testing.assert_allclose(path[before], x[before] + s * d[before], rtol=0,
                                   atol=1e-14)
        after = ~before
        bound = np.where(d > 0, box.ub, box.lb)
        np.testing.assert_allclose(path[after & (d != 0)], bound[after & (d != 0)],
                                   rtol=0, atol=1e-14)
    # each finite t_i is the first grid-free crossing: just before it the component is off
    # its bound, which the brute definition by bisection confirms
    for i in order[:10]:
        one = Bounds(box.lb[i], box.ub[i])
        assert t[i] == pytest.approx(brute_max_step(one, x[i:i + 1], d[i:i + 1]), rel=1e-12)


def test_breakpoints_zero_and_infinite():
    box = Bounds([0, 0, 0, -INF], [1, 1, 1, INF])
    bp = box.breakpoints(np.array([0.0, 1.0, 0.5, 0.0]), np.array([-1.0, -2.0, 0.0, 3.0]))
    np.testing.assert_array_equal(bp.t, [0.0, 0.5, INF, INF])
    np.testing.assert_array_equal(bp.order, [1])
    # eq. (4.2) of Byrd, Lu, Nocedal & Zhu: sorted, zeros and duplicates removed
    box = Bounds(np.zeros(5), np.ones(5))
    bp = box.breakpoints(np.full(5, 0.5), np.array([1.0, -1.0, 2.0, 0.5, -0.5]))
    np.testing.assert_array_equal(bp.order, [2, 0, 1, 3, 4])
    np.testing.assert_array_equal(np.unique(bp.t[bp.order]), [0.25, 0.5, 1.0])
