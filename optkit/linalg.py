"""Differentiable equivalents of ``scipy.linalg`` functions, with scipy's signatures.

``scipy.linalg`` converts its input with ``np.asarray``, which no numpy protocol can
intercept, so on a traced value it raises ``TracerConversionError``. The functions here take
the same arguments and return the same values (on plain arrays they call scipy), and are
differentiable in every array argument, to any order; the rules are in
``optkit.ad.rules.scipy_linalg``. ``overwrite_*`` and ``check_finite`` are accepted and
ignored: inputs are never overwritten, and LAPACK's own checks apply.

Complex arrays are supported throughout, with JAX's conventions (``optkit.ad.vspace``): every
function here is holomorphic in its arguments except through ``trans='C'`` (a conjugate
transpose, differentiated as ``conj`` then a transpose) and ``cho_factor`` (``A = L L^H``,
reading one triangle as a Hermitian matrix, as ``numpy.linalg.cholesky``).

Differences from scipy: ``cho_factor`` returns the factor with zeros in the triangle scipy
documents as arbitrary; ``lu_factor`` takes square matrices only.
"""

from __future__ import annotations

import numbers

import numpy as np

from .ad.core import Tracer, concrete, is_complex, value_of
from .ad.rules.scipy_linalg import expm as _expm
from .ad.rules.scipy_linalg import lu_packed as _lu_packed
from .ad.rules.scipy_linalg import lu_permutation as _lu_permutation
from .ad.rules.scipy_linalg import solve_banded_p as _solve_banded
from .ad.rules.scipy_linalg import solve_sylvester as _solve_sylvester
from .ad.rules.scipy_linalg import solve_triangular_p as _solve_triangular
from .ad.rules.scipy_linalg import sqrtm as _sqrtm

__all__ = ["expm", "sqrtm", "solve_triangular", "cho_factor", "cho_solve", "lu_factor",
           "lu_solve", "solve_sylvester", "solve_banded"]


def _array(a, name):
    if isinstance(a, Tracer):
        return a
    arr = np.asarray(a)
    if arr.dtype.kind not in "iufbc":
        raise TypeError(f"{name} must be a real or complex array, got dtype {arr.dtype}")
    return arr.astype(np.complex128 if arr.dtype.kind == "c" else np.float64, copy=False)


def _square(a, name, batched=False):
    a = _array(a, name)
    shape = np.shape(value_of(a))
    if len(shape) < 2 or shape[-1] != shape[-2] or (len(shape) != 2 and not batched):
        want = "a square matrix (or a stack of them)" if batched else "a square 2-D matrix"
        raise ValueError(f"{name} must be {want}, got shape {shape}")
    return a


def _rhs(b, n, name="b"):
    b = _array(b, name)
    shape = np.shape(value_of(b))
    if len(shape) not in (1, 2) or shape[0] != n:
        raise ValueError(f"{name} must have {n} rows (shape ({n},) or ({n}, k)), got {shape}")
    return b


def _trans(trans):
    """(transpose, conjugate) for scipy's ``trans``: 'C' is the conjugate transpose."""
    if trans in (0, "N", "n"):
        return False, False
    if trans in (1, "T", "t"):
        return True, False
    if trans in (2, "C", "c"):
        return True, True
    raise ValueError(f"trans must be 0, 1, 2, 'N', 'T' or 'C', got {trans!r}")


def _conj(a, conjugate):
    """``conj(a)`` when ``conjugate`` and ``a`` is complex (a real conjugate is ``a``)."""
    return np.conjugate(a) if conjugate and is_complex(a) else a


def expm(A):  # noqa: N803 - scipy's name
    """The matrix exponential of ``A`` (or of each matrix in a stack), as scipy's ``expm``.

    Parameters
    ----------
    A : array_like or traced value, shape (..., n, n)
        A real or complex square matrix, or a stack of them.

    Returns
    -------
    ndarray or traced value, shape (..., n, n)
        ``exp(A)``, differentiable in ``A`` to any order.

    Raises
    ------
    ValueError
        ``A`` is not square (its last two axes differ) or has fewer than two dimensions.
    TypeError
        ``A`` is not numeric.

    Examples
    --------
    >>> import numpy as np, optkit
    >>> A = np.array([[0.0, 1.0], [-1.0, 0.0]])
    >>> np.allclose(optkit.linalg.expm(A), [[np.cos(1), np.sin(1)], [-np.sin(1), np.cos(1)]])
    True
    >>> g = optkit.grad(lambda a: np.trace(optkit.linalg.expm(a)))(A)  # d tr e^A = e^(A^T)
    >>> np.allclose(g, optkit.linalg.expm(A.T))
    True
    """
    return _expm(_square(A, "A", batched=True))


