"""The caller's maximum step ``alphamax`` (LineSearches.jl's): no trial goes beyond it, and the
default inf changes nothing."""

import math

import pytest

from optkit.optim.errors import LineSearchError
from optkit.optim.linesearch import Backtracking, Nonmonotone, StrongWolfe


class RecordingLine:
    """phi(a) = (a - target)^2, recording every trial step."""

    def __init__(self, target):
        self.target = target
        self.trials = []

    def phi(self, a):
        self.trials.append(a)
        return (a - self.target) ** 2

    def phi_dphi(self, a):
        return self.phi(a), 2.0 * (a - self.target)


SEARCHES = [Backtracking(), Nonmonotone(), StrongWolfe()]


@pytest.mark.parametrize("search", SEARCHES, ids=lambda s: type(s).__name__)
@pytest.mark.parametrize("alpha0", [0.1, 1.0, 10.0])
def test_the_default_is_no_limit(search, alpha0):
    a, b = RecordingLine(3.0), RecordingLine(3.0)
    plain = search.search(a, 9.0, -6.0, alpha0)
    limited = search.search(b, 9.0, -6.0, alpha0, alphamax=math.inf)
    assert plain == limited and a.trials == b.trials


@pytest.mark.parametrize("search", SEARCHES, ids=lambda s: type(s).__name__)
@pytest.mark.parametrize("alphamax", [0.05, 0.5, 2.0])
def test_no_trial_goes_beyond_alphamax(search, alphamax):
    line = RecordingLine(3.0)
    found = search.search(line, 9.0, -6.0, 10.0, alphamax=alphamax)
    assert max(line.trials) <= alphamax and found.alpha <= alphamax


def test_strong_wolfe_takes_the_maximum_step_when_phi_falls_up_to_it():
    # the minimizer (a = 100) lies far beyond the box's edge at a = 0.5: phi falls all the way
    # and |phi'| > 0.9 |phi'(0)| there, so no Wolfe step exists inside; the edge is the answer
    line = RecordingLine(100.0)
    found = StrongWolfe().search(line, 1e4, -200.0, 0.1, alphamax=0.5)
    assert found.alpha == 0.5 and found.phi == pytest.approx(99.5 ** 2)


def test_strong_wolfe_own_alpha_max_still_fails_there():
    line = RecordingLine(100.0)
    with pytest.raises(LineSearchError, match="extrapolating"):
        StrongWolfe(alpha_max=0.5).search(line, 1e4, -200.0, 0.1)


class ConcaveLine(RecordingLine):
    """phi(a) = -a - a^2 / 2: falling ever more steeply (HS45 along a face has this shape)."""

    def __init__(self):
        super().__init__(None)

    def phi(self, a):
        self.trials.append(a)
        return -a - 0.5 * a * a

    def phi_dphi(self, a):
        return self.phi(a), -1.0 - a


def test_strong_wolfe_extrapolates_as_dcsrch_towards_a_callers_edge():
    # More & Thuente case 4 (slope steepening, nothing bracketed): a + 4 (a - a_prev), so
    # 1 -> 5 -> 21 reaches the edge at 13 in three trials
    line = ConcaveLine()
    found = StrongWolfe().search(line, 0.0, -1.0, 1.0, alphamax=13.0)
    assert line.trials == [1.0, 5.0, 13.0] and found.alpha == 13.0


def test_strong_wolfe_without_an_edge_keeps_its_cubic_extrapolation():
    # no caller's edge: the steps grow by the cubic's guess, within [1.1, 4] times the last
    line = ConcaveLine()
    with pytest.raises(LineSearchError, match="extrapolating"):
        StrongWolfe(maxiter=6).search(line, 0.0, -1.0, 1.0)
    ratios = [b / a for a, b in zip(line.trials[:-1], line.trials[1:], strict=True)]
    assert all(1.1 - 1e-12 <= r <= 4.0 + 1e-12 for r in ratios)
    assert line.trials[1] != 5.0
