"""Physics: the 13-atom Lennard-Jones cluster.

E(x) = sum_{i<j} 4 (r_ij^-12 - r_ij^-6) in reduced units (epsilon = sigma = 1), x the 39
flattened coordinates.  The global minimum is the Mackay icosahedron (Wales & Doye 1997,
Cambridge Cluster Database: E = -44.326801).  An icosahedron with all 12 shell atoms at
distance R from the centre has E(R) = 4 (A R^-12 - B R^-6) with A = sum d_ij^-12 and
B = sum d_ij^-6 over the unit-radius distances d_ij, so R^6 = 2 A / B and E* = -B^2 / A
exactly; x* and f* below are computed that way.
"""

import numpy as np

from .registry import fixed_spec

__all__ = ["SPECS"]

_ATOMS = 13
_I, _J = np.triu_indices(_ATOMS, 1)
_I.setflags(write=False)
_J.setflags(write=False)


def lj_energy(x):
    """Lennard-Jones energy of the cluster with flattened coordinates x."""
    pos = np.reshape(x, (_ATOMS, 3))
    diff = pos[_I] - pos[_J]
    r2 = np.sum(diff * diff, axis=1)
    inv6 = 1.0 / (r2 * r2 * r2)
    return 4.0 * np.sum(inv6 * inv6 - inv6)


def _lj_gradient(x):
    pos = np.reshape(np.asarray(x, dtype=float), (_ATOMS, 3))  # plain arrays only
    diff = pos[_I] - pos[_J]
    r2 = np.sum(diff * diff, axis=1)
    inv6 = 1.0 / r2 ** 3
    # dE/d(r2) = 4 (-6 r^-14 + 3 r^-8), and d(r2)/d(pos_i) = 2 diff
    coef = 8.0 * (-6.0 * inv6 * inv6 + 3.0 * inv6) / r2
    forces = coef[:, None] * diff
    grad = np.zeros((_ATOMS, 3))
    np.add.at(grad, _I, forces)
    np.add.at(grad, _J, -forces)
    return grad.ravel()


def _icosahedron(radius):
    """Centre atom plus the 12 vertices of a regular icosahedron at distance `radius`."""
    phi = (1.0 + np.sqrt(5.0)) / 2.0
    verts = []
    for a in (-1.0, 1.0):
        for b in (-phi, phi):
            verts += [(0.0, a, b), (a, b, 0.0), (b, 0.0, a)]
    verts = np.array(verts) / np.sqrt(1.0 + phi * phi)
    return np.vstack([np.zeros(3), radius * verts]).ravel()


def _lj13_optimum():
    unit = np.reshape(_icosahedron(1.0), (_ATOMS, 3))
    d2 = np.sum((unit[_I] - unit[_J]) ** 2, axis=1)
    a, b = np.sum(d2 ** -6), np.sum(d2 ** -3)
    radius = (2.0 * a / b) ** (1.0 / 6.0)
    return _icosahedron(radius), -b * b / a


_XSTAR, _FSTAR = _lj13_optimum()
_X0 = 1.1 * _XSTAR + 0.1 * np.random.default_rng(10).standard_normal(3 * _ATOMS)

SPECS = [
    fixed_spec(
        "lj13",
        "Lennard-Jones cluster of 13 atoms (39 coordinates); start: the icosahedral minimum "
        "stretched 10% plus N(0, 0.1^2) noise (seed 10)",
        {"nonconvex", "physics"},
        "Wales & Doye 1997, J. Phys. Chem. A 101, 5111 (best known E = -44.326801); "
        "f* and x* from the closed-form icosahedral optimum",
        objective=lj_energy, gradient=_lj_gradient, x0=_X0, fstar=_FSTAR, xstar=_XSTAR),
]
