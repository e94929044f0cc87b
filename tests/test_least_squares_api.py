"""optkit.least_squares: the front door (AD Jacobians in every mode, operator form, geodesic,
bounds, losses, structured x0, scipy's result fields, honest success, argument errors)."""

import numpy as np
import pytest
import scipy.optimize

import optkit
import problems

MGH = ["rosenbrock", "freudenstein-roth", "powell-badly-scaled", "brown-badly-scaled", "beale",
       "helical-valley", "powell-singular", "wood", "jennrich-sampson", "bard", "gaussian",
       "meyer", "gulf", "box-3d", "kowalik-osborne", "brown-dennis", "osborne1", "biggs-exp6",
       "osborne2"]
# the standard start of freudenstein-roth leads LM to the local minimum 48.98 (MGH)
LOCAL = {"freudenstein-roth": 48.98425367924}
# ceilings on residual evaluations of lm, measured at commit time; they may not rise silently
CEILING = {"meyer": 130, "brown-dennis": 270, "wood": 75}


def _target(p):
    return LOCAL.get(p.name, p.fstar)


@pytest.mark.parametrize("name", MGH)
def test_lm_solves_every_mgh_residual_problem(name):
    p = problems.get(name)
    res = optkit.least_squares(p.residuals, p.x0)
    assert res.success, res.message
    fstar = _target(p)
    assert abs(2 * res.cost - fstar) <= 1e-6 * max(1.0, fstar), (2 * res.cost, fstar)
    assert res.nfev <= CEILING.get(name, 60)
    assert np.allclose(res.fun, p.residuals(res.x))
    assert res.cost == pytest.approx(0.5 * res.fun @ res.fun)
    assert np.allclose(res.grad, res.jac.T @ res.fun)
    assert res.optimality == pytest.approx(np.max(np.abs(res.grad)))


def test_dense_modes_and_operator_agree_with_a_hand_written_jacobian():
    p = problems.get("osborne1")
    ref = scipy.optimize.least_squares(p.residuals, p.x0, method="lm", xtol=1e-12,
                                       ftol=1e-12, gtol=1e-12)
    for mode in ("forward", "reverse", "operator"):
        res = optkit.least_squares(p.residuals, p.x0, jac_mode=mode, x_scale=[1, 1, 1, 0.1, 0.1]
                                   if mode == "operator" else None, max_nfev=2000)
        assert res.success, (mode, res.message)
        assert res.jac_mode == mode
        assert 2 * res.cost == pytest.approx(2 * ref.cost, rel=1e-6), mode
    dense = optkit.least_squares(p.residuals, p.x0, jac_mode="forward")
    assert np.allclose(dense.jac, optkit.jacobian(p.residuals)(dense.x))


def test_the_callers_x0_is_left_alone():
    """The front door keeps a read-only copy of x0 for the solve, never the caller's array:
    it stays writable and unchanged, and writing into it afterwards changes no result."""
    p = problems.get("osborne1")
    x0 = np.array(p.x0, dtype=float)
    before = x0.copy()
    res = optkit.least_squares(p.residuals, x0, jac=optkit.jacobian(p.residuals))
    assert x0.flags.writeable
    np.testing.assert_array_equal(x0, before)
    x = res.x.copy()
    x0[:] = 0.0
    np.testing.assert_array_equal(res.x, x)


@pytest.mark.parametrize("loss", ["linear", "soft_l1"])
def test_result_arrays_are_the_callers_own(loss):
    """fun, jac, grad and x are writable arrays that nothing else holds: writing into them
    changes no other result, and a second solve gives equal, separate arrays."""
    p = problems.get("osborne1")
    first = optkit.least_squares(p.residuals, p.x0, loss=loss)
    second = optkit.least_squares(p.residuals, p.x0, loss=loss)
    r = p.residuals(first.x)
    np.testing.assert_array_equal(first.fun, r)  # the raw residuals, also with a loss
    for key in ("x", "fun", "jac", "grad"):
        a, b = first[key], second[key]
        np.testing.assert_array_equal(a, b)
        assert a.flags.writeable and not np.shares_memory(a, b), key
        for other in ("x", "fun", "jac", "grad"):
            assert other == key or not np.shares_memory(a, first[other]), (key, other)
    first.jac[:] = 0.0
    first.fun[:] = 0.0
    np.testing.assert_array_equal(second.fun, r)


