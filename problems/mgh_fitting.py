"""Data-fitting problems of More, Garbow & Hillstrom (1981): nonlinear least squares on the
published data, f(x) = sum_i r_i(x)^2.

The paper gives f* to about six digits; the values stored here were refined numerically
(scipy.optimize.least_squares with tolerances 1e-15 from the paper's solution, then checked
with BFGS from the standard start) and are quoted to full double precision.
"""

import numpy as np

from .registry import fixed_spec

__all__ = ["SPECS"]

_MGH = "More, Garbow & Hillstrom 1981, problem {}"
_REFINED = "; f* (MGH: {}) refined numerically"

# --- Jennrich & Sampson (m = 10) ------------------------------------------------------
_JS_I = np.arange(1.0, 11.0)


def _jennrich_sampson_residuals(x):
    return 2.0 + 2.0 * _JS_I - (np.exp(_JS_I * x[0]) + np.exp(_JS_I * x[1]))


# --- Bard --------------------------------------------------------------------------------
_BARD_Y = np.array([0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39, 0.37, 0.58, 0.73, 0.96,
                    1.34, 2.10, 4.39])
_BARD_U = np.arange(1.0, 16.0)
_BARD_V = 16.0 - _BARD_U
_BARD_W = np.minimum(_BARD_U, _BARD_V)


def _bard_residuals(x):
    return _BARD_Y - (x[0] + _BARD_U / (_BARD_V * x[1] + _BARD_W * x[2]))


# --- Gaussian ----------------------------------------------------------------------------
_GAUSS_Y = np.array([0.0009, 0.0044, 0.0175, 0.0540, 0.1295, 0.2420, 0.3521, 0.3989, 0.3521,
                     0.2420, 0.1295, 0.0540, 0.0175, 0.0044, 0.0009])
_GAUSS_T = (8.0 - np.arange(1.0, 16.0)) / 2.0


def _gaussian_residuals(x):
    return x[0] * np.exp(-x[1] * (_GAUSS_T - x[2]) ** 2 / 2.0) - _GAUSS_Y


# --- Meyer -------------------------------------------------------------------------------
_MEYER_Y = np.array([34780.0, 28610.0, 23650.0, 19630.0, 16370.0, 13720.0, 11540.0, 9744.0,
                     8261.0, 7030.0, 6005.0, 5147.0, 4427.0, 3820.0, 3307.0, 2872.0])
_MEYER_T = 45.0 + 5.0 * np.arange(1.0, 17.0)


def _meyer_residuals(x):
    return x[0] * np.exp(x[1] / (_MEYER_T + x[2])) - _MEYER_Y


# --- Gulf research and development (m = 99) -------------------------------------------------
_GULF_T = np.arange(1.0, 100.0) / 100.0
_GULF_Y = 25.0 + (-50.0 * np.log(_GULF_T)) ** (2.0 / 3.0)


def _gulf_residuals(x):
    return np.exp(-np.abs(_GULF_Y - x[1]) ** x[2] / x[0]) - _GULF_T


# --- Box three-dimensional (m = 10) ------------------------------------------------------
_BOX_T = 0.1 * np.arange(1.0, 11.0)
_BOX_C = np.exp(-_BOX_T) - np.exp(-10.0 * _BOX_T)


def _box3d_residuals(x):
    return np.exp(-_BOX_T * x[0]) - np.exp(-_BOX_T * x[1]) - x[2] * _BOX_C


# --- Kowalik & Osborne -------------------------------------------------------------------
_KO_Y = np.array([0.1957, 0.1947, 0.1735, 0.1600, 0.0844, 0.0627, 0.0456, 0.0342, 0.0323,
                  0.0235, 0.0246])
_KO_U = np.array([4.0, 2.0, 1.0, 0.5, 0.25, 0.167, 0.125, 0.1, 0.0833, 0.0714, 0.0625])


def _kowalik_osborne_residuals(x):
    return _KO_Y - x[0] * (_KO_U ** 2 + _KO_U * x[1]) / (_KO_U ** 2 + _KO_U * x[2] + x[3])


# --- Brown & Dennis (m = 20) ---------------------------------------------------------------
_BD_T = np.arange(1.0, 21.0) / 5.0


