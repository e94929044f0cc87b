"""Convexity of a traced program: disciplined convex programming (DCP) as an abstract
interpretation of a staged program (``staging.Program``).

Each value of the program gets a *curvature*, one of ``constant``, ``affine``, ``convex``,
``concave``, ``unknown``, meaning that every entry of the array is such a function of the
program's inputs (all inputs together, each one an affine variable), and a *sign*
(nonnegative, nonpositive or unknown). The rules are DCP's (Grant, Boyd & Ye 2006,
"Disciplined convex programming"; Boyd & Vandenberghe 2004, Sec. 3.2.4):

- affine operations keep the curvature: sums, negation (which swaps convex and concave),
  scaling by a constant (whose sign decides for a convex or concave operand), products with a
  constant operand (matmul, dot, einsum, tensordot: nonnegative constants for a convex
  operand), and everything that only selects, repeats, sums or moves entries (indexing,
  reshape, transpose, broadcast, concatenate, sum, mean, cumsum, ``where`` on a constant
  condition);
- an atom h of one or more arguments is applied by the composition rule: h(g) is convex when
  h is convex and, for each argument, g is affine, or g is convex and h nondecreasing in it,
  or g is concave and h nonincreasing in it (concave: the mirror image). An atom's
  monotonicity may depend on the sign of its argument (``square``, ``abs``: nondecreasing on
  the nonnegatives). Convex atoms: exp, exp2, expm1, logaddexp, square, ``x**p`` (p an even
  integer, or p >= 1 or p < 0 on a nonnegative argument), abs, maximum, the max reduction,
  the 2-norm, hypot, rel_entr, kl_div, ``a * a`` and ``a @ a`` for one and the same value a
  (common subexpressions are recognised), ``xlogy(a, a)``, and log of a sum of exponentials
  of convex functions with nonnegative weights (log-sum-exp, softplus ``log1p(exp(a))``).
  Concave atoms: log, log2, log10, log1p, sqrt, ``x**p`` for 0 < p < 1, minimum, the min
  reduction, log_expit, entr.
- anything else (a primitive not in the table, a value computed from a comparison, a complex
  or integer value, a non-finite constant) is ``unknown``.

Soundness is the contract: ``convex`` is claimed only when the DCP rules prove it; a convex
function outside them is ``unknown``, never the reverse. Constants are the values the trace
captured; their signs are read at analysis time. An atom defined on part of the line (log,
sqrt, ``x**0.5``, rel_entr) is convex or concave on its domain, which DCP's rules keep convex:
outside it numpy gives nan or inf, where no minimizer stops.

The proof is about the function as traced: ``function_curvature`` stages it twice at the
sample point and answers ``unknown`` when the trace depends on values (a Python branch on a
traced value, ``float(x)``: ``staging``) or the two recordings disagree (random numbers or
changing global state inside f), as ``optkit.compile`` does. A function that reads global
state which changes *between* calls is outside the proof, as it is outside ``compile``'s.

The analysis is one pass over the program's equations; a constant's entries are read only
where its sign or finiteness matters (``a . a`` for finiteness, min and max for the sign),
and not for finiteness when the caller passes the array as proven finite (``curvature``'s
``finite``: a product computed with it while staging says so, ``finiteness``).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import scipy.special as sc

from .compiled.cache import same_recording
from .core import ufunc_primitives
from .rules.einsum import einsum
from .rules.elementwise import astype, where
from .rules.indexing import diag_embed, diagonal, getitem, scatter_add
from .rules.products import cross3, matmul, matvec, tensordot, vecdot, vecmat
from .rules.reductions import max_, mean_, min_, norm2, sum_
from .rules.scans import cumsum
from .rules.shape import broadcast_to, flip, reshape, roll, transpose
from .staging import Const, Var, stage

__all__ = ["CONVEX_CURVATURES", "CURVATURES", "curvature", "function_curvature", "is_convex"]

CONSTANT, AFFINE, CONVEX, CONCAVE, UNKNOWN = "constant", "affine", "convex", "concave", "unknown"
CURVATURES = (CONSTANT, AFFINE, CONVEX, CONCAVE, UNKNOWN)
CONVEX_CURVATURES = (CONSTANT, AFFINE, CONVEX)  # the answers that prove a function convex
NONNEG, NONPOS = 1, -1  # signs; None: unknown
INC, DEC = 1, -1  # monotonicity of an atom in an argument; None: neither

_FLIP = {CONVEX: CONCAVE, CONCAVE: CONVEX}


class _Fact:
    """What the analysis knows of one value: curvature, sign, and whether it is a sum of
    exponentials of convex functions with nonnegative weights (``expsum``: its log is
    convex, Boyd & Vandenberghe 2004, Sec. 3.1.5 and 3.2.4)."""

    __slots__ = ("curv", "sign", "expsum")

    def __init__(self, curv, sign=None, expsum=False):
        self.curv = curv
        self.sign = sign
        self.expsum = expsum and curv in (AFFINE, CONVEX)


_UNKNOWN = _Fact(UNKNOWN)


# ---- lattice operations ------------------------------------------------------------------------
def _join(a, b):
    """The curvature of a sum (or an entrywise choice) of values of curvatures a and b."""
    if a == CONSTANT or a == b:
        return b
    if b == CONSTANT:
        return a
    if a == AFFINE and b in (CONVEX, CONCAVE):
        return b
    if b == AFFINE and a in (CONVEX, CONCAVE):
        return a
    return UNKNOWN


def _scaled(curv, sign):
    """The curvature of c * g for a finite constant c of the given sign."""
    if curv in (CONSTANT, AFFINE, UNKNOWN):
        return curv
    if sign == NONNEG:
        return curv
    if sign == NONPOS:
        return _FLIP[curv]
    return UNKNOWN


def _compose(atom, mono, curv):
    """The curvature of h(g): h of curvature ``atom``, ``mono`` in its argument, g ``curv``."""
    if curv in (CONSTANT, UNKNOWN):
        return curv
    if curv == AFFINE:
        return atom
    if atom == CONVEX and (curv == CONVEX and mono == INC or curv == CONCAVE and mono == DEC):
        return CONVEX
    if atom == CONCAVE and (curv == CONCAVE and mono == INC or curv == CONVEX and mono == DEC):
        return CONCAVE
    return UNKNOWN


def _all_of(atom, curvs):
    """``atom`` when every argument composed to it or to a constant; else unknown/constant."""
    if UNKNOWN in curvs or any(c != atom and c != CONSTANT for c in curvs):
        return UNKNOWN
    return CONSTANT if all(c == CONSTANT for c in curvs) else atom


def _mono_by_sign(sign):
    """|x|, x^2 and the 2-norm: nondecreasing on the nonnegatives, nonincreasing below."""
    return INC if sign == NONNEG else DEC if sign == NONPOS else None


def _product_sign(a, b):
    if a is None or b is None:
        return None
    return NONNEG if a == b else NONPOS


def _negated(sign):
    return None if sign is None else -sign


def _sign_of_all(signs):
    """The sign every one of ``signs`` shares, or None."""
    first = signs[0]
    return first if all(s == first for s in signs) else None


# ---- the interpreter ---------------------------------------------------------------------------
class _Analysis:
    """One pass over a program's equations (``run``), facts per value."""

    def __init__(self, finite=()):
        self.facts = {}  # Var -> _Fact
        self.canon = {}  # Var -> key of its value (common subexpressions share one)
        self.keys = {}  # (prim, inputs, params) -> key
        self.consts = {}  # id(Const.value) -> (value, finite, sign), computed on demand
        for value in finite:  # proven finite by the caller (``finiteness``): not read again
            if type(value) is np.ndarray and value.dtype.kind == "f":
                self.consts[id(value)] = [value, True, False]

    # -- constants: read only when asked, once --
    def _const(self, c):
        got = self.consts.get(id(c.value))
        if got is None:
            got = self.consts[id(c.value)] = [c.value, None, False]  # keeps the id alive
        return got

    def finite(self, c):
        """True if the constant is a real number array with finite entries."""
        entry = self._const(c)
        if entry[1] is None:
            arr = np.asarray(c.value)
            kind = arr.dtype.kind
            if kind in "biu":
                entry[1] = True
            elif kind == "f":  # an inf or nan makes a.a inf or nan (overflow: refused); one
                # BLAS pass, about twice as fast as a sum or np.isfinite
                flat = arr.reshape(-1)
                with np.errstate(all="ignore"):
                    entry[1] = bool(math.isfinite(np.dot(flat, flat)))
            else:
                entry[1] = False
        return entry[1]

    def const_sign(self, c):
        """NONNEG or NONPOS when every entry is, else None (checked only for finite ones)."""
        entry = self._const(c)
        if entry[2] is False:
            sign = None
            if self.finite(c):
                arr = np.asarray(c.value)
                if arr.size == 0 or arr.min() >= 0:
                    sign = NONNEG
                elif arr.max() <= 0:
                    sign = NONPOS
            entry[2] = sign
        return entry[2]

    def fact(self, x):
        if isinstance(x, Var):
            return self.facts.get(x, _UNKNOWN)
        if not self.finite(x):
            return _UNKNOWN
        return _Fact(CONSTANT, self.const_sign(x), expsum=False)

    def same(self, a, b):
        """True when the two inputs are provably one and the same value."""
        return (isinstance(a, Var) and isinstance(b, Var)
                and self.canon.get(a, a) == self.canon.get(b, b))

    # -- the pass --
    def run(self, program):
        for var in program.inputs:
            self.facts[var] = _Fact(AFFINE if np.dtype(var.dtype).kind == "f" else UNKNOWN)
            self.canon[var] = ("in", var.id)
        for eqn in program.eqns:
            self._canonicalise(eqn)
            handler = _HANDLERS.get(eqn.prim)
            if handler is None:
                handler = _BY_NAME.get((eqn.prim.name, _module_of(eqn.prim)))
            try:
                fact = _UNKNOWN if handler is None else handler(self, eqn)
            except (TypeError, ValueError, AttributeError):  # an unexpected form: no claim
                fact = _UNKNOWN
            if np.dtype(eqn.out.dtype).kind != "f":  # bool, integer, complex: no curvature
                fact = _UNKNOWN
            self.facts[eqn.out] = fact
        return self

    def _canonicalise(self, eqn):
        ins = eqn.inputs
        if (eqn.prim is transpose and isinstance(ins[0], Var) and len(ins[0].shape) <= 1
                or eqn.prim is reshape and isinstance(ins[0], Var)
                and tuple(ins[0].shape) == tuple(eqn.out.shape)):
            self.canon[eqn.out] = self.canon.get(ins[0], ins[0])  # the same value
            return
        try:
            key = (id(eqn.prim), tuple(self.canon.get(x, x) if isinstance(x, Var)
                                       else _value_key(x.value) for x in ins),
                   _value_key(eqn.params))
            hash(key)
        except TypeError:
            self.canon[eqn.out] = ("eqn", eqn.out.id)
            return
        self.canon[eqn.out] = self.keys.setdefault(key, ("eqn", eqn.out.id))


