"""How many starts travel in one task: batches planned by factoring, largest first.

A task on a Dask cluster costs milliseconds of scheduler, client and worker work besides the
solve (measured on LJ13 multistart, 32 solves of ~45 ms on 2 single-threaded workers: ~4 ms of
CPU per task, so one task per start spent ~0.15 s of the machine's 2 cores). Batching the starts
amortises that cost, but one big batch per worker would leave a worker idle while the other
finishes a long batch. Factoring (Hummel, Schonberg & Flynn 1992, "Factoring: a method for
scheduling parallel loops", Comm. ACM 35(8)) takes both into account: each round hands out
half of the remaining starts in ``slots`` equal batches, so the batches shrink geometrically
and the last ones hold a single start. Submitted in that order, largest first, the workers pick
up the big batches early and the small ones balance the tail.
"""

from __future__ import annotations

__all__ = ["factoring"]


def factoring(n: int, slots: int | None) -> list[range]:
    """Consecutive index ranges covering ``range(n)``, in the order to submit them.

    ``slots`` is the number of tasks the target runs at once (its worker threads); None gives
    one start per range, for targets where a task costs little (local processes, threads).

    Examples
    --------
    >>> [len(r) for r in factoring(32, 2)]
    [8, 8, 4, 4, 2, 2, 1, 1, 1, 1]
    >>> [len(r) for r in factoring(5, 2)]
    [2, 2, 1]
    >>> factoring(3, None)
    [range(0, 1), range(1, 2), range(2, 3)]
    """
    if slots is None:
        return [range(i, i + 1) for i in range(n)]
    batches, start = [], 0
    while start < n:
        size = max(1, -(-(n - start) // (2 * slots)))  # ceil(remaining / (2 * slots))
        for _ in range(slots):
            stop = min(n, start + size)
            if stop > start:
                batches.append(range(start, stop))
            start = stop
    return batches
