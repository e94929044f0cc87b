"""optkit.ad.convexity: one row per function, labelled with its true curvature.

Soundness first: the analysis never claims convex (or concave) for a function that is not,
including the tricky rows; then it proves the standard convex models; then a randomized
midpoint check on every row it claims convex or concave.
"""

import numpy as np
import pytest
import scipy.special as sc

import optkit
from optkit.ad.convexity import CURVATURES, curvature, function_curvature, is_convex
from optkit.ad.staging import stage

_rng = np.random.default_rng(0)
A = _rng.standard_normal((7, 4))
B = np.abs(_rng.standard_normal((3, 4)))  # nonnegative weights
b = _rng.standard_normal(7)
y = np.sign(_rng.standard_normal(7))
Q = A.T @ A  # positive semidefinite
LAM = 0.3


def _logistic(w):  # as bench/end_to_end.py writes it
    return np.mean(np.logaddexp(0.0, -y * (A @ w))) + 0.5 * LAM * np.dot(w, w)


def _rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def _branchy(x):
    return np.sum(x ** 2) if x[0] > 0 else -np.sum(x ** 2)


class _Alternating:
    """Global state that changes between calls (as random numbers drawn inside f would): the
    sign flips on every call, so two tracings disagree."""

    def __init__(self):
        self.calls = 0

    def __call__(self, x):
        self.calls += 1
        return (-1.0) ** self.calls * np.sum(x ** 2)


class _Rewired:
    """Global state that rewires f between calls: the same equations and constants, read in
    another order (u - v, then v - u)."""

    def __init__(self):
        self.calls = 0

    def __call__(self, x):
        self.calls += 1
        u, v = np.sum(np.exp(x)), np.sum(np.log(x))
        return u - v if self.calls % 2 else v - u


def _huber_like(x):
    r = A @ x - b
    return np.sum(np.maximum(np.abs(r) - 1.0, 0.0) ** 2) + np.sum(np.maximum(r, 0.0))


def _assigned(x):  # item assignment: x[0] replaced by exp(x[1])
    y = x * 1.0
    y[0] = np.exp(x[1])
    return y


REAL, POSITIVE = "real", "positive"  # where the random points of a row are drawn

