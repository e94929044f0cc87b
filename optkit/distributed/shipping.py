"""What travels to a worker: objects serialized with cloudpickle, checked before any work.

The standard ``pickle`` refuses lambdas, closures and functions defined in ``__main__``;
cloudpickle sends those by value, so ``minimize_many(lambda x: ..., ...)`` works on local
processes and on a Dask cluster alike. Everything is serialized once, in the calling process,
so an object that cannot travel (a lock, an open file, a generator) is reported before a single
task is submitted.
"""

from __future__ import annotations

import importlib
import pickle

__all__ = ["ship", "unship"]


def _cloudpickle():
    # cloudpickle comes with the ``dask`` extra; it is only needed when work leaves the
    # process, so importing optkit never requires it.
    try:
        return importlib.import_module("cloudpickle")
    except ImportError as exc:
        raise ImportError("sending objectives to other processes needs cloudpickle: "
                          "pip install 'optkit[dask]' (or pip install cloudpickle)") from exc


def ship(**named) -> bytes:
    """Serialize the named objects together; an object that cannot travel is a TypeError.

    The error names the argument (``fun``, ``args``, ``loss``, ...) and the reason, e.g.
    ``fun: cannot be sent to worker processes: cannot pickle '_thread.lock' object``.
    """
    dumps = _cloudpickle().dumps
    try:
        return dumps(named, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # pickling raises TypeError, PicklingError, AttributeError, ...
        pass
    for name, value in named.items():  # find the culprit, to name it
        try:
            dumps(value)
        except Exception as exc:
            raise TypeError(f"{name}: cannot be sent to worker processes with cloudpickle: "
                            f"{type(exc).__name__}: {exc}") from exc
    return dumps(named, protocol=pickle.HIGHEST_PROTOCOL)  # raises what the first try did


def unship(payload: bytes) -> dict:
    """The dict of named objects that :func:`ship` serialized."""
    return _cloudpickle().loads(payload)
