"""The worker side of ``sum_objective``: per-shard derivative programs, built once and kept.

A task names its objective by a token (unique per ``SumObjective``) and its shard by an index.
The first task for a (token, shard) on a worker unpickles ``loss`` and compiles
``x -> loss(x, *shard)`` with ``optkit.compile``; later tasks replay the compiled value+gradient
or Hessian-vector-product program. The shard's arrays are constants of that program (held by
reference, not copied). ``forget(token)`` drops an objective's programs; at most
``CAPACITY`` programs are kept per worker process, the least recently used dropped first.

The ``add_*`` functions are the nodes of the tree reduction: they sum their inputs in the
order given, so the reduction's result does not depend on which worker runs which node.
"""

from __future__ import annotations

import collections
import functools
import threading

import numpy as np

from ..ad import compile as compile_function
from .shipping import native, unship

__all__ = ["CAPACITY", "add_arrays", "add_values_and_grads", "bundle", "forget", "shard_hvp",
           "shard_value_and_grad"]

CAPACITY = 256  # compiled per-shard programs kept per worker process

_lock = threading.Lock()  # a worker may run several threads
_losses: dict[str, object] = {}
_programs: collections.OrderedDict = collections.OrderedDict()


def _apply(loss, parts, x):
    return loss(x, *parts)


def _program(token, payload, index, parts):
    key = (token, index)
    with _lock:
        program = _programs.get(key)
        if program is not None:
            _programs.move_to_end(key)
            return program
        loss = _losses.get(token)
        if loss is None:
            loss = _losses[token] = unship(payload)["loss"]
        program = compile_function(functools.partial(_apply, loss, tuple(parts)))
        _programs[key] = program
        while len(_programs) > CAPACITY:
            _programs.popitem(last=False)
        return program


def bundle(*parts):
    """A shard's arrays as one tuple: one Dask key, held (and recomputed) on one worker."""
    return parts


def shard_value_and_grad(token, payload, index, x, parts):
    """``(loss(x, *parts), grad)`` on the worker holding the shard's ``parts``."""
    # x arrives unpickled, with a copy of its dtype that misses the compiled program's fast
    # paths (see optkit.distributed.shipping); the scattered parts have numpy's own
    return _program(token, payload, index, parts).value_and_grad(native(x))


def shard_hvp(token, payload, index, x, v, parts):
    """The shard's Hessian at ``x`` times ``v`` (forward-over-reverse, compiled)."""
    return _program(token, payload, index, parts).hvp(native(x), native(v))


def add_values_and_grads(*pairs):
    """``(sum of f, sum of g)`` over ``(f, g)`` pairs, in order."""
    f = 0.0
    g = np.array(pairs[0][1], dtype=np.float64)
    for i, (fi, gi) in enumerate(pairs):
        f += fi
        if i:
            g += gi
    return f, g


def add_arrays(*arrays):
    """The sum of equally shaped arrays, in order."""
    total = np.array(arrays[0], dtype=np.float64)
    for a in arrays[1:]:
        total += a
    return total


def forget(token):
    """Drop the loss and compiled programs of one objective from this worker process."""
    with _lock:
        _losses.pop(token, None)
        for key in [k for k in _programs if k[0] == token]:
            del _programs[key]
