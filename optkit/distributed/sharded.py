"""``sum_objective``: f(x) = sum_i loss(x, shard_i) with the shards kept on Dask workers.

This is how Spark MLlib runs L-BFGS (``treeAggregate`` of the loss and gradient over the
partitions) and how dask-glm runs SciPy's: the data stay where they are, only x travels out and
(f, g) travel back. Each evaluation is one round trip: one task per shard, computed on the
worker that holds it with optkit's AD (compiled once per shard, see
:mod:`optkit.distributed.shard_programs`), and a tree of summing tasks with fan-in
``split_every``, whose root alone comes back. Hessian-vector products (for Newton-CG) are
distributed the same way.

Locality: a shard's arrays are one Dask key (a tuple) on one worker, and each shard's task is
pinned to that worker, so after the first evaluation no shard data moves.

Fault tolerance: shards given as dask arrays are persisted; if a worker dies, Dask recomputes
its chunks from the array's graph on another worker, the evaluation notices the holder is gone
(it checks every ``_POLL`` seconds while waiting), finds the new holders and runs again, so a
solve completes with the same result. Shards given as numpy arrays are scattered: a lost
worker loses them, and the evaluation raises :class:`DistributedEvaluationError`, which keeps
the best point evaluated so far, instead of hanging.
"""

from __future__ import annotations

import importlib
import numbers
import time
import uuid

import numpy as np

from ..optim.point_cache import PointCache
from .executors import CONNECT_TIMEOUT, connect, require_distributed
from .shard_programs import (
    add_arrays,
    add_values_and_grads,
    bundle,
    forget,
    shard_hvp,
    shard_value_and_grad,
)
from .shipping import ship

__all__ = ["DistributedEvaluationError", "SumObjective", "sum_objective"]


class DistributedEvaluationError(RuntimeError):
    """An evaluation on the cluster was lost or timed out.

    Raised by :class:`SumObjective` when a worker died holding data that cannot be recomputed
    (numpy shards), or an evaluation took longer than the ``timeout`` of
    :func:`sum_objective`.

    Parameters
    ----------
    message : str
        What failed.
    x : ndarray or None, optional
        The best point evaluated so far (None if none was).
    fun : float or None, optional
        The objective there.

    Attributes
    ----------
    x : ndarray or None
        The best point evaluated so far (None if none was), so no progress is lost.
    fun : float or None
        The objective there.

    Examples
    --------
    Resume from the best point when a solve loses a worker (here a stand-in solve that
    fails once, as one would when a worker holding a numpy shard dies):

    >>> import numpy as np
    >>> calls = []
    >>> def solve(x0):
    ...     calls.append(x0)
    ...     if len(calls) == 1:
    ...         raise DistributedEvaluationError("worker lost", x=np.array([0.9]), fun=0.01)
    ...     return x0
    >>> try:
    ...     x = solve(np.zeros(1))
    ... except DistributedEvaluationError as err:
    ...     x = solve(err.x)  # restart where the lost solve had got to
    >>> x
    array([0.9])
    """

    def __init__(self, message, x=None, fun=None):
        super().__init__(message)
        self.x = x
        self.fun = fun


class _HolderLost(Exception):
    """A worker holding a shard left the cluster during an evaluation."""


_POLL = 0.5  # seconds between checks that the shards' holders are alive, while waiting


