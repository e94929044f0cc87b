"""smallest_curvature: Lanczos from a random start finds negative curvature, and only that."""

import numpy as np
import pytest

from optkit.optim import curvature
from optkit.optim.curvature import certified_lower_bound, smallest_curvature
from optkit.optim.errors import NumericalError


def _matrix(eigenvalues, seed=0):
    """A dense symmetric matrix with the given spectrum in a random orthonormal basis."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((len(eigenvalues), len(eigenvalues))))
    return (q * np.asarray(eigenvalues, dtype=float)) @ q.T


class _Counting:
    def __init__(self, a):
        self.a, self.calls = a, 0

    def __call__(self, v):
        self.calls += 1
        return self.a @ v


def _run(a, steps=20, threshold=1e-6, seed=0, delta=0.0):
    hessp = _Counting(a)
    found = smallest_curvature(hessp, a.shape[0], steps=steps, threshold=threshold,
                               rng=np.random.default_rng(seed), delta=delta)
    assert found.products == hessp.calls
    return found


def test_finds_negative_curvature_and_its_direction():
    eigenvalues = np.concatenate([[-0.5], np.linspace(1.0, 10.0, 7)])
    a = _matrix(eigenvalues)
    found = _run(a)
    assert found.direction is not None
    assert np.linalg.norm(found.direction) == pytest.approx(1.0)
    curvature = float(found.direction @ a @ found.direction)
    assert curvature == pytest.approx(found.smallest, abs=1e-12)
    assert found.smallest < -1e-6 * 10.0
    assert found.products <= a.shape[0]


def test_stops_as_soon_as_negative_curvature_shows():
    a = np.diag(np.concatenate([[-5.0], np.linspace(1.0, 2.0, 99)]))
    found = _run(a, steps=50)
    assert found.direction is not None and found.products < 50


def test_positive_definite_hessian_gives_no_direction():
    a = _matrix(np.logspace(0, 6, 30))
    found = _run(a)
    assert found.direction is None and found.products == 20
    assert 1.0 - 1e-8 <= found.smallest <= found.largest <= 1e6 * (1 + 1e-8)


def test_curvature_below_the_relative_threshold_is_ignored():
    a = _matrix([-1e-9, 1.0, 2.0, 3.0])  # -1e-9 relative to ||H|| = 3 is rounding-level
    found = _run(a, threshold=1e-6)
    assert found.direction is None and found.smallest < 0


def test_invariant_subspace_stops_early():
    found = _run(np.eye(12) * 2.0)
    assert found.products == 1 and found.smallest == pytest.approx(2.0)


def test_sees_the_direction_a_gradient_started_krylov_space_misses():
    # H keeps the symmetric vectors (1, 1, ...) and the antisymmetric ones apart; a random
    # start has components in both, so the negative antisymmetric curvature is found.
    a = np.array([[1.0, 3.0], [3.0, 1.0]])  # eigenvalues 4 along (1, 1), -2 along (1, -1)
    found = _run(a)
    assert found.products == 1  # the first Ritz value is already negative: stop there
    assert -2.0 <= found.smallest < 0
    assert float(found.direction @ a @ found.direction) == pytest.approx(found.smallest)


def test_without_a_stored_basis_the_second_pass_rebuilds_the_same_direction(monkeypatch):
    eigenvalues = np.concatenate([[-0.3, -0.1], np.linspace(0.5, 4.0, 38)])
    a = _matrix(eigenvalues, seed=1)
    kept = _run(a, seed=2)
    monkeypatch.setattr(curvature, "_BASIS_BUDGET", 0)
    rebuilt = _run(a, seed=2)
    assert rebuilt.products > kept.products  # the second pass repeats the products
    assert rebuilt.direction is not None
    assert float(rebuilt.direction @ a @ rebuilt.direction) < 0
    assert rebuilt.smallest == pytest.approx(kept.smallest, rel=1e-6)
    assert abs(float(rebuilt.direction @ kept.direction)) == pytest.approx(1.0, abs=1e-6)


def test_same_seed_same_answer():
    a = _matrix([-1.0, 1.0, 2.0, 5.0, 7.0])
    one, two = _run(a, seed=7), _run(a, seed=7)
    np.testing.assert_array_equal(one.direction, two.direction)


def test_non_finite_product_is_numerical_trouble():
    with pytest.raises(NumericalError, match="non-finite"):
        smallest_curvature(lambda v: v * np.nan, 3, steps=3, threshold=1e-6,
                           rng=np.random.default_rng(0))


def test_certificate_stops_early_on_a_well_conditioned_positive_definite_hessian():
    a = _matrix(np.linspace(1.0, 1.5, 300))
    found = _run(a, steps=40, delta=1e-3)
    assert found.certified and found.direction is None
    assert 2 < found.products < 40
    assert _run(a, steps=40).products == 40  # delta = 0: every step


def test_certificate_does_not_stop_an_ill_conditioned_run():
    found = _run(_matrix(np.logspace(0, 6, 30)), delta=1e-3)
    assert not found.certified and found.products == 20


@pytest.mark.parametrize("seed", range(10))
def test_certificate_is_not_given_where_negative_curvature_hides(seed):
    # one small negative eigenvalue among 99 in [1, 2]: early Ritz values are all positive,
    # yet the bound must never certify; the run ends by finding the curvature or at steps
    a = _matrix(np.concatenate([[-0.05], np.linspace(1.0, 2.0, 99)]), seed=seed)
    found = _run(a, steps=60, delta=1e-3, seed=seed)
    assert not found.certified


@pytest.mark.parametrize("seed", range(10))
def test_certified_lower_bound_lies_below_the_smallest_eigenvalue(seed):
    rng = np.random.default_rng(seed)
    eigenvalues = np.sort(rng.uniform(-1.0, 3.0, 80))
    a = _matrix(eigenvalues, seed=seed)
    n, p = a.shape[0], 1e-3
    # the extreme Ritz values of k-step Lanczos: the Rayleigh-Ritz values on the Krylov space
    q = rng.standard_normal(n)
    basis = [q / np.linalg.norm(q)]
    for k in range(1, 40):
        qk, _ = np.linalg.qr(np.column_stack(basis))
        theta = np.linalg.eigvalsh(qk.T @ a @ qk)
        assert certified_lower_bound(theta[0], theta[-1], k, n, p) <= eigenvalues[0]
        basis.append(a @ basis[-1])
        basis[-1] /= np.linalg.norm(basis[-1])


def test_certified_lower_bound_says_nothing_too_early():
    assert certified_lower_bound(1.0, 1.0, 1, 100, 1e-3) == -np.inf
    assert certified_lower_bound(1.0, 2.0, 3, 100, 1e-3) == -np.inf
    assert certified_lower_bound(1.0, 1.0, 30, 100, 0.0) == -np.inf
