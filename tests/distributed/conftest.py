"""One real Dask cluster for the whole test run: a LocalCluster of 2 worker processes with one
thread each, started on first use and shut down at the end of the session."""

import logging
import os

import pytest


@pytest.fixture(scope="session")
def cluster():
    distributed = pytest.importorskip("distributed", reason="needs the dask extra")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0",  # a free port: test runs may overlap
                                  silence_logs=logging.CRITICAL) as cluster:
        yield cluster


@pytest.fixture(scope="session")
def session_client(cluster):
    distributed = pytest.importorskip("distributed")
    with distributed.Client(cluster, set_as_default=False) as client:
        yield client


@pytest.fixture
def client(session_client):
    """The session's client with both workers up (a test may have killed one: its nanny
    restarts it)."""
    session_client.wait_for_workers(2, timeout=60)
    return session_client


@pytest.fixture
def worker_pids(client):
    """{worker address: process id}, for tests that kill a worker."""
    return client.run(os.getpid)
