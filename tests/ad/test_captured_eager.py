"""Eager AD holds the arrays its traces keep read-only until the derivative is computed.

The reverse tape (and the forward trace's deferred tangents) keep f's plain arrays by
reference and read them after f returned: f writing into one after a traced computation used
it gave a silently wrong derivative (``c = [1, 2]; y = sum(c * (x - 1) ** 2); c[:] = 0.5``:
grad at 0 was [-1, -1] for [-2, -4]). Now the write raises ``InPlaceWriteError``, or the
derivative is right (forward mode reads its constants at once); flags are restored after.
"""

import threading

import numpy as np
import pytest

import optkit
from optkit.ad.captured import SNAPSHOT_BYTES, InPlaceWriteError, active

from .test_captured import _mutated_index

X = np.array([0.3, -0.2])
V = np.array([1.0, -2.0])


def _reproducer(x):
    c = np.array([1.0, 2.0])
    y = np.sum(c * (x - 1.0) ** 2)
    c[:] = 0.5  # after use: the gradient must not read 0.5
    return y


def _reproducer_fixed(x):
    return np.sum(np.array([1.0, 2.0]) * (x - 1.0) ** 2)


def _mutated_by_ufunc_out(x):
    c = np.ones(2)
    y = np.sum(c * x ** 2)
    np.multiply(c, -1.0, out=c)
    return y + np.sum(c * x)


def _mutated_through_older_view(x):
    c = np.ones(4)
    head = c[:2]  # a view made before c is used: its own flag stays writeable
    y = np.sum(c[2:] * x ** 2) + np.sum(c[:2] * x ** 2)
    head[:] = -1.0  # caught when the derivative ends (c is small: compared with its copy)
    return y


def _mutated_base_of_used_view(x):
    base = np.ones(4)
    y = np.sum(base[1:3] * x ** 2)  # the view is used: its base is locked too
    base[1] = 5.0
    return y


MUTATING = [_reproducer, _mutated_index, _mutated_by_ufunc_out, _mutated_through_older_view,
            _mutated_base_of_used_view]

EAGER_CALLS = {
    "grad": lambda f: optkit.grad(f)(X),
    "value_and_grad": lambda f: optkit.value_and_grad(f)(X),
    "grad_argnums": lambda f: optkit.grad(lambda x, s: f(x) * s, argnums=(0, 1))(X, 2.0),
    "hvp": lambda f: optkit.hvp(f, X, V),
    "jacobian": lambda f: optkit.jacobian(f)(X),
    "jacrev": lambda f: optkit.jacrev(lambda x: np.stack([f(x), f(x)]))(X),
    "hessian": lambda f: optkit.hessian(f)(X),
    "vjp_pullback": lambda f: optkit.vjp(f, X)[1](1.0),
}


@pytest.mark.parametrize("f", MUTATING, ids=lambda f: f.__name__)
@pytest.mark.parametrize("call", EAGER_CALLS.values(), ids=EAGER_CALLS.keys())
def test_eager_derivatives_refuse_a_write_after_use(f, call):
    with pytest.raises(InPlaceWriteError, match="modif.*copy"):
        call(f)
    assert active() is None  # released


def test_the_reproducer_gradient_was_wrong_and_is_now_refused():
    np.testing.assert_array_equal(optkit.grad(_reproducer_fixed)(np.zeros(2)), [-2.0, -4.0])
    with pytest.raises(InPlaceWriteError):
        optkit.grad(_reproducer)(np.zeros(2))
    with pytest.raises(ValueError, match=r"np\.where"):  # a ValueError with advice
        optkit.value_and_grad(_reproducer)(np.zeros(2))


