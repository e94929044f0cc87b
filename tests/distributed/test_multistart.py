"""multistart: Latin hypercube starts in the box, seeded; the best result with every run."""

import numpy as np
import pytest
import scipy.optimize

import optkit
from optkit.distributed import latin_hypercube, multistart


def _tilted_double_well(x):
    # per coordinate two minima; the tilt makes the one near -1 the global one
    return np.sum((x ** 2 - 1.0) ** 2 + 0.3 * x)


def _global_argmin_1d():
    roots = np.roots([4.0, 0.0, -4.0, 0.3])  # derivative 4x^3 - 4x + 0.3
    real = roots[np.isreal(roots)].real
    return real[np.argmin((real ** 2 - 1.0) ** 2 + 0.3 * real)]


def test_latin_hypercube_puts_one_point_in_each_slice_of_every_coordinate():
    lb, ub = np.array([-2.0, 0.0, 10.0]), np.array([2.0, 1.0, 10.5])
    points = latin_hypercube(lb, ub, 16, np.random.default_rng(0))
    assert points.shape == (16, 3)
    assert np.all(points >= lb) and np.all(points < ub)
    slices = np.floor((points - lb) / (ub - lb) * 16).astype(int)
    for column in slices.T:
        assert sorted(column) == list(range(16))


def test_finds_the_global_minimum_and_sorts_every_run():
    res = multistart(_tilted_double_well, [(-2.0, 2.0)] * 3, n_starts=32)
    assert len(res.all) == 32
    funs = [r.fun for r in res.all]
    assert funs == sorted(funs) and res.fun == funs[0]
    np.testing.assert_allclose(res.x, np.full(3, _global_argmin_1d()), atol=1e-5)
    assert res.success
    # a single local solve from the middle of the box does not find it: the starts matter
    assert optkit.minimize(_tilted_double_well, np.full(3, 0.5)).fun > res.fun + 0.1


def test_seed_fixes_the_starts():
    def starts(seed):
        res = multistart(_tilted_double_well, [(-2.0, 2.0)] * 2, n_starts=5, seed=seed)
        return sorted(map(tuple, (r.x0 for r in res.all)))

    assert starts(3) == starts(3)
    assert starts(3) != starts(4)


def test_bounds_forms_give_the_same_starts():
    pairs = [(-1.0, 2.0), (0.0, 3.0)]
    forms = [pairs, scipy.optimize.Bounds([-1.0, 0.0], [2.0, 3.0]),
             optkit.Bounds([-1.0, 0.0], [2.0, 3.0])]
    results = [multistart(_tilted_double_well, b, n_starts=4) for b in forms]
    for res in results[1:]:
        for got, want in zip(res.all, results[0].all, strict=True):
            np.testing.assert_array_equal(got.x0, want.x0)


def test_scalar_bounds_need_n():
    res = multistart(_tilted_double_well, optkit.Bounds(-2.0, 2.0), n_starts=3, n=4)
    assert all(r.x0.shape == (4,) for r in res.all)


def test_on_processes_equals_in_process():
    serial = multistart(_tilted_double_well, [(-2.0, 2.0)] * 2, n_starts=6)
    parallel = multistart(_tilted_double_well, [(-2.0, 2.0)] * 2, n_starts=6, executor=2)
    for got, want in zip(parallel.all, serial.all, strict=True):
        np.testing.assert_array_equal(got.x, want.x)
        np.testing.assert_array_equal(got.x0, want.x0)


@pytest.mark.parametrize("bounds, error, match", [
    ([(-1.0, np.inf)], ValueError, r"bounds\[0\].*finite"),
    ([(2.0, 1.0)], ValueError, r"bounds\[0\]"),
    (None, ValueError, "bounds"),
    (3.0, TypeError, "bounds"),
])
def test_bad_bounds_are_refused(bounds, error, match):
    with pytest.raises(error, match=match):
        multistart(_tilted_double_well, bounds, n_starts=2)


@pytest.mark.parametrize("n_starts", [0, 2.5, True])
def test_bad_n_starts_is_refused(n_starts):
    with pytest.raises(ValueError, match="n_starts"):
        multistart(_tilted_double_well, [(-1.0, 1.0)], n_starts=n_starts)


def test_solve_bounds_set_the_solves_own_bounds():
    def bowl(x):  # minimum at x = 3, outside the box of the starts
        return np.sum((x - 3.0) ** 2)

    boxed = multistart(bowl, [(-1.0, 1.0)], n_starts=3)
    free = multistart(bowl, [(-1.0, 1.0)], n_starts=3, solve_bounds=None)
    wide = multistart(bowl, [(-1.0, 1.0)], n_starts=3, solve_bounds=[(-1.0, 2.0)])
    assert boxed.x == pytest.approx([1.0]) and boxed.active_mask.tolist() == [1]
    assert free.x == pytest.approx([3.0], abs=1e-6)
    assert wide.x == pytest.approx([2.0])
    assert np.all(np.abs(np.array([r.x0 for r in free.all])) <= 1.0)  # starts in the box
