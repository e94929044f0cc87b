"""shipping: what travels to a worker comes back usable, numpy arrays with numpy's own dtype."""

import pickle
import threading

import numpy as np
import pytest

from optkit.distributed import minimize_many
from optkit.distributed.many import _solve_shipped
from optkit.distributed.shipping import native, ship, unship

F64 = np.dtype(np.float64)


def _unpickled(value):
    return pickle.loads(pickle.dumps(value))


def test_native_gives_numpys_own_dtype_and_shares_the_data():
    x = _unpickled(np.arange(6.0).reshape(2, 3))
    assert x.dtype is not F64 and x.dtype == F64  # what pickle does (numpy issue #6422)
    y = native(x)
    assert y.dtype is F64 and np.shares_memory(x, y) and y.shape == x.shape
    np.testing.assert_array_equal(y, x)
    assert native(y) is y


@pytest.mark.parametrize("dtype", [
    ">f8", "f8,i4", "M8[s]", np.dtype(np.float64, metadata={"unit": "m"})])
def test_native_leaves_dtypes_numpy_keeps_no_instance_of_alone(dtype):
    x = _unpickled(np.zeros(2, dtype=dtype))
    assert native(x) is x


@pytest.mark.parametrize("value", [3.0, np.float64(2.0), [1.0, 2.0]])
def test_native_leaves_what_is_not_an_array_alone(value):
    assert native(value) is value


def test_unship_gives_arrays_in_args_and_closures_numpys_dtype():
    data = np.arange(3.0)
    column = np.asfortranarray(np.ones((3, 2)))

    def fun(x):
        return float(data @ x)

    job = unship(ship(fun=fun, args=(data, column), options={"w": data}))
    assert job["args"][0].dtype is F64 and job["args"][1].dtype is F64
    assert job["options"]["w"].dtype is F64
    np.testing.assert_array_equal(job["args"][1], column)
    assert job["args"][1].flags.f_contiguous
    captured = job["fun"].__closure__[0].cell_contents
    assert captured.dtype is F64 and job["fun"](np.ones(3)) == 3.0


def test_unship_keeps_the_ship_error_for_what_cannot_travel():
    with pytest.raises(TypeError, match="args: cannot be sent"):
        ship(args=(threading.Lock(),))


def _strict(x):
    # np.dtype(...) is evaluated on the worker: a dtype object shipped inside the closure would
    # itself come back as a copy
    if x.dtype is not np.dtype(np.float64):
        raise TypeError("the solver's x has a copied dtype")
    return float(np.sum((x - 1.0) ** 2))


def test_a_worker_solves_from_starts_with_numpys_dtype():
    starts = _unpickled([np.zeros(3), np.full(3, 2.0)])
    assert starts[0].dtype is not F64
    payload = ship(fun=_strict, method="lbfgs", args=(), options={"jac": lambda x: 2 * (x - 1)})
    results = _solve_shipped(payload, 0, starts, "this test")
    assert all(r.success for r in results)


def test_results_from_other_processes_have_numpys_dtype():
    results = minimize_many(_strict, np.zeros((2, 3)), executor=1, jac=lambda x: 2 * (x - 1))
    assert all(r.success and r.x.dtype is F64 and r.jac.dtype is F64 for r in results)
