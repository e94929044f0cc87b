"""Machine-learning workloads on synthetic data drawn from np.random.default_rng(seed).

- logistic-regression: L2-regularized logistic loss, mean over m = 10 n samples.  Strictly
  convex; f* and x* are computed when the problem is built, by Newton's method on the same
  arrays (so they do not depend on NumPy's random streams staying fixed).
- linear-least-squares: ||A x - b||^2 with m = 2 n rows and columns on scales 1 .. 1e-2;
  x* from numpy.linalg.lstsq.
- mlp-regression: a 3-8-1 tanh network fitted by mean squared error to the outputs of a
  3-4-1 teacher network, so f* = 0 at the teacher's weights padded with zeros.
"""

import numpy as np

from .registry import DimRange, fixed_spec, scalable_spec

__all__ = ["SPECS"]

SEED = 0


def _frozen(*arrays):
    for a in arrays:
        a.setflags(write=False)


# --- logistic regression ----------------------------------------------------------------
_LAMBDA = 1e-2
# The data is 10 n^2 floats and f* takes dense Newton steps, O(n^3): building the problem
# takes about 0.5 s at n = 500, 4 s at n = 1000 and 20 s at n = 2000.
_LOGISTIC_MAX_N = 500


def _logistic(n):
    m = 10 * n
    rng = np.random.default_rng(SEED)
    features = rng.standard_normal((m, n))
    w_true = 3.0 * rng.standard_normal(n) / np.sqrt(n)
    prob = 1.0 / (1.0 + np.exp(-features @ w_true))
    signs = np.where(rng.random(m) < prob, 1.0, -1.0)
    margins_matrix = signs[:, None] * features          # row i is s_i a_i
    _frozen(margins_matrix)

    def objective(x):
        return np.mean(np.logaddexp(0.0, -(margins_matrix @ x))) + 0.5 * _LAMBDA * np.dot(x, x)

    def gradient(x):
        x = np.asarray(x, dtype=float)
        sig = 0.5 * (1.0 - np.tanh(0.5 * (margins_matrix @ x)))    # sigmoid(-z), stable
        return -(margins_matrix.T @ sig) / m + _LAMBDA * x

    def hessian(x):
        z = margins_matrix @ x
        w = 0.25 / np.cosh(0.5 * z) ** 2                          # sigmoid(z) sigmoid(-z)
        return (margins_matrix.T * w) @ margins_matrix / m + _LAMBDA * np.eye(n)

    # Newton's method: f is strongly convex (lambda > 0) and smooth, so it converges
    # quadratically from 0; a few steps past a gradient of 1e-14 change nothing.
    x = np.zeros(n)
    for _ in range(50):
        g = gradient(x)
        x = x - np.linalg.solve(hessian(x), g)
        if np.linalg.norm(g) < 1e-14:
            break
    return dict(objective=objective, gradient=gradient, x0=np.zeros(n),
                fstar=float(objective(x)), xstar=x)


# --- linear least squares ---------------------------------------------------------------
def _linear_least_squares(n):
    m = 2 * n
    rng = np.random.default_rng(SEED)
    mat = rng.standard_normal((m, n)) * np.logspace(0.0, -2.0, n)
    rhs = mat @ rng.standard_normal(n) + 0.1 * rng.standard_normal(m)
    _frozen(mat, rhs)

    def residuals(x):
        return mat @ x - rhs

    def gradient(x):
        return 2.0 * mat.T @ (mat @ np.asarray(x, dtype=float) - rhs)

    xstar = np.linalg.lstsq(mat, rhs, rcond=None)[0]
    fstar = float(np.sum((mat @ xstar - rhs) ** 2))
    return dict(residuals=residuals, gradient=gradient, x0=np.zeros(n), fstar=fstar,
                xstar=xstar)


# --- small MLP, teacher-student ---------------------------------------------------------
# The student (8 hidden units) is wider than the teacher (4), so the teacher embeds as a
# zero-loss point; the overparametrization also keeps BFGS and L-BFGS from stalling in
# spurious minima from this start (checked with scipy.optimize, see the module tests).
_IN, _HIDDEN, _TEACHER_HIDDEN, _SAMPLES = 3, 8, 4, 100


def _mlp_size(hidden):
    return _IN * hidden + 2 * hidden + 1


def _mlp_forward(x, inputs, hidden=_HIDDEN):
    """Network output for flat parameters x = [W1 (3 x hidden, row-major), b1, w2, b2]."""
    k = _IN * hidden
    w1 = np.reshape(x[:k], (_IN, hidden))
    activations = np.tanh(inputs @ w1 + x[k:k + hidden])
    return activations @ x[k + hidden:k + 2 * hidden] + x[k + 2 * hidden]


def _embed_teacher(teacher):
    """The student's weights that compute the teacher's function: extra units get zeros."""
    h, pad = _TEACHER_HIDDEN, _HIDDEN - _TEACHER_HIDDEN
    k = _IN * h
    w1 = np.hstack([np.reshape(teacher[:k], (_IN, h)), np.zeros((_IN, pad))])
    return np.concatenate([w1.ravel(), teacher[k:k + h], np.zeros(pad),
                           teacher[k + h:k + 2 * h], np.zeros(pad), teacher[k + 2 * h:]])


def _mlp_data():
    rng = np.random.default_rng(SEED)
    inputs = rng.standard_normal((_SAMPLES, _IN))
    teacher = rng.standard_normal(_mlp_size(_TEACHER_HIDDEN))
    targets = _mlp_forward(teacher, inputs, _TEACHER_HIDDEN)
    start = 0.5 * np.random.default_rng(6).standard_normal(_mlp_size(_HIDDEN))
    _frozen(inputs, targets)
    return inputs, targets, _embed_teacher(teacher), start


_MLP_INPUTS, _MLP_TARGETS, _MLP_XSTAR, _MLP_X0 = _mlp_data()


def _mlp_objective(x):
    err = _mlp_forward(x, _MLP_INPUTS) - _MLP_TARGETS
    return 0.5 * np.mean(err * err)


SPECS = [
    scalable_spec(
        "logistic-regression",
        "L2-regularized (lambda = 1e-2) logistic regression, m = 10 n synthetic samples",
        {"convex", "ml"}, "Synthetic data, np.random.default_rng(0); f* by Newton's method",
        20, DimRange(2, _LOGISTIC_MAX_N), _logistic),
    scalable_spec(
        "linear-least-squares",
        "Linear least squares ||A x - b||^2, m = 2 n, column scales 1 .. 1e-2",
        {"convex", "quadratic", "least-squares", "ml"},
        "Synthetic data, np.random.default_rng(0); f* from numpy.linalg.lstsq",
        50, DimRange(2, 1000), _linear_least_squares),
    fixed_spec(
        "mlp-regression",
        "3-8-1 tanh MLP (41 weights) fitting a 3-4-1 teacher network by half mean squared "
        "error on 100 samples",
        {"nonconvex", "ml"}, "Teacher-student regression: data and teacher from "
        "np.random.default_rng(0), start 0.5 * np.random.default_rng(6) normals; f* = 0 "
        "at the embedded teacher",
        objective=_mlp_objective, x0=_MLP_X0, fstar=0.0, xstar=_MLP_XSTAR),
]
