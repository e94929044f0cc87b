"""Where independent solves run: one ``concurrent.futures.Executor`` for every kind of target.

``open_executor(executor)`` turns what the user passed into an executor, or None for "in this
process, one after the other":

=====================================  =========================================================
``None``                               in-process, serially (no pickling, no processes)
``int`` N / ``"processes"``            a local ``ProcessPoolExecutor`` with N workers (the
                                       core count for ``"processes"``), started by the first
                                       call and kept for the next ones (see below)
any ``concurrent.futures.Executor``    used as is (and left running)
a ``dask.distributed.Client``          its ``get_executor()``: tasks run on the cluster
an address ``"tcp://host:8786"``       a Client connected for this call (given up with
                                       ConnectionError after ``connect_timeout`` seconds)
=====================================  =========================================================

Dask is imported only for the last two, so the rest works without the ``dask`` extra.

Local processes: start-up and reuse
-----------------------------------
A local pool is started by the first call that asks for N workers and kept, one per N, for the
process's lifetime (as loky's reusable executor does): later calls find the workers running,
with optkit imported. It is shut down at interpreter exit or by :func:`close_local_pools`, and
discarded (a fresh one is started next time) after Ctrl-C, a failed solve or a broken pool.
The trade-offs: N idle processes stay alive between calls (each holds an imported optkit),
where a pool per call stopped them after every call; and forked workers keep the module state
of the moment they were forked (a function pickled by reference, one defined in an importable
module, sees module globals as they were then; objectives defined in ``__main__``, lambdas and
closures travel by value with every task and are always current). Call
:func:`close_local_pools` after changing such state. A Ctrl-C typed in a terminal reaches idle
kept workers too (one process group): they exit, printing a KeyboardInterrupt traceback, and
the next call starts a fresh pool.

How the workers start depends on the caller's threads, counted by the operating system:

- a single-threaded caller (numpy's BLAS pinned to one thread, no Dask client, no other pool)
  forks them. A fork copies the caller with everything imported, so a worker is ready in
  milliseconds and the script's ``__main__`` is not re-imported;
- any other caller uses ``forkserver`` (``spawn`` where it is missing). A forked copy of a
  process that runs threads (a Dask client, BLAS) can deadlock, and Python 3.12+ warns about
  it. The fork server imports optkit once, and every worker forks from it ready to solve; but
  the server's import costs about 0.5 s of CPU, and each worker re-imports the script's
  ``__main__``. Measured on LJ13 multistart (32 starts of ~50 ms, 2 cores): a cold forkserver
  pool costs ~0.6 s of a 1.7 s serial run, a fork pool ~0.05 s (``bench/distributed.py``).
"""

from __future__ import annotations

import atexit
import concurrent.futures as cf
import importlib
import multiprocessing
import numbers
import os
import re
import sys
import threading

__all__ = ["ExecutorScope", "close_local_pools", "is_address", "open_executor",
           "require_distributed"]

CONNECT_TIMEOUT = 10.0  # seconds: how long connecting to a scheduler address may take


def require_distributed():
    """The ``distributed`` module, or an ImportError saying how to install it."""
    # imported on demand: dask is an optional extra and costs ~0.5 s to import
    try:
        return importlib.import_module("distributed")
    except ImportError as exc:
        raise ImportError("this needs Dask: pip install 'optkit[dask]' "
                          "(or pip install 'dask[distributed]')") from exc


def _is_dask_client(obj):
    # a Client can only exist if distributed was imported, so this never imports it
    module = sys.modules.get("distributed")
    return module is not None and isinstance(obj, module.Client)


def is_address(text) -> bool:
    """Whether ``text`` reads as a scheduler address (``scheme://...`` or ``host:port``)."""
    return "://" in text or (":" in text and text.rsplit(":", 1)[1].isdigit())


def os_thread_count():
    """The number of threads of this process as the operating system counts them (BLAS and
    C-level threads included), or None where ``/proc/self/status`` is not available."""
    try:
        with open("/proc/self/status") as status:
            match = re.search(r"^Threads:\s*(\d+)", status.read(), re.MULTILINE)
    except OSError:
        return None
    return int(match.group(1)) if match else None


