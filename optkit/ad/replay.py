"""Function types that replay their own compiled derivative programs (``register_replay``)."""

from __future__ import annotations

REPLAYS = set()  # function types with their own compiled derivatives (register_replay)


def register_replay(cls):
    """Register a function type whose instances replay compiled derivative programs.

    For an instance ``f`` of ``cls`` and plain (untraced) inputs, ``value_and_grad(f)(x)``
    calls ``f.value_and_grad(x)`` and ``hvp(f, x, v)`` calls ``f.hvp(x, v)``; other
    transformations, and traced inputs, evaluate ``f`` eagerly. ``optkit.compile`` registers
    its ``CompiledFunction`` here, so this module never imports the compiler.
    """
    REPLAYS.add(cls)
    return cls
