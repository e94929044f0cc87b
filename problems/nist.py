"""Nonlinear regression problems of the NIST Statistical Reference Datasets (StRD), with their
certified answers: f(x) = sum_i r_i(x)^2, r = model(t; x) - y.

NIST/ITL StRD, Nonlinear Regression, https://www.itl.nist.gov/div898/strd/nls/nls_main.shtml
(public domain). f* is the certified residual sum of squares and x* the certified parameters,
both to 11 significant digits; x0 is NIST's "Start 1" (the farther start). ``STARTS_2`` holds
each problem's "Start 2" (the closer one), for benchmarks that run both. The data were typed
in from the NIST files (cross-checked against GSL's multifit_nlinear tests for BoxBOD,
Eckerle4, Rat42, Rat43 and Thurber).
"""

import numpy as np

from .registry import fixed_spec

__all__ = ["CERTIFIED_ERRORS", "SPECS", "STARTS_2"]

_SOURCE = "NIST StRD nonlinear regression, dataset {} (certified values)"

# --- Misra1a (lower difficulty): y = b1 (1 - exp(-b2 x)) ------------------------------------
_MISRA1A_X = np.array([77.6, 114.9, 141.1, 190.8, 239.9, 289.0, 332.8, 378.4, 434.8, 477.3,
                       536.8, 593.1, 689.1, 760.0])
_MISRA1A_Y = np.array([10.07, 14.73, 17.94, 23.93, 29.61, 35.18, 40.02, 44.82, 50.76, 55.05,
                       61.01, 66.40, 75.47, 81.78])


def _misra1a_residuals(b):
    return b[0] * (1.0 - np.exp(-b[1] * _MISRA1A_X)) - _MISRA1A_Y


# --- DanWood (lower): y = b1 x^b2 --------------------------------------------------------------
_DANWOOD_X = np.array([1.309, 1.471, 1.490, 1.565, 1.611, 1.680])
_DANWOOD_Y = np.array([2.138, 3.421, 3.597, 4.340, 4.882, 5.660])


def _danwood_residuals(b):
    return b[0] * _DANWOOD_X ** b[1] - _DANWOOD_Y


# --- BoxBOD (higher): y = b1 (1 - exp(-b2 x)) --------------------------------------------------
_BOXBOD_X = np.array([1.0, 2.0, 3.0, 5.0, 7.0, 10.0])
_BOXBOD_Y = np.array([109.0, 149.0, 149.0, 191.0, 213.0, 224.0])


def _boxbod_residuals(b):
    return b[0] * (1.0 - np.exp(-b[1] * _BOXBOD_X)) - _BOXBOD_Y


# --- Eckerle4 (higher): y = (b1 / b2) exp(-(x - b3)^2 / (2 b2^2)) ------------------------------
_ECKERLE4_X = np.array([400.0, 405.0, 410.0, 415.0, 420.0, 425.0, 430.0, 435.0, 436.5, 438.0,
                        439.5, 441.0, 442.5, 444.0, 445.5, 447.0, 448.5, 450.0, 451.5, 453.0,
                        454.5, 456.0, 457.5, 459.0, 460.5, 462.0, 463.5, 465.0, 470.0, 475.0,
                        480.0, 485.0, 490.0, 495.0, 500.0])
_ECKERLE4_Y = np.array([0.0001575, 0.0001699, 0.0002350, 0.0003102, 0.0004917, 0.0008710,
                        0.0017418, 0.0046400, 0.0065895, 0.0097302, 0.0149002, 0.0237310,
                        0.0401683, 0.0712559, 0.1264458, 0.2073413, 0.2902366, 0.3445623,
                        0.3698049, 0.3668534, 0.3106727, 0.2078154, 0.1164354, 0.0616764,
                        0.0337200, 0.0194023, 0.0117831, 0.0074357, 0.0022732, 0.0008800,
                        0.0004579, 0.0002345, 0.0001586, 0.0001143, 0.0000710])