def _process_context():
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and os_thread_count() == 1:
        # nothing else runs in this process, so a fork cannot copy a held lock (the pool is
        # made to fork its workers at once, in _local_processes)
        return multiprocessing.get_context("fork")
    if "forkserver" not in methods:
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # the fork server imports optkit once and every worker forks from it ready to solve;
    # the setting is process-wide but only adds this module to what the server preloads
    context.set_forkserver_preload(["optkit.distributed.many"])
    return context


_POOLS = {}  # number of workers -> (the kept local ProcessPoolExecutor, its start method)
_POOLS_LOCK = threading.Lock()


def _usable(pool):
    # ProcessPoolExecutor has no public "is it usable" query; these two flags are how its own
    # submit() decides (CPython 3.9-3.13), read defensively
    return not getattr(pool, "_broken", False) and not getattr(pool, "_shutdown_thread", False)


def _discard(n, pool):
    with _POOLS_LOCK:
        if _POOLS.get(n, (None,))[0] is pool:
            del _POOLS[n]


def close_local_pools(*, wait=True):
    """Shut down every local pool that ``executor=N`` / ``"processes"`` started and kept.

    The next such call starts a fresh pool. Called at interpreter exit.

    Parameters
    ----------
    wait : bool, optional
        Wait for the workers to exit (default); pending tasks are cancelled either way.

    Examples
    --------
    >>> from optkit.distributed import close_local_pools, open_executor
    >>> with open_executor(1) as scope:
    ...     pool = scope.executor
    >>> with open_executor(1) as scope:
    ...     scope.executor is pool
    True
    >>> close_local_pools()
    >>> with open_executor(1) as scope:
    ...     scope.executor is pool
    False
    """
    with _POOLS_LOCK:
        pools = [pool for pool, _ in _POOLS.values()]
        _POOLS.clear()
    for pool in pools:
        pool.shutdown(wait=wait, cancel_futures=True)


atexit.register(close_local_pools)


class _Lease:
    """One call's use of a kept local pool: left running on a normal exit, shut down and
    discarded after Ctrl-C or an error (its workers may still be busy with cancelled work)."""

    def __init__(self, n, pool):
        self.n, self.pool = n, pool

    def close(self, *, cancel=False):
        if cancel or not _usable(self.pool):
            _discard(self.n, self.pool)
            self.pool.shutdown(wait=False, cancel_futures=True)


class ExecutorScope:
    """An executor for the duration of one call; closes only what it opened.

    ``executor`` is a ``concurrent.futures.Executor``, or None for in-process serial work;
    ``client`` the ``dask.distributed.Client`` behind it, if any; ``start_method`` how a
    local pool's workers start (``"fork"``, ``"forkserver"`` or ``"spawn"``), else None;
    ``batch_slots`` the number of worker threads to plan batches of starts for, where a task
    costs enough to batch (a Dask cluster: see :mod:`optkit.distributed.batches`), else None.
    ``close(cancel=True)`` (after Ctrl-C) cancels pending work and does not wait for it.
    """

    def __init__(self, executor, *, owned=(), description="in-process", client=None):
        self.executor = executor
        self.client = client
        self.description = description
        self.start_method = None
        self.batch_slots = None
        if client is not None:
            # a task costs milliseconds of scheduler work: batch the starts for its threads
            self.batch_slots = sum(client.nthreads().values()) or None
        self._owned = list(owned)  # closed in reverse order

    def close(self, *, cancel=False):
        while self._owned:
            resource = self._owned.pop()
            if isinstance(resource, _Lease):
                resource.close(cancel=cancel)
            elif isinstance(resource, cf.Executor):
                if isinstance(resource, cf.ProcessPoolExecutor):
                    resource.shutdown(wait=not cancel, cancel_futures=cancel)
                else:
                    resource.shutdown(wait=not cancel)
            else:
                resource.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close(cancel=exc_type is not None)


def _check_timeout(connect_timeout):
    if (isinstance(connect_timeout, bool) or not isinstance(connect_timeout, numbers.Real)
            or not connect_timeout > 0):
        raise ValueError(f"connect_timeout must be a number of seconds > 0, got "
                         f"{connect_timeout!r}")
    return float(connect_timeout)


