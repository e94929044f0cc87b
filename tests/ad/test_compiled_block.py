"""Blocked replay (compiled.regions, compiled.blockcode): the same results as the unblocked
replay, bit for bit for elementwise results, up to the documented summation order for sums."""

import warnings

import numpy as np
import pytest

import optkit
from optkit import CompileWarning
from optkit.ad.compiled.codegen import Replay, codegen
from optkit.ad.compiled.linearize import Linearized, linearized_codegen
from optkit.ad.staging import stage

from .test_compiled import ROWS, VALUE_DEPENDENT, _scalarized


def _programs(f, x, v):
    """The staged value, value+gradient and HVP programs of ``f`` with their arguments."""
    vg = optkit.value_and_grad(f)
    return [(stage(f, (x,))[0], (x,)), (stage(vg, (x,))[0], (x,)),
            (stage(lambda x, v: optkit.hvp(f, x, v), (x, v))[0], (x, v))]


def _blocked_vs_unblocked(f, x, v, block_size, rtol=1e-13, exact=False):
    """Replay each program blocked and unblocked; returns the number of blocked regions."""
    regions = 0
    for program, args in _programs(f, x, v):
        plain = codegen(program, "p", blocked=False)(*args)
        replay = codegen(program, "p", blocked=True, block_size=block_size)
        blocked = replay(*args)
        regions += sum(line.startswith("region") for line in replay.blocking)
        for a, b in zip(blocked, plain, strict=True):
            assert np.shape(a) == np.shape(b) and np.result_type(a) == np.result_type(b)
            if exact:
                np.testing.assert_array_equal(a, b)
            else:
                np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * max(1.0, np.max(np.abs(b))))
    return regions


@pytest.mark.parametrize("row", [r for r in ROWS if r.name not in VALUE_DEPENDENT], ids=str)
def test_primitive_table_blocked_matches_unblocked(row):
    for i, x in enumerate(row.args):
        if not np.ndim(x):
            continue
        f = _scalarized(row, i)
        v = np.random.default_rng(4).standard_normal(np.shape(x))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CompileWarning)
            for block_size in (1, 2, 5):
                _blocked_vs_unblocked(f, x, v, block_size)


def chained_rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def extended_rosenbrock(x):
    odd, even = x[::2], x[1::2]
    return np.sum(100.0 * (even - odd**2) ** 2 + (1.0 - odd) ** 2)


def rosenbrock_of_rows(X):
    """Chained Rosenbrock down the rows of a matrix, with a broadcast row of weights."""
    w = np.linspace(1.0, 2.0, X.shape[1])
    return np.sum(w * (X[1:] - X[:-1] ** 2) ** 2 + np.sin(X[:-1]) ** 2)


@pytest.mark.parametrize("f, shape", [(chained_rosenbrock, (1001,)),
                                      (extended_rosenbrock, (1000,)),
                                      (rosenbrock_of_rows, (301, 3))])
@pytest.mark.parametrize("block_size", [1, 7, 64, 1000])
def test_rosenbrock_variants_blocked_match_unblocked(f, shape, block_size):
    rng = np.random.default_rng(0)
    x, v = rng.uniform(-1.5, 1.5, shape), rng.standard_normal(shape)
    assert _blocked_vs_unblocked(f, x, v, block_size) >= 3  # value, v+g, HVP each blocked


def test_elementwise_results_are_bit_for_bit():
    """No sum, no scatter written by two offsets: the blocked replay is exact."""
    rng = np.random.default_rng(1)
    x = rng.uniform(-2.0, 2.0, 999)

    def g(x):
        return np.exp(-x) * np.sin(x) ** 2 + np.tanh(3.0 * x) / (1.0 + x**2)

    program = stage(g, (x,))[0]
    replay = codegen(program, "g", blocked=True, block_size=64)
    assert "region" in replay.blocking[0]
    np.testing.assert_array_equal(replay(x)[0], codegen(program, "g", blocked=False)(x)[0])
    # the gradient of a sum of elementwise terms, and of the extended Rosenbrock function
    # (each entry receives its terms from one block), are elementwise too
    for f in (lambda x: np.sum(g(x)), extended_rosenbrock):
        program = stage(optkit.value_and_grad(f), (x[:998],))[0]
        blocked = codegen(program, "vg", blocked=True, block_size=64)(x[:998])[1]
        np.testing.assert_array_equal(blocked, codegen(program, "vg", blocked=False)(x[:998])[1])


