"""The damped linear least-squares subproblem of Levenberg-Marquardt, dense or matrix-free.

In the scaled variable q = D p (D the positive diagonal scaling), with B = J D^-1 and b = r:

    q(lambda) = argmin ||B q + b||^2 + lambda ||q||^2,   i.e.  (B^T B + lambda I) q = -B^T b,

which is p(lambda) = argmin ||J p + r||^2 + lambda ||D p||^2 of Moré (1978), eq. (3.1). Both
forms offer what Moré's iteration for lambda (``lmpar``) needs: ``solve(lam)`` -> q,
``curvature(lam, q)`` = q^T (B^T B + lam I)^-1 q (so that d||q||/dlam = -curvature/||q||),
``gnorm`` = ||B^T b||, ``full_rank``, and ``damped(v, lam)``, the solution for the right-hand
side v instead of r (the geodesic acceleration's system).

Dense: when m > n and J has more than ``DIRECT_SVD_MAX_ENTRIES`` entries, one QR of J (LAPACK
dgeqrf, Q never formed: Q^T r by dormqr) reduces B to the n x n triangle R D^-1, as in
MINPACK; then one SVD B = U S V^T of that small matrix, after which every lambda costs O(n):

    q(lambda) = V w(lambda),   w = S c / (S^2 + lambda),   c = -U^T Q^T r,   ||q|| = ||w||.

Otherwise (m <= n, or m n small) one thin SVD of B itself (dgesdd, U m x n) and c = -U^T r:
the same S and V up to rounding, one LAPACK call instead of three. The crossover was measured
(thread CPU, one BLAS thread, numpy 2.4 / scipy 1.17 with OpenBLAS): dgeqrf + dormqr + dgesdd
of R against dgesdd of B take 5.6 / 3.4 us at 3 x 2, 6.7 / 4.9 us at 40 x 3, 9.5 / 8.5 us at
60 x 5, 15.6 / 14.8 us at 50 x 8, about equal near 600-750 entries (200 x 3, 120 x 5, 65 x 11,
40 x 20), and 22 / 26 us at 200 x 10, 0.97 / 2.7 ms at 2000 x 50 (for m >= 11 n / 6 dgesdd
factors B by QR itself, but also forms that Q). Hence the direct SVD up to 512 entries.

This replaces MINPACK's Givens re-factorization per lambda (qrsolv) with an equivalent closed
form (the SVD form of the step, Nocedal & Wright 2006, sec. 10.3); lmpar works on w
(``trial``, ``trial_curvature``) and forms q once (``step``). s, c and w are Python lists of
floats: per lambda that is a few list comprehensions over n numbers, cheaper than as many numpy
calls on arrays of a handful of entries, and O(n) against the O(m n^2) factorization for large
n. ||J p|| = ||S w|| (``model_norm_coordinates``) needs no product by V either. MINPACK
pivots its QR to reveal the rank; the SVD reveals it without pivoting. At lambda = 0 only
exactly zero singular values are dropped, as MINPACK drops only exact zeros on R's diagonal: a
cutoff at eps max(m, n) s_max (lstsq's) truncates the Gauss-Newton step on problems singular at
the solution and cost MGH's extended Powell 1641 evaluations instead of 89 (scipy 'lm': 30).
The LAPACK routines are called through scipy.linalg.lapack directly: numpy's qr and svd
wrappers cost more than the factorizations at the sizes of most fits.

Operator: LSMR (Fong & Saunders 2011) on [B; sqrt(lambda) I] q = [-b; 0], with only J v and
J^T u; the rank is unknown, so ``full_rank`` is False (Moré's lower bound on lambda is then 0).
"""

import functools
import math
from operator import mul, neg, truediv

import numpy as np
from scipy.linalg import lapack
from scipy.sparse.linalg import LinearOperator, lsmr

from .norms import norm

__all__ = ["DIRECT_SVD_MAX_ENTRIES", "DenseSubproblem", "OperatorSubproblem"]


@functools.lru_cache(maxsize=32)
def _upper(n):
    """The mask of an n x n upper triangle (np.triu rebuilds it on every call)."""
    mask = np.triu(np.ones((n, n)))
    mask.flags.writeable = False
    return mask


_DGEQRF = lapack.dgeqrf  # fetched once: the module attribute lookups cost per call
_DGESDD = lapack.dgesdd
_DORMQR = lapack.dormqr

# the largest m n for which a tall J is factored by one SVD of B rather than QR + SVD of R: the
# measured crossover is near 600-750 entries (module docstring)
DIRECT_SVD_MAX_ENTRIES = 512


