"""Linear algebra: products and ``numpy.linalg`` factorizations, with forward and reverse rules.

Products (``matmul``/``@``, the ``vecdot``/``matvec``/``vecmat`` ufuncs, ``tensordot``,
``einsum``, ``cross``) are primitives; ``dot``, ``inner``, ``outer``, ``kron``, ``vdot``,
``multi_dot``, ``matrix_power`` and the ``np.linalg`` array-API aliases are numpy code over
them. The ``linalg`` rules are the standard matrix-calculus results: Giles 2008, "An extended
collection of matrix derivative results for forward and reverse mode AD" (solve, inv, det,
slogdet); Murray 2016, "Differentiation of the Cholesky decomposition" (cholesky); Magnus &
Neudecker 1999, ch. 8 (eigh; eigenvector derivatives need distinct eigenvalues). Every rule
is numpy code over primitives, so the rules are differentiated in turn (Hessian-vector products
through a solve, a Cholesky...).

Notation: ``A`` the matrix argument, ``t`` a tangent, ``g`` a cotangent, ``X.mT`` the
transpose of the last two axes. Stacks of matrices (leading batch axes) work as in numpy.

``cholesky`` and ``eigh`` read one triangle of ``A``, exactly as numpy (LAPACK) does, and their
derivatives are those of that function: a tangent ``t`` acts through the symmetric matrix
``sym(t) = M*t + (M*t).mT - I*t`` built from the triangle ``M`` that is read, and a cotangent
lives on that triangle. For a symmetric parametrization ``A(theta)`` this is the usual
symmetric-input derivative; values always equal numpy's, even for a non-symmetric ``A``.
"""

from __future__ import annotations

import string
import warnings
from collections import Counter
from typing import NamedTuple

import numpy as np

from ..core import (
    NotDifferentiableError,
    Tracer,
    function_impls,
    primitive,
    ufunc_primitives,
    value_of,
)


def _mT(a):
    """Transpose of the last two axes (a view for plain arrays)."""
    try:
        return a.mT
    except AttributeError:
        return np.swapaxes(a, -1, -2)


def _arr(x):
    """Constant operands may be lists or scalars; traced and plain arrays pass unchanged."""
    return x if isinstance(x, (np.ndarray, Tracer)) else np.asarray(x, dtype=float)


def _nd(x):
    try:
        return x.ndim
    except AttributeError:
        return np.ndim(x)


def _col(v):
    if isinstance(v, float):   # the cotangent seed of a scalar output
        v = np.float64(v)
    return v[..., None]


def _uncol(v):
    return v[..., 0]


# ---- matmul -------------------------------------------------------------------------------
# numpy's 1-D conventions: a vector on the left is a row, on the right a column, and the
# inserted axis is removed from the result; the cotangent rules undo exactly that.
def _matmul_d0(t, ans, a, b):
    return np.matmul(t, b)


def _matmul_d1(t, ans, a, b):
    return np.matmul(a, t)


def _product(a, b):
    """``np.matmul(a, b)``, but ``np.dot`` for an outer product of plain matrices: numpy's
    matmul skips BLAS when the shared axis has length 1 (a column times a row, the cotangent
    of a matrix times a one-column matrix) and is then several times slower than np.dot."""
    if (type(a) is np.ndarray and type(b) is np.ndarray and a.ndim == 2 and b.ndim == 2
            and a.shape[1] == 1):
        return np.dot(a, b)
    return np.matmul(a, b)


def _matmul_vjp0(g, ans, a, b):
    b = _arr(b)
    nb = b.ndim
    na = _nd(a)
    if nb == 1:
        return g * b if na == 1 else _col(g) * b          # (..., n, 1) * (k,)
    if na == 1:                                            # g: (..., m), b: (..., k, m)
        return np.matmul(b, g) if nb == 2 else _uncol(np.matmul(b, _col(g)))
    return _product(g, _mT(b))