def _module_of(prim):
    return getattr(prim.impl, "__module__", None) or ""


def _value_key(v, small=64):
    """A hashable key equal only for equal values (an object's identity when unsure); arrays
    of at most ``small`` entries (None: any) by their bytes."""
    if isinstance(v, (bool, int, float, str, type(None), np.generic)) and not (
            isinstance(v, (float, np.floating)) and v != v):
        return (type(v).__name__, v)
    if isinstance(v, slice):
        return ("slice", *(_value_key(i, small) for i in (v.start, v.stop, v.step)))
    if isinstance(v, (tuple, list)):
        return (type(v).__name__, *(_value_key(i, small) for i in v))
    if isinstance(v, dict):
        return ("dict", *((k, _value_key(i, small)) for k, i in sorted(v.items())))
    if (isinstance(v, np.ndarray) and (small is None or v.size <= small)
            and v.dtype.kind in "biuf"):
        return ("array", v.shape, v.dtype.str, v.tobytes())
    if isinstance(v, np.dtype) or v is Ellipsis:
        return ("obj", v)
    return ("id", id(v))


# ---- handlers: (analysis, eqn) -> _Fact ---------------------------------------------------
def _preserving(an, eqn):
    """Entries are entries (or sums with weight 1, or zeros) of the inputs: the join."""
    facts = [an.fact(x) for x in eqn.inputs]
    curv = CONSTANT
    for f in facts:
        curv = _join(curv, f.curv)
    return _Fact(curv, _sign_of_all([f.sign for f in facts]),
                 expsum=all(f.expsum for f in facts))


