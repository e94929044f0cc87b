"""Steihaug-Toint truncated conjugate gradients for the trust-region subproblem.

Approximately solves

    minimize  m(p) = g.p + 1/2 p.H p   subject to  ||p||_M <= radius

using only Hessian-vector products ``hessp(v) = H v`` (Steihaug 1983; Toint 1981;
Nocedal & Wright, Alg. 7.2; Conn, Gould & Toint, Alg. 7.5.1 for the preconditioned form).
With ``radius = inf`` it is the Dembo-Steihaug truncated CG of a line-search Newton method
(Nocedal & Wright, Alg. 7.1), and negative curvature is reported instead of followed.

Notation map (Nocedal & Wright, Alg. 7.2 -> code):
    z_j (iterate)           p
    r_j = H z_j + g         r
    y_j = M^{-1} r_j        z          (z = r without a preconditioner)
    d_j (search direction)  d
    d_j.H d_j               kappa
    epsilon_k               rtol * ||g||

The trust region is measured in the norm ``||p||_M = sqrt(p.M p)`` of the preconditioner, in
which the CG iterates grow monotonically (Steihaug 1983, Thm. 2.1); without a preconditioner
it is the Euclidean norm. ``||p||_M`` is carried by the recurrences of Conn, Gould & Toint
(Sec. 7.5.1), so only ``M^{-1}`` is ever applied.

Every CG iteration costs exactly one ``hessp`` call; nothing else calls it (the model value is
carried by recurrence, not recomputed). The result keeps the CG path so that a smaller radius
can be re-solved after a rejected step without a single new product (see ``SubproblemResult.
truncate``): the iterates do not depend on the radius until they leave the region.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from ..errors import NumericalError

__all__ = ["CGExit", "Steihaug", "SubproblemResult", "as_preconditioner"]

# CG directions kept for re-solving at a smaller radius: beyond this many floats the path is
# cut and a re-solve falls back to running CG again (memory stays bounded for huge n).
_PATH_BUDGET = 1 << 22  # 32 MB of float64


class CGExit(enum.Enum):
    """Why the truncated CG stopped."""

    CONVERGED = "residual below the forcing tolerance"
    BOUNDARY = "step reached the trust-region boundary"
    NEGATIVE_CURVATURE = "direction of non-positive curvature found"
    MAXITER = "CG iteration limit reached"


def as_preconditioner(preconditioner, n: int) -> Callable[[np.ndarray], np.ndarray] | None:
    """Turn a preconditioner option into a callable ``v -> M^{-1} v`` (or None).

    ``preconditioner`` is None, a callable applying ``M^{-1}`` (an approximate inverse
    Hessian, symmetric positive definite), or a 1-D array holding the positive diagonal of
    ``M`` (an approximation of diag(H)); the array form applies ``v / diag``.
    """
    if preconditioner is None:
        return None
    if callable(preconditioner):
        return preconditioner
    diag = np.asarray(preconditioner, dtype=float)
    if diag.shape != (n,):
        raise ValueError(
            f"preconditioner: a diagonal array must have shape ({n},), got {diag.shape}"
        )
    if not (np.all(np.isfinite(diag)) and np.all(diag > 0)):
        raise ValueError("preconditioner: diagonal entries must be finite and > 0")
    return lambda v: v / diag


class _Iteration(NamedTuple):
    """One CG iteration, enough to rebuild the path at a smaller radius (a tuple: one is
    made per CG iteration, and a frozen dataclass costs several times as much to build)."""

    d: np.ndarray  # search direction d_j
    alpha: float  # step along d_j (inf on negative curvature)
    kappa: float  # d_j.H d_j
    model: float  # m(p_j)
    rd: float  # r_j.d_j
    pmp: float  # ||p_j||_M^2
    pmd: float  # p_j.M d_j
    dmd: float  # d_j.M d_j
    rr: float  # ||r_j||^2
    rhd: float  # r_j.H d_j
    hdhd: float  # ||H d_j||^2


@dataclass(frozen=True)
class SubproblemResult:
    """Approximate minimizer of the model and how it was found.

    ``step`` is p; ``model_decrease`` is ``-m(p) >= 0``; ``step_norm`` is ``||p||_M``;
    ``residual_norm`` is ``||g + H p||`` (the linear residual, for Eisenstat-Walker forcing);
    ``niter`` counts the ``hessp`` calls made. On negative curvature, ``curvature_direction``
    is the direction d with ``d.H d = curvature * ||d||^2 <= 0`` and ``g.d < 0``.
    """

    step: np.ndarray
    exit: CGExit
    niter: int
    model_decrease: float
    step_norm: float
    residual_norm: float
    on_boundary: bool
    curvature_direction: np.ndarray | None = None
    curvature: float | None = None
    _path: tuple[_Iteration, ...] = field(default=(), repr=False)
    _complete: bool = field(default=False, repr=False)

    def cauchy_step(self) -> np.ndarray | None:
        """The first CG iterate: the minimizer of the model along -M^{-1} g (no radius).

        None when there is none (zero gradient, or negative curvature along -M^{-1} g).
        """
        if not self._path or self._path[0].kappa <= 0:
            return None
        first = self._path[0]
        return first.alpha * first.d

    def truncate(self, radius: float) -> SubproblemResult | None:
        """The Steihaug step for a radius no larger than ``self.step_norm``, at no cost.

        Replays the stored CG path; returns None if the path was cut for memory (then solve
        again). Valid because CG iterates grow in ``||.||_M`` and do not depend on the radius.
        """
        if not radius < self.step_norm:
            return self
        p = np.zeros_like(self.step)
        for it in self._path:
            crosses = it.kappa <= 0 or it.pmp + it.alpha * (2 * it.pmd + it.alpha * it.dmd) >= (
                radius * radius
            )
            if crosses:
                return _to_boundary(p, it, radius, niter=self.niter, path=self._path,
                                    complete=self._complete)
            p = p + it.alpha * it.d
        return None if not self._complete else self


def _boundary_roots(pmp: float, pmd: float, dmd: float, radius: float) -> tuple[float, float]:
    """Both roots tau of ||p + tau d||_M = radius (one <= 0 <= other, as ||p||_M <= radius)."""
    disc = math.sqrt(max(pmd * pmd + dmd * (radius * radius - pmp), 0.0))
    gap = max(radius * radius - pmp, 0.0)
    # avoid cancellation: compute the root of smaller magnitude from the product of roots
    if pmd >= 0:
        big = -(pmd + disc) / dmd
        small = gap / (pmd + disc) if pmd + disc > 0 else 0.0
        return big, small
    big = (-pmd + disc) / dmd
    small = -gap / (-pmd + disc) if disc - pmd > 0 else 0.0
    return small, big


def _to_boundary(p, it: _Iteration, radius, *, niter, path, complete) -> SubproblemResult:
    """Leave p_j along d_j to the boundary, picking the root with the lower model value."""
    roots = _boundary_roots(it.pmp, it.pmd, it.dmd, radius)

    def model(tau):
        return it.model + tau * it.rd + 0.5 * tau * tau * it.kappa

    if it.kappa > 0:
        tau = max(roots)  # positive curvature: continue forwards, as CG would
    else:
        tau = min(roots, key=model)
    rr = it.rr + 2 * tau * it.rhd + tau * tau * it.hdhd
    negative = it.kappa <= 0
    return SubproblemResult(
        step=p + tau * it.d,
        exit=CGExit.NEGATIVE_CURVATURE if negative else CGExit.BOUNDARY,
        niter=niter,
        model_decrease=-model(tau),
        step_norm=radius,
        residual_norm=math.sqrt(max(rr, 0.0)),
        on_boundary=True,
        curvature_direction=it.d if negative else None,
        curvature=it.kappa / float(it.d @ it.d) if negative else None,
        _path=path,
        _complete=complete,
    )


def _check_positive(rz: float) -> None:
    if not rz > 0:
        raise ValueError(
            "preconditioner: M^{-1} must be symmetric positive definite (got r.M^{-1}r = "
            f"{rz!r} for a nonzero residual)"
        )


@dataclass(frozen=True)
class Steihaug:
    """Steihaug-Toint truncated CG (Nocedal & Wright, Alg. 7.2).

    Stops at the first of: ``||r|| <= rtol * ||g||`` (CONVERGED), the boundary
    ``||p||_M = radius`` (BOUNDARY), a direction with ``d.H d <= 0`` (NEGATIVE_CURVATURE: with
    a finite radius the step follows d to the boundary, choosing the root with the lower model
    value; with ``radius = inf`` the last iterate is returned together with d), or ``maxiter``
    iterations (MAXITER, last iterate). The first iterate is the Cauchy point in ``||.||_M``,
    so the model decrease is at least Cauchy's (Steihaug 1983; Toint 1981).

    Parameters
    ----------
    maxiter : int or None, optional
        CG iterations per solve, >= 1; None (default): 10 n, headroom for finite precision.

    Raises
    ------
    ValueError
        ``maxiter`` out of range; from ``solve``, a radius <= 0 or ``rtol`` outside (0, 1).

    Examples
    --------
    >>> import numpy as np
    >>> from optkit.optim import Steihaug
    >>> H, g = np.diag([1.0, 10.0]), np.array([1.0, 1.0])
    >>> r = Steihaug().solve(lambda v: H @ v, g, np.inf, 1e-10)
    >>> r.exit.name, np.round(r.step, 6)
    ('CONVERGED', array([-1. , -0.1]))
    >>> r = Steihaug().solve(lambda v: H @ v, g, 0.5, 1e-10)
    >>> r.exit.name, round(r.step_norm, 6)
    ('BOUNDARY', 0.5)
    """

    maxiter: int | None = None  # CG iterations per solve; None: 10 n (finite-precision headroom)

    def __post_init__(self):
        if self.maxiter is not None and (
            isinstance(self.maxiter, bool) or not isinstance(self.maxiter, int) or self.maxiter < 1
        ):
            raise ValueError(f"maxiter: expected None or an int >= 1, got {self.maxiter!r}")

    def solve(
        self,
        hessp: Callable[[np.ndarray], np.ndarray],
        g: np.ndarray,
        radius: float,
        rtol: float,
        precond: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> SubproblemResult:
        """Approximately minimize g.p + 1/2 p.H p over ``||p||_M <= radius``.

        ``hessp(v)`` returns H v at the current point; ``precond(v)`` returns M^{-1} v (see
        ``as_preconditioner``); ``rtol`` in (0, 1) is the forcing term.
        """
        if not radius > 0:
            raise ValueError(f"radius: expected a value > 0, got {radius!r}")
        if not 0 < rtol < 1:
            raise ValueError(f"rtol: expected a value in (0, 1), got {rtol!r}")
        g = np.asarray(g, dtype=float)
        n = g.size
        maxiter = 10 * n if self.maxiter is None else self.maxiter
        keep = max(1, _PATH_BUDGET // max(n, 1))
        tol = rtol * math.sqrt(float(g.dot(g)))
        p = np.zeros_like(g)
        r = g.copy()
        z = r if precond is None else np.asarray(precond(r), dtype=float)
        rz = float(r.dot(z))
        rr = float(r.dot(r))
        if math.sqrt(rr) <= tol:
            return SubproblemResult(p, CGExit.CONVERGED, 0, 0.0, 0.0, math.sqrt(rr), False,
                                    _complete=True)
        _check_positive(rz)
        d = -z
        pmp, pmd, dmd = 0.0, 0.0, rz
        model = 0.0
        path: list[_Iteration] = []
        for j in range(maxiter):
            hd = np.asarray(hessp(d), dtype=float)
            kappa = float(d.dot(hd))
            if not math.isfinite(kappa):
                raise NumericalError("hessp returned a non-finite product")
            rd = float(r.dot(d))
            rhd = float(r.dot(hd))
            hdhd = float(hd.dot(hd))
            alpha = rz / kappa if kappa > 0 else math.inf
            it = _Iteration(d, alpha, kappa, model, rd, pmp, pmd, dmd, rr, rhd, hdhd)
            if len(path) < keep:
                path.append(it)
            complete = len(path) == j + 1
            if kappa <= 0:
                if math.isinf(radius):
                    return SubproblemResult(
                        p, CGExit.NEGATIVE_CURVATURE, j + 1, -model, math.sqrt(pmp),
                        math.sqrt(rr), False, d, kappa / float(d.dot(d)), tuple(path), complete,
                    )
                return _to_boundary(p, it, radius, niter=j + 1, path=tuple(path),
                                    complete=complete)
            pmp_next = pmp + alpha * (2 * pmd + alpha * dmd)
            if pmp_next >= radius * radius:
                return _to_boundary(p, it, radius, niter=j + 1, path=tuple(path),
                                    complete=complete)
            p = p + alpha * d
            r = r + alpha * hd
            model = model + alpha * rd + 0.5 * alpha * alpha * kappa
            rr = float(r.dot(r))
            if math.sqrt(rr) <= tol:
                return SubproblemResult(p, CGExit.CONVERGED, j + 1, -model,
                                        math.sqrt(pmp_next), math.sqrt(rr), False,
                                        _path=tuple(path), _complete=complete)
            z = r if precond is None else np.asarray(precond(r), dtype=float)
            rz_next = float(r.dot(z))
            _check_positive(rz_next)
            beta = rz_next / rz
            rz = rz_next
            d = beta * d - z  # = -z + beta d bit for bit, one operation fewer
            if precond is None:
                pmp, pmd, dmd = float(p.dot(p)), float(p.dot(d)), float(d.dot(d))
            else:
                pmd = beta * (pmd + alpha * dmd)
                dmd = rz + beta * beta * dmd
                pmp = pmp_next
        return SubproblemResult(p, CGExit.MAXITER, maxiter, -model, math.sqrt(pmp),
                                math.sqrt(rr), False, _path=tuple(path),
                                _complete=len(path) == maxiter)
