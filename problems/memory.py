"""Whether a scalable problem of dimension n fits in memory: the only upper limit on n for
problems whose cost is O(n).

The estimate is WORK_VECTORS vectors of n float64 values: the problem's own arrays, the
AD's intermediates and a solver's memory. Measured peaks (resident memory above the
interpreter's, n = 10^6, 30 iterations of lbfgs and newton-cg with compiled AD) were 28 to 50
such vectors on extended-rosenbrock, broyden-banded, dixon-price, trigonometric,
linear-full-rank and the dense quadratics; 64 leaves some margin.
"""

from __future__ import annotations

import os

__all__ = ["WORK_VECTORS", "available_memory", "check_fits"]

WORK_VECTORS = 64


def available_memory() -> int | None:
    """Bytes a new allocation can get: MemAvailable from /proc/meminfo (Linux), else the free
    physical pages from sysconf; None when the platform tells neither."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024  # reported in kB
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def check_fits(name: str, n: int) -> str | None:
    """None when `name` at dimension n fits in the available memory (or when that is not
    known); otherwise the one-line reason, naming n and both sizes."""
    available = available_memory()
    need = WORK_VECTORS * 8 * n
    if available is None or need <= available:
        return None
    return (f"{name}: n={n} needs about {need / 1e9:.3g} GB of memory to solve "
            f"({WORK_VECTORS} vectors of n floats), more than the {available / 1e9:.3g} GB "
            "available")
