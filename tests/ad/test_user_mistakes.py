"""What a new user hit (issue 10, section 4): clear messages, no warnings of optkit's own."""

import warnings

import numpy as np
import pytest

import optkit
from optkit import TracerConversionError


def test_assignment_into_a_plain_array_names_the_fix():
    def f(x):
        y = np.zeros(3)
        y[0] = x[0] ** 2
        return np.sum(y)

    with pytest.raises(TracerConversionError) as info:
        optkit.grad(f)(np.ones(3))
    msg = str(info.value)
    assert "writing it into a plain numpy array" in msg
    assert "np.zeros_like(x)" in msg

    def fixed(x):  # the fix the message gives
        y = np.zeros_like(x)
        y[0] = x[0] ** 2
        return np.sum(y)

    np.testing.assert_array_equal(optkit.grad(fixed)(np.array([3.0, 1.0, 1.0])), [6.0, 0, 0])


NONFINITE = [
    ("log-of-negative", lambda x: np.sum(np.log(x)), [-1.0, 2.0]),
    ("log-of-zero", lambda x: np.sum(np.log(x)), [0.0, 2.0]),
    ("divide-by-zero", lambda x: np.sum(x / 0.0), [1.0, 2.0]),
    ("zero-over-zero", lambda x: np.sum(x / x), [0.0, 2.0]),
    ("sqrt-of-negative-squared", lambda x: np.sum(np.sqrt(x) ** 2), [-1.0, 4.0]),
]


def _numpy_warnings(f, x):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        f(x)
    return sorted(str(w.message) for w in caught)


@pytest.mark.parametrize("name, f, x", NONFINITE, ids=[r[0] for r in NONFINITE])
def test_reverse_pass_adds_no_warnings_where_f_is_not_finite(name, f, x):
    # numpy's own warnings for f (the user's computation) may show, as numpy shows them; the
    # derivative rules' arithmetic on the non-finite values adds none
    x = np.array(x)
    expected = _numpy_warnings(f, x)
    assert expected  # the case really is non-finite
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        optkit.value_and_grad(f)(x)
    assert sorted({str(w.message) for w in caught}) == sorted(set(expected))