def _matmul_vjp1(g, ans, a, b):
    a = _arr(a)
    na = a.ndim
    nb = _nd(b)
    if na == 1:
        return g * a if nb == 1 else _col(a) * g[..., None, :]   # (k, 1) * (..., 1, m)
    if nb == 1:                                                # g: (..., n), a: (..., n, k)
        return np.matmul(g, a) if na == 2 else _uncol(np.matmul(_mT(a), _col(g)))
    return _product(_mT(a), g)


matmul = primitive("matmul", np.matmul, jvp=(_matmul_d0, _matmul_d1),
                   vjp=(_matmul_vjp0, _matmul_vjp1))
ufunc_primitives[np.matmul] = matmul


def _matmul_function(x1, x2, /):
    return matmul(x1, x2)


# ---- vecdot, matvec, vecmat (numpy >= 2.2 ufuncs, real inputs) ---------------------------
def _vecdot_d0(t, ans, a, b):
    return np.vecdot(t, b)


def _vecdot_d1(t, ans, a, b):
    return np.vecdot(a, t)


def _vecdot_vjp0(g, ans, a, b):
    return _col(g) * b


def _vecdot_vjp1(g, ans, a, b):
    return _col(g) * a


def _matvec_d0(t, ans, a, v):
    return np.matvec(t, v)


def _matvec_d1(t, ans, a, v):
    return np.matvec(a, t)


def _matvec_vjp0(g, ans, a, v):
    return _col(g) * v[..., None, :]


def _matvec_vjp1(g, ans, a, v):
    return np.vecmat(g, a)


def _vecmat_d0(t, ans, v, a):
    return np.vecmat(t, a)


def _vecmat_d1(t, ans, v, a):
    return np.vecmat(v, t)


def _vecmat_vjp0(g, ans, v, a):
    return np.matvec(a, g)


def _vecmat_vjp1(g, ans, v, a):
    return _col(v) * g[..., None, :]


vecdot = primitive("vecdot", np.vecdot, jvp=(_vecdot_d0, _vecdot_d1),
                   vjp=(_vecdot_vjp0, _vecdot_vjp1))
matvec = primitive("matvec", np.matvec, jvp=(_matvec_d0, _matvec_d1),
                   vjp=(_matvec_vjp0, _matvec_vjp1))
vecmat = primitive("vecmat", np.vecmat, jvp=(_vecmat_d0, _vecmat_d1),
                   vjp=(_vecmat_vjp0, _vecmat_vjp1))
ufunc_primitives.update({np.vecdot: vecdot, np.matvec: matvec, np.vecmat: vecmat})


def _linalg_vecdot_function(x1, x2, /, *, axis=-1):
    if axis != -1:
        x1, x2 = np.moveaxis(x1, axis, -1), np.moveaxis(x2, axis, -1)
    return vecdot(x1, x2)


# ---- tensordot ----------------------------------------------------------------------------
def _tensordot_axes(axes, na, nb):
    """Normalize numpy's ``axes`` (an int, or a pair of ints/sequences) to two tuples."""
    if isinstance(axes, (int, np.integer)):
        n = int(axes)
        if not 0 <= n <= min(na, nb):
            raise ValueError(f"tensordot: axes={n} must be between 0 and min(a.ndim, b.ndim)")
        return tuple(range(na - n, na)), tuple(range(n))
    try:
        axa, axb = axes
    except (TypeError, ValueError):
        raise ValueError("tensordot: axes must be an int or a pair of axis sequences") from None
    axa = (axa,) if isinstance(axa, (int, np.integer)) else tuple(axa)
    axb = (axb,) if isinstance(axb, (int, np.integer)) else tuple(axb)
    if len(axa) != len(axb):
        raise ValueError("tensordot: the two axis sequences must have the same length")
    return tuple(int(i) % na for i in axa), tuple(int(i) % nb for i in axb)


def _tensordot(a, b, axes):
    return np.tensordot(a, b, axes)


def _tensordot_d0(t, ans, a, b, axes):
    return tensordot(t, b, axes=axes)


def _tensordot_d1(t, ans, a, b, axes):
    return tensordot(a, t, axes=axes)


def _restore_axes(x, perm):
    return x if perm == tuple(range(len(perm))) else np.transpose(x, perm)


