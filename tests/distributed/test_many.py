"""minimize_many: every executor kind gives the serial results; bad input fails before work."""

import concurrent.futures as cf
import os
import signal
import threading

import numpy as np
import pytest

import optkit
from optkit.distributed import executors, minimize_many
from optkit.optim import Status

FIELDS = ("fun", "nit", "nfev", "njev", "nhev", "status", "message", "success")


def _objective(scale):
    # a closure: the standard pickle refuses it, cloudpickle sends it by value
    return lambda x: scale * np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def _starts(k=5, n=4):
    return np.random.default_rng(0).uniform(-2.0, 2.0, size=(k, n))


def _assert_same(results, reference):
    assert len(results) == len(reference)
    for got, want in zip(results, reference, strict=True):
        np.testing.assert_array_equal(got.x, want.x)
        for field in FIELDS:
            assert got[field] == want[field], field


@pytest.fixture(scope="module")
def serial():
    return minimize_many(_objective(0.5), _starts())


def test_serial_equals_a_loop_of_minimize(serial):
    fun = _objective(0.5)
    _assert_same(serial, [optkit.minimize(fun, x0) for x0 in _starts()])
    assert all(r.success for r in serial)


@pytest.mark.parametrize("executor", [2, "processes"])
def test_local_processes_equal_serial(executor, serial):
    _assert_same(minimize_many(_objective(0.5), _starts(), executor=executor), serial)


def test_any_concurrent_futures_executor_equals_serial(serial):
    with cf.ThreadPoolExecutor(2) as pool:
        _assert_same(minimize_many(_objective(0.5), _starts(), executor=pool), serial)
        assert pool.submit(int, "3").result() == 3  # a user's executor is left running


def test_dask_client_equals_serial(client, serial):
    _assert_same(minimize_many(_objective(0.5), _starts(), executor=client), serial)


def test_scheduler_address_equals_serial(client, serial):
    address = client.scheduler.address
    _assert_same(minimize_many(_objective(0.5), _starts(), executor=address), serial)


def test_newton_cg_args_and_options_travel(client):
    def fun(x, a):
        return np.sum((x - a) ** 2) + np.sum(x ** 4)

    a = np.arange(3.0)
    want = minimize_many(fun, _starts(3, 3), "newton-cg", args=(a,), gtol=1e-9)
    got = minimize_many(fun, _starts(3, 3), "newton-cg", args=(a,), gtol=1e-9, executor=client)
    _assert_same(got, want)
    assert all(r.method == "newton-cg" and r.success for r in got)


class _CountingExecutor(cf.ThreadPoolExecutor):
    def __init__(self):
        super().__init__(1)
        self.submitted = 0

    def submit(self, fn, /, *args, **kwargs):
        self.submitted += 1
        return super().submit(fn, *args, **kwargs)


def test_unpicklable_objective_fails_before_any_work():
    lock = threading.Lock()

    def fun(x):
        with lock:
            return np.sum(x ** 2)

    with _CountingExecutor() as pool:
        with pytest.raises(TypeError, match="fun: cannot be sent"):
            minimize_many(fun, _starts(), executor=pool)
        assert pool.submitted == 0


def test_unpicklable_argument_is_named():
    with _CountingExecutor() as pool, pytest.raises(TypeError, match="args: cannot be sent"):
        minimize_many(lambda x, lk: np.sum(x ** 2), _starts(), executor=pool,
                      args=(threading.Lock(),))


def test_unknown_option_fails_before_any_work():
    with _CountingExecutor() as pool:
        with pytest.raises(ValueError, match="gtoll"):
            minimize_many(_objective(1.0), _starts(), executor=pool, gtoll=1e-6)
        assert pool.submitted == 0


@pytest.mark.parametrize("bad, error", [
    (np.zeros(3), ValueError), ([np.zeros((2, 2))], ValueError), (5, TypeError)])
def test_bad_starts_are_refused(bad, error):
    with pytest.raises(error, match="x0s"):
        minimize_many(_objective(1.0), bad)


@pytest.mark.parametrize("executor, error", [
    (0, ValueError), ("threads", ValueError), (2.5, TypeError), (True, TypeError)])
def test_bad_executor_is_refused(executor, error):
    with pytest.raises(error, match="executor"):
        minimize_many(_objective(1.0), _starts(), executor=executor)


def test_a_failing_solve_names_its_start():
    def fun(x):
        if x[0] > 1.5:
            raise ZeroDivisionError("boom")
        return np.sum(x ** 2)

    starts = [[0.0, 1.0], [2.0, 1.0], [0.5, 0.5]]
    with cf.ThreadPoolExecutor(1) as pool, pytest.raises(ZeroDivisionError) as info:
        minimize_many(fun, starts, executor=pool, compile=False)
    assert any("start 1" in note for note in info.value.__notes__)
    with pytest.raises(ZeroDivisionError) as info:
        minimize_many(fun, starts, compile=False)
    assert any("start 1" in note for note in info.value.__notes__)


