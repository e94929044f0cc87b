"""The damped linear least-squares subproblem of Levenberg-Marquardt, dense or matrix-free.

In the scaled variable q = D p (D the positive diagonal scaling), with B = J D^-1 and b = r:

    q(lambda) = argmin ||B q + b||^2 + lambda ||q||^2,   i.e.  (B^T B + lambda I) q = -B^T b,

which is p(lambda) = argmin ||J p + r||^2 + lambda ||D p||^2 of Moré (1978), eq. (3.1). Both
forms offer what Moré's iteration for lambda (``lmpar``) needs: ``solve(lam)`` -> q,
``curvature(lam, q)`` = q^T (B^T B + lam I)^-1 q (so that d||q||/dlam = -curvature/||q||),
``gnorm`` = ||B^T b||, ``full_rank``, and ``damped(v, lam)``, the solution for the right-hand
side v instead of r (the geodesic acceleration's system).

Dense: one QR of J (m > n: B is reduced to the n x n triangle R D^-1, as in MINPACK), then
one SVD of that small matrix, after which every lambda costs O(n^2): q(lambda) =
-V diag(s / (s^2 + lambda)) U^T Q^T r. This replaces MINPACK's Givens re-factorization per
lambda (qrsolv) with an equivalent closed form. At lambda = 0 only exactly zero singular values
are dropped, as MINPACK drops only exact zeros on R's diagonal: a cutoff at eps max(m, n) s_max
(lstsq's) truncates the Gauss-Newton step on problems singular at the solution and cost
MGH's extended Powell 1641 evaluations instead of 89 (scipy 'lm': 30).

Operator: LSMR (Fong & Saunders 2011) on [B; sqrt(lambda) I] q = [-b; 0], with only J v and
J^T u; the rank is unknown, so ``full_rank`` is False (Moré's lower bound on lambda is then 0).
"""

import math

import numpy as np
from scipy.sparse.linalg import LinearOperator, lsmr

__all__ = ["DenseSubproblem", "OperatorSubproblem"]

class DenseSubproblem:
    """The subproblem for a dense J~ (``lin.dense``) with scaling ``diag`` (module docstring)."""

    def __init__(self, jac, r, diag):
        m, n = jac.shape
        self.diag = diag
        if m > n:
            q_factor, r_factor = np.linalg.qr(jac)
            small = r_factor / diag
            self._q = q_factor
            b = q_factor.T @ r
        else:
            small = jac / diag
            self._q = None
            b = r
        u, s, vt = np.linalg.svd(small, full_matrices=False)
        self._u, self._s, self._vt = u, s, vt
        self._c = u.T @ b
        self._keep = s > 0  # MINPACK drops only exact zeros (qrsolv's nsing)
        self.full_rank = bool(s.size == n and self._keep.all())
        self.gnorm = float(np.linalg.norm(s * self._c))

    def _coefficients(self, c, lam):
        s = self._s
        if lam == 0:
            return np.where(self._keep, c / np.where(self._keep, s, 1.0), 0.0)
        return s * c / (s * s + lam)

    def solve(self, lam) -> np.ndarray:
        """q(lambda)."""
        return -(self._vt.T @ self._coefficients(self._c, lam))

    def curvature(self, lam, q) -> float:
        """q^T (B^T B + lam I)^-1 q, for q = q(lam) (q lies in the span of V)."""
        w = self._vt @ q
        s2 = self._s * self._s + lam
        if lam == 0:
            w, s2 = w[self._keep], s2[self._keep]
        return float(np.sum(w * w / s2))

    def model_norm(self, q) -> float:
        """||B q|| = ||J p||."""
        return float(np.linalg.norm(self._s * (self._vt @ q)))

    def damped(self, v, lam) -> np.ndarray:
        """argmin ||B q + v||^2 + lam ||q||^2 for a right-hand side v of length m."""
        c = self._u.T @ (self._q.T @ v if self._q is not None else v)
        return -(self._vt.T @ self._coefficients(c, lam))


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
        self.gnorm = float(np.linalg.norm(lin.grad / diag))

    def _lsmr(self, rhs, lam):
        return lsmr(self._op, rhs, damp=math.sqrt(lam), atol=self._atol, btol=self._atol,
                    maxiter=self._maxiter)[0]

    def solve(self, lam) -> np.ndarray:
        """q(lambda) by LSMR (the minimum-norm solution at lambda = 0)."""
        return self._lsmr(-self._b, lam)

    def curvature(self, lam, q) -> float:
        """q^T (B^T B + lam I)^-1 q for lam > 0: w = q / lam + z with
        z = argmin ||B z + B q / lam||^2 + lam ||z||^2 solves (B^T B + lam I) w = q."""
        if not lam > 0:
            raise ValueError("curvature needs lam > 0 in the operator form")
        z = self._lsmr(-(self._op.matvec(q) / lam), lam)
        return float(q @ (q / lam + z))

    def model_norm(self, q) -> float:
        """||B q|| (one Jacobian product)."""
        return float(np.linalg.norm(self._op.matvec(q)))

    def damped(self, v, lam) -> np.ndarray:
        """argmin ||B q + v||^2 + lam ||q||^2 by LSMR."""
        return self._lsmr(-np.asarray(v, dtype=float), lam)