def test_operator_form_never_forms_j():
    """A separable problem, m = 2n, solved with products only: jac is a LinearOperator."""
    n = 200
    t = np.linspace(0, 1, n)

    def residuals(x):
        return np.concatenate([x - t, 0.1 * (x[1:] - x[:-1])])

    for method in ("lm", "gn-cg"):
        res = optkit.least_squares(residuals, np.zeros(n), method, jac_mode="operator")
        assert res.success, res.message
        assert isinstance(res.jac, scipy.sparse.linalg.LinearOperator)
        assert res.optimality <= 1e-6


def test_geodesic_acceleration_uses_exact_second_directional_derivative():
    p = problems.get("meyer")
    plain = optkit.least_squares(p.residuals, p.x0)
    accel = optkit.least_squares(p.residuals, p.x0, geodesic=True)
    assert plain.success and accel.success
    assert 2 * accel.cost == pytest.approx(p.fstar, rel=1e-6)


def test_bounds_never_evaluate_outside_the_box():
    p = problems.get("rosenbrock")
    lb, ub = np.array([-2.0, -2.0]), np.array([0.5, 2.0])
    for method in ("lm", "gn-cg"):
        seen = []

        def residuals(x, seen=seen):
            if type(x) is np.ndarray:  # a plain evaluation, not an AD trace
                seen.append(np.array(x))
            return p.residuals(x)

        res = optkit.least_squares(residuals, p.x0, method, bounds=(lb, ub))
        ref = scipy.optimize.least_squares(p.residuals, p.x0, bounds=(lb, ub))
        assert res.success, res.message
        assert res.cost == pytest.approx(ref.cost, rel=1e-6)
        assert seen and all(np.all(x >= lb) and np.all(x <= ub) for x in seen)
        assert list(res.active_mask) == [1, 0]
        # the honest measure: the projected gradient, though g itself is not small
        assert res.optimality <= 1e-6 < np.max(np.abs(res.grad))


def test_bounds_inactive_at_the_solution_give_the_unconstrained_answer():
    p = problems.get("bard")
    res = optkit.least_squares(p.residuals, p.x0, bounds=optkit.Bounds(-5, 5))
    assert res.success and 2 * res.cost == pytest.approx(p.fstar, rel=1e-8)
    assert not res.active_mask.any()


@pytest.mark.parametrize("loss", ["soft_l1", "huber", "cauchy", "arctan"])
def test_robust_losses_match_scipy(loss):
    rng = np.random.default_rng(0)
    t = np.linspace(0, 3, 40)
    y = 2.0 * np.exp(-1.5 * t) + 0.02 * rng.standard_normal(40)
    y[::9] += 1.0  # outliers

    def residuals(x):
        return x[0] * np.exp(-x[1] * t) - y

    res = optkit.least_squares(residuals, [1.0, 1.0], loss=loss, f_scale=0.1)
    ref = scipy.optimize.least_squares(residuals, [1.0, 1.0], loss=loss, f_scale=0.1,
                                       xtol=1e-12, ftol=1e-12, gtol=1e-12)
    assert res.success, res.message
    assert res.cost == pytest.approx(ref.cost, rel=1e-6)
    assert np.allclose(res.x, ref.x, rtol=1e-4)


def test_structured_x0_comes_back_in_its_structure():
    t = np.linspace(0, 1, 20)
    y = 1.5 + 0.5 * t + 2.0 * t ** 2

    def residuals(params):
        return params["c"] + params["w"][0] * t + params["w"][1] * t ** 2 - y

    res = optkit.least_squares(residuals, {"c": np.array(0.0), "w": np.zeros(2)})
    assert res.success
    assert set(res.x) == {"c", "w"}
    assert float(res.x["c"]) == pytest.approx(1.5)
    assert np.allclose(res.x["w"], [0.5, 2.0])


def test_x0_is_read_by_the_same_rule_as_minimize():
    # a tuple or list of numbers is a plain vector (as optkit.minimize reads it); a tuple
    # holding arrays is a structure, and x comes back in it
    t = np.linspace(0, 1, 20)
    y = 1.5 + 0.5 * t

    def residuals(p):
        return p[0] + p[1] * t - y

    for x0 in ((0.0, 0.0), [0.0, 0.0], (0, np.float32(0.0))):
        seen = []
        res = optkit.least_squares(residuals, x0, callback=seen.append)
        assert res.success
        assert isinstance(res.x, np.ndarray) and res.x.shape == (2,)
        assert np.allclose(res.x, [1.5, 0.5])
        assert seen and all(isinstance(x, np.ndarray) and x.shape == (2,) for x in seen)
        assert optkit.minimize(lambda p: np.sum(residuals(p) ** 2), x0).x.shape == (2,)
    res = optkit.least_squares(residuals, (np.array(0.0), np.array(0.0)))
    assert isinstance(res.x, tuple) and len(res.x) == 2
    assert [float(v) for v in res.x] == pytest.approx([1.5, 0.5])


