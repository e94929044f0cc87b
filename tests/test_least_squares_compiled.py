"""optkit.least_squares's AD derivatives from compiled programs (optkit.residual_ad), and the
programs kept for later solves (optkit.residual_programs)."""

import warnings

import numpy as np
import pytest

import optkit
import optkit.residual_ad as residual_ad
from optkit import problems, residual_programs
from optkit.residual_ad import JAC_WARMUP, ResidualDerivatives

MGH = ["rosenbrock", "freudenstein-roth", "powell-badly-scaled", "brown-badly-scaled", "beale",
       "helical-valley", "powell-singular", "wood", "jennrich-sampson", "bard", "gaussian",
       "meyer", "gulf", "box-3d", "kowalik-osborne", "brown-dennis", "osborne1", "biggs-exp6",
       "osborne2"]
LIBRARY = MGH + list(problems.names("nist"))


@pytest.fixture(autouse=True)
def no_kept_programs():
    residual_programs.clear()
    yield
    residual_programs.clear()


@pytest.fixture
def short_warmup(monkeypatch):
    """A warm-up of 2 J's, so that the short fits below compile in their first solve."""
    monkeypatch.setattr(residual_ad, "JAC_WARMUP", 2)
    return 2


def _points(x0, k):
    rng = np.random.default_rng(0)
    scale = np.maximum(np.abs(x0), 1e-2)
    return [x0] + [x0 + 1e-2 * scale * rng.standard_normal(x0.size) for _ in range(k - 1)]


def _same_jacobians(fun, x0, mode, m, calls=JAC_WARMUP + 3):
    """The compiled J past its warm-up against eager AD's, bit for bit, at ``calls`` points."""
    compiled = ResidualDerivatives(fun, mode, residuals=m)
    eager = ResidualDerivatives(fun, mode, residuals=m, compile=False)
    for x in _points(x0, calls):
        J = compiled.jac(x)
        assert np.array_equal(J, eager.jac(x)), (mode, x)


# ---- J equal to the eager one, bit for bit --------------------------------------------------
@pytest.mark.parametrize("name", LIBRARY)
def test_the_compiled_jacobian_is_the_eager_one_bit_for_bit(name, stagings, monkeypatch):
    """Each tier: eager, the product program per column (row), the unrolled program."""
    monkeypatch.setattr(residual_ad, "UNROLL_AFTER", 2)
    p = problems.get(name)
    x0 = np.asarray(p.x0, dtype=float)
    m = p.residuals(x0).size
    for mode in ("forward", "reverse"):
        del stagings[:]
        _same_jacobians(p.residuals, x0, mode, m, calls=JAC_WARMUP + 5)
        # the product program, then (up to UNROLL_MAX passes) the unrolled J, or the unrolled
        # J alone (up to UNROLL_AT_ONCE passes), each staged once and checked by two
        # recordings of r alone (CompiledFunction.derived_from)
        passes = x0.size if mode == "forward" else m
        one = passes <= residual_ad.UNROLL_AT_ONCE or passes > residual_ad.UNROLL_MAX
        staged = [fn for fn in stagings if fn is not p.residuals]
        assert len(staged) == (1 if one else 2)
        assert len(stagings) - len(staged) == 2 * len(staged)


@pytest.mark.parametrize("name", ["osborne2", "meyer", "brown-dennis", "nist-misra1a"])
def test_the_product_program_per_column_or_row_gives_the_same_jacobian(name, monkeypatch,
                                                                       stagings):
    monkeypatch.setattr(residual_ad, "UNROLL_MAX", 1)  # every J by a product per column/row
    p = problems.get(name)
    x0 = np.asarray(p.x0, dtype=float)
    m = p.residuals(x0).size
    for mode in ("forward", "reverse"):
        _same_jacobians(p.residuals, x0, mode, m)
    assert stagings


@pytest.mark.parametrize("name", ["osborne2", "meyer", "box-3d", "bard"])
def test_rvv_and_jvp_programs_are_the_eager_ones_bit_for_bit(name, stagings):
    p = problems.get(name)
    x0 = np.asarray(p.x0, dtype=float)
    compiled = ResidualDerivatives(p.residuals, "operator")
    eager = ResidualDerivatives(p.residuals, "operator", compile=False)
    rng = np.random.default_rng(0)
    for x in _points(x0, JAC_WARMUP + 3):
        v = rng.standard_normal(x.size)
        assert np.array_equal(compiled.rvv(x, v), eager.rvv(x, v))
        assert np.array_equal(compiled.jvp(x, v), eager.jvp(x, v))
    assert len({id(fn) for fn in stagings}) >= 2  # both staged


