"""The solver protocol, with the defaults of its optional hooks given once.

Every solver derives from :class:`Solver` (Optim.jl's abstract type with its no-op fallbacks;
optimistix's ``AbstractMinimiser``), and the driver calls the hooks without asking whether
they exist. A solver is a frozen dataclass of its options (literature defaults, a comment per
field, validated in ``__post_init__``) that implements two methods:

``init(objective, x0) -> state``
    Evaluate f and g at ``x0`` (a fresh float64 vector the solver may keep) and build the
    first state. When the problem has bounds, the driver calls ``init(objective, x0,
    bounds=bounds)`` instead (``bounds`` an :class:`~optkit.optim.bounds.Bounds` of length n,
    x0 already inside it); only a solver with ``supports_bounds = True`` receives them, and it
    keeps them in its state. Without bounds the keyword is not passed, so a solver that never
    takes bounds may define ``init(objective, x0)``.
``step(objective, state) -> state``
    One iteration. On entry ``state.f == f(state.x)`` and ``state.g == grad f(state.x)``, both
    finite; ``step`` returns a new state and leaves the x and g arrays of the one it received
    as they were (the driver keeps the best state seen). A solver that cannot make progress
    raises a :class:`~optkit.optim.errors.SolverError`.

A state is a dataclass with at least ``x``, ``f``, ``g`` and ``step_norm`` (the 2-norm of the
step just taken, 0 in the first state).

Optional hooks, each with its default here:

=====================  =====================================================================
``needs_hessp``        class attribute: True when ``step`` calls ``objective.hessp``
``supports_bounds``    class attribute: True when ``init`` takes ``bounds=``
``default_ftol``       class attribute: the driver's ftol when the caller gives none (None:
                       the ftol test is off and the stall test runs)
``stationarity``       the first-order measure the driver compares with gtol: ||g||_inf; in a
                       box, ||P(x - g) - x||_inf (``Bounds.projected_gradient_norm``)
``accepted``           False when the iteration left x where it was (a rejected trust-region
                       trial): the driver's ftol, xtol and stall tests then do not apply
``leave_saddle``       asked where the gradient test holds: a state off a saddle point, or
                       None (the default: stop)
``converged``          the solver's own stopping test, asked about every state: ``(Status,
                       reason)`` or None (the default: only the driver's tests apply)
``result_fields``      extra fields of the result, from the state it reports (default: none)
``first_order_note``   a failed solve's words on the first-order test (default: the
                       driver's measure, stationarity, against gtol)
=====================  =====================================================================
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

__all__ = ["Solver", "inf_norm"]


_MAX, _MIN = np.maximum.reduce, np.minimum.reduce  # ndarray.max/min without their wrappers


def inf_norm(g) -> float:
    """||g||_inf without a temporary array; nan when g has a nan, inf when it has an inf."""
    return float(max(_MAX(g, axis=None), -_MIN(g, axis=None)))


class Solver:
    """Base of every solver: the protocol (module docstring) and its defaults.

    Subclasses implement ``init`` and ``step`` and override only the hooks they need.
    A state is any object with ``x``, ``f``, ``g`` and ``step_norm``.

    Raises
    ------
    NotImplementedError
        From ``init`` or ``step`` when a subclass does not define them.

    Examples
    --------
    A fixed-step gradient descent in a few lines:

    >>> import numpy as np
    >>> from types import SimpleNamespace as State
    >>> from optkit.optim import Objective, Solver, run
    >>> class FixedStep(Solver):
    ...     def init(self, objective, x0):
    ...         f, g = objective.f_and_g(x0)
    ...         return State(x=x0, f=f, g=g, step_norm=0.0)
    ...     def step(self, objective, state):
    ...         x = state.x - 0.25 * state.g
    ...         f, g = objective.f_and_g(x)
    ...         return State(x=x, f=f, g=g, step_norm=float(np.linalg.norm(x - state.x)))
    >>> objective = Objective(lambda x: float(np.sum((x - 1.0) ** 2)), lambda x: 2.0 * (x - 1.0))
    >>> r = run(FixedStep(), objective, np.zeros(2))
    >>> r.success, r.nit, np.round(r.x, 4)
    (True, 18, array([1., 1.]))
    """

    needs_hessp: ClassVar[bool] = False
    supports_bounds: ClassVar[bool] = False
    default_ftol: ClassVar[float | None] = None

    def init(self, objective, x0):
        """The first state at ``x0`` (see the module docstring)."""
        raise NotImplementedError(f"{type(self).__name__} must define init(objective, x0)")

    def step(self, objective, state):
        """One iteration from ``state`` (see the module docstring)."""
        raise NotImplementedError(f"{type(self).__name__} must define step(objective, state)")

    def stationarity(self, state) -> float:
        """The first-order measure at ``state``, compared with gtol: ||g||_inf.

        A solver that takes bounds returns ``||P(x - g) - x||_inf`` instead
        (``state.bounds.projected_gradient_norm(state.x, state.g)``, Byrd, Lu, Nocedal & Zhu
        1995, sec. 2). Either way the measure is non-finite when g is: the driver stops on it
        with Status.NONFINITE.
        """
        return inf_norm(state.g)

    def accepted(self, state) -> bool:
        """False when the iteration that made ``state`` left x unchanged (default: True)."""
        return True

    def leave_saddle(self, objective, state):
        """Where the gradient test holds: a state off a saddle point, or None to stop.

        Called only while iterations, evaluations and time remain; a returned state counts as
        an iteration and must satisfy the invariant of ``step``. Default: None.
        """
        return None

    def converged(self, state):
        """The solver's own stopping test: ``(Status, reason)`` to stop, or None (default).

        The driver asks it about every state, the first included, before its own tests and
        limits; a success returns that state, a failure the best one seen.
        """
        return None

    def result_fields(self, state) -> dict:
        """Extra result fields computed from the state the result reports (default: none)."""
        return {}

    def first_order_note(self, state, gtol, measure) -> str:
        """What a failed solve's message says of the first-order test at the point returned:
        by default ``measure`` (the driver's name for :meth:`stationarity`) against gtol."""
        return (f"{measure} = {self.stationarity(state):.2e} at the point returned, "
                f"gtol = {gtol:.2e}")
