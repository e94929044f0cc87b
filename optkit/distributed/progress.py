"""Progress of many solves: a text bar on stderr, or nothing.

``progress(total, enabled)`` returns an object with ``update(done)`` and ``close()``; the
disabled one does nothing, so callers never branch on it. The bar needs no dependency: one line
rewritten with a carriage return, ended with a newline by ``close``.
"""

from __future__ import annotations

import sys

__all__ = ["NoProgress", "TextProgress", "progress"]


class NoProgress:
    """The no-op default."""

    def update(self, done: int) -> None:
        pass

    def close(self) -> None:
        pass


class TextProgress(NoProgress):
    """``[##########..........] 16/32 solves`` on ``stream`` (stderr by default)."""

    def __init__(self, total: int, *, stream=None, width: int = 30, label: str = "solves"):
        self.total = total
        self.stream = sys.stderr if stream is None else stream
        self.width = width
        self.label = label
        self.update(0)

    def update(self, done: int) -> None:
        filled = self.width * done // self.total if self.total else self.width
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r[{bar}] {done}/{self.total} {self.label}")
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


def progress(total: int, enabled) -> NoProgress:
    """A :class:`TextProgress` bar when ``enabled`` is True, else a :class:`NoProgress`."""
    if not isinstance(enabled, bool):
        raise TypeError(f"progress must be True or False, got {enabled!r}")
    return TextProgress(total) if enabled else NoProgress()
