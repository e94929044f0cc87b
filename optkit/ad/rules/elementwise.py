"""Elementwise primitives: arithmetic, powers, exponentials, trigonometry, comparisons.

Each primitive is the numpy ufunc itself plus its rules; the rules use numpy calls so they are
differentiable in turn. Derivative formulas are the standard ones (Abramowitz & Stegun, ch. 4).

Complex values (``complex=True``): a holomorphic function's rule ``t * f'(z)`` serves as its
JVP and, by JAX's convention (``vspace``: the transpose for ``Re(sum(a * b))``, no conjugate),
as its VJP too. The non-holomorphic ones (``abs``, ``conj``, ``real``, ``imag``, ``angle``)
have rules of their own. Comparisons, ``maximum``/``minimum``, rounding and ``arctan2`` have
no complex meaning here and refuse complex values.
"""

from __future__ import annotations

import numpy as np

from ..core import FLOAT64, ZERO, concrete, function_impls, is_complex, primitive, ufunc_primitives

_LN2 = np.log(2.0)
_LN10 = np.log(10.0)


def _ufunc(ufunc, jvp=None, vjp=None, *, linear=False, name=None, complex=None):
    prim = primitive(name or ufunc.__name__, ufunc, jvp=jvp, vjp=vjp, linear=linear,
                     complex=complex)
    ufunc_primitives[ufunc] = prim
    return prim


def _one_value(t):
    """The number ``t`` holds everywhere if it is a plain array broadcast from one value, else
    None. The VJP of a large sum is such a read-only view (no pass over memory); scaling it
    keeps it one, where numpy's loop over a zero-stride array is ~2x slower than a real pass."""
    if type(t) is np.ndarray and t.size >= _ONE_VALUE_MIN_SIZE and not any(t.strides):
        return t[(0,) * t.ndim]
    return None


_ONE_VALUE_MIN_SIZE = 1024  # smaller arrays gain nothing worth the test


def _fits(g, y):
    """``y`` is a plain float64 operand that a ufunc may combine into the float64 array ``g``
    in place (``out=g``): a Python number, a 0-d value or an array of ``g``'s shape."""
    if g.dtype is not FLOAT64:
        return False
    if type(y) is float or type(y) is int:
        return True
    return ((type(y) is np.ndarray or type(y) is np.float64) and y.dtype is FLOAT64
            and (y.ndim == 0 or y.shape == g.shape))


def _inplace(rule, factor=None):
    """Attach ``fn`` as ``rule``'s in-place form (see ``reverse``: the backward pass calls it
    on a private cotangent it may overwrite; it returns None to decline). ``factor(ans,
    *args, **params) -> (y, c)`` or None, optional, declares the map ``g -> g * (c * y)``,
    which lets an HVP's backward pass apply the form where ``y`` is traced
    (``JVPTrace.scale_inplace``)."""
    def attach(fn):
        rule.inplace = fn
        fn.factor = factor
        return fn
    return attach


def _same(t, ans, *args):
    return t


def _negated(t, ans, *args):
    if type(t) is np.ndarray:  # (tested first: this rule is hot in forward-over-reverse)
        v = _one_value(t)
        if v is not None:
            return np.broadcast_to(-v, t.shape)
    return -t


@_inplace(_negated)
def _negated_inplace(g, ans, *args):
    return np.negative(g, out=g) if g.dtype is FLOAT64 else None


# ---- arithmetic --------------------------------------------------------------------------
# linear, with explicit JVP rules too: an absent tangent then costs nothing (a linear
# primitive's derived JVP would materialise zeros for it)
add = _ufunc(np.add, jvp=(_same, _same), vjp=(_same, _same), linear=True)
subtract = _ufunc(np.subtract, jvp=(_same, _negated), vjp=(_same, _negated), linear=True)
negative = _ufunc(np.negative, jvp=_negated, vjp=_negated, complex=True)
positive = _ufunc(np.positive, jvp=_same, vjp=_same, complex=True)


