"""numpy functions composed of operations optkit already differentiates: interp, trapezoid,
polyval, convolve, linspace, meshgrid, vander.

None of these is a primitive: each follows numpy's own arithmetic on the traced values, so its
forward, reverse and higher-order derivatives come from the rules of the pieces, and its values
are numpy's. Where numpy's result depends on a comparison of values (the segment ``np.interp``
evaluates), the index is read with ``concrete()`` and is a constant of the evaluation, as the
permutation of ``np.sort`` is; at a knot the derivative is the one-sided one from the right.
"""

from __future__ import annotations

import operator

import numpy as np

from ..core import Tracer, concrete, function_impls, primitive, value_of
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
def _wrap_impl(x, period):
    return np.mod(x, period)


def _wrap_jvp(t, ans, x, period):
    return t


def _wrap_vjp(g, ans, x, period):
    return g


# x mod period: a sawtooth of slope 1 (np.mod itself, so the values are numpy's to the bit)
_wrap = primitive("wrap_period", _wrap_impl, jvp=_wrap_jvp, vjp=_wrap_vjp)


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
        x = _wrap(x, period=period)
        xp = _wrap(xp, period=period)
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
        safe = np.where(xpv[j + 1] == xpv[j], 1.0, 0.0)  # only at duplicates outside [xp0, xpn]
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


function_impls.update({
    np.interp: _interp_function,
    np.trapezoid: _trapezoid_function,
    np.polyval: _polyval_function,
    np.convolve: _convolve_function,
    np.linspace: _linspace_function,
    np.meshgrid: _meshgrid_function,
    np.vander: _vander_function,
})
