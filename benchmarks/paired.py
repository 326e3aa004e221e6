"""Ratios of two statements timed in alternation, so that load on a shared machine hits both.

pyperf measures one benchmark after another, and on a busy machine the load
can change between two of them by more than the difference being measured.
Here each round times a batch of one statement, then a batch of the other,
and the result is the median of the rounds' ratios.
"""

from __future__ import annotations

import statistics
import timeit


def paired_ratio(
    numerator: str,
    denominator: str,
    names: dict[str, object],
    rounds: int = 31,
    number: int = 20_000,
) -> float:
    """Return the median over `rounds` of time(numerator) / time(denominator)."""
    top = timeit.Timer(numerator, globals=names)
    bottom = timeit.Timer(denominator, globals=names)
    top.timeit(number)  # warm up both, so that the first round is not an outlier
    bottom.timeit(number)
    ratios = []
    for _ in range(rounds):
        ratios.append(top.timeit(number) / bottom.timeit(number))
    return statistics.median(ratios)
