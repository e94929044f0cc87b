"""ad/compiled/linearize.py: HVP programs split into the work on x alone (once per point) and
the work on v (every product); products agree with the unsplit program at every point."""

import threading

import numpy as np
import pytest

import optkit
from optkit.ad.api import hvp
from optkit.ad.compiled.codegen import Replay, codegen
from optkit.ad.compiled.linearize import Linearized, linearized_codegen
from optkit.ad.staging import stage


def _logistic_parts(seed=0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((40, 6))
    y = np.where(rng.standard_normal(40) > 0, 1.0, -1.0)

    def f(w):
        return np.mean(np.logaddexp(0.0, -y * (a @ w))) + 0.01 * np.dot(w, w)

    return f


def _rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


@pytest.mark.parametrize("f, n", [(_logistic_parts(), 6), (_rosenbrock, 7)])
def test_the_split_program_equals_the_unsplit_one_at_each_point(f, n):
    rng = np.random.default_rng(1)
    x, v = rng.standard_normal(n), rng.standard_normal(n)
    program, _ = stage(lambda x, v: hvp(f, x, v), (x, v))
    whole = codegen(program, "hvp")
    split = linearized_codegen(program, 1, "hvp")
    assert isinstance(split, Linearized)
    for _ in range(3):
        x, v = rng.standard_normal(n), rng.standard_normal(n)
        for w in (v, 2.0 * v, rng.standard_normal(n)):
            np.testing.assert_allclose(split(x, w)[0], whole(x, w)[0], rtol=1e-13, atol=1e-13)


def test_the_x_part_runs_once_per_point_and_again_when_x_changes_in_place():
    f = _logistic_parts()
    rng = np.random.default_rng(2)
    x = rng.standard_normal(6)
    program, _ = stage(lambda x, v: hvp(f, x, v), (x, x))
    split = linearized_codegen(program, 1, "hvp")
    calls = []
    prepare = split.prepare
    split.prepare = lambda *xs: calls.append(1) or prepare(*xs)
    for _ in range(4):
        split(x, rng.standard_normal(6))
    assert len(calls) == 1
    x[0] += 0.5  # the caller overwrites its array: the residuals are stale
    v = rng.standard_normal(6)
    np.testing.assert_allclose(split(x, v)[0], hvp(f, x, v), rtol=1e-12)
    assert len(calls) == 2


def test_without_work_on_x_alone_the_program_is_not_split():
    program, _ = stage(lambda x, v: hvp(lambda z: np.sum(z * z), x, v), (np.ones(3), np.ones(3)))
    assert isinstance(linearized_codegen(program, 1, "hvp"), Replay)


def test_compiled_hvp_of_a_structure_at_one_point():
    rng = np.random.default_rng(3)
    a = rng.standard_normal((5, 3))

    def f(p):
        return np.sum(np.tanh(a @ p["w"] + p["b"]) ** 2)

    x = {"w": rng.standard_normal(3), "b": rng.standard_normal(5)}
    cf = optkit.compile(f)
    for _ in range(3):
        v = {"w": rng.standard_normal(3), "b": rng.standard_normal(5)}
        got, want = optkit.hvp(cf, x, v), optkit.hvp(f, x, v)
        for k in ("w", "b"):
            np.testing.assert_allclose(got[k], want[k], rtol=1e-12, atol=1e-14)


def test_value_and_grad_for_hvp_keeps_the_work_for_the_products_at_x():
    f, rng = _logistic_parts(), np.random.default_rng(0)
    cf = optkit.compile(f)
    x, v = rng.standard_normal(6), rng.standard_normal(6)
    optkit.hvp(cf, x, v)  # stages the HVP program (split: the x part has a matmul and exp)
    program = cf._cache[next(iter(cf._cache))].programs["hvp"]
    assert isinstance(program, Linearized) and program.at_point is not None
    prepared = []
    real_prepare = program.prepare
    program.prepare = lambda *xs: prepared.append(1) or real_prepare(*xs)
    for step in range(3):
        z = x + 0.1 * (step + 1)
        value, g = cf.value_and_grad_for_hvp(z)
        want_value, want_g = optkit.value_and_grad(f)(z)
        assert value == pytest.approx(want_value, rel=1e-14)
        np.testing.assert_allclose(g, want_g, rtol=1e-12, atol=1e-15)
        for _ in range(2):
            np.testing.assert_allclose(optkit.hvp(cf, z, v), optkit.hvp(f, z, v),
                                       rtol=1e-12, atol=1e-15)
    assert prepared == []  # every product's x part came with the value and gradient
    optkit.hvp(cf, x - 1.0, v)  # a product at a point without them prepares it
    assert prepared == [1]


def test_value_and_grad_for_hvp_without_a_split_program_is_value_and_grad():
    f, rng = _logistic_parts(1), np.random.default_rng(1)
    cf = optkit.compile(f)
    x = rng.standard_normal(6)
    value, g = cf.value_and_grad_for_hvp(x)  # no HVP program yet
    want_value, want_g = optkit.value_and_grad(f)(x)
    assert value == pytest.approx(want_value, rel=1e-14)
    np.testing.assert_allclose(g, want_g, rtol=1e-12, atol=1e-15)
    quadratic = optkit.compile(lambda z: np.sum(z * z))  # no x part: the product is 2 v
    optkit.hvp(quadratic, x, x)
    value, g = quadratic.value_and_grad_for_hvp(x)
    assert value == pytest.approx(np.sum(x * x)) and np.allclose(g, 2 * x)


def test_products_at_alternating_shapes_use_each_shapes_program():
    # the program of the last float64 product is remembered (no signature lookup); another
    # shape must not be given it
    cf = optkit.compile(_rosenbrock)
    rng = np.random.default_rng(5)
    for n in (4, 7, 4, 7, 7, 4):
        x, v = rng.standard_normal(n), rng.standard_normal(n)
        np.testing.assert_allclose(optkit.hvp(cf, x, v), hvp(_rosenbrock, x, v),
                                   rtol=1e-12, atol=1e-12)
        value, g = cf.value_and_grad_for_hvp(x)
        want_value, want_g = optkit.value_and_grad(_rosenbrock)(x)
        assert value == pytest.approx(want_value, rel=1e-13)
        np.testing.assert_allclose(g, want_g, rtol=1e-12, atol=1e-12)


def test_point_is_recognised_bit_for_bit_and_after_an_in_place_write():
    """The kept point of a small x is compared by its bytes: an x written in place, or -0.0
    where the point had 0.0, gets its own residuals."""
    def f(x):
        return np.sum(x ** 3 / (1.0 + x ** 2)) + np.sum(1.0 / (x + 2.0))

    x = np.array([0.0, 0.5, -1.5])
    program, _ = stage(lambda x, v: hvp(f, x, v), (x, np.ones(3)))
    split = linearized_codegen(program, 1, "hvp")
    assert isinstance(split, Linearized)
    v = np.array([1.0, -2.0, 0.5])
    for point in (x, np.array([-0.0, 0.5, -1.5])):
        np.testing.assert_array_equal(split(point, v)[0], hvp(f, point, v))
    x[1] = 3.0  # the kept copy is not x itself
    np.testing.assert_array_equal(split(x, v)[0], hvp(f, x, v))
    np.testing.assert_array_equal(split(x, v)[0], split(x.copy(), v)[0])


def test_a_solvers_products_see_an_x_written_in_place():
    """optkit.hvp of a compiled function at a float64 x goes through Linearized.product (the
    kept point compared by its bytes): writing into x between products, or alternating
    between two points, must give the product at the x of each call."""
    f = _logistic_parts(4)
    cf = optkit.compile(f)
    rng = np.random.default_rng(6)
    x, v = rng.standard_normal(6), rng.standard_normal(6)
    for _ in range(2):
        optkit.hvp(cf, x, v)
    program = cf.program(x, v, kind="hvp")
    assert isinstance(program, Linearized)
    assert cf._last_hvp[1] == program.product  # the path under test
    y = rng.standard_normal(6)
    for point in (x, y, x, x, y):
        np.testing.assert_array_equal(optkit.hvp(cf, point, v), program(point.copy(), v)[0])
        np.testing.assert_allclose(optkit.hvp(cf, point, v), hvp(f, point, v), rtol=1e-12)
    prepared = []
    real_prepare = program.prepare
    program.prepare = lambda *xs: prepared.append(1) or real_prepare(*xs)
    for i in range(6):
        x[i] += 0.25  # the caller's array, written in place after a product there
        np.testing.assert_allclose(optkit.hvp(cf, x, v), hvp(f, x, v), rtol=1e-12)
        np.testing.assert_allclose(optkit.hvp(cf, x, v), hvp(f, x, v), rtol=1e-12)
    assert len(prepared) == 6  # once per write, not per product
    x[2] = 0.0
    optkit.hvp(cf, x, v)
    x[2] = -0.0  # equal values, other bytes: residuals of their own (the same product)
    np.testing.assert_allclose(optkit.hvp(cf, x, v), hvp(f, x, v), rtol=1e-12)
    assert len(prepared) == 8


def test_products_from_threads_at_different_points():
    f = _logistic_parts(5)
    cf = optkit.compile(f)
    rng = np.random.default_rng(7)
    points = [rng.standard_normal(6) for _ in range(4)]
    v = rng.standard_normal(6)
    want = [hvp(f, p, v) for p in points]
    optkit.hvp(cf, points[0], v)
    errors = []

    def work(k):
        for _ in range(200):
            got = optkit.hvp(cf, points[k], v)
            if not np.allclose(got, want[k], rtol=1e-12):
                errors.append(k)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