def test_summation_order_is_block_by_block():
    """A blocked sum is ((0 + sum(block 0)) + sum(block 1)) + ..., numpy's sum per block."""
    x = np.random.default_rng(2).uniform(0.0, 1.0, 10_007)
    rows = 1000

    def f(x):
        return np.sum(np.sin(x) * x)

    replay = codegen(stage(f, (x,))[0], "f", blocked=True, block_size=rows)
    expected = np.float64(0.0)
    for lo in range(0, x.size, rows):
        block = x[lo:lo + rows]
        expected = expected + np.add.reduce(np.sin(block) * block)
    got = replay(x)[0]
    assert got == expected and type(got) is np.float64
    np.testing.assert_allclose(got, f(x), rtol=1e-13)


def test_gradient_written_by_two_slices_is_the_same_sum_in_another_order():
    """g[1:] += a, g[:-1] += b: at the first row of a block, a's term arrives a block early."""
    x = np.random.default_rng(3).uniform(-1.0, 1.0, 257)
    program = stage(optkit.value_and_grad(chained_rosenbrock), (x,))[0]
    blocked = codegen(program, "vg", blocked=True, block_size=16)(x)[1]
    plain = codegen(program, "vg", blocked=False)(x)[1]
    np.testing.assert_allclose(blocked, plain, rtol=1e-13, atol=1e-13)
    inside = np.ones(x.size, bool)
    inside[::16] = False  # rows starting a block may differ in their last bit
    np.testing.assert_array_equal(blocked[inside], plain[inside])


def _logistic(m=300, n=20):
    rng = np.random.default_rng(5)
    A = rng.standard_normal((m, n)) / np.sqrt(n)
    y = np.where(rng.standard_normal(m) > 0, 1.0, -1.0)

    def f(w):
        z = y * (A @ w)
        return np.mean(np.logaddexp(0.0, -z)) + 0.005 * np.dot(w, w)

    return f, n


def _mlp(d_in=4, hidden=8, batch=50):
    rng = np.random.default_rng(6)
    X = rng.standard_normal((batch, d_in))
    t = np.sin(X @ rng.standard_normal(d_in))
    n = d_in * hidden + 2 * hidden + 1

    def f(p):
        W1 = p[: d_in * hidden].reshape(d_in, hidden)
        b1 = p[d_in * hidden: d_in * hidden + hidden]
        W2 = p[d_in * hidden + hidden: -1]
        h = np.tanh(X @ W1 + b1)
        return np.mean((h @ W2 + p[-1] - t) ** 2)

    return f, n


@pytest.mark.parametrize("make", [_logistic, _mlp])
@pytest.mark.parametrize("block_size", [1, 16, 100])
def test_logistic_and_mlp_blocked_match_unblocked(make, block_size):
    f, n = make()
    rng = np.random.default_rng(7)
    assert _blocked_vs_unblocked(f, 0.3 * rng.standard_normal(n), rng.standard_normal(n),
                                 block_size) >= 1


_UNARY = [np.sin, np.tanh, np.square, np.negative, lambda a: np.exp(np.tanh(a)),
          lambda a: 0.5 * a, np.cos]
_BINARY = [np.add, np.subtract, np.multiply, lambda a, b: a / (1.5 + np.tanh(b))]
_SLICES = [np.s_[1:], np.s_[:-1], np.s_[::2], np.s_[2:-1], np.s_[1::3]]


def _random_program(seed):
    """A random function of a vector: elementwise chains, slices, sums, and operations that
    are not blockwise (cumsum, a dot product whose scalar feeds later elementwise work)."""
    rng = np.random.default_rng(seed)
    steps = []
    lengths = [None]  # pool entry -> its length (entry 0 is x)
    for _ in range(int(rng.integers(6, 16))):
        kind = rng.choice(["unary", "binary", "slice", "cumsum", "dot"], p=[.3, .3, .25, .07, .08])
        i = int(rng.integers(len(lengths)))
        if kind == "binary":
            same = [j for j in range(len(lengths)) if lengths[j] == lengths[i]]
            steps.append(("binary", int(rng.integers(len(_BINARY))), i, int(rng.choice(same))))
        elif kind == "unary":
            steps.append(("unary", int(rng.integers(len(_UNARY))), i, None))
        else:
            steps.append((str(kind), int(rng.integers(len(_SLICES))), i, None))
        lengths.append((lengths[i], steps[-1]) if kind == "slice" else lengths[i])
    weights = rng.uniform(0.5, 1.5, len(lengths))

    def f(x):
        pool = [x]
        for kind, op, i, j in steps:
            a = pool[i]
            if kind == "unary":
                pool.append(_UNARY[op](a))
            elif kind == "binary":
                pool.append(_BINARY[op](a, pool[j]))
            elif kind == "slice":
                pool.append(a[_SLICES[op]] if a.size > 6 else a)
            elif kind == "cumsum":
                pool.append(np.cumsum(a) * 0.1)
            else:
                pool.append(a * np.tanh(np.dot(a, a)))
        return sum(w * np.sum(np.sin(p)) for w, p in zip(weights, pool, strict=True))

    return f


