"""A clause's counterexample in the verdict is its own: when a test that proves several
clauses failed on another clause's check, a failure naming this clause comes first
(found by the teeth: LOOP-10 reported RISK-5's message)."""

from __future__ import annotations

from conformance_tests.report import ClauseResult, Status
from conformance_tests.report import TestResult as Run  # not "Test*": pytest would try to collect it
from conformance_tests.violation import Violation


def _violated(clause: str, observed: str) -> Violation:
    return Violation((clause,), "what the clause says", observed)


def test_the_counterexample_names_its_own_clause_when_a_failure_does() -> None:
    result = ClauseResult("LOOP-10", "declared paths", Status.FAIL, [
        Run("a", "failed", _violated("RISK-5", "after_response saw 'o-0' in state 'accepted'")),
        Run("b", "passed"),
        Run("c", "failed", _violated("LOOP-10", "declared answers gave [...]")),
    ])
    assert result.violation is not None and result.violation.clauses == ("LOOP-10",)


def test_the_first_failure_stands_when_none_names_the_clause() -> None:
    result = ClauseResult("LOOP-10", "declared paths", Status.FAIL, [
        Run("a", "failed", _violated("RISK-5", "first")), Run("c", "failed", _violated("RISK-5", "second")),
    ])
    assert result.violation == _violated("RISK-5", "first")