def _conj_d(t, ans, x):
    # conj is real-linear: its JVP is conj(t) and, for Re(sum(a * b)), so is its transpose
    return np.conjugate(t) if is_complex(t) else t


conjugate = _ufunc(np.conjugate, jvp=_conj_d, vjp=_conj_d, complex=True)


def _mul_d0(t, ans, x, y):
    if type(t) is np.ndarray and isinstance(y, (int, float)):
        return _scaled(t, y)
    return t * y


def _mul_d1(t, ans, x, y):
    if type(t) is np.ndarray and isinstance(x, (int, float)):
        return _scaled(t, x)
    return x * t


def _scaled(t, c):
    """``c * t`` for a plain array ``t`` and a Python number ``c``; one value broadcast stays
    so (see _one_value)."""
    v = _one_value(t)
    return c * t if v is None else np.broadcast_to(c * v, t.shape)


@_inplace(_mul_d0, factor=lambda ans, x, y: (y, 1.0))
def _mul_d0_inplace(g, ans, x, y):
    return np.multiply(g, y, out=g) if _fits(g, y) else None


@_inplace(_mul_d1, factor=lambda ans, x, y: (x, 1.0))
def _mul_d1_inplace(g, ans, x, y):
    return np.multiply(x, g, out=g) if _fits(g, x) else None


multiply = _ufunc(np.multiply, jvp=(_mul_d0, _mul_d1), vjp=(_mul_d0, _mul_d1), complex=True)


def _div_d0(t, ans, x, y):
    return t / y


def _div_d1(t, ans, x, y):
    return -t * ans / y


@_inplace(_div_d0)
def _div_d0_inplace(g, ans, x, y):
    return np.divide(g, y, out=g) if _fits(g, y) else None


divide = _ufunc(np.true_divide, jvp=(_div_d0, _div_d1), vjp=(_div_d0, _div_d1), complex=True)


def _pow_d0(t, ans, x, y):
    # d x**y / dx = y x**(y-1); the common constant exponents avoid a float power
    if isinstance(y, (int, float)):
        if y == 2:
            if type(t) is np.ndarray:
                v = _one_value(t)
                if v is not None and getattr(x, "shape", ()) == t.shape:
                    return x * (2.0 * v)  # one product (x may be traced: an HVP)
                if type(x) is np.ndarray and t.shape == x.shape:
                    out = np.multiply(t, x)  # plain arrays: scale in place, one temporary less
                    out *= 2.0
                    return out
            return t * (2.0 * x)
        if y == 1:
            return t
        if y == 0:
            return t * 0.0
        if y == 3:
            return t * (3.0 * (x * x))
    return t * (y * x ** (y - 1))


def _pow_d0_factor(ans, x, y):
    return (x, 2.0) if (type(y) is int or type(y) is float) and y == 2 else None


@_inplace(_pow_d0, factor=_pow_d0_factor)
def _pow_d0_inplace(g, ans, x, y):
    if (type(y) is int or type(y) is float) and y == 2 and type(x) is np.ndarray and _fits(g, x):
        np.multiply(g, x, out=g)  # as _pow_d0's plain-array branch, without its temporary
        g *= 2.0
        return g
    return None


def _pow_d1(t, ans, x, y):
    # d x**y / dy = x**y log x, taken as 0 where x == 0 (the limit for y > 0)
    safe = np.where(x == 0, 1.0, x)
    return t * (ans * np.log(safe))


def _power(x, y):
    # ndarray.__pow__ fast-paths the exponents 2, 0.5, -1 ...; np.power does not
    return x**y if isinstance(x, np.ndarray) else np.power(x, y)


power = primitive("power", _power, jvp=(_pow_d0, _pow_d1), vjp=(_pow_d0, _pow_d1), complex=True)
ufunc_primitives[np.power] = power
float_power = _ufunc(np.float_power, jvp=(_pow_d0, _pow_d1), vjp=(_pow_d0, _pow_d1),
                     complex=True)


