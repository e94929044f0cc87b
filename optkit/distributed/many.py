"""``minimize_many``: independent solves from many starting points, on any executor.

Each start is solved by ``optkit.minimize(fun, x0, method, args=args, **options)`` where the
executor puts it (see :mod:`optkit.distributed.executors`). A task carries one start, or on a
Dask cluster, where a task costs milliseconds of scheduler work, a batch of consecutive starts
planned by factoring (:mod:`optkit.distributed.batches`). The objective, its arguments and the
options travel once per task as cloudpickle bytes, so lambdas and closures work; they are
serialized before any task is submitted. A solve is the same computation wherever it runs, so
the results equal those of a serial loop (``executor=None``) bit for bit.
"""

from __future__ import annotations

import concurrent.futures as cf
import math

import numpy as np

from ..minimize import minimize
from ..optim import OptimizeResult, Status, check_options
from .batches import factoring
from .executors import CONNECT_TIMEOUT, open_executor
from .housekeeping import quiet_worker
from .progress import progress as make_progress
from .shipping import native, ship, unship

__all__ = ["minimize_many", "not_run"]

# optkit.minimize's own keywords (and bounds, which it reads); every other option is the
# driver's or the solver's
_MINIMIZE_KEYWORDS = ("jac", "hessp", "callback", "compile", "bounds")


def _starts(x0s):
    if isinstance(x0s, np.ndarray):
        if x0s.ndim != 2:
            raise ValueError(f"x0s must be a 2-D array (one start per row) or a list of "
                             f"vectors, got shape {x0s.shape}; wrap a single start as [x0]")
        return [np.array(row, dtype=float) for row in x0s]
    try:
        starts = [np.array(x0, dtype=float) for x0 in x0s]
    except TypeError as exc:
        raise TypeError(f"x0s must be a list of starting points, got {type(x0s).__name__}"
                        ) from exc
    for i, x0 in enumerate(starts):
        if x0.ndim != 1:
            raise ValueError(f"x0s[{i}] must be a vector, got shape {x0.shape}")
    return starts


def _method_name(method):
    return method.lower() if isinstance(method, str) else type(method).__name__


def not_run(x0, method) -> OptimizeResult:
    """The record of a start that never ran because the user interrupted (Ctrl-C) the batch.

    Status INTERRUPTED, ``success=False``, ``x`` the start, ``fun`` nan, zero counts.
    """
    status = Status.INTERRUPTED
    return OptimizeResult(x=np.array(x0, dtype=float), fun=math.nan, jac=None, nit=0, nfev=0,
                          njev=0, nhev=0, status=status.code, success=False,
                          message=f"not run: {status.message}", status_enum=status,
                          method=_method_name(method), history=None, time=0.0)


def _solve_shipped(payload, first, starts, where):
    """Worker side of one task: unpack the objective and options, solve from each start.

    ``starts`` are the starts ``first``, ``first + 1``, ...; an exception raised by a solve
    gets a note naming its start and ``where`` it ran. The starts arrive unpickled, and are
    given numpy's own dtype instance (:func:`~optkit.distributed.shipping.native`) so that the
    solves take the same fast paths as in the calling process. On a Dask worker, the worker's
    profiler and tick watchdog are slowed down while they run
    (:func:`~optkit.distributed.housekeeping.quiet_worker`).
    """
    job = unship(payload)
    results = []
    with quiet_worker():  # on a Dask worker: its profiler and watchdog wait (housekeeping)
        for i, x0 in enumerate(starts, first):
            try:
                results.append(minimize(job["fun"], native(x0), job["method"],
                                        args=job["args"], **job["options"]))
            except Exception as exc:
                exc.add_note(f"(in start {i} of minimize_many, on {where})")
                raise
    return results


def _check(method, args, options):
    if not isinstance(args, tuple):
        args = (args,)
    check_options(method, **{k: v for k, v in options.items() if k not in _MINIMIZE_KEYWORDS})
    return args