def test_progress_bar_counts_completed_solves(capsys):
    minimize_many(_objective(1.0), _starts(3), progress=True)
    err = capsys.readouterr().err
    assert "0/3 solves" in err and err.rstrip().endswith("3/3 solves")


def test_dask_batches_starts_and_names_a_failing_one(client, capsys):
    # 6 starts on 2 worker threads go out as batches [0, 1], [2, 3], [4], [5]
    starts = np.zeros((6, 2))
    _assert_same(minimize_many(_objective(1.0), starts + 0.5, executor=client, progress=True),
                 minimize_many(_objective(1.0), starts + 0.5))
    assert capsys.readouterr().err.rstrip().endswith("6/6 solves")
    starts[3, 0] = 2.0  # the second start of the second batch fails

    def fun(x):  # a local function: cloudpickle sends it by value
        if x[0] > 1.5:
            raise ZeroDivisionError("boom")
        return np.sum(x ** 2)

    with pytest.raises(ZeroDivisionError) as info:
        minimize_many(fun, starts, executor=client, compile=False)
    assert any("start 3 of minimize_many, on Dask" in note for note in info.value.__notes__)


@pytest.fixture
def ctrl_c_raises():
    """Python's own SIGINT handler for the test: a background CI job may start with SIGINT
    ignored, and then Python installs no handler and os.kill(SIGINT) does nothing."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def _interrupting_objective(trigger):
    fired = []

    def fun(x):
        if x[0] == trigger and not fired:
            fired.append(True)
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C, delivered to the main thread
        return np.sum((x - 1.0) ** 2)

    return fun


def test_ctrl_c_returns_completed_results_and_cancels_the_rest(ctrl_c_raises):
    starts = _starts(6, 2)
    starts[2, 0] = 9.0  # the start during which Ctrl-C arrives
    reference = minimize_many(lambda x: np.sum((x - 1.0) ** 2), starts, compile=False)
    with cf.ThreadPoolExecutor(1) as pool:
        results = minimize_many(_interrupting_objective(9.0), starts, executor=pool,
                                compile=False)
    assert len(results) == 6
    for i, (got, want) in enumerate(zip(results, reference, strict=True)):
        if got.status_enum is Status.INTERRUPTED:
            assert got.message.startswith("not run") and np.isnan(got.fun)
            np.testing.assert_array_equal(got.x, starts[i])
        else:
            assert i < 2, "a start after the interrupt ran"
            np.testing.assert_array_equal(got.x, want.x)
    assert all(r.status_enum is Status.INTERRUPTED for r in results[2:])


def test_ctrl_c_in_process_stops_after_the_interrupted_solve(ctrl_c_raises):
    starts = _starts(5, 2)
    starts[2, 0] = 9.0
    results = minimize_many(_interrupting_objective(9.0), starts, compile=False)
    assert [r.success for r in results[:2]] == [True, True]
    assert results[2].status_enum is Status.INTERRUPTED  # Ctrl-C came at its first point
    assert all(r.message.startswith("not run") for r in results[3:])


def _interrupting_caller(trigger, caller):
    # for a worker process: Ctrl-C to the calling process (pid ``caller``) when the solve from
    # the start whose first coordinate is ``trigger`` begins
    def fun(x):
        if x[0] == trigger:
            os.kill(caller, signal.SIGINT)
        return np.sum((x - 1.0) ** 2)

    return fun


def test_ctrl_c_on_local_processes_returns_completed_results_and_discards_the_pool(
        ctrl_c_raises):
    starts = _starts(8, 2)
    starts[3, 0] = 9.0
    reference = minimize_many(lambda x: np.sum((x - 1.0) ** 2), starts, compile=False)
    with executors.open_executor(2) as scope:
        kept = scope.executor  # the pool the call below uses
    results = minimize_many(_interrupting_caller(9.0, os.getpid()), starts, executor=2,
                            compile=False)
    assert len(results) == 8
    assert results[3].status_enum is Status.INTERRUPTED  # never collected
    for i, (got, want) in enumerate(zip(results, reference, strict=True)):
        if got.status_enum is Status.INTERRUPTED:
            np.testing.assert_array_equal(got.x, starts[i])
        else:
            np.testing.assert_array_equal(got.x, want.x)
    with pytest.raises(RuntimeError):
        kept.submit(abs, -3)  # shut down after Ctrl-C, not kept
    with executors.open_executor(2) as scope:
        assert scope.executor is not kept