class DenseSubproblem:
    """The subproblem for a dense J~ (``lin.dense``) with scaling ``diag`` (module docstring).

    Built once per Jacobian and asked for several lambdas, so what every lambda needs is
    formed here: s c, s^2 and (full rank) the Gauss-Newton coordinates c / s. They are kept
    as Python lists of floats, and lmpar's coordinates w are lists too: a lambda costs a few
    list comprehensions over n numbers and ``math.hypot``, where the same work as numpy
    calls on arrays of a handful of entries cost several times more (each call's overhead
    dominates at these sizes; measured, bench/least_squares.py). The lists cost O(n) per
    lambda against the O(m n^2) factorization, so they are never the bottleneck for large
    n either. ``trial`` keeps its last denominators s^2 + lambda for ``trial_curvature`` at
    the same lambda (lmpar asks for both in turn)."""

    # one is built per accepted LM trial: slots make building and reading it cheaper
    __slots__ = ("diag", "_qr", "_tau", "_u", "_vt", "_s", "_c", "_sc", "_s2", "full_rank",
                 "gnorm", "_gauss_newton", "_gauss_newton_curvature", "_lam", "_den")

    def __init__(self, jac, r, diag):
        m, n = jac.shape
        self.diag = diag
        self._qr = None
        if m > n and m * n > DIRECT_SVD_MAX_ENTRIES:
            qr, tau, _, info = _DGEQRF(jac)
            if info != 0:
                raise ValueError(f"jac: LAPACK dgeqrf failed (info = {info})")
            self._qr, self._tau = qr, tau
            small = qr[:n] * _upper(n)
            small /= diag
            b, _, info = _DORMQR("L", "T", qr, tau, r[:, None], m)  # Q^T r (_apply_qt)
            if info != 0:
                raise ValueError(f"LAPACK dormqr failed (info = {info})")
            b = b[:n, 0]
        else:  # small or wide: B itself (the module docstring's measured crossover)
            small = jac / diag
            b = r
        u, s, vt, info = _DGESDD(small, 1, 0)  # compute_uv=1, full_matrices=0 (positional)
        if info != 0:  # LAPACK's divide and conquer failed: numpy's svd (dgesdd with checks)
            u, s, vt = np.linalg.svd(small, full_matrices=False)
        self._u, self._vt = u, vt
        self._s = s = s.tolist()
        # c = -U^T b: the sign carried by the coordinates, so that q = V w is one product (the
        # negation of a list of n floats costs less than that of an array)
        self._c = c = list(map(neg, np.dot(b, u).tolist()))
        # map with operator functions: the same products as list comprehensions, cheaper
        self._sc = sc = list(map(mul, s, c))
        self._s2 = list(map(mul, s, s))
        # s is sorted, largest first: full rank when the smallest is nonzero. MINPACK drops
        # only exact zeros (qrsolv's nsing), so only they leave the Gauss-Newton step.
        self.full_rank = len(s) == n and s[-1] > 0
        self.gnorm = math.hypot(*sc)
        self._gauss_newton = None  # trial(0), computed once: each rejected trial asks again
        self._gauss_newton_curvature = None  # trial_curvature(0, w) at trial(0)'s w, once
        self._lam = None  # the lambda of the last trial and its s^2 + lambda
        self._den = None

    def _apply_qt(self, v):
        """Q^T v (length m) from the stored Householder reflectors."""
        out, _, info = _DORMQR("L", "T", self._qr, self._tau, v[:, None], max(1, v.size))
        if info != 0:
            raise ValueError(f"LAPACK dormqr failed (info = {info})")
        return out[:, 0]

    def _coefficients(self, c, lam):
        """w for the coefficients c = -U^T b: s c / (s^2 + lam), and c / s over the nonzero
        s at lam = 0 (zero elsewhere: the minimum-norm Gauss-Newton step)."""
        if lam == 0:
            return [a / b if b > 0 else 0.0 for a, b in zip(c, self._s, strict=True)]
        return [b * a / (b * b + lam) for a, b in zip(c, self._s, strict=True)]

    def trial(self, lam):
        """(||q(lambda)||, w) with w = V^T q(lambda), the coordinates lmpar works on."""
        if lam == 0:
            gauss_newton = self._gauss_newton
            if gauss_newton is None:
                # every s > 0 at full rank: c / s, as _coefficients(c, 0) divides, in one map
                w = (list(map(truediv, self._c, self._s)) if self.full_rank
                     else self._coefficients(self._c, 0.0))
                gauss_newton = self._gauss_newton = (math.hypot(*w), w)
            return gauss_newton
        den = [a + lam for a in self._s2]
        self._lam, self._den = lam, den
        w = list(map(truediv, self._sc, den))
        return math.hypot(*w), w

    def trial_curvature(self, lam, w) -> float:
        """q^T (B^T B + lam I)^-1 q for q = q(lam), from its coordinates w (at lam = 0 and
        the Gauss-Newton w, computed once: each rejected trial asks again)."""
        if lam == 0:
            gauss_newton = self._gauss_newton
            if gauss_newton is not None and w is gauss_newton[1]:
                curvature = self._gauss_newton_curvature
                if curvature is None:
                    curvature = self._gauss_newton_curvature = self._curvature_at_zero(w)
                return curvature
            return self._curvature_at_zero(w)
        den = self._den if lam == self._lam else [a + lam for a in self._s2]
        return sum(map(truediv, map(mul, w, w), den))

    def _curvature_at_zero(self, w) -> float:
        """sum w_i^2 / s_i^2 over the nonzero s only: w is zero where s is (_coefficients)."""
        if self.full_rank:  # every s nonzero: the same sum, in the same order, without a test
            return sum(map(truediv, map(mul, w, w), self._s2))
        return sum(a * a / b for a, b in zip(w, self._s2, strict=True) if b > 0)

    def step(self, w) -> np.ndarray:
        """q from its coordinates w."""
        return np.dot(w, self._vt)  # V w, w a list (np.dot converts it at less cost)

    def model_norm_coordinates(self, w) -> float:
        """||B q|| = ||J p|| for q = ``step(w)``: ||S w||, V being orthogonal."""
        return math.hypot(*map(mul, self._s, w))

    def solve(self, lam) -> np.ndarray:
        """q(lambda)."""
        return self.step(self.trial(lam)[1])

    def curvature(self, lam, q) -> float:
        """q^T (B^T B + lam I)^-1 q, for q = q(lam) (q lies in the span of V)."""
        return self.trial_curvature(lam, (self._vt @ q).tolist())

    def model_norm(self, q) -> float:
        """||B q|| = ||J p||."""
        return norm(np.asarray(self._s) * (self._vt @ q))

    def damped(self, v, lam) -> np.ndarray:
        """argmin ||B q + v||^2 + lam ||q||^2 for a right-hand side v of length m."""
        v = np.asarray(v, dtype=float)
        b = self._apply_qt(v)[: len(self._s)] if self._qr is not None else v
        return self.step(self._coefficients(list(map(neg, np.dot(b, self._u).tolist())), lam))


