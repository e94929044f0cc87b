"""optkit.scipy.least_squares and root: the Jacobian mode follows the shapes; large problems."""

import numpy as np
import pytest
import scipy.optimize as so
import scipy.sparse as sp
from scipy.sparse.linalg import LinearOperator

import optkit.scipy as oks

T = np.linspace(0.0, 3.0, 200)
Y = 2.0 * np.exp(-1.3 * T) + 0.5


def decay(p):
    """200 residuals, 3 parameters: forward mode (3 JVPs) beats reverse (200 VJPs)."""
    return p[0] * np.exp(-p[1] * T) + p[2] - Y


def decay_jac(p):
    e = np.exp(-p[1] * T)
    return np.stack([e, -p[0] * T * e, np.ones_like(T)], axis=1)


def test_least_squares_forward_mode_when_outputs_outnumber_inputs():
    ref = so.least_squares(decay, [1.0, 1.0, 0.0], jac=decay_jac)
    res = oks.least_squares(decay, [1.0, 1.0, 0.0])
    assert res.jac_mode == "forward"
    assert res.njvp == 3 * res.njev and res.nvjp == 0
    np.testing.assert_allclose(res.x, [2.0, 1.3, 0.5], rtol=1e-8)
    np.testing.assert_allclose(res.x, ref.x, rtol=1e-10)
    assert res.nfev == ref.nfev and res.njev == ref.njev


RNG_A = np.random.default_rng(0).standard_normal((3, 40))


def underdetermined(x):
    """3 residuals, 40 unknowns: reverse mode (3 VJPs over one tape) beats forward (40 JVPs)."""
    return RNG_A @ x - 1.0 + 0.1 * np.sum(x * x)


def test_least_squares_reverse_mode_when_inputs_outnumber_outputs():
    res = oks.least_squares(underdetermined, np.zeros(40))
    assert res.jac_mode == "reverse"
    assert res.nvjp == 3 * res.njev and res.njvp == 0
    assert res.cost < 1e-16
    J = 0.2 * res.x[None, :] + RNG_A
    np.testing.assert_allclose(res.jac, J, rtol=1e-12)


def test_jac_mode_can_be_forced_and_user_jac_passes_through():
    res = oks.least_squares(decay, [1.0, 1.0, 0.0], jac_mode="reverse")
    assert res.jac_mode == "reverse" and res.nvjp == 200 * res.njev
    ref = oks.least_squares(decay, [1.0, 1.0, 0.0], jac=decay_jac)
    assert "jac_mode" not in ref and ref.success


def broyden_tridiagonal(x):
    """More, Garbow & Hillstrom (1981), problem 30; tridiagonal Jacobian."""
    left = np.concatenate([np.zeros(1), x[:-1]])
    right = np.concatenate([x[1:], np.zeros(1)])
    return (3.0 - 2.0 * x) * x - left - 2.0 * right + 1.0


def test_linear_operator_jacobian_for_lsmr():
    n = 100
    res = oks.least_squares(broyden_tridiagonal, -np.ones(n), tr_solver="lsmr")
    assert res.jac_mode == "operator"
    assert isinstance(res.jac, LinearOperator)
    assert res.cost < 1e-16 and res.success
    assert res.njvp > 0 and res.nvjp > 0
    dense = oks.least_squares(broyden_tridiagonal, -np.ones(n))
    np.testing.assert_allclose(res.x, dense.x, rtol=1e-8)


def test_operator_products_are_jvp_and_vjp():
    from optkit.scipy_derivatives import VectorDerivatives

    vd = VectorDerivatives(broyden_tridiagonal)
    x = np.random.default_rng(1).standard_normal(30)
    op = vd.operator(x)
    J = vd.jac(x)
    v, u = np.ones(30), np.arange(30.0)
    np.testing.assert_allclose(op.matvec(v), J @ v, rtol=1e-12)
    np.testing.assert_allclose(op.rmatvec(u), J.T @ u, rtol=1e-12)
    np.testing.assert_allclose(op.matmat(v[:, None]).ravel(), J @ v, rtol=1e-12)


def test_sparse_jacobian_from_grouped_jvps():
    n = 300
    S = sp.diags_array([np.ones(n - 1), np.ones(n), np.ones(n - 1)], offsets=[-1, 0, 1])
    res = oks.least_squares(broyden_tridiagonal, -np.ones(n), jac_sparsity=S)
    assert res.jac_mode == "sparse" and sp.issparse(res.jac)
    assert res.njvp == 3 * res.njev  # a tridiagonal pattern needs 3 column groups
    assert res.cost < 1e-16
    from optkit.scipy_derivatives import VectorDerivatives

    dense = VectorDerivatives(broyden_tridiagonal).jac(res.x)
    np.testing.assert_allclose(res.jac.toarray(), dense, rtol=1e-12)


def test_large_problem_argument_errors():
    with pytest.raises(ValueError, match="'lm' needs a dense Jacobian"):
        oks.least_squares(decay, [1.0, 1.0, 0.0], method="lm", tr_solver="lsmr")
    with pytest.raises(ValueError, match="tr_solver"):
        oks.least_squares(decay, [1.0, 1.0, 0.0], tr_solver="exact",
                          jac_sparsity=np.ones((200, 3)))
    with pytest.raises(TypeError, match=r"x0\['rate'\]: dtype object"):  # issue 12
        oks.least_squares(decay, {"rate": np.array([None])})


# ---- root ------------------------------------------------------------------------------------
def square(x):
    return np.stack([x[0] + 0.5 * (x[0] - x[1]) ** 3 - 1.0, 0.5 * (x[1] - x[0]) ** 3 + x[1]])


def square_jac(x):
    d = 1.5 * (x[0] - x[1]) ** 2
    return np.array([[1 + d, -d], [-d, 1 + d]])


def test_root_hybr_square_system_reverse_mode():
    ref = so.root(square, [0.0, 0.0], jac=square_jac)
    res = oks.root(square, [0.0, 0.0])
    assert res.success and res.jac_mode == "reverse"  # a tie: one pass per output either way
    assert res.nvjp == 2 * res.njev
    np.testing.assert_allclose(res.x, ref.x, rtol=1e-12)
    assert res.njev == ref.njev
    assert res.nfev <= ref.nfev  # MINPACK's repeated calls at one point hit the cache


def test_root_lm_overdetermined_forward_mode():
    res = oks.root(decay, [1.0, 1.0, 0.0], method="lm")
    assert res.jac_mode == "forward" and res.njvp == 3 * res.njev
    np.testing.assert_allclose(res.x, [2.0, 1.3, 0.5], rtol=1e-8)


def test_root_methods_without_jacobian_run_unchanged():
    ref = so.root(square, [0.0, 0.0], method="krylov")
    res = oks.root(square, [0.0, 0.0], method="krylov")
    np.testing.assert_array_equal(res.x, ref.x)
    assert res.nfev > 0