def _tensordot_vjp0(g, ans, a, b, axes):
    axa, axb = axes
    na, nb = _nd(a), _nd(b)
    free_a = [i for i in range(na) if i not in axa]
    free_b = [j for j in range(nb) if j not in axb]
    # contract g's b-free axes with b's free axes: result axes = free_a + b's summed axes
    res = tensordot(g, b, axes=(tuple(range(len(free_a), len(free_a) + len(free_b))),
                                tuple(free_b)))
    summed_b = sorted(axb)
    perm = tuple(free_a.index(i) if i in free_a
                 else len(free_a) + summed_b.index(axb[axa.index(i)]) for i in range(na))
    return _restore_axes(res, perm)


def _tensordot_vjp1(g, ans, a, b, axes):
    axa, axb = axes
    na, nb = _nd(a), _nd(b)
    free_a = [i for i in range(na) if i not in axa]
    free_b = [j for j in range(nb) if j not in axb]
    # contract a's free axes with g's leading axes: result axes = a's summed axes + free_b
    res = tensordot(a, g, axes=(tuple(free_a), tuple(range(len(free_a)))))
    summed_a = sorted(axa)
    perm = tuple(len(axa) + free_b.index(j) if j in free_b
                 else summed_a.index(axa[axb.index(j)]) for j in range(nb))
    return _restore_axes(res, perm)


tensordot = primitive("tensordot", _tensordot, jvp=(_tensordot_d0, _tensordot_d1),
                      vjp=(_tensordot_vjp0, _tensordot_vjp1))


def _tensordot_function(a, b, axes=2):
    na, nb = np.ndim(value_of(a)), np.ndim(value_of(b))
    return tensordot(a, b, axes=_tensordot_axes(axes, na, nb))


# ---- dot, inner, outer, vdot, kron, multi_dot: numpy code over the primitives -----------------
def _dot_function(a, b, out=None):
    if out is not None:
        raise TypeError("np.dot(..., out=) cannot write a traced value; drop `out`")
    na, nb = np.ndim(value_of(a)), np.ndim(value_of(b))
    if na == 0 or nb == 0:
        return np.multiply(a, b)
    if nb <= 2:  # dot and matmul agree here (a stack of matrices times a matrix or vector)
        return matmul(a, b)
    return tensordot(a, b, axes=((na - 1,), (nb - 2,)))


def _inner_function(a, b, /):
    na, nb = np.ndim(value_of(a)), np.ndim(value_of(b))
    if na == 0 or nb == 0:
        return np.multiply(a, b)
    return tensordot(a, b, axes=((na - 1,), (nb - 1,)))


def _outer_function(a, b, out=None):
    if out is not None:
        raise TypeError("np.outer(..., out=) cannot write a traced value; drop `out`")
    return np.reshape(a, (-1, 1)) * np.reshape(b, (1, -1))


def _vdot_function(a, b, /):
    return matmul(np.ravel(a), np.ravel(b))


def _kron_function(a, b):
    sa, sb = np.shape(value_of(a)), np.shape(value_of(b))
    nd = max(len(sa), len(sb))
    sa = (1,) * (nd - len(sa)) + sa
    sb = (1,) * (nd - len(sb)) + sb
    # out[i*nb + j] = a[i] * b[j] axis by axis: interleave the axes of a and b, then merge
    a2 = np.reshape(a, tuple(n for m in sa for n in (m, 1)))
    b2 = np.reshape(b, tuple(n for m in sb for n in (1, m)))
    return np.reshape(a2 * b2, tuple(m * n for m, n in zip(sa, sb, strict=True)))


def _linalg_tensordot_function(x1, x2, /, *, axes=2):
    return _tensordot_function(x1, x2, axes)


def _linalg_outer_function(x1, x2, /):
    if np.ndim(value_of(x1)) != 1 or np.ndim(value_of(x2)) != 1:
        raise ValueError("np.linalg.outer: both inputs must be 1-dimensional")
    return _outer_function(x1, x2)


def _matrix_transpose_function(x, /):
    return np.swapaxes(x, -1, -2)