def _mean(an, eqn):
    if not eqn.params.get("count", 0) > 0:
        return _UNKNOWN
    return _preserving(an, eqn)


def _astype(an, eqn):
    dtype = eqn.params.get("dtype")
    if dtype is None or np.dtype(dtype) != np.float64:
        return _UNKNOWN
    return _preserving(an, eqn)


def _where(an, eqn):
    cond, a, b = eqn.inputs
    if not isinstance(cond, Const):
        return _UNKNOWN
    fa, fb = an.fact(a), an.fact(b)
    return _Fact(_join(fa.curv, fb.curv), _sign_of_all([fa.sign, fb.sign]),
                 expsum=fa.expsum and fb.expsum)


def _add(an, eqn, negate_second=False):
    a, b = eqn.inputs
    fa, fb = an.fact(a), an.fact(b)
    cb = _FLIP.get(fb.curv, fb.curv) if negate_second else fb.curv
    sb = _negated(fb.sign) if negate_second else fb.sign
    expsum = (fa.expsum or fa.curv == CONSTANT and fa.sign == NONNEG) and (
        fb.expsum and not negate_second or fb.curv == CONSTANT and sb == NONNEG) and not (
        fa.curv == CONSTANT and fb.curv == CONSTANT)
    return _Fact(_join(fa.curv, cb), _sign_of_all([fa.sign, sb]), expsum=expsum)


