"""ResidualObjective: counting, caching, dense and operator forms, the scalar view."""

import pickle

import numpy as np
import pytest

from optkit.optim.residual import ResidualObjective

A = np.array([[1.0, 2.0], [0.0, 1.0], [3.0, -1.0]])


def fun(x):
    return A @ x + np.array([1.0, -2.0, 0.5]) + 0.1 * x[0] ** 2


def jac(x):
    out = A.copy()
    out[:, 0] += 0.2 * x[0]
    return out


def jvp(x, v):
    return jac(x) @ v


def vjp(x, u):
    return jac(x).T @ u


def test_counts_and_cache():
    obj = ResidualObjective(fun, jac)
    x = np.array([0.5, -1.0])
    obj.residuals(x)
    obj.cost(x)
    lin = obj.linearize(x)
    obj.linearize(x.copy())
    assert obj.counts() == (1, 1, 0)
    obj.residuals(x + 1)
    assert obj.nfev == 2
    assert lin.cost == pytest.approx(0.5 * np.sum(fun(x) ** 2))
    np.testing.assert_allclose(lin.grad, jac(x).T @ fun(x))
    with pytest.raises(ValueError):
        lin.r[0] = 1.0  # read-only
    # a new point through cost (the LM trial's path) and its linearization: read-only too
    x2 = x + 0.5
    obj.cost(x2)
    lin2 = obj.linearize(x2)
    assert obj.counts() == (3, 2, 0)
    for array in (obj.residuals(x2), lin2.r, lin2.dense, lin2.grad, lin2.column_norms()):
        assert not array.flags.writeable


def test_operator_form_counts_products():
    obj = ResidualObjective(fun, jvp=jvp, vjp=vjp)
    x = np.array([0.5, -1.0])
    lin = obj.linearize(x)  # one vjp for the gradient
    assert (obj.njvp, obj.nvjp) == (0, 1)
    np.testing.assert_allclose(lin.matvec(np.ones(2)), jac(x) @ np.ones(2))
    assert lin.dense is None and obj.njev == 2 and obj.njvp == 1
    with pytest.raises(ValueError, match="dense"):
        lin.column_norms()


def test_scalar_view_is_half_the_sum_of_squares():
    obj = ResidualObjective(fun, jac)
    x = np.array([0.3, 0.7])
    f, g = obj.f_and_g(x)
    assert obj.f(x) == f == pytest.approx(0.5 * fun(x) @ fun(x))
    for j in range(2):
        e = np.zeros(2)
        e[j] = 1e-6
        fd = 0.5 * (fun(x + e) @ fun(x + e) - fun(x - e) @ fun(x - e)) / 2e-6
        assert g[j] == pytest.approx(fd, rel=1e-7)
    assert not obj.has_hessp
    with pytest.raises(ValueError, match="hessp"):
        obj.hessp(x, x)


def test_non_finite_residuals_give_infinite_cost():
    obj = ResidualObjective(lambda x: np.array([np.inf, 0.0]), lambda x: np.eye(2))
    assert obj.cost(np.zeros(2)) == np.inf


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(fun=fun), ValueError, "jac"),
    (dict(fun=fun, jvp=jvp), ValueError, "jac"),
    (dict(fun=fun, jac=jac, jvp=jvp, vjp=vjp), ValueError, "jac"),
    (dict(fun=fun, jac=1), TypeError, "jac"),
    (dict(fun=None, jac=jac), ValueError, "fun"),
    (dict(fun=fun, jac=jac, loss="l3"), ValueError, "loss"),
])
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        ResidualObjective(**kwargs)


def test_bad_shapes_name_the_callable():
    obj = ResidualObjective(fun, lambda x: np.ones((2, 2)))
    with pytest.raises(ValueError, match="jac returned"):
        obj.linearize(np.zeros(2))
    obj = ResidualObjective(lambda x: np.ones((2, 2)), jac)
    with pytest.raises(ValueError, match="fun returned"):
        obj.residuals(np.zeros(2))
    obj = ResidualObjective(fun, jac)
    with pytest.raises(ValueError, match="rvv"):
        obj.rvv(np.zeros(2), np.ones(2))


