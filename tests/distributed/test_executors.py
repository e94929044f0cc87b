"""open_executor: each accepted kind, what it owns, and a scheduler that cannot be reached."""

import concurrent.futures as cf
import socket
import subprocess
import sys

import pytest

from optkit.distributed import open_executor
from optkit.distributed.shipping import ship, unship


def _free_port():
    with socket.socket() as sock:  # bound, then closed: nothing listens there afterwards
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_none_is_in_process():
    with open_executor(None) as scope:
        assert scope.executor is None


def test_a_number_opens_and_closes_a_process_pool():
    with open_executor(2) as scope:
        pool = scope.executor
        assert isinstance(pool, cf.ProcessPoolExecutor)
        assert pool.submit(abs, -3).result() == 3
    with pytest.raises(RuntimeError):
        pool.submit(abs, -3)  # shut down on leaving


def test_a_users_executor_is_left_open():
    with cf.ThreadPoolExecutor(1) as pool:
        with open_executor(pool) as scope:
            assert scope.executor is pool
        assert pool.submit(abs, -3).result() == 3


def test_a_dask_client_becomes_a_futures_executor(client):
    with open_executor(client) as scope:
        assert isinstance(scope.executor, cf.Executor) and scope.client is client
        assert scope.executor.submit(abs, -3).result() == 3
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
