"""``scipy.linalg`` functions as primitives: expm, sqrtm, triangular, LU, Sylvester, banded.

SciPy's linear algebra converts its input with ``np.asarray``, so these primitives are reached
through ``optkit.linalg`` (same signatures), not through numpy's protocols. Every rule is
numpy code over primitives (these and ``numpy.linalg``'s), so the rules are differentiated in
turn and Hessian-vector products work through them.

Rules (``t`` a tangent, ``g`` a cotangent, ``X`` the result):
- ``expm``: the Fréchet derivative ``L(A, E)`` is the upper-right block of
  ``expm([[A, E], [0, A]])`` (Higham 2008, *Functions of Matrices*, Thm. 3.6; Al-Mohy &
  Higham 2009, "Computing the Fréchet derivative of the matrix exponential"); the adjoint of
  ``L(A, .)`` is ``L(A^T, .)``.
- ``sqrtm``: ``X dX + dX X = dA``, a Sylvester equation (Higham 2008, Sec. 6.1); the adjoint
  solves ``X^T G + G X^T = g``.
- ``solve_sylvester`` ``A X + X B = Q``: ``A dX + dX B = dQ - dA X - X dB``; the adjoint
  ``L`` solves ``A^T L + L B^T = g``, then ``(dA, dB, dQ) -> (-L X^T, -X^T L, L)``.
- ``solve_triangular`` ``op(T) X = B``: ``dX = op(T)^{-1} (dB - op(dT) X)``, with ``dT``
  restricted to the triangle LAPACK reads (the strict triangle with ``unit_diagonal``).
- ``lu_factor`` (``P A = L U``): with ``F = L^{-1} P dA U^{-1}``, ``dL = L strict_lower(F)``
  and ``dU = upper(F) U`` (Giles 2008; de Hoog, Anderssen & Lukas 2011); the adjoint is
  ``P^T L^{-T} (strict_lower(L^T gL) + upper(gU U^T)) U^{-T}``.
- ``solve_banded``: as a solve, with the band stored in LAPACK's ``ab[u + i - j, j]`` layout.

Complex matrices (JAX's conventions, ``vspace``): each of these maps is holomorphic (a
primary matrix function or a solve, with plain transposes), so the rules hold as written and
the reverse rules are plain transposes, not conjugate ones. ``optkit.linalg`` spells a
conjugate transpose (``trans='C'``, ``cho_factor``) as ``conj`` around these primitives.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg as sla

from ..core import concrete, is_complex, primitive, value_of


def _mT(a):
    return np.swapaxes(a, -1, -2)


def _zeros_like_value(a):
    return np.zeros(np.shape(value_of(a)))


# ---- expm ---------------------------------------------------------------------------------------
def _frechet(a, e):
    """L(A, E): the upper-right block of expm([[A, E], [0, A]]) (Higham 2008, Thm. 3.6)."""
    n = np.shape(value_of(a))[-1]
    zero = np.zeros(np.shape(value_of(a)))
    top = np.concatenate([a, e], axis=-1)
    bottom = np.concatenate([zero, a], axis=-1)
    return expm(np.concatenate([top, bottom], axis=-2))[..., :n, n:]


def _expm_d(t, ans, a):
    return _frechet(a, t)


def _expm_vjp(g, ans, a):
    return _frechet(_mT(a), g)


expm = primitive("expm", sla.expm, jvp=_expm_d, vjp=_expm_vjp, complex=True)


# ---- solve_sylvester ----------------------------------------------------------------------------
def _sylvester_rhs_d0(t, ans, a, b, q):
    return solve_sylvester(a, b, -np.matmul(t, ans))


def _sylvester_rhs_d1(t, ans, a, b, q):
    return solve_sylvester(a, b, -np.matmul(ans, t))


def _sylvester_d2(t, ans, a, b, q):
    return solve_sylvester(a, b, t)


def _sylvester_vjp0(g, ans, a, b, q):
    return -np.matmul(solve_sylvester(_mT(a), _mT(b), g), _mT(ans))


def _sylvester_vjp1(g, ans, a, b, q):
    return -np.matmul(_mT(ans), solve_sylvester(_mT(a), _mT(b), g))


def _sylvester_vjp2(g, ans, a, b, q):
    return solve_sylvester(_mT(a), _mT(b), g)


solve_sylvester = primitive(
    "solve_sylvester", sla.solve_sylvester,
    jvp=(_sylvester_rhs_d0, _sylvester_rhs_d1, _sylvester_d2),
    vjp=(_sylvester_vjp0, _sylvester_vjp1, _sylvester_vjp2), complex=True)


# ---- sqrtm --------------------------------------------------------------------------------------
_ON_CUT = 1e-12   # |Im(lambda)| <= this * max|lambda|: an eigenvalue on the negative real axis


def _off_the_branch_cut(a):
    """Refuse where the principal square root has no derivative: an eigenvalue of a complex
    ``a`` on the closed negative real axis (the branch cut: the root jumps between branches as
    the eigenvalue's imaginary part changes sign; Higham 2008, Thm. 1.29 needs the spectrum off
    it), and for a real ``a``, whose tangents are real, a zero or repeated eigenvalue there (a
    real perturbation can split a repeated negative eigenvalue into a conjugate pair on both
    sides of the cut). A simple negative eigenvalue of a real ``a`` stays on the axis, where
    scipy's complex root is differentiable. The test reads ``a``'s value (a compiled program
    does not repeat it at a new point)."""
    w = np.linalg.eigvals(value_of(a))
    scale = np.max(np.abs(w), initial=0.0)
    tol = _ON_CUT * scale
    cut = (np.real(w) <= tol) & (np.abs(np.imag(w)) <= tol)
    if not np.any(cut):
        return
    if is_complex(a):
        bad = True
    else:
        near = np.abs(w[cut][:, None] - w[None, :]) <= 1e-8 * scale   # incl. itself
        bad = np.any(np.abs(w[cut]) <= tol) or np.any(np.sum(near, axis=1) > 1)
    if bad:
        raise ValueError(
            "sqrtm: the matrix has an eigenvalue on the branch cut of the principal square "
            "root (the closed negative real axis: any there for a complex matrix, a zero or "
            "repeated one for a real matrix), where it is not differentiable (no derivative is "
            "returned rather than a one-sided one)")


def _sqrtm_d(t, ans, a):
    _off_the_branch_cut(a)
    return solve_sylvester(ans, ans, t)


def _sqrtm_vjp(g, ans, a):
    _off_the_branch_cut(a)
    return solve_sylvester(_mT(ans), _mT(ans), g)


sqrtm = primitive("sqrtm", sla.sqrtm, jvp=_sqrtm_d, vjp=_sqrtm_vjp, complex=True)


# ---- solve_triangular ---------------------------------------------------------------------------
def _triangle(n, lower, unit):
    """The plain 0/1 mask of the entries of T that LAPACK reads."""
    k = -1 if unit else 0
    return np.tril(np.ones((n, n)), k) if lower else np.triu(np.ones((n, n)), -k)


def _solve_triangular(a, b, trans, lower, unit):
    return sla.solve_triangular(a, b, trans=int(trans), lower=lower, unit_diagonal=unit)


def _op(m, trans):
    return _mT(m) if trans else m


def _outer(u, x):
    """u x^T for vectors, u @ x^T for matrices (columns of right-hand sides)."""
    if np.ndim(value_of(u)) == 1:
        return np.multiply.outer(u, x)
    return np.matmul(u, _mT(x))


def _tri_d0(t, ans, a, b, trans, lower, unit):
    dt = _triangle(np.shape(value_of(a))[-1], lower, unit) * t
    return solve_triangular_p(a, -np.matmul(_op(dt, trans), ans), trans, lower, unit)


def _tri_d1(t, ans, a, b, trans, lower, unit):
    return solve_triangular_p(a, t, trans, lower, unit)


def _tri_vjp0(g, ans, a, b, trans, lower, unit):
    lam = solve_triangular_p(a, g, not trans, lower, unit)
    grad = _outer(ans, lam) if trans else _outer(lam, ans)
    return -_triangle(np.shape(value_of(a))[-1], lower, unit) * grad


def _tri_vjp1(g, ans, a, b, trans, lower, unit):
    return solve_triangular_p(a, g, not trans, lower, unit)


_tri = primitive("solve_triangular", _solve_triangular,
                 jvp=(_tri_d0, _tri_d1), vjp=(_tri_vjp0, _tri_vjp1), complex=True)


def solve_triangular_p(a, b, trans, lower, unit):
    """``op(T)^{-1} b`` reading one triangle of ``a`` (``trans``, ``lower``, ``unit`` bools)."""
    return _tri(a, b, trans=bool(trans), lower=bool(lower), unit=bool(unit))


# ---- lu_factor ----------------------------------------------------------------------------------
# lu_factor returns (lu, piv); one primitive computes both, packed as lu with piv (as floats)
# in an extra last row, like numpy's slogdet here. The last row has no derivative.
def _lu_packed(a):
    lu, piv = sla.lu_factor(a)
    return np.concatenate([lu, piv[None, :].astype(float)], axis=0)


def lu_permutation(piv):
    """The row order ``perm`` with ``P A = A[perm]``, from LAPACK's pivots (plain ints)."""
    perm = np.arange(len(piv))
    for i, p in enumerate(piv):
        perm[i], perm[p] = perm[p], perm[i]
    return perm


