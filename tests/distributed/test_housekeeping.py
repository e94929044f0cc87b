"""quiet_worker: a Dask worker's profiler and tick watchdog slow down while solves run, and get
their own periods back after the last batch; nothing happens outside a worker."""

import threading
import types

import pytest

from optkit.distributed import housekeeping
from optkit.distributed.housekeeping import QUIET_PERIOD_MS, quiet_worker


def _fake_worker(**periods):
    callbacks = {name: types.SimpleNamespace(callback_time=ms) for name, ms in periods.items()}
    return types.SimpleNamespace(periodic_callbacks=callbacks)


def _periods(worker):
    return {name: pc.callback_time for name, pc in worker.periodic_callbacks.items()}


@pytest.fixture
def fake(monkeypatch):
    worker = _fake_worker(profile=10.0, tick=20.0, memory_monitor=100.0)
    monkeypatch.setattr(housekeeping, "_running_worker", lambda: worker)
    monkeypatch.delenv("OPTKIT_QUIET_DASK_WORKERS", raising=False)
    return worker


def test_slows_profile_and_tick_only_and_restores(fake):
    with quiet_worker():
        assert _periods(fake) == {"profile": QUIET_PERIOD_MS, "tick": QUIET_PERIOD_MS,
                                  "memory_monitor": 100.0}
    assert _periods(fake) == {"profile": 10.0, "tick": 20.0, "memory_monitor": 100.0}


def test_restores_after_an_exception(fake):
    with pytest.raises(RuntimeError), quiet_worker():
        raise RuntimeError("solve failed")
    assert _periods(fake)["profile"] == 10.0


def test_a_slower_period_is_left_as_it_is(monkeypatch):
    worker = _fake_worker(profile=5000.0, tick=20.0)
    monkeypatch.setattr(housekeeping, "_running_worker", lambda: worker)
    with quiet_worker():
        assert _periods(worker) == {"profile": 5000.0, "tick": QUIET_PERIOD_MS}
    assert _periods(worker) == {"profile": 5000.0, "tick": 20.0}


def test_overlapping_batches_restore_when_the_last_ends(fake):
    inside, release = threading.Event(), threading.Event()

    def other_batch():
        with quiet_worker():
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=other_batch)
    with quiet_worker():
        thread.start()
        assert inside.wait(10)
    assert _periods(fake)["tick"] == QUIET_PERIOD_MS  # the other batch still runs
    release.set()
    thread.join(10)
    assert _periods(fake) == {"profile": 10.0, "tick": 20.0, "memory_monitor": 100.0}


def test_a_worker_without_periodic_callbacks_is_left_alone(monkeypatch):
    worker = types.SimpleNamespace()  # a Dask whose workers keep them elsewhere
    monkeypatch.setattr(housekeeping, "_running_worker", lambda: worker)
    with quiet_worker():
        pass
    assert housekeeping._QUIETED == {}


def test_opt_out_by_environment(fake, monkeypatch):
    monkeypatch.setenv("OPTKIT_QUIET_DASK_WORKERS", "0")
    with quiet_worker():
        assert _periods(fake)["profile"] == 10.0


def test_nothing_outside_a_worker():
    assert housekeeping._running_worker() is None  # in the test process, not in a task
    with quiet_worker():
        pass


def _task_reporting_periods():
    # built here so that cloudpickle sends it by value (workers need not import the tests)
    def task():
        from distributed import get_worker

        from optkit.distributed.housekeeping import quiet_worker

        worker = get_worker()
        names = ("profile", "tick")
        with quiet_worker():
            return {name: worker.periodic_callbacks[name].callback_time for name in names}

    return task


def _own_periods(dask_worker):
    return {name: dask_worker.periodic_callbacks[name].callback_time
            for name in ("profile", "tick")}


def test_on_a_dask_worker(client):
    before = client.run(_own_periods)
    assert all(p["profile"] < QUIET_PERIOD_MS for p in before.values())  # Dask's defaults
    inside = client.submit(_task_reporting_periods(), pure=False).result()
    assert inside == {"profile": QUIET_PERIOD_MS, "tick": QUIET_PERIOD_MS}
    assert client.run(_own_periods) == before
