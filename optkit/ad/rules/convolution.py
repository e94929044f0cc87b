"""n-dimensional full convolution as a primitive; ``optkit.signal`` slices its modes from it.

``convolve_full(a, v)[k] = sum_j a[j] v[k - j]`` over every axis (output length n + m - 1 per
axis), computed directly (one shifted, scaled copy of the larger operand per entry of the
smaller: the ``direct`` method of ``scipy.signal.convolve``). It is bilinear, so each JVP rule
is the primitive applied to the tangent; the adjoint of convolution by ``v`` is correlation
with ``v``, the middle part of a full convolution with ``v`` reversed (e.g. Goodfellow, Bengio
& Courville 2016, *Deep Learning*, Sec. 9.5). Every rule is a call of the primitive, so
derivatives of any order follow. Complex operands (JAX's conventions, ``vspace``): the
convolution is holomorphic in each argument, so the rules hold as written (the adjoint is the
correlation without a conjugate).
"""

from __future__ import annotations

import numpy as np

from ..core import primitive, value_of


def _convolve_full(a, v):
    if a.size < v.size:
        a, v = v, a
    out = np.zeros(tuple(n + m - 1 for n, m in zip(a.shape, v.shape, strict=True)),
                   dtype=np.result_type(a, v, np.float64))
    for idx in np.ndindex(v.shape):
        window = tuple(slice(i, i + n) for i, n in zip(idx, a.shape, strict=True))
        out[window] += v[idx] * a
    return out


def _flip(x):
    return np.flip(x, axis=tuple(range(np.ndim(value_of(x)))))


def _middle(full, offsets, shape):
    return full[tuple(slice(o, o + n) for o, n in zip(offsets, shape, strict=True))]


def _conv_d0(t, ans, a, v):
    return convolve_full(t, v)


def _conv_d1(t, ans, a, v):
    return convolve_full(a, t)


def _conv_vjp0(g, ans, a, v):
    # correlation of g with v: the entries of conv(g, flip v) aligned with a
    vs, s = np.shape(value_of(v)), np.shape(value_of(a))
    return _middle(convolve_full(g, _flip(v)), [m - 1 for m in vs], s)


def _conv_vjp1(g, ans, a, v):
    s, vs = np.shape(value_of(a)), np.shape(value_of(v))
    return _middle(convolve_full(g, _flip(a)), [n - 1 for n in s], vs)


convolve_full = primitive("convolve", _convolve_full, jvp=(_conv_d0, _conv_d1),
                          vjp=(_conv_vjp0, _conv_vjp1), complex=True)
