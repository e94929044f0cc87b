"""Hock-Schittkowski problems whose only constraints are bounds: HS1-HS5, HS25, HS38, HS45,
HS110.

Reference: W. Hock & K. Schittkowski, "Test Examples for Nonlinear Programming Codes",
Lecture Notes in Economics and Mathematical Systems 187, Springer 1981 (problem numbers as
there); starts, bounds, x* and f* are the book's.  Each f* was re-derived to 20 digits: in
closed form (HS1, HS3, HS4, HS5, HS38, HS45, HS25: residuals exactly 0 at x*), or by a 40-digit
Newton solve (mpmath) of the stationarity condition on the active face (HS2: the cubic
400 x1^3 - 598 x1 - 2 = 0 at x2 = 1.5; HS110: by symmetry x_i = t with
d/dt [10 (ln(t - 2)^2 + ln(10 - t)^2) - t^2] = 0).  scipy's L-BFGS-B with exact gradients
(ftol 1e-15, gtol 1e-12) from the start and six random starts found nothing lower.

Two starts do not lead a local method to x*:
- HS2 has two published answers.  The book gives the global minimum in the box,
  f* = 0.0504261879 at x1 = 1.2243707487; CUTEst's HS2.SIF records 4.9412, the local minimum
  at x1 = -1.2210262421 which descent from the standard start (-2, 1) reaches.  f* here is
  the global one, and the problem is tagged "start-local-min".
- HS25 (the Gulf R&D function in a box) starts on a plateau: at x0 = (100, 12.5, 3) every
  exp term is below 1e-9, so ||P(x0 - g) - x0||_inf = 2e-8, below gtol = 1e-5, and local
  methods stop at once at f = 32.835 (the book's f(x0)).  x0 is not a minimizer (raising x2
  lowers f), but its decrease is below f's rounding along a gradient step: at gtol = 1e-9
  newton-cg reaches f* from it (its Hessian sees the curvature), while lbfgs and SciPy's
  L-BFGS-B cannot make a first step.  Tagged "start-local-min" too.
"""

import numpy as np

from .registry import fixed_spec

__all__ = ["SPECS"]

_BOOK = "Hock & Schittkowski 1981, problem {}"


def _rosenbrock(x):
    return 100.0 * (x[1] - x[0] ** 2) ** 2 + (1.0 - x[0]) ** 2


def _hs3(x):
    return x[1] + 1e-5 * (x[1] - x[0]) ** 2


def _hs4(x):
    return (x[0] + 1.0) ** 3 / 3.0 + x[1]


def _hs5(x):
    return np.sin(x[0] + x[1]) + (x[0] - x[1]) ** 2 - 1.5 * x[0] + 2.5 * x[1] + 1.0


_HS25_I = np.arange(1.0, 100.0)
_HS25_U = 25.0 + (-50.0 * np.log(0.01 * _HS25_I)) ** (2.0 / 3.0)
_HS25_I.setflags(write=False)
_HS25_U.setflags(write=False)


def _hs25(x):
    # u_i - x2 >= 25.63 - 25.6 > 0 in the box, so the real power is defined
    r = -0.01 * _HS25_I + np.exp(-((_HS25_U - x[1]) ** x[2]) / x[0])
    return np.sum(r * r)


def _hs38(x):
    return (100.0 * (x[1] - x[0] ** 2) ** 2 + (1.0 - x[0]) ** 2
            + 90.0 * (x[3] - x[2] ** 2) ** 2 + (1.0 - x[2]) ** 2
            + 10.1 * ((x[1] - 1.0) ** 2 + (x[3] - 1.0) ** 2)
            + 19.8 * (x[1] - 1.0) * (x[3] - 1.0))


def _hs45(x):
    return 2.0 - np.prod(x) / 120.0


def _hs110(x):
    return np.sum(np.log(x - 2.0) ** 2 + np.log(10.0 - x) ** 2) - np.prod(x) ** 0.2


_HS2_X1 = 1.2243707487363525227     # 2 a cos(arccos(1 / (400 a^3)) / 3), a = sqrt(598/1200)
_HS110_T = 9.3502658330693851579

