"""The compact limited-memory BFGS matrix B = theta I - W M W' (Byrd, Nocedal & Schnabel 1994,
"Representations of quasi-Newton matrices and their use in limited memory methods",
Math. Prog. 63, Thm. 2.3; Byrd, Lu, Nocedal & Zhu 1995, sec. 3).

Notation (BLNZ sec. 3): the memory holds the last m pairs s_i = x_{i+1} - x_i,
y_i = g_{i+1} - g_i, oldest first: S = [s_0 ... s_{k-1}], Y = [y_0 ... y_{k-1}] (n x k);
theta = y'y / s'y of the newest pair; W = [Y, theta S] (n x 2k);

    M = K^{-1},   K = [[-D, L'], [L, theta S'S]]   (2k x 2k),

D = diag(s_i'y_i) and L the strictly lower triangle of S'Y (L_ij = s_i'y_j, i > j).
With no pair stored, B = I (theta = 1, W empty).

Storage: one (2m, n) array V whose rows 0..m-1 are the y slots and m..2m-1 the s slots of a
ring buffer, so W'v for every pair is one pass over memory (V @ v).  The inner products V V'
are kept up to date on each push (O(mn)); so is V_F V_F', the same products over a set F of
free variables, which the subspace step needs (BLNZ sec. 5.1): when F changes by a few
variables it is corrected by their outer products (O(m^2) each), as the Fortran code's formk
does, instead of being rebuilt in O(m^2 n).
"""

import numpy as np

__all__ = ["CompactMemory"]

# Rebuild V_F V_F' from scratch after this many incremental corrections (bounds the drift
# of adding and removing outer products).
_REFRESH = 50