def _subtract(an, eqn):
    return _add(an, eqn, negate_second=True)


def _negative(an, eqn):
    f = an.fact(eqn.inputs[0])
    return _Fact(_FLIP.get(f.curv, f.curv), _negated(f.sign))


def _square_of(f):
    """The fact of g * g (entrywise) for g with fact f."""
    return _Fact(_compose(CONVEX, _mono_by_sign(f.sign), f.curv), NONNEG)


def _multiply(an, eqn):
    a, b = eqn.inputs
    if an.same(a, b):
        return _square_of(an.fact(a))
    if isinstance(b, Const):
        a, b = b, a
    if not isinstance(a, Const) or isinstance(b, Const):
        return _UNKNOWN  # a product of two different variables
    if not an.finite(a):
        return _UNKNOWN
    c, f = an.const_sign(a), an.fact(b)
    return _Fact(_scaled(f.curv, c), _product_sign(c, f.sign), expsum=f.expsum and c == NONNEG)


def _nonzero(an, c):
    return an.finite(c) and bool(np.all(np.asarray(c.value) != 0))


def _divide(an, eqn):
    a, b = eqn.inputs
    if isinstance(b, Const) and isinstance(a, Var):
        if not _nonzero(an, b):
            return _UNKNOWN
        c, f = an.const_sign(b), an.fact(a)  # 1/c has c's sign
        return _Fact(_scaled(f.curv, c), _product_sign(c, f.sign),
                     expsum=f.expsum and c == NONNEG)
    if isinstance(a, Const) and isinstance(b, Var) and an.finite(a):
        f = _power_of(an.fact(b), -1.0)
        c = an.const_sign(a)
        return _Fact(_scaled(f.curv, c), _product_sign(c, f.sign))
    return _UNKNOWN


def _reciprocal(an, eqn):
    return _power_of(an.fact(eqn.inputs[0]), -1.0)


def _power_of(f, p):
    """The fact of g**p for a constant real p."""
    if p == 1.0:
        return f
    if p == 0.0:
        return _Fact(CONSTANT, NONNEG)
    if p > 0 and p.is_integer() and p % 2 == 0:
        return _Fact(_compose(CONVEX, _mono_by_sign(f.sign), f.curv), NONNEG)
    if f.sign != NONNEG and not 0 < p < 1:
        return _UNKNOWN  # x**3, x**1.5, 1/x: convex only on the nonnegatives
    if p > 1:
        return _Fact(_compose(CONVEX, INC, f.curv), NONNEG)
    if p > 0:  # concave and nondecreasing on x >= 0, its domain
        return _Fact(_compose(CONCAVE, INC, f.curv), NONNEG)
    return _Fact(_compose(CONVEX, DEC, f.curv), NONNEG)  # p < 0 on x > 0