@pytest.mark.parametrize("f", MUTATING, ids=lambda f: f.__name__)
def test_forward_mode_reads_its_constants_at_once_so_its_derivative_is_right(f):
    # jvp computes each tangent at the primitive (no deferral outside a reverse trace): the
    # write after use changes nothing it reads, so it is allowed and the result is right
    y, t = optkit.jvp(f, X, V)
    h = 1e-6
    fd = (f(X + h * V) - f(X - h * V)) / (2 * h)
    np.testing.assert_allclose(t, fd, rtol=1e-6, atol=1e-8)
    assert y == f(X)


@pytest.mark.parametrize("compile_", [False, True])
def test_minimize_does_not_report_success_at_the_wrong_point(compile_):
    def f(x):
        c = np.array([1.0, 2.0])
        y = np.sum(c * (x - 1.0) ** 2)
        c[:] = 0.0  # the eager gradient read zeros: success at x0
        return y

    with pytest.raises(InPlaceWriteError):
        optkit.minimize(f, np.zeros(2), compile=compile_)
    res = optkit.minimize(_reproducer_fixed, np.zeros(2), compile=compile_)
    assert res.success
    np.testing.assert_allclose(res.x, [1.0, 1.0], atol=1e-6)


def _built_up_then_used(x):
    out = np.zeros(2)
    out[0] = 1.0
    out[1] += 3.0
    return np.sum(out * x ** 2)


def _built_up_through_a_view_then_used(x):
    out = np.zeros(4)
    out[:2][0] = 2.0
    w = out.reshape(2, 2)
    w[1] = -1.0
    return np.sum(out[:2] * x ** 2) + np.sum(w[1] * x ** 3)


def _built_up_index_then_used(x):
    idx = np.zeros(2, dtype=np.intp)
    idx[0] = 1
    return np.sum(x[idx] ** 3)


def _copied_before_modifying(x):
    c = np.array([1.0, 2.0])
    y = np.sum(c * x ** 2)
    c = c.copy()  # the advice: a new array may be written
    c[:] = 0.5
    return y + np.sum(c * x)


@pytest.mark.parametrize("f", [_built_up_then_used, _built_up_through_a_view_then_used,
                               _built_up_index_then_used, _copied_before_modifying],
                         ids=lambda f: f.__name__)
