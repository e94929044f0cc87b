"""NaN-ignoring reductions (nansum, nanprod, nanmean, nanmax, nanmin, nanvar, nanstd): NaN
entries are replaced by the operation's identity, then the ordinary reductions' rules apply; NaN
entries get a zero derivative. An all-NaN slice gives NaN, as in numpy.
"""

from __future__ import annotations

import numpy as np

from ..core import function_impls, value_of
from .reductions import norm2, normalize_axis, prod_function, sum_function


def _nan_filled(a, fill):
    return np.where(np.isnan(a), fill, a)


def _nan_count(a, axis, keepdims):
    return np.sum(np.logical_not(np.isnan(a)) * 1.0, axis=axis, keepdims=keepdims)


def _nansum_function(a, axis=None, dtype=None, out=None, keepdims=False, initial=None,
                     where=None):
    return sum_function(_nan_filled(a, 0.0), axis, dtype, out, keepdims, initial, where)


def _nanprod_function(a, axis=None, dtype=None, out=None, keepdims=False, initial=None,
                      where=None):
    return prod_function(_nan_filled(a, 1.0), axis, dtype, out, keepdims, initial, where)


def _nanmean_function(a, axis=None, dtype=None, out=None, keepdims=False, *, where=None):
    total = _nansum_function(a, axis=axis, out=out, keepdims=keepdims, where=where)
    return total / _nan_count(a, axis, keepdims)


def _nanextremum_function(extremum, fill):
    def function(a, axis=None, out=None, keepdims=False, initial=None, where=None):
        out = extremum(_nan_filled(a, fill), axis=axis, out=out, keepdims=keepdims,
                       **({} if initial is None else {"initial": initial}),
                       **({} if where is None else {"where": where}))
        # an all-NaN slice gives NaN, as numpy's does (not the fill value)
        return np.where(_nan_count(a, axis, keepdims) == 0.0, np.nan, out)

    return function


def _nanvar_terms(a, axis, ddof, keepdims):
    keep = _nan_count(a, axis, True)
    dev = _nan_filled(a - _nansum_function(a, axis=axis, keepdims=True) / keep, 0.0)
    return dev, _nan_count(a, axis, keepdims) - ddof


def _nanvar_function(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *,
                     where=None, mean=None, correction=None):
    if where is not None or mean is not None or out is not None:
        raise TypeError("np.nanvar(out=, where=, mean=) is not supported on traced values")
    dev, dof = _nanvar_terms(a, axis, correction if correction is not None else ddof, keepdims)
    return np.sum(dev * dev, axis=axis, keepdims=keepdims) / dof


def _nanstd_function(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *,
                     where=None, mean=None, correction=None):
    if where is not None or mean is not None or out is not None:
        raise TypeError("np.nanstd(out=, where=, mean=) is not supported on traced values")
    dev, dof = _nanvar_terms(a, axis, correction if correction is not None else ddof, keepdims)
    naxis = normalize_axis(axis, np.ndim(value_of(a)))
    return norm2(dev, axis=naxis, keepdims=bool(keepdims)) / np.sqrt(dof)


function_impls.update({
    np.nansum: _nansum_function,
    np.nanprod: _nanprod_function,
    np.nanmean: _nanmean_function,
    np.nanmax: _nanextremum_function(np.max, -np.inf),
    np.nanmin: _nanextremum_function(np.min, np.inf),
    np.nanvar: _nanvar_function,
    np.nanstd: _nanstd_function,
})
