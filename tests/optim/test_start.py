"""The one x0 checker (optkit/optim/start.py), as the driver, the SciPy adapter and
optkit.least_squares call it."""

import numpy as np
import pytest

import optkit
import optkit.scipy as oks
from optkit.optim.start import check_x0


def test_fresh_float_vector():
    x0 = np.array([1, 2], dtype=np.int64)
    x = check_x0(x0)
    assert x.dtype == np.float64 and x.tolist() == [1.0, 2.0]
    x[0] = 5.0
    assert x0[0] == 1
    assert check_x0(3).tolist() == [3.0]
    assert check_x0(np.array([1.5, 2.5], dtype=object)).tolist() == [1.5, 2.5]


@pytest.mark.parametrize("x0, error, match", [
    (np.zeros((2, 2)), ValueError, r"start must be 1-D, got an array of shape \(2, 2\)"),
    ([], ValueError, "start must have at least one element"),
    ([1.0, np.inf], ValueError, "start must be finite"),
    (np.array([1j]), TypeError, "start must be .*real.*complex128"),
    (["a"], TypeError, "start must be .*real"),
    ([1.0, "a"], TypeError, "start must be .*real"),
    ([[1.0], [2.0, 3.0]], TypeError, "start must be .*real"),
])
def test_bad_start_names_the_argument(x0, error, match):
    with pytest.raises(error, match=match):
        check_x0(x0, name="start")


def test_allowances_and_hint():
    assert check_x0([], allow_empty=True).size == 0
    assert np.isnan(check_x0([np.nan], allow_nonfinite=True)).all()
    with pytest.raises(ValueError, match="shape .*; ravel it"):
        check_x0(np.zeros((1, 1, 1)), shape_hint="; ravel it")


def _sq(x):
    return x @ x


def test_callers_share_the_messages():
    for call in (lambda x0: optkit.minimize(_sq, x0),
                 lambda x0: optkit.least_squares(lambda x: x, x0)):
        with pytest.raises(ValueError, match="x0 must be finite"):
            call([1.0, np.nan])
        with pytest.raises(ValueError, match="x0 must have at least one element"):
            call([])
    # the SciPy adapter passes a non-finite start on, as SciPy does; it still refuses complex
    with pytest.raises(TypeError, match="x0 must be .*real"):
        oks.minimize(_sq, np.array([1j, 2j]), method="BFGS")