# (name, f, domain, what the analysis must answer, the truth: convex/concave/affine/neither)
ROWS = [
    # -- the standard convex models: proven
    ("logistic", _logistic, REAL, "convex", "convex"),
    ("least squares", lambda x: np.sum((A @ x - b) ** 2), REAL, "convex", "convex"),
    ("ridge", lambda x: np.sum((A @ x - b) ** 2) + LAM * np.sum(x ** 2), REAL, "convex",
     "convex"),
    ("softplus loss", lambda x: np.sum(np.log1p(np.exp(-y * (A @ x)))), REAL, "convex",
     "convex"),
    ("log(1 + exp)", lambda x: np.sum(np.log(1.0 + np.exp(A @ x))), REAL, "convex", "convex"),
    ("log-sum-exp", lambda x: np.log(np.sum(np.exp(A @ x + b))), REAL, "convex", "convex"),
    ("huber-like", _huber_like, REAL, "convex", "convex"),
    ("-log", lambda x: -np.sum(np.log(x)), POSITIVE, "convex", "convex"),
    ("barrier + quadratic", lambda x: x @ x - np.sum(np.log(x)), POSITIVE, "convex",
     "convex"),
    ("2-norm", lambda x: np.linalg.norm(A @ x - b), REAL, "convex", "convex"),
    ("1-norm", lambda x: np.linalg.norm(x, 1), REAL, "convex", "convex"),
    ("inf-norm", lambda x: np.max(np.abs(A @ x)), REAL, "convex", "convex"),
    ("max of affine", lambda x: np.max(A @ x + b), REAL, "convex", "convex"),
    ("exp", lambda x: np.sum(np.exp(x)) + np.exp(x[0] - x[1]), REAL, "convex", "convex"),
    ("2**x and 0.5**x", lambda x: np.sum(2.0 ** x + 0.5 ** x), REAL, "convex", "convex"),
    ("same product", lambda x: np.sum((A @ x - b) * (A @ x - b)), REAL, "convex", "convex"),
    ("x[0] * x[0]", lambda x: x[0] * x[0] + x.T @ x, REAL, "convex", "convex"),
    ("vecdot", lambda x: np.vecdot(x, x), REAL, "convex", "convex"),
    ("square of max(x, 0)", lambda x: np.sum(np.maximum(x, 0.0) ** 3), REAL, "convex",
     "convex"),
    ("nonneg weights", lambda x: np.sum(B @ np.exp(x)), REAL, "convex", "convex"),
    ("exp * exp", lambda x: np.sum(np.exp(x) * np.exp(x)), REAL, "convex", "convex"),
    ("cumsum, concatenate", lambda x: np.sum(np.concatenate([np.cumsum(x), -x]) ** 2), REAL,
     "convex", "convex"),
    ("fancy index", lambda x: np.sum(x[[0, 0, 2]] ** 2) + np.abs(x.reshape(2, 2).T).sum(),
     REAL, "convex", "convex"),
    ("where on constants", lambda x: np.sum(np.where(np.array([1, 0, 1, 0], bool), x ** 2, x)),
     REAL, "convex", "convex"),
    ("1/sqrt", lambda x: np.sum(1.0 / np.sqrt(x)), POSITIVE, "convex", "convex"),
    ("x log x", lambda x: np.sum(sc.xlogy(x, x)), POSITIVE, "convex", "convex"),
    ("kl_div", lambda x: np.sum(sc.kl_div(x, 1.0 + 0.0 * x[::-1])), POSITIVE, "convex",
     "convex"),
    ("-min", lambda x: -np.minimum(x, 1.0).sum() - np.min(x), REAL, "convex", "convex"),
    ("affine", lambda x: np.sum(A @ x) - 3.0 * x[0] / 2.0, REAL, "affine", "affine"),
    ("constant", lambda x: 3.0 + 0.0 * np.sum(x), REAL, "affine", "affine"),
    ("item assignment", lambda x: np.sum(_assigned(x)), REAL, "convex", "convex"),
    # -- concave
    ("log", lambda x: np.sum(np.log(x)), POSITIVE, "concave", "concave"),
    ("sqrt and x**0.5", lambda x: np.sum(np.sqrt(x)) + np.sum(x ** 0.5), POSITIVE, "concave",
     "concave"),
    ("-exp", lambda x: -np.sum(np.exp(x)), REAL, "concave", "concave"),
    ("log_expit", lambda x: np.sum(sc.log_expit(A @ x)), REAL, "concave", "concave"),
    # -- convex functions outside DCP's rules: unknown (never wrong, only incomplete)
    ("x'Qx", lambda x: x @ (Q @ x), REAL, "unknown", "convex"),
    ("sqrt(x^2 + 1)", lambda x: np.sum(np.sqrt(x ** 2 + 1.0)), REAL, "unknown", "convex"),
    ("x * log(x)", lambda x: np.sum(x * np.log(x)), POSITIVE, "unknown", "convex"),
    ("min by sort", lambda x: np.sort(x)[0], REAL, "unknown", "concave"),
    # entries of mixed signs lose the sign of the whole array: the square is not proven
    ("square after assignment", lambda x: np.sum(_assigned(x) ** 2), REAL, "unknown",
     "convex"),
    # -- the tricky ones: not convex, never claimed
    ("x * y", lambda x: x[0] * x[1], REAL, "unknown", "neither"),
    ("(x+y)(x-y)", lambda x: (x[0] + x[1]) * (x[0] - x[1]), REAL, "unknown", "neither"),
    ("x * flip(x)", lambda x: np.sum(x * x[::-1]), REAL, "unknown", "neither"),
    ("exp(-x^2)", lambda x: np.sum(np.exp(-x ** 2)), REAL, "unknown", "neither"),
    ("log of convex", lambda x: np.log(np.sum(x ** 2) + 1.0), REAL, "unknown", "neither"),
    ("sqrt|x|", lambda x: np.sum(np.sqrt(np.abs(x))), REAL, "unknown", "neither"),
    ("1/x", lambda x: np.sum(1.0 / x), REAL, "unknown", "neither"),
    ("x/y", lambda x: x[0] / x[1], REAL, "unknown", "neither"),
    ("max of concave", lambda x: np.sum(np.maximum(-x ** 2, -1.0)), REAL, "unknown",
     "neither"),
    ("rosenbrock", _rosenbrock, REAL, "unknown", "neither"),
    ("sin", lambda x: np.sum(np.sin(x)), REAL, "unknown", "neither"),
    ("x**3", lambda x: np.sum(x ** 3), REAL, "unknown", "neither"),
    ("(x^2 - 1)^2", lambda x: np.sum((x ** 2 - 1.0) ** 2), REAL, "unknown", "neither"),
    ("(|x| - 1)^2", lambda x: np.sum((np.abs(x) - 1.0) ** 2), REAL, "unknown", "neither"),
    ("|x| - x^2", lambda x: np.sum(np.abs(x) - x ** 2), REAL, "unknown", "neither"),
    ("log(x)^2", lambda x: np.sum(np.log(x) * np.log(x)), POSITIVE, "unknown", "neither"),
    ("1/(x^2 + 1)", lambda x: np.sum((x ** 2 + 1.0) ** -1), REAL, "unknown", "neither"),
    ("sinh", lambda x: np.sum(np.exp(x) - np.exp(-x)), REAL, "unknown", "neither"),
    ("mixed weights", lambda x: np.sum(A @ np.exp(x)), REAL, "unknown", "neither"),
    ("x|x| by where", lambda x: np.sum(np.where(x > 0, x ** 2, -x ** 2)), REAL, "unknown",
     "neither"),
    ("matrix square", lambda x: np.sum(x.reshape(2, 2) @ x.reshape(2, 2)), REAL, "unknown",
     "neither"),
    ("x * sign(x)", lambda x: np.sum(x * np.sign(x - 1.0)), REAL, "unknown", "neither"),
    ("branch on a value", _branchy, REAL, "unknown", "neither"),
    ("state changing inside f", _Alternating(), REAL, "unknown", "neither"),
    ("state rewiring f", _Rewired(), POSITIVE, "unknown", "neither"),
    # logaddexp of nonpositive arguments can be positive (logaddexp(0, 0) = log 2): no sign
    ("1 / -logaddexp(-sqrt(x), -1)", lambda x: np.sum(1.0 / -np.logaddexp(-np.sqrt(x), -1.0)),
     POSITIVE, "unknown", "neither"),
    ("log(exp(x) - logaddexp(-0.1, -0.1))",
     lambda x: np.log(np.exp(x[0]) - np.logaddexp(-0.1 * x[0] ** 0, -0.1)), REAL, "unknown",
     "neither"),
    # fmax and fmin drop a NaN: two functions convex on their domains joined into one that is not
    ("fmax(-sqrt(x), -sqrt(-x))", lambda x: np.sum(np.fmax(-np.sqrt(x), -np.sqrt(-x))), REAL,
     "unknown", "neither"),
    ("fmin(log(x), log(-x))", lambda x: np.sum(np.fmin(np.log(x), np.log(-x))), REAL,
     "unknown", "neither"),
    ("fmax.reduce", lambda x: np.sum(np.fmax.reduce(np.stack([-np.sqrt(x), -np.sqrt(-x)]))),
     REAL, "unknown", "neither"),
]
IDS = [row[0] for row in ROWS]
_ROWS_BY_NAME = {row[0]: row[1] for row in ROWS}
N = 4


