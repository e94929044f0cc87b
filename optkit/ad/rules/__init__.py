"""Primitive rules, one module per family. Importing this package registers all of them."""

from . import (  # noqa: F401
    composites,
    creation,
    decompositions,
    elementwise,
    indexing,
    joining,
    linalg,
    nan_reductions,
    norms,
    reductions,
    scans,
    scipy_linalg,
    shape,
    sorting,
    special,
)
