"""Interleaved CPU-clock timing: every variant runs once per round, in alternating
order, so that load from other processes and the CPU's warm-up fall on all of them
alike, and a ratio can be taken round by round.

Wall-clock timers count the time other processes hold the core; the process CPU clock
counts only ours. The cyclic GC is off while timing (its full passes scale with the
whole live heap, not with the loop); it collects once before the first round.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Spread:
    """The median of a series and its interquartile range, in the series' unit."""

    median: float
    iqr: float

    @classmethod
    def of(cls, values: list[float]) -> Spread:
        if len(values) < 4:
            return cls(statistics.median(values), max(values) - min(values))
        low, _, high = statistics.quantiles(values, n=4, method="inclusive")
        return cls(statistics.median(values), high - low)


def interleave(variants: Mapping[str, Callable[[], object]], *, rounds: int, warmup: int = 1) -> dict[str, list[float]]:
    """Seconds of process CPU time per run of each variant, one list entry per round.

    Round ``r`` runs the variants forwards when ``r`` is even and backwards when odd.
    What a run returns is kept until its clock has stopped, so freeing it is not timed.
    """
    names = list(variants)
    seconds: dict[str, list[float]] = {name: [] for name in names}
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        for round_number in range(warmup + rounds):
            for name in names if round_number % 2 == 0 else reversed(names):
                run = variants[name]
                start = time.process_time_ns()
                kept = run()
                elapsed = time.process_time_ns() - start
                del kept
                if round_number >= warmup:
                    seconds[name].append(elapsed / 1e9)
    finally:
        if enabled:
            gc.enable()
    return seconds


def ratios(numerator: list[float], denominator: list[float]) -> Spread:
    """The round-by-round ratio of two interleaved series: each pair shared its round's load."""
    return Spread.of([a / b for a, b in zip(numerator, denominator, strict=True)])
