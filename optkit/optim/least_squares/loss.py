"""Robust loss functions for least squares, as ``scipy.optimize.least_squares`` defines them.

The cost is ``F(x) = 1/2 sum_i C^2 rho((r_i / C)^2)`` with ``C = f_scale``. Each rho maps
``z = (r / C)^2 >= 0`` to ``(rho(z), rho'(z), rho''(z))``:

    linear   rho(z) = z
    soft_l1  rho(z) = 2 (sqrt(1 + z) - 1)
    huber    rho(z) = z if z <= 1 else 2 sqrt(z) - 1
    cauchy   rho(z) = log(1 + z)
    arctan   rho(z) = arctan(z)

A Gauss-Newton method handles a loss by rescaling the residuals and the Jacobian so that the
usual model 1/2 ||r~ + J~ p||^2 has the gradient of F and the loss's second-order term
(Triggs, McLauchlan, Hartley & Fitzgibbon 2000, "Bundle adjustment - a modern synthesis",
sec. 4.3, as implemented by scipy's ``scale_for_robust_loss_function``):

    s_i  = sqrt(max(rho'_i + 2 rho''_i r_i^2, eps))      (rho' and rho'' in F's units)
    r~_i = rho'_i r_i / s_i,      J~ = diag(s) J,      so J~^T r~ = J^T (rho' r) = grad F.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["LOSSES", "Loss", "as_loss"]

_EPS = np.finfo(np.float64).eps


def _linear(z):
    return z, np.ones_like(z), np.zeros_like(z)


def _soft_l1(z):
    t = 1.0 + z
    return 2.0 * (np.sqrt(t) - 1.0), t ** -0.5, -0.5 * t ** -1.5


def _huber(z):
    inner = z <= 1.0
    # outside the unit ball only: z > 1 there, so no division by zero
    root = np.sqrt(np.where(inner, 1.0, z))
    rho0 = np.where(inner, z, 2.0 * root - 1.0)
    rho1 = np.where(inner, 1.0, 1.0 / root)
    rho2 = np.where(inner, 0.0, -0.5 / (root * root * root))
    return rho0, rho1, rho2


def _cauchy(z):
    t = 1.0 + z
    return np.log1p(z), 1.0 / t, -1.0 / (t * t)


def _arctan(z):
    t = 1.0 + z * z
    return np.arctan(z), 1.0 / t, -2.0 * z / (t * t)


LOSSES = {"linear": _linear, "soft_l1": _soft_l1, "huber": _huber, "cauchy": _cauchy,
          "arctan": _arctan}


@dataclass(frozen=True, eq=False)
class Loss:
    """A loss rho with its scale C; ``rho`` is a name from LOSSES or a callable.

    A callable follows scipy's convention: ``rho(z)`` returns an array of shape (3, m) holding
    rho, rho' and rho'' at each z.

    Parameters
    ----------
    rho : str or callable, optional
        The loss: ``"linear"`` (default), ``"soft_l1"``, ``"huber"``, ``"cauchy"``,
        ``"arctan"`` (module docstring), or a scipy-style callable.
    f_scale : float, optional
        C, a finite number > 0: residuals beyond about C are treated as outliers (1).

    Raises
    ------
    ValueError
        An unknown loss name, or an ``f_scale`` that is not a finite number > 0.
    TypeError
        A loss that is neither a name nor a callable.

    Examples
    --------
    >>> import numpy as np
    >>> loss = Loss("huber", f_scale=0.5)
    >>> loss.cost(np.array([0.1, 3.0]))  # 1/2 (0.1**2 + 0.25 (2 sqrt(36) - 1))
    1.38
    >>> Loss().cost(np.array([0.1, 3.0]))  # 1/2 ||r||^2
    4.505
    """

    rho: str | Callable = "linear"  # the loss, by name (LOSSES) or as scipy-style callable
    f_scale: float = 1.0  # C: residuals beyond about C are treated as outliers

    def __post_init__(self):
        if isinstance(self.rho, str):
            if self.rho not in LOSSES:
                raise ValueError(f"loss must be one of {', '.join(map(repr, LOSSES))} or a "
                                 f"callable, got {self.rho!r}")
        elif not callable(self.rho):
            raise TypeError(f"loss must be a name or a callable, got {type(self.rho).__name__}")
        scale = self.f_scale
        if (isinstance(scale, bool) or not isinstance(scale, (int, float, np.floating))
                or not np.isfinite(scale) or not scale > 0):
            raise ValueError(f"f_scale must be a finite number > 0, got {scale!r}")

    @property
    def is_linear(self) -> bool:
        return isinstance(self.rho, str) and self.rho == "linear"

    def derivatives(self, r) -> np.ndarray:
        """(3, m) array: C^2 rho(z), rho'(z), rho''(z) / C^2 at z = (r / C)^2, the values and
        derivatives of C^2 rho((r/C)^2) with respect to r^2 (scipy's ``loss_function``)."""
        c2 = float(self.f_scale) ** 2
        z = (np.asarray(r, dtype=float) ** 2) / c2
        fn = LOSSES[self.rho] if isinstance(self.rho, str) else self.rho
        with np.errstate(over="ignore"):  # huge z (a wild trial point): rho' and rho'' -> 0
            rho = np.array(fn(z), dtype=float)
        if rho.shape != (3, z.size):
            raise ValueError(f"loss returned an array of shape {rho.shape}; expected "
                             f"(3, {z.size})")
        rho[0] *= c2
        rho[2] /= c2
        return rho

    def cost(self, r) -> float:
        """F = 1/2 sum C^2 rho((r/C)^2); 1/2 ||r||^2 for the linear loss."""
        r = np.asarray(r, dtype=float)
        if self.is_linear:
            return 0.5 * float(r @ r)
        return 0.5 * float(np.sum(self.derivatives(r)[0]))

    def finite_cost(self, r) -> float:
        """``cost(r)``, or inf when a residual is not finite (a trial point outside the model's
        domain); ``r`` a float64 array. For the linear loss a non-finite r makes r.r inf or
        nan, so one test on that float replaces the test of every residual."""
        if self.is_linear:
            cost = 0.5 * float(r @ r)
            return cost if math.isfinite(cost) else math.inf
        return self.cost(r) if np.logical_and.reduce(np.isfinite(r), axis=None) else math.inf

    def scaling(self, r) -> tuple[np.ndarray, np.ndarray | None]:
        """(r~, s): the rescaled residuals and the row scale of J (module docstring).

        For the linear loss r~ is r itself and s is None (no scaling)."""
        r = np.asarray(r, dtype=float)
        if self.is_linear:
            return r, None
        rho = self.derivatives(r)
        s = rho[1] + 2.0 * rho[2] * r * r
        s = np.sqrt(np.maximum(s, _EPS))
        return rho[1] * r / s, s


def as_loss(loss="linear", f_scale=1.0) -> Loss:
    """``loss`` (a Loss, a name or a scipy-style callable) with ``f_scale`` as a Loss.

    Parameters
    ----------
    loss : Loss, str or callable, optional
        A Loss (returned as it is, ``f_scale`` ignored), or a name or callable for ``Loss``.
    f_scale : float, optional
        The scale C of a new Loss (1).

    Returns
    -------
    Loss

    Raises
    ------
    ValueError, TypeError
        From ``Loss``: an unknown name, a bad ``f_scale``, or a loss of the wrong type.

    Examples
    --------
    >>> as_loss("soft_l1", 2.0)
    Loss(rho='soft_l1', f_scale=2.0)
    >>> loss = Loss("cauchy")
    >>> as_loss(loss) is loss
    True
    """
    if isinstance(loss, Loss):
        return loss
    if type(loss) is str and loss == "linear" and type(f_scale) is float and f_scale == 1.0:
        return _LINEAR  # the default, built once (a Loss is frozen)
    return Loss(loss, f_scale)


_LINEAR = Loss()
