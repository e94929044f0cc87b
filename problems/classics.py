"""Classic small unconstrained problems (n = 2, 3, 4), mostly from More, Garbow & Hillstrom.

MGH = J. J. More, B. S. Garbow, K. E. Hillstrom, "Testing unconstrained optimization
software", ACM Trans. Math. Software 7(1), 1981, pp. 17-41.  Least-squares problems use the
MGH convention f(x) = sum_i r_i(x)^2, so the f* values can be compared with the paper.
"""

import numpy as np

from .registry import fixed_spec

__all__ = ["SPECS"]


def _rosenbrock_residuals(x):
    return np.stack([10.0 * (x[1] - x[0] ** 2), 1.0 - x[0]])


def _rosenbrock_gradient(x):
    x = np.asarray(x, dtype=float)  # hand-written gradient: plain arrays only, never traced
    return np.array([-400.0 * x[0] * (x[1] - x[0] ** 2) - 2.0 * (1.0 - x[0]),
                     200.0 * (x[1] - x[0] ** 2)])


def _freudenstein_roth_residuals(x):
    return np.stack([-13.0 + x[0] + ((5.0 - x[1]) * x[1] - 2.0) * x[1],
                     -29.0 + x[0] + ((x[1] + 1.0) * x[1] - 14.0) * x[1]])


def _powell_badly_scaled_residuals(x):
    return np.stack([1e4 * x[0] * x[1] - 1.0, np.exp(-x[0]) + np.exp(-x[1]) - 1.0001])


def _brown_badly_scaled_residuals(x):
    return np.stack([x[0] - 1e6, x[1] - 2e-6, x[0] * x[1] - 2.0])


_BEALE_Y = np.array([1.5, 2.25, 2.625])
_BEALE_I = np.arange(1.0, 4.0)


def _beale_residuals(x):
    return _BEALE_Y - x[0] * (1.0 - x[1] ** _BEALE_I)


def _helical_valley_residuals(x):
    # theta = atan(x2/x1)/(2 pi), plus 1/2 when x1 < 0 (MGH); 0.25 * (1 - x1/|x1|) is that
    # 1/2 written without a branch, so it traces as ordinary arithmetic.
    theta = np.arctan(x[1] / x[0]) / (2.0 * np.pi) + 0.25 * (1.0 - x[0] / np.abs(x[0]))
    return np.stack([10.0 * (x[2] - 10.0 * theta),
                     10.0 * (np.sqrt(x[0] ** 2 + x[1] ** 2) - 1.0),
                     x[2]])


def _powell_singular_residuals(x):
    return np.stack([x[0] + 10.0 * x[1],
                     np.sqrt(5.0) * (x[2] - x[3]),
                     (x[1] - 2.0 * x[2]) ** 2,
                     np.sqrt(10.0) * (x[0] - x[3]) ** 2])


def _wood_residuals(x):
    return np.stack([10.0 * (x[1] - x[0] ** 2),
                     1.0 - x[0],
                     np.sqrt(90.0) * (x[3] - x[2] ** 2),
                     1.0 - x[2],
                     np.sqrt(10.0) * (x[1] + x[3] - 2.0),
                     (x[1] - x[3]) / np.sqrt(10.0)])


def _himmelblau_residuals(x):
    return np.stack([x[0] ** 2 + x[1] - 11.0, x[0] + x[1] ** 2 - 7.0])


SPECS = [
    fixed_spec(
        "rosenbrock", "Rosenbrock's banana valley, f = 100 (x2 - x1^2)^2 + (1 - x1)^2",
        {"nonconvex", "mgh"}, "More, Garbow & Hillstrom 1981, problem 1; Rosenbrock 1960",
        residuals=_rosenbrock_residuals, gradient=_rosenbrock_gradient,
        x0=[-1.2, 1.0], fstar=0.0, xstar=[1.0, 1.0]),
    fixed_spec(
        "freudenstein-roth",
        "Freudenstein & Roth: global minimum f* = 0 at (5, 4), but the standard start is "
        "attracted to the local minimum f = 48.98425367924 at (11.41, -0.8968)",
        {"nonconvex", "mgh", "start-local-min"}, "More, Garbow & Hillstrom 1981, problem 2",
        residuals=_freudenstein_roth_residuals, x0=[0.5, -2.0], fstar=0.0, xstar=[5.0, 4.0]),
    fixed_spec(
        "powell-badly-scaled", "Powell's badly scaled function (solution ~ (1.1e-5, 9.1))",
        {"nonconvex", "mgh"}, "More, Garbow & Hillstrom 1981, problem 3",
        residuals=_powell_badly_scaled_residuals, x0=[0.0, 1.0], fstar=0.0,
        xstar=[1.0981593296997149e-05, 9.1061467398665328]),
    fixed_spec(
        "brown-badly-scaled", "Brown's badly scaled function, solution (1e6, 2e-6)",
        {"nonconvex", "mgh"}, "More, Garbow & Hillstrom 1981, problem 4",
        residuals=_brown_badly_scaled_residuals, x0=[1.0, 1.0], fstar=0.0, xstar=[1e6, 2e-6]),
    fixed_spec(
        "beale", "Beale's function, a narrow curved valley towards (3, 0.5)",
        {"nonconvex", "mgh"}, "More, Garbow & Hillstrom 1981, problem 5; Beale 1958",
        residuals=_beale_residuals, x0=[1.0, 1.0], fstar=0.0, xstar=[3.0, 0.5]),
    fixed_spec(
        "helical-valley", "Fletcher & Powell's helical valley (a helix around the x3 axis)",
        {"nonconvex", "mgh"}, "More, Garbow & Hillstrom 1981, problem 7; Fletcher & Powell 1963",
        residuals=_helical_valley_residuals, x0=[-1.0, 0.0, 0.0], fstar=0.0,
        xstar=[1.0, 0.0, 0.0]),
    fixed_spec(
        "powell-singular", "Powell's singular function: Hessian singular at the solution",
        {"convex", "mgh"}, "More, Garbow & Hillstrom 1981, problem 13; Powell 1962",
        residuals=_powell_singular_residuals, x0=[3.0, -1.0, 0.0, 1.0], fstar=0.0,
        xstar=[0.0, 0.0, 0.0, 0.0]),
    fixed_spec(
        "wood", "Wood's function (Colville), two coupled Rosenbrock valleys",
        {"nonconvex", "mgh"}, "More, Garbow & Hillstrom 1981, problem 14; Colville 1968",
        residuals=_wood_residuals, x0=[-3.0, -1.0, -3.0, -1.0], fstar=0.0,
        xstar=[1.0, 1.0, 1.0, 1.0]),
    fixed_spec(
        "himmelblau",
        "Himmelblau's function: four global minima with f = 0; the start (1, 1) reaches (3, 2)",
        {"nonconvex"}, "Himmelblau 1972, Applied Nonlinear Programming, p. 428",
        residuals=_himmelblau_residuals, x0=[1.0, 1.0], fstar=0.0, xstar=[3.0, 2.0]),
]
