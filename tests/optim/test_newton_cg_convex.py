"""Newton-CG skips its second-order check on an objective proven convex (Objective.convex)."""

import numpy as np
import pytest

from optkit.optim import NewtonCG, Objective, solve

D = np.array([1.0, 4.0, 9.0, 16.0])  # a convex quadratic f = 1/2 sum(d (x - 1)^2)


def _f(x):
    return float(0.5 * np.sum(D * (x - 1.0) ** 2))


def _g(x):
    return D * (x - 1.0)


def _hessp(x, p):
    return D * p


def test_proven_convex_skips_the_check_and_says_so():
    plain = solve(_f, np.zeros(4), NewtonCG(), jac=_g, hessp=_hessp, gtol=1e-10)
    off = solve(_f, np.zeros(4), NewtonCG(saddle_check=0), jac=_g, hessp=_hessp, gtol=1e-10)
    proven = solve(_f, np.zeros(4), NewtonCG(), jac=_g, hessp=_hessp, gtol=1e-10,
                   convex=True)
    assert plain.success and proven.success
    np.testing.assert_allclose(proven.x, np.ones(4), atol=1e-9)
    assert proven.nhev == off.nhev < plain.nhev  # the check's products, and only they, gone
    assert proven.second_order_check == "skipped: f proven convex"
    assert "second_order_check" not in plain


def test_a_deferred_proof_runs_once_and_only_when_read():
    calls = []

    def proof():
        calls.append(1)
        return True

    objective = Objective(_f, _g, _hessp, convex=proof)
    assert calls == []
    assert objective.convex and objective.convex
    assert calls == [1]
    assert not Objective(_f, _g, convex=lambda: False).convex
    assert not Objective(_f, _g).convex


def test_newton_cg_asks_for_the_proof_only_when_its_check_would_run():
    calls = []

    def proof():
        calls.append(1)
        return True

    solve(_f, np.zeros(4), NewtonCG(saddle_check=0), jac=_g, hessp=_hessp, convex=proof)
    solve(_f, np.zeros(4), "lbfgs", jac=_g, convex=proof)
    assert calls == []
    res = solve(_f, np.zeros(4), NewtonCG(), jac=_g, hessp=_hessp, convex=proof)
    assert calls == [1] and res.second_order_check == "skipped: f proven convex"


def test_in_a_box_the_check_is_off_anyway_and_no_proof_is_asked():
    res = solve(_f, np.zeros(4), NewtonCG(), jac=_g, hessp=_hessp, bounds=[(0, 0.5)] * 4,
                convex=lambda: pytest.fail("the proof was asked for"))
    assert res.success and "second_order_check" not in res


def test_convex_must_be_a_bool_or_a_proof():
    with pytest.raises(TypeError, match="convex"):
        Objective(_f, _g, convex="yes")
