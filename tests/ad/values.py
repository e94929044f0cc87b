"""Value checks for the primitive tables: a traced call must give numpy's own value.

``check_grads`` compares derivatives only; these helpers run each row's function through a
forward trace (``jvp``) and a reverse trace (``vjp``) and compare the values with the plain
numpy call on the same arrays.
"""

from __future__ import annotations

import numpy as np

from optkit import jvp, vjp


def check_values(row, rtol=1e-12, atol=1e-14):
    """The traced value of ``row.fun`` equals numpy's, whichever argument is traced."""
    expected = row.fun(*row.args)
    for i in range(len(row.args)):
        def partial(x, i=i):
            args = list(row.args)
            args[i] = x
            return row.fun(*args)

        x = row.args[i]
        forward, _ = jvp(partial, x, np.ones(np.shape(x)))
        reverse, _ = vjp(partial, x)
        for got in (forward, reverse):
            assert np.shape(got) == np.shape(expected)
            np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol)
