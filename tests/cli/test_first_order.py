"""A scipy: method's success in the CLI follows optkit's first-order test at SciPy's x (the
projected gradient in a box), whatever SciPy claims; SciPy's claim and message stay visible."""

import numpy as np
import pytest

import optkit
from optkit import problems


def test_powell_in_a_box_claims_success_far_from_the_minimum(cli):
    run = cli("solve", "rosenbrock-box", "-m", "scipy:Powell", "--json")
    doc = run.json()
    assert doc["scipy_success"] is True                     # SciPy's own claim, kept
    assert doc["message"] == "Optimization terminated successfully."
    assert doc["fun_minus_fstar"] > 1e-3                    # and it is not a minimizer
    assert doc["pgnorm"] > 1e-5 and doc["first_order"].startswith("fails: |P(x-g)-x|_inf")
    assert doc["success"] is False and doc["status"] == "failed" and run.code == 1


def test_the_summary_shows_both_verdicts(cli):
    run = cli("solve", "rosenbrock-box", "-m", "scipy:Powell")
    assert run.code == 1
    lines = dict(line.split(None, 1) for line in run.stdout.splitlines()
                 if line.startswith(("status", "scipy says")))
    assert lines["status"].startswith("failed: first-order test fails")
    assert run.stdout.count("scipy says") == 1
    assert "says     success: Optimization terminated successfully." in run.stdout


def test_lbfgsb_ftol_stop_is_not_a_success_unless_the_gradient_test_holds(cli):
    run = cli("solve", "rosenbrock", "-m", "scipy:L-BFGS-B", "--json")
    doc = run.json()
    assert doc["scipy_success"] is True and "RELATIVE REDUCTION OF F" in doc["message"]
    assert doc["gnorm"] > 1e-5 and doc["success"] is False and run.code == 1
    # the same solve judged at a gtol the point meets is a success
    loose = cli("solve", "rosenbrock", "-m", "scipy:L-BFGS-B", "-O", "ftol=2.2e-9",
                "--gtol", "1e-3", "--json")
    assert loose.json()["success"] is True and loose.code == 0


def test_a_first_order_point_is_a_success_even_when_scipy_says_otherwise(cli):
    # hs4's start is one step from its corner minimizer; one iteration gets there, and SciPy
    # reports the iteration limit
    p = problems.get("hs4")
    run = cli("solve", "hs4", "-m", "scipy:L-BFGS-B", "--maxiter", "1", "--json")
    doc = run.json()
    assert doc["scipy_success"] is False
    np.testing.assert_allclose(doc["x"], p.xstar)
    assert doc["pgnorm"] <= 1e-5 and doc["success"] is True and run.code == 0


@pytest.mark.parametrize("method", ["scipy:Powell", "scipy:Nelder-Mead", "scipy:TNC",
                                    "scipy:SLSQP", "scipy:trust-constr"])
def test_success_implies_the_first_order_test_for_every_bounded_scipy_method(cli, method):
    p = problems.get("hs110")
    doc = cli("solve", "hs110", "-m", method, "--json").json()
    x = np.array(doc["x"])
    pgnorm = p.bounds.projected_gradient_norm(x, np.asarray(optkit.grad(p.objective)(x)))
    assert doc["pgnorm"] == pytest.approx(pgnorm, rel=1e-12, abs=1e-15)
    assert doc["success"] == (pgnorm <= 1e-5)
