"""Gradient descent: Armijo line search, Barzilai-Borwein steps, heavy-ball and Nesterov momentum.

Notation: g_k = grad f(x_k), d_k the search direction, alpha_k the step, s = x_k - x_{k-1},
y = g_k - g_{k-1}.

* ``stepsize="linesearch"`` (default): d_k = -g_k, alpha_k from ``linesearch`` (Armijo
  backtracking with interpolation, Nocedal & Wright Sec. 3.5), first trial from N&W eq. (3.60),
  alpha_0 = 2 (f_k - f_{k-1}) / phi'(0), or the last accepted step when larger.
* ``stepsize="bb"``: first trial alpha = s's / s'y (Barzilai & Borwein 1988, "BB1"), accepted by
  the Grippo-Lampariello-Lucidi nonmonotone Armijo search (Raydan 1997).
* ``momentum="heavy-ball"`` (Polyak 1964): d_k = -g_k + beta d_{k-1}, restarted to -g_k when it
  is not a descent direction; with a constant step this is x_{k+1} = x_k - alpha g_k +
  beta (x_k - x_{k-1}).
* ``momentum="nesterov"`` (Nesterov 1983): x_{k+1} = y_k - alpha_k grad f(y_k) with Armijo
  backtracking from y_k, then y_{k+1} = x_{k+1} + beta (x_{k+1} - x_k), with the function
  restart of O'Donoghue & Candes (2015): no momentum when f(x_{k+1}) > f(x_k). Its own file,
  ``nesterov.py``: the state's x is the extrapolated point y_k, where f and g are known.
* bounds (``init(objective, x0, bounds=...)``, a box with a finite side): the spectral
  projected gradient SPG2 of Birgin, Martinez & Raydan (2000), ``optim.bounded.spg``, whatever
  ``stepsize`` says (its steps are Barzilai-Borwein steps); ``linesearch``, when given, must
  be a backtracking one; momentum is refused. All-infinite bounds change nothing.

The option strings become objects in one place (``GradientDescent.scheme`` and ``.initial``):
the momentum names the iteration (``SteepestDescent``, ``HeavyBall``, ``Nesterov``), and
``stepsize`` with the momentum names the first trial step of the search (``linesearch.initial``:
``InitialQuadratic``, ``InitialPrevious``, ``InitialBarzilaiBorwein``).
"""

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..bounded.spg import SPG, SPGState
from ..linesearch import (
    Backtracking,
    InitialBarzilaiBorwein,
    InitialPrevious,
    InitialQuadratic,
    Line,
    Nonmonotone,
)
from .base import Solver
from .nesterov import Nesterov

__all__ = ["GDState", "GradientDescent", "HeavyBall", "SteepestDescent"]

_STEPS = ("linesearch", "bb")
_MOMENTA = (None, "heavy-ball", "nesterov")


@dataclass
class GDState:
    x: np.ndarray
    f: float
    g: np.ndarray
    alpha: float = 0.0          # accepted step length (0 before the first step)
    step_norm: float = 0.0      # ||x_{k+1} - x_k||_2
    f_recent: tuple = ()        # last f values for a nonmonotone reference (newest last)
    f_prev: float = math.nan    # f at the previous iterate (for the initial step guess)
    s: np.ndarray | None = None  # last step x_k - x_{k-1}
    y: np.ndarray | None = None  # last gradient change g_k - g_{k-1}
    d: np.ndarray | None = None  # last search direction (heavy-ball)


@dataclass(frozen=True)
class SteepestDescent:
    """The iteration x_{k+1} = x_k + alpha_k d_k along d_k = -g_k, with the solver's line search
    and first-step rule: ``init(x, f, g)``, ``step(objective, state, search, initial)``."""

    def init(self, x, f, g):
        return GDState(x=x, f=f, g=g, f_recent=(f,))

    def direction(self, state):
        return -state.g

    def step(self, objective, state, search, initial):
        p = self.direction(state)
        dphi0 = float(np.dot(state.g, p))
        line = Line(objective, state.x, p)
        found = search.search(line, state.f, dphi0, initial(state, dphi0, p),
                              phi_ref=max(state.f_recent))
        x, f, g = line.point(found.alpha)
        s = x - state.x
        return GDState(x=x, f=f, g=g, alpha=found.alpha, step_norm=float(np.linalg.norm(s)),
                       f_recent=(state.f_recent + (f,))[-search.memory:], f_prev=state.f, s=s,
                       y=g - state.g, d=p)


@dataclass(frozen=True)
class HeavyBall(SteepestDescent):
    """Polyak's heavy ball: d_k = -g_k + beta d_{k-1}, restarted to -g_k when that is not a
    descent direction."""

    beta: float = 0.9  # momentum coefficient, 0 <= beta < 1

    def direction(self, state):
        p = -state.g
        if state.d is not None:
            p = p + self.beta * state.d
            with np.errstate(over="ignore", invalid="ignore"):
                downhill = np.dot(p, state.g) < 0
            if not downhill:  # restart: momentum points uphill (or overflowed)
                p = -state.g
        return p


# First trials measured on the test problems (tests/optim/test_matrix.py): heavy-ball does best
# growing the last step, Nesterov with N&W eq. (3.60) alone, plain descent with the larger of
# the two; Barzilai-Borwein steps are their own first trial.
_INITIAL = {
    ("linesearch", None): InitialQuadratic(at_least_previous=True),
    ("linesearch", "heavy-ball"): InitialPrevious(2.0),
    ("linesearch", "nesterov"): InitialQuadratic(),
    ("bb", None): InitialBarzilaiBorwein(),
}