def sqrtm(A, disp=True, blocksize=64):  # noqa: N803 - scipy's name
    """The principal square root of ``A``, as scipy's ``sqrtm``.

    Parameters
    ----------
    A : array_like or traced value, shape (n, n)
        A real or complex square matrix. A real matrix with a negative real eigenvalue has a
        complex principal root (as in scipy). The derivative is refused (ValueError) on the
        branch cut: an eigenvalue of a complex matrix on the closed negative real axis, or a
        zero or repeated one of a real matrix there.
    disp, blocksize
        Accepted for compatibility with scipy and ignored.

    Returns
    -------
    ndarray or traced value, shape (n, n)
        ``X`` with ``X @ X = A``, differentiable in ``A``.

    Raises
    ------
    ValueError
        ``A`` is not a square 2-D matrix; or, when differentiating, ``A`` is on the branch cut
        (see ``A``).
    TypeError
        ``A`` is not numeric.

    Examples
    --------
    >>> import numpy as np, optkit
    >>> A = np.array([[4.0, 1.0], [0.0, 9.0]])
    >>> X = optkit.linalg.sqrtm(A)
    >>> np.allclose(X @ X, A)
    True
    """
    return _sqrtm(_square(A, "A"))


def solve_sylvester(a, b, q):
    """``X`` with ``a X + X b = q`` (Bartels-Stewart), as scipy's ``solve_sylvester``.

    Parameters
    ----------
    a : array_like or traced value, shape (m, m)
    b : array_like or traced value, shape (n, n)
    q : array_like or traced value, shape (m, n)
        Real or complex arrays; all three are differentiable.

    Returns
    -------
    ndarray or traced value, shape (m, n)
        The solution ``X`` (R. H. Bartels and G. W. Stewart, "Solution of the matrix equation
        AX + XB = C", Comm. ACM 15(9), 1972).

    Raises
    ------
    ValueError
        ``a`` or ``b`` is not square, or ``q`` does not have shape (m, n).
    TypeError
        An argument is not numeric.

    Examples
    --------
    >>> import numpy as np, optkit
    >>> a, b = np.diag([1.0, 2.0]), np.array([[3.0]])
    >>> X = optkit.linalg.solve_sylvester(a, b, np.array([[4.0], [10.0]]))
    >>> np.allclose(a @ X + X @ b, [[4.0], [10.0]])
    True
    """
    a, b = _square(a, "a"), _square(b, "b")
    q = _array(q, "q")
    want = (np.shape(value_of(a))[0], np.shape(value_of(b))[0])
    if np.shape(value_of(q)) != want:
        raise ValueError(f"q must have shape {want}, got {np.shape(value_of(q))}")
    return _solve_sylvester(a, b, q)


def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False,
                     check_finite=True):
    """``x`` with ``op(a) x = b`` reading one triangle of ``a``; as scipy's.

    Parameters
    ----------
    a : array_like or traced value, shape (n, n)
        Only the ``lower`` (or upper) triangle is read, without its diagonal when
        ``unit_diagonal``; the derivative in ``a`` lives on those entries.
    b : array_like or traced value, shape (n,) or (n, k)
        The right-hand side(s).
    trans : {0, 1, 2, 'N', 'T', 'C'}, optional
        0/'N' solves ``a x = b``; 1/'T' solves ``a^T x = b``, 2/'C' ``a^H x = b``.
    lower : bool, optional
        Read the lower triangle (default: the upper one).
    unit_diagonal : bool, optional
        Take the diagonal of ``a`` to be ones.
    overwrite_b, check_finite
        Accepted and ignored (``b`` is never overwritten).

    Returns
    -------
    ndarray or traced value
        ``x``, shaped like ``b``; differentiable in ``a`` and ``b``.

    Raises
    ------
    ValueError
        ``a`` is not square, ``b`` does not have n rows, or ``trans`` is not one of the values
        above.
    TypeError
        ``a`` or ``b`` is not numeric.

    Examples
    --------
    >>> import numpy as np, optkit
    >>> a = np.array([[2.0, 0.0], [1.0, 4.0]])
    >>> optkit.linalg.solve_triangular(a, np.array([2.0, 9.0]), lower=True)
    array([1., 2.])
    """
    a = _square(a, "a")
    b = _rhs(b, np.shape(value_of(a))[0])
    transpose, conjugate = _trans(trans)
    return _solve_triangular(_conj(a, conjugate), b, transpose, lower, unit_diagonal)


