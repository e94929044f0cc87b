"""Reductions: sum (linear), prod, max/min and the 2-norm with their own rules, and composites
written with numpy calls on top of them (mean, var, std, ptp, average, trace).

prod's rule multiplies the other entries, built from cumulative products from both sides, so it
is exact when entries are zero (at first order, with no zero entry, it divides the product by
x instead). At ties, max's derivative goes to the first tied entry and min's to the last (a
one-sided derivative, consistent with np.maximum's and np.sort's).
The 2-norm's rule gives the subgradient 0 at x = 0 (its own derivative there is NaN); std is
the 2-norm of the deviations over sqrt(dof), so it has no 0/0 at constant data.
"""

from __future__ import annotations

import math

import numpy as np

from ..core import Tracer, dtype_of, function_impls, is_complex, primitive, value_of


def normalize_axis(axis, ndim):
    if axis is None:
        return None
    if isinstance(axis, (int, np.integer)):
        return (int(axis) % ndim,) if ndim else ()
    return tuple(sorted(int(a) % ndim for a in axis))


def _sum(x, axis, keepdims):
    return np.add.reduce(x, axis=axis, keepdims=keepdims)


def _expand_reduced(g, shape, axis, keepdims):
    """Give ``g`` (a reduction's output) back the reduced axes, as size-1 dims of ``shape``."""
    if keepdims or axis is None:  # nothing to put back: all axes reduced, or kept
        return g
    kept = list(shape)
    for a in axis:
        kept[a] = 1
    return np.reshape(g, tuple(kept))


def _sum_vjp(g, ans, x, axis, keepdims):
    shape = np.shape(x)
    g = _expand_reduced(g, shape, axis, keepdims)
    if isinstance(g, Tracer) or math.prod(shape) > _SMALL:
        return np.broadcast_to(g, shape)  # a view: no pass over memory
    out = np.empty(shape, dtype_of(g))  # for small arrays, 5x cheaper than broadcast_to
    out[...] = g
    return out


_SMALL = 1 << 14


sum_ = primitive("sum", _sum, vjp=_sum_vjp, linear=True)


# the mean is one primitive, not a sum then a division: one traced operation instead of two
def _mean(x, axis, keepdims, count):
    return np.add.reduce(x, axis=axis, keepdims=keepdims) / count


def _mean_vjp(g, ans, x, axis, keepdims, count):
    return _sum_vjp(g / count, ans, x, axis, keepdims)


mean_ = primitive("mean", _mean, vjp=_mean_vjp, linear=True)