def _lu_parts(ans):
    n = np.shape(value_of(ans))[-1]
    lu = ans[:n]
    piv = np.real(concrete(ans, "lu_factor's pivots")[n]).astype(np.intp)
    strict = np.tril(np.ones((n, n)), -1)
    lower = strict * lu + np.eye(n)
    upper = (1.0 - strict) * lu
    return lower, upper, lu_permutation(piv), strict


def _lu_d(t, ans, a):
    lower, upper, perm, strict = _lu_parts(ans)
    f = solve_triangular_p(lower, t[perm], False, True, True)
    f = _mT(solve_triangular_p(upper, _mT(f), True, False, False))      # L^{-1} P dA U^{-1}
    dlu = np.matmul(lower, strict * f) + np.matmul((1.0 - strict) * f, upper)
    return np.concatenate([dlu, np.zeros((1, np.shape(value_of(a))[-1]))], axis=0)


def _lu_vjp(g, ans, a):
    lower, upper, perm, strict = _lu_parts(ans)
    n = np.shape(value_of(a))[-1]
    g = g[:n]
    m = (strict * np.matmul(_mT(lower), strict * g)
         + (1.0 - strict) * np.matmul((1.0 - strict) * g, _mT(upper)))
    m = solve_triangular_p(lower, m, True, True, True)                    # L^{-T} M
    m = _mT(solve_triangular_p(upper, _mT(m), False, False, False))       # ... U^{-T}
    inverse = np.empty_like(perm)
    inverse[perm] = np.arange(n)
    return m[inverse]                                                     # P^T ...


