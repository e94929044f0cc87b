"""MGH residual problems with hand-written Jacobians (and r''(x)[v, v] for some), for the
least-squares tests. Residuals, starts and f* come from the problem library; the
derivatives are written here and checked against finite differences in test_lsq_problems.py.
"""

from typing import NamedTuple

import numpy as np

import problems


class LSQProblem(NamedTuple):
    name: str
    residuals: object
    jac: object
    rvv: object  # r''(x)[v, v], or None
    x0: np.ndarray
    fstar: float  # sum of squares at the minimum the standard start leads to


def _rosenbrock_jac(x):
    return np.array([[-20.0 * x[0], 10.0], [-1.0, 0.0]])


def _rosenbrock_rvv(x, v):
    return np.array([-20.0 * v[0] * v[0], 0.0])


def _freudenstein_roth_jac(x):
    return np.array([[1.0, -3.0 * x[1] ** 2 + 10.0 * x[1] - 2.0],
                     [1.0, 3.0 * x[1] ** 2 + 2.0 * x[1] - 14.0]])


def _freudenstein_roth_rvv(x, v):
    return np.array([(-6.0 * x[1] + 10.0) * v[1] ** 2, (6.0 * x[1] + 2.0) * v[1] ** 2])


def _powell_badly_scaled_jac(x):
    return np.array([[1e4 * x[1], 1e4 * x[0]], [-np.exp(-x[0]), -np.exp(-x[1])]])


def _brown_badly_scaled_jac(x):
    return np.array([[1.0, 0.0], [0.0, 1.0], [x[1], x[0]]])


_MEYER_T = 45.0 + 5.0 * np.arange(1.0, 17.0)


def _meyer_jac(x):
    d = _MEYER_T + x[2]
    e = np.exp(x[1] / d)
    return np.stack([e, x[0] * e / d, -x[0] * x[1] * e / d ** 2], axis=1)


def _meyer_rvv(x, v):
    d = _MEYER_T + x[2]
    e = np.exp(x[1] / d)
    u = v[1] / d - x[1] * v[2] / d ** 2  # directional derivative of x1 / d
    du = -2.0 * v[1] * v[2] / d ** 2 + 2.0 * x[1] * v[2] ** 2 / d ** 3
    return 2.0 * v[0] * e * u + x[0] * e * (u * u + du)


_OS1_T = 10.0 * np.arange(33.0)


def _osborne1_jac(x):
    e3 = np.exp(-_OS1_T * x[3])
    e4 = np.exp(-_OS1_T * x[4])
    return -np.stack([np.ones_like(_OS1_T), e3, e4, -_OS1_T * x[1] * e3,
                      -_OS1_T * x[2] * e4], axis=1)


_OS2_T = np.arange(65.0) / 10.0


def _osborne2_jac(x):
    t = _OS2_T
    cols = np.zeros((t.size, 11))
    g0 = np.exp(-t * x[4])
    cols[:, 0] = g0
    cols[:, 4] = -t * x[0] * g0
    for k in (1, 2, 3):
        c = t - x[7 + k]
        gk = np.exp(-c * c * x[4 + k])
        cols[:, k] = gk
        cols[:, 4 + k] = -x[k] * c * c * gk
        cols[:, 7 + k] = 2.0 * x[k] * c * x[4 + k] * gk
    return -cols


_ROWS = [
    ("rosenbrock", _rosenbrock_jac, _rosenbrock_rvv, None),
    # the standard start leads to the local minimum f = 48.98 (MGH problem 2)
    ("freudenstein-roth", _freudenstein_roth_jac, _freudenstein_roth_rvv, 48.98425367924),
    ("powell-badly-scaled", _powell_badly_scaled_jac, None, None),
    ("brown-badly-scaled", _brown_badly_scaled_jac, None, None),
    ("meyer", _meyer_jac, _meyer_rvv, None),
    ("osborne1", _osborne1_jac, None, None),
    ("osborne2", _osborne2_jac, None, None),
]


def mgh_problems():
    """The seven MGH rows as LSQProblem records."""
    out = []
    for name, jac, rvv, local in _ROWS:
        p = problems.get(name)
        fstar = p.fstar if local is None else local
        out.append(LSQProblem(name, p.residuals, jac, rvv, np.array(p.x0), float(fstar)))
    return out


def by_name(name):
    return next(p for p in mgh_problems() if p.name == name)