class OperatorSubproblem:
    """The subproblem for J~ given as products (``lin.matvec``, ``lin.rmatvec``), by LSMR."""

    full_rank = False

    def __init__(self, lin, diag, *, atol=1e-10, maxiter=None):
        m, n = lin.shape
        self.diag = diag
        self._b = lin.r
        self._op = LinearOperator((m, n), dtype=np.float64,
                                  matvec=lambda q: lin.matvec(np.ravel(q) / diag),
                                  rmatvec=lambda u: lin.rmatvec(np.ravel(u)) / diag)
        self._atol = atol
        self._maxiter = maxiter
        self.gnorm = norm(lin.grad / diag)
        self._gauss_newton = None  # q(0), computed once: each rejected trial asks again

    def _lsmr(self, rhs, lam):
        return lsmr(self._op, rhs, damp=math.sqrt(lam), atol=self._atol, btol=self._atol,
                    maxiter=self._maxiter)[0]

    def solve(self, lam) -> np.ndarray:
        """q(lambda) by LSMR (the minimum-norm solution at lambda = 0)."""
        if lam == 0:
            if self._gauss_newton is None:
                self._gauss_newton = self._lsmr(-self._b, 0.0)
            return self._gauss_newton
        return self._lsmr(-self._b, lam)

    def trial(self, lam):
        """(||q(lambda)||, q): here the coordinates lmpar works on are q itself."""
        q = self.solve(lam)
        return norm(q), q

    def trial_curvature(self, lam, q) -> float:
        """``curvature`` (q is its own coordinates)."""
        return self.curvature(lam, q)

    def step(self, q) -> np.ndarray:
        """q (the identity on coordinates)."""
        return q

    def curvature(self, lam, q) -> float:
        """q^T (B^T B + lam I)^-1 q for lam > 0: w = q / lam + z with
        z = argmin ||B z + B q / lam||^2 + lam ||z||^2 solves (B^T B + lam I) w = q."""
        if not lam > 0:
            raise ValueError("curvature needs lam > 0 in the operator form")
        z = self._lsmr(-(self._op.matvec(q) / lam), lam)
        return float(q @ (q / lam + z))

    def model_norm(self, q) -> float:
        """||B q|| (one Jacobian product)."""
        return norm(self._op.matvec(q))

    def model_norm_coordinates(self, q) -> float:
        """``model_norm`` (q is its own coordinates)."""
        return self.model_norm(q)

    def damped(self, v, lam) -> np.ndarray:
        """argmin ||B q + v||^2 + lam ||q||^2 by LSMR."""
        return self._lsmr(-np.asarray(v, dtype=float), lam)