def test_structured_x0_errors_name_the_path():
    with pytest.raises(TypeError, match=r"x0\['w'\]: dtype object"):
        optkit.least_squares(lambda p: p["w"], {"w": np.array([None])})
    with pytest.raises(ValueError, match=r"x0\['w'\] must be finite"):
        optkit.least_squares(lambda p: p["w"], {"w": np.array([np.nan])})


def test_budget_exhaustion_is_not_success():
    p = problems.get("meyer")
    res = optkit.least_squares(p.residuals, p.x0, max_nfev=10)
    assert not res.success
    assert res.status_enum is optkit.optim.Status.MAXFEV
    assert res.nfev <= 10


@pytest.mark.parametrize("method, measure", [("lm", "max |cos(J_j, r)| = "),
                                             ("gn-cg", "projected ||J^T r||_inf = ")])
def test_a_failure_message_states_the_solvers_gtol_test(method, measure):
    """Not the driver's gtol (0 here): the solver's own measure, and the gtol the user gave."""
    p = problems.get("meyer")
    res = optkit.least_squares(p.residuals, p.x0, method, gtol=1e-7, max_nfev=10)
    assert not res.success
    assert "gtol = 0.00e+00" not in res.message
    assert measure in res.message and "gtol = 1.00e-07" in res.message


def test_args_and_callback_styles():
    t = np.linspace(0, 1, 10)
    seen_x, seen_result = [], []

    def residuals(x, scale):
        return x * scale - t

    optkit.least_squares(residuals, np.zeros(10), args=(2.0,), callback=seen_x.append)
    optkit.least_squares(residuals, np.zeros(10), args=(2.0,),
                         callback=lambda intermediate_result: seen_result.append(
                             intermediate_result))
    assert seen_x and isinstance(seen_x[-1], np.ndarray)
    assert seen_result and "nfev" in seen_result[-1]


def test_a_callback_stop_is_reported_as_such():
    """A stop the caller asked for (issue 10: a success, with its own status)."""
    p = problems.get("meyer")
    res = optkit.least_squares(p.residuals, p.x0, callback=lambda x: True)
    assert res.status_enum is optkit.optim.Status.CALLBACK_STOP
    assert res.success == res.status_enum.success
    assert res.nit == 1


@pytest.mark.parametrize("kwargs, error, word", [
    (dict(method="trf"), ValueError, "optkit.scipy.least_squares"),
    (dict(method="newton"), ValueError, "method"),
    (dict(loss="l2"), ValueError, "loss"),
    (dict(f_scale=0.0), ValueError, "f_scale"),
    (dict(ftol=-1.0), ValueError, "ftol"),
    (dict(max_nfev=0), ValueError, "max_nfev"),
    (dict(jac="2-point"), TypeError, "jac"),
    (dict(jac_mode="sparse"), ValueError, "jac_mode"),
    (dict(geodesic=1), TypeError, "geodesic"),
    (dict(method="gn-cg", geodesic=True), ValueError, "geodesic"),
    (dict(x_scale=[1.0]), ValueError, "x_scale"),
    (dict(method="gn-cg", x_scale=[1.0, 1.0]), ValueError, "x_scale"),
    (dict(bounds=([0.0, 0.0], [1.0, 1.0])), ValueError, "x0"),
    (dict(bounds="box"), TypeError, "bounds"),
    (dict(callback=3), TypeError, "callback"),
])
def test_bad_arguments_are_named(kwargs, error, word):
    p = problems.get("rosenbrock")
    with pytest.raises(error, match=word):
        optkit.least_squares(p.residuals, p.x0, **kwargs)


def test_bad_residuals_are_named():
    with pytest.raises(ValueError, match="not finite at x0"):
        optkit.least_squares(lambda x: np.log(x), [-1.0, 1.0])
    with pytest.raises(ValueError, match="1-D"):
        optkit.least_squares(lambda x: np.sum(x ** 2), [1.0, 1.0])
    with pytest.raises(TypeError, match="residuals must be callable"):
        optkit.least_squares(3, [1.0])
