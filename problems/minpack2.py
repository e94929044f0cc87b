"""MINPACK-2 bound-constrained finite-element quadratics on an nx x ny grid: elastic-plastic
torsion (DEPT) and the pressure distribution in a journal bearing (DPJB).

Reference: B. M. Averick, R. G. Carter, J. J. More & G.-L. Xue, "The MINPACK-2 test problem
collection", Argonne preprint MCS-P153-0692 (1992), sections "Elastic-plastic torsion" and
"Pressure distribution in a journal bearing"; the discretisation follows the collection's
Fortran routines deptfg and dpjbfg (piecewise linear elements on the triangulation of the
grid cells into lower and upper triangles, zero boundary values).

Both are strictly convex quadratics q(v) = 1/2 v'Av - b'v with a box, where A is a weighted
five-point Laplacian: for each grid edge, weight w_e times the squared difference of its end
values (a boundary neighbour counts as 0) over h^2.  Summing deptfg/dpjbfg's triangle loops
edge by edge gives, with trule(i) the triangle quadrature weights of grid column i,
    horizontal edge (column i, i+1):  w = trule_lower(i) + trule_upper(i+1),
    vertical edge in column i:        w = trule_lower(i) + trule_upper(i),
which is how `_GridQuadratic` stores them.  The objective is plain numpy (slices, sums), so
optkit's AD differentiates it; `gradient` and `hessp` are hand-written (A v in vectorized form).

Dimensions: any n >= 1; the grid is the most nearly square nx x ny = n (nx <= ny; a prime n
gives a 1 x n strip).  f* depends on the grid and is recorded for the grids in `_FSTAR`;
other sizes have f* = None.  Each recorded value is the objective at the exact minimizer,
found by a primal-dual active-set iteration (Hintermuller, Ito & Kunisch 2002, finite for
these M-matrices) with sparse direct solves (scipy.sparse.linalg.spsolve), stopped when the
active set repeats (11 to 62 iterations); its KKT residual max|P(x - g) - x| was below
2e-15 on every recorded grid, and scipy's L-BFGS-B with exact gradients (ftol = gtol = 1e-14)
agreed to 2e-12 relative on the grids up to 100 x 100.
"""

import math

import numpy as np

from optkit.optim.bounds import Bounds

from .registry import DimRange, scalable_spec

__all__ = ["SPECS", "grid_gtol", "grid_shape"]

_BIG = 1_000_000

# Elastic-plastic torsion: angle of twist per unit length c = 5 (the collection's default).
_TORSION_C = 5.0
# Journal bearing: eccentricity 0.1 and D = (0, 2 pi) x (0, 2 b) with b = 10 (the defaults).
_BEARING_ECC = 0.1
_BEARING_B = 10.0

# f* by grid (nx, ny), computed as described in the module docstring.
_FSTAR = {
    "torsion": {
        (10, 10): -0.4099451729053535,
        (50, 50): -0.41808763202043187,
        (100, 100): -0.41839102666426475,
        (200, 200): -0.4184686643306227,
        (320, 320): -0.4184846087677393,       # n = 102400
    },
    "journal-bearing": {
        (10, 10): -0.17882363208179752,
        (50, 50): -0.1804879950084314,
        (100, 100): -0.18057436966285542,
        (200, 200): -0.1805975448480201,
        (320, 320): -0.1806023059028467,       # n = 102400
    },
}


def grid_shape(n: int) -> tuple[int, int]:
    """(nx, ny) with nx * ny = n, nx <= ny and nx as large as possible."""
    nx = math.isqrt(n)
    while n % nx:
        nx -= 1
    return nx, n // nx


def grid_gtol(n: int, gtol: float = 1e-5) -> float:
    """The gradient tolerance on the n-point grid that asks as much of the discrete PDE as
    ``gtol`` does on the default 50 x 50 grid: gtol (51 * 51) / ((nx + 1)(ny + 1)).

    Both problems' gradient entries are the cell area hx hy (for torsion 1 / ((nx+1)(ny+1)),
    for the bearing 2 pi 2b / ((nx+1)(ny+1))) times the residual of the discretized equation at
    that node, so a fixed gtol asks less of the solution as the grid is refined: at
    n = 102400 (320 x 320) gtol = 1e-5 is torsion's projected gradient at the start divided
    by only 600, and L-BFGS-B stops there (lbfgs too) with |f - f*| = 1.5e-6 to 1.5e-5,
    above the 1e-6 test; the scaled value, 2.5e-7 there, keeps the residual tolerance of the
    default grid (where it is gtol itself), and every method then meets the f test.
    """
    nx, ny = grid_shape(n)
    return gtol * (51 * 51) / ((nx + 1) * (ny + 1))