def test_column_norm_estimate_from_products():
    """Operator form: sqrt(mean (J^T u)^2) over random signs u, within a factor of the exact
    norms for 64 samples, the same on every call; the dense form gives the exact norms."""
    rng = np.random.default_rng(0)
    big = rng.standard_normal((200, 5)) * np.array([1e-3, 1.0, 10.0, 1e4, 0.5])
    op = ResidualObjective(lambda x: big @ x, jvp=lambda x, v: big @ v,
                           vjp=lambda x, u: big.T @ u)
    lin = op.linearize(np.ones(5))
    exact = np.linalg.norm(big, axis=0)
    estimate = lin.column_norms_estimate(64)
    assert np.all((estimate > 0.7 * exact) & (estimate < 1.3 * exact))
    np.testing.assert_array_equal(lin.column_norms_estimate(64), estimate)
    assert op.nvjp == 1 + 2 * 64  # the gradient, then 64 products per estimate
    dense = ResidualObjective(lambda x: big @ x, lambda x: big).linearize(np.ones(5))
    np.testing.assert_allclose(dense.column_norms_estimate(4), exact)


@pytest.mark.parametrize("entry, finite", [(1.0, True), (1e200, True), (np.inf, False),
                                           (-np.inf, False), (np.nan, False)])
def test_finite_jacobian(entry, finite):
    """Decided by the column norms, but a huge finite column (its sum of squares overflows
    to inf) is still finite."""
    objective = ResidualObjective(lambda x: np.ones(2), lambda x: np.diag([x[0], 1.0]))
    assert objective.linearize(np.array([entry, 0.0])).finite_jacobian() is finite


def test_record_counts_once_and_answers_from_the_cache():
    calls = []

    def counted(x):
        calls.append(x)
        return fun(x)

    obj = ResidualObjective(counted, jac)
    x = np.array([0.5, -1.0])
    obj.record(x, fun(x))
    assert obj.nfev == 1 and obj.m == 3
    np.testing.assert_array_equal(obj.residuals(x.copy()), fun(x))
    assert obj.cost(x) == pytest.approx(0.5 * np.sum(fun(x) ** 2))
    assert calls == [] and obj.nfev == 1
    obj.residuals(x + 1.0)  # another point: evaluated and counted
    assert len(calls) == 1 and obj.nfev == 2


def test_record_checks_the_residuals():
    obj = ResidualObjective(fun, jac)
    with pytest.raises(ValueError, match="fun returned an array of shape"):
        obj.record(np.zeros(2), np.zeros((3, 1)))
    obj.record(np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError, match="expected shape \\(3,\\)"):
        obj.record(np.ones(2), np.zeros(4))


def test_record_keeps_a_handed_over_array_and_copies_otherwise():
    x = np.array([0.5, -1.0])
    given = fun(x)
    obj = ResidualObjective(fun, jac)
    obj.record(x, given)  # default: a copy, the caller's array left writable
    assert obj.residuals(x) is not given and given.flags.writeable
    owned = np.array(fun(x))
    obj = ResidualObjective(fun, jac)
    obj.record(x, owned, copy=False)  # handed over: kept as it is, made read-only
    assert obj.residuals(x) is owned and not owned.flags.writeable
    assert obj.nfev == 1 and obj.cost(x) == pytest.approx(0.5 * float(given @ given))
    as_ints = [1, 2]  # not a float64 array: copied whatever copy says
    obj = ResidualObjective(lambda z: np.array([1.0, 2.0]), jac)
    obj.record(x, as_ints, copy=False)
    np.testing.assert_array_equal(obj.residuals(x), [1.0, 2.0])


def _shifted_fun(x, shift, scale):
    return scale * (fun(x) - shift)


def _shifted_jac(x, shift, scale):
    return scale * jac(x)


@pytest.mark.parametrize("args", [(0.5, 2.0), ()])
def test_args_reach_fun_and_jac_and_survive_pickling(args):
    """``args`` are passed to fun and jac on every path (cost, residuals, linearize), and
    an objective holding them pickles (the bound callables are not lambdas)."""
    shift, scale = args or (0.0, 1.0)
    x = np.array([0.3, -1.2])
    if args:
        objective = ResidualObjective(_shifted_fun, _shifted_jac, args=args)
    else:
        objective = ResidualObjective(fun, jac)
    for obj in (objective, pickle.loads(pickle.dumps(objective))):
        r = scale * (fun(x) - shift)
        assert obj.cost(x) == 0.5 * float(r @ r)
        np.testing.assert_array_equal(obj.residuals(x), r)
        lin = obj.linearize(x)
        np.testing.assert_array_equal(lin.dense, scale * jac(x))
        np.testing.assert_allclose(lin.grad, (scale * jac(x)).T @ r, rtol=1e-15)
        assert obj.counts() == (1, 1, 0)