# ---- the same iterates ---------------------------------------------------------------------
@pytest.mark.parametrize("name", ["osborne2", "meyer", "osborne1", "brown-badly-scaled",
                                  "nist-thurber"])
@pytest.mark.parametrize("geodesic", [False, True])
def test_lm_takes_the_same_steps_compiled_or_eager(name, geodesic):
    p = problems.get(name)
    x0 = np.asarray(p.x0, dtype=float)
    with np.errstate(all="ignore"):
        a = optkit.least_squares(p.residuals, x0, geodesic=geodesic)
        b = optkit.least_squares(p.residuals, x0, geodesic=geodesic, compile=False)
        c = optkit.least_squares(p.residuals, x0, geodesic=geodesic)  # kept programs
    for res in (a, c):
        assert (res.nfev, res.njev, res.status) == (b.nfev, b.njev, b.status)
        assert np.array_equal(res.x, b.x) and np.array_equal(res.jac, b.jac)


def test_compile_false_traces_nothing(stagings):
    p = problems.get("osborne1")
    res = optkit.least_squares(p.residuals, p.x0, compile=False)
    assert res.njev > JAC_WARMUP and stagings == []


def test_a_solve_within_the_warmup_traces_nothing(stagings):
    t = np.linspace(0.0, 1.0, 20)
    y = 2.0 * t + 1.0
    res = optkit.least_squares(lambda p: p[0] * t + p[1] - y, np.zeros(2), max_nfev=JAC_WARMUP)
    assert 0 < res.njev <= JAC_WARMUP
    np.testing.assert_allclose(res.x, [2.0, 1.0], atol=1e-6)
    assert stagings == []


@pytest.mark.parametrize("bad", ["yes", 1, None])
def test_compile_must_be_a_bool(bad):
    with pytest.raises(TypeError, match="compile must be True or False"):
        optkit.least_squares(lambda x: x - 1.0, np.zeros(2), compile=bad)


# ---- programs kept for later solves --------------------------------------------------------
def _exp_fit(y, t):
    def residuals(p):
        return p[0] * np.exp(-p[1] * t) + p[2] - y
    return residuals


def _data(seed=0):
    rng = np.random.default_rng(seed)
    t = np.linspace(0.0, 4.0, 40)
    y = 3.0 * np.exp(-1.3 * t) + 0.5 + 1e-3 * rng.standard_normal(t.size)
    return t, y


X0 = np.array([1.0, 0.1, 0.0])


def _eager(fun):
    return optkit.least_squares(fun, X0, compile=False)


def _same(a, b):
    return (a.nfev, a.njev) == (b.nfev, b.njev) and np.array_equal(a.x, b.x)


def test_a_second_solve_of_the_same_computation_stages_nothing(stagings, short_warmup):
    t, y = _data()
    first = optkit.least_squares(_exp_fit(y, t), X0)
    assert first.njev > short_warmup and stagings
    del stagings[:]
    second = optkit.least_squares(_exp_fit(y, t), X0)  # another closure, the same data
    assert stagings == [] and _same(second, first) and _same(second, _eager(_exp_fit(y, t)))


def test_data_changed_in_place_between_solves_is_staged_afresh(stagings, short_warmup):
    t, y = _data()
    fun = _exp_fit(y, t)
    optkit.least_squares(fun, X0)
    del stagings[:]
    y[:] = _data(seed=1)[1] + 0.25  # the closure's array, written in place
    res = optkit.least_squares(fun, X0)
    assert stagings  # a miss: the kept program may have folded the old values
    assert _same(res, _eager(fun))
    assert res.x[2] == pytest.approx(0.75, abs=1e-2)


def test_a_rebound_global_between_solves_is_staged_afresh(stagings, short_warmup):
    t, y = _data()
    data = {"y": y}

    def fun(p):
        return p[0] * np.exp(-p[1] * t) + p[2] - data["y"]

    optkit.least_squares(fun, X0)
    del stagings[:]
    data["y"] = y + 1.0
    res = optkit.least_squares(fun, X0)
    assert stagings and _same(res, _eager(fun))
    assert res.x[2] == pytest.approx(1.5, abs=1e-2)


