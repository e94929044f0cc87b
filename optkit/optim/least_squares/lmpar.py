"""The Levenberg-Marquardt parameter for a trust radius: Moré's iteration (MINPACK lmpar).

Given the subproblem (``subproblem.py``) and a radius Delta, find lambda >= 0 with

    lambda = 0 and ||q(0)|| <= (1 + sigma) Delta,   or   | ||q(lambda)|| - Delta | <= sigma Delta,

sigma = 0.1 (Moré 1978, "The Levenberg-Marquardt algorithm: implementation and theory",
sec. 5, Alg. (5.5); the code follows MINPACK's lmpar line by line). phi(lambda) = ||q|| - Delta
is convex and decreasing; the update is Newton's step on 1/||q|| - 1/Delta (Hebden 1973):

    lambda+ = lambda - (phi + Delta) / Delta * phi / phi',
    phi' = -q^T (B^T B + lambda I)^-1 q / ||q||,

safeguarded inside [l, u], with u = ||B^T b|| / Delta, l = phi(0) / phi'(0) when B has full rank
(else 0), both tightened as the iteration goes; at most 10 iterations. ``par`` carries
lambda over from the previous call as the first guess, as MINPACK's lmder does.

The iteration asks the subproblem for ``trial(lam)`` -> (||q||, w), ``trial_curvature(lam, w)``
and forms q = ``step(w)`` once at the end: for a dense J, w are q's coordinates in the right
singular vectors, so each lambda costs O(n) (``subproblem.py``). ``lmpar_coordinates`` stops
short of that last step and returns w with ||q||, for a caller that needs the model's
reduction too (LM: ||J p|| = ||S w|| for a dense J, with no product by V).
"""

import math

import numpy as np

__all__ = ["lmpar", "lmpar_coordinates"]

_DWARF = np.finfo(np.float64).tiny
_SIGMA = 0.1  # relative accuracy of ||q|| = Delta (Moré 1978, sec. 5; MINPACK's 0.1)
_MAXITER = 10  # MINPACK's cap on the iterations


def lmpar_coordinates(sub, delta, par):
    """(lambda, w, ||q(lambda)||) for radius ``delta``, starting from the guess ``par``; w are
    q(lambda)'s coordinates (``q = sub.step(w)``)."""
    dxnorm, w = sub.trial(0.0)
    fp = dxnorm - delta
    if fp <= _SIGMA * delta:
        return 0.0, w, dxnorm
    parl = 0.0
    if sub.full_rank:
        parl = fp / delta * dxnorm * dxnorm / sub.trial_curvature(0.0, w)
    paru = sub.gnorm / delta
    if paru == 0:
        paru = _DWARF / min(delta, 0.1)
    par = min(max(par, parl), paru)
    if par == 0:
        par = sub.gnorm / dxnorm
    for iteration in range(1, _MAXITER + 1):
        if par == 0:
            par = max(_DWARF, 0.001 * paru)
        dxnorm, w = sub.trial(par)
        previous, fp = fp, dxnorm - delta
        if (abs(fp) <= _SIGMA * delta or (parl == 0 and fp <= previous < 0)
                or iteration == _MAXITER):
            break
        parc = fp / delta * dxnorm * dxnorm / sub.trial_curvature(par, w)
        if fp > 0:
            parl = max(parl, par)
        elif fp < 0:
            paru = min(paru, par)
        par = max(parl, par + parc)
        if not math.isfinite(par):
            break
    return par, w, dxnorm


def lmpar(sub, delta, par):
    """(lambda, q(lambda)) for radius ``delta``, starting from the guess ``par``."""
    par, w, _ = lmpar_coordinates(sub, delta, par)
    return par, sub.step(w)
