"""A shrink budget counted in test calls, not seconds, so that a failure shrinks to the
same example on every machine and under any load.

Hypothesis stops shrinking a failing property after ``MAX_SHRINKING_SECONDS`` of wall
time, read off ``time.perf_counter`` in its engine once per test call. With a budget of
a few seconds (a failing verdict must cost about what a passing one does) the example,
and with it the clause a test's first failing check names, depended on how loaded the
machine was: a known-failures entry could be waived in one run and stale in the next.
Here the engine's clock advances one tick per reading instead, so the budget is a number
of calls. Hypothesis has no setting for this; the engine's module globals are what its
own deadline reads (``time`` and ``MAX_SHRINKING_SECONDS``; the oldest hypothesis the kit
allows, 6.80, adds a literal 300 instead of the latter, so its budget is 300 readings
whatever ``calls`` says, the judge's own budget).
"""

from __future__ import annotations

import time
from collections.abc import Generator
from contextlib import contextmanager


class _Ticks:
    """``perf_counter`` advancing by one at each reading; ``monotonic`` as it is."""

    def __init__(self) -> None:
        self._now = 0

    def perf_counter(self) -> float:
        self._now += 1
        return float(self._now)

    @staticmethod
    def monotonic() -> float:
        return time.monotonic()


@contextmanager
def counted_shrinking(calls: int) -> Generator[None]:
    """Within the block, hypothesis shrinks each failing test for at most about
    ``calls`` test calls (a reading or two more where a phase starts and ends)."""
    from hypothesis.internal.conjecture import engine

    missing = object()
    saved = {name: getattr(engine, name, missing) for name in ("time", "MAX_SHRINKING_SECONDS")}
    setattr(engine, "time", _Ticks())
    setattr(engine, "MAX_SHRINKING_SECONDS", calls)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is missing:
                delattr(engine, name)
            else:
                setattr(engine, name, value)