def _matrix_power_function(a, n):
    if not isinstance(n, (int, np.integer)):
        raise TypeError(f"np.linalg.matrix_power: exponent n must be an integer, got {n!r}")
    if n < 0:
        a, n = inv(a), -n
    if n == 0:
        return np.zeros_like(a) + np.eye(np.shape(value_of(a))[-1])
    result = None
    power = a
    while True:  # binary powering: O(log n) products
        if n & 1:
            result = power if result is None else matmul(result, power)
        n >>= 1
        if not n:
            return result
        power = matmul(power, power)


def _multi_dot_function(arrays, *, out=None):
    if out is not None:
        raise TypeError("np.linalg.multi_dot(..., out=) cannot write a traced value; drop `out`")
    arrays = list(arrays)
    if len(arrays) < 2:
        raise ValueError("np.linalg.multi_dot needs at least two arrays")
    result = arrays[0]
    for x in arrays[1:]:
        result = _dot_function(result, x)
    return result


# ---- cross ----------------------------------------------------------------------------------
def _cross3(a, b):
    return np.cross(a, b)


def _cross_d0(t, ans, a, b):
    return np.cross(t, b)


def _cross_d1(t, ans, a, b):
    return np.cross(a, t)


def _cross_vjp0(g, ans, a, b):
    return np.cross(b, g)   # <g, a x b> = <a, b x g>


def _cross_vjp1(g, ans, a, b):
    return np.cross(g, a)   # <g, a x b> = <b, g x a>


cross3 = primitive("cross", _cross3, jvp=(_cross_d0, _cross_d1), vjp=(_cross_vjp0, _cross_vjp1))
_PAD3 = np.eye(2, 3)   # v @ _PAD3 appends a zero third component to 2-vectors


def _linalg_cross_function(x1, x2, /, *, axis=-1):
    for x in (x1, x2):
        if np.shape(value_of(x))[axis] != 3:
            raise ValueError("np.linalg.cross: both inputs must have 3 elements along `axis`")
    return _cross_function(x1, x2, axis=axis)


# numpy 2.0 deprecated np.cross of 2-vectors and 2.5 removed it: follow the installed numpy
CROSS_OF_2_VECTORS = np.lib.NumpyVersion(np.__version__) < "2.5.0"


def _cross_function(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    if axis is not None:
        axisa = axisb = axisc = axis
    a = np.moveaxis(a, axisa, -1)
    b = np.moveaxis(b, axisb, -1)
    la, lb = np.shape(value_of(a))[-1], np.shape(value_of(b))[-1]
    if la not in (2, 3) or lb not in (2, 3):
        raise ValueError("np.cross: incompatible dimensions for cross product "
                         "(dimension must be 2 or 3)")
    if (la == 2 or lb == 2) and CROSS_OF_2_VECTORS:  # as numpy does, from 2.0 to 2.4
        warnings.warn("Arrays of 2-dimensional vectors are deprecated. Use arrays of "
                      "3-dimensional vectors instead. (deprecated in NumPy 2.0)",
                      DeprecationWarning, stacklevel=3)
    elif la == 2 or lb == 2:  # numpy 2.5 removed them
        raise ValueError("Both input arrays must be (arrays of) 3-dimensional vectors, but they "
                         f"are {la} and {lb} dimensional instead.")
    c = cross3(a if la == 3 else np.matmul(a, _PAD3), b if lb == 3 else np.matmul(b, _PAD3))
    if la == lb == 2:
        return c[..., 2]
    return np.moveaxis(c, -1, axisc)


# ---- einsum -----------------------------------------------------------------------------------
_LABELS = string.ascii_letters
_EINSUM_MAX_OPERANDS = 64


def _sublist_to_labels(sub):
    return "".join("..." if s is Ellipsis else _LABELS[int(s)] for s in sub)


def _einsum_spec(args):
    """(subscripts string, operands) from either numpy calling convention."""
    if isinstance(args[0], str):
        return args[0], list(args[1:])
    # interleaved: op0, sublist0, op1, sublist1, ..., [output sublist]
    n = len(args) - len(args) % 2
    operands = list(args[0:n:2])
    text = ",".join(_sublist_to_labels(s) for s in args[1:n:2])
    if len(args) % 2:
        text += "->" + _sublist_to_labels(args[-1])
    return text, operands


def _explicit_einsum(subscripts, shapes):
    """Rewrite ``subscripts`` with an explicit output and the ellipsis spelled out in labels."""
    text = subscripts.replace(" ", "")
    ins, arrow, out = text.partition("->")
    inputs = ins.split(",")
    if len(inputs) != len(shapes):
        raise ValueError(f"einsum: {len(inputs)} operand subscripts for {len(shapes)} operands")
    unused = [c for c in _LABELS if c not in text]
    widths = [len(shape) - (len(s) - 3) if "..." in s else 0
              for s, shape in zip(inputs, shapes, strict=True)]
    if min(widths, default=0) < 0:
        raise ValueError(f"einsum: subscripts {subscripts!r} have more labels than dimensions")
    ell = "".join(unused[:max(widths, default=0)])
    spelled = []
    for s, shape, w in zip(inputs, shapes, widths, strict=True):
        if "..." in s:
            s = s.replace("...", ell[len(ell) - w:])
        if len(s) != len(shape) or not all(c in _LABELS for c in s):
            raise ValueError(f"einsum: subscripts {s!r} do not match an operand of shape {shape}")
        spelled.append(s)
    if arrow:
        out = out.replace("...", ell)
    else:  # implicit mode: broadcast axes first, then the labels seen once, sorted
        counts = Counter(ins.replace("...", "").replace(",", ""))
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1))
    return ",".join(spelled) + "->" + out


