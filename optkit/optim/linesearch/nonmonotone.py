"""Nonmonotone Armijo line search of Grippo, Lampariello & Lucidi (1986).

Grippo, Lampariello, Lucidi, "A nonmonotone line search technique for Newton's method",
SIAM J. Numer. Anal. 23 (1986); used with Barzilai-Borwein steps by Raydan, SIAM J. Optim. 7
(1997). A step a is accepted when phi(a) <= max_{0<=j<M} f_{k-j} + c1 a dphi0: the solver keeps
the last ``memory`` = M values of f and passes their maximum as ``phi_ref``.
"""

from dataclasses import dataclass

from .backtracking import armijo_backtrack

__all__ = ["Nonmonotone"]


@dataclass(frozen=True)
class Nonmonotone:
    """GLL nonmonotone Armijo backtracking with quadratic/cubic interpolation."""

    memory: int = 10          # M, the number of recent f values in the reference (Raydan: 10)
    c1: float = 1e-4          # sufficient decrease constant, 0 < c1 < 1
    shrink_min: float = 0.1   # safeguards on each backtrack, as in Backtracking
    shrink_max: float = 0.5
    maxiter: int = 40         # phi evaluations before giving up
    needs_slope = False

    def __post_init__(self):
        if not isinstance(self.memory, int) or self.memory < 1:
            raise ValueError(f"memory must be an integer >= 1, got {self.memory!r}")
        if not 0 < self.c1 < 1:
            raise ValueError(f"c1 must lie in (0, 1), got {self.c1!r}")
        if not 0 < self.shrink_min <= self.shrink_max < 1:
            raise ValueError("shrink_min, shrink_max must satisfy 0 < shrink_min <= shrink_max "
                             f"< 1, got {self.shrink_min!r}, {self.shrink_max!r}")
        if not isinstance(self.maxiter, int) or self.maxiter < 1:
            raise ValueError(f"maxiter must be an integer >= 1, got {self.maxiter!r}")

    def search(self, line, phi0, dphi0, alpha0, *, phi_ref=None):
        """Return a StepResult satisfying phi(a) <= phi_ref + c1 a dphi0."""
        return armijo_backtrack(line, phi0, dphi0, alpha0, phi_ref=phi_ref, c1=self.c1,
                                shrink_min=self.shrink_min, shrink_max=self.shrink_max,
                                maxiter=self.maxiter)
