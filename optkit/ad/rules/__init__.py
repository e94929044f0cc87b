"""Primitive rules, one module per family. Importing this package registers all of them."""

from . import (  # noqa: F401
    aliases,
    composites,
    convolution,
    creation,
    decompositions,
    einsum,
    elementwise,
    fft,
    indexing,
    joining,
    linalg,
    nan_reductions,
    norms,
    products,
    reductions,
    scans,
    scipy_linalg,
    shape,
    sorting,
    special,
)
