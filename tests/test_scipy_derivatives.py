"""optkit.scipy.derivatives and the evaluation counts: no point is ever evaluated twice."""

import numpy as np
import pytest
import scipy.optimize as so

import optkit
import optkit.scipy as oks

X0 = np.array([-1.2, 1.0, -1.2, 1.0])


def rosen(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def tapped(points):
    """Rosenbrock behind an identity primitive whose value rule logs every evaluation point.

    A custom primitive's implementation runs on plain arrays once per pass of the objective
    (a plain call, a recording, a forward-over-reverse pass), so ``points`` is the list of
    every point the objective was evaluated at.
    """
    @optkit.custom_primitive
    def tap(x):
        points.append(np.array(x, dtype=float))
        return x

    tap.defjvp(lambda t, ans, x: t)
    tap.defvjp(lambda g, ans, x: g)
    return lambda x: rosen(tap(x))


SECOND_ORDER_AND_GRADIENT = ["CG", "BFGS", "L-BFGS-B", "TNC", "SLSQP", "Newton-CG", "trust-ncg",
                             "trust-krylov", "trust-constr", "dogleg", "trust-exact"]


HESSIAN_METHODS = ["Newton-CG", "trust-ncg", "trust-krylov", "trust-constr", "dogleg",
                   "trust-exact"]


@pytest.mark.parametrize("method", SECOND_ORDER_AND_GRADIENT)
def test_no_point_is_evaluated_twice(method):
    points = []
    res = oks.minimize(tapped(points), X0, method=method, compile=False)
    assert res.success
    distinct = {p.tobytes() for p in points}
    # every value/gradient pass is at a new point ...
    assert len(distinct) == res.nfev
    # ... and Hessian products at a point share one recording of its gradient
    tapes = len(points) - res.nfev
    assert 0 < tapes <= min(res.nfev, res.nhev) if method in HESSIAN_METHODS else tapes == 0


@pytest.mark.parametrize("method", SECOND_ORDER_AND_GRADIENT)
def test_no_point_is_evaluated_twice_compiled(method, monkeypatch):
    """Compiled programs run no Python per call: spy on the program entry points instead.

    With products to follow, f and g come from the HVP program's x part
    (``value_and_grad_for_hvp``), staged at x0 with one uncounted product at v = 0."""
    points, hvps = [], []
    cf = optkit.CompiledFunction
    vg, vg_for_hvp, hvp = cf.value_and_grad, cf.value_and_grad_for_hvp, cf.hvp
    inside = []

    def spy_vg(self, x):
        if not inside:
            points.append(np.array(x, dtype=float))
        return vg(self, x)

    def spy_vg_for_hvp(self, x):
        points.append(np.array(x, dtype=float))
        inside.append(True)  # its fallback, value_and_grad, is the same evaluation
        try:
            return vg_for_hvp(self, x)
        finally:
            inside.pop()

    def spy_hvp(self, x, v):
        hvps.append(len(points))  # evaluations before this product
        return hvp(self, x, v)

    monkeypatch.setattr(cf, "value_and_grad", spy_vg)
    monkeypatch.setattr(cf, "value_and_grad_for_hvp", spy_vg_for_hvp)
    monkeypatch.setattr(cf, "hvp", spy_hvp)
    res = oks.minimize(rosen, X0, method=method)
    assert res.success
    assert len(points) == len({p.tobytes() for p in points}) == res.nfev == res.njev
    staged = hvps.count(0)  # staged with the program at the first evaluation, not SciPy's
    assert staged == (1 if method in ("Newton-CG", "trust-ncg", "trust-krylov", "trust-constr")
                      else 0)
    assert len(hvps) - staged == (X0.size * res.nhev if method in ("dogleg", "trust-exact")
                                  else res.nhev)


def test_counts_are_scipy_calls_minus_cache_hits():
    calls = {"f": 0}

    def f(x):
        calls["f"] += 1
        return rosen(x)

    d = oks.derivatives(f, compile=False)
    res = so.minimize(d.fun, X0, jac=d.jac, method="L-BFGS-B")
    # eager AD calls f once per pass (recording), and L-BFGS-B asks for fun and jac together
    assert calls["f"] == d.nfev == res.nfev and d.njev == res.njev
    assert res.success


@pytest.mark.parametrize("compile_ad", [True, False])
def test_derivatives_object(compile_ad):
    d = oks.derivatives(rosen, compile=compile_ad)
    x = np.array([0.3, -0.2, 0.9, 1.4])
    p = np.array([1.0, 2.0, -1.0, 0.5])
    assert d.fun(x) == pytest.approx(so.rosen(x))
    np.testing.assert_allclose(d.jac(x), so.rosen_der(x), rtol=1e-12)
    f, g = d.fun_and_jac(x)
    assert f == pytest.approx(so.rosen(x))
    np.testing.assert_allclose(g, so.rosen_der(x), rtol=1e-12)
    np.testing.assert_allclose(d.hessp(x, p), so.rosen_hess_prod(x, p), rtol=1e-12)
    np.testing.assert_allclose(d.hess(x), so.rosen_hess(x), rtol=1e-12)
    assert (d.nfev, d.njev, d.nhev) == (1, 1, 2)
    q = np.array([0.5, -1.0, 2.0, 0.0])  # a second product at the same point
    np.testing.assert_allclose(d.hessp(x, q), so.rosen_hess_prod(x, q), rtol=1e-12)
    y = x + 0.25  # and at a new point
    np.testing.assert_allclose(d.hessp(y, p), so.rosen_hess_prod(y, p), rtol=1e-12)
    g[0] = 99.0  # returned arrays are copies: the cache cannot be corrupted
    np.testing.assert_allclose(d.jac(x), so.rosen_der(x), rtol=1e-12)


def test_derivatives_with_args_and_jac_true():
    def f(x, a):
        return a * np.sum(x ** 2)

    d = oks.derivatives(f, args=(3.0,))
    res = so.minimize(d.fun_and_jac, np.ones(3), jac=True, method="BFGS")
    assert res.success and np.allclose(res.x, 0, atol=1e-6)
    np.testing.assert_allclose(d.jac(np.ones(3), 2.0), 4.0 * np.ones(3))  # SciPy-passed args


def test_up_front_evaluation_is_cached_and_counted():
    res = oks.minimize(rosen, X0, method="BFGS", options={"maxiter": 0})
    assert res.nfev == res.njev == 1  # the check at x0 is the evaluation SciPy then uses


# ---- errors before the solve ------------------------------------------------------------------
def test_untraceable_fun_names_the_operation_and_the_way_around():
    def f(x):
        return np.sum(np.unwrap(x))

    with pytest.raises(optkit.NotDifferentiableError, match=r"unwrap.*jac="):
        oks.minimize(f, X0, method="BFGS", compile=False)
    res = oks.minimize(f, X0, method="BFGS", jac=lambda x: np.r_[len(x), np.zeros(len(x) - 1)],
                       options={"maxiter": 1})
    assert res.nfev >= 1  # a hand-written jac bypasses AD


def _once_differentiable():
    """sum(cube(x)^2) with a cube whose derivative rules use a primitive without rules:
    differentiable once, not twice."""
    @optkit.custom_primitive
    def dcube(x):  # no rules: differentiable zero times
        return 3.0 * x ** 2

    @optkit.custom_primitive
    def cube(x):
        return x ** 3

    cube.defvjp(lambda g, ans, x: g * dcube(x))  # differentiable once only
    cube.defjvp(lambda t, ans, x: t * dcube(x))

    def f(x):
        return np.sum(cube(x) ** 2)

    return f


def test_method_needing_hessian_rejects_once_differentiable_objective_up_front():
    f = _once_differentiable()

    assert oks.minimize(f, np.ones(3), method="L-BFGS-B", compile=False).success
    for method in ("trust-ncg", "Newton-CG", "dogleg"):
        with pytest.raises(optkit.NotDifferentiableError, match=rf"{method}.*(hessp|hess)="):
            oks.minimize(f, np.ones(3), method=method, compile=False)


def test_bad_x0_and_method():
    # an array of any shape is a one-leaf parameter structure (issue 12): raveled for SciPy,
    # given back in its shape
    res = oks.minimize(lambda x: rosen(x.ravel()), np.zeros((2, 2)), method="BFGS")
    assert res.x.shape == (2, 2) and np.allclose(res.x, 1.0, atol=1e-4)
    with pytest.raises(TypeError, match="x0"):
        oks.minimize(rosen, ["a", "b"])
    with pytest.raises(ValueError, match="did you mean 'bfgs'"):
        oks.minimize(rosen, X0, method="BFSG")
    with pytest.raises(TypeError, match="scalar"):
        oks.minimize(lambda x: x ** 2, X0, method="BFGS", compile=False)


def test_value_dependent_objective_gets_eager_hessian_products():
    def kinked(x):
        return rosen(x) + (0.0 if x[0] < 5 else 1.0)

    d = oks.derivatives(kinked)
    x = np.array([0.3, -0.2, 0.9, 1.4])
    p = np.array([1.0, 2.0, -1.0, 0.5])
    with pytest.warns(optkit.CompileWarning):
        d.jac(x)
    np.testing.assert_allclose(d.hessp(x, p), so.rosen_hess_prod(x, p), rtol=1e-12)
    np.testing.assert_allclose(d.hessp(x, 2 * p), 2 * so.rosen_hess_prod(x, p), rtol=1e-12)


# ---- products to follow: f and g from the HVP program's x part ----------------------------------
def test_products_follow_gives_the_same_values_and_counts():
    x = np.array([0.3, -0.2, 0.9, 1.4])
    p = np.array([1.0, 2.0, -1.0, 0.5])
    plain, shared = oks.Derivatives(rosen), oks.Derivatives(rosen, products_follow=True)
    for y in (x, x + 0.25):  # the staging point, then a point of the x part alone
        assert shared.fun(y) == plain.fun(y)
        assert shared.jac(y).tobytes() == plain.jac(y).tobytes()
        assert shared.hessp(y, p).tobytes() == plain.hessp(y, p).tobytes()
    assert (shared.nfev, shared.njev, shared.nhev) == (plain.nfev, plain.njev, plain.nhev)


def test_products_follow_with_a_value_dependent_objective_runs_eagerly():
    def kinked(x):
        return rosen(x) + (0.0 if x[0] < 5 else 1.0)

    d = oks.Derivatives(kinked, products_follow=True)
    x = np.array([0.3, -0.2, 0.9, 1.4])
    p = np.array([1.0, 2.0, -1.0, 0.5])
    with pytest.warns(optkit.CompileWarning):
        np.testing.assert_allclose(d.jac(x), so.rosen_der(x), rtol=1e-12)
    np.testing.assert_allclose(d.hessp(x, p), so.rosen_hess_prod(x, p), rtol=1e-12)
    assert (d.nfev, d.njev, d.nhev) == (1, 1, 1)


def test_compiled_method_needing_hessian_rejects_once_differentiable_objective_up_front():
    f = _once_differentiable()

    for method in ("trust-krylov", "Newton-CG"):  # the HVP is staged at the first evaluation
        with (pytest.warns(optkit.CompileWarning, match="dcube"),  # custom rules: eager
              pytest.raises(optkit.NotDifferentiableError, match=rf"{method}.*hessp=")):
            oks.minimize(f, np.ones(3), method=method)