lu_packed = primitive("lu_factor", _lu_packed, jvp=_lu_d, vjp=_lu_vjp, complex=True)


# ---- solve_banded -------------------------------------------------------------------------------
def _band_matvec(ab, x, lower, upper):
    """A x for the band matrix A stored as ``ab[upper + i - j, j]`` (linear in ab and x)."""
    n = np.shape(value_of(ab))[-1]
    extra = np.shape(value_of(x))[1:]
    y = None
    for k in range(-lower, upper + 1):            # diagonal k: A[i, i + k] = ab[upper - k, i + k]
        if abs(k) >= n:
            continue
        row = ab[upper - k]
        pad = np.zeros((abs(k),) + extra)
        if extra:
            row = row[:, None]
        if k >= 0:
            term = np.concatenate([row[k:] * x[k:], pad], axis=0)
        else:
            term = np.concatenate([pad, row[:n + k] * x[:n + k]], axis=0)
        y = term if y is None else y + term
    return y


def _band_transpose(ab, lower, upper):
    """The band storage of A^T, which has ``upper`` subdiagonals and ``lower`` superdiagonals."""
    n = np.shape(value_of(ab))[-1]
    rows = []
    for k in range(lower, -upper - 1, -1):        # band row lower - k of A^T holds diagonal k
        # A^T[j - k, j] = A[j, j - k], diagonal -k of A, stored at ab[upper + k, j - k]
        if abs(k) >= n:
            rows.append(np.zeros(n))
            continue
        src = ab[upper + k]
        pad = np.zeros(abs(k))
        rows.append(np.concatenate([pad, src[:n - k]]) if k >= 0
                    else np.concatenate([src[-k:], pad]))
    return np.stack(rows, axis=0)


def _band_outer(u, x, lower, upper):
    """The band part of u x^T (summed over right-hand-side columns), in ``ab`` layout."""
    n = np.shape(value_of(u))[0]
    rows = []
    for k in range(upper, -lower - 1, -1):        # band row upper - k holds diagonal k
        if abs(k) >= n:
            rows.append(np.zeros(n))
            continue
        pad = np.zeros(abs(k))
        if k >= 0:   # entries (i, i + k), j = i + k = k .. n-1
            prod = u[:n - k] * x[k:]
            prod = prod if prod.ndim == 1 else np.sum(prod, axis=-1)
            rows.append(np.concatenate([pad, prod]))
        else:        # j = 0 .. n + k - 1, i = j - k
            prod = u[-k:] * x[:n + k]
            prod = prod if prod.ndim == 1 else np.sum(prod, axis=-1)
            rows.append(np.concatenate([prod, pad]))
    return np.stack(rows, axis=0)


def _solve_banded(ab, b, lower, upper):
    return sla.solve_banded((lower, upper), ab, b)


def _banded_d0(t, ans, ab, b, lower, upper):
    return solve_banded_p(ab, -_band_matvec(t, ans, lower, upper), lower, upper)


def _banded_d1(t, ans, ab, b, lower, upper):
    return solve_banded_p(ab, t, lower, upper)


def _banded_adjoint(g, ab, lower, upper):
    return solve_banded_p(_band_transpose(ab, lower, upper), g, upper, lower)


def _banded_vjp0(g, ans, ab, b, lower, upper):
    return -_band_outer(_banded_adjoint(g, ab, lower, upper), ans, lower, upper)


def _banded_vjp1(g, ans, ab, b, lower, upper):
    return _banded_adjoint(g, ab, lower, upper)


_banded = primitive("solve_banded", _solve_banded, jvp=(_banded_d0, _banded_d1),
                    vjp=(_banded_vjp0, _banded_vjp1), complex=True)


def solve_banded_p(ab, b, lower, upper):
    """``A^{-1} b`` for the band matrix ``ab`` with ``lower``/``upper`` off-diagonals."""
    return _banded(ab, b, lower=int(lower), upper=int(upper))