def _scalar(an, c):
    """The constant's value as a float when it is one finite real number, else None."""
    if not an.finite(c) or np.size(c.value) != 1:
        return None
    return float(np.asarray(c.value).reshape(()))


def _power(an, eqn):
    a, b = eqn.inputs
    if isinstance(a, Var) and isinstance(b, Const):
        p = _scalar(an, b)
        return _UNKNOWN if p is None else _power_of(an.fact(a), p)
    if isinstance(a, Const) and isinstance(b, Var):  # c**g = exp(g log c), c > 0
        c = _scalar(an, a)
        if c is None or not c > 0:
            return _UNKNOWN
        f = an.fact(b)
        if c == 1.0:
            return _Fact(CONSTANT, NONNEG)
        curv = _compose(CONVEX, INC if c > 1 else DEC, f.curv)
        return _Fact(curv, NONNEG, expsum=curv == CONVEX)
    return _UNKNOWN


def _unary(atom, mono, sign, expsum=False):
    """A handler for an elementwise atom of one argument. ``mono`` and ``sign`` are callables
    of the argument's sign (or constants)."""
    def handler(an, eqn):
        f = an.fact(eqn.inputs[0])
        m = mono(f.sign) if callable(mono) else mono
        curv = _compose(atom, m, f.curv)
        s = sign(f.sign) if callable(sign) else sign
        return _Fact(curv, s, expsum=expsum and curv in (AFFINE, CONVEX))
    return handler


def _log_like(scale_sign=None):
    """log, log2, log10, log1p: concave nondecreasing; convex of a sum of exponentials."""
    concave = _unary(CONCAVE, INC, scale_sign)

    def handler(an, eqn):
        f = an.fact(eqn.inputs[0])
        if f.expsum:  # log-sum-exp of convex functions (log1p(v) = log(1 + v): also one)
            return _Fact(CONVEX, scale_sign(f.sign) if callable(scale_sign) else scale_sign)
        return concave(an, eqn)
    return handler


def _nary(atom, mono, sign):
    """An atom of several arguments, ``mono`` per argument as a callable of its sign;
    ``sign`` a callable of the arguments' signs."""
    def handler(an, eqn):
        facts = [an.fact(x) for x in eqn.inputs]
        curvs = [_compose(atom, mono(f.sign), f.curv) for f in facts]
        return _Fact(_all_of(atom, curvs), sign([f.sign for f in facts]))
    return handler


def _any_nonneg(signs):
    return NONNEG if NONNEG in signs else _sign_of_all(signs)


def _nonneg_if_any(signs):
    """logaddexp(a, b) >= max(a, b): nonnegative when an argument is; else no sign (it is
    above both, so nonpositive arguments do not make it nonpositive: logaddexp(0, 0) = log 2)."""
    return NONNEG if NONNEG in signs else None


def _any_nonpos(signs):
    return NONPOS if NONPOS in signs else _sign_of_all(signs)


def _products(an, eqn):
    """matmul, vecdot, matvec, vecmat, tensordot, einsum, cross: linear in each operand."""
    ins = eqn.inputs
    variables = [x for x in ins if isinstance(x, Var)]
    if len(variables) == 2 and len(ins) == 2 and an.same(*variables) and (
            eqn.prim is vecdot or eqn.prim is matmul and len(variables[0].shape) == 1):
        return _square_of(an.fact(variables[0]))  # a . a: a sum of squares
    if len(variables) != 1:
        return _UNKNOWN
    consts = [x for x in ins if isinstance(x, Const)]
    if not all(an.finite(c) for c in consts):
        return _UNKNOWN
    f = an.fact(variables[0])
    if f.curv in (CONSTANT, AFFINE):
        return _Fact(f.curv)
    if eqn.prim is cross3:
        return _UNKNOWN  # its coefficients have both signs
    signs = [an.const_sign(c) for c in consts]
    if all(s == NONNEG for s in signs):
        return _Fact(f.curv, f.sign, expsum=f.expsum)
    if len(signs) == 1 and signs[0] == NONPOS:
        return _Fact(_FLIP.get(f.curv, UNKNOWN), _negated(f.sign))
    return _UNKNOWN


