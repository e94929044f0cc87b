"""numpy functions composed of operations optkit already differentiates: interp, trapezoid,
polyval, convolve, linspace, meshgrid, vander; cov, corrcoef, gradient, ediff1d, insert, select,
nan_to_num, resize, unique.

None of these is a primitive: each follows numpy's own arithmetic on the traced values, so its
forward, reverse and higher-order derivatives come from the rules of the pieces, and its values
are numpy's.
Where numpy's result depends on a comparison of values (the segment np.interp evaluates, the
first occurrences np.unique keeps, whether np.gradient's coordinates are evenly spaced), that is
read with ``concrete()`` and is a constant of the evaluation, as the permutation of np.sort is;
at a knot of np.interp the derivative is the one-sided one from the right.
"""

from __future__ import annotations

import operator
import warnings

import numpy as np

from ..core import Tracer, concrete, function_impls, value_of
from .indexing import getitem, stack_sequence


def _as_operand(a, name, arg):
    """A traced value as it is; anything else (a list, a number) as a float array. Complex
    values are refused, naming the function and argument."""
    a = stack_sequence(a)
    if isinstance(a, Tracer):
        return a
    if np.iscomplexobj(a):
        raise TypeError(f"np.{name}: complex `{arg}` is not supported on traced values")
    return np.asarray(a, dtype=float)


# ---- interp ----------------------------------------------------------------------------------
def _interp_function(x, xp, fp, left=None, right=None, period=None):
    """Piecewise-linear interpolation, numpy's formula ``fp[j] + slope_j (x - xp[j])`` on the
    segment ``xp[j] <= x < xp[j+1]``; ``left``/``right`` (default ``fp[0]``/``fp[-1]``) outside.
    Differentiable in ``x``, ``xp``, ``fp``, ``left`` and ``right``."""
    x, xp, fp = (_as_operand(a, "interp", arg) for arg, a in (("x", x), ("xp", xp), ("fp", fp)))
    left, right = (a if a is None else _as_operand(a, "interp", arg)
                   for arg, a in (("left", left), ("right", right)))
    if np.ndim(value_of(xp)) != 1 or np.ndim(value_of(fp)) != 1:
        raise ValueError("np.interp: `xp` and `fp` must be 1-d sequences")
    n = np.shape(value_of(xp))[0]
    if np.shape(value_of(fp))[0] != n:
        raise ValueError("np.interp: `fp` and `xp` are not of the same length")
    if n == 0:
        raise ValueError("np.interp: `xp` (the array of sample points) is empty")
    for arg, a in (("left", left), ("right", right)):
        if a is not None and np.ndim(value_of(a)) != 0:
            raise ValueError(f"np.interp: `{arg}` must be a scalar")
    if period is not None:
        if isinstance(period, Tracer):
            raise TypeError("np.interp: `period` must be a plain number, not a traced value")
        if np.ndim(period) != 0 or period == 0:
            raise ValueError(f"np.interp: `period` must be a non-zero scalar, got {period!r}")
        # numpy: both ends wrap around, left/right are ignored (one period padded on each side)
        period = abs(float(period))
        x, xp = np.mod(x, period), np.mod(xp, period)
        order = np.argsort(concrete(xp, "np.interp sample points"))
        xp, fp = getitem(xp, index=order), getitem(fp, index=order)
        xp = np.concatenate([xp[-1:] - period, xp, xp[:1] + period])
        fp = np.concatenate([fp[-1:], fp, fp[:1]])
        left = right = None
        n += 2
    left = fp[0] if left is None else left
    right = fp[-1] if right is None else right
    xv = concrete(x, "np.interp of a traced value")
    xpv = concrete(xp, "np.interp sample points")
    nan = np.isnan(xv)
    below, above = xv < xpv[0], xv > xpv[-1]
    if n == 1:
        inner = np.broadcast_to(fp[0], np.shape(xv))
    else:
        # j with xp[j] <= x < xp[j+1], as numpy's binary search finds it (xp nondecreasing)
        j = np.clip(np.searchsorted(xpv, xv, side="right") - 1, 0, n - 2)
        # entries the formula does not give (outside, NaN, x == xp[-1]) see a finite x and a
        # nonzero run instead, so that no inf or NaN reaches a derivative through np.where
        if not np.all(np.isfinite(xv)):
            x = np.where(np.isfinite(xv), x, xpv[0])
        safe = np.where(xpv[j + 1] == xpv[j], 1.0, 0.0)  # a zero run: only where unused
        x0, f0 = getitem(xp, index=j), getitem(fp, index=j)
        slope = (getitem(fp, index=j + 1) - f0) / (getitem(xp, index=j + 1) - x0 + safe)
        inner = np.where(xv == xpv[-1], fp[-1], slope * (x - x0) + f0)
    return np.where(nan, np.nan, np.where(below, left, np.where(above, right, inner)))


