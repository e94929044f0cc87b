"""Every numpy function that the reduction, scan, norm, decomposition, shape, joining, indexing,
sorting and composite rule modules register is exercised by at least one table row (or
constant-output check)."""

import numpy as np

import optkit
from optkit.ad.core import function_impls

from . import (
    test_ndarray_methods,
    test_rules_composites,
    test_rules_indexing,
    test_rules_joining,
    test_rules_norms,
    test_rules_reductions,
    test_rules_scans,
    test_rules_shape,
    test_rules_sorting,
)

MODULES = {f"optkit.ad.rules.{name}" for name in
           ("reductions", "nan_reductions", "scans", "norms", "shape", "joining", "indexing",
            "sorting", "composites")}
TABLES = [test_rules_reductions, test_rules_scans, test_rules_norms, test_rules_shape,
          test_rules_joining, test_rules_indexing, test_rules_sorting, test_ndarray_methods,
          test_rules_composites]


def _calls():
    for table in TABLES:
        for row in table.ROWS + getattr(table, "VALUE_DEPENDENT_ROWS", []):
            for i in range(len(row.args)):
                def partial(x, row=row, i=i):
                    args = list(row.args)
                    args[i] = x
                    return row.fun(*args)

                yield partial, row.args[i]
    for _, fun in test_rules_sorting.CONSTANTS:
        yield fun, test_rules_sorting.V
    for _, fun in test_rules_reductions.NAN_FUNCTIONS:
        yield fun, test_rules_reductions.N


def test_every_registered_function_is_in_a_table(monkeypatch):
    mine = {func: impl for func, impl in function_impls.items()
            if getattr(impl, "__module__", None) in MODULES}
    assert len(mine) > 80
    called = set()

    def recording(func, impl):
        def record(*args, **kwargs):
            called.add(func)
            return impl(*args, **kwargs)

        return record

    for func, impl in mine.items():
        monkeypatch.setitem(function_impls, func, recording(func, impl))
    for fun, x in _calls():
        optkit.jvp(fun, x, np.ones(np.shape(x)))
    missing = sorted(getattr(f, "__name__", repr(f)) for f in set(mine) - called)
    assert not missing, f"registered but never exercised by a table row: {missing}"