class CompactMemory:
    """The last m (s, y) pairs of one bounded solve and the quantities of B = theta I - W M W'.

    Shared between successive states of one solve and updated in place (copying O(mn) per
    iteration would cost more than an iteration's arithmetic).  Vectors of length 2k (k =
    ``size``) are ordered as W's columns: k entries for Y, oldest first, then k for theta S.
    """

    def __init__(self, m, n):
        self.m = m
        self.n = n
        self.V = np.zeros((2 * m, n))       # rows: y slots, then s slots
        self.VV = np.zeros((2 * m, 2 * m))  # V V'
        self.size = 0                       # pairs stored
        self.head = 0                       # slot the next pair goes to
        self.theta = 1.0
        self._free = None                   # mask F of the cached V_F V_F' (None: none cached)
        self._gram = np.zeros((2 * m, 2 * m))
        self._corrections = 0
        self._middle = None                 # cached M (None: stale)

    def clear(self):
        """Forget every pair (B = I)."""
        self.size = 0
        self.head = 0
        self.theta = 1.0
        self._middle = None

    def push(self, s, y, sy, yy):
        """Store the pair (s, y) with s'y = sy > 0, y'y = yy, dropping the oldest when full."""
        m, k = self.m, self.head
        self.V[k] = y
        self.V[m + k] = s
        pair = np.empty((2 if self._free is None else 4, self.n))
        pair[0], pair[1] = y, s
        if self._free is not None:
            np.multiply(pair[:2], self._free, out=pair[2:])
        prods = self.V @ pair.T                            # one pass over V (BLAS gemm)
        for col, slot in ((0, k), (1, m + k)):
            self.VV[:, slot] = prods[:, col]
            self.VV[slot, :] = prods[:, col]
            if self._free is not None:
                self._gram[:, slot] = prods[:, col + 2]
                self._gram[slot, :] = prods[:, col + 2]
        self.theta = yy / sy
        self.head = (k + 1) % m
        self.size = min(self.size + 1, m)
        self._middle = None

    def _slots(self):
        """Rows of V in W's column order: y slots oldest first, then the matching s slots."""
        order = (self.head - self.size + np.arange(self.size)) % self.m
        return np.concatenate([order, order + self.m])

    def _scale(self, v):
        """Multiply the theta-S half of a 2k vector (or of the rows of a (2k, ...) array)."""
        v[self.size:] *= self.theta
        return v

    def middle(self):
        """M = K^{-1} (2k x 2k).  Raises numpy.linalg.LinAlgError when K is singular."""
        if self._middle is None:
            k, slots = self.size, self._slots()
            sy = self.VV[np.ix_(slots[k:], slots[:k])]     # S'Y, (i, j) = s_i'y_j
            ss = self.VV[np.ix_(slots[k:], slots[k:])]
            low = np.tril(sy, -1)
            kmat = np.block([[-np.diag(np.diag(sy)), low.T], [low, self.theta * ss]])
            middle = np.linalg.inv(kmat)
            if not np.isfinite(middle).all():
                raise np.linalg.LinAlgError("non-finite middle matrix")
            self._middle = middle
        return self._middle

    def wt(self, v):
        """W'v (2k)."""
        return self._scale((self.V @ v)[self._slots()])

    def w(self, u):
        """W u (n) for a 2k vector u."""
        full = np.zeros(2 * self.m)   # V' u_full: no (2k, n) copy of V's rows in W's order
        full[self._slots()] = self._scale(np.array(u, dtype=float))
        return self.V.T @ full

    def rows(self, idx):
        """The rows of W at the variables idx, as a (len(idx), 2k) array."""
        return self._scale(self.V[np.ix_(self._slots(), idx)]).T

    def gram_free(self, free):
        """W_F'W_F (2k x 2k) over the variables of the boolean mask ``free``."""
        if self._free is None:
            self._rebuild(free)
        else:
            enter = free & ~self._free
            leave = self._free & ~free
            enter_idx, leave_idx = np.flatnonzero(enter), np.flatnonzero(leave)
            changes = enter_idx.size + leave_idx.size
            if changes and (changes > np.count_nonzero(free) // 2
                            or self._corrections >= _REFRESH):
                self._rebuild(free)
            elif changes:
                vin, vout = self.V[:, enter_idx], self.V[:, leave_idx]
                self._gram += vin @ vin.T - vout @ vout.T
                self._free = free.copy()
                self._corrections += 1
        slots = self._slots()
        gram = self._gram[np.ix_(slots, slots)]
        self._scale(gram)
        self._scale(gram.T)
        return gram

    def _rebuild(self, free):
        part = self.V[:, np.flatnonzero(free)]
        self._gram = part @ part.T
        self._free = free.copy()
        self._corrections = 0

    def direction(self, g):
        """-H g, where H = B^{-1} is the limited-memory inverse Hessian approximation of the
        same pairs: the two-loop recursion (Nocedal & Wright, Alg. 7.4) with H0 = I / theta,
        since the inverse BFGS update from H0 inverts the direct update from B0 = theta I.
        O(mn); the product `solvers.lbfgs.InverseHessian` applies (the ``hess_inv`` of a
        bounded lbfgs result, as SciPy's L-BFGS-B gives one)."""
        q = np.array(g, dtype=np.float64)          # a fresh, writable copy
        order = self._slots()[:self.size]          # y slots, oldest first; s at slot + m
        rho = 1.0 / self.VV[order + self.m, order]
        a = np.empty(self.size)
        for j in reversed(range(self.size)):
            a[j] = rho[j] * (self.V[order[j] + self.m] @ q)
            q -= a[j] * self.V[order[j]]
        q /= self.theta
        for j in range(self.size):
            b = rho[j] * (self.V[order[j]] @ q)
            q += (a[j] - b) * self.V[order[j] + self.m]
        return np.negative(q, out=q)

    def dense(self):
        """B as an n x n array (tests only: O(n^2) memory)."""
        b = self.theta * np.eye(self.n)
        if self.size:
            w = self.V[self._slots()].T.copy()
            w[:, self.size:] *= self.theta
            b -= w @ self.middle() @ w.T
        return b