def _square_d(t, ans, x):
    return t * (2.0 * x)


square = _ufunc(np.square, jvp=_square_d, vjp=_square_d, complex=True)


def _reciprocal_d(t, ans, x):
    return -t * (ans * ans)


reciprocal = _ufunc(np.reciprocal, jvp=_reciprocal_d, vjp=_reciprocal_d, complex=True)


def _sqrt_d(t, ans, x):
    return t * (0.5 / ans)


sqrt = _ufunc(np.sqrt, jvp=_sqrt_d, vjp=_sqrt_d, complex=True)


def _cbrt_d(t, ans, x):
    return t / (3.0 * ans * ans)


cbrt = _ufunc(np.cbrt, jvp=_cbrt_d, vjp=_cbrt_d)


def _abs_d(t, ans, x):
    if is_complex(x):
        # |z| is real-differentiable: d|z| = Re(conj(s) dz) with s = z/|z| (0 at z = 0, as
        # JAX's complex sign); the transpose of t -> Re(conj(s) t) for Re(sum(a * b)) is
        # g -> g conj(s) (a real g), which the same expression gives with the real part
        # taken only in forward mode
        s = x / np.where(ans == 0, 1.0, ans)
        if is_complex(t):
            return np.real(np.conjugate(s) * t)
        return t * np.conjugate(s)
    # the one-sided derivative at the kink, sign(0) = +1 as in JAX: exact for every composition
    # smooth at 0 (|x|**2, |t| log1p|t|: their second derivatives need sign(0)**2 = 1); NaN
    # stays NaN. np.sign is not differentiable, so s is a plain constant even when x is traced
    s = np.sign(x)
    return t * (s + (s == 0))


absolute = _ufunc(np.absolute, jvp=_abs_d, vjp=_abs_d, complex=True)
fabs = _ufunc(np.fabs, jvp=_abs_d, vjp=_abs_d)


# ---- exponentials and logarithms -------------------------------------------------------------
def _exp_d(t, ans, x):
    return t * ans


@_inplace(_exp_d, factor=lambda ans, x: (ans, 1.0))
def _exp_d_inplace(g, ans, x):
    return np.multiply(g, ans, out=g) if _fits(g, ans) else None


exp = _ufunc(np.exp, jvp=_exp_d, vjp=_exp_d, complex=True)


def _exp2_d(t, ans, x):
    return t * (ans * _LN2)


exp2 = _ufunc(np.exp2, jvp=_exp2_d, vjp=_exp2_d, complex=True)


def _expm1_d(t, ans, x):
    return t * (ans + 1.0)


expm1 = _ufunc(np.expm1, jvp=_expm1_d, vjp=_expm1_d, complex=True)


def _log_d(t, ans, x):
    return t / x


@_inplace(_log_d)
def _log_d_inplace(g, ans, x):
    return np.divide(g, x, out=g) if _fits(g, x) else None


log = _ufunc(np.log, jvp=_log_d, vjp=_log_d, complex=True)


def _log2_d(t, ans, x):
    return t / (x * _LN2)


log2 = _ufunc(np.log2, jvp=_log2_d, vjp=_log2_d, complex=True)


def _log10_d(t, ans, x):
    return t / (x * _LN10)


log10 = _ufunc(np.log10, jvp=_log10_d, vjp=_log10_d, complex=True)


def _log1p_d(t, ans, x):
    return t / (x + 1.0)


log1p = _ufunc(np.log1p, jvp=_log1p_d, vjp=_log1p_d, complex=True)


def _logaddexp_d0(t, ans, x, y):
    return t * np.exp(x - ans)


def _logaddexp_d1(t, ans, x, y):
    return t * np.exp(y - ans)


logaddexp = _ufunc(np.logaddexp, jvp=(_logaddexp_d0, _logaddexp_d1),
                   vjp=(_logaddexp_d0, _logaddexp_d1))


def _logaddexp2_d0(t, ans, x, y):
    return t * np.exp2(x - ans)