def _einsum(*operands, subscripts, optimize):
    return np.einsum(subscripts, *operands, optimize=optimize)


def _einsum_jvp(i):
    def rule(t, ans, *operands, subscripts, optimize):
        ops = list(operands)
        ops[i] = t
        return einsum(*ops, subscripts=subscripts, optimize=optimize)

    return rule


def _einsum_vjp(i):
    def rule(g, ans, *operands, subscripts, optimize):
        ins, out = subscripts.split("->")
        inputs = ins.split(",")
        mine = inputs[i]
        shape = np.shape(value_of(operands[i]))
        others = [s for k, s in enumerate(inputs) if k != i]
        seen_elsewhere = set(out).union(*others)
        unused = iter(c for c in _LABELS if c not in subscripts)
        target, extra_subs, extra_ops, first = [], [], [], {}
        for c, n in zip(mine, shape, strict=True):
            if c in first:
                # a repeated label (a diagonal): a fresh label tied to the first by an identity
                k = next(unused)
                extra_subs.append(c + k)
                extra_ops.append(np.eye(n))
                target.append(k)
                continue
            first[c] = n
            target.append(c)
        for c, n in first.items():
            if c not in seen_elsewhere and mine.count(c) == 1:
                # summed within this operand only: the cotangent is constant along it
                extra_subs.append(c)
                extra_ops.append(np.ones(n))
        others_ops = [x for k, x in enumerate(operands) if k != i]
        spec = ",".join([out, *others, *extra_subs]) + "->" + "".join(target)
        return einsum(g, *others_ops, *extra_ops, subscripts=spec, optimize=optimize)

    return rule


einsum = primitive("einsum", _einsum,
                   jvp=tuple(_einsum_jvp(i) for i in range(_EINSUM_MAX_OPERANDS)),
                   vjp=tuple(_einsum_vjp(i) for i in range(_EINSUM_MAX_OPERANDS)))


def _einsum_function(*args, out=None, optimize=False, dtype=None, **kwargs):
    if out is not None:
        raise TypeError("np.einsum(..., out=) cannot write a traced value; drop `out`")
    if dtype is not None and np.dtype(dtype) != np.float64:
        raise TypeError(f"np.einsum(dtype={dtype!r}): optkit differentiates in float64 only")
    subscripts, operands = _einsum_spec(args)
    if len(operands) > _EINSUM_MAX_OPERANDS:
        raise NotDifferentiableError(
            f"np.einsum with more than {_EINSUM_MAX_OPERANDS} operands is not supported")
    if not isinstance(optimize, (bool, str)):
        optimize = True   # an explicit contraction path only changes speed, never the value
    spec = _explicit_einsum(subscripts, [np.shape(value_of(x)) for x in operands])
    return einsum(*operands, subscripts=spec, optimize=optimize)