def test_building_up_then_using_still_differentiates(f):
    rng = np.random.default_rng(0)
    x, v = rng.standard_normal(2), rng.standard_normal(2)
    h = 1e-6
    fd = (f(x + h * v) - f(x - h * v)) / (2 * h)
    assert abs(optkit.grad(f)(x) @ v - fd) < 1e-6
    hv_fd = (optkit.grad(f)(x + h * v) - optkit.grad(f)(x - h * v)) / (2 * h)
    np.testing.assert_allclose(optkit.hvp(f, x, v), hv_fd, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(optkit.jacobian(f)(x), optkit.grad(f)(x), rtol=1e-14)


def _restorable():
    base = np.ones(6)
    view = base[:2]  # a view, and its base, are both captured by a use of the view
    other = np.arange(2.0)
    index = np.array([1, 0])
    frozen = np.ones(2)
    frozen.flags.writeable = False  # the user's own read-only array stays read-only
    big = np.ones((SNAPSHOT_BYTES // 8 + 1, 2))  # locked, not copied
    return base, view, other, index, frozen, big


def _assert_restored(base, view, other, index, frozen, big):
    assert active() is None
    assert all(a.flags.writeable for a in (base, view, other, index, big))
    assert not frozen.flags.writeable
    base[:] = 2.0  # the user may change closed-over data between calls again
    view[0] = 3.0
    other += 1.0
    index[:] = [0, 1]
    big[0, 0] = 2.0


@pytest.mark.parametrize("call", EAGER_CALLS.values(), ids=EAGER_CALLS.keys())
def test_flags_are_restored_after_the_call(call):
    arrays = _restorable()
    base, view, other, index, frozen, big = arrays
    seen = []

    def f(x):
        y = (np.sum(view * x ** 2) + np.sum(other * x[index]) + np.sum(frozen * x)
             + np.sum(base) * x[0] + np.sum(big[:2] * x))
        seen.append(all(not a.flags.writeable for a in (base, view, other, index, big)))
        return y

    call(f)
    assert seen and all(seen)  # read-only while f ran
    _assert_restored(*arrays)


@pytest.mark.parametrize("call", EAGER_CALLS.values(), ids=EAGER_CALLS.keys())
def test_flags_are_restored_when_f_raises(call):
    arrays = _restorable()
    base, view, other, index, frozen, big = arrays

    def f(x):
        y = np.sum(view * x) + np.sum(other * x[index]) + np.sum(big[:2] * x) + np.sum(base)
        raise RuntimeError("f's own error")
        return y  # pragma: no cover

    with pytest.raises(RuntimeError, match="f's own error"):
        call(f)
    _assert_restored(*arrays)

    def g(x):
        y = np.sum(view * x) + np.sum(big[:2] * x ** 2)
        big[1, 1] = 0.0  # refused
        return y  # pragma: no cover

    with pytest.raises(InPlaceWriteError):
        call(g)
    _assert_restored(*arrays)


def test_a_read_only_error_of_the_users_own_array_is_not_renamed_when_nothing_is_held():
    frozen = np.ones(2)
    frozen.flags.writeable = False

    def f(x):
        y = np.sum(x ** 2)  # no plain array held
        frozen[0] = 2.0
        return y  # pragma: no cover

    with pytest.raises(ValueError, match="read-only") as info:
        optkit.grad(f)(X)
    assert not isinstance(info.value, InPlaceWriteError)
    assert not frozen.flags.writeable


def test_the_differentiated_input_is_not_locked():
    x = X.copy()
    seen = []

    def f(z):
        seen.append(x.flags.writeable)
        return np.sum(z ** 2)

    np.testing.assert_array_equal(optkit.grad(f)(x), 2 * X)
    assert seen == [True] and x.flags.writeable


def test_a_nested_derivative_holds_until_the_outermost_ends():
    c = np.array([1.0, 2.0])
    inner_done = []

    def g(x):
        y = np.sum(c * x ** 3)
        return y

    def f(x):
        gx = optkit.grad(g)(x)  # the inner call ends here; the outer tape still holds c
        inner_done.append(not c.flags.writeable)
        return np.sum(gx ** 2)

    optkit.grad(f)(X)
    assert inner_done == [True] and c.flags.writeable


def test_a_pullback_compares_small_arrays_written_after_vjp():
    c = np.array([1.0, 2.0])
    y, pullback = optkit.vjp(lambda x: c * x ** 2, X)
    assert c.flags.writeable  # restored when vjp returned: the pullback outlives the call
    u = np.array([1.0, 1.0])
    np.testing.assert_array_equal(pullback(u), 2 * c * X)
    c[0] = 5.0
    with pytest.raises(InPlaceWriteError, match="between vjp and its pullback"):
        pullback(u)
    c[0] = 1.0  # the values it was used with: accepted again
    np.testing.assert_array_equal(pullback(u), 2 * c * X)


def test_the_same_array_used_many_times_is_held_once():
    c = np.arange(3.0)
    count = []

    def f(x):
        y = 0.0
        for _ in range(50):
            y = y + np.sum(c * x)
        count.append(len(active()._held))
        return y

    np.testing.assert_allclose(optkit.grad(f)(np.ones(3)), 50 * c)
    assert count == [1]


def test_an_ndarray_subclass_is_held_too(tmp_path):
    c = np.memmap(tmp_path / "c.dat", dtype=np.float64, mode="w+", shape=(2,))
    c[:] = [1.0, 2.0]

    def f(x):
        y = np.sum(c * (x - 1.0) ** 2)
        c[:] = 0.5
        return y

    with pytest.raises(InPlaceWriteError):
        optkit.grad(f)(np.zeros(2))
    assert c.flags.writeable


def test_another_threads_derivative_neither_shares_nor_releases_the_hold():
    c = np.array([1.0, 2.0])
    d = np.array([3.0, 4.0])
    seen = []

    def g(x):
        return np.sum(d * x ** 2)

    def other():
        seen.append(active() is None)  # this thread's call is its own outermost one
        np.testing.assert_array_equal(optkit.grad(g)(X), 2 * d * X)
        seen.append(d.flags.writeable)  # released when it ended

    def f(x):
        y = np.sum(c * x ** 2)
        t = threading.Thread(target=other)
        t.start()
        t.join()
        seen.append(c.flags.writeable)  # still held by this call
        return y

    np.testing.assert_array_equal(optkit.grad(f)(X), 2 * c * X)
    assert seen == [True, True, False] and c.flags.writeable


def test_an_array_only_compared_with_is_not_held():
    # a comparison records no node (no derivative reads its operands): writing after it is fine
    t = np.array([0.0, 0.0])

    def f(x):
        above = x > t
        t[:] = 1.0
        return np.sum(np.where(above, x ** 2, x))

    np.testing.assert_array_equal(optkit.grad(f)(X), [2 * X[0], 1.0])
    assert t.flags.writeable and t[0] == 1.0


def test_a_derivative_holding_nothing_and_one_holding_after_it_in_the_same_thread():
    # the containers are made at the first hold: a derivative whose constants are numbers
    # holds nothing, and the next one (same thread) still locks and releases its arrays
    seen = []

    def f_numbers(x):
        seen.append(len(active()._held))
        return np.sum(3.0 * x ** 2)

    np.testing.assert_array_equal(optkit.grad(f_numbers)(X), 6.0 * X)
    c = np.array([1.0, 2.0])
    with pytest.raises(InPlaceWriteError):
        optkit.grad(lambda x: _written_after(c, x))(X)
    assert c.flags.writeable and active() is None
    np.testing.assert_array_equal(optkit.grad(lambda x: np.sum(c * x))(X), c)
    assert seen == [0] and c.flags.writeable


def _written_after(c, x):
    y = np.sum(c * x)
    c[0] = 5.0
    return y


def _unpickled(a):
    """``a`` as pickle's protocol 4 returns it (the default before Python 3.14; arrays of
    2000 bytes or more): writeable, its memory in a ``bytes`` object, whose read-only buffer
    numpy will not let a flag be restored over."""
    import pickle

    out = pickle.loads(pickle.dumps(a, protocol=4))
    assert out.flags.writeable and isinstance(out.base, bytes)
    return out


@pytest.mark.parametrize("call", [
    lambda f, x: optkit.grad(f)(x),
    lambda f, x: optkit.value_and_grad(optkit.compile(f))(x)[1],
    lambda f, x: optkit.hvp(f, x, np.ones(5)),
])
@pytest.mark.parametrize("view", [False, True])
def test_an_unpickled_array_differentiates_and_stays_writeable(call, view):
    A = _unpickled(np.arange(250.0).reshape(50, 5) / 100.0)
    used = A[2:] if view else A
    g = call(lambda w: np.sum((used @ w) ** 2), np.ones(5))
    expected = call(lambda w: np.sum((np.array(used) @ w) ** 2), np.ones(5))
    np.testing.assert_array_equal(g, expected)
    assert A.flags.writeable and used.flags.writeable
    A[0, 0] = 1.0  # the user's array is still theirs to write


def test_a_write_into_a_small_unpickled_array_after_use_is_still_refused():
    A = _unpickled(np.ones((50, 5)))

    def f(w):
        y = np.sum(A @ w)
        A[0, 0] = 5.0  # after use: only the snapshot can see it (no lock on this array)
        return y

    with pytest.raises(InPlaceWriteError, match="modified an array of shape"):
        optkit.grad(f)(np.zeros(5))
