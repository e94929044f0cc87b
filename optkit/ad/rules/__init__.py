"""Primitive rules, one module per family. Importing this package registers all of them."""

from . import creation, elementwise, indexing, reductions, shape  # noqa: F401