class SumObjective:
    """f(x) = sum over shards of ``loss(x, *shard)``, evaluated where the shards live.

    Built by :func:`sum_objective` (not constructed directly). ``obj(x)`` returns f and keeps
    the gradient computed with it, so ``obj.grad(x)`` at the same point costs nothing:
    ``optkit.minimize(obj, x0, jac=obj.grad, hessp=obj.hvp)`` and
    ``scipy.optimize.minimize(obj, x0, jac=obj.grad, hessp=obj.hvp)`` take one round trip per
    point. ``obj.value_and_grad(x)`` returns both (use it with ``jac=True``), ``obj.hvp(x,
    v)`` the Hessian at x times v. ``close()`` (or leaving a ``with`` block) releases the
    shards and the workers' compiled programs.

    Attributes
    ----------
    n_value_and_grad, n_hvp : int
        Round trips to the cluster so far.
    best_x, best_fun
        The best point evaluated so far and its value (None before the first evaluation).
    n_shards : int
        The number of shards.
    shard_keys : list
        The Dask key of every shard.

    Made by :func:`sum_objective`, which checks its arguments and places the data; call
    ``f(x)``, ``value_and_grad(x)``, ``grad(x)`` or ``hvp(x, v)``, and ``close()`` it (or
    use it as a context manager) to free the workers' memory. ``best_x`` and ``best_fun``
    hold the best point evaluated so far.

    Parameters
    ----------
    client : dask.distributed.Client
        The client the shards live on.
    payload : bytes
        The loss, pickled for the workers.
    shards : list of futures
        Per shard, the future of its tuple of arrays.
    timeout : float or None
        Seconds an evaluation may take (None: no limit).
    split_every : int
        The fan-in of the summing tree.
    owned_client : bool, optional
        Close the client with ``close()`` (a client ``sum_objective`` opened itself).

    Raises
    ------
    DistributedEvaluationError
        From an evaluation that was lost or timed out (carrying the best point so far).
    RuntimeError
        An evaluation after ``close()``.

    Examples
    --------
    >>> import numpy as np, optkit
    >>> from dask.distributed import Client
    >>> client = Client(processes=False, n_workers=1, threads_per_worker=1,
    ...                 dashboard_address=None)
    >>> X = np.arange(6.0).reshape(3, 2)
    >>> def loss(w, X):
    ...     return 0.5 * np.sum((X @ w) ** 2)
    >>> with optkit.sum_objective(loss, [X[:2], X[2:]], client=client) as obj:
    ...     print(obj.n_shards, obj(np.ones(2)), obj.grad(np.ones(2)))
    2 53.5 [46. 61.]
    >>> client.close()
    """

    def __init__(self, client, payload, shards, *, timeout, split_every, owned_client=False):
        self._client = client
        self._payload = payload
        self._shards = shards  # per shard, the future of its tuple of arrays (kept alive here)
        self._timeout = timeout
        self._split_every = split_every
        self._owned_client = owned_client
        self._token = uuid.uuid4().hex
        self._holders = None  # per shard, the address of the worker holding it
        self._cache = PointCache()  # item "fg": (f, g) at the last point
        self.best_x = None
        self.best_fun = None
        self.n_value_and_grad = 0
        self.n_hvp = 0

    @property
    def n_shards(self) -> int:
        return len(self._shards)

    @property
    def shard_keys(self):
        """The Dask key of every shard (a tuple of its arrays, held on one worker)."""
        return [f.key for f in self._shards]

    # -- evaluation ---------------------------------------------------------------------------
    def _run(self, leaf, combine, vectors):
        """Submit one evaluation and wait for its root; relocate and retry if a holder died."""
        if self._shards is None:
            raise RuntimeError("this sum_objective is closed")
        deadline = None if self._timeout is None else time.monotonic() + self._timeout
        if self._holders is None:
            self._locate(deadline)
        while True:
            futures = self._submit(leaf, combine, vectors)
            try:
                return self._wait(futures, deadline)
            except _HolderLost:
                self._client.cancel(futures)
                self._locate(deadline)
            except (TimeoutError, require_distributed().CancelledError) as exc:
                self._client.cancel(futures)
                raise self._failure(exc) from exc

    def _submit(self, leaf, combine, vectors):
        # each shard's task is pinned to the worker holding it: Dask's work stealing would
        # otherwise move a task, and with it the shard, to an idle worker now and then
        submit = self._client.submit
        level = [submit(leaf, self._token, self._payload, i, *vectors, shard, pure=False,
                        workers=[holder])
                 for i, (shard, holder) in enumerate(zip(self._shards, self._holders,
                                                         strict=True))]
        futures = list(level)
        k = self._split_every
        while len(level) > 1:
            level = [submit(combine, *level[j:j + k], pure=False)
                     for j in range(0, len(level), k)]
            futures += level
        return futures

    def _wait(self, futures, deadline):
        root = futures[-1]
        while True:
            wait = _POLL if deadline is None else min(_POLL, deadline - time.monotonic())
            try:
                return root.result(timeout=max(wait, 0.0))
            except TimeoutError:
                if deadline is not None and time.monotonic() >= deadline:
                    raise
                alive = self._client.scheduler_info()["workers"]
                if any(holder not in alive for holder in self._holders):
                    raise _HolderLost() from None

    def _locate(self, deadline):
        """Wait for every shard to be in memory (Dask recomputes lost chunks of dask arrays)
        and record which worker holds each."""
        distributed = require_distributed()
        while True:
            # a shard Dask will recompute is "lost" for a while; one it cannot is cancelled
            gone = [i for i, f in enumerate(self._shards) if f.status in ("cancelled", "error")]
            if gone:
                raise self._failure(f"shards {gone} were lost with a worker")
            step = _POLL if deadline is None else min(_POLL, deadline - time.monotonic())
            if step <= 0:
                raise self._failure("timed out waiting for the shards")
            try:
                with self._client.as_current():  # wait() asks for the current client
                    distributed.wait(self._shards, timeout=step)
                break
            except TimeoutError:
                continue
        who = self._client.who_has(self._shards)
        self._holders = [who[f.key][0] for f in self._shards]

    def _failure(self, cause):
        if isinstance(cause, BaseException):
            cause = f"{type(cause).__name__}: {cause or 'timed out'}"
        where = ("" if self.best_x is None
                 else f"; the best point so far (f = {self.best_fun:.10g}) is in .x")
        return DistributedEvaluationError(
            f"sum_objective: an evaluation on the cluster failed ({cause}){where}. Shards "
            "given as numpy arrays cannot be recomputed after a worker is lost; dask arrays can",
            x=self.best_x, fun=self.best_fun)

    def _point(self, x, what="x"):
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 1:
            raise ValueError(f"{what} must be 1-D, got shape {x.shape}")
        return x

    def value_and_grad(self, x):
        """``(f(x), grad f(x))`` in one round trip (answered from the last point if equal)."""
        x = self._point(x)
        items = self._cache.lookup(x)
        if items is not None:
            f, g = items["fg"]
            return f, g.copy()
        f, g = self._run(shard_value_and_grad, add_values_and_grads, (x,))
        f = float(f)
        self.n_value_and_grad += 1
        self._cache.reset(x)["fg"] = (f, g)
        if self.best_fun is None or f < self.best_fun:
            self.best_x, self.best_fun = x.copy(), f
        return f, g.copy()

    def __call__(self, x):
        return self.value_and_grad(x)[0]

    def grad(self, x):
        """grad f(x); free right after ``obj(x)`` at the same x."""
        return self.value_and_grad(x)[1]

    def hvp(self, x, v):
        """The Hessian of f at x times v, in one round trip."""
        x, v = self._point(x), self._point(v, "v")
        if v.shape != x.shape:
            raise ValueError(f"v must have the shape of x {x.shape}, got {v.shape}")
        self.n_hvp += 1
        return self._run(shard_hvp, add_arrays, (x, v))

    # -- lifetime -----------------------------------------------------------------------------
    def close(self):
        """Release the shards and drop the compiled programs on the workers."""
        if self._shards is None:
            return
        self._shards = None
        # the futures are only released (dropped here), never cancelled: another objective
        # built from the same dask arrays shares their keys
        try:
            if self._client.status == "running":
                self._client.run(forget, self._token)
        finally:
            if self._owned_client:
                self._client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# -- building ---------------------------------------------------------------------------------
