"""The coverage of what a binding declared: dead rows are found from the declaration
alone (STATE-9), and runs are counted per declared state, outcome and row."""

from __future__ import annotations

from broken_impls import DEAD_ROW, GOOD_EXTENSION

from conformance_tests.coverage import CoverageCounter, dead_rows, render_coverage


def test_a_row_no_declared_answer_takes_is_dead_and_named() -> None:
    assert dead_rows(DEAD_ROW.machine, DEAD_ROW.outcomes) == [("partially_accepted", "accept_rest", "accepted")]
    assert dead_rows(GOOD_EXTENSION.machine, GOOD_EXTENSION.outcomes) == []


def test_runs_are_counted_per_declared_state_outcome_and_row() -> None:
    counter = CoverageCounter(GOOD_EXTENSION.machine, GOOD_EXTENSION.outcomes)
    counter.count([("created", "submitted", "partially_accepted", "expired")], [0])
    counter.count([("created", "submitted", "accepted"), ("created", "submitted", "accepted")], [])
    coverage = counter.coverage()
    runs = {(item.kind, item.name): item.runs for item in coverage.items}
    assert runs[("row", "submitted --accept--> accepted")] == 1, "a run counts once, however many orders took the row"
    assert runs[("outcome", "half filled, rest expired")] == 1 and runs[("outcome", "expired unfilled")] == 0
    assert runs[("state", "partially_accepted")] == 1 and coverage.runs == 2
    missed = {item.name for item in coverage.unexercised()}
    assert "submitted --reject--> rejected" in missed and "expired unfilled" in missed
    assert "partially_accepted --fail--> failed" not in missed, "a STATE-7 fail exit is checked on the table, not by runs"
    assert any("never reached: row submitted --reject--> rejected" in line for line in render_coverage(coverage))
