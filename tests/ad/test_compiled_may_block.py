"""regions.may_block: the region pass is skipped only where no region could form."""

import types

import numpy as np

import optkit
from optkit.ad.compiled.regions import BLOCK_SIZE, MIN_BLOCKS, may_block


def _var(*shape):
    return types.SimpleNamespace(shape=shape)


def test_every_shape_with_enough_blocks_is_seen():
    # a region over `length` rows of `width` elements has ceil(length / rows) blocks, with
    # rows = max(1, block_size // width) (regions._schedule); wherever that reaches
    # MIN_BLOCKS, may_block must say True
    bs = 64
    for width in range(1, 3 * bs + 2):
        rows = max(1, bs // width)
        for length in range(1, 8 * bs // width + MIN_BLOCKS + 2):
            if -(-length // rows) >= MIN_BLOCKS:
                assert may_block([_var(length, width)], "auto", bs), (length, width)


def test_modes():
    assert may_block([_var(2)], True) and not may_block([_var(10 ** 7)], False)
    assert not may_block([_var(1000)], "auto")
    assert may_block([_var(10 ** 6)], "auto")


def test_small_programs_give_the_same_values_with_and_without_the_pass():
    def f(x):
        return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)

    x = np.random.default_rng(0).uniform(-1.0, 2.0, (MIN_BLOCKS - 1) * BLOCK_SIZE // 2)
    v = np.random.default_rng(1).standard_normal(x.size)
    want = optkit.value_and_grad(f)(x)
    got = optkit.value_and_grad(optkit.compile(f))(x)
    assert got[0] == want[0]
    np.testing.assert_array_equal(got[1], want[1])
    np.testing.assert_allclose(optkit.hvp(optkit.compile(f), x, v), optkit.hvp(f, x, v),
                               rtol=1e-13)
