"""What travels to a worker: objects serialized with cloudpickle, checked before any work.

The standard ``pickle`` refuses lambdas, closures and functions defined in ``__main__``;
cloudpickle sends those by value, so ``minimize_many(lambda x: ..., ...)`` works on local
processes and on a Dask cluster alike. Everything is serialized once, in the calling process,
so an object that cannot travel (a lock, an open file, a generator) is reported before a single
task is submitted.

Unpickled numpy arrays do not come back quite as they left. Pickle rebuilds an array's dtype as a
new instance (``pickle.loads(pickle.dumps(np.zeros(1))).dtype is np.dtype(float)`` is False;
numpy issue #6422), and every array computed from it inherits that instance. Equal as it is,
it misses the identity tests (``x.dtype is FLOAT64``) that guard optkit's AD fast paths: on LJ13
(32 L-BFGS solves of 39 coordinates) the solves ran 7-10% slower from unpickled starts than
from the same starts made in the process, in thread CPU. :func:`unship` and :func:`native`
give arrays numpy's own dtype instance back, so a solve on a worker runs as it does here.
"""

from __future__ import annotations

import importlib
import io
import pickle

import numpy as np

__all__ = ["native", "ship", "unship"]


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


def native(array):
    """``array``, viewed with numpy's own instance of its dtype where it has another one.

    A float64 array unpickled in this process has a dtype equal to, but not the same object as,
    ``np.dtype(np.float64)``; the view shares the data and is the same array in every other
    respect. Arrays with a dtype numpy keeps no shared instance of (structured, datetime with a
    unit, non-native byte order, with metadata), and anything that is not an ndarray, are
    returned as they are.

    Examples
    --------
    >>> import pickle
    >>> import numpy as np
    >>> x = pickle.loads(pickle.dumps(np.arange(3.0)))
    >>> x.dtype is np.dtype(np.float64), native(x).dtype is np.dtype(np.float64)
    (False, True)
    """
    dtype = getattr(array, "dtype", None)
    if not isinstance(array, np.ndarray) or dtype.metadata is not None:
        return array
    shared = np.dtype(dtype.char)
    if shared is dtype or shared != dtype:
        return array
    return array.view(shared)


# the function numpy's pickles (protocol 5) rebuild a contiguous array with, found by asking
# numpy rather than naming its private module
_FROMBUFFER = np.empty(1).__reduce_ex__(5)[0]


def _native_frombuffer(*args, **kwargs):
    return native(_FROMBUFFER(*args, **kwargs))


class _Unpickler(pickle.Unpickler):
    """``pickle.loads`` (which cloudpickle's ``loads`` is), except that contiguous numpy arrays
    come back with numpy's own dtype instance (see :func:`native`). A non-contiguous array is
    pickled another way and keeps its copied dtype."""

    def find_class(self, module, name):
        found = super().find_class(module, name)
        return _native_frombuffer if found is _FROMBUFFER else found


def unship(payload: bytes) -> dict:
    """The dict of named objects that :func:`ship` serialized; its numpy arrays (the
    objective's data, in ``args`` or captured by a closure) with numpy's own dtype instances."""
    _cloudpickle()  # a payload's functions may need cloudpickle's helpers importable
    return _Unpickler(io.BytesIO(payload)).load()
