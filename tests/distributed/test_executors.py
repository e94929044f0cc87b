"""open_executor: each accepted kind, what it owns, and a scheduler that cannot be reached."""

import concurrent.futures as cf
import os
import socket
import subprocess
import sys

import pytest

from optkit.distributed import close_local_pools, open_executor
from optkit.distributed.shipping import ship, unship


def _free_port():
    with socket.socket() as sock:  # bound, then closed: nothing listens there afterwards
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_none_is_in_process():
    with open_executor(None) as scope:
        assert scope.executor is None


def test_a_number_starts_a_process_pool_kept_for_the_next_call():
    with open_executor(2) as scope:
        pool = scope.executor
        assert isinstance(pool, cf.ProcessPoolExecutor)
        assert pool.submit(abs, -3).result() == 3
        assert scope.batch_slots is None  # a task costs little here: one start each
    with open_executor(2) as scope:
        assert scope.executor is pool  # reused, its workers still running
        assert pool.submit(abs, -4).result() == 4
    close_local_pools()
    with pytest.raises(RuntimeError):
        pool.submit(abs, -3)  # shut down
    with open_executor(2) as scope:
        assert scope.executor is not pool and scope.executor.submit(abs, -5).result() == 5


def test_a_cancelled_scope_discards_the_kept_pool():
    with open_executor(2) as scope:
        pool = scope.executor
        scope.close(cancel=True)  # what minimize_many does after Ctrl-C
    with pytest.raises(RuntimeError):
        pool.submit(abs, -3)
    with open_executor(2) as scope:
        assert scope.executor is not pool


def test_an_error_inside_the_scope_discards_the_kept_pool():
    with pytest.raises(ZeroDivisionError), open_executor(2) as scope:
        pool = scope.executor
        pool.submit(divmod, 1, 0).result()
    with open_executor(2) as scope:
        assert scope.executor is not pool


def test_a_broken_pool_is_replaced():
    with open_executor(2) as scope:
        pool = scope.executor
        with pytest.raises(cf.process.BrokenProcessPool):
            pool.submit(os._exit, 1).result()  # a worker dies: the pool is broken
    with open_executor(2) as scope:
        assert scope.executor is not pool and scope.executor.submit(abs, -3).result() == 3


_START_METHODS = """
import os, sys, threading, warnings
warnings.simplefilter("error")
import numpy as np
import optkit
from optkit.distributed import executors

def f(x):
    return np.sum((x - 1.0) ** 2) + np.sum(np.cos(3 * x))

if __name__ == "__main__":
    starts = np.random.default_rng(0).uniform(-2, 2, (4, 3))
    serial = optkit.minimize_many(f, starts)
    with executors.open_executor(2) as scope:
        first = scope.start_method
        forked = len(scope.executor._processes)  # before any task: forked while 1 thread
    if sys.argv[1] == "threads":  # one more thread than the main one: no fork
        threading.Thread(target=threading.Event().wait, daemon=True).start()
        executors.close_local_pools()
    with executors.open_executor(2) as scope:
        method = scope.start_method
    got = optkit.minimize_many(f, starts, executor=2)
    same = all(np.array_equal(a.x, b.x) and a.fun == b.fun for a, b in zip(got, serial))
    print(first, "|", forked, "|", method, "|", same)
"""


@pytest.mark.parametrize("threads, method", [("one", "fork"), ("threads", "forkserver")])
def test_workers_fork_only_from_a_single_threaded_caller(tmp_path, threads, method):
    script = tmp_path / "start_methods.py"
    script.write_text(_START_METHODS)
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    out = subprocess.run([sys.executable, str(script), threads], env=env, check=True,
                         capture_output=True, text=True).stdout
    first, forked, used, same = (part.strip() for part in out.split("|"))
    assert first == "fork" and forked == "2"  # a fresh script with BLAS pinned
    assert used == method and same == "True"


def test_a_users_executor_is_left_open():
    with cf.ThreadPoolExecutor(1) as pool:
        with open_executor(pool) as scope:
            assert scope.executor is pool
        assert pool.submit(abs, -3).result() == 3


def test_a_dask_client_becomes_a_futures_executor(client):
    with open_executor(client) as scope:
        assert isinstance(scope.executor, cf.Executor) and scope.client is client
        assert scope.executor.submit(abs, -3).result() == 3
        assert scope.batch_slots == 2  # its worker threads, which batches of starts are for
    assert client.status == "running"


def test_an_address_connects_and_disconnects(client):
    with open_executor(client.scheduler.address) as scope:
        assert scope.executor.submit(abs, -3).result() == 3
        own = scope.client  # the Client this scope opened
    assert own.status == "closed" and client.status == "running"


def test_an_unreachable_address_is_a_connection_error_within_the_timeout():
    pytest.importorskip("distributed", reason="needs the dask extra")
    address = f"tcp://127.0.0.1:{_free_port()}"
    with pytest.raises(ConnectionError, match=f"could not connect.*{address}.*within 0.5 s"):
        open_executor(address, connect_timeout=0.5)


@pytest.mark.parametrize("timeout", [0, -1, "10", True])
def test_bad_connect_timeout_is_refused(timeout):
    pytest.importorskip("distributed", reason="needs the dask extra")
    with pytest.raises(ValueError, match="connect_timeout"):
        open_executor("tcp://127.0.0.1:1", connect_timeout=timeout)


def test_shipping_round_trips_closures():
    k = 3.0
    payload = ship(fun=lambda x: k * x, args=(1,))
    assert unship(payload)["fun"](2.0) == 6.0


def test_importing_optkit_does_not_import_dask():
    code = ("import sys, optkit; "
            "assert not {'dask', 'distributed', 'cloudpickle'} & set(sys.modules), 'imported'")
    subprocess.run([sys.executable, "-c", code], check=True)
