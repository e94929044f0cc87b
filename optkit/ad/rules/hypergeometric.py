"""scipy.special's hypergeometric functions, Lambert W and orthogonal polynomials: derivatives
in the argument z (or x) only, with their DLMF formulas (15.5, 13.3, 16.3, 4.13, 18.9).

Each is registered under the scipy ufunc itself (see ``special``), holomorphic where SciPy
accepts complex arguments. Parameters (a, b, c, alpha, beta) are refused when traced, naming
the parameter; degrees and orders are not differentiable.
"""

from __future__ import annotations

import numpy as np
from scipy import special as sc

from .special import refused, register


# ---- hypergeometric functions and Lambert W: derivatives in z only (DLMF 15.5.1, 13.3.15,
# 13.3.22, 16.3.1, 4.13); a traced parameter is refused
def _hyp2f1_d3(t, ans, a, b, c, z):
    return t * (a * b / c * sc.hyp2f1(a + 1.0, b + 1.0, c + 1.0, z))


def _hyp1f1_d2(t, ans, a, b, z):
    return t * (a / b * sc.hyp1f1(a + 1.0, b + 1.0, z))


def _hyperu_d2(t, ans, a, b, z):
    return -t * (a * sc.hyperu(a + 1.0, b + 1.0, z))


def _hyp0f1_d1(t, ans, b, z):
    return t * (sc.hyp0f1(b + 1.0, z) / b)


def _hyp_refused(name, *params):
    return tuple(refused(name, which, f"the parameter {p}")
                 for which, p in zip(("first", "second", "third"), params, strict=False))


hyp2f1 = register(sc.hyp2f1, (*_hyp_refused("hyp2f1", "a", "b", "c"), _hyp2f1_d3), complex=True)
hyp1f1 = register(sc.hyp1f1, (*_hyp_refused("hyp1f1", "a", "b"), _hyp1f1_d2), complex=True)
hyperu = register(sc.hyperu, (*_hyp_refused("hyperu", "a", "b"), _hyperu_d2))
hyp0f1 = register(sc.hyp0f1, (*_hyp_refused("hyp0f1", "b"), _hyp0f1_d1), complex=True)


def _lambertw_d(t, ans, z, k, tol):
    return t / (np.exp(ans) * (1.0 + ans))     # W' = 1 / (e^W (1 + W)), on every branch k


# scipy.special.lambertw is a Python function that passes z unchanged to this ufunc (only the
# branch k goes through np.asarray), so registering the ufunc makes lambertw differentiable
lambertw = register(sc._ufuncs._lambertw, (_lambertw_d, None, None), complex=True)


# ---- orthogonal polynomials: derivatives in x (DLMF 18.9, with the Gegenbauer forms
# P_n = C_n^(1/2), U_n = C_n^(1)); the degree n is not differentiated, a traced
# parameter (alpha, beta) is refused. SciPy gives 0 at degree -1, so n = 0 needs no branch.
def _legendre_d(t, ans, n, x):
    return t * sc.eval_gegenbauer(n - 1, 1.5, x)


def _chebyt_d(t, ans, n, x):
    return t * (n * sc.eval_chebyu(n - 1, x))


def _chebyu_d(t, ans, n, x):
    return t * (2.0 * sc.eval_gegenbauer(n - 1, 2.0, x))


def _chebyc_d(t, ans, n, x):              # C_n(x) = 2 T_n(x / 2)
    return t * (n * sc.eval_chebyu(n - 1, 0.5 * x))


def _chebys_d(t, ans, n, x):              # S_n(x) = U_n(x / 2)
    return t * sc.eval_gegenbauer(n - 1, 2.0, 0.5 * x)


def _sh_legendre_d(t, ans, n, x):         # P*_n(x) = P_n(2x - 1)
    return t * (2.0 * sc.eval_gegenbauer(n - 1, 1.5, 2.0 * x - 1.0))


def _sh_chebyt_d(t, ans, n, x):
    return t * (2.0 * n * sc.eval_chebyu(n - 1, 2.0 * x - 1.0))


def _sh_chebyu_d(t, ans, n, x):
    return t * (4.0 * sc.eval_gegenbauer(n - 1, 2.0, 2.0 * x - 1.0))


def _gegenbauer_d(t, ans, n, alpha, x):
    return t * (2.0 * alpha * sc.eval_gegenbauer(n - 1, alpha + 1.0, x))


def _jacobi_d(t, ans, n, alpha, beta, x):
    return t * (0.5 * (n + alpha + beta + 1.0) * sc.eval_jacobi(n - 1, alpha + 1.0, beta + 1.0, x))


def _laguerre_d(t, ans, n, x):
    return -t * sc.eval_genlaguerre(n - 1, 1.0, x)


def _genlaguerre_d(t, ans, n, alpha, x):
    return -t * sc.eval_genlaguerre(n - 1, alpha + 1.0, x)


def _hermite_d(t, ans, n, x):             # integer degrees only, as SciPy's
    return t * (2.0 * n * sc.eval_hermite(np.maximum(n - 1, 0), x))


def _hermitenorm_d(t, ans, n, x):
    return t * (n * sc.eval_hermitenorm(np.maximum(n - 1, 0), x))


def _param_refused(name, *positions_and_names):
    return tuple(refused(name, position, f"the parameter {param}")
                 for position, param in positions_and_names)


eval_legendre = register(sc.eval_legendre, (None, _legendre_d), complex=True)
eval_chebyt = register(sc.eval_chebyt, (None, _chebyt_d), complex=True)
eval_chebyu = register(sc.eval_chebyu, (None, _chebyu_d), complex=True)
eval_chebyc = register(sc.eval_chebyc, (None, _chebyc_d), complex=True)
eval_chebys = register(sc.eval_chebys, (None, _chebys_d), complex=True)
eval_sh_legendre = register(sc.eval_sh_legendre, (None, _sh_legendre_d), complex=True)
eval_sh_chebyt = register(sc.eval_sh_chebyt, (None, _sh_chebyt_d), complex=True)
eval_sh_chebyu = register(sc.eval_sh_chebyu, (None, _sh_chebyu_d), complex=True)
eval_gegenbauer = register(sc.eval_gegenbauer, (
    None, *_param_refused("eval_gegenbauer", ("second", "alpha")), _gegenbauer_d), complex=True)
eval_jacobi = register(sc.eval_jacobi, (
    None, *_param_refused("eval_jacobi", ("second", "alpha"), ("third", "beta")), _jacobi_d),
    complex=True)
eval_laguerre = register(sc.eval_laguerre, (None, _laguerre_d), complex=True)
eval_genlaguerre = register(sc.eval_genlaguerre, (
    None, *_param_refused("eval_genlaguerre", ("second", "alpha")), _genlaguerre_d),
    complex=True)
eval_hermite = register(sc.eval_hermite, (None, _hermite_d))
eval_hermitenorm = register(sc.eval_hermitenorm, (None, _hermitenorm_d))