def _resolve_client(client, connect_timeout):
    distributed = require_distributed()
    if client is None:
        try:
            return distributed.default_client(), False
        except ValueError:
            raise ValueError("client: no Dask client is running; start one "
                             "(dask.distributed.Client()) or pass client=") from None
    if isinstance(client, str):
        return connect(client, connect_timeout=connect_timeout), True
    if not isinstance(client, distributed.Client):
        raise TypeError(f"client must be a dask.distributed.Client, a scheduler address or None, "
                        f"got {type(client).__name__}")
    return client, False


def _dask_shards(client, arrays):
    dask_array = importlib.import_module("dask.array")
    flatten = importlib.import_module("dask.core").flatten
    distributed = require_distributed()
    for j, a in enumerate(arrays):
        if not isinstance(a, dask_array.Array):
            raise TypeError(f"arrays[{j}]: expected a dask array (or pass one list of numpy "
                            f"shards), got {type(a).__name__}")
        if a.ndim == 0 or any(len(c) != 1 for c in a.chunks[1:]):
            raise ValueError(f"arrays[{j}] must be chunked along axis 0 only, got chunks "
                             f"{a.chunks}; use a.rechunk({{i: -1 for i in range(1, a.ndim)}})")
        if a.chunks[0] != arrays[0].chunks[0]:
            raise ValueError(f"arrays[{j}] has row chunks {a.chunks[0]}, arrays[0] has "
                             f"{arrays[0].chunks[0]}: every array needs the same row chunks")
    persisted = client.persist(list(arrays))
    by_key = {f.key: f for f in distributed.futures_of(persisted)}
    # one chunk per row block: flattening the key grid gives the blocks in row order
    columns = [[by_key[k] for k in flatten(p.__dask_keys__())] for p in persisted]
    # each shard's blocks bundled on one worker; the bundle is recomputed from the blocks'
    # graph if its worker is lost
    return [client.submit(bundle, *blocks, pure=False) for blocks in zip(*columns, strict=True)]


