"""Levenberg-Marquardt as a scaled trust-region method (Moré 1978; MINPACK lmder).

Moré, "The Levenberg-Marquardt algorithm: implementation and theory", Lecture Notes in
Mathematics 630 (1978), Alg. (7.1), as coded in MINPACK's lmder. Each trial minimizes the
Gauss-Newton model inside a scaled region:

    p = argmin ||J p + r||^2  subject to  ||D p|| <= Delta,   i.e.  p = p(lambda)

with lambda from Moré's iteration (``lmpar.py``) and p(lambda) from the damped subproblem
(``subproblem.py``: QR + SVD of J for a dense J, LSMR for an operator). Then, with
relative reductions of the cost F (= 1/2 ||r||^2 for the linear loss),

    actred = 1 - F(x + p) / F(x)       (-1 when F(x + p) >= 100 F(x) or is not finite)
    prered = (||J p||^2 + 2 lambda ||D p||^2) / (2 F)      ratio = actred / prered,

MINPACK's radius update: ratio <= 1/4 shrinks Delta by a factor in [0.1, 0.5] from a quadratic
interpolation of F along p; ratio >= 3/4 (or lambda = 0) sets Delta = 2 ||D p||. The step is
taken when ratio >= 1e-4. D is MINPACK's "mode 1": the column norms of J at x0, then their
running maximum (x_scale = None), or fixed at 1 / x_scale. The first radius is
factor ||D x0||, cut to ||D p|| after the first trial. Stopping: MINPACK's ftol, xtol and
gtol tests (``stopping.py``).

The one departure from lmder's defaults: factor = 0.5 where lmder uses 100, inside MINPACK's
recommended interval [0.1, 100] (MINPACK-1 user guide, lmder's ``factor``), chosen by
measurement. With 100, MGH09 from NIST's far start ends at 3 f* after 400 evaluations, as
scipy's MINPACK 'lm' does: the first step, 100 ||D x0|| long, lands on a plateau. On the
bench's 35 rows (MGH and NIST StRD from both starts) every factor in [0.2, 3] solves MGH09
and takes 1800-2200 evaluations in all against 2568 (0.3 and 0.7 stop Box 3-D on its
asymptote f = 0.0756); row by row the counts move chaotically with the factor. 0.5 is the
best in that range on both the bench and the unit rows (tests/optim/least_squares); 1, the
first radius of scipy's 'trf' (Delta_0 = ||D x0||), costs Powell's badly scaled 51
evaluations instead of 15.

Notation map (Moré 1978 / lmder -> code):
    x, F(x), J^T r          state.x, state.f, state.g
    Delta, lambda (par)     state.delta, state.par
    D (diag), ||D x||       state.diag, state.xnorm
    gnorm (max cosine)      state.cosine

One ``step`` is one trial (one residual evaluation), so the driver's ``maxfev`` stops exactly
where MINPACK's maxfev would; a rejected trial returns the same x with ``accepted=False``. An
accepted trial evaluates J at the new point (the driver's invariant needs its gradient).

Robust losses work through the loss-scaled r~ and J~ the objective provides (Triggs et al.
2000); geodesic acceleration (``geodesic.py``) needs the linear loss, since r''(x)[v, v] is
the second derivative of the raw residuals. In the operator form the gtol test is
||J^T r||_inf <= gtol (exact column norms of J would cost n products); D (mode 1, unless
x_scale is given) comes from column norms estimated with ``norm_samples`` products J^T u
with random signs at each accepted point (``Linearization.column_norms_estimate``): with
D = 1, 8 of the bench's 35 rows ended at maxfev (badly scaled: Powell, Meyer, Misra1a,
Thurber), with the estimate all but Biggs EXP6 (a local minimum) are solved, in 1206
residual evaluations against 3451 (measured). 16 samples (each norm within ~35%): with 4, D's
noise slowed LSMR on the bench's large problem (2116 products against 444 with D = 1; 678
with 16). The predicted reduction is computed from one
extra product J p, since an LSMR step is not exact.

Bounds (``box.py``): the subproblem is solved in the free variables, the trial point is
P(x + p), never outside the box, the predicted reduction is the model's at the projected step,
and the gtol test uses the projected gradient P(x - g) - x in place of g.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from operator import attrgetter, truediv
from typing import NamedTuple

import numpy as np

from ..bounds import Bounds
from ..errors import NumericalError
from ..solvers.base import Solver, inf_norm
from .box import Columns, expand, free_variables, project_step, projected_gradient
from .geodesic import GeodesicAcceleration
from .lmpar import lmpar_coordinates
from .norms import norm
from .stopping import EPS, Stop, check_tolerance, gtol_test, minpack_tests
from .subproblem import DenseSubproblem, OperatorSubproblem

__all__ = ["LMState", "LevenbergMarquardt"]

_ACCEPT = 1e-4  # take the step when ratio >= 1e-4 (MINPACK lmder)
_MAX = np.maximum.reduce  # ndarray.max without its Python wrapper (~0.6 us less per call)
_MAXIMUM = np.maximum
_setflags = np.ndarray.setflags  # _setflags(a, False): a.flags.writeable = False, cheaper
# LMState(*fields) without the NamedTuple's Python-level __new__ (all fields given, in order)
_new_state = tuple.__new__


class LMState(NamedTuple):
    """One point of the LM iteration and the trust-region data for the next trial.

    Immutable, as a state must be; a NamedTuple rather than a frozen dataclass because one is
    built per trial and a frozen dataclass's __init__ (one object.__setattr__ per field) cost
    1.5 us of a trial's ~30 (measured, bench/least_squares.py's per-evaluation row).

    Attributes
    ----------
    x : ndarray
        The point.
    f : float
        The cost F(x).
    g : ndarray
        grad F(x) = J~^T r~.
    lin : Linearization
        The objective's linearization at x.
    sub : DenseSubproblem or OperatorSubproblem
        The damped subproblem at x with this ``diag``.
    diag : ndarray
        The scaling D.
    delta : float
        The trust radius Delta for the next trial.
    par : float
        lambda of the last trial, the next first guess.
    xnorm : float
        ||D x||.
    cosine : float
        max_j |cos(J_j, r)| (the operator form: ||g||_inf).
    gnorm : float
        ||g||_inf (projected, with bounds), the driver's stationarity measure.
    step : ndarray or None
        x_k - x_{k-1}, the step taken; None after a rejected trial. ``step_norm``, its
        2-norm (0 after a rejected trial), is computed when asked (the driver asks only
        for its history or its xtol test, neither used by the least-squares front door).
    accepted : bool
        False when the last trial was rejected and x did not move.
    first : bool
        No trial made yet (the first one cuts Delta to ||D p||).
    ratio : float
        actred / prered of the last trial.
    accelerated : bool
        The last trial included a geodesic acceleration.
    free : ndarray or None
        With bounds, the mask of the free variables (None: all free).
    stop : Stop or None
        A stopping test that fired; ``converged`` reports it to the driver.

    Examples
    --------
    >>> import numpy as np
    >>> from optkit.optim.residual import ResidualObjective
    >>> t = np.linspace(0.0, 1.0, 5)
    >>> def r(x):  # the model a exp(-b t) against data made with a = 2, b = 1.5
    ...     return x[0] * np.exp(-x[1] * t) - 2.0 * np.exp(-1.5 * t)
    >>> def jac(x):
    ...     e = np.exp(-x[1] * t)
    ...     return np.column_stack([e, -x[0] * t * e])
    >>> state = LevenbergMarquardt().init(ResidualObjective(r, jac), np.array([1.0, 1.0]))
    >>> round(state.f, 6), state.accepted, state.stop is None
    (0.753391, True, True)
    """

    x: np.ndarray
    f: float  # the cost F(x)
    g: np.ndarray  # grad F(x) = J~^T r~
    lin: object  # the objective's Linearization at x
    sub: object  # the damped subproblem at x with this diag
    diag: np.ndarray  # D
    delta: float  # trust radius Delta for the next trial
    par: float  # lambda of the last trial, the next first guess
    xnorm: float  # ||D x||
    cosine: float  # max_j |cos(J_j, r)| (operator form: ||g||_inf)
    gnorm: float  # ||g||_inf, the driver's stationarity measure (computed once per point)
    step: np.ndarray | None = None  # x_k - x_{k-1}; None after a rejected trial
    accepted: bool = True  # False when the trial was rejected and x did not move
    first: bool = True  # no trial made yet (the first one cuts Delta to ||D p||)
    ratio: float = math.nan  # actred / prered of the last trial
    accelerated: bool = False  # the last trial included a geodesic acceleration
    free: np.ndarray | None = None  # bounds: mask of the free variables (None: all free)
    stop: Stop | None = None  # a test fired: converged() reports it (stopping.py)

    @property
    def step_norm(self) -> float:
        """||x_k - x_{k-1}||, 0 after a rejected trial."""
        return 0.0 if self.step is None else norm(self.step)

    def __repr__(self):  # lin and sub are large: leave them out
        return (f"LMState(x={self.x!r}, f={self.f!r}, delta={self.delta!r}, "
                f"par={self.par!r}, accepted={self.accepted!r}, stop={self.stop!r})")


def _cosine(lin, pg):
    """(cosine, ||pg||_inf): MINPACK's gnorm, max_j |J_j^T r| / (||J_j|| ||r||) over nonzero
    columns, with the projected gradient ``pg`` in place of J^T r (they agree, up to sign,
    without bounds); and the largest |pg_j|, the driver's stationarity measure.

    With a robust loss, g = J~^T r~ and ||r|| is replaced by sqrt(2 F), which equals ||r||
    for the linear loss: ||r~|| itself is useless there, since r~_i = rho'_i r_i / s_i grows
    without bound where the loss flattens (s_i -> sqrt(eps) for huber's outliers).

    On lists of floats: the same divisions and maxima as numpy's, cheaper on the few
    numbers of most fits (each numpy call costs ~0.5 us there, as ``subproblem.py`` notes).
    A finite sum of the |pg_j| shows them all finite; otherwise (nan, inf, or an
    overflowing sum) ``_cosine_arrays`` answers, with numpy's nan-propagating maximum.
    """
    apg = list(map(abs, pg.tolist()))
    if not math.isfinite(sum(apg)):
        return _cosine_arrays(lin, pg)
    gmax = max(apg)
    rnorm = math.sqrt(2.0 * lin.cost)
    if rnorm == 0:
        return 0.0, gmax
    if lin.dense is None:
        return gmax, gmax
    acnorm = lin.column_norms().tolist()
    if min(acnorm) > 0:
        return max(map(truediv, apg, acnorm)) / rnorm, gmax
    nonzero = [a / b for a, b in zip(apg, acnorm, strict=True) if b > 0]
    return (max(nonzero) / rnorm if nonzero else 0.0), gmax


def _dense_cosine(lin, acnorm):
    """``_cosine(lin, lin.grad)`` for a dense J~ whose column norms are listed in
    ``acnorm``: the same numbers, with the list made once by the caller."""
    apg = list(map(abs, lin.grad.tolist()))
    if not math.isfinite(sum(apg)):
        return _cosine_arrays(lin, lin.grad)
    gmax = max(apg)
    rnorm = math.sqrt(2.0 * lin.cost)
    if rnorm == 0:
        return 0.0, gmax
    if min(acnorm) > 0:
        return max(map(truediv, apg, acnorm)) / rnorm, gmax
    nonzero = [a / b for a, b in zip(apg, acnorm, strict=True) if b > 0]
    return (max(nonzero) / rnorm if nonzero else 0.0), gmax


def _cosine_arrays(lin, pg):
    """``_cosine`` on arrays, for a ``pg`` that may hold inf or nan."""
    apg = np.abs(pg)
    gmax = float(_MAX(apg))
    rnorm = math.sqrt(2.0 * lin.cost)
    if rnorm == 0:
        return 0.0, gmax
    if lin.dense is None:
        return gmax, gmax
    acnorm = lin.column_norms()
    nonzero = acnorm > 0
    if not nonzero.any():
        return 0.0, gmax
    return float(_MAX(apg[nonzero] / acnorm[nonzero])) / rnorm, gmax


@dataclass(frozen=True, eq=False)  # eq=False: x_scale may be an array
class LevenbergMarquardt(Solver):
    """Levenberg-Marquardt on a ResidualObjective (module docstring).

    Run it through the driver with the driver's own tests off
    (``driver.run(LevenbergMarquardt(), objective, x0, gtol=0, ftol=0)``): the stops are
    MINPACK's, flagged on ``state.stop`` and reported by ``converged`` (``stopping.py``).
    ``optkit.least_squares(..., method="lm")`` does this for you.

    Parameters
    ----------
    ftol, xtol, gtol : float, optional
        MINPACK's tests, each a finite number >= 0 (0 turns it off; default 1e-8, scipy's):
        ftol on the relative reductions, ``Delta <= xtol ||D x||``, and
        ``max_j |cos(J_j, r)| <= gtol`` (the operator form: ``||J^T r||_inf <= gtol``).
    x_scale : None or array_like, optional
        None: D from J's column norms (MINPACK's mode 1); positive numbers: D = 1 / x_scale.
    factor : float, optional
        The first radius is ``factor ||D x0||`` (``factor`` when x0 = 0), > 0 (0.5).
    geodesic : GeodesicAcceleration or None, optional
        Geodesic acceleration (Transtrum & Sethna 2012); the objective needs ``rvv``.
    lsmr_tol : float, optional
        Operator form: LSMR's ``atol = btol`` (1e-10).
    lsmr_maxiter : int or None, optional
        Operator form: LSMR's iteration limit, >= 1; None: min(m, n).
    norm_samples : int, optional
        Operator form: products ``J^T u`` per estimate of D's column norms, >= 1 (16).
    bounds : optkit.Bounds or None, optional
        A box containing x0: the steps are projected into it; None: unbounded.

    Raises
    ------
    ValueError
        An option out of its range, naming it.
    TypeError
        A ``geodesic`` or ``bounds`` of the wrong type.

    Examples
    --------
    >>> import numpy as np
    >>> from optkit.optim import run
    >>> from optkit.optim.residual import ResidualObjective
    >>> t = np.linspace(0.0, 1.0, 5)
    >>> def r(x):  # the model a exp(-b t) against data made with a = 2, b = 1.5
    ...     return x[0] * np.exp(-x[1] * t) - 2.0 * np.exp(-1.5 * t)
    >>> def jac(x):
    ...     e = np.exp(-x[1] * t)
    ...     return np.column_stack([e, -x[0] * t * e])
    >>> res = run(LevenbergMarquardt(), ResidualObjective(r, jac), np.array([1.0, 1.0]),
    ...           gtol=0, ftol=0)
    >>> bool(res.success), np.round(res.x, 6)
    (True, array([2. , 1.5]))
    """

    ftol: float = 1e-8  # MINPACK ftol (scipy's least_squares default); 0 turns it off
    xtol: float = 1e-8  # MINPACK xtol: stop when Delta <= xtol ||D x||
    gtol: float = 1e-8  # MINPACK gtol: stop when max |cos(J_j, r)| <= gtol
    x_scale: object = None  # None: D from J's column norms (MINPACK mode 1); array: D = 1/x_scale
    factor: float = 0.5  # first radius factor ||D x0|| (factor if x0 = 0); lmder's 100 (above)
    geodesic: GeodesicAcceleration | None = None  # Transtrum & Sethna 2012; needs rvv
    lsmr_tol: float = 1e-10  # operator form: LSMR's atol = btol
    lsmr_maxiter: int | None = None  # operator form: LSMR iterations; None: min(m, n)
    norm_samples: int = 16  # operator form: products J^T u per estimate of D (residual.py)
    bounds: Bounds | None = None  # a box containing x0: projected steps (box.py); None: none

    def __post_init__(self):
        for name in ("ftol", "xtol", "gtol", "lsmr_tol"):
            check_tolerance(name, getattr(self, name))
        if (isinstance(self.norm_samples, bool) or not isinstance(self.norm_samples, int)
                or self.norm_samples < 1):
            raise ValueError(f"norm_samples: expected an int >= 1, got {self.norm_samples!r}")
        if (isinstance(self.factor, bool) or not isinstance(self.factor, (int, float))
                or not math.isfinite(self.factor) or not self.factor > 0):
            raise ValueError(f"factor: expected a finite number > 0, got {self.factor!r}")
        if self.geodesic is not None and not isinstance(self.geodesic, GeodesicAcceleration):
            raise TypeError("geodesic: expected None or GeodesicAcceleration(), got "
                            f"{type(self.geodesic).__name__}")
        if self.lsmr_maxiter is not None and (
                isinstance(self.lsmr_maxiter, bool) or not isinstance(self.lsmr_maxiter, int)
                or self.lsmr_maxiter < 1):
            raise ValueError(f"lsmr_maxiter: expected None or an int >= 1, got "
                             f"{self.lsmr_maxiter!r}")
        if self.bounds is not None and not isinstance(self.bounds, Bounds):
            raise TypeError("bounds: expected None or an optkit.Bounds, got "
                            f"{type(self.bounds).__name__}")
        if self.x_scale is not None:
            scale = np.asarray(self.x_scale, dtype=float)
            if scale.ndim > 1 or not (np.isfinite(scale).all() and (scale > 0).all()):
                raise ValueError("x_scale: expected None or positive finite numbers (a scalar "
                                 "or a 1-D array)")

    # -- helpers -------------------------------------------------------------------------------
    def _subproblem(self, lin, diag, free):
        """The damped subproblem in the free variables (all when ``free`` is None); None when
        none is free (then the projected gradient is 0 and the gtol test has fired)."""
        if free is not None:
            if not free.any():
                return None
            diag = diag[free]
        if lin.dense is not None:
            return DenseSubproblem(lin.dense if free is None else lin.dense[:, free], lin.r,
                                   diag)
        return OperatorSubproblem(lin if free is None else Columns(lin, free), diag,
                                  atol=self.lsmr_tol, maxiter=self.lsmr_maxiter)

    def _measures(self, lin):
        """(free mask, cosine, ||g||_inf) at the point ``lin`` describes; ||g||_inf is nan
        or inf when g is not finite."""
        g = lin.grad
        if self.bounds is None:  # -g's absolute values are g's: no projection to form
            return (None, *_cosine(lin, g))
        free = free_variables(self.bounds, lin.x, g)
        cosine, _ = _cosine(lin, projected_gradient(self.bounds, lin.x, g))
        return free, cosine, inf_norm(g)

    def _first_diag(self, lin, n):
        if self.x_scale is not None:
            scale = np.broadcast_to(np.asarray(self.x_scale, dtype=float), (n,))
            return 1.0 / scale
        acnorm = self._column_norms(lin)
        if min(acnorm.tolist()) > 0:  # no zero column: D is the norms themselves (read-only)
            return acnorm
        return np.where(acnorm == 0, 1.0, acnorm)

    def _next_diag(self, diag, lin):
        if self.x_scale is not None:
            return diag
        return np.maximum(diag, lin.column_norms() if lin.dense is not None
                          else lin.column_norms_estimate(self.norm_samples))

    def _column_norms(self, lin):
        """J~'s column norms: exact (dense) or estimated from ``norm_samples`` products."""
        if lin.dense is not None:
            return lin.column_norms()
        return lin.column_norms_estimate(self.norm_samples)

    # -- protocol ------------------------------------------------------------------------------
    def init(self, objective, x0) -> LMState:
        """Linearize at x0, set D and Delta = factor ||D x0||; flag gtol if it already holds."""
        x = np.array(x0, dtype=float)
        if self.geodesic is not None:
            if not objective.has_rvv:
                raise ValueError("rvv: geodesic acceleration needs rvv(x, v) = r''(x)[v, v]")
            if not objective.loss.is_linear:
                raise ValueError("loss: geodesic acceleration supports only loss='linear'")
        if self.x_scale is not None and np.ndim(self.x_scale) == 1 and (
                np.size(self.x_scale) != x.size):
            raise ValueError(f"x_scale: expected {x.size} entries, got {np.size(self.x_scale)}")
        if self.bounds is not None and not self.bounds.contains(x):
            raise ValueError("x0: outside the bounds (the residuals are evaluated only "
                             "inside the box)")
        lin = objective.linearize(x)
        diag = self._first_diag(lin, x.size)
        free, cosine, gnorm = self._measures(lin)
        sub = self._subproblem(lin, diag, free)
        xnorm = norm(diag * x)
        delta = self.factor * xnorm if xnorm > 0 else self.factor
        return LMState(x=x, f=lin.cost, g=lin.grad, lin=lin, sub=sub, diag=diag, delta=delta,
                       par=0.0, xnorm=xnorm, cosine=cosine, gnorm=gnorm, free=free,
                       stop=gtol_test(cosine, self.gtol))

    def result_fields(self, state: LMState) -> dict:
        """The driver's extra result field: the Linearization (r~, J~, grad) at the point
        returned, so a caller reads them without evaluating again."""
        return {"linearization": state.lin}

    def first_order_note(self, state: LMState, gtol, measure) -> str:
        """MINPACK's gtol test at the point returned (the driver's own gtol is off here)."""
        return (f"max |cos(J_j, r)| = {state.cosine:.2e} at the point returned, "
                f"gtol = {self.gtol:.2e}")

    # The driver's hooks that read a field of the state, as C-level getters: the driver asks
    # ``converged`` and ``stationarity`` once per trial, and a Python method costs more than
    # the read. stationarity(state) = state.gnorm (||g||_inf as the default measures it,
    # computed once per point by ``_measures``); accepted(state) = state.accepted (False
    # after a rejected trial: x did not move); converged(state) = state.stop (the MINPACK
    # test that fired, a Stop for the driver, or None).
    stationarity = staticmethod(attrgetter("gnorm"))
    accepted = staticmethod(attrgetter("accepted"))
    converged = staticmethod(attrgetter("stop"))

    def step(self, objective, state: LMState) -> LMState:
        """One trial step (module docstring)."""
        # the fields in one unpacking (cheaper than an attribute read each)
        (x, cost, g, lin, sub, diag, delta0, par, xnorm0, cosine0, gnorm0, _, _, first, _, _,
         free, _) = state
        par, w, pnorm = lmpar_coordinates(sub, delta0, par)
        q = sub.step(w)
        p = q / sub.diag if free is None else expand(free, q / sub.diag, x.size)
        delta = min(delta0, pnorm) if first else delta0

        trial, accelerated = p, False
        if self.geodesic is not None:
            a, a_ratio = self.geodesic.acceleration(objective, sub, x, p, par, free)
            if not (np.isfinite(a).all() and self.geodesic.accepts(a_ratio)):
                # rejected: shrink as after a poor step, without evaluating r
                delta, par = 0.5 * min(delta, pnorm / 0.1), par / 0.5
                stop = minpack_tests(math.nan, math.nan, math.nan, delta, xnorm0,
                                     ftol=self.ftol, xtol=self.xtol)
                return state._replace(first=False, step=None, accepted=False,
                                      accelerated=False, delta=delta, par=par,
                                      ratio=math.nan, stop=stop)
            trial = p + 0.5 * a
            accelerated = True
            pnorm = norm(diag * trial)

        if self.bounds is None:
            x_trial, clipped = x + trial, False
        else:
            x_trial, trial, clipped = project_step(self.bounds, x, trial)
            if clipped:
                pnorm = norm(diag * trial)
        # read-only, owned: the objective's cache keeps it without a copy and knows it again
        # by identity in linearize (point_cache.py)
        _setflags(x_trial, False)
        cost1 = objective.cost(x_trial)
        finite = math.isfinite(cost1)
        actred = 1.0 - cost1 / cost if finite and cost1 < 100.0 * cost else -1.0
        if lin.dense is not None and not (accelerated or clipped):
            jp2 = sub.model_norm_coordinates(w) ** 2  # MINPACK's form: exact for p(lambda)
            prered = (jp2 + 2.0 * par * pnorm * pnorm) / (2.0 * cost)
            dirder = -(jp2 + par * pnorm * pnorm) / (2.0 * cost)
        else:  # an inexact (LSMR), accelerated or projected step: the model's own reduction
            jp = lin.matvec(trial)
            gp = float(g @ trial)
            prered = -(gp + 0.5 * float(jp @ jp)) / cost
            dirder = gp / (2.0 * cost)
        ratio = actred / prered if prered != 0 else 0.0

        if ratio <= 0.25:
            if actred >= 0:
                temp = 0.5
            else:
                temp = 0.5 * dirder / (dirder + 0.5 * actred)
            if not finite or cost1 >= 100.0 * cost or not temp >= 0.1:
                temp = 0.1
            delta, par = temp * min(delta, pnorm / 0.1), par / temp
        elif par == 0 or ratio >= 0.75:
            delta, par = pnorm / 0.5, 0.5 * par

        if ratio < _ACCEPT:  # rejected: the same point (built whole: _replace costs more)
            stop = None
            if (abs(actred) <= self.ftol or abs(actred) <= EPS or delta <= self.xtol * xnorm0
                    or delta <= EPS * xnorm0):  # a test may fire (as after an accepted trial)
                stop = minpack_tests(actred, prered, ratio, delta, xnorm0, ftol=self.ftol,
                                     xtol=self.xtol)
            return _new_state(LMState, (x, cost, g, lin, sub, diag, delta, par, xnorm0,
                                        cosine0, gnorm0, None, False, False, ratio,
                                        accelerated, free, stop))

        new_lin = objective.linearize(x_trial)
        dense = new_lin.dense
        fast = dense is not None and self.bounds is None
        if fast:
            # the unbounded dense case in fewer calls: J~'s column norms listed once for
            # the finiteness test, the cosine and D (the same numbers as the general path)
            acnorm = new_lin.column_norms()
            listed = acnorm.tolist()
            if not math.isfinite(sum(listed)) and not new_lin.finite_jacobian():
                raise NumericalError("the Jacobian is not finite at an accepted point",
                                     state=state._replace(stop=None))
            free = None
            cosine, gnorm = _dense_cosine(new_lin, listed)
        else:
            if dense is not None and not new_lin.finite_jacobian():
                raise NumericalError("the Jacobian is not finite at an accepted point",
                                     state=state._replace(stop=None))
            free, cosine, gnorm = self._measures(new_lin)
        if not math.isfinite(gnorm):  # J finite, so J^T r overflowed
            raise NumericalError("the Jacobian is not finite at an accepted point",
                                 state=state._replace(stop=None))
        scaled = diag * x_trial
        xnorm = math.sqrt(float(scaled @ scaled))  # norm(diag * x_trial), without the call
        if fast:
            if self.x_scale is None:
                diag = _MAXIMUM(diag, acnorm)
            sub = DenseSubproblem(dense, new_lin.r, diag)
        else:
            diag = self._next_diag(diag, new_lin)
            sub = self._subproblem(new_lin, diag, free)
        # MINPACK's tests asked only where one may fire (they build the Stop and its
        # message): each condition of minpack_tests and gtol_test implies one of these
        stop = None
        if (abs(actred) <= self.ftol or abs(actred) <= EPS or delta <= self.xtol * xnorm
                or delta <= EPS * xnorm):
            stop = minpack_tests(actred, prered, ratio, delta, xnorm, ftol=self.ftol,
                                 xtol=self.xtol)
        if (cosine <= self.gtol or cosine <= EPS) and (stop is None
                                                       or not stop.status.success):
            stop = gtol_test(cosine, self.gtol) or stop
        return _new_state(LMState, (new_lin.x, new_lin.cost, new_lin.grad, new_lin, sub, diag,
                                    delta, par, xnorm, cosine, gnorm, trial, True, False, ratio,
                                    accelerated, free, stop))