# ---- integration and polynomials -------------------------------------------------------------
def _axis_of(name, a, axis):
    ndim = np.ndim(value_of(a))
    if not isinstance(axis, (int, np.integer)) or not -ndim <= axis < ndim:
        raise ValueError(f"np.{name}: `axis` {axis!r} is out of bounds for {ndim}-d input")
    return int(axis) % ndim


def _trapezoid_function(y, x=None, dx=1.0, axis=-1):
    """The composite trapezoidal rule, ``sum(d * (y[1:] + y[:-1]) / 2)`` as numpy writes it."""
    y = _as_operand(y, "trapezoid", "y")
    axis = _axis_of("trapezoid", y, axis)
    ndim = np.ndim(value_of(y))
    if x is None:
        d = dx
    else:
        x = _as_operand(x, "trapezoid", "x")
        if np.ndim(value_of(x)) == 1:
            d = np.diff(x)
            shape = [1] * ndim
            shape[axis] = np.shape(value_of(d))[0]
            d = np.reshape(d, shape)
        else:
            d = np.diff(x, axis=axis)
    lead = (slice(None),) * axis
    return np.sum(d * (y[lead + (slice(1, None),)] + y[lead + (slice(None, -1),)]) / 2.0,
                  axis=axis)


def _polyval_function(p, x):
    """Horner's scheme, as numpy evaluates it: ``y <- y * x + p[i]`` from the leading term."""
    if isinstance(p, np.poly1d) or isinstance(x, np.poly1d):
        raise TypeError("np.polyval: np.poly1d arguments are not supported on traced values")
    p, x = _as_operand(p, "polyval", "p"), _as_operand(x, "polyval", "x")
    if np.ndim(value_of(p)) == 0:
        raise ValueError("np.polyval: `p` must be a sequence of coefficients, not a scalar")
    y = np.zeros(np.shape(value_of(x)))
    for i in range(np.shape(value_of(p))[0]):
        y = y * x + p[i]
    return y


_CONVOLVE_MODES = ("full", "same", "valid")


