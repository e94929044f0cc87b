"""The one-point evaluation cache shared by Objective and the SciPy derivatives."""

import numpy as np

from optkit.optim.point_cache import PointCache, same_args


def test_a_hit_needs_the_exact_point_and_the_same_argument_objects():
    cache = PointCache()
    x = np.array([1.0, 2.0])
    data = np.ones(3)
    assert cache.lookup(x) is None
    cache.reset(x, (data,))["f"] = 5.0
    assert cache.lookup(np.array([1.0, 2.0]), (data,)) == {"f": 5.0}
    assert cache.lookup(np.array([1.0, np.nextafter(2.0, 3.0)]), (data,)) is None
    assert cache.lookup(np.array([1.0, 2.0]), (data.copy(),)) is None
    assert cache.lookup(np.array([1.0, 2.0, 3.0]), (data,)) is None


def test_the_point_is_a_private_read_only_copy():
    cache = PointCache()
    x = np.array([1.0, 2.0])
    cache.reset(x)["g"] = np.zeros(2)
    x[0] = 7.0  # the caller reuses its buffer
    assert cache.lookup(x) is None
    assert cache.lookup(np.array([1.0, 2.0])) is not None
    assert not cache.x.flags.writeable


def test_reset_forgets_what_was_known():
    cache = PointCache()
    cache.reset(np.zeros(2))["f"] = 1.0
    assert cache.reset(np.ones(2)) == {}
    assert cache.lookup(np.zeros(2)) is None


def test_nan_never_hits():
    cache = PointCache()
    cache.reset(np.array([np.nan]))["f"] = 0.0
    assert cache.lookup(np.array([np.nan])) is None


def test_same_args_compares_by_identity():
    a, b = np.zeros(2), np.zeros(2)
    assert same_args((a, b), (a, b)) and not same_args((a,), (b,)) and not same_args((a,), ())


def test_a_read_only_array_owning_its_data_is_kept_without_a_copy():
    """It cannot change, so it is known again by identity; anything else is copied."""
    cache = PointCache()
    x = np.array([1.0, 2.0])
    x.flags.writeable = False
    cache.reset(x)
    assert cache.x is x and cache.lookup(x) is not None
    base = np.array([1.0, 2.0, 3.0])
    view = base[:2]
    view.flags.writeable = False  # read-only, but its base can still be written
    cache.reset(view)
    assert cache.x is not view and not cache.x.flags.writeable
    base[0] = 7.0
    assert cache.lookup(np.array([1.0, 2.0])) is not None
    small = np.array([1.0, 2.0], dtype=np.float32)
    small.flags.writeable = False
    cache.reset(small)
    assert cache.x is not small and cache.x.dtype == np.float64


def test_short_and_long_points_are_compared_alike():
    """Up to 32 entries the points are compared as lists, beyond as arrays: same answers."""
    for n in (3, 100):
        cache = PointCache()
        x = np.linspace(-1.0, 1.0, n)
        x[0] = 0.0
        cache.reset(x)["f"] = 1.0
        negzero = x.copy()
        negzero[0] = -0.0  # equal as numbers: a hit
        assert cache.lookup(negzero) == {"f": 1.0}, n
        assert cache.lookup(x[:, None]) is None, n  # another shape
        assert cache.lookup(x[:-1]) is None, n
        cache.reset(np.arange(n))  # an integer point, stored as float64
        assert cache.lookup(np.arange(n)) == {}, n
        assert cache.lookup(np.arange(n, dtype=float)) == {}, n
        with_nan = np.arange(n, dtype=float)
        with_nan[-1] = np.nan
        cache.reset(with_nan)
        assert cache.lookup(with_nan.copy()) is None, n