def _xlogy(an, eqn):
    a, b = eqn.inputs
    if an.same(a, b):  # x log x: convex on x >= 0
        f = an.fact(a)
        return _Fact(CONVEX if f.curv == AFFINE else UNKNOWN)
    return _UNKNOWN


def _reduction(atom):
    def handler(an, eqn):
        f = an.fact(eqn.inputs[0])
        return _Fact(_compose(atom, INC, f.curv), f.sign)
    return handler


def _identity(an, eqn):
    return an.fact(eqn.inputs[0])


def _positive_sign(_):
    return NONNEG


def _same_sign(sign):
    return sign


_U = ufunc_primitives
_HANDLERS = {
    _U[np.add]: _add, _U[np.subtract]: _subtract, _U[np.negative]: _negative,
    _U[np.positive]: _identity, _U[np.multiply]: _multiply, _U[np.true_divide]: _divide,
    _U[np.reciprocal]: _reciprocal, _U[np.power]: _power, _U[np.float_power]: _power,
    # convex atoms
    _U[np.exp]: _unary(CONVEX, INC, NONNEG, expsum=True),
    _U[np.exp2]: _unary(CONVEX, INC, NONNEG, expsum=True),
    _U[sc.exp2]: _unary(CONVEX, INC, NONNEG, expsum=True),
    _U[sc.exp10]: _unary(CONVEX, INC, NONNEG, expsum=True),
    _U[np.expm1]: _unary(CONVEX, INC, _same_sign),
    _U[sc.expm1]: _unary(CONVEX, INC, _same_sign),
    _U[np.square]: _unary(CONVEX, _mono_by_sign, NONNEG),
    _U[np.absolute]: _unary(CONVEX, _mono_by_sign, NONNEG),
    _U[np.fabs]: _unary(CONVEX, _mono_by_sign, NONNEG),
    _U[np.logaddexp]: _nary(CONVEX, lambda s: INC, _nonneg_if_any),
    _U[np.logaddexp2]: _nary(CONVEX, lambda s: INC, _nonneg_if_any),
    _U[np.maximum]: _nary(CONVEX, lambda s: INC, _any_nonneg),
    # not fmax and fmin: they drop a NaN, so fmax(-sqrt(x), -sqrt(-x)) = -sqrt|x| joins two
    # functions convex on their domains into one that is not (DCP's domains need NaN kept)
    _U[np.hypot]: _nary(CONVEX, _mono_by_sign, _positive_sign),
    _U[sc.rel_entr]: _nary(CONVEX, lambda s: None, lambda signs: None),
    _U[sc.kl_div]: _nary(CONVEX, lambda s: None, _positive_sign),
    _U[sc.xlogy]: _xlogy,
    max_: _reduction(CONVEX),
    norm2: _unary(CONVEX, _mono_by_sign, NONNEG),
    # concave atoms
    _U[np.log]: _log_like(), _U[np.log2]: _log_like(), _U[np.log10]: _log_like(),
    _U[np.log1p]: _log_like(_same_sign), _U[sc.log1p]: _log_like(_same_sign),
    _U[np.sqrt]: _unary(CONCAVE, INC, NONNEG),
    _U[np.minimum]: _nary(CONCAVE, lambda s: INC, _any_nonpos),
    _U[sc.log_expit]: _unary(CONCAVE, INC, NONPOS),
    _U[sc.entr]: _unary(CONCAVE, None, None),
    min_: _reduction(CONCAVE),
    # affine: products with a constant operand, sums, and moves of entries
    matmul: _products, vecdot: _products, matvec: _products, vecmat: _products,
    tensordot: _products, einsum: _products, cross3: _products,
    sum_: _preserving, mean_: _mean, cumsum: _preserving, reshape: _preserving,
    transpose: _preserving, broadcast_to: _preserving, flip: _preserving, roll: _preserving,
    getitem: _preserving, scatter_add: _preserving, diagonal: _preserving,
    diag_embed: _preserving, where: _where, astype: _astype,
}
# primitives made per use (concatenate of n arrays) or kept private (setitem): by name and the
# module of their implementation, so a user's primitive of the same name is not taken for them
_BY_NAME = {
    ("concatenate", "optkit.ad.rules.joining"): _preserving,
    ("setitem", "optkit.ad.rules.indexing"): _preserving,
}


