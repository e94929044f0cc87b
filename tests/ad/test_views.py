"""ad/views.py: a traced view is a copy, so stale views and writes through views are refused."""

import numpy as np
import pytest

import optkit
from optkit.ad.core import NotDifferentiableError

from .table import fd_grad


def test_reading_a_view_after_its_base_was_written_is_refused():
    def f(x):
        y = x * 1.0
        v = y[:2]
        y[0] = 5.0
        return np.sum(v)

    with pytest.raises(NotDifferentiableError, match="used after its base"):
        optkit.grad(f)(np.ones(3))


def test_writing_through_a_view_is_refused():
    def f(x):
        y = x * 1.0
        y[:2][0] = 5.0
        return np.sum(y)

    with pytest.raises(NotDifferentiableError, match="through a view"):
        optkit.grad(f)(np.ones(3))


def test_an_update_through_a_view_must_be_assigned_back_before_use():
    def f(x):
        y = x * 1.0
        v = y[:2]
        v += 1.0
        return np.sum(y)

    with pytest.raises(NotDifferentiableError, match="assigned back"):
        optkit.grad(f)(np.ones(3))


def test_views_taken_after_a_write_and_augmented_item_assignment_work():
    def f(x):
        y = x * 1.0
        y[0] = y[0] ** 2
        y[1:] += x[:2]
        return np.sum(y[:2] * y.reshape(3)[1:])

    x = np.array([1.5, -0.5, 2.0])
    np.testing.assert_allclose(optkit.grad(f)(x), fd_grad(f, x), rtol=1e-7)