def _convolve_function(a, v, mode="full"):
    """``out[k] = sum_j a[k + j - (m - 1)] * v[m - 1 - j]``: windows of the zero-padded longer
    sequence (a constant gather) times the reversed shorter one, a matrix-vector product."""
    if mode not in _CONVOLVE_MODES:
        raise ValueError(f"np.convolve: `mode` must be one of {_CONVOLVE_MODES}, got {mode!r}")
    a, v = _as_operand(a, "convolve", "a"), _as_operand(v, "convolve", "v")
    for arg, s in (("a", a), ("v", v)):
        if np.ndim(value_of(s)) > 1:
            raise ValueError(f"np.convolve: `{arg}` must be 1-d")
    a, v = np.reshape(a, (-1,)), np.reshape(v, (-1,))
    n, m = np.shape(value_of(a))[0], np.shape(value_of(v))[0]
    if m > n:
        a, v, n, m = v, a, m, n
    if n == 0 or m == 0:
        raise ValueError(f"np.convolve: `{'a' if n == 0 else 'v'}` cannot be empty")
    start, stop = {"full": (0, n + m - 1), "same": ((m - 1) // 2, (m - 1) // 2 + n),
                   "valid": (m - 1, n)}[mode]
    padded = np.pad(a, m - 1)
    windows = getitem(padded, index=np.arange(start, stop)[:, None] + np.arange(m))
    return windows @ v[::-1]


# ---- grids -----------------------------------------------------------------------------------
def _check_float_dtype(name, dtype):
    if dtype is not None and np.dtype(dtype) != np.float64:
        raise TypeError(f"np.{name}: `dtype`={dtype!r} is not supported; traced values are "
                        "float64")


def _linspace_function(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0,
                       *, device=None):
    """numpy's own steps: ``arange(num) * step + start``, with the last sample set to ``stop``."""
    num = operator.index(num)
    if num < 0:
        raise ValueError(f"np.linspace: `num`={num} must be non-negative")
    _check_float_dtype("linspace", dtype)
    if device not in (None, "cpu"):
        raise ValueError(f"np.linspace: `device` must be 'cpu' or None, got {device!r}")
    start, stop = _as_operand(start, "linspace", "start"), _as_operand(stop, "linspace", "stop")
    div = (num - 1) if endpoint else num
    delta = stop - start
    y = np.arange(0, num, dtype=float).reshape((-1,) + (1,) * np.ndim(value_of(delta)))
    if div > 0:
        step = delta / div
        # numpy's branch for a step that underflows to zero (gh-5437), chosen per entry
        y = np.where(step == 0, y / div * delta, y * step)
    else:
        step = np.nan
        y = y * delta
    y = y + start
    if endpoint and num > 1:
        y = np.concatenate([y[:-1], np.broadcast_to(stop, (1,) + np.shape(value_of(y))[1:])])
    if axis != 0:
        y = np.moveaxis(y, 0, axis)
    return (y, step) if retstep else y


def _meshgrid_function(*xi, copy=True, sparse=False, indexing="xy"):
    if indexing not in ("xy", "ij"):
        raise ValueError(f"np.meshgrid: `indexing` must be 'xy' or 'ij', got {indexing!r}")
    ndim = len(xi)
    ones = (1,) * ndim
    out = [np.reshape(_as_operand(x, "meshgrid", "xi"), ones[:i] + (-1,) + ones[i + 1:])
           for i, x in enumerate(xi)]
    if indexing == "xy" and ndim > 1:
        out[0] = np.reshape(out[0], (1, -1) + ones[2:])
        out[1] = np.reshape(out[1], (-1, 1) + ones[2:])
    if not sparse:
        out = np.broadcast_arrays(*out)
    return tuple(x.copy() for x in out) if copy else tuple(out)


def _vander_function(x, N=None, increasing=False):  # noqa: N803 - numpy's name
    """Columns ``x**k`` built as numpy does, by repeated multiplication (exact at ``x = 0``)."""
    x = _as_operand(x, "vander", "x")
    if np.ndim(value_of(x)) != 1:
        raise ValueError("np.vander: `x` must be a one-dimensional array or sequence")
    rows = np.shape(value_of(x))[0]
    n = rows if N is None else operator.index(N)
    if n < 0:
        raise ValueError(f"np.vander: `N`={n} must be non-negative")
    columns = [np.ones(rows)][:n]
    if n > 1:
        columns.append(x)
    while len(columns) < n:
        columns.append(columns[-1] * x)
    if not columns:
        return np.zeros((rows, 0))
    v = np.stack(columns, axis=1)
    return v if increasing else v[:, ::-1]


# ---- statistics -------------------------------------------------------------------------------
def _plain_weights(name, w, n):
    """cov's fweights/aweights: plain 1-d arrays, checked as numpy checks them."""
    if w is None:
        return None
    if isinstance(w, Tracer):
        raise TypeError(f"np.cov: `{name}` must be a plain array, not a traced value")
    w = np.asarray(w, dtype=float)
    if w.ndim > 1:
        raise RuntimeError(f"np.cov: cannot handle multidimensional `{name}`")
    if w.shape[0] != n:
        raise RuntimeError(f"np.cov: incompatible numbers of samples and `{name}`")
    if np.any(w < 0):
        raise ValueError(f"np.cov: `{name}` cannot be negative")
    return w


def _as_rows(name, arg, a, rowvar):
    """``a`` as a 2-d array of variables (rows) by observations (columns)."""
    a = _as_operand(a, name, arg)
    shape = np.shape(value_of(a))
    if len(shape) > 2:
        raise ValueError(f"np.{name}: `{arg}` has more than 2 dimensions")
    if len(shape) < 2:
        a = np.reshape(a, (1,) * (2 - len(shape)) + shape)
    return a if rowvar or np.shape(value_of(a))[0] == 1 else np.transpose(a)


def _cov_function(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None,
                  *, dtype=None):
    """numpy's estimator: ``X_c W X_c^T / fact`` with ``X_c`` the (weighted-)mean-centred rows
    and ``fact`` the weight sum less ``ddof`` (numpy's documentation of np.cov)."""
    if ddof is not None and ddof != int(ddof):
        raise ValueError(f"np.cov: `ddof` must be an integer, got {ddof!r}")
    _check_float_dtype("cov", dtype)
    ndim = np.ndim(value_of(m))
    x = _as_rows("cov", "m", m, rowvar or ndim == 1)
    if np.shape(value_of(x))[0] == 0:
        return np.zeros((0, 0))
    if y is not None:
        x = np.concatenate([x, _as_rows("cov", "y", y, rowvar)], axis=0)
    if ddof is None:
        ddof = 0 if bias else 1
    n = np.shape(value_of(x))[1]
    fw, aw = _plain_weights("fweights", fweights, n), _plain_weights("aweights", aweights, n)
    if fw is not None and not np.all(fw == np.around(fw)):
        raise TypeError("np.cov: `fweights` must be integers")
    w = fw if aw is None else aw if fw is None else fw * aw
    if w is None:
        avg, fact = np.mean(x, axis=1), n - ddof
    else:
        w_sum = np.sum(w)
        avg = np.sum(x * w, axis=1) / w_sum
        fact = (w_sum if ddof == 0 else w_sum - ddof if aw is None else
                w_sum - ddof * np.sum(w * aw) / w_sum)
    if fact <= 0:
        warnings.warn("Degrees of freedom <= 0 for slice", RuntimeWarning, stacklevel=3)
        fact = 0.0
    x = x - avg[:, None]
    c = x @ np.transpose(x if w is None else x * w)
    return np.squeeze(c * np.true_divide(1, fact))


def _corrcoef_function(x, y=None, rowvar=True, *, dtype=None):
    """``c_ij / sqrt(c_ii c_jj)`` from the covariance, clipped to [-1, 1] as numpy does."""
    c = _cov_function(x, y, rowvar, dtype=dtype)
    if np.ndim(value_of(c)) == 0:
        return c / c  # numpy: 1, or NaN for a variance of 0, inf or NaN
    stddev = np.sqrt(np.diagonal(c))
    c = c / stddev[:, None]
    c = c / stddev[None, :]
    return np.clip(c, -1.0, 1.0)


# ---- differences ------------------------------------------------------------------------------
def _spacings(name, f_shape, axes, varargs):
    """Per axis, a scalar step or a 1-d array of steps (from coordinates), as numpy reads them."""
    if not varargs:
        return [1.0] * len(axes)
    if len(varargs) == 1 and np.ndim(value_of(varargs[0])) == 0:
        return list(varargs) * len(axes)
    if len(varargs) != len(axes):
        raise TypeError(f"np.{name}: `varargs` must be one scalar or one spacing per axis "
                        f"({len(axes)}), got {len(varargs)}")
    out = []
    for ax, spacing in zip(axes, varargs, strict=True):
        spacing = _as_operand(spacing, name, "varargs")
        if np.ndim(value_of(spacing)) == 0:
            out.append(spacing)
            continue
        if np.ndim(value_of(spacing)) != 1 or np.shape(value_of(spacing))[0] != f_shape[ax]:
            raise ValueError(f"np.{name}: a 1-d `varargs` entry must hold one coordinate per "
                             f"entry of axis {ax} ({f_shape[ax]})")
        steps = np.diff(spacing)
        # numpy: evenly spaced coordinates take the scalar formulas (its own shortcut)
        plain = concrete(steps, f"np.{name} coordinates")
        out.append(steps[0] if np.all(plain == plain[0]) else steps)
    return out


def _gradient_along(f, axis, dx, edge_order):
    """Second-order central differences inside, one-sided differences of ``edge_order`` at the
    ends (Fornberg 1988; numpy's formulas, also for uneven steps)."""
    ndim = np.ndim(value_of(f))

    def at(k):
        return f[(slice(None),) * axis + (k,)]

    def grown(c):  # steps along ``axis`` broadcast against f
        return np.reshape(c, tuple(-1 if i == axis else 1 for i in range(ndim)))

    if np.ndim(value_of(dx)) == 0:
        inner = (at(slice(2, None)) - at(slice(None, -2))) / (2.0 * dx)
        if edge_order == 1:
            first = (at(slice(1, 2)) - at(slice(0, 1))) / dx
            last = (at(slice(-1, None)) - at(slice(-2, -1))) / dx
        else:
            first = (-1.5 / dx) * at(slice(0, 1)) + (2.0 / dx) * at(slice(1, 2)) \
                + (-0.5 / dx) * at(slice(2, 3))
            last = (0.5 / dx) * at(slice(-3, -2)) + (-2.0 / dx) * at(slice(-2, -1)) \
                + (1.5 / dx) * at(slice(-1, None))
        return np.concatenate([first, inner, last], axis=axis)
    d1, d2 = dx[:-1], dx[1:]
    a = grown(-d2 / (d1 * (d1 + d2)))
    b = grown((d2 - d1) / (d1 * d2))
    c = grown(d1 / (d2 * (d1 + d2)))
    inner = a * at(slice(None, -2)) + b * at(slice(1, -1)) + c * at(slice(2, None))
    if edge_order == 1:
        first = (at(slice(1, 2)) - at(slice(0, 1))) / dx[0]
        last = (at(slice(-1, None)) - at(slice(-2, -1))) / dx[-1]
    else:
        d1, d2 = dx[0], dx[1]
        first = (-(2.0 * d1 + d2) / (d1 * (d1 + d2))) * at(slice(0, 1)) \
            + ((d1 + d2) / (d1 * d2)) * at(slice(1, 2)) + (-d1 / (d2 * (d1 + d2))) * at(slice(2, 3))
        d1, d2 = dx[-2], dx[-1]
        last = (d2 / (d1 * (d1 + d2))) * at(slice(-3, -2)) \
            + (-(d2 + d1) / (d1 * d2)) * at(slice(-2, -1)) \
            + ((2.0 * d2 + d1) / (d2 * (d1 + d2))) * at(slice(-1, None))
    return np.concatenate([first, inner, last], axis=axis)


def _gradient_function(f, *varargs, axis=None, edge_order=1):
    f = _as_operand(f, "gradient", "f")
    shape = np.shape(value_of(f))
    if axis is None:
        axes = tuple(range(len(shape)))
    else:
        axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
        for ax in axes:
            if not -len(shape) <= ax < len(shape):
                raise ValueError(f"np.gradient: `axis` {ax} is out of bounds for "
                                 f"{len(shape)}-d input")
        axes = tuple(int(ax) % len(shape) for ax in axes)
        if len(set(axes)) != len(axes):
            raise ValueError("np.gradient: repeated `axis`")
    if edge_order not in (1, 2):
        raise ValueError(f"np.gradient: `edge_order` must be 1 or 2, got {edge_order!r}")
    steps = _spacings("gradient", shape, axes, varargs)
    out = []
    for ax, dx in zip(axes, steps, strict=True):
        if shape[ax] < edge_order + 1:
            raise ValueError(f"np.gradient: axis {ax} is too short for `edge_order`="
                             f"{edge_order}: at least {edge_order + 1} entries are required")
        out.append(_gradient_along(f, ax, dx, edge_order))
    return out[0] if len(out) == 1 else tuple(out)


def _ediff1d_function(ary, to_end=None, to_begin=None):
    flat = np.reshape(_as_operand(ary, "ediff1d", "ary"), (-1,))
    pieces = [flat[1:] - flat[:-1]]
    if to_begin is not None:
        pieces.insert(0, np.reshape(_as_operand(to_begin, "ediff1d", "to_begin"), (-1,)))
    if to_end is not None:
        pieces.append(np.reshape(_as_operand(to_end, "ediff1d", "to_end"), (-1,)))
    return np.concatenate(pieces) if len(pieces) > 1 else pieces[0]


# ---- building and selecting -------------------------------------------------------------------
def _insert_function(arr, obj, values, axis=None):
    """A gather from ``[arr, values]`` flattened; numpy's own ``np.insert`` of the entry numbers
    places them, so every form of ``obj`` and every broadcast of ``values`` is numpy's."""
    if not isinstance(arr, Tracer) and np.result_type(arr).kind != "f":
        raise TypeError("np.insert: numpy would cast the traced `values` to the dtype of `arr`, "
                        f"{np.result_type(arr)}; pass a float `arr`")
    arr, values = _as_operand(arr, "insert", "arr"), _as_operand(values, "insert", "values")
    if isinstance(obj, Tracer):
        obj = concrete(obj, "np.insert positions")
    size = np.size(value_of(arr))
    ids = np.arange(size).reshape(np.shape(value_of(arr)))
    new = np.arange(size, size + np.size(value_of(values))).reshape(np.shape(value_of(values)))
    index = np.insert(ids, obj, new, axis=axis)
    return getitem(np.concatenate([np.reshape(arr, (-1,)), np.reshape(values, (-1,))]),
                   index=index)


def _select_function(condlist, choicelist, default=0):
    """The first true condition's choice, as nested ``np.where`` from the last one back."""
    if len(condlist) != len(choicelist):
        raise ValueError("np.select: `condlist` and `choicelist` must have the same length")
    if not condlist:
        raise ValueError("np.select: `condlist` cannot be empty")
    for i, cond in enumerate(condlist):
        if np.result_type(value_of(cond)) != np.bool_:
            raise TypeError(f"np.select: entry {i} of `condlist` must be boolean")
    out = _as_operand(default, "select", "default")
    for cond, choice in zip(condlist[::-1], choicelist[::-1], strict=True):
        out = np.where(cond, _as_operand(choice, "select", "choicelist"), out)
    return out


def _nan_to_num_function(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """NaN and infinities replaced (derivative 0 there), finite entries kept (derivative 1)."""
    if not copy:
        raise ValueError("np.nan_to_num: `copy`=False would write into a traced value; drop it")
    x = _as_operand(x, "nan_to_num", "x")
    big = np.finfo(np.float64).max
    posinf = big if posinf is None else posinf
    neginf = -big if neginf is None else neginf
    inf = np.isinf(x)
    out = np.where(np.logical_and(inf, x > 0), posinf, np.where(inf, neginf, x))
    return np.where(np.isnan(x), nan, out)


def _resize_function(a, new_shape):
    """``a`` flattened, repeated and cut to ``prod(new_shape)`` entries (numpy's recipe)."""
    if isinstance(new_shape, (int, np.integer)):
        new_shape = (new_shape,)
    new_shape = tuple(operator.index(n) for n in new_shape)
    if any(n < 0 for n in new_shape):
        raise ValueError("np.resize: all elements of `new_shape` must be non-negative")
    flat = np.reshape(_as_operand(a, "resize", "a"), (-1,))
    size, new_size = np.size(value_of(flat)), int(np.prod(new_shape))
    if size == 0 or new_size == 0:
        return np.zeros(new_shape)
    repeats = -(-new_size // size)
    return np.reshape(np.concatenate([flat] * repeats)[:new_size], new_shape)


def _unique_function(ar, return_index=False, return_inverse=False, return_counts=False,
                     axis=None, *, equal_nan=True, sorted=True):  # noqa: A002 - numpy's name
    """The unique values (or slices along ``axis``) gathered at their first occurrence, a
    constant index as in np.sort; the ``return_*`` arrays are plain integer constants."""
    ar = _as_operand(ar, "unique", "ar")
    plain = concrete(ar, "np.unique of a traced value")
    found = np.unique(plain, return_index=True, return_inverse=return_inverse,
                      return_counts=return_counts, axis=axis, equal_nan=equal_nan, sorted=sorted)
    first = found[1]
    values = (getitem(np.reshape(ar, (-1,)), index=first) if axis is None else
              np.take(ar, first, axis=axis))
    extra = [first] if return_index else []
    extra += list(found[2:])
    return (values, *extra) if extra else values


function_impls.update({
    np.interp: _interp_function,
    np.trapezoid: _trapezoid_function,
    np.polyval: _polyval_function,
    np.convolve: _convolve_function,
    np.linspace: _linspace_function,
    np.meshgrid: _meshgrid_function,
    np.vander: _vander_function,
    np.cov: _cov_function,
    np.corrcoef: _corrcoef_function,
    np.gradient: _gradient_function,
    np.ediff1d: _ediff1d_function,
    np.insert: _insert_function,
    np.select: _select_function,
    np.nan_to_num: _nan_to_num_function,
    np.resize: _resize_function,
    np.unique: _unique_function,
})
