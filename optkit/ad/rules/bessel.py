"""scipy.special's Bessel and Hankel functions: derivatives in the argument x, never the order
(DLMF 10.6.1 and 10.29.1 with the recurrences of the neighbouring orders; the exponentially
scaled forms by the product rule).

Each is registered under the scipy ufunc itself (see ``special``). At complex arguments the
unscaled functions and ``kve``, ``hankel1e``, ``hankel2e`` are holomorphic; ``ive`` (scaled by
``exp(-|Re z|)``), ``jve`` and ``yve`` (``exp(-|Im z|)``) are not, and have real-linear rules:
a JVP and, as its transpose for ``Re(sum(a * b))``, a VJP of their own (``vspace``).
"""

from __future__ import annotations

import numpy as np
from scipy import special as sc

from ..core import function_impls, is_complex
from .special import register


# ---- Bessel functions (DLMF 10.6.1 and 10.29.1; the scaled forms by the product rule) -------
# The order v is not differentiated: a traced order has no rule and is refused.
def _jv_d(t, ans, v, x):
    return t * (0.5 * (sc.jv(v - 1.0, x) - sc.jv(v + 1.0, x)))


def _yv_d(t, ans, v, x):
    return t * (0.5 * (sc.yv(v - 1.0, x) - sc.yv(v + 1.0, x)))


def _iv_d(t, ans, v, x):
    return t * (0.5 * (sc.iv(v - 1.0, x) + sc.iv(v + 1.0, x)))


def _kv_d(t, ans, v, x):
    return t * (-0.5 * (sc.kv(v - 1.0, x) + sc.kv(v + 1.0, x)))


def _ive_jvp(t, ans, v, x):   # ive = iv exp(-|Re x|): d ive = ive' t - sign(Re x) ive Re(t)
    d = 0.5 * (sc.ive(v - 1.0, x) + sc.ive(v + 1.0, x))
    if is_complex(x):          # not holomorphic: the scale factor sees only Re(t)
        return t * d - np.real(t) * (np.sign(np.real(x)) * ans)
    return t * (d - np.sign(x) * ans)


def _ive_vjp(g, ans, v, x):    # the transpose of _ive_jvp for Re(sum(a * b))
    d = 0.5 * (sc.ive(v - 1.0, x) + sc.ive(v + 1.0, x))
    if is_complex(x):
        return g * d - np.real(g * (np.sign(np.real(x)) * ans))
    return g * (d - np.sign(x) * ans)


# jve = jv exp(-|Im x|), yve = yv exp(-|Im x|): for real x the plain functions; for complex x
# d = C' t - sign(Im x) C Im(t), whose transpose for Re(sum(a * b)) takes Im(t) = Re(-i t)
def _imag_scaled(ufunc):
    def derivative(v, x):
        return 0.5 * (ufunc(v - 1.0, x) - ufunc(v + 1.0, x))

    def jvp(t, ans, v, x):
        if is_complex(x):
            return t * derivative(v, x) - np.imag(t) * (np.sign(np.imag(x)) * ans)
        return t * derivative(v, x)

    def vjp(g, ans, v, x):
        if is_complex(x):
            return g * derivative(v, x) + 1j * np.real(g * (np.sign(np.imag(x)) * ans))
        return g * derivative(v, x)

    return (None, jvp), (None, vjp)


def _kve_d(t, ans, v, x):   # kve = kv exp(x)
    return t * (ans - 0.5 * (sc.kve(v - 1.0, x) + sc.kve(v + 1.0, x)))


def _yn_d(t, ans, n, x):
    return t * (0.5 * (sc.yn(n - 1, x) - sc.yn(n + 1, x)))


jv = register(sc.jv, (None, _jv_d), complex=True)
yn = register(sc.yn, (None, _yn_d))       # integer order n
yv = register(sc.yv, (None, _yv_d), complex=True)
iv = register(sc.iv, (None, _iv_d), complex=True)
kv = register(sc.kv, (None, _kv_d), complex=True)
ive = register(sc.ive, (None, _ive_jvp), (None, _ive_vjp), complex=True)
kve = register(sc.kve, (None, _kve_d), complex=True)
jve = register(sc.jve, *_imag_scaled(sc.jve), complex=True)
yve = register(sc.yve, *_imag_scaled(sc.yve), complex=True)


def _hankel1_d(t, ans, v, x):
    return t * (0.5 * (sc.hankel1(v - 1.0, x) - sc.hankel1(v + 1.0, x)))


def _hankel2_d(t, ans, v, x):
    return t * (0.5 * (sc.hankel2(v - 1.0, x) - sc.hankel2(v + 1.0, x)))


def _hankel1e_d(t, ans, v, x):   # hankel1e = hankel1 exp(-i x)
    return t * (0.5 * (sc.hankel1e(v - 1.0, x) - sc.hankel1e(v + 1.0, x)) - 1j * ans)


def _hankel2e_d(t, ans, v, x):   # hankel2e = hankel2 exp(i x)
    return t * (0.5 * (sc.hankel2e(v - 1.0, x) - sc.hankel2e(v + 1.0, x)) + 1j * ans)


hankel1 = register(sc.hankel1, (None, _hankel1_d), complex=True)
hankel2 = register(sc.hankel2, (None, _hankel2_d), complex=True)
hankel1e = register(sc.hankel1e, (None, _hankel1e_d), complex=True)
hankel2e = register(sc.hankel2e, (None, _hankel2e_d), complex=True)


def _j0_d(t, ans, x):
    return -t * sc.j1(x)


def _j1_d(t, ans, x):
    return t * (0.5 * (sc.j0(x) - sc.jv(2.0, x)))


def _y0_d(t, ans, x):
    return -t * sc.y1(x)


def _y1_d(t, ans, x):
    return t * (0.5 * (sc.y0(x) - sc.yv(2.0, x)))


def _i0_d(t, ans, x):
    return t * sc.i1(x)


def _i1_d(t, ans, x):
    return t * (0.5 * (sc.i0(x) + sc.iv(2.0, x)))


def _k0_d(t, ans, x):
    return -t * sc.k1(x)


def _k1_d(t, ans, x):
    return -t * (0.5 * (sc.k0(x) + sc.kv(2.0, x)))


def _i0e_d(t, ans, x):
    return t * (sc.i1e(x) - np.sign(x) * ans)


def _i1e_d(t, ans, x):
    return t * (0.5 * (sc.i0e(x) + sc.ive(2.0, x)) - np.sign(x) * ans)


def _k0e_d(t, ans, x):
    return t * (ans - sc.k1e(x))


def _k1e_d(t, ans, x):
    return t * (ans - 0.5 * (sc.k0e(x) + sc.kve(2.0, x)))


j0 = register(sc.j0, _j0_d)
j1 = register(sc.j1, _j1_d)
y0 = register(sc.y0, _y0_d)
y1 = register(sc.y1, _y1_d)
i0 = register(sc.i0, _i0_d)
i1 = register(sc.i1, _i1_d)
k0 = register(sc.k0, _k0_d)
k1 = register(sc.k1, _k1_d)
i0e = register(sc.i0e, _i0e_d)
i1e = register(sc.i1e, _i1e_d)
k0e = register(sc.k0e, _k0e_d)
k1e = register(sc.k1e, _k1e_d)


def _np_i0_function(x):
    return sc.i0(x)  # numpy's Python-level i0, same function as scipy's ufunc


function_impls[np.i0] = _np_i0_function
