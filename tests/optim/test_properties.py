"""Property tests: every solver on random problems with known minimizers.

Hypothesis draws the problem (dimension, spectrum, rotation, start) and the examples are
derandomized, so CI sees the same ones on every run.
"""

import numpy as np
from _problems import rosenbrock
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optkit.optim import Status, solve

SETTINGS = settings(derandomize=True, max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
CONVERGED = {Status.CONVERGED_GTOL, Status.CONVERGED_FTOL}


@st.composite
def quadratics(draw):
    """(A, b, x0): f = 1/2 x.A x - b.x with A symmetric positive definite, cond <= 1e4."""
    n = draw(st.integers(1, 30))
    seed = draw(st.integers(0, 2**32 - 1))
    log_cond = draw(st.floats(0.0, 4.0))
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    eigenvalues = np.logspace(0.0, log_cond, n) * draw(st.floats(1e-2, 1e2))
    a = (q * eigenvalues) @ q.T
    a = 0.5 * (a + a.T)
    return a, rng.standard_normal(n), rng.standard_normal(n) * draw(st.floats(0.1, 100.0))


def _quadratic(a, b):
    return (lambda x: float(0.5 * x @ a @ x - b @ x), lambda x: a @ x - b,
            lambda x, p: a @ p)


@SETTINGS
@given(quadratics())
def test_lbfgs_and_newton_cg_find_the_minimizer_of_any_spd_quadratic(problem):
    a, b, x0 = problem
    fun, jac, hessp = _quadratic(a, b)
    xstar = np.linalg.solve(a, b)
    eigenvalues = np.linalg.eigvalsh(a)
    # g = A x - b is computed with an error of about n eps (||A|| ||x|| + ||b||): ask for ten
    # digits of that scale, far above rounding and far below anything a solver could fake
    scale = eigenvalues[-1] * max(np.linalg.norm(xstar), np.linalg.norm(x0)) + np.linalg.norm(b)
    gtol = 1e-10 * scale
    for method in ("lbfgs", "newton-cg"):
        res = solve(fun, x0, method, jac=jac, hessp=hessp, gtol=gtol, ftol=0.0)
        assert res.status_enum is Status.CONVERGED_GTOL, (method, res.message)
        assert np.max(np.abs(res.jac)) <= gtol
        # ||x - x*|| <= ||A x - b|| / lambda_min, up to the rounding of g itself
        bound = (np.linalg.norm(res.jac) + 1e-13 * scale) / eigenvalues[0]
        assert np.linalg.norm(res.x - xstar) <= bound
        assert res.fun <= fun(x0)


@SETTINGS
@given(quadratics())
def test_gradient_descent_never_increases_f_and_ends_with_a_status(problem):
    a, b, x0 = problem
    fun, jac, _ = _quadratic(a, b)
    seen = [fun(x0)]
    res = solve(fun, x0, "gd", jac=jac, maxiter=200, callback=lambda r: seen.append(r.fun))
    assert all(later <= earlier for earlier, later in zip(seen[:-1], seen[1:], strict=True))
    assert res.status_enum in CONVERGED | {Status.MAXITER}
    assert res.fun == min(seen) or res.success


@st.composite
def rosenbrock_starts(draw):
    n = draw(st.integers(2, 12))
    seed = draw(st.integers(0, 2**32 - 1))
    return np.random.default_rng(seed).uniform(-2.0, 2.0, size=n)


@SETTINGS
@given(rosenbrock_starts())
def test_newton_cg_reaches_a_second_order_point_of_rosenbrock_from_anywhere(x0):
    # this (chained) Rosenbrock has the minimum f = 0 at ones and, for 4 <= n <= 30, one more
    # local minimum near x_1 = -1 (Kok & Sandrock 2009); newton-cg must stop at a point with a
    # positive definite Hessian, that is at one of the two
    n = x0.size
    prob = rosenbrock(n)
    res = solve(prob.fun, x0, "newton-cg", jac=prob.jac, hessp=prob.hessp)
    assert res.status_enum is Status.CONVERGED_GTOL, res.message
    hessian = np.column_stack([prob.hessp(res.x, e) for e in np.eye(n)])
    assert np.linalg.eigvalsh(hessian)[0] > 0
    assert res.fun < 1e-8 or (n >= 4 and res.x[0] < 0)