def _eckerle4_residuals(b):
    z = (_ECKERLE4_X - b[2]) / b[1]
    return b[0] / b[1] * np.exp(-0.5 * z * z) - _ECKERLE4_Y


# --- Rat42 (higher): y = b1 / (1 + exp(b2 - b3 x)) ---------------------------------------------
_RAT42_X = np.array([9.0, 14.0, 21.0, 28.0, 42.0, 57.0, 63.0, 70.0, 79.0])
_RAT42_Y = np.array([8.930, 10.800, 18.590, 22.330, 39.350, 56.110, 61.730, 64.620, 67.080])


def _rat42_residuals(b):
    return b[0] / (1.0 + np.exp(b[1] - b[2] * _RAT42_X)) - _RAT42_Y


# --- Rat43 (higher): y = b1 / (1 + exp(b2 - b3 x))^(1/b4) ---------------------------------------
_RAT43_X = np.arange(1.0, 16.0)
_RAT43_Y = np.array([16.08, 33.83, 65.80, 97.20, 191.55, 326.20, 386.87, 520.53, 590.03,
                     651.92, 724.93, 699.56, 689.96, 637.56, 717.41])


def _rat43_residuals(b):
    return b[0] / (1.0 + np.exp(b[1] - b[2] * _RAT43_X)) ** (1.0 / b[3]) - _RAT43_Y


# --- Thurber (higher): cubic over cubic ---------------------------------------------------------
_THURBER_X = np.array([-3.067, -2.981, -2.921, -2.912, -2.840, -2.797, -2.702, -2.699, -2.633,
                       -2.481, -2.363, -2.322, -1.501, -1.460, -1.274, -1.212, -1.100, -1.046,
                       -0.915, -0.714, -0.566, -0.545, -0.400, -0.309, -0.109, -0.103, 0.010,
                       0.119, 0.377, 0.790, 0.963, 1.006, 1.115, 1.572, 1.841, 2.047, 2.200])
_THURBER_Y = np.array([80.574, 84.248, 87.264, 87.195, 89.076, 89.608, 89.868, 90.101, 92.405,
                       95.854, 100.696, 101.060, 401.672, 390.724, 567.534, 635.316, 733.054,
                       759.087, 894.206, 990.785, 1090.109, 1080.914, 1122.643, 1178.351,
                       1260.531, 1273.514, 1288.339, 1327.543, 1353.863, 1414.509, 1425.208,
                       1421.384, 1442.962, 1464.350, 1468.705, 1447.894, 1457.628])


def _thurber_residuals(b):
    x = _THURBER_X
    num = b[0] + b[1] * x + b[2] * x ** 2 + b[3] * x ** 3
    den = 1.0 + b[4] * x + b[5] * x ** 2 + b[6] * x ** 3
    return num / den - _THURBER_Y


# --- MGH09 (higher): Kowalik & Osborne from NIST's far start -----------------------------------
_MGH09_X = np.array([4.0, 2.0, 1.0, 0.5, 0.25, 0.167, 0.125, 0.1, 0.0833, 0.0714, 0.0625])
_MGH09_Y = np.array([0.1957, 0.1947, 0.1735, 0.1600, 0.0844, 0.0627, 0.0456, 0.0342, 0.0323,
                     0.0235, 0.0246])


def _mgh09_residuals(b):
    x = _MGH09_X
    return b[0] * (x * x + x * b[1]) / (x * x + x * b[2] + b[3]) - _MGH09_Y


