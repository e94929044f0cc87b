"""Line searches on scalar functions phi(alpha): the returned step satisfies the conditions."""

import math

import numpy as np
import pytest

from optkit.optim.errors import LineSearchError
from optkit.optim.linesearch import Backtracking, Line, Nonmonotone, StrongWolfe
from optkit.optim.objective import Objective


class ScalarLine:
    """A line given directly by phi and phi'; counts evaluations."""

    def __init__(self, phi, dphi):
        self._phi, self._dphi = phi, dphi
        self.calls = 0

    def phi(self, a):
        self.calls += 1
        return self._phi(a)

    def phi_dphi(self, a):
        self.calls += 1
        return self._phi(a), self._dphi(a)


def _mt_wiggly(a, beta=0.01, ell=39):
    """More & Thuente (1994), function 4 ingredient: a kinked base plus a fast sine."""
    if a <= 1 - beta:
        base, dbase = 1 - a, -1.0
    elif a >= 1 + beta:
        base, dbase = a - 1, 1.0
    else:
        base, dbase = (a - 1) ** 2 / (2 * beta) + beta / 2, (a - 1) / beta
    k = ell * math.pi / 2
    value = base + 2 * (1 - beta) / (ell * math.pi) * math.sin(k * a)
    return value, dbase + (1 - beta) * math.cos(k * a)


# (name, phi, dphi): More & Thuente (1994) test functions and two simple ones
PHIS = [
    ("quadratic", lambda a: (a - 1.0) ** 2, lambda a: 2.0 * (a - 1.0)),
    ("mt1", lambda a: -a / (a * a + 2.0), lambda a: (a * a - 2.0) / (a * a + 2.0) ** 2),
    ("mt2", lambda a: (a + 0.004) ** 5 - 2.0 * (a + 0.004) ** 4,
     lambda a: 5.0 * (a + 0.004) ** 4 - 8.0 * (a + 0.004) ** 3),
    ("mt4", lambda a: _mt_wiggly(a)[0], lambda a: _mt_wiggly(a)[1]),
    ("exp", lambda a: math.exp(-3.0 * a) + 0.5 * a, lambda a: -3.0 * math.exp(-3.0 * a) + 0.5),
]
ALPHA0 = [1e-3, 1e-1, 1.0, 10.0, 1e3]


@pytest.mark.parametrize("name, phi, dphi", PHIS, ids=[p[0] for p in PHIS])
@pytest.mark.parametrize("alpha0", ALPHA0)
@pytest.mark.parametrize("c1, c2", [(1e-4, 0.9), (1e-3, 0.1)])
def test_strong_wolfe_conditions_hold(name, phi, dphi, alpha0, c1, c2):
    line = ScalarLine(phi, dphi)
    phi0, dphi0 = phi(0.0), dphi(0.0)
    step = StrongWolfe(c1=c1, c2=c2).search(line, phi0, dphi0, alpha0)
    a = step.alpha
    assert a > 0
    assert phi(a) <= phi0 + c1 * a * dphi0
    assert abs(dphi(a)) <= c2 * abs(dphi0)
    assert step.phi == phi(a) and step.dphi == dphi(a)
    assert step.nfev == line.calls <= 30


@pytest.mark.parametrize("name, phi, dphi", PHIS, ids=[p[0] for p in PHIS])
@pytest.mark.parametrize("alpha0", ALPHA0)
@pytest.mark.parametrize("search", [Backtracking(), Backtracking(c1=0.3), Nonmonotone(memory=1)])
def test_armijo_condition_holds(name, phi, dphi, alpha0, search):
    line = ScalarLine(phi, dphi)
    phi0, dphi0 = phi(0.0), dphi(0.0)
    step = search.search(line, phi0, dphi0, alpha0)
    a = step.alpha
    assert 0 < a <= alpha0
    assert phi(a) <= phi0 + search.c1 * a * dphi0
    assert step.nfev == line.calls


def test_backtracking_interpolates_instead_of_halving():
    # phi = (a - 1)^2 from alpha0 = 100: one quadratic interpolation lands inside [0.1, 0.5] x 100
    line = ScalarLine(lambda a: (a - 1.0) ** 2, lambda a: 2.0 * (a - 1.0))
    step = Backtracking().search(line, 1.0, -2.0, 100.0)
    assert step.nfev <= 4  # halving would need 7 evaluations to get below 2
    assert step.alpha < 2.0


def test_backtracking_accepts_first_trial_when_good():
    line = ScalarLine(lambda a: (a - 1.0) ** 2, lambda a: 2.0 * (a - 1.0))
    step = Backtracking().search(line, 1.0, -2.0, 1.0)
    assert (step.alpha, step.nfev) == (1.0, 1)


@pytest.mark.parametrize("search", [Backtracking(), StrongWolfe(), Nonmonotone()])
def test_non_finite_trial_backtracks(search):
    def phi(a):
        return math.inf if a > 3.0 else (a - 2.0) ** 2

    def dphi(a):
        return math.nan if a > 3.0 else 2.0 * (a - 2.0)

    step = search.search(ScalarLine(phi, dphi), 4.0, -4.0, 100.0)
    assert 0 < step.alpha <= 3.0
    assert phi(step.alpha) <= 4.0 - 1e-4 * step.alpha * 4.0