def _numpy_shards(client, shards):
    if not isinstance(shards, (list, tuple)) or not shards:
        raise TypeError("shards must be a non-empty list of tuples of numpy arrays")
    workers = sorted(client.scheduler_info()["workers"])
    if not workers:
        raise ValueError("client: the cluster has no workers to hold the shards")
    out = []
    for i, shard in enumerate(shards):
        parts = shard if isinstance(shard, tuple) else (shard,)
        try:
            parts = [np.asarray(p) for p in parts]
        except (TypeError, ValueError) as exc:
            raise TypeError(f"shards[{i}] must hold numpy arrays: {exc}") from None
        # a shard's arrays as one tuple on one worker, shards spread round-robin
        out.append(client.scatter([tuple(parts)], workers=[workers[i % len(workers)]],
                                  hash=False)[0])
    return out


def sum_objective(loss, *arrays, client=None, timeout=None, split_every=8,
                  connect_timeout=CONNECT_TIMEOUT) -> SumObjective:
    """The objective f(x) = sum_i ``loss(x, *shard_i)`` with the shards on Dask workers.

    Parameters
    ----------
    loss : callable
        ``loss(x, *shard)``, plain numpy code returning a scalar; optkit's AD differentiates
        it on the workers. It travels with cloudpickle.
    *arrays
        The shards, either dask arrays ``sum_objective(loss, X, y)`` chunked along axis 0
        only, all with the same row chunks (shard i is the i-th row block of each; they are
        persisted, and a chunk lost with a worker is recomputed from its graph), or one list
        of numpy shards ``sum_objective(loss, [(X0, y0), (X1, y1), ...])`` (a bare array
        counts as a 1-tuple), scattered once, round-robin over the workers.
    client : dask.distributed.Client, str or None, optional
        A client, a scheduler address (connected, and closed by ``close()``) or None for the
        default client.
    timeout : float or None, optional
        Seconds an evaluation may take before DistributedEvaluationError (None: no limit).
    split_every : int, optional
        The fan-in of the summing tree (>= 2).
    connect_timeout : float, optional
        Seconds to wait for a scheduler address.

    Returns
    -------
    SumObjective
        Callable as ``f(x)``, with ``grad``, ``value_and_grad`` and ``hvp`` for
        ``optkit.minimize`` and SciPy (see there).

    Raises
    ------
    TypeError
        ``loss`` not callable or not picklable (before any data moves), or no data.
    ValueError
        A bad ``split_every`` or ``timeout``; dask arrays not chunked along axis 0 alone or
        with different row chunks; no running client (``client=None``) or no workers.
    ConnectionError
        A scheduler address not reached within ``connect_timeout`` seconds.
    ImportError
        Without the ``dask`` extra.

    Examples
    --------
    >>> import numpy as np, optkit
    >>> from dask.distributed import Client
    >>> client = Client(processes=False, n_workers=1, dashboard_address=None)
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((40, 3))
    >>> y = X @ np.array([1.0, -2.0, 0.5])
    >>> def loss(w, X, y):
    ...     return 0.5 * np.sum((X @ w - y) ** 2)
    >>> with optkit.sum_objective(loss, [(X[:20], y[:20]), (X[20:], y[20:])],
    ...                           client=client) as obj:
    ...     res = optkit.minimize(obj, np.zeros(3), jac=obj.grad, hessp=obj.hvp)
    >>> bool(res.success), np.allclose(res.x, [1.0, -2.0, 0.5])
    (True, True)
    >>> client.close()
    """
    if not callable(loss):
        raise TypeError(f"loss must be callable, got {type(loss).__name__}")
    if isinstance(split_every, bool) or not isinstance(split_every, numbers.Integral) \
            or split_every < 2:
        raise ValueError(f"split_every must be an integer >= 2, got {split_every!r}")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, numbers.Real)
                                or not timeout > 0):
        raise ValueError(f"timeout must be None or a number of seconds > 0, got {timeout!r}")
    if not arrays:
        raise TypeError("sum_objective needs the data: dask arrays, or one list of numpy shards")
    payload = ship(loss=loss)
    client, owned = _resolve_client(client, connect_timeout)
    try:
        if len(arrays) == 1 and isinstance(arrays[0], (list, tuple)):
            shards = _numpy_shards(client, arrays[0])
        else:
            shards = _dask_shards(client, arrays)
    except BaseException:
        if owned:
            client.close()
        raise
    objective = SumObjective(client, payload, shards, timeout=timeout,
                             split_every=int(split_every), owned_client=owned)
    objective._locate(None if timeout is None else time.monotonic() + timeout)
    return objective
