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

    ``c1``, ``shrink_min``, ``shrink_max`` and ``maxiter`` mean what they mean in
    ``Backtracking``; the solver passes ``phi_ref`` = max of its last ``memory`` f values.
    """

    memory: int = 10          # M, the number of recent f values in the reference (Raydan: 10)

    def __post_init__(self):
        if not isinstance(self.memory, int) or self.memory < 1:
            raise ValueError(f"memory must be an integer >= 1, got {self.memory!r}")
        super().__post_init__()