def minimize_many(fun, x0s, method="lbfgs", *, executor=None, args=(), progress=False,
                  connect_timeout=CONNECT_TIMEOUT, **options):
    """Minimize ``fun(x, *args)`` from each start in ``x0s``; one result per start, in order.

    Parameters
    ----------
    fun : callable
        ``fun(x, *args) -> float`` in plain numpy, as for :func:`optkit.minimize`.
    x0s : array_like or sequence
        The starts: a 2-D array (one start per row) or a sequence of starts.
    method : str or solver, optional
        As :func:`optkit.minimize` (derivatives default to optkit's AD, computed where the
        solve runs).
    executor : optional
        Where the solves run. None: in this process, one start after the other; an int N,
        or ``"processes"``: N local processes (the core count), started by the first such
        call and kept for the next ones (forked from a single-threaded caller, else started
        by the fork server, which re-imports a script's ``__main__``: guard the script's top
        level with ``if __name__ == "__main__":``, as for any multiprocessing; see
        :mod:`optkit.distributed.executors`); any ``concurrent.futures.Executor`` (left running); a
        ``dask.distributed.Client``, or a scheduler address such as ``"tcp://host:8786"``
        (connected for this call).
    args : tuple, optional
        Extra arguments of ``fun``.
    progress : bool, optional
        Draw a bar of completed solves on stderr.
    connect_timeout : float, optional
        Seconds to wait for a scheduler address.
    **options
        Further keywords of :func:`optkit.minimize` (``tol``, ``options``, ``jac``, ...).

    Returns
    -------
    list of OptimizeResult
        One per start, in order. Off-process results equal a serial run's bit for bit
        (apart from the ``time`` field). After Ctrl-C (KeyboardInterrupt) the solves not yet
        finished are cancelled and returned as ``not_run`` records (status INTERRUPTED,
        ``fun`` nan).

    Raises
    ------
    TypeError
        Off-process, ``fun``, ``args`` or ``options`` cannot be sent with cloudpickle (lambdas
        and closures can); raised before any work starts, as are the next two.
    ValueError
        An unknown method or option, or malformed starts.
    ConnectionError
        A scheduler address not reached within ``connect_timeout`` seconds.
    Exception
        An exception raised inside a solve cancels the rest and propagates, with a note
        naming the start.

    Examples
    --------
    >>> import numpy as np, optkit
    >>> def f(x):
    ...     return np.sum((x - 1.0) ** 2)
    >>> results = optkit.minimize_many(f, np.array([[0.0, 0.0], [5.0, -3.0]]))
    >>> [bool(r.success) for r in results], np.allclose(results[1].x, 1.0)
    ([True, True], True)
    """
    starts = _starts(x0s)
    args = _check(method, args, options)
    bar = make_progress(len(starts), progress)
    try:
        if executor is None:
            return _serial(fun, starts, method, args, options, bar)
        payload = ship(fun=fun, method=method, args=args, options=options)
        with open_executor(executor, connect_timeout=connect_timeout) as scope:
            if scope.executor is None:
                return _serial(fun, starts, method, args, options, bar)
            return _parallel(scope, payload, starts, method, bar)
    finally:
        bar.close()


def _serial(fun, starts, method, args, options, bar):
    results = [None] * len(starts)
    try:
        for i, x0 in enumerate(starts):
            try:
                results[i] = minimize(fun, x0, method, args=args, **options)
            except Exception as exc:
                exc.add_note(f"(in start {i} of minimize_many, in-process)")
                raise
            bar.update(i + 1)
            if results[i].status_enum is Status.INTERRUPTED:  # Ctrl-C inside the solve
                break
    except KeyboardInterrupt:  # Ctrl-C between solves (while compiling, say)
        pass
    return [r if r is not None else not_run(x0, method)
            for r, x0 in zip(results, starts, strict=True)]


def _parallel(scope, payload, starts, method, bar):
    results = [None] * len(starts)
    futures = {}
    try:
        for batch in factoring(len(starts), scope.batch_slots):
            future = scope.executor.submit(_solve_shipped, payload, batch.start,
                                           starts[batch.start:batch.stop], scope.description)
            futures[future] = batch
        done = 0
        for future in cf.as_completed(futures):
            batch = futures[future]
            try:
                results[batch.start:batch.stop] = map(_received, future.result())
            except Exception:  # its start is named in a note, by _solve_shipped
                _cancel(futures)
                raise
            done += len(batch)
            bar.update(done)
    except KeyboardInterrupt:
        _cancel(futures)
        scope.close(cancel=True)
    return [r if r is not None else not_run(x0, method)
            for r, x0 in zip(results, starts, strict=True)]


def _received(result):
    # the arrays of a result sent back (x, jac) get numpy's own dtype instance, as a serial
    # run's have: computing on them afterwards takes optkit's fast paths (see shipping.native)
    for key, value in result.items():
        if isinstance(value, np.ndarray):
            result[key] = native(value)
    return result


def _cancel(futures):
    for future in futures:
        future.cancel()