def _logaddexp2_d1(t, ans, x, y):
    return t * np.exp2(y - ans)


logaddexp2 = _ufunc(np.logaddexp2, jvp=(_logaddexp2_d0, _logaddexp2_d1),
                    vjp=(_logaddexp2_d0, _logaddexp2_d1))


# ---- trigonometric and hyperbolic ---------------------------------------------------------
def _sin_d(t, ans, x):
    return t * np.cos(x)


def _cos_d(t, ans, x):
    return -t * np.sin(x)


def _tan_d(t, ans, x):
    return t * (1.0 + ans * ans)


def _arcsin_d(t, ans, x):
    return t / np.sqrt(1.0 - x * x)


def _arccos_d(t, ans, x):
    return -t / np.sqrt(1.0 - x * x)


def _arctan_d(t, ans, x):
    return t / (1.0 + x * x)


def _sinh_d(t, ans, x):
    return t * np.cosh(x)


def _cosh_d(t, ans, x):
    return t * np.sinh(x)


def _tanh_d(t, ans, x):
    if type(t) is np.ndarray and type(ans) is np.ndarray and t.shape == ans.shape:
        d = np.square(ans)  # plain arrays (a tanh layer's VJP): one temporary, updated in place
        np.subtract(1.0, d, out=d)
        d *= t
        return d
    return t * (1.0 - ans * ans)


def _arcsinh_d(t, ans, x):
    return t / np.sqrt(x * x + 1.0)


def _arccosh_d(t, ans, x):
    if is_complex(x):  # the principal branch's derivative (sqrt(z*z - 1) has another cut)
        return t / (np.sqrt(x - 1.0) * np.sqrt(x + 1.0))
    return t / np.sqrt(x * x - 1.0)


def _arctanh_d(t, ans, x):
    return t / (1.0 - x * x)


sin = _ufunc(np.sin, jvp=_sin_d, vjp=_sin_d, complex=True)
cos = _ufunc(np.cos, jvp=_cos_d, vjp=_cos_d, complex=True)
tan = _ufunc(np.tan, jvp=_tan_d, vjp=_tan_d, complex=True)
arcsin = _ufunc(np.arcsin, jvp=_arcsin_d, vjp=_arcsin_d, complex=True)
arccos = _ufunc(np.arccos, jvp=_arccos_d, vjp=_arccos_d, complex=True)
arctan = _ufunc(np.arctan, jvp=_arctan_d, vjp=_arctan_d, complex=True)
sinh = _ufunc(np.sinh, jvp=_sinh_d, vjp=_sinh_d, complex=True)
cosh = _ufunc(np.cosh, jvp=_cosh_d, vjp=_cosh_d, complex=True)
tanh = _ufunc(np.tanh, jvp=_tanh_d, vjp=_tanh_d, complex=True)
arcsinh = _ufunc(np.arcsinh, jvp=_arcsinh_d, vjp=_arcsinh_d, complex=True)
arccosh = _ufunc(np.arccosh, jvp=_arccosh_d, vjp=_arccosh_d, complex=True)
arctanh = _ufunc(np.arctanh, jvp=_arctanh_d, vjp=_arctanh_d, complex=True)


def _arctan2_d0(t, ans, y, x):
    return t * (x / (x * x + y * y))


def _arctan2_d1(t, ans, y, x):
    return t * (-y / (x * x + y * y))


arctan2 = _ufunc(np.arctan2, jvp=(_arctan2_d0, _arctan2_d1), vjp=(_arctan2_d0, _arctan2_d1))


def _hypot_d0(t, ans, x, y):
    return t * (x / ans)


def _hypot_d1(t, ans, x, y):
    return t * (y / ans)


hypot = _ufunc(np.hypot, jvp=(_hypot_d0, _hypot_d1), vjp=(_hypot_d0, _hypot_d1))