def cho_factor(a, lower=False, overwrite_a=False, check_finite=True):
    """``(c, lower)``: the Cholesky factor of ``a`` for ``cho_solve``; as scipy's.

    Parameters
    ----------
    a : array_like or traced value, shape (n, n)
        A symmetric (complex: Hermitian) positive definite matrix; only the upper (``lower``:
        lower) triangle is read, as LAPACK does (and the real part of a complex diagonal).
    lower : bool, optional
        Return the lower factor (default: the upper one).
    overwrite_a, check_finite
        Accepted and ignored.

    Returns
    -------
    c : ndarray or traced value, shape (n, n)
        Upper triangular with ``c^H c = a`` (lower triangular with ``c c^H = a`` when
        ``lower``; ``^H`` is ``^T`` if real). The other triangle, arbitrary in scipy's result,
        is zero here.
    lower : bool
        The flag, for ``cho_solve``.

    Raises
    ------
    ValueError
        ``a`` is not a square 2-D matrix.
    TypeError
        ``a`` is not numeric.
    numpy.linalg.LinAlgError
        ``a`` is not positive definite.

    Examples
    --------
    >>> import numpy as np, optkit
    >>> a = np.array([[4.0, 2.0], [2.0, 3.0]])
    >>> c, lower = optkit.linalg.cho_factor(a)
    >>> np.allclose(c.T @ c, a), lower
    (True, False)
    """
    a = _square(a, "a")
    if lower:
        return np.linalg.cholesky(a), True
    return np.swapaxes(np.linalg.cholesky(np.swapaxes(a, -1, -2)), -1, -2), False


def cho_solve(c_and_lower, b, overwrite_b=False, check_finite=True):
    """``x`` with ``a x = b``, given ``cho_factor(a)``; as scipy's ``cho_solve``.

    Parameters
    ----------
    c_and_lower : tuple
        ``(c, lower)`` as returned by :func:`cho_factor`.
    b : array_like or traced value, shape (n,) or (n, k)
        The right-hand side(s).
    overwrite_b, check_finite
        Accepted and ignored.

    Returns
    -------
    ndarray or traced value
        ``x``, shaped like ``b``; differentiable in ``c`` and ``b``.

    Raises
    ------
    ValueError
        ``c`` is not square or ``b`` does not have n rows.
    TypeError
        ``c`` or ``b`` is not numeric.

    Examples
    --------
    >>> import numpy as np, optkit
    >>> a = np.array([[4.0, 2.0], [2.0, 3.0]])
    >>> x = optkit.linalg.cho_solve(optkit.linalg.cho_factor(a), np.array([8.0, 7.0]))
    >>> np.allclose(a @ x, [8.0, 7.0])
    True
    """
    c, lower = c_and_lower
    c = _square(c, "c")
    b = _rhs(b, np.shape(value_of(c))[0])
    ch = _conj(c, True)     # c^H x = y solves as conj(c)^T x = y
    if lower:    # c c^H x = b
        return _solve_triangular(ch, _solve_triangular(c, b, False, True, False), True, True,
                                 False)
    return _solve_triangular(c, _solve_triangular(ch, b, True, False, False), False, False,
                             False)                                    # c^H c x = b


def lu_factor(a, overwrite_a=False, check_finite=True):
    """``(lu, piv)``: the pivoted LU factorization ``P a = L U`` of a square ``a``; as scipy's.

    Parameters
    ----------
    a : array_like or traced value, shape (n, n)
        A real or complex square matrix.
    overwrite_a, check_finite
        Accepted and ignored.

    Returns
    -------
    lu : ndarray or traced value, shape (n, n)
        ``U`` and the strict lower triangle of the unit lower ``L``; differentiable in ``a``.
    piv : ndarray of int32, shape (n,)
        LAPACK's (0-based) row interchanges, a plain integer array (under ``optkit.compile``
        reading it makes the function run eagerly).

    Raises
    ------
    ValueError
        ``a`` is not a square 2-D matrix (scipy also takes rectangular ones; this does not).
    TypeError
        ``a`` is not numeric.

    Examples
    --------
    >>> import numpy as np, optkit
    >>> lu, piv = optkit.linalg.lu_factor(np.array([[1.0, 2.0], [3.0, 4.0]]))
    >>> piv
    array([1, 1], dtype=int32)
    """
    a = _square(a, "a")
    packed = _lu_packed(a)
    n = np.shape(value_of(a))[0]
    # the pivots are a plain value read out of the trace: optkit.compile runs it eagerly
    return packed[:n], np.real(concrete(packed, "lu_factor's pivots")[n]).astype(np.int32)