def sum_function(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    if out is not None:
        raise TypeError("np.sum(..., out=) cannot write a traced value; drop `out`")
    if where is not None:
        a = np.where(where, a, 0.0)
    if axis is not None:
        axis = normalize_axis(axis, np.ndim(value_of(a)))
    total = sum_(a, axis=axis, keepdims=bool(keepdims))
    return total if initial is None else total + initial


def _mean_function(a, axis=None, dtype=None, out=None, keepdims=False, where=None):
    if where is not None:  # the mean of the selected entries
        count = np.sum(np.broadcast_to(where, np.shape(value_of(a))), axis=axis,
                       keepdims=keepdims)
        return sum_function(a, axis=axis, out=out, keepdims=keepdims, where=where) / count
    if out is not None:
        raise TypeError("np.mean(..., out=) cannot write a traced value; drop `out`")
    shape = np.shape(value_of(a))
    naxis = normalize_axis(axis, len(shape))
    return mean_(a, axis=naxis, keepdims=bool(keepdims), count=float(_reduced_count(shape, naxis)))


def _reduced_count(shape, axis):
    # math.prod: np.prod on a tuple costs microseconds, once per traced mean
    return math.prod(shape if axis is None else [shape[i] for i in axis])


def _check_out(name, out):
    if out is not None:
        raise TypeError(f"np.{name}(..., out=) cannot write a traced value; drop `out`")


# ---- prod --------------------------------------------------------------------------------
def _others_last(x):
    """Product of the other entries along the last axis, with no division (zeros are fine)."""
    ones = np.ones(np.shape(x)[:-1] + (1,))
    before = np.cumprod(np.concatenate([ones, x[..., :-1]], axis=-1), axis=-1)
    after = np.flip(np.cumprod(np.concatenate([ones, np.flip(x[..., 1:], -1)], axis=-1),
                               axis=-1), -1)
    return before * after


def _prod_others(x, ans, axis, keepdims):
    """``out[i] = prod of x over the reduced axes, leaving out entry i`` (shape of ``x``)."""
    shape = np.shape(x)
    if axis is None:
        axis = tuple(range(len(shape)))
    if not shape or not axis or _reduced_count(shape, axis) == 0:
        return np.ones(shape)
    if not isinstance(x, Tracer) and _safe_to_divide(x, ans):
        # first order, no zero and a normal product: ans / x is exact to an ulp or two
        return _expand_reduced(ans, shape, axis, keepdims) / x
    kept = [i for i in range(len(shape)) if i not in axis]
    perm = tuple(kept) + tuple(axis)
    moved = np.transpose(x, perm) if perm != tuple(range(len(shape))) else x
    flat = np.reshape(moved, tuple(shape[i] for i in kept) + (_reduced_count(shape, axis),))
    out = np.reshape(_others_last(flat), np.shape(moved))
    return np.transpose(out, tuple(np.argsort(perm))) if moved is not x else out


def _safe_to_divide(x, ans):
    tiny = np.finfo(float).tiny
    return np.count_nonzero(x) == np.size(x) and bool(np.all(np.abs(ans) >= tiny)) and bool(
        np.all(np.isfinite(ans)))


def _prod(x, axis, keepdims):
    return np.prod(x, axis=axis, keepdims=keepdims)


def _prod_jvp(t, ans, x, axis, keepdims):
    return np.sum(t * _prod_others(x, ans, axis, keepdims), axis=axis, keepdims=keepdims)


def _prod_vjp(g, ans, x, axis, keepdims):
    others = _prod_others(x, ans, axis, keepdims)
    return _expand_reduced(g, np.shape(x), axis, keepdims) * others


prod = primitive("prod", _prod, jvp=_prod_jvp, vjp=_prod_vjp, complex=True)  # holomorphic


def prod_function(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    _check_out("prod", out)
    if where is not None:
        a = np.where(where, a, 1.0)
    p = prod(a, axis=normalize_axis(axis, np.ndim(value_of(a))), keepdims=bool(keepdims))
    return p if initial is None else p * initial


# ---- max and min ---------------------------------------------------------------------------
# At a tie an earlier entry counts as the larger, infinitesimally, as for np.maximum (whose first
# argument wins a tie) and for np.sort: max's derivative goes to the first of the tied entries,
# min's to the last. That is a one-sided derivative, and it keeps the order statistics apart, so
# max(x)**2 + min(x)**2 or max(x) * min(x) at x = (a, a) are exact to second order (sharing
# 1/k among the k tied entries is exact at first order only).
def _selected(ans, x, axis, keepdims, last):
    """The 0/1 mask of the entry each max (``last=False``) or min (``last=True``) takes (a
    constant). Without ties (one hit per reduced slice, the common case) it is the boolean mask
    of entries equal to the extremum itself."""
    hit = x == _expand_reduced(ans, np.shape(x), axis, keepdims)  # comparisons are constants
    if not isinstance(hit, Tracer) and np.count_nonzero(hit) == np.size(ans):
        return hit
    # ties, a NaN extremum (no entry equals it: its slice gets no derivative), or a staged
    # program (no branch on values): the first (or last) hit of each slice, found by counting
    shape = np.shape(value_of(hit))
    reduced = tuple(range(len(shape))) if axis is None else axis
    kept = tuple(i for i in range(len(shape)) if i not in reduced)
    order = kept + reduced
    flat = np.reshape(np.transpose(hit, order), tuple(shape[i] for i in kept) + (-1,))
    if last:
        flat = flat[..., ::-1]
    first = flat * (np.cumsum(flat, axis=-1) == 1)
    if last:
        first = first[..., ::-1]
    first = np.reshape(first, tuple(shape[i] for i in order))
    return np.transpose(first, np.argsort(order))


def _one_hit(share, other, axis):
    """Without ties, on plain arrays, over all axes or one: where each extremum sits (the flat
    index, or indices along the axis with that axis kept); else None (use the mask)."""
    if not isinstance(share, np.ndarray) or share.dtype != bool or isinstance(other, Tracer):
        return None
    if axis is None:
        return int(np.argmax(share))
    if len(axis) == 1:
        return np.expand_dims(np.argmax(share, axis=axis[0]), axis[0])
    return None


def _extremum_jvp(t, ans, x, axis, keepdims, last):
    share = _selected(ans, x, axis, keepdims, last)
    at = _one_hit(share, t, axis)
    if at is not None:  # a read of the extremal entries, not a pass over t
        if axis is None:
            return np.reshape(np.ravel(t)[at], np.shape(ans))
        out = np.take_along_axis(t, at, axis=axis[0])
        return out if keepdims else np.squeeze(out, axis[0])
    return np.sum(t * share, axis=axis, keepdims=keepdims)


def _extremum_vjp(g, ans, x, axis, keepdims, last):
    share = _selected(ans, x, axis, keepdims, last)
    g = _expand_reduced(g, np.shape(x), axis, keepdims)
    at = _one_hit(share, g, axis)
    if at is not None:  # a scatter of g into zeros, one entry per reduced slice
        out = np.zeros(np.shape(x))
        if axis is None:
            out.flat[at] = np.reshape(g, ())
        else:
            np.put_along_axis(out, at, g, axis=axis[0])
        return out
    return g * share


def _max_jvp(t, ans, x, axis, keepdims):
    return _extremum_jvp(t, ans, x, axis, keepdims, last=False)


def _max_vjp(g, ans, x, axis, keepdims):
    return _extremum_vjp(g, ans, x, axis, keepdims, last=False)


def _min_jvp(t, ans, x, axis, keepdims):
    return _extremum_jvp(t, ans, x, axis, keepdims, last=True)


def _min_vjp(g, ans, x, axis, keepdims):
    return _extremum_vjp(g, ans, x, axis, keepdims, last=True)


def _max(x, axis, keepdims):
    return np.max(x, axis=axis, keepdims=keepdims)


def _min(x, axis, keepdims):
    return np.min(x, axis=axis, keepdims=keepdims)


max_ = primitive("max", _max, jvp=_max_jvp, vjp=_max_vjp)
min_ = primitive("min", _min, jvp=_min_jvp, vjp=_min_vjp)


def _extremum_function(prim, name, pick, fill):
    def function(a, axis=None, out=None, keepdims=False, initial=None, where=None):
        _check_out(name, out)
        if where is not None:
            if initial is None:
                raise ValueError(f"np.{name}(where=) needs `initial`, as in numpy")
            a = np.where(where, a, fill)
        shape = np.shape(value_of(a))
        naxis = normalize_axis(axis, len(shape))
        if _reduced_count(shape, naxis) == 0:
            raise ValueError(f"np.{name}: zero-size reduction on a traced value")
        out = prim(a, axis=naxis, keepdims=bool(keepdims))
        return out if initial is None else pick(out, initial)

    return function


# ---- the 2-norm (std and np.linalg.norm) ----------------------------------------------------
def _norm2(x, axis, keepdims):
    if x.dtype.kind == "c":  # sqrt(sum |x|^2)
        return np.sqrt(np.sum(x.real * x.real + x.imag * x.imag, axis=axis, keepdims=keepdims))
    if axis is None:  # one dot product, no temporary (what np.linalg.norm itself does)
        flat = np.ravel(x)
        out = np.sqrt(np.dot(flat, flat))
        return np.reshape(out, (1,) * np.ndim(x)) if keepdims else out
    return np.sqrt(np.sum(x * x, axis=axis, keepdims=keepdims))


def _inverse_norm_value(ans):
    zero = ans == 0.0
    return np.where(zero, 0.0, 1.0 / np.where(zero, 1.0, ans))


def _inverse_norm_d(t, out, ans):
    # d(1/n) = -dn / n**2; NaN at n = 0 (see _inverse_norm)
    zero = ans == 0.0
    return t * np.where(zero, np.nan, -np.square(out))


# ``1 / ans``, with 0 where the norm is 0: the minimum-norm subgradient of the norm at x = 0.
# Its own derivative there is NaN: the norm has no second derivative at 0, and no local rule
# can give the exact one of a composition that has one (np.linalg.norm(x)**2 = x @ x has the
# Hessian 2I at 0, but the norm's rule sees only n = 0 and a zero tangent), so a Hessian
# through a norm at 0 is refused with NaN rather than silently wrong (write x @ x instead).
# Computed on the reduced shape only, and branch-free, so a compiled program stays valid.
_inverse_norm = primitive("inverse_norm", _inverse_norm_value, jvp=_inverse_norm_d,
                          vjp=_inverse_norm_d)


# complex x: dn = Re(sum(conj(x) dx)) / n, whose transpose (vspace) is g -> g conj(x) / n
def _norm2_jvp(t, ans, x, axis, keepdims):
    if is_complex(x):
        return np.sum(np.real(np.conjugate(x) * t), axis=axis, keepdims=keepdims) * \
            _inverse_norm(ans)
    return np.sum(t * x, axis=axis, keepdims=keepdims) * _inverse_norm(ans)


def _norm2_vjp(g, ans, x, axis, keepdims):
    if is_complex(x):
        x = np.conjugate(x)
    return x * _expand_reduced(g * _inverse_norm(ans), np.shape(x), axis, keepdims)


norm2 = primitive("norm2", _norm2, jvp=_norm2_jvp, vjp=_norm2_vjp, complex=True)


# ---- moments and trace ---------------------------------------------------------------------
def _squared(dev):
    """|dev|^2: numpy's variance of complex values is the mean of the squared modulus."""
    return np.real(dev * np.conjugate(dev)) if is_complex(dev) else dev * dev


def _var_function(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None,
                  mean=None, correction=None):
    if where is not None or mean is not None:
        raise TypeError("np.var(where=, mean=) is not supported on traced values")
    if correction is not None:
        ddof = correction
    shape = np.shape(value_of(a))
    naxis = normalize_axis(axis, len(shape))
    dev = a - _mean_function(a, axis=naxis, keepdims=True)
    dof = _reduced_count(shape, naxis) - ddof
    if dof <= 0:
        raise ValueError(f"np.var: ddof={ddof} leaves no degrees of freedom on traced values")
    return sum_function(_squared(dev), axis=naxis, out=out, keepdims=keepdims) / float(dof)


def _std_function(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None,
                  mean=None, correction=None):
    # ||a - mean|| / sqrt(dof): the 2-norm's rule gives 0, not 0/0, where all entries are equal
    if where is not None or mean is not None:
        raise TypeError("np.std(where=, mean=) is not supported on traced values")
    if out is not None:
        raise TypeError("np.std(..., out=) cannot write a traced value; drop `out`")
    if correction is not None:
        ddof = correction
    shape = np.shape(value_of(a))
    naxis = normalize_axis(axis, len(shape))
    dof = _reduced_count(shape, naxis) - ddof
    if dof <= 0:
        raise ValueError(f"np.std: ddof={ddof} leaves no degrees of freedom on traced values")
    dev = a - _mean_function(a, axis=naxis, keepdims=True)
    return norm2(dev, axis=naxis, keepdims=bool(keepdims)) / np.sqrt(float(dof))


def _trace_function(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    if out is not None:
        raise TypeError("np.trace(..., out=) cannot write a traced value; drop `out`")
    return sum_function(np.diagonal(a, offset, axis1, axis2), axis=-1)


def _ptp_function(a, axis=None, out=None, keepdims=False):
    _check_out("ptp", out)
    return np.max(a, axis=axis, keepdims=keepdims) - np.min(a, axis=axis, keepdims=keepdims)


def _average_function(a, axis=None, weights=None, returned=False, *, keepdims=False):
    if weights is None:
        avg = _mean_function(a, axis=axis, keepdims=keepdims)
        if not returned:
            return avg
        shape = np.shape(value_of(a))
        count = float(_reduced_count(shape, normalize_axis(axis, len(shape))))
        return avg, np.full(np.shape(value_of(avg)), count)
    shape = np.shape(value_of(a))
    wshape = np.shape(value_of(weights))
    if wshape != shape:
        # numpy: 1-d weights of a's length along one given axis
        if axis is None or not isinstance(axis, (int, np.integer)) or len(wshape) != 1:
            raise TypeError("np.average: weights must have a's shape, or be 1-d along an int axis")
        ax = int(axis) % len(shape)
        if wshape[0] != shape[ax]:
            raise ValueError("np.average: the length of weights differs from a's along axis")
        weights = np.reshape(weights, tuple(n if i == ax else 1 for i, n in enumerate(shape)))
    total = np.sum(weights * np.ones(shape), axis=axis, keepdims=keepdims)
    avg = np.sum(a * weights, axis=axis, keepdims=keepdims) / total
    return (avg, total) if returned else avg


def _linalg_trace_function(x, /, *, offset=0, dtype=None):
    return sum_function(np.diagonal(x, offset, -2, -1), axis=-1)


function_impls.update({
    np.linalg.trace: _linalg_trace_function,
    np.sum: sum_function,
    np.mean: _mean_function,
    np.prod: prod_function,
    np.max: _extremum_function(max_, "max", np.maximum, -np.inf),
    np.amax: _extremum_function(max_, "amax", np.maximum, -np.inf),
    np.min: _extremum_function(min_, "min", np.minimum, np.inf),
    np.amin: _extremum_function(min_, "amin", np.minimum, np.inf),
    np.var: _var_function,
    np.std: _std_function,
    np.trace: _trace_function,
    np.ptp: _ptp_function,
    np.average: _average_function,
})
