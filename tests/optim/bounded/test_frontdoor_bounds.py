"""optkit.minimize(..., bounds=...): the forms of as_bounds, x0 projected with one warning,
active_mask, x exactly in the box, AD gradients never asked outside it."""

import numpy as np
import pytest
import scipy.optimize as so

import optkit


def _f(x):
    return np.sum((x - np.array([2.0, -3.0, 0.5])) ** 2)


@pytest.mark.parametrize("bounds", [
    [(0, 1), (-1, None), (None, None)],
    so.Bounds([0, -1, -np.inf], [1, np.inf, np.inf]),
    optkit.Bounds([0, -1, None], [1, None, None]),
])
def test_forms_of_bounds(bounds):
    res = optkit.minimize(_f, np.zeros(3), bounds=bounds)
    assert res.success, res.message
    np.testing.assert_allclose(res.x, [1.0, -1.0, 0.5], atol=1e-6)
    assert res.x[0] == 1.0 and res.x[1] == -1.0
    np.testing.assert_array_equal(res.active_mask, [1, -1, 0])


def test_x0_outside_one_warning_naming_the_count():
    with pytest.warns(UserWarning, match="2 of 3 components") as caught:
        res = optkit.minimize(_f, [5.0, -7.0, 0.0], bounds=[(0, 1), (-1, None), (None, None)])
    assert len([w for w in caught if "components" in str(w.message)]) == 1
    assert res.success


def test_objective_undefined_outside_the_box():
    # x log x is nan below 0 (numpy raises here): its minimum e^-1.5 = 0.223 per variable,
    # with a lower bound 0.3 active on half of them
    def f(x):
        return np.sum(x * np.log(x) + 0.5 * x)

    lb = np.array([0.001, 0.3, 0.001, 0.3])
    with np.errstate(invalid="raise", divide="raise"):
        res = optkit.minimize(f, np.full(4, 2.0), bounds=optkit.Bounds(lb, None))
    assert res.success, res.message
    np.testing.assert_allclose(res.x, [np.exp(-1.5), 0.3, np.exp(-1.5), 0.3], rtol=1e-5)
    np.testing.assert_array_equal(res.active_mask, [0, -1, 0, -1])


def test_bad_bounds_name_the_index():
    with pytest.raises(ValueError, match=r"bounds\[1\]"):
        optkit.minimize(_f, np.zeros(3), bounds=[(0, 1), (2, 1), (None, None)])
