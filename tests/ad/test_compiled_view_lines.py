"""codegen's lines for reshapes and 2-d transposes: the array's own method (``.reshape``,
``.T``), the same view as the primitive's; other transposes keep the call."""

import numpy as np

from optkit.ad.compiled.codegen import codegen
from optkit.ad.staging import stage


def test_reshape_and_2d_transpose_are_methods_with_the_primitives_result():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal(24), rng.standard_normal((2, 3, 4))

    def f(x, y):
        a = np.sin(x).reshape(4, 6)
        return a.T, np.transpose(a), np.transpose(y, (2, 0, 1)), np.reshape(x, (2, 12)).T

    replay = codegen(stage(f, (x, y))[0], "f", blocked=False)
    lines = replay.source.splitlines()
    assert sum(line.endswith(".T") for line in lines) == 2  # a.T, np.transpose(a): one
    assert sum(".reshape((" in line for line in lines) == 2
    assert any(line.endswith("(v2)") for line in lines)  # the 3-d transpose: a call
    for got, ref in zip(replay(x, y), f(x, y), strict=True):
        assert got.shape == ref.shape and got.flags.c_contiguous == ref.flags.c_contiguous
        np.testing.assert_array_equal(got, ref)