# ---- entry points ------------------------------------------------------------------------------
def curvature(program, output=0, *, finite=()):
    """The curvature of output ``output`` of a staged program, as a function of all its inputs.

    Parameters
    ----------
    program : optkit.ad.staging.Program
        A recorded program (``staging.stage``). A program whose trace depended on values
        (``program.dynamic_reason`` set) is ``'unknown'``.
    output : int, optional
        Which output (default the first).
    finite : iterable of numpy.ndarray, optional
        Constant arrays of the program known to hold finite entries only, told apart by
        identity: the analysis takes them as finite instead of reading them (a pass over a
        large matrix). For arrays a product already computed proves finite
        (``optkit.ad.finiteness.proven_finite``); anything else is read as usual.

    Returns
    -------
    str
        ``'constant'``, ``'affine'``, ``'convex'``, ``'concave'`` or ``'unknown'`` (module
        docstring): proven by DCP's rules, or ``'unknown'``.

    Examples
    --------
    >>> import numpy as np
    >>> from optkit.ad.staging import stage
    >>> program, _ = stage(lambda x: np.sum(np.exp(x)) - np.log(x[0]), (np.ones(3),))
    >>> curvature(program)
    'convex'
    >>> curvature(stage(lambda x: x[0] * x[1], (np.ones(2),))[0])
    'unknown'
    """
    if program.dynamic_reason is not None:
        return UNKNOWN
    out = program.outputs[output]
    if isinstance(out, Const):
        return CONSTANT if _Analysis(finite).finite(out) else UNKNOWN
    return _Analysis(finite).run(program).facts.get(out, _UNKNOWN).curv


def function_curvature(fun, *example_args):
    """The curvature of ``fun(*example_args)``'s value, from its trace at these arguments.

    ``fun`` is staged twice (``staging.stage``, warnings silenced: it is f evaluated twice);
    ``'unknown'`` when tracing raises, depends on values, or the two recordings disagree
    (random numbers, changing global state). The arguments' shapes and dtypes, not their
    values, define the program, whose curvature holds for every input of those shapes.

    Parameters
    ----------
    fun : callable
        The function, of one or more array arguments; its value is analysed as a function of
        all of them together.
    *example_args : array_like
        Arguments to trace ``fun`` at: any point of the shapes and dtypes of interest.

    Returns
    -------
    str
        ``'constant'``, ``'affine'``, ``'convex'``, ``'concave'`` or ``'unknown'``: proven by
        DCP's rules, or ``'unknown'``.

    Examples
    --------
    >>> import numpy as np
    >>> A, b = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1.0, -1.0])
    >>> function_curvature(lambda x: np.sum((A @ x - b) ** 2), np.zeros(2))
    'convex'
    >>> function_curvature(lambda x: np.sum(np.sin(x)), np.zeros(2))
    'unknown'
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            first, _ = stage(fun, example_args)
            if first.dynamic_reason is not None:
                return UNKNOWN
            again, _ = stage(fun, example_args)
    except Exception:  # noqa: BLE001 - whatever f raises while traced, nothing is proven
        return UNKNOWN
    if not same_recording(first, again):
        return UNKNOWN
    return curvature(first)


def is_convex(fun, *example_args):
    """True when ``function_curvature`` proves ``fun`` convex (or affine, or constant).

    False means *not proven*, not "not convex": a convex function outside DCP's rules is
    False too.

    Parameters
    ----------
    fun : callable
        The function, of one or more array arguments.
    *example_args : array_like
        Arguments to trace ``fun`` at (``function_curvature``).

    Returns
    -------
    bool
        Whether the trace proves ``fun`` convex in all its arguments together.

    Examples
    --------
    >>> import numpy as np
    >>> is_convex(lambda x: np.sum(np.logaddexp(0.0, x)) + np.sum(x ** 2), np.zeros(3))
    True
    >>> is_convex(lambda x: np.sqrt(np.sum(x ** 2) + 1.0), np.zeros(3))  # convex, unproven
    False
    """
    return function_curvature(fun, *example_args) in CONVEX_CURVATURES
