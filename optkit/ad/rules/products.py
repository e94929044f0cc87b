"""Products: ``matmul``/``@``, the ``vecdot``/``matvec``/``vecmat`` ufuncs, ``tensordot`` and
``cross`` are primitives; ``dot``, ``inner``, ``outer``, ``kron``, ``vdot``, ``multi_dot`` and
the ``np.linalg`` array-API aliases are numpy code over them.

Notation: ``t`` a tangent, ``g`` a cotangent, ``X.mT`` the transpose of the last two axes.
Stacks of matrices (leading batch axes) work as in numpy.

Complex values: products are bilinear, and by JAX's convention (``vspace``) a VJP is the plain
transpose, so the real rules hold as they are; ``vecdot``, ``vecmat`` and ``vdot`` conjugate
their first argument, as numpy does, and their rules say so.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..core import (
    function_impls,
    is_complex,
    primitive,
    ufunc_primitives,
    value_of,
)
from .matrices import as_operand, col, mT, ndim, uncol


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
    b = as_operand(b)
    nb = b.ndim
    na = ndim(a)
    if nb == 1:
        return g * b if na == 1 else col(g) * b          # (..., n, 1) * (k,)
    if na == 1:                                            # g: (..., m), b: (..., k, m)
        return np.matmul(b, g) if nb == 2 else uncol(np.matmul(b, col(g)))
    return _product(g, mT(b))


def _matmul_vjp1(g, ans, a, b):
    a = as_operand(a)
    na = a.ndim
    nb = ndim(b)
    if na == 1:
        return g * a if nb == 1 else col(a) * g[..., None, :]   # (k, 1) * (..., 1, m)
    if nb == 1:                                                # g: (..., n), a: (..., n, k)
        return np.matmul(g, a) if na == 2 else uncol(np.matmul(mT(a), col(g)))
    return _product(mT(a), g)


matmul = primitive("matmul", np.matmul, jvp=(_matmul_d0, _matmul_d1),
                   vjp=(_matmul_vjp0, _matmul_vjp1), complex=True)
ufunc_primitives[np.matmul] = matmul


def _matmul_function(x1, x2, /):
    return matmul(x1, x2)


# ---- vecdot, matvec, vecmat (numpy >= 2.2 ufuncs) ------------------------------------------
# vecdot(a, b) = sum(conj(a) b) and vecmat(v, a) = conj(v) @ a: the transpose of t -> conj(t) c
# for Re(sum(a * b)) is g -> conj(g c)
def _conj(x):
    return np.conjugate(x) if is_complex(x) else x



def _vecdot_d0(t, ans, a, b):
    return np.vecdot(t, b)


def _vecdot_d1(t, ans, a, b):
    return np.vecdot(a, t)


def _vecdot_vjp0(g, ans, a, b):
    return _conj(col(g) * b)


def _vecdot_vjp1(g, ans, a, b):
    return col(g) * _conj(a)


def _matvec_d0(t, ans, a, v):
    return np.matvec(t, v)


def _matvec_d1(t, ans, a, v):
    return np.matvec(a, t)


def _matvec_vjp0(g, ans, a, v):
    return col(g) * v[..., None, :]


def _matvec_vjp1(g, ans, a, v):
    return np.vecmat(_conj(g), a)  # g @ a: vecmat conjugates its first argument


def _vecmat_d0(t, ans, v, a):
    return np.vecmat(t, a)


def _vecmat_d1(t, ans, v, a):
    return np.vecmat(v, t)


def _vecmat_vjp0(g, ans, v, a):
    return _conj(np.matvec(a, g))


def _vecmat_vjp1(g, ans, v, a):
    return col(_conj(v)) * g[..., None, :]


vecdot = primitive("vecdot", np.vecdot, jvp=(_vecdot_d0, _vecdot_d1),
                   vjp=(_vecdot_vjp0, _vecdot_vjp1), complex=True)
matvec = primitive("matvec", np.matvec, jvp=(_matvec_d0, _matvec_d1),
                   vjp=(_matvec_vjp0, _matvec_vjp1), complex=True)
vecmat = primitive("vecmat", np.vecmat, jvp=(_vecmat_d0, _vecmat_d1),
                   vjp=(_vecmat_vjp0, _vecmat_vjp1), complex=True)
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
    na, nb = ndim(a), ndim(b)
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
    na, nb = ndim(a), ndim(b)
    free_a = [i for i in range(na) if i not in axa]
    free_b = [j for j in range(nb) if j not in axb]
    # contract a's free axes with g's leading axes: result axes = a's summed axes + free_b
    res = tensordot(a, g, axes=(tuple(free_a), tuple(range(len(free_a)))))
    summed_a = sorted(axa)
    perm = tuple(len(axa) + free_b.index(j) if j in free_b
                 else summed_a.index(axa[axb.index(j)]) for j in range(nb))
    return _restore_axes(res, perm)


tensordot = primitive("tensordot", _tensordot, jvp=(_tensordot_d0, _tensordot_d1),
                      vjp=(_tensordot_vjp0, _tensordot_vjp1), complex=True)


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
    return matmul(np.ravel(_conj(a)), np.ravel(b))  # numpy's vdot conjugates a


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


cross3 = primitive("cross", _cross3, jvp=(_cross_d0, _cross_d1), vjp=(_cross_vjp0, _cross_vjp1),
                   complex=True)
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


function_impls.update({
    np.dot: _dot_function,
    np.inner: _inner_function,
    np.outer: _outer_function,
    np.vdot: _vdot_function,
    np.kron: _kron_function,
    np.tensordot: _tensordot_function,
    np.cross: _cross_function,
    np.linalg.matmul: _matmul_function,
    np.linalg.vecdot: _linalg_vecdot_function,
    np.linalg.tensordot: _linalg_tensordot_function,
    np.linalg.outer: _linalg_outer_function,
    np.linalg.cross: _linalg_cross_function,
    np.linalg.matrix_transpose: _matrix_transpose_function,
    np.linalg.multi_dot: _multi_dot_function,
})
