"""The NIST StRD data as typed in: the certified parameters give the certified residual sum
of squares and standard errors (so a typo in the data fails), and LM reaches f* from NIST's
closer start ("Start 2")."""

import numpy as np
import pytest

import optkit
import problems
from problems.nist import CERTIFIED_ERRORS, STARTS_2

NAMES = problems.names("nist")


def test_the_nist_family_is_registered():
    assert len(NAMES) == 8
    assert all("least-squares" in problems.get(n).tags for n in NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_certified_values_reproduce_rss_and_standard_errors(name):
    p = problems.get(name)
    r = p.residuals(p.xstar)
    assert np.sum(r * r) == pytest.approx(p.fstar, rel=1e-8)
    jac = optkit.jacobian(p.residuals)(p.xstar)
    m, n = jac.shape
    cov = np.linalg.inv(jac.T @ jac) * np.sum(r * r) / (m - n)
    assert np.allclose(np.sqrt(np.diag(cov)), CERTIFIED_ERRORS[name], rtol=1e-7)


@pytest.mark.parametrize("name", NAMES)
def test_lm_reaches_the_certified_answer_from_start_2(name):
    p = problems.get(name)
    res = optkit.least_squares(p.residuals, STARTS_2[name])
    assert res.success, res.message
    assert 2 * res.cost == pytest.approx(p.fstar, rel=1e-8)
    # at ftol = 1e-8 x is known to a small fraction of its statistical uncertainty
    assert np.all(np.abs(res.x - p.xstar) <= 1e-3 * CERTIFIED_ERRORS[name])