def connect(address, *, connect_timeout=CONNECT_TIMEOUT):
    """A ``dask.distributed.Client`` connected to ``address``; ConnectionError if unreachable.

    Gives up after ``connect_timeout`` seconds with a one-line message naming the address.
    """
    connect_timeout = _check_timeout(connect_timeout)
    distributed = require_distributed()
    try:
        return distributed.Client(address, timeout=connect_timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ConnectionError(f"could not connect to the Dask scheduler at {address!r} within "
                              f"{connect_timeout:g} s ({type(exc).__name__}: {exc})") from None


def open_executor(executor=None, *, connect_timeout=CONNECT_TIMEOUT) -> ExecutorScope:
    """Resolve ``executor`` into an ``ExecutorScope`` that closes only what it opened.

    Parameters
    ----------
    executor : None, int, str, concurrent.futures.Executor or dask.distributed.Client
        None: in-process, serially (the scope's ``executor`` is None); an int N or
        ``"processes"``: a local process pool of N workers (the core count), started by the
        first such call and kept for the next ones (shut down after Ctrl-C or an error, by
        :func:`close_local_pools` and at exit; see the module docstring); an Executor: used
        as is and left running; a Dask client: its ``get_executor()``; an address such as
        ``"tcp://host:8786"``: a client connected here and closed with the scope.
    connect_timeout : float, optional
        Seconds to wait for a scheduler address (default 10).

    Returns
    -------
    ExecutorScope
        A context manager with ``executor`` (a ``concurrent.futures.Executor`` or None),
        ``client`` (the Dask client behind it, if any), ``description`` and
        ``start_method`` (of a local pool, else None).

    Raises
    ------
    TypeError, ValueError
        ``executor`` is none of the above (an unknown string, a count < 1), named.
    ConnectionError
        An address that cannot be reached within ``connect_timeout``.
    ImportError
        A Dask target without the ``dask`` extra installed.

    Examples
    --------
    >>> import concurrent.futures
    >>> from optkit.distributed import open_executor
    >>> with open_executor(None) as scope:
    ...     print(scope.executor, scope.description)
    None in-process
    >>> with concurrent.futures.ThreadPoolExecutor(2) as pool:
    ...     with open_executor(pool) as scope:
    ...         print(scope.executor.submit(sum, [1, 2]).result())
    3
    """
    if executor is None:
        return ExecutorScope(None)
    if isinstance(executor, cf.Executor):
        return ExecutorScope(executor, description=type(executor).__name__)
    if _is_dask_client(executor):
        return ExecutorScope(executor.get_executor(pure=False), client=executor,
                             description=f"Dask client of {executor.scheduler.address}")
    if isinstance(executor, str):
        if executor == "processes":
            return _local_processes(os.cpu_count() or 1)
        if is_address(executor):
            client = connect(executor, connect_timeout=connect_timeout)
            return ExecutorScope(client.get_executor(pure=False), owned=[client], client=client,
                                 description=f"Dask scheduler at {executor}")
        raise ValueError(f"executor: unknown string {executor!r}; expected 'processes' or a "
                         "scheduler address such as 'tcp://host:8786'")
    if isinstance(executor, numbers.Integral) and not isinstance(executor, bool):
        if executor < 1:
            raise ValueError(f"executor: the number of processes must be >= 1, got {executor}")
        return _local_processes(int(executor))
    raise TypeError("executor must be None, a number of processes, 'processes', a "
                    "concurrent.futures.Executor, a dask.distributed.Client or a scheduler "
                    f"address, got {type(executor).__name__}")


def _local_processes(n):
    with _POOLS_LOCK:
        pool, method = _POOLS.get(n, (None, None))
        if pool is None or not _usable(pool):
            context = _process_context()
            pool = cf.ProcessPoolExecutor(max_workers=n, mp_context=context)
            method = context.get_start_method()
            if method == "fork":
                # fork every worker now, while the caller is known to be single-threaded (the
                # first submit forks them all, before the pool's own thread starts), not at a
                # later submit after the caller may have started threads
                pool.submit(int)
            _POOLS[n] = pool, method
    scope = ExecutorScope(pool, owned=[_Lease(n, pool)], description=f"{n} local processes")
    scope.start_method = method
    return scope