def test_curve_fit_twice_on_the_same_data_stages_once(stagings, short_warmup):
    t, y = _data()

    def model(x, a, b, c):
        return a * np.exp(-b * x) + c

    popt, pcov = optkit.curve_fit(model, t, y, p0=X0)
    assert stagings
    del stagings[:]
    popt2, pcov2 = optkit.curve_fit(model, t, y, p0=X0)
    popt3, pcov3 = optkit.curve_fit(model, t, y, p0=X0, compile=False)
    assert stagings == []
    assert np.array_equal(popt, popt2) and np.array_equal(popt, popt3)
    assert np.array_equal(pcov, pcov3)


def test_the_warmup_counts_the_evaluations_of_all_solves(stagings):
    t, y = _data()
    budget = JAC_WARMUP // 2 + 1  # evaluations of each solve: two solves pass the warm-up
    first = optkit.least_squares(_exp_fit(y, t), X0, max_nfev=budget)
    assert first.njev <= JAC_WARMUP and stagings == []
    second = optkit.least_squares(_exp_fit(y, t), X0, max_nfev=budget)
    assert first.njev + second.njev > JAC_WARMUP and stagings  # staged in the second solve
    del stagings[:]
    third = optkit.least_squares(_exp_fit(y, t), X0)
    assert stagings == [] and _same(third, _eager(_exp_fit(y, t)))


def test_a_constant_jacobian_stays_right_over_solves():
    A = np.random.default_rng(0).standard_normal((30, 3))
    b = A @ np.array([1.0, -2.0, 0.5])
    for _ in range(3):
        res = optkit.least_squares(lambda x: A @ x - b, np.full(3, 10.0), xtol=0, ftol=0)
        assert np.array_equal(res.jac, A)
        np.testing.assert_allclose(res.x, [1.0, -2.0, 0.5], atol=1e-10)


# ---- eager fallbacks and refusals ----------------------------------------------------------
@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_residuals_drawing_random_numbers_give_no_frozen_jacobian(mode):
    """The J program is checked by two recordings of r alone (derived_from): r drawing new
    numbers on each call makes them differ, so J runs eagerly instead of replaying the
    numbers drawn while staging."""
    rng = np.random.default_rng(0)

    def noisy(x):
        return x * rng.uniform(1.0, 2.0, x.size)  # J = diag(the numbers of this call)

    compiled = ResidualDerivatives(noisy, mode, residuals=3)
    x = np.array([1.0, 2.0, 3.0])
    with pytest.warns(optkit.CompileWarning, match="two tracings disagree"):
        jacobians = [compiled.jac(x) for _ in range(JAC_WARMUP + 4)]
    for J in jacobians:
        assert np.array_equal(J, np.diag(np.diag(J))) and np.all(np.diag(J) >= 1.0)
    assert not np.array_equal(jacobians[-1], jacobians[-2])  # not one frozen program


def test_a_residual_branching_on_a_value_runs_eagerly_with_one_warning(short_warmup):
    t, y = _data()

    def fun(p):
        scale = 1.0 if p[0] > 0 else -1.0  # a Python branch on a traced value
        return scale * (p[0] * np.exp(-p[1] * t) + p[2] - y)

    with pytest.warns(optkit.CompileWarning, match="eagerly") as caught:
        res = optkit.least_squares(fun, X0)
    assert len([w for w in caught if w.category is optkit.CompileWarning]) == 1
    assert _same(res, _eager(fun))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        optkit.least_squares(fun, X0, compile=False)  # eager: no warning


@pytest.mark.parametrize("compile_", [True, False])
def test_a_write_into_a_read_array_is_refused_in_reverse_mode(compile_):
    w = np.ones(3)

    def fun(x):  # m = 2 < n = 3: reverse mode
        out = np.stack([np.sum(w * x), np.sum(w * x ** 2)])
        w[0] = 1.0  # into an array a traced computation has read
        return out

    with pytest.raises(optkit.InPlaceWriteError):
        optkit.least_squares(fun, np.ones(3), compile=compile_)
