"""While solves run on a Dask worker, the worker's most frequent housekeeping slows down.

A Dask worker runs a task in a thread of its own, and keeps house in its event loop, in
another thread of the same process. With Dask's defaults two periodic callbacks of that loop
wake up while a task runs: the statistical profiler, every 10 ms (it samples the running
task's stack), and the tick watchdog, every 20 ms. Each wake-up takes the GIL from the solve,
so a busy worker switches threads 150 times a second. Measured on LJ13 multistart (Dask
2026.8, interleaved runs): with 16 L-BFGS solves of ~50 ms in one task on one worker, the
solving thread used 4% more CPU with those defaults than with both callbacks once a second,
and the event loop 0.04-0.07 s of CPU against 0.02-0.03 s; 32 starts on 2 workers took
0.880 s against 0.808 s (medians of 14), the workers' CPU 1.60 s against 1.47 s, as much as
with the profiler off and every monitor slowed (1.47 s), and close to 2 local processes
(0.789 s).

:func:`quiet_worker` sets the two callbacks' period to at least ``QUIET_PERIOD_MS`` (a
second, what a cluster configured for CPU-bound tasks uses) for the duration of a batch of
solves, and restores it when the last batch running on the worker ends. While it holds, the
dashboard's profile samples the batch once a second instead of a hundred times. The memory
monitor and the heartbeat are left alone: they enforce the worker's memory limits and keep it
registered. Outside a Dask worker (in-process, local processes) it does nothing. Set
``OPTKIT_QUIET_DASK_WORKERS=0`` in a worker's environment to leave its housekeeping alone.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading

__all__ = ["QUIET_PERIOD_MS", "QUIETED_CALLBACKS", "quiet_worker"]

QUIET_PERIOD_MS = 1000.0  # milliseconds between wake-ups while solves run
QUIETED_CALLBACKS = ("profile", "tick")  # Worker.periodic_callbacks entries slowed down

_LOCK = threading.Lock()
_QUIETED = {}  # id(worker) -> [batches running, {callback name: its own period}]


def _running_worker():
    """The Dask worker running the current task, or None (Dask not imported: not a worker)."""
    distributed = sys.modules.get("distributed")
    if distributed is None:
        return None
    try:
        return distributed.get_worker()
    except ValueError:  # "No worker found": not inside a task
        return None


def _slow_down(worker):
    with _LOCK:
        entry = _QUIETED.setdefault(id(worker), [0, {}])
        entry[0] += 1
        if entry[0] == 1:
            callbacks = getattr(worker, "periodic_callbacks", {})  # another Dask: nothing
            for name in QUIETED_CALLBACKS:
                callback = callbacks.get(name)
                if callback is not None and callback.callback_time < QUIET_PERIOD_MS:
                    # tornado reads the period each time it schedules the next call
                    entry[1][name] = callback.callback_time
                    callback.callback_time = QUIET_PERIOD_MS


def _restore(worker):
    with _LOCK:
        entry = _QUIETED[id(worker)]
        entry[0] -= 1
        if entry[0] == 0:
            del _QUIETED[id(worker)]
            callbacks = getattr(worker, "periodic_callbacks", {})
            for name, period in entry[1].items():
                callback = callbacks.get(name)
                if callback is not None:
                    callback.callback_time = period


@contextlib.contextmanager
def quiet_worker():
    """Slow the running Dask worker's profiler and tick watchdog to once a second until exit.

    Nested and concurrent uses on one worker (several threads) are counted: the periods are
    restored when the last one exits. A no-op outside a Dask worker's task, or with
    ``OPTKIT_QUIET_DASK_WORKERS=0`` in the environment.
    """
    worker = _running_worker()
    if worker is None or os.environ.get("OPTKIT_QUIET_DASK_WORKERS", "1") == "0":
        yield
        return
    _slow_down(worker)
    try:
        yield
    finally:
        _restore(worker)