class _GridQuadratic:
    """q(x) = 1/2 x'Ax - b'x for the weighted five-point form on an (ny, nx) grid, x stored
    row by row (x index k = nx * j + i, as the Fortran's k = nx (j - 1) + i).

    wh: the nx + 1 horizontal edge weights over hx^2 (edge i joins columns i - 1 and i;
        edges 0 and nx touch the boundary); wv: the nx vertical edge weights over hy^2, one
        per column; b: the linear term, length n.
    """

    def __init__(self, nx, ny, wh, wv, b):
        self.nx, self.ny = nx, ny
        self.wh = np.array(wh, dtype=float)
        self.wv = np.array(wv, dtype=float)
        self.b = np.array(b, dtype=float)
        for arr in (self.wh, self.wv, self.b):
            arr.setflags(write=False)

    def objective(self, x):
        grid = np.reshape(x, (self.ny, self.nx))
        wh, wv = self.wh, self.wv
        dh = grid[:, 1:] - grid[:, :-1]
        dv = grid[1:, :] - grid[:-1, :]
        horizontal = (wh[0] * np.sum(grid[:, 0] ** 2) + wh[-1] * np.sum(grid[:, -1] ** 2)
                      + np.sum(np.sum(dh * dh, axis=0) * wh[1:-1]))
        vertical = np.sum(wv * (grid[0, :] ** 2 + grid[-1, :] ** 2 + np.sum(dv * dv, axis=0)))
        return 0.5 * (horizontal + vertical) - np.dot(self.b, x)

    def apply(self, v):
        """A v (plain arrays)."""
        grid = np.reshape(np.asarray(v, dtype=float), (self.ny, self.nx))
        zero_col = np.zeros((self.ny, 1))
        zero_row = np.zeros((1, self.nx))
        # edge differences including the boundary edges, times their weights
        flux_h = self.wh * np.diff(grid, axis=1, prepend=zero_col, append=zero_col)
        flux_v = self.wv * np.diff(grid, axis=0, prepend=zero_row, append=zero_row)
        out = (flux_h[:, :-1] - flux_h[:, 1:]) + (flux_v[:-1, :] - flux_v[1:, :])
        return out.ravel()

    def gradient(self, x):
        return self.apply(x) - self.b

    def hessp(self, x, v):
        return self.apply(v)


def _torsion(n):
    nx, ny = grid_shape(n)
    hx, hy = 1.0 / (nx + 1), 1.0 / (ny + 1)
    # deptfg: every triangle has weight area = hx hy / 2, so each edge weighs hx hy
    quad = _GridQuadratic(nx, ny, wh=np.full(nx + 1, hy / hx), wv=np.full(nx, hx / hy),
                          b=np.full(n, _TORSION_C * hx * hy))
    i = np.arange(1, nx + 1)
    j = np.arange(1, ny + 1)
    # |v| <= distance to the boundary of the unit square, on the grid (deptfg 'XL', 'XU')
    dist = np.minimum(np.minimum(i, nx - i + 1)[None, :] * hx,
                      np.minimum(j, ny - j + 1)[:, None] * hy).ravel()
    return dict(objective=quad.objective, gradient=quad.gradient, hessp=quad.hessp,
                x0=dist, bounds=Bounds(-dist, dist), fstar=_FSTAR["torsion"].get((nx, ny)))


def _bearing(n):
    nx, ny = grid_shape(n)
    hx, hy = 2.0 * np.pi / (nx + 1), 2.0 * _BEARING_B / (ny + 1)
    xi = np.arange(nx + 2) * hx                      # grid columns 0 .. nx + 1

    def p(t):
        return (1.0 + _BEARING_ECC * np.cos(t)) ** 3

    # dpjbfg: lower triangle of column i weighs hx hy (2 p(xi_i) + p(xi_i + hx)) / 6,
    # upper triangle hx hy (2 p(xi_i) + p(xi_i - hx)) / 6
    lower = hx * hy * (2.0 * p(xi) + p(xi + hx)) / 6.0
    upper = hx * hy * (2.0 * p(xi) + p(xi - hx)) / 6.0
    wh = (lower[:-1] + upper[1:]) / hx ** 2          # edges 0 .. nx
    wv = (lower[1:-1] + upper[1:-1]) / hy ** 2       # columns 1 .. nx
    b = np.tile(_BEARING_ECC * hx * hy * np.sin(xi[1:-1]), ny)
    quad = _GridQuadratic(nx, ny, wh=wh, wv=wv, b=b)
    x0 = np.tile(np.maximum(np.sin(xi[1:-1]), 0.0), ny)   # dpjbfg 'XS'
    return dict(objective=quad.objective, gradient=quad.gradient, hessp=quad.hessp,
                x0=x0, bounds=Bounds(lb=0.0),
                fstar=_FSTAR["journal-bearing"].get((nx, ny)))


SPECS = [
    scalable_spec(
        "torsion",
        "MINPACK-2 elastic-plastic torsion (c = 5): a convex finite-element quadratic with "
        "|v| <= distance to the boundary; default grid 50 x 50",
        {"convex", "quadratic", "bounds"},
        "Averick, Carter, More & Xue 1992, The MINPACK-2 test problem collection (DEPT); "
        "start: the upper bound; f* by an exact active-set solve (module docstring)",
        2500, DimRange(1, _BIG), _torsion),
    scalable_spec(
        "journal-bearing",
        "MINPACK-2 pressure distribution in a journal bearing (eccentricity 0.1, b = 10): "
        "a convex finite-element quadratic with v >= 0; default grid 50 x 50",
        {"convex", "quadratic", "bounds"},
        "Averick, Carter, More & Xue 1992, The MINPACK-2 test problem collection (DPJB); "
        "start: max(sin(x), 0); f* by an exact active-set solve (module docstring)",
        2500, DimRange(1, _BIG), _bearing),
]