SPECS = [
    fixed_spec(
        "hs1", "HS1: Rosenbrock with x2 >= -1.5 (bound inactive at x*)", {"nonconvex"},
        _BOOK.format(1), objective=_rosenbrock, x0=[-2.0, 1.0], bounds=[(None, None),
                                                                        (-1.5, None)],
        fstar=0.0, xstar=[1.0, 1.0]),
    fixed_spec(
        "hs2",
        "HS2: Rosenbrock with x2 >= 1.5 (active); global f* = 0.0504261879 at x1 = 1.22437, "
        "but the start (-2, 1) leads to the local minimum f = 4.941229317989186 at "
        "x1 = -1.2210262421",
        {"nonconvex", "start-local-min"}, _BOOK.format(2) + " (CUTEst records the local 4.9412)",
        objective=_rosenbrock, x0=[-2.0, 1.0], bounds=[(None, None), (1.5, None)],
        fstar=0.050426187893607084914, xstar=[_HS2_X1, 1.5]),
    fixed_spec(
        "hs3", "HS3: x2 + 1e-5 (x2 - x1)^2 with x2 >= 0 (active)", {"convex"},
        _BOOK.format(3), objective=_hs3, x0=[10.0, 1.0], bounds=[(None, None), (0.0, None)],
        fstar=0.0, xstar=[0.0, 0.0]),
    fixed_spec(
        "hs4", "HS4: (x1 + 1)^3 / 3 + x2 with x1 >= 1, x2 >= 0 (both active)", {"convex"},
        _BOOK.format(4), objective=_hs4, x0=[1.125, 0.125], bounds=[(1.0, None), (0.0, None)],
        fstar=8.0 / 3.0, xstar=[1.0, 0.0]),
    fixed_spec(
        "hs5", "HS5: sin(x1 + x2) + (x1 - x2)^2 - 1.5 x1 + 2.5 x2 + 1 in a box (inactive)",
        {"nonconvex"}, _BOOK.format(5), objective=_hs5, x0=[0.0, 0.0],
        bounds=[(-1.5, 4.0), (-3.0, 3.0)], fstar=-np.sqrt(3.0) / 2.0 - np.pi / 3.0,
        xstar=[0.5 - np.pi / 3.0, -0.5 - np.pi / 3.0]),
    fixed_spec(
        "hs25",
        "HS25: the Gulf R&D function in a box (inactive at x*); the start is on a plateau "
        "(projected gradient 2e-8) where local methods stop at f = 32.835",
        {"nonconvex", "start-local-min"}, _BOOK.format(25), objective=_hs25,
        x0=[100.0, 12.5, 3.0], bounds=[(0.1, 100.0), (0.0, 25.6), (0.0, 5.0)],
        fstar=0.0, xstar=[50.0, 25.0, 1.5]),
    fixed_spec(
        "hs38", "HS38: Colville's (Wood's) function in the box [-10, 10]^4 (inactive)",
        {"nonconvex"}, _BOOK.format(38), objective=_hs38, x0=[-3.0, -1.0, -3.0, -1.0],
        bounds=[(-10.0, 10.0)] * 4, fstar=0.0, xstar=[1.0, 1.0, 1.0, 1.0]),
    fixed_spec(
        "hs45", "HS45: 2 - x1 x2 x3 x4 x5 / 120 with 0 <= x_i <= i (all upper bounds active); "
        "the start (2, ..., 2) is outside the box",
        {"nonconvex"}, _BOOK.format(45), objective=_hs45, x0=[2.0] * 5,
        bounds=[(0.0, float(i)) for i in range(1, 6)], fstar=1.0,
        xstar=[1.0, 2.0, 3.0, 4.0, 5.0]),
    fixed_spec(
        "hs110",
        "HS110: sum of ln(x_i - 2)^2 + ln(10 - x_i)^2 minus (prod x_i)^0.2 on [2.001, 9.999]^10",
        {"nonconvex"}, _BOOK.format(110), objective=_hs110, x0=[9.0] * 10,
        bounds=[(2.001, 9.999)] * 10, fstar=-45.77846970744626875, xstar=[_HS110_T] * 10),
]