def _brown_dennis_residuals(x):
    return ((x[0] + _BD_T * x[1] - np.exp(_BD_T)) ** 2
            + (x[2] + x[3] * np.sin(_BD_T) - np.cos(_BD_T)) ** 2)


# --- Osborne 1 ---------------------------------------------------------------------------
_OS1_Y = np.array([0.844, 0.908, 0.932, 0.936, 0.925, 0.908, 0.881, 0.850, 0.818, 0.784, 0.751,
                   0.718, 0.685, 0.658, 0.628, 0.603, 0.580, 0.558, 0.538, 0.522, 0.506, 0.490,
                   0.478, 0.467, 0.457, 0.448, 0.438, 0.431, 0.424, 0.420, 0.414, 0.411, 0.406])
_OS1_T = 10.0 * np.arange(33.0)


def _osborne1_residuals(x):
    return _OS1_Y - (x[0] + x[1] * np.exp(-_OS1_T * x[3]) + x[2] * np.exp(-_OS1_T * x[4]))


# --- Biggs EXP6 (m = 13) -----------------------------------------------------------------
_BIGGS_T = 0.1 * np.arange(1.0, 14.0)
_BIGGS_Y = np.exp(-_BIGGS_T) - 5.0 * np.exp(-10.0 * _BIGGS_T) + 3.0 * np.exp(-4.0 * _BIGGS_T)


def _biggs_exp6_residuals(x):
    return (x[2] * np.exp(-_BIGGS_T * x[0]) - x[3] * np.exp(-_BIGGS_T * x[1])
            + x[5] * np.exp(-_BIGGS_T * x[4]) - _BIGGS_Y)


# --- Osborne 2 ---------------------------------------------------------------------------
_OS2_Y = np.array([
    1.366, 1.191, 1.112, 1.013, 0.991, 0.885, 0.831, 0.847, 0.786, 0.725, 0.746, 0.679, 0.608,
    0.655, 0.616, 0.606, 0.602, 0.626, 0.651, 0.724, 0.649, 0.649, 0.694, 0.644, 0.624, 0.661,
    0.612, 0.558, 0.533, 0.495, 0.500, 0.423, 0.395, 0.375, 0.372, 0.391, 0.396, 0.405, 0.428,
    0.429, 0.523, 0.562, 0.607, 0.653, 0.672, 0.708, 0.633, 0.668, 0.645, 0.632, 0.591, 0.559,
    0.597, 0.625, 0.739, 0.710, 0.729, 0.720, 0.636, 0.581, 0.428, 0.292, 0.162, 0.098, 0.054])
_OS2_T = np.arange(65.0) / 10.0


def _osborne2_residuals(x):
    model = (x[0] * np.exp(-_OS2_T * x[4])
             + x[1] * np.exp(-(_OS2_T - x[8]) ** 2 * x[5])
             + x[2] * np.exp(-(_OS2_T - x[9]) ** 2 * x[6])
             + x[3] * np.exp(-(_OS2_T - x[10]) ** 2 * x[7]))
    return _OS2_Y - model


for _data in (_JS_I, _BARD_Y, _BARD_U, _BARD_V, _BARD_W, _GAUSS_Y, _GAUSS_T, _MEYER_Y, _MEYER_T,
              _GULF_T, _GULF_Y, _BOX_T, _BOX_C, _KO_Y, _KO_U, _BD_T, _OS1_Y, _OS1_T, _BIGGS_T,
              _BIGGS_Y, _OS2_Y, _OS2_T):
    _data.setflags(write=False)