# ---- linalg.solve and inv -------------------------------------------------------------------
# numpy >= 2: b is a vector only if b.ndim == 1; otherwise a (stack of) matrices.
def _solve_vec(a, v):
    """a^{-1} v for a (stack of) vector(s) v."""
    if _nd(v) == 1:
        return np.linalg.solve(a, v)
    return _uncol(np.linalg.solve(a, _col(v)))


def _matvec(a, v):
    if _nd(a) == 2 or _nd(v) == 1:
        return np.matmul(a, v)
    return _uncol(np.matmul(a, _col(v)))


def _solve(a, b):
    return np.linalg.solve(a, b)


def _solve_d0(t, ans, a, b):
    # d x = -A^{-1} dA x  (Giles 2008, sec. 2.3.1)
    if _nd(b) == 1:
        return -_solve_vec(a, _matvec(t, ans))
    return -np.linalg.solve(a, np.matmul(t, ans))


def _solve_d1(t, ans, a, b):
    return np.linalg.solve(a, t)


def _solve_vjp0(g, ans, a, b):
    # bbar = A^{-T} xbar, Abar = -bbar x^T
    if _nd(b) == 1:
        gb = _solve_vec(_mT(a), g)
        return -(_col(gb) * ans[..., None, :])
    return -np.matmul(np.linalg.solve(_mT(a), g), _mT(ans))


def _solve_vjp1(g, ans, a, b):
    if _nd(b) == 1:
        return _solve_vec(_mT(a), g)
    return np.linalg.solve(_mT(a), g)


solve = primitive("solve", _solve, jvp=(_solve_d0, _solve_d1), vjp=(_solve_vjp0, _solve_vjp1))


def _solve_function(a, b):
    return solve(a, b)


def _inv_d(t, ans, a):
    return -np.matmul(ans, np.matmul(t, ans))


def _inv_vjp(g, ans, a):
    inv_t = _mT(ans)
    return -np.matmul(inv_t, np.matmul(g, inv_t))


inv = primitive("inv", np.linalg.inv, jvp=_inv_d, vjp=_inv_vjp)


def _inv_function(a):
    return inv(a)


# ---- det and slogdet --------------------------------------------------------------------------
def _scalar_to_matrix(s):
    """Per-matrix scalars (shape batch) to shape batch + (1, 1), for broadcasting."""
    return np.expand_dims(s, (-2, -1))


def _det_d(t, ans, a):
    # d det A = det A * tr(A^{-1} dA)
    return ans * np.sum(_mT(inv(a)) * t, axis=(-2, -1))


def _det_vjp(g, ans, a):
    return _scalar_to_matrix(g * ans) * _mT(inv(a))


det = primitive("det", np.linalg.det, jvp=_det_d, vjp=_det_vjp)


def _det_function(a):
    return det(a)


# slogdet returns two arrays; one primitive computes both (one LU) packed on a last axis of 2:
# [..., 0] the sign (derivative zero), [..., 1] log|det A| (derivative tr(A^{-1} dA)).
_SIGN_LOG = np.array([0.0, 1.0])


def _slogdet_packed(a):
    sign, logabsdet = np.linalg.slogdet(a)
    return np.stack([sign, logabsdet], axis=-1)


def _slogdet_d(t, ans, a):
    d = np.sum(_mT(inv(a)) * t, axis=(-2, -1))
    return np.expand_dims(d, -1) * _SIGN_LOG


def _slogdet_vjp(g, ans, a):
    return _scalar_to_matrix(g[..., 1]) * _mT(inv(a))


slogdet_packed = primitive("slogdet", _slogdet_packed, jvp=_slogdet_d, vjp=_slogdet_vjp)


