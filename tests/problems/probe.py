"""A stand-in for an AD tracer, to check that objectives are plain numpy.

`Probe` wraps an array and answers numpy's dispatch protocols (__array_ufunc__,
__array_function__) by unwrapping, computing and re-wrapping, like optkit's tracers do.
Everything a tracer cannot support raises `NotPlainNumpy`: converting to float, int, bool
or a plain array (np.asarray, math.*, `if` on a value, writing into a preallocated array),
in-place updates, and item assignment.
"""

import numpy as np
from numpy.lib.mixins import NDArrayOperatorsMixin


class NotPlainNumpy(TypeError):
    pass


def _unwrap(obj):
    if isinstance(obj, Probe):
        return obj.value
    if isinstance(obj, (list, tuple)):
        return type(obj)(_unwrap(o) for o in obj)
    return obj


def _wrap(obj):
    if isinstance(obj, (np.ndarray, np.generic)) and np.issubdtype(np.asarray(obj).dtype,
                                                                  np.inexact):
        return Probe(obj)
    if isinstance(obj, tuple):
        return tuple(_wrap(o) for o in obj)
    return obj


class Probe(NDArrayOperatorsMixin):
    def __init__(self, value):
        self.value = np.asarray(value)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if "out" in kwargs:
            raise NotPlainNumpy(f"in-place update through {ufunc.__name__}(out=...)")
        return _wrap(getattr(ufunc, method)(*_unwrap(inputs), **_unwrap(kwargs)))

    def __array_function__(self, func, types, args, kwargs):
        return _wrap(func(*_unwrap(args), **_unwrap(kwargs)))

    def __getitem__(self, index):
        if isinstance(index, Probe):
            raise NotPlainNumpy("indexing with a traced value")
        return Probe(self.value[index])

    def __setitem__(self, index, value):
        raise NotPlainNumpy("item assignment into a traced value")

    def __len__(self):
        return len(self.value)

    @property
    def shape(self):
        return self.value.shape

    @property
    def ndim(self):
        return self.value.ndim

    @property
    def size(self):
        return self.value.size

    def _refuse(self, *args, **kwargs):
        raise NotPlainNumpy("converting a traced value to a concrete number or array")

    __array__ = __float__ = __int__ = __index__ = __bool__ = __complex__ = _refuse
    tolist = item = _refuse
