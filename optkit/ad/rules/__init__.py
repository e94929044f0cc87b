"""Primitive rules, one module per family. Importing this package registers all of them."""

from . import creation, elementwise, indexing, joining, norms, reductions, scans, shape  # noqa: F401
