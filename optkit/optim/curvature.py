"""The most negative curvature of a Hessian, from Hessian-vector products only (Lanczos).

A point where the gradient vanishes may be a saddle. First-order tests cannot tell, and Krylov
methods started from the gradient cannot either when the gradient lies in an invariant
subspace of the Hessian (symmetric problems: the iterates never leave the symmetric
subspace). Lanczos from a *random* vector sees every eigendirection with probability one; its
smallest Ritz value estimates the smallest eigenvalue from above (Kuczynski & Wozniakowski
1992). This is the minimum eigenvalue oracle of Royer, O'Neill & Wright (2020, Alg. 3), used
there to certify approximate second-order stationarity.

Early stop with a certificate (``delta``): Kuczynski & Wozniakowski (1992, Thm. 4.2) bound
the failure of Lanczos from a start uniform on the unit sphere: for a symmetric positive
semidefinite A and k matrix-vector products, P{theta_max <= (1 - eps) lambda_max(A)} <=
1.648 sqrt(n) exp(-sqrt(eps) (2k - 1)). Lanczos is shift invariant, so the bound holds for
A = lambda_n I - H (the smallest Ritz value theta_1: theta_1 - lambda_1 < eps (lambda_n -
lambda_1)) and for A = H - lambda_1 I (the largest: lambda_n - lambda_1 < (theta_n -
lambda_1) / (1 - eps)). Together, for eps < 1/2, with probability at least 1 - 2 p,

    lambda_1 > L = ((1 - eps) theta_1 - eps theta_n) / (1 - 2 eps),
    eps = (ln(1.648 sqrt(n) / p) / (2k - 1))^2,

where k is taken as the number of products minus one (the Krylov space of j products has
dimension j; reading K&W's k as j - 1 is the cautious reading). With p = delta / (2 steps)
for each of at most ``steps`` tests, a run that stops when L >= -threshold * scale (no
negative curvature worth the name) is wrong with probability at most delta, by the union
bound. On a well-conditioned positive definite Hessian this stops after a few products; on
an ill-conditioned one eps must be smaller than theta_1 / theta_n and all ``steps`` run.

Notation map (Golub & Van Loan, Alg. 10.1.1 -> code):
    q_j           basis[j]           Lanczos vectors, orthonormal
    alpha_j       alphas[j]          diagonal of T_k = Q^T H Q
    beta_j        betas[j]           off-diagonal of T_k
    theta, s      theta, s           extreme Ritz value of T_k and its eigenvector
    y = Q s       direction          the Ritz vector, with y.H y = theta ||y||^2
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .errors import NumericalError

__all__ = ["Curvature", "certified_lower_bound", "smallest_curvature"]

# Lanczos vectors kept for full reorthogonalization; beyond this many floats the basis is not
# stored and the Ritz vector is rebuilt by a second pass (same products, run again).
_BASIS_BUDGET = 1 << 22  # 32 MB of float64
_KW = 1.648  # the constant of Kuczynski & Wozniakowski (1992), Thm. 4.2


@dataclass(frozen=True)
class Curvature:
    """Result of :func:`smallest_curvature`.

    ``smallest`` and ``largest`` are the extreme Ritz values (estimates of the extreme
    eigenvalues of H; ``smallest`` is never below the true smallest eigenvalue, up to
    rounding). ``direction`` is a unit Ritz vector with ``d.H d = smallest`` when
    ``smallest < 0``, else None. ``products`` counts the ``hessp`` calls made. ``certified``
    is True when the run stopped early on the probabilistic bound (module docstring): with
    probability at least 1 - delta over the start, the smallest eigenvalue is at least
    ``-threshold`` times the largest |Ritz value|.
    """

    smallest: float
    largest: float
    direction: np.ndarray | None
    products: int
    certified: bool = False


def certified_lower_bound(lo: float, hi: float, products: int, n: int, p: float) -> float:
    """A lower bound on the smallest eigenvalue that holds with probability >= 1 - 2 p.

    ``lo`` and ``hi`` are the extreme Ritz values after ``products`` Lanczos steps from a
    start uniform on the unit sphere of R^n (module docstring; Kuczynski & Wozniakowski 1992,
    Thm. 4.2); -inf while the bound says nothing (eps >= 1/2).
    """
    k = products - 1  # the cautious reading of K&W's k (module docstring)
    if k < 1 or not p > 0:
        return -math.inf
    eps = (math.log(_KW * math.sqrt(n) / p) / (2 * k - 1)) ** 2
    if eps >= 0.5:
        return -math.inf
    return ((1.0 - eps) * lo - eps * hi) / (1.0 - 2.0 * eps)


def _ritz(alphas, betas):
    """Eigenvalues (ascending) and eigenvectors of the tridiagonal T_k."""
    k = len(alphas)
    off = betas[: k - 1]
    return np.linalg.eigh(np.diag(alphas) + np.diag(off, 1) + np.diag(off, -1))


def smallest_curvature(
    hessp: Callable[[np.ndarray], np.ndarray],
    n: int,
    *,
    steps: int,
    threshold: float,
    rng: np.random.Generator,
    delta: float = 0.0,
) -> Curvature:
    """Run at most ``steps`` Lanczos iterations on H from a random unit vector.

    Stops early once the smallest Ritz value falls below ``-threshold * max(1e-300, |largest
    Ritz value|)`` (negative curvature found, relative to the Hessian's scale) or when the
    Krylov space is invariant; with ``delta`` in (0, 1), also once the probabilistic lower
    bound on the smallest eigenvalue (``certified_lower_bound``, at failure probability
    ``delta`` over the whole run) rules such curvature out (``certified`` is then True).
    ``delta=0`` runs every step. Raises NumericalError if ``hessp`` returns non-finite values.
    """
    steps = min(steps, n)
    keep = n * steps <= _BASIS_BUDGET
    q = rng.standard_normal(n)
    start = q / np.linalg.norm(q)
    q, q_prev, beta = start, np.zeros(n), 0.0
    basis = np.empty((steps, n)) if keep else None  # rows: the Lanczos vectors so far
    alphas: list[float] = []
    betas: list[float] = []
    products = 0
    found = certified = False
    p = delta / (2 * steps)  # per test and per bound: the union bound over the run
    for j in range(steps):
        if keep:
            basis[j] = q
        w = np.asarray(hessp(q), dtype=float)
        products += 1
        if not np.all(np.isfinite(w)):
            raise NumericalError("hessp returned a non-finite product")
        alpha = float(q @ w)
        alphas.append(alpha)
        w = w - alpha * q - beta * q_prev
        if keep:  # full reorthogonalization by classical Gram-Schmidt, twice (CGS2: "twice
            # is enough", Giraud, Langou & Rozloznik 2005), two matrix-vector products a pass
            q_so_far = basis[: j + 1]
            for _ in range(2):
                w -= q_so_far.T @ (q_so_far @ w)
        beta = float(np.linalg.norm(w))
        betas.append(beta)
        theta, s = _ritz(alphas, betas)
        lo, hi = float(theta[0]), float(theta[-1])
        scale = max(abs(hi), abs(lo), 1e-300)
        if lo < -threshold * scale:
            found = True
            break
        if beta <= 1e-12 * scale:
            break  # invariant subspace: T_k's eigenvalues are eigenvalues of H
        if p > 0 and certified_lower_bound(lo, hi, products, n, p) >= -threshold * scale:
            certified = True
            break
        q_prev, q = q, w / beta
    if not found:
        return Curvature(lo, hi, None, products, certified)
    s = s[:, 0]  # the Ritz vector of the smallest Ritz value, in the Lanczos basis
    if keep:
        direction = basis[: len(alphas)].T @ s
    else:  # second pass: regenerate the same basis and accumulate y = Q s on the fly
        direction = np.zeros(n)
        q, q_prev = start, np.zeros(n)
        for j in range(len(alphas)):
            direction += s[j] * q
            if j + 1 == len(alphas):
                break
            w = np.asarray(hessp(q), dtype=float) - alphas[j] * q - (
                betas[j - 1] * q_prev if j else 0.0
            )
            products += 1
            q_prev, q = q, w / betas[j]
    norm = float(np.linalg.norm(direction))
    if not (norm > 0 and math.isfinite(norm)):
        return Curvature(lo, hi, None, products)
    return Curvature(lo, hi, direction / norm, products)