@pytest.mark.parametrize("search", [Backtracking(maxiter=5), StrongWolfe(maxiter=5)])
def test_failure_raises_with_best_trial(search):
    # phi decreases only on a tiny interval near 0: no acceptable step within 5 trials
    def phi(a):
        return -a if a < 1e-12 else a

    def dphi(a):
        return -1.0 if a < 1e-12 else 1.0

    with pytest.raises(LineSearchError) as info:
        search.search(ScalarLine(phi, dphi), 0.0, -1.0, 1.0)
    err = info.value
    assert err.nfev == 5 and err.alpha == 0.0 and err.phi == 0.0
    assert err.status.name == "LINESEARCH_FAILED"


def test_strong_wolfe_failure_keeps_best_decreasing_step():
    # phi keeps decreasing forever: extrapolation stops at alpha_max with that step as best
    line = ScalarLine(lambda a: -a, lambda a: -1.0)
    with pytest.raises(LineSearchError) as info:
        StrongWolfe(alpha_max=100.0).search(line, 0.0, -1.0, 1.0)
    assert info.value.alpha == 100.0 and info.value.phi == -100.0


@pytest.mark.parametrize("search", [Backtracking(), StrongWolfe(), Nonmonotone()])
def test_ascent_direction_is_refused(search):
    with pytest.raises(LineSearchError, match="descent"):
        search.search(ScalarLine(lambda a: a, lambda a: 1.0), 0.0, 1.0, 1.0)


def test_nonmonotone_accepts_increase_below_reference():
    line = ScalarLine(lambda a: 1.0 + a, lambda a: 1.0)  # phi rises, but under the reference
    step = Nonmonotone().search(line, 1.0, -1.0, 1.0, phi_ref=5.0)
    assert step.alpha == 1.0 and step.phi == 2.0 <= 5.0 - 1e-4
    with pytest.raises(LineSearchError):
        Backtracking(maxiter=10).search(ScalarLine(lambda a: 1.0 + a, lambda a: 1.0), 1.0, -1.0,
                                        1.0)


@pytest.mark.parametrize("make, match", [
    (lambda: StrongWolfe(c1=0.5, c2=0.4), "c1, c2"),
    (lambda: StrongWolfe(maxiter=0), "maxiter"),
    (lambda: StrongWolfe(alpha_max=-1.0), "alpha_max"),
    (lambda: Backtracking(c1=1.5), "c1"),
    (lambda: Backtracking(shrink_min=0.6), "shrink_min"),
    (lambda: Nonmonotone(memory=0), "memory"),
])
def test_bad_options_name_the_parameter(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_line_on_objective_reuses_the_accepted_point():
    obj = Objective(lambda x: float(x @ x), lambda x: 2.0 * x)
    x, p = np.array([1.0, 1.0]), np.array([-1.0, -1.0])
    line = Line(obj, x, p)
    step = StrongWolfe().search(line, 2.0, -4.0, 1.0)
    counts = obj.counts()
    xa, fa, ga = line.point(step.alpha)
    assert obj.counts() == counts  # no new evaluation
    assert fa == step.phi and np.allclose(xa, x + step.alpha * p) and np.allclose(ga, 2 * xa)


# ---- approximate Wolfe (Hager & Zhang 2005) -----------------------------------------------------
def _drowned_quadratic():
    """phi = 1 + 1e-20 (a - 1)^2: its decrease is far below the rounding of phi = 1, so phi
    reads 1.0 everywhere near the minimizer, while the slopes are exact."""
    return ScalarLine(lambda a: 1.0 + 1e-20 * (a - 1.0) ** 2, lambda a: 2e-20 * (a - 1.0))


def test_slopes_decide_where_phi_rounding_hides_the_decrease():
    line = _drowned_quadratic()
    dphi0 = -2e-20
    step = StrongWolfe().search(line, 1.0, dphi0, 0.3)
    # approximate Wolfe: phi'(a) <= (2 c1 - 1) phi'(0) and |phi'(a)| <= c2 |phi'(0)|
    assert step.dphi <= (2 * 1e-4 - 1) * dphi0 and abs(step.dphi) <= 0.9 * abs(dphi0)
    assert 0.1 <= step.alpha <= 1.9


def test_without_the_noise_allowance_the_drowned_search_fails():
    with pytest.raises(LineSearchError):
        StrongWolfe(noise=0.0).search(_drowned_quadratic(), 1.0, -2e-20, 0.3)


def test_slopes_do_not_decide_where_phi_can_tell():
    # (a - 1)^2: phi resolves its decrease, so the exact conditions apply as before
    line = ScalarLine(lambda a: (a - 1.0) ** 2, lambda a: 2.0 * (a - 1.0))
    step = StrongWolfe().search(line, 1.0, -2.0, 0.3)
    assert step.phi <= 1.0 + 1e-4 * step.alpha * -2.0


def test_noise_must_be_a_fraction():
    with pytest.raises(ValueError, match="noise must lie in"):
        StrongWolfe(noise=1.0)


def test_line_point_at_the_last_trial_evaluates_nothing_more():
    calls = []

    def fun_and_jac(x):
        calls.append(np.array(x))
        return float(x @ x), 2.0 * x

    x = np.array([1.0, -2.0])
    line = Line(Objective(fun_and_jac=fun_and_jac), x, -x)
    f, dphi = line.phi_dphi(0.25)
    xt, ft, gt = line.point(0.25)
    assert len(calls) == 1
    np.testing.assert_array_equal(xt, 0.75 * x)
    assert ft == f == 0.5625 * 5.0 and dphi == float(gt @ -x)
    xs, fs, _ = line.point(0.5)  # another step: evaluated there
    assert len(calls) == 2 and fs == 0.25 * 5.0
    np.testing.assert_array_equal(xs, 0.5 * x)
