"""The derivatives of residuals r(x) from optkit.ad, in the forms a least-squares solver uses.

``ResidualDerivatives(fun, mode)`` offers, for ``fun(x) -> r`` (1-D) written in plain numpy:

    jac(x)       the dense (m, n) Jacobian: forward mode (one JVP per parameter) when
                 ``mode="forward"``, reverse mode (one VJP per residual, over one recorded
                 tape) when ``"reverse"``;
    jvp(x, v)    J v by one forward pass (operator form; no J is formed);
    vjp(x, u)    J^T u by the reverse pass over a tape recorded once per point and reused for
                 every product at that point (operator form);
    rvv(x, v)    r''(x)[v, v] by nesting forward mode (the directional derivative, along v,
                 of the JVP along v), for geodesic acceleration.

This module is where optkit.ad meets the residual objective of optkit.optim: it imports both,
as the other front doors do. AD failures are re-raised with the way around them (``jac=``).
"""

from __future__ import annotations

import functools

import numpy as np

from .ad import NotDifferentiableError, TracerConversionError, jvp, vjp

__all__ = ["ResidualDerivatives", "choose_mode"]

# the operator form is chosen automatically when the dense J would hold more entries than this
# (1e7 float64 entries = 80 MB, and forming it costs min(m, n) AD passes)
OPERATOR_ENTRIES = 10_000_000


def choose_mode(m: int, n: int, jac_mode: str) -> str:
    """'forward', 'reverse' or 'operator' for ``jac_mode`` 'auto' (or the mode named):
    the operator form when m n > OPERATOR_ENTRIES, else the cheaper dense mode (forward when
    there are fewer parameters than residuals: n passes against m)."""
    if jac_mode != "auto":
        return jac_mode
    if m * n > OPERATOR_ENTRIES:
        return "operator"
    return "forward" if n < m else "reverse"


def _explained(fn):
    @functools.wraps(fn)
    def wrapper(*args):
        try:
            return fn(*args)
        except (NotDifferentiableError, TracerConversionError) as exc:
            raise type(exc)(f"{exc} (while differentiating the residuals with optkit's AD; "
                            "pass jac= explicitly to bypass AD)") from exc

    return wrapper


class ResidualDerivatives:
    """AD derivatives of ``fun(x)`` (module docstring); ``fun`` takes the flat x only."""

    def __init__(self, fun, mode: str):
        if mode not in ("forward", "reverse", "operator"):
            raise ValueError(f"mode must be 'forward', 'reverse' or 'operator', got {mode!r}")
        self._fun = fun
        self.mode = mode
        self._tape_x = None  # the point whose pullback is kept (operator form)
        self._pullback = None

    def _flat(self, value, shape):
        return np.reshape(np.asarray(value, dtype=np.float64), shape)

    @_explained
    def jac(self, x):
        """The dense Jacobian (m, n) in ``self.mode`` ('forward' or 'reverse')."""
        if self.mode == "forward":
            cols = [jvp(self._fun, x, e)[1] for e in np.eye(x.size)]
            return np.stack([self._flat(c, -1) for c in cols], axis=1)
        y, pullback = vjp(self._fun, x)
        m = np.size(y)
        rows = np.empty((m, x.size))
        for i, e in enumerate(np.eye(m)):
            rows[i] = self._flat(pullback(e), -1)
        return rows

    @_explained
    def jvp(self, x, v):
        """J v, one forward pass."""
        return self._flat(jvp(self._fun, x, v)[1], -1)

    @_explained
    def vjp(self, x, u):
        """J^T u; the tape is recorded at the first product at x and reused after it."""
        if self._tape_x is None or not np.array_equal(self._tape_x, x):
            self._pullback = None  # release the old tape before recording the new one
            _, self._pullback = vjp(self._fun, x)
            self._tape_x = np.array(x)
        return self._flat(self._pullback(u), -1)

    @_explained
    def rvv(self, x, v):
        """r''(x)[v, v], forward over forward."""
        fun = self._fun

        def directional(z):
            return jvp(fun, z, v)[1]

        return self._flat(jvp(directional, x, v)[1], -1)