# name -> (description, residuals, start 1, start 2, certified b, certified std. errors, RSS)
_TABLE = {
    "misra1a": ("Misra1a: dental adsorption, b1 (1 - exp(-b2 x)), lower difficulty",
                _misra1a_residuals, [500.0, 1e-4], [250.0, 5e-4],
                [2.3894212918e+02, 5.5015643181e-04], [2.7070075241e+00, 7.2668688436e-06],
                1.2455138894e-01),
    "danwood": ("DanWood: radiated energy, b1 x^b2, lower difficulty",
                _danwood_residuals, [1.0, 5.0], [0.7, 4.0],
                [7.6886226176e-01, 3.8604055871e+00], [1.8281973860e-02, 5.1726610913e-02],
                4.3173084083e-03),
    "boxbod": ("BoxBOD: biochemical oxygen demand, b1 (1 - exp(-b2 x)), higher difficulty",
               _boxbod_residuals, [1.0, 1.0], [100.0, 0.75],
               [2.1380940889e+02, 5.4723748542e-01], [1.2354515176e+01, 1.0455993237e-01],
               1.1680088766e+03),
    "eckerle4": ("Eckerle4: circular interference transmittance, Gaussian peak, higher "
                 "difficulty", _eckerle4_residuals, [1.0, 10.0, 500.0], [1.5, 5.0, 450.0],
                 [1.5543827178e+00, 4.0888321754e+00, 4.5154121844e+02],
                 [1.5408051163e-02, 4.6803020753e-02, 4.6800518816e-02], 1.4635887487e-03),
    "rat42": ("Rat42: pasture yield, logistic, higher difficulty",
              _rat42_residuals, [100.0, 1.0, 0.1], [75.0, 2.5, 0.07],
              [7.2462237576e+01, 2.6180768402e+00, 6.7359200066e-02],
              [1.7340283401e+00, 8.8295217536e-02, 3.4465663377e-03], 8.0565229338e+00),
    "rat43": ("Rat43: onion growth, generalized logistic, higher difficulty",
              _rat43_residuals, [100.0, 10.0, 1.0, 1.0], [700.0, 5.0, 0.75, 1.3],
              [6.9964151270e+02, 5.2771253025e+00, 7.5962938329e-01, 1.2792483859e+00],
              [1.6302297817e+01, 2.0828735829e+00, 1.9566123451e-01, 6.8761936385e-01],
              8.7864049080e+03),
    "thurber": ("Thurber: semiconductor electron mobility, cubic over cubic, higher "
                "difficulty", _thurber_residuals,
                [1000.0, 1000.0, 400.0, 40.0, 0.7, 0.3, 0.03],
                [1300.0, 1500.0, 500.0, 75.0, 1.0, 0.4, 0.05],
                [1.2881396800e+03, 1.4910792535e+03, 5.8323836877e+02, 7.5416644291e+01,
                 9.6629502864e-01, 3.9797285797e-01, 4.9727297349e-02],
                [4.6647963344e+00, 3.9571156086e+01, 2.8698696102e+01, 5.5675370270e+00,
                 3.1333340687e-02, 1.4984928198e-02, 6.5842344623e-03], 5.6427082397e+03),
    "mgh09": ("MGH09: Kowalik & Osborne enzyme rational fit from NIST's far start, higher "
              "difficulty", _mgh09_residuals, [25.0, 39.0, 41.5, 39.0],
              [0.25, 0.39, 0.415, 0.39],
              [1.9280693458e-01, 1.9128232873e-01, 1.2305650693e-01, 1.3606233068e-01],
              [1.1435312227e-02, 1.9633220911e-01, 8.0842031232e-02, 9.0025542308e-02],
              3.0750560385e-04),
}

SPECS = [
    fixed_spec(f"nist-{name}", description, {"nonconvex", "nist"}, _SOURCE.format(name),
               residuals=residuals, x0=start1, fstar=rss, xstar=certified)
    for name, (description, residuals, start1, _, certified, _, rss) in _TABLE.items()
]

# problem name -> NIST's second (closer) start, and -> the certified standard errors
STARTS_2 = {f"nist-{name}": np.array(row[3]) for name, row in _TABLE.items()}
CERTIFIED_ERRORS = {f"nist-{name}": np.array(row[5]) for name, row in _TABLE.items()}