@pytest.mark.parametrize("seed", range(40))
def test_random_programs_blocked_match_unblocked(seed):
    f = _random_program(seed)
    rng = np.random.default_rng(100 + seed)
    x, v = rng.uniform(-1.0, 1.0, 61), rng.standard_normal(61)
    for block_size in (1, 4, 17):
        _blocked_vs_unblocked(f, x, v, block_size, rtol=1e-12)


def test_random_programs_do_block():
    """The random programs above do exercise regions (not all fall back)."""
    x, v = np.linspace(-1.0, 1.0, 61), np.ones(61)
    assert sum(_blocked_vs_unblocked(_random_program(s), x, v, 4, rtol=1e-12) > 0
               for s in range(10)) >= 8


def test_a_slice_of_a_blocked_value_ends_the_region_and_is_right():
    """sin(x)[1:] needs the next block's first row: sin(x) is written whole, sliced after."""
    x = np.random.default_rng(8).uniform(-1.0, 1.0, 100)

    def f(x):
        s = np.sin(x) * x
        return np.sum((s[1:] - s[:-1]) ** 2 * np.cos(x[1:]))

    program = stage(optkit.value_and_grad(f), (x,))[0]
    replay = codegen(program, "vg", blocked=True, block_size=8)
    assert sum(line.startswith("region") for line in replay.blocking) >= 2
    for a, b in zip(replay(x), codegen(program, "vg", blocked=False)(x), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-13)


def test_unblocked_equations_say_why():
    rng = np.random.default_rng(9)
    A = rng.standard_normal((70_000, 3))
    x = rng.standard_normal((3, 2))  # a matrix by a matrix: not blocked (a matvec would be)
    replay = codegen(stage(lambda x: np.sum(np.sin(A @ x) ** 2), (x,))[0], "f")
    assert any("matmul" in line and "other than" in line for line in replay.blocking)
    assert any(line.startswith("region") for line in replay.blocking)  # sin, square, sum
    small = codegen(stage(chained_rosenbrock, (np.ones(100),))[0], "f")
    assert not any(line.startswith("region") for line in small.blocking)  # 'auto': too few blocks


def test_compile_option_blocked():
    x = np.random.default_rng(10).uniform(-1.0, 1.0, 70_001)
    results = {}
    for blocked in (True, False, "auto"):
        cf = optkit.compile(chained_rosenbrock, blocked=blocked)
        results[blocked] = (cf(x), *optkit.value_and_grad(cf)(x), optkit.hvp(cf, x, x))
        assert cf.blocked == blocked
    for a, b, c in zip(results[True], results[False], results["auto"], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-13)
        np.testing.assert_array_equal(a, c)
    for bad in ("yes", 1, None):
        with pytest.raises(ValueError, match="blocked"):
            optkit.compile(chained_rosenbrock, blocked=bad)


def test_hvp_with_cheap_work_on_x_is_one_blocked_program():
    """Rosenbrock's x part (squares, products) is recomputed inside the blocks of each
    product rather than read back from full-size residuals."""
    x, v = np.random.default_rng(11).uniform(-1.0, 1.0, (2, 500))
    program = stage(lambda x, v: optkit.hvp(chained_rosenbrock, x, v), (x, v))[0]
    whole = linearized_codegen(program, 1, "hvp", blocked=True)
    assert isinstance(whole, Replay) and whole.blocking[0].startswith("region")
    assert isinstance(linearized_codegen(program, 1, "hvp", blocked=False), Linearized)
    np.testing.assert_allclose(whole(x, v)[0], optkit.hvp(chained_rosenbrock, x, v),
                               rtol=1e-13, atol=1e-13)


