"""The one "did you mean" helper: the closest valid names to a misspelt one.

It lives in ``optim``, the lowest layer that needs it, so the solvers' option checks, the front
door, the SciPy adapter and the CLI all share it without breaking the layering arrows.
"""

import difflib

__all__ = ["close_matches", "did_you_mean"]


def close_matches(word, choices, n=1, cutoff=0.4):
    """Up to ``n`` of ``choices`` closest to ``word`` (case-insensitive), in their own spelling."""
    by_lower = {c.lower(): c for c in choices}
    close = difflib.get_close_matches(word.lower(), list(by_lower), n=n, cutoff=cutoff)
    return [by_lower[c] for c in close]


def did_you_mean(word, choices):
    """``"; did you mean 'x'?"`` for the closest of ``choices`` to ``word``, or ``""``."""
    close = close_matches(word, choices)
    return f"; did you mean {close[0]!r}?" if close else ""