def _points(domain, rng, k):
    x = rng.standard_normal((k, N)) * 2.0
    return np.abs(x) + 0.05 if domain == POSITIVE else x


@pytest.mark.parametrize("name, f, domain, expected, truth", ROWS, ids=IDS)
def test_never_claims_more_than_the_truth(name, f, domain, expected, truth):
    got = function_curvature(f, _points(domain, np.random.default_rng(1), 1)[0])
    assert got in CURVATURES
    if truth == "neither":
        assert got == "unknown"
    if got in ("convex", "concave"):
        assert truth in (got, "affine")
    if got in ("affine", "constant"):
        assert truth == "affine"


@pytest.mark.parametrize("name, f, domain, expected, truth", ROWS, ids=IDS)
def test_proves_what_the_rules_cover(name, f, domain, expected, truth):
    got = function_curvature(f, _points(domain, np.random.default_rng(1), 1)[0])
    if expected == "affine":
        assert got in ("affine", "constant")
    else:
        assert got == expected


@pytest.mark.parametrize("name, f, domain, expected, truth", ROWS, ids=IDS)
def test_claims_hold_at_random_midpoints(name, f, domain, expected, truth):
    rng = np.random.default_rng(2)
    got = function_curvature(f, _points(domain, rng, 1)[0])
    if got not in ("convex", "concave", "affine"):
        return
    sign = -1.0 if got == "concave" else 1.0
    a, c = _points(domain, rng, 50), _points(domain, rng, 50)
    for u, v in zip(a, c, strict=True):
        mid, ends = sign * f((u + v) / 2.0), sign * (f(u) + f(v)) / 2.0
        assert mid <= ends + 1e-9 * (1.0 + abs(ends))