def test_hvp_with_costly_work_on_x_stays_split_with_blocked_parts():
    x, v = np.random.default_rng(14).uniform(-1.0, 1.0, (2, 500))

    def f(x):
        return np.sum(np.exp(np.sin(x[1:]) * x[:-1]))

    program = stage(lambda x, v: optkit.hvp(f, x, v), (x, v))[0]
    split = linearized_codegen(program, 1, "hvp", blocked=True)
    assert isinstance(split, Linearized)
    assert any(line.startswith("region") for line in split.prepare.blocking)
    assert any(line.startswith("region") for line in split.apply.blocking)
    np.testing.assert_allclose(split(x, v)[0], optkit.hvp(f, x, v), rtol=1e-13, atol=1e-13)


def test_concurrent_calls_get_private_block_buffers():
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(12)
    xs = [rng.uniform(-1.0, 1.0, 3001) for _ in range(8)]
    program = stage(optkit.value_and_grad(chained_rosenbrock), (xs[0],))[0]
    replay = codegen(program, "vg", blocked=True, block_size=100)
    plain = codegen(program, "vg", blocked=False)
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda x: replay(x), xs * 4))
    for x, (value, g) in zip(xs * 4, got, strict=True):
        ref_value, ref_g = plain(x)
        np.testing.assert_allclose(value, ref_value, rtol=1e-13)
        np.testing.assert_allclose(g, ref_g, rtol=1e-13, atol=1e-13)


def test_columns_of_a_blocked_matrix():
    """sin(X)[:, 0] keeps the rows of sin(X) but is not a slice of an outside array: it is
    computed after the region that writes sin(X); its gradient scatters into a column."""
    X = np.random.default_rng(13).uniform(-1.0, 1.0, (300, 2))

    def f(X):
        return np.sum(np.sin(X)[:, 0] * np.cos(X)[:, 1] + X[:, 1] ** 2)

    assert _blocked_vs_unblocked(f, X, np.ones_like(X), 16) >= 3


def test_compiled_function_reports_its_blocking():
    rng = np.random.default_rng(15)
    A = np.asfortranarray(rng.standard_normal((70_000, 2)))  # column-major: matmul unblocked
    x, v = rng.standard_normal(2), rng.standard_normal(2)

    def f(x):
        return np.sum(np.log1p(np.exp(A @ x)) * 0.5)

    cf = optkit.compile(f)
    assert cf.blocking(x) is None  # not compiled yet
    optkit.value_and_grad(cf)(x)
    report = cf.blocking(x)
    assert report[0].startswith("region") and any("matmul" in r for r in report)
    assert cf.blocking(x, kind="value") is None
    cf(x)
    optkit.hvp(cf, x, v)
    assert cf.blocking(x, kind="value")[0].startswith("region")
    assert any(r.startswith("region") for r in cf.blocking(x, v, kind="hvp"))
    plain = optkit.compile(f, blocked=False)
    optkit.value_and_grad(plain)(x)
    assert plain.blocking(x) == []
    with pytest.raises(ValueError, match="kind"):
        cf.blocking(x, kind="grad")


@pytest.mark.parametrize("shift", [1, 2, 3])
@pytest.mark.parametrize("block_size", [1, 2, 5, 16])
def test_sink_assigned_by_its_first_write_carries_shifted_rows(shift, block_size):
    """g[:-s] = a, g[s:] += b, g[:-s] += c: the first write assigns where the other offsets
    reach at most a block ahead (carried rows), else the sink starts as zeros; either way
    the gradient is the unblocked one up to the order of its terms."""
    x = np.random.default_rng(11).uniform(-1.0, 1.0, 103)

    def f(x):
        return np.sum(np.sin(x[:-shift]) * x[shift:] + np.exp(x[:-shift]) * x[:-shift])

    program = stage(optkit.value_and_grad(f), (x,))[0]
    replay = codegen(program, "vg", blocked=True, block_size=block_size)
    plain = codegen(program, "vg", blocked=False)(x)[1]
    for _ in range(2):  # the second call reuses the buffers, and np.empty may hold garbage
        np.testing.assert_allclose(replay(x)[1], plain, rtol=1e-13, atol=1e-13)
    rows = x.size - shift
    last = rows - (len(range(0, rows, block_size)) - 1) * block_size
    if shift <= min(block_size, last):  # one region writes the sink, its first write assigns
        zeros = [k for k, v in replay.fn.__globals__.items() if v is np.zeros]
        assert zeros and not any(f"{k}((103,)" in replay.source for k in zeros)
        assert "[...] = " in replay.source or "out=w" in replay.source
