"""The judge's shrink budget is counted in test calls (conformance_tests.shrinking): a
failure shrinks to the same example on a fast machine and on a loaded one, so the clause
a test's first failing check names, and a known-failures entry for it, do not flip."""

from __future__ import annotations

import time

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from conformance_tests.shrinking import counted_shrinking


def _shrunk(seconds_per_call: float) -> tuple[list[int], int]:
    """The last failing example of a property that fails when its sum passes 1,500, and
    how many calls the property had, each call taking ``seconds_per_call``."""
    failing: list[list[int]] = []
    calls = [0]

    @settings(max_examples=200, derandomize=True, database=None, deadline=None, report_multiple_bugs=False,
              phases=(Phase.generate, Phase.shrink))
    @given(st.lists(st.integers(0, 1000), min_size=1))
    def adds_up(numbers: list[int]) -> None:
        calls[0] += 1
        time.sleep(seconds_per_call)
        if sum(numbers) > 1500:
            failing.append(list(numbers))
            raise AssertionError("too much")

    try:
        adds_up()
    except AssertionError:
        pass
    return failing[-1], calls[0]


def test_a_failure_shrinks_to_the_same_example_whatever_each_call_costs() -> None:
    """Property of the budget: the same calls, the same example, at 0 ms and at 3 ms a call
    (hypothesis' own budget is wall time: a loaded machine stopped shrinking sooner)."""
    with counted_shrinking(60):
        fast, fast_calls = _shrunk(0.0)
        slow, slow_calls = _shrunk(0.003)
    assert (fast, fast_calls) == (slow, slow_calls)


def test_the_budget_bounds_the_calls_spent_shrinking_and_is_undone_after() -> None:
    from hypothesis.internal.conjecture import engine

    saved = engine.MAX_SHRINKING_SECONDS
    with counted_shrinking(10):
        _, few = _shrunk(0.0)
    with counted_shrinking(60):
        _, more = _shrunk(0.0)
    assert few < more
    assert engine.MAX_SHRINKING_SECONDS == saved and getattr(engine, "time") is time


def test_a_hypothesis_without_the_shrinking_constant_is_budgeted_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """hypothesis 6.80 (the oldest the kit allows) has no MAX_SHRINKING_SECONDS: its
    deadline adds a literal 300, which the judge's budget is."""
    from hypothesis.internal.conjecture import engine

    monkeypatch.delattr(engine, "MAX_SHRINKING_SECONDS")
    with counted_shrinking(300):
        assert getattr(engine, "MAX_SHRINKING_SECONDS") == 300
    assert not hasattr(engine, "MAX_SHRINKING_SECONDS") and getattr(engine, "time") is time