def test_the_midpoint_check_catches_a_false_claim():
    # the check above can fail: x**3 on the reals violates it at some pair
    rng = np.random.default_rng(2)
    u, v = _points(REAL, rng, 50), _points(REAL, rng, 50)
    f = _ROWS_BY_NAME["x**3"]
    assert any(f((p + q) / 2.0) > (f(p) + f(q)) / 2.0 + 1e-9 for p, q in zip(u, v, strict=True))


def test_curvature_of_a_program_and_its_outputs():
    program, _ = stage(lambda x: (np.sum(np.exp(x)), np.sum(np.log(x)), x[0] * x[1]),
                       (np.ones(2),))
    assert [curvature(program, i) for i in range(3)] == ["convex", "concave", "unknown"]


def test_a_dynamic_program_is_unknown():
    program, _ = stage(_branchy, (np.ones(3),))
    assert program.dynamic_reason is not None
    assert curvature(program) == "unknown"


def test_an_error_while_tracing_is_unknown():
    def fails(x):
        raise RuntimeError("boom")

    assert function_curvature(fails, np.ones(2)) == "unknown"


def test_nonfinite_constants_prove_nothing():
    inf_matrix = np.array([[1.0, np.inf], [0.0, 1.0]])
    assert function_curvature(lambda x: np.sum(np.exp(inf_matrix @ x)), np.ones(2)) == "unknown"
    assert function_curvature(lambda x: np.sum(x ** 2) + np.nan * x[0], np.ones(2)) == "unknown"


def test_constant_signs_decide_scaled_convex_terms():
    assert function_curvature(lambda x: 2.0 * np.sum(x ** 2), np.ones(2)) == "convex"
    assert function_curvature(lambda x: -2.0 * np.sum(x ** 2), np.ones(2)) == "concave"
    w = np.array([1.0, -1.0])
    assert function_curvature(lambda x: np.sum(w * x ** 2), np.ones(2)) == "unknown"
    assert function_curvature(lambda x: np.sum(x ** 2 / w), np.ones(2)) == "unknown"
    assert function_curvature(lambda x: np.sum(x ** 2 / 0.0), np.ones(2)) == "unknown"


def test_a_users_primitive_named_like_an_atom_is_unknown():
    @optkit.custom_primitive(name="exp")
    def not_exp(x):
        return np.sin(x)

    not_exp.defjvp(lambda t, ans, x: t * np.cos(x))
    not_exp.defvjp(lambda g, ans, x: g * np.cos(x))
    assert function_curvature(lambda x: np.sum(not_exp(x)), np.ones(2)) == "unknown"


def test_is_convex_reads_the_curvature():
    assert is_convex(_logistic, np.zeros(N))
    assert is_convex(lambda x: np.sum(A @ x), np.zeros(N))
    assert not is_convex(lambda x: np.sum(np.log(x)), np.ones(N))
    assert not is_convex(_rosenbrock, np.zeros(N))