def lu_solve(lu_and_piv, b, trans=0, overwrite_b=False, check_finite=True):
    """``x`` with ``a x = b`` (``a^T x = b`` for ``trans`` 1/2), given ``lu_factor(a)``.

    Parameters
    ----------
    lu_and_piv : tuple
        ``(lu, piv)`` as returned by :func:`lu_factor`.
    b : array_like or traced value, shape (n,) or (n, k)
        The right-hand side(s).
    trans : {0, 1, 2, 'N', 'T', 'C'}, optional
        0/'N' solves ``a x = b``; 1/'T' solves ``a^T x = b``, 2/'C' ``a^H x = b``.
    overwrite_b, check_finite
        Accepted and ignored.

    Returns
    -------
    ndarray or traced value
        ``x``, shaped like ``b``; differentiable in ``lu`` and ``b`` (not in ``piv``).

    Raises
    ------
    ValueError
        ``lu`` is not square, ``b`` does not have n rows, or ``trans`` is invalid.
    TypeError
        ``lu`` or ``b`` is not numeric.

    Examples
    --------
    >>> import numpy as np, optkit
    >>> a = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> optkit.linalg.lu_solve(optkit.linalg.lu_factor(a), np.array([5.0, 11.0]))
    array([1., 2.])
    """
    lu, piv = lu_and_piv
    lu = _square(lu, "lu")
    n = np.shape(value_of(lu))[0]
    b = _rhs(b, n)
    perm = _lu_permutation(np.asarray(concrete(piv, "lu_solve's pivots"), dtype=np.intp))
    transpose, conjugate = _trans(trans)
    if not transpose:    # L U x = P b
        y = _solve_triangular(lu, b[perm], False, True, True)
        return _solve_triangular(lu, y, False, False, False)
    lu = _conj(lu, conjugate)   # P conj(A) = conj(L) conj(U): a^H x = b is conj(a)^T x = b
    w = _solve_triangular(lu, _solve_triangular(lu, b, True, False, False), True, True, True)
    inverse = np.empty_like(perm)     # U^T L^T P x = b: x = P^T w
    inverse[perm] = np.arange(n)
    return w[inverse]


def solve_banded(l_and_u, ab, b, overwrite_ab=False, overwrite_b=False, check_finite=True):
    """``x`` with ``A x = b`` for the band matrix ``A`` stored as ``ab[u + i - j, j]``.

    As scipy's ``solve_banded``.

    Parameters
    ----------
    l_and_u : (int, int)
        ``(l, u)``: the numbers of nonzero sub- and superdiagonals.
    ab : array_like or traced value, shape (l + u + 1, n)
        The band of ``A`` in LAPACK's diagonal-ordered form.
    b : array_like or traced value, shape (n,) or (n, k)
        The right-hand side(s).
    overwrite_ab, overwrite_b, check_finite
        Accepted and ignored.

    Returns
    -------
    ndarray or traced value
        ``x``, shaped like ``b``; differentiable in ``ab`` (on the band) and ``b``.

    Raises
    ------
    ValueError
        ``l_and_u`` is not a pair of non-negative integers, ``ab`` does not have
        ``l + u + 1`` rows, or ``b`` does not have n rows.
    TypeError
        ``ab`` or ``b`` is not numeric.

    Examples
    --------
    >>> import numpy as np, optkit
    >>> ab = np.array([[0.0, 1.0, 1.0], [4.0, 4.0, 4.0], [1.0, 1.0, 0.0]])  # tridiagonal
    >>> x = optkit.linalg.solve_banded((1, 1), ab, np.array([5.0, 6.0, 5.0]))
    >>> np.allclose(x, 1.0)
    True
    """
    try:
        lo, up = l_and_u
    except (TypeError, ValueError):
        raise ValueError(f"l_and_u must be a pair of integers (l, u), got {l_and_u!r}") from None
    for name, v in (("l", lo), ("u", up)):
        if not isinstance(v, (numbers.Integral, np.integer)) or v < 0:
            raise ValueError(f"l_and_u: {name} must be a non-negative integer, got {v!r}")
    ab = _array(ab, "ab")
    shape = np.shape(value_of(ab))
    if len(shape) != 2 or shape[0] != lo + up + 1:
        raise ValueError(f"ab must have shape (l + u + 1, n) = ({lo + up + 1}, n), got {shape}")
    b = _rhs(b, shape[1])
    return _solve_banded(ab, b, lo, up)