# copysign(x, y) = |x| sign(y); remainder and fmod are x - n y with n = floor(x / y) or
# trunc(x / y), constant between jumps. Where a jump or x = 0 falls, the one-sided derivative
# is given (numpy's own conventions for which side a tie lies on).
def _copysign_d0(t, ans, x, y):
    return t * (np.copysign(1.0, x) * np.copysign(1.0, y))


def _remainder_d1(t, ans, x, y):
    return -t * np.floor_divide(x, y)


def _fmod_d1(t, ans, x, y):
    return -t * np.trunc(x / y)


copysign = _ufunc(np.copysign, jvp=(_copysign_d0, ZERO), vjp=(_copysign_d0, ZERO))
remainder = _ufunc(np.remainder, jvp=(_same, _remainder_d1), vjp=(_same, _remainder_d1))
fmod = _ufunc(np.fmod, jvp=(_same, _fmod_d1), vjp=(_same, _fmod_d1))


def _deg2rad_d(t, ans, x):
    return t * (np.pi / 180.0)


def _rad2deg_d(t, ans, x):
    return t * (180.0 / np.pi)


deg2rad = _ufunc(np.deg2rad, jvp=_deg2rad_d, vjp=_deg2rad_d)
rad2deg = _ufunc(np.rad2deg, jvp=_rad2deg_d, vjp=_rad2deg_d)


def _sinc_d(t, ans, x):
    # d/dx sin(pi x)/(pi x) = (cos(pi x) - sinc(x)) / x, and 0 at x = 0
    zero = x == 0
    safe = np.where(zero, 1.0, x)
    return t * np.where(zero, 0.0, (np.cos(np.pi * safe) - ans) / safe)


def _sinc(x):
    return np.sinc(x)


sinc = primitive("sinc", _sinc, jvp=_sinc_d, vjp=_sinc_d, complex=True)
function_impls[np.sinc] = sinc


# ---- piecewise: maximum, minimum, where, clip ------------------------------------------------
# At a tie the first argument counts as the larger, infinitesimally: maximum's derivative goes
# to the first argument, minimum's to the second. Each is a one-sided derivative (the right
# derivative in the first argument, like abs's sign(0) = +1), and the choices agree with each
# other and with sort's: maximum(x, x) = x, max + min = x + y, max**2 + min**2 = x**2 + y**2 and
# max * min = x * y come out exact to second order, and clip(x, lo, hi) gets its right
# derivative at both ends. (Sharing 0.5 each way, as JAX does, is exact at first order only, and
# gives maximum(x, 0) the slope 0.5, which is neither one-sided derivative.) fmax and fmin pass
# the derivative to the argument they return when the other is NaN.
def _max_d0(t, ans, x, y):
    return t * (x >= y)


def _max_d1(t, ans, x, y):
    return t * (y > x)


def _min_d0(t, ans, x, y):
    return t * (x < y)


def _min_d1(t, ans, x, y):
    return t * (y <= x)


def _fmax_d0(t, ans, x, y):
    return t * np.logical_or(x >= y, np.isnan(y))


def _fmax_d1(t, ans, x, y):
    return t * np.logical_or(y > x, np.logical_and(np.isnan(x), np.logical_not(np.isnan(y))))


def _fmin_d0(t, ans, x, y):
    return t * np.logical_or(x < y, np.logical_and(np.isnan(y), np.logical_not(np.isnan(x))))


def _fmin_d1(t, ans, x, y):
    return t * np.logical_or(y <= x, np.isnan(x))


maximum = _ufunc(np.maximum, jvp=(_max_d0, _max_d1), vjp=(_max_d0, _max_d1))
minimum = _ufunc(np.minimum, jvp=(_min_d0, _min_d1), vjp=(_min_d0, _min_d1))
fmax = _ufunc(np.fmax, jvp=(_fmax_d0, _fmax_d1), vjp=(_fmax_d0, _fmax_d1))
fmin = _ufunc(np.fmin, jvp=(_fmin_d0, _fmin_d1), vjp=(_fmin_d0, _fmin_d1))


def _where_d1(t, ans, c, x, y):
    return np.where(c, t, 0.0)


