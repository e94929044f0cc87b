"""Nonmonotone Armijo line search of Grippo, Lampariello & Lucidi (1986).

Grippo, Lampariello, Lucidi, "A nonmonotone line search technique for Newton's method",
SIAM J. Numer. Anal. 23 (1986); used with Barzilai-Borwein steps by Raydan, SIAM J. Optim. 7
(1997). A step a is accepted when phi(a) <= max_{0<=j<M} f_{k-j} + c1 a dphi0: the solver keeps
the last ``memory`` = M values of f and passes their maximum as ``phi_ref``.
"""

from dataclasses import dataclass

from .backtracking import Backtracking

__all__ = ["Nonmonotone"]


@dataclass(frozen=True)
class Nonmonotone(Backtracking):
    """GLL nonmonotone Armijo backtracking: Backtracking against the max of recent f values.

    The Armijo test is made against phi_ref, the largest of the last ``memory`` values of f,
    which the solver passes as ``search(..., phi_ref=...)`` (Grippo, Lampariello & Lucidi
    1986; Raydan 1997). Without ``phi_ref`` it is :class:`Backtracking`.

    The search is called as ``search(line, phi0, dphi0, alpha0, ..., alphamax=inf)`` with
    ``line`` a :class:`~optkit.optim.linesearch.Line` (phi(alpha) = f(x + alpha p)), phi(0),
    phi'(0) < 0 and the first trial step; it returns a ``StepResult`` (alpha, phi, dphi,
    nfev) and never tries a step beyond ``alphamax``.

    Parameters
    ----------
    c1, shrink_min, shrink_max, maxiter
        As in :class:`Backtracking`.
    memory : int, optional
        M, the number of recent f values in the reference, >= 1 (default 10).

    Raises
    ------
    ValueError
        An option out of its range, named.

    Examples
    --------
    >>> import numpy as np
    >>> from optkit.optim import Objective, Nonmonotone
    >>> from optkit.optim.linesearch import Line
    >>> obj = Objective(lambda x: float(x @ x), lambda x: 2.0 * x)
    >>> x = np.array([1.0, 2.0]); p = -2.0 * x      # phi(alpha) = 5 (1 - 2 alpha)^2
    >>> Nonmonotone().search(Line(obj, x, p), 5.0, -20.0, 1.0).alpha
    0.5
    """

    memory: int = 10          # M, the number of recent f values in the reference (Raydan: 10)

    def __post_init__(self):
        if not isinstance(self.memory, int) or self.memory < 1:
            raise ValueError(f"memory must be an integer >= 1, got {self.memory!r}")
        super().__post_init__()