class SlogdetResult(NamedTuple):
    """As ``numpy.linalg.slogdet``'s result: ``sign`` and ``logabsdet``."""

    sign: object
    logabsdet: object


def _slogdet_function(a):
    packed = slogdet_packed(a)
    return SlogdetResult(packed[..., 0], packed[..., 1])


# ---- cholesky -----------------------------------------------------------------------------------
def _masks(n):
    """(lower triangle incl. diagonal, identity, Murray's Phi: lower with halved diagonal)."""
    lower = np.tri(n)
    eye = np.eye(n)
    return lower, eye, lower - 0.5 * eye


def _sym_from_lower(t, lower, eye):
    """The symmetric matrix that a factorization reading the lower triangle of ``t`` sees."""
    low = lower * t
    return low + _mT(low) - eye * t


def _to_lower(s, lower, eye):
    """Cotangent of the lower triangle, given the cotangent ``s`` of the symmetric matrix."""
    s = 0.5 * (s + _mT(s))
    return (2.0 * lower - eye) * s


def _cholesky(a):
    return np.linalg.cholesky(a)


def _cholesky_d(t, ans, a):
    # Murray 2016, eq. 8: dL = L Phi(L^{-1} dA L^{-T})
    lower, eye, phi = _masks(np.shape(value_of(a))[-1])
    linv = inv(ans)
    x = np.matmul(linv, np.matmul(_sym_from_lower(t, lower, eye), _mT(linv)))
    return np.matmul(ans, phi * x)


def _cholesky_vjp(g, ans, a):
    # Murray 2016, eq. 10: Abar = L^{-T} Phi(L^T Lbar) L^{-1}, symmetrized
    lower, eye, phi = _masks(np.shape(value_of(a))[-1])
    linv = inv(ans)
    p = phi * np.matmul(_mT(ans), lower * g)
    return _to_lower(np.matmul(_mT(linv), np.matmul(p, linv)), lower, eye)


cholesky = primitive("cholesky", _cholesky, jvp=_cholesky_d, vjp=_cholesky_vjp)


def _cholesky_function(a, /, *, upper=False):
    if upper:  # numpy reads the upper triangle: the lower triangle of A^T
        return _mT(cholesky(_mT(a)))
    return cholesky(a)


# ---- eigh ---------------------------------------------------------------------------------------
# Packed like slogdet: [..., 0, :] the eigenvalues w, [..., 1:, :] the eigenvectors V.
def _eigh_packed(a, uplo):
    w, v = np.linalg.eigh(a, UPLO=uplo)
    return np.concatenate([w[..., None, :], v], axis=-2)


def _eigh_gaps(w, eye):
    """F of Magnus & Neudecker: F[i, j] = 1 / (w_j - w_i) off the diagonal, 0 on it.

    A repeated eigenvalue gives an infinite entry: the eigenvectors' derivative is undefined
    there (it comes out inf/nan, never a plausible number), while the eigenvalues' derivative
    does not involve F and stays finite.
    """
    gap = w[..., None, :] - _col(w)
    with np.errstate(divide="ignore"):
        return (1.0 - eye) / (gap + eye)


def _triangle(uplo, t):
    """The triangle read by LAPACK as lower triangle: 'U' reads the lower triangle of t^T."""
    return t if uplo == "L" else _mT(t)


def _eigh_d(t, ans, a, uplo):
    n = np.shape(value_of(a))[-1]
    lower, eye, _ = _masks(n)
    w, v = ans[..., 0, :], ans[..., 1:, :]
    ds = _sym_from_lower(_triangle(uplo, t), lower, eye)
    x = np.matmul(_mT(v), np.matmul(ds, v))
    dw = np.sum(x * eye, axis=-1)                # dw_i = v_i^T dA v_i
    with np.errstate(invalid="ignore"):          # inf * 0 where eigenvalues repeat
        dv = np.matmul(v, _eigh_gaps(w, eye) * x)   # dV = V (F o V^T dA V)
    return np.concatenate([dw[..., None, :], dv], axis=-2)   # the packed layout


