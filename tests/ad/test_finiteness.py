"""ad/finiteness: a product computed with a constant matrix proves its entries finite only
under the premise (finite product, every entry of the other operand finite and normal);
otherwise nothing is claimed and the convexity proof reads the matrix itself."""

import numpy as np
import pytest

from optkit.ad.api import value_and_grad
from optkit.ad.compiled.function import CompiledFunction
from optkit.ad.convexity import curvature
from optkit.ad.finiteness import finite_by_product, proven_finite
from optkit.ad.staging import PointValues, stage


def _matrix(seed=0, m=6, d=4):
    return np.random.default_rng(seed).standard_normal((m, d))


def _nonzero(seed, n):
    rng = np.random.default_rng(seed)
    return rng.uniform(0.5, 2.0, n) * np.where(rng.standard_normal(n) > 0, 1.0, -1.0)


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
@pytest.mark.parametrize("side", ["left", "right"])
def test_one_non_finite_entry_in_a_column_is_refused(bad, side):
    a = _matrix()
    a[3, 2] = bad
    if side == "left":  # r @ A, the reverse pass's product
        other = _nonzero(1, a.shape[0])
        product = other @ a
    else:  # A @ v
        other = _nonzero(1, a.shape[1])
        product = a @ other
    assert not finite_by_product(a, other, product)


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("columns", [None, 2])
def test_a_finite_matrix_is_proven_by_a_finite_product(side, columns):
    a = _matrix()
    n = a.shape[0] if side == "left" else a.shape[1]
    other = _nonzero(2, n if columns is None else n * columns)
    if columns is not None:  # a matrix operand: rows of r on the left, columns of v right
        other = other.reshape((columns, n) if side == "left" else (n, columns))
    product = other @ a if side == "left" else a @ other
    assert finite_by_product(a, other, product)


@pytest.mark.parametrize("spoil", [0.0, -0.0, 5e-324, np.inf, np.nan])
def test_a_zero_subnormal_or_non_finite_operand_entry_proves_nothing(spoil):
    a = _matrix()
    r = _nonzero(3, a.shape[0])
    r[4] = spoil
    with np.errstate(all="ignore"):
        product = r @ a
    assert not finite_by_product(a, r, product)


def test_overflow_float32_batches_and_empty_products_prove_nothing():
    a = _matrix()
    r = _nonzero(4, a.shape[0])
    assert not finite_by_product(a * 1e306, r * 1e10, np.full(a.shape[1], np.inf))  # overflow
    assert not finite_by_product(a.astype(np.float32), r.astype(np.float32),
                                 r.astype(np.float32) @ a.astype(np.float32))
    stack = np.stack([a, a])
    assert not finite_by_product(stack, r, r @ stack)  # batch axes: not this argument's case
    assert not finite_by_product(a, np.ones((0, a.shape[0])), np.ones((0, a.shape[1])))


def _logistic(a, y):
    def f(w):
        return np.mean(np.logaddexp(0.0, -y * (a @ w))) + 0.005 * np.dot(w, w)
    return f


def test_proven_finite_finds_the_reverse_pass_product_with_the_matrix():
    a = _matrix(5, m=50, d=4)
    y = np.where(np.random.default_rng(6).standard_normal(50) > 0, 1.0, -1.0)
    point = PointValues(min_elements=0)
    program, _ = stage(value_and_grad(_logistic(a, y)), (np.zeros(4),), point=point)
    found = proven_finite(program, point.value_of)  # A @ 0 proves nothing, r @ A does
    assert len(found) == 1 and found[0] is a
    assert proven_finite(program, lambda var: None) == []  # no values: no claim


def _compiled_at_x0(a, y, x0):
    fun = CompiledFunction(_logistic(a, y))
    fun.expect_products()
    with np.errstate(all="ignore"):
        fun.value_and_grad_for_hvp(x0)
        fun.hvp(x0, np.ones_like(x0))  # the check's recording of f exists from here
    return fun


def _large_logistic(seed=0, m=5000, d=8):  # m >= WORTH_KEEPING: the vectors are kept
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((m, d)) / np.sqrt(d)
    y = np.where(rng.standard_normal(m) > 0, 1.0, -1.0)
    return a, y


def test_a_compiled_function_proves_its_matrix_finite_and_the_proof_skips_reading_it():
    a, y = _large_logistic()
    x0 = np.zeros(a.shape[1])
    fun = _compiled_at_x0(a, y, x0)
    found = fun.finite_constants()
    assert len(found) == 1 and found[0] is a
    recording = fun.checked_recording(x0)
    assert curvature(recording, finite=found) == "convex"
    assert curvature(recording) == "convex"  # the same answer reading it
    spoiled = a.copy()
    spoiled[0, 0] = np.inf  # a claim is trusted, not read again: the caller's to prove
    program, _ = stage(lambda w: np.sum(np.exp(spoiled @ w)), (np.ones_like(x0),))
    assert curvature(program) == "unknown"
    assert curvature(program, finite=[spoiled]) == "convex"


@pytest.mark.parametrize("bad", [np.inf, np.nan])
def test_a_matrix_with_a_non_finite_entry_is_not_proven_and_the_proof_refuses(bad):
    a, y = _large_logistic(1)
    a[17, 3] = bad
    x0 = np.zeros(a.shape[1])
    fun = _compiled_at_x0(a, y, x0)
    assert fun.finite_constants() == ()
    assert curvature(fun.checked_recording(x0), finite=fun.finite_constants()) == "unknown"


def test_a_zero_in_the_cotangent_falls_back_to_reading_the_matrix():
    a, y = _large_logistic(2)
    y[10] = 0.0  # r = -y * sigmoid(-y z) / m has a zero entry: r @ A proves nothing
    x0 = np.zeros(a.shape[1])
    fun = _compiled_at_x0(a, y, x0)
    assert fun.finite_constants() == ()
    assert curvature(fun.checked_recording(x0), finite=fun.finite_constants()) == "convex"
    a[20, 1] = np.inf  # read, not taken on trust: now refused
    fun = _compiled_at_x0(a, y, x0)
    assert curvature(fun.checked_recording(x0), finite=fun.finite_constants()) == "unknown"