SPECS = [
    fixed_spec(
        "jennrich-sampson", "Jennrich & Sampson exponential fit, m = 10",
        {"nonconvex", "mgh"}, _MGH.format(6) + _REFINED.format("124.362"),
        residuals=_jennrich_sampson_residuals, x0=[0.3, 0.4],

        fstar=124.36218235561483,
        xstar=[0.25782521355328614, 0.257825213292529]),
    fixed_spec(
        "bard", "Bard's rational fit to 15 data points",
        {"nonconvex", "mgh"}, _MGH.format(8) + _REFINED.format("8.21487e-3"),
        residuals=_bard_residuals, x0=[1.0, 1.0, 1.0],
        fstar=0.008214877306578964,
        xstar=[0.0824105601783976, 1.1330361072616228, 2.3436951638703087]),
    fixed_spec(
        "gaussian", "Gaussian bell fit to 15 data points",
        {"nonconvex", "mgh"}, _MGH.format(9) + _REFINED.format("1.12793e-8"),
        residuals=_gaussian_residuals, x0=[0.4, 1.0, 0.0],
        fstar=1.1279327696186967e-08,
        xstar=[0.39895613783847506, 1.0000190844850414, 0.0]),
    fixed_spec(
        "meyer", "Meyer's thermistor-resistance fit, very badly scaled",
        {"nonconvex", "mgh"}, _MGH.format(10) + _REFINED.format("87.9458"),
        residuals=_meyer_residuals, x0=[0.02, 4000.0, 250.0],
        fstar=87.94585517064121,
        xstar=[0.005609636059185808, 6181.3464074763015, 345.2236366833716]),
    fixed_spec(
        "gulf", "Gulf research and development function, m = 99, solution (50, 25, 1.5)",
        {"nonconvex", "mgh"}, _MGH.format(11),
        residuals=_gulf_residuals, x0=[5.0, 2.5, 0.15], fstar=0.0, xstar=[50.0, 25.0, 1.5]),
    fixed_spec(
        "box-3d", "Box's three-dimensional exponential fit, m = 10, solution (1, 10, 1)",
        {"nonconvex", "mgh"}, _MGH.format(12),
        residuals=_box3d_residuals, x0=[0.0, 10.0, 20.0], fstar=0.0, xstar=[1.0, 10.0, 1.0]),
    fixed_spec(
        "kowalik-osborne", "Kowalik & Osborne enzyme-reaction rational fit, m = 11",
        {"nonconvex", "mgh"}, _MGH.format(15) + _REFINED.format("3.07505e-4"),
        residuals=_kowalik_osborne_residuals, x0=[0.25, 0.39, 0.415, 0.39],

        fstar=0.0003075056038492367,
        xstar=[0.19280693461133736, 0.19128233074224185, 0.12305650883227075,
               0.13606233136104795]),
    fixed_spec(
        "brown-dennis", "Brown & Dennis function, m = 20, large residual",
        {"nonconvex", "mgh"}, _MGH.format(16) + _REFINED.format("85822.2"),
        residuals=_brown_dennis_residuals, x0=[25.0, 5.0, -5.0, -1.0],
        fstar=85822.20162635672,
        xstar=[-11.594439368227402, 13.203629838413743, -0.40343938433332205,
               0.23677857399736976]),
    fixed_spec(
        "osborne1", "Osborne 1: sum of two exponentials fitted to 33 points",
        {"nonconvex", "mgh"}, _MGH.format(17) + _REFINED.format("5.46489e-5"),
        residuals=_osborne1_residuals, x0=[0.5, 1.5, -1.0, 0.01, 0.02],
        fstar=5.4648946974845696e-05,
        xstar=[0.375410046018397, 1.935846204154671, -1.4646864234508492,
               0.01286753320276643, 0.0221227025283137]),
    fixed_spec(
        "biggs-exp6",
        "Biggs EXP6 exponential fit, m = 13: global minimum f* = 0 at (1, 10, 1, 5, 4, 3), but "
        "BFGS and L-BFGS from the standard start stop at the local minimum f = 5.65565e-3",
        {"nonconvex", "mgh", "start-local-min"}, _MGH.format(18),
        residuals=_biggs_exp6_residuals, x0=[1.0, 2.0, 1.0, 1.0, 1.0, 1.0], fstar=0.0,
        xstar=[1.0, 10.0, 1.0, 5.0, 4.0, 3.0]),
    fixed_spec(
        "osborne2", "Osborne 2: exponential plus three Gaussians fitted to 65 points",
        {"nonconvex", "mgh"}, _MGH.format(19) + _REFINED.format("4.01377e-2"),
        residuals=_osborne2_residuals,
        x0=[1.3, 0.65, 0.65, 0.7, 0.6, 3.0, 5.0, 7.0, 2.0, 4.5, 5.5],
        fstar=0.040137736293547735,
        xstar=[1.3099771535562215, 0.43155379212562744, 0.6336616978938385,
               0.5994305341981866, 0.7541832189584038, 0.90428860071924, 1.3658118365010137,
               4.823698769708512, 2.3986848685921425, 4.568874594972589, 5.675341470370327]),
]