@dataclass(frozen=True)
class GradientDescent(Solver):
    """Gradient descent with a line search or Barzilai-Borwein steps, optional momentum.

    Steepest descent with Armijo backtracking (Nocedal & Wright 2006, Sec. 3.5),
    Barzilai-Borwein steps with a nonmonotone search (Barzilai & Borwein 1988; Raydan 1997),
    heavy-ball (Polyak 1964) or Nesterov (1983) momentum. With bounds it is the spectral
    projected gradient SPG2 (Birgin, Martínez & Raydan 2000).

    Parameters
    ----------
    stepsize : {"linesearch", "bb"}, optional
        Armijo steps (default) or Barzilai-Borwein first trials.
    linesearch : line search, optional
        None (default): ``Backtracking()`` for "linesearch", ``Nonmonotone()`` for "bb".
        With bounds it must be a backtracking search.
    momentum : {None, "heavy-ball", "nesterov"}, optional
        Momentum scheme (default None; refused with bounds).
    beta : float, optional
        Momentum coefficient, 0 <= beta < 1 (default 0.9).

    Raises
    ------
    ValueError
        An unknown ``stepsize`` or ``momentum``, or ``beta`` out of range.
    TypeError
        A ``linesearch`` without a ``search()`` method.

    Examples
    --------
    >>> import numpy as np
    >>> from optkit.optim import GradientDescent, solve
    >>> f = lambda x: float(np.sum((x - 1.0) ** 2))
    >>> r = solve(f, np.zeros(3), GradientDescent(stepsize="bb"), jac=lambda x: 2.0 * (x - 1.0))
    >>> r.success, np.round(r.x, 6)
    (True, array([1., 1., 1.]))
    """

    # named stepsize, not step: step() is the solver protocol's method
    stepsize: str = "linesearch"   # "linesearch" or "bb" (Barzilai-Borwein)
    linesearch: object = None      # None: Backtracking() for "linesearch", Nonmonotone() for "bb"
    momentum: str | None = None    # None, "heavy-ball" or "nesterov"
    beta: float = 0.9              # momentum coefficient, 0 <= beta < 1

    supports_bounds: ClassVar[bool] = True

    def __post_init__(self):
        if self.stepsize not in _STEPS:
            raise ValueError(f"stepsize must be one of {_STEPS}, got {self.stepsize!r}")
        if self.momentum not in _MOMENTA:
            raise ValueError(f"momentum must be one of {_MOMENTA}, got {self.momentum!r}")
        if self.momentum is not None and self.stepsize != "linesearch":
            raise ValueError(f"momentum={self.momentum!r} requires stepsize='linesearch'")
        if isinstance(self.beta, bool) or not isinstance(self.beta, int | float) or not (
                0 <= self.beta < 1):
            raise ValueError(f"beta must lie in [0, 1), got {self.beta!r}")
        if self.linesearch is not None and not callable(getattr(self.linesearch, "search", None)):
            raise TypeError("linesearch must be a line search object with a search() method, "
                            f"got {self.linesearch!r}")

    def init(self, objective, x0, bounds=None):
        if bounds is not None and not bounds.is_unbounded:  # all infinite: no bounds
            return self._bounded().init(objective, x0, bounds)
        x = np.array(x0, dtype=np.float64)
        f, g = objective.f_and_g(x)
        return self.scheme.init(x, f, g)

    def stationarity(self, state) -> float:
        """||g||_inf; in a box, SPG's projected gradient ||P(x - g) - x||_inf."""
        if isinstance(state, SPGState):
            return self._bounded().stationarity(state)
        return super().stationarity(state)

    def result_fields(self, state) -> dict:
        """With bounds, ``active_mask``: -1 at a lower bound, +1 at an upper, 0 free."""
        if isinstance(state, SPGState):
            return {"active_mask": state.bounds.active_mask(state.x)}
        return super().result_fields(state)

    def _bounded(self) -> SPG:
        """SPG2 with this solver's line search (a backtracking one), if one was given."""
        if self.momentum is not None:
            raise ValueError(f"momentum: gd with bounds is spectral projected gradient, which "
                             f"takes no momentum; got momentum={self.momentum!r}")
        return SPG() if self.linesearch is None else SPG(linesearch=self.linesearch)

    # -- the option strings as objects --------------------------------------------------------
    @property
    def scheme(self):
        """The iteration ``momentum`` names: SteepestDescent, HeavyBall or Nesterov."""
        if self.momentum == "nesterov":
            return Nesterov(self.beta)
        if self.momentum == "heavy-ball":
            return HeavyBall(self.beta)
        return SteepestDescent()

    @property
    def initial(self):
        """The first-step rule of ``stepsize`` and ``momentum`` (``linesearch.initial``)."""
        return _INITIAL[self.stepsize, self.momentum]

    @property
    def search(self):
        """The line search in use: ``linesearch``, or the default for ``stepsize``."""
        if self.linesearch is not None:
            return self.linesearch
        return Nonmonotone() if self.stepsize == "bb" else Backtracking()

    # -- protocol -----------------------------------------------------------------------------
    def step(self, objective, state):
        # the state init made says which problem this is: a box (SPG) or none
        if isinstance(state, SPGState):
            return self._bounded().step(objective, state)
        return self.scheme.step(objective, state, self.search, self.initial)