def _eigh_vjp(g, ans, a, uplo):
    n = np.shape(value_of(a))[-1]
    lower, eye, _ = _masks(n)
    w, v = ans[..., 0, :], ans[..., 1:, :]
    gw, gv = g[..., 0, :], g[..., 1:, :]
    with np.errstate(invalid="ignore"):          # inf * 0 where eigenvalues repeat
        inner = gw[..., None, :] * eye + _eigh_gaps(w, eye) * np.matmul(_mT(v), gv)
    s = np.matmul(v, np.matmul(inner, _mT(v)))   # A-bar = V (diag(w-bar) + F o V^T V-bar) V^T
    return _triangle(uplo, _to_lower(s, lower, eye))


eigh_packed = primitive("eigh", _eigh_packed, jvp=(_eigh_d,), vjp=(_eigh_vjp,))


# eigvalsh: eigenvalues only, so its rules never meet F. For a spectral function f(w) with f
# symmetric, V diag(f'(w)) V^T is the gradient even where eigenvalues repeat (Lewis 1996,
# "Derivatives of spectral functions"), so such functions stay finite there.
def _eigvalsh(a, uplo):
    return np.linalg.eigvalsh(a, UPLO=uplo)


def _eigvalsh_d(t, ans, a, uplo):
    lower, eye, _ = _masks(np.shape(value_of(a))[-1])
    v = np.linalg.eigh(a, UPLO=uplo)[1]
    ds = _sym_from_lower(_triangle(uplo, t), lower, eye)
    return np.sum(v * np.matmul(ds, v), axis=-2)       # dw_i = v_i^T dA v_i


def _eigvalsh_vjp(g, ans, a, uplo):
    lower, eye, _ = _masks(np.shape(value_of(a))[-1])
    v = np.linalg.eigh(a, UPLO=uplo)[1]
    s = np.matmul(v * g[..., None, :], _mT(v))         # V diag(w-bar) V^T
    return _triangle(uplo, _to_lower(s, lower, eye))


eigvalsh = primitive("eigvalsh", _eigvalsh, jvp=(_eigvalsh_d,), vjp=(_eigvalsh_vjp,))


class EighResult(NamedTuple):
    """As ``numpy.linalg.eigh``'s result: ascending ``eigenvalues`` and ``eigenvectors``."""

    eigenvalues: object
    eigenvectors: object


def _uplo(uplo):
    if uplo not in ("L", "U"):
        raise ValueError(f"UPLO must be 'L' or 'U', got {uplo!r}")
    return uplo


def _eigh_function(a, UPLO="L"):  # noqa: N803 - numpy's parameter name
    packed = eigh_packed(a, uplo=_uplo(UPLO))
    return EighResult(packed[..., 0, :], packed[..., 1:, :])


def _eigvalsh_function(a, UPLO="L"):  # noqa: N803 - numpy's parameter name
    return eigvalsh(a, uplo=_uplo(UPLO))


function_impls.update({
    np.dot: _dot_function,
    np.inner: _inner_function,
    np.outer: _outer_function,
    np.vdot: _vdot_function,
    np.kron: _kron_function,
    np.tensordot: _tensordot_function,
    np.einsum: _einsum_function,
    np.cross: _cross_function,
    np.linalg.matmul: _matmul_function,
    np.linalg.vecdot: _linalg_vecdot_function,
    np.linalg.tensordot: _linalg_tensordot_function,
    np.linalg.outer: _linalg_outer_function,
    np.linalg.cross: _linalg_cross_function,
    np.linalg.matrix_transpose: _matrix_transpose_function,
    np.linalg.matrix_power: _matrix_power_function,
    np.linalg.multi_dot: _multi_dot_function,
    np.linalg.solve: _solve_function,
    np.linalg.inv: _inv_function,
    np.linalg.det: _det_function,
    np.linalg.slogdet: _slogdet_function,
    np.linalg.cholesky: _cholesky_function,
    np.linalg.eigh: _eigh_function,
    np.linalg.eigvalsh: _eigvalsh_function,
})
