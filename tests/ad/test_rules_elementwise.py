"""Table: every elementwise primitive, checked in both modes to second order."""

import numpy as np
import pytest
from scipy import special  # noqa: F401  (rows below use plain scipy.special calls)

from .table import Row, check_row, rng

R = rng(0)
X = R.uniform(-0.9, 0.9, size=(3, 4))        # (-1, 1): valid for arcsin, arctanh, log1p
P = R.uniform(0.2, 2.0, size=(3, 4))         # positive
Y = R.uniform(-0.9, 0.9, size=(3, 4))
ROW = R.uniform(0.5, 1.5, size=(4,))         # broadcasts against (3, 4)
G = R.uniform(1.1, 2.0, size=(3, 4))         # > 1, for arccosh

ROWS = [
    Row("add", lambda a, b: a + b, (X, Y)),
    Row("add-broadcast", lambda a, b: a + b, (X, ROW)),
    Row("subtract", lambda a, b: a - b, (X, ROW)),
    Row("multiply", lambda a, b: a * b, (X, Y)),
    Row("multiply-broadcast", lambda a, b: b * a, (X, ROW)),
    Row("divide", lambda a, b: a / b, (X, P)),
    Row("rdivide-scalar", lambda a: 2.0 / a, (P,)),
    Row("negative", lambda a: -a, (X,)),
    Row("power-const2", lambda a: a**2, (X,)),
    Row("power-const3", lambda a: a**3, (X,)),
    Row("power-frac", lambda a: a**1.7, (P,)),
    Row("power-both", lambda a, b: a**b, (P, Y)),
    Row("rpow", lambda b: 2.0**b, (Y,)),
    Row("float_power", lambda a, b: np.float_power(a, b), (P, Y)),
    Row("absolute", lambda a: np.abs(a), (X,)),
    Row("fabs", lambda a: np.fabs(a), (X,)),
    Row("sign-times", lambda a: np.sign(a) * a**2, (X,)),
    Row("sqrt", np.sqrt, (P,)),
    Row("cbrt", np.cbrt, (P,)),
    Row("square", np.square, (X,)),
    Row("reciprocal", np.reciprocal, (P,)),
    Row("exp", np.exp, (X,)),
    Row("exp2", np.exp2, (X,)),
    Row("expm1", np.expm1, (X,)),
    Row("log", np.log, (P,)),
    Row("log2", np.log2, (P,)),
    Row("log10", np.log10, (P,)),
    Row("log1p", np.log1p, (X,)),
    Row("sin", np.sin, (X,)),
    Row("cos", np.cos, (X,)),
    Row("tan", np.tan, (X,)),
    Row("arcsin", np.arcsin, (X,)),
    Row("arccos", np.arccos, (X,)),
    Row("arctan", np.arctan, (X,)),
    Row("sinh", np.sinh, (X,)),
    Row("cosh", np.cosh, (X,)),
    Row("tanh", np.tanh, (X,)),
    Row("arcsinh", np.arcsinh, (X,)),
    Row("arccosh", np.arccosh, (G,)),
    Row("arctanh", np.arctanh, (X,)),
    Row("arctan2", np.arctan2, (X, P)),
    Row("hypot", np.hypot, (X, P)),
    Row("logaddexp", np.logaddexp, (X, Y)),
    Row("logaddexp2", np.logaddexp2, (X, Y)),
    Row("maximum", np.maximum, (X, Y)),
    Row("minimum", np.minimum, (X, Y)),
    Row("fmax", np.fmax, (X, Y)),
    Row("fmin", np.fmin, (X, Y)),
    Row("clip", lambda a: np.clip(a, -0.5, 0.5), (X,)),
    Row("clip-method", lambda a: a.clip(-0.5, 0.5), (X,)),
    Row("where", lambda a, b: np.where(a > 0, a * b, b**2), (X, Y)),
    Row("sinc", np.sinc, (X,)),
    Row("deg2rad", np.deg2rad, (X,)),
    Row("rad2deg", np.rad2deg, (X,)),
    Row("copysign", lambda a, b: np.copysign(a, b) * a, (X, Y)),
    Row("copysign-const", lambda a: np.copysign(a**2, -1.0), (X,)),
    Row("remainder", lambda a, b: np.remainder(3.0 * a, b), (X, P)),
    Row("mod-operator", lambda a: (3.0 * a) % 0.7 + 2.3 % (a + 2.0), (X,)),
    Row("fmod", lambda a, b: np.fmod(3.0 * a, b), (X, P)),
    Row("multiply-outer", lambda a, b: np.multiply.outer(a, b), (ROW, Y)),
    Row("subtract-outer", lambda a: np.subtract.outer(a, a**2), (ROW,)),
]


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_elementwise(row):
    check_row(row)