def _where_d2(t, ans, c, x, y):
    return np.where(c, 0.0, t)


def _where(c, x, y):
    return np.where(c, x, y)


where = primitive("where", _where, jvp=(None, _where_d1, _where_d2),
                  vjp=(None, _where_d1, _where_d2), complex=True)


def _where_function(condition, x=None, y=None):
    if x is None and y is None:
        return np.nonzero(concrete(condition, "np.where(condition)"))
    return where(condition, x, y)


function_impls[np.where] = _where_function


def _clip_function(a, a_min=None, a_max=None, out=None, **kwargs):
    if out is not None:
        raise TypeError("np.clip(..., out=) cannot write a traced value; drop `out`")
    if kwargs.get("min") is not None:
        a_min = kwargs.pop("min")
    if kwargs.get("max") is not None:
        a_max = kwargs.pop("max")
    if a_min is not None:
        a = np.maximum(a, a_min)
    if a_max is not None:
        a = np.minimum(a, a_max)
    return a


function_impls[np.clip] = _clip_function


# ---- real and imaginary parts, angle -----------------------------------------------------
# real and imag are real-linear maps C -> R; their transposes for Re(sum(a * b)) take a real
# cotangent g to g and to -1j g (Re(-1j g t) = g Im t). On a real value numpy's own answers
# are kept: the value itself (a view) and zeros.
def _imag_vjp(g, ans, x):
    return g * -1j


real = primitive("real", np.real, vjp=lambda g, ans, x: g, linear=True)
imag = primitive("imag", np.imag, vjp=_imag_vjp, linear=True)


def _real_function(val):
    if is_complex(val):
        return real(val)
    return np.reshape(val, np.shape(val))  # numpy returns a view of a real array: so do we


def _imag_function(val):
    if is_complex(val):
        return imag(val)
    return np.zeros(np.shape(val))  # numpy returns read-only zeros for a real array


# a cast between float and complex dtypes: the identity on values, so linear; the backward pass
# takes a real input's cotangent to its real part
astype = primitive("astype", lambda x, dtype: x.astype(dtype), vjp=lambda g, ans, x, dtype: g,
                   linear=True)


_angle_of_real = primitive("angle", np.angle)  # 0 or pi: piecewise constant, no derivative


def _angle_function(z, deg=False):
    if is_complex(z):
        a = np.arctan2(np.imag(z), np.real(z))
        return a * (180.0 / np.pi) if deg else a
    return _angle_of_real(z, deg=bool(deg))


def _real_if_close_function(a, tol=100):
    # numpy's test on the values decides the output's dtype: read them (a compiled function
    # falls back to eager evaluation)
    if not is_complex(a):
        return a
    value = concrete(a, "np.real_if_close")
    if np.isrealobj(np.real_if_close(value, tol=tol)):
        return np.real(a)
    return a


def _iscomplex_function(x):
    return np.iscomplex(concrete(x, "np.iscomplex"))


def _round(a, decimals):
    return np.round(a, decimals)


round_ = primitive("round", _round)  # piecewise constant, like np.rint: no derivative


def _round_function(a, decimals=0, out=None):
    if out is not None:
        raise TypeError("np.round(..., out=) cannot write a traced value; drop `out`")
    return round_(a, decimals=int(decimals))


function_impls.update({
    np.real: _real_function,
    np.imag: _imag_function,
    np.angle: _angle_function,
    np.real_if_close: _real_if_close_function,
    np.iscomplex: _iscomplex_function,
    np.round: _round_function,
    np.around: _round_function,
})


# ---- not differentiable: constant outputs --------------------------------------------------
for _u in (np.sign, np.floor, np.ceil, np.trunc, np.rint, np.signbit, np.isnan, np.isinf,
           np.isfinite, np.less, np.less_equal, np.greater, np.greater_equal, np.equal,
           np.not_equal, np.logical_and, np.logical_or, np.logical_not, np.logical_xor,
           np.floor_divide, np.heaviside):
    _ufunc(_u)
