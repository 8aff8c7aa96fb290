"""The judge's verdict: built from the tests' reports and the violations they carry,
every clause accounted for, every failure naming its clause."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from spec import PHASE4, OrderState, extension_breaches
from spec.clauses import CLAUSES

from conformance_tests.report import ClauseCollector, Status
from conformance_tests.verdict import Verdict, to_junit, to_markdown
from conformance_tests.violation import Violation, violation_of

NODE = "test_loop.py::test_stop_policy_is_obeyed_exactly"


def _collector() -> ClauseCollector:
    collector = ClauseCollector()
    collector.add_test(NODE, ("LOOP-6",))
    return collector


def test_a_clause_with_no_recorded_result_is_untested_and_fails() -> None:
    verdict = {r.id: r.status for r in _collector().verdict()}
    assert verdict["LOOP-6"] is Status.UNTESTED and set(verdict) == set(CLAUSES)


def test_a_raw_exception_is_reported_under_the_clauses_of_its_test_with_its_whole_message() -> None:
    collector = _collector()
    error = AttributeError("'NoneType' object has no attribute 'kind'\nsecond line")
    collector.add_failure(NODE, violation_of(error, ("LOOP-6",), None))
    loop6 = next(r for r in collector.verdict() if r.id == "LOOP-6")
    assert loop6.status is Status.FAIL and loop6.violation is not None
    assert loop6.violation.clauses == ("LOOP-6",)
    assert loop6.violation.observed == "AttributeError: 'NoneType' object has no attribute 'kind'\nsecond line"


def test_a_failure_in_setup_is_not_overwritten_by_a_later_pass() -> None:
    collector = _collector()
    collector.add_failure(NODE, Violation(("LOOP-6",), "x", "broken"))
    collector.add_pass(NODE)
    assert next(r for r in collector.verdict() if r.id == "LOOP-6").status is Status.FAIL


def test_guard_findings_fail_route_1_and_loop_1_whichever_test_ran() -> None:
    collector = _collector()
    collector.add_pass(NODE)
    collector.add_guard_findings(NODE, ["socket.connect at x.py:1"], ["os.fork at y.py:2"], [])
    verdict = {r.id: r for r in collector.verdict()}
    route, loop = verdict["ROUTE-1"].violation, verdict["LOOP-1"].violation
    assert verdict["ROUTE-1"].status is verdict["LOOP-1"].status is Status.FAIL
    assert route is not None and route.clauses == ("ROUTE-1",) and "socket.connect" in route.observed
    assert loop is not None and loop.clauses == ("LOOP-1",) and "os.fork" in loop.observed
    assert verdict["LOOP-6"].status is Status.PASS


def test_junit_and_markdown_list_every_clause() -> None:
    verdict = Verdict("x | y", "t", "ci", "", tuple(_collector().verdict()))
    suite = ET.fromstring(to_junit(verdict))
    assert len(list(suite.iter("testcase"))) == len(CLAUSES) == int(suite.get("failures", "0"))
    markdown = to_markdown(verdict)
    assert markdown.count("❌ untested") == len(CLAUSES) and "x \\| y" in markdown


def test_a_table_keyed_by_plain_strings_is_a_state_4_breach_not_a_crash() -> None:
    class StringTable:
        states = OrderState
        initial = OrderState.CREATED
        terminal = PHASE4.terminal
        table = {("created", "submit"): "submitted"}

        def transition(self, state: OrderState, event: object) -> OrderState:
            raise NotImplementedError

    breaches = extension_breaches(StringTable())  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    assert str(breaches[0]).startswith("STATE-4: table row ('created', 'submit')")


def test_a_failure_counts_only_for_the_clauses_its_violation_names() -> None:
    collector = ClauseCollector()
    collector.add_test("stateful", ("TERMINAL-1", "LOOP-6", "LOOP-7"))
    collector.add_test("gates", ("RISK-1", "RISK-2", "LOOP-9"))
    collector.add_failure("stateful", Violation(("LOOP-7",), "x", "a stop requested between runs ..."))
    collector.add_failure("gates", Violation(("RISK-1", "RISK-2"), "x", "routed although refused"))
    status = {r.id: r.status for r in collector.verdict()}
    assert status["LOOP-7"] is status["RISK-1"] is status["RISK-2"] is Status.FAIL
    assert status["TERMINAL-1"] is status["LOOP-6"] is status["LOOP-9"] is Status.UNTESTED


def test_a_breach_of_the_clause_the_check_stands_for_reads_once_not_twice() -> None:
    """``STATE-7: STATE-7: ...`` was how one breach read; breaches of several clauses
    keep their clause on each line."""
    from spec.extension import Breach

    from conformance_tests.violation import ClauseViolated, refuse_breaches

    with pytest.raises(ClauseViolated) as one:
        refuse_breaches([Breach("STATE-7", "'partial' needs a 'fail' row")])
    assert one.value.violation.message.startswith("STATE-7: 'partial' needs a 'fail' row\n")
    with pytest.raises(ClauseViolated) as two:
        refuse_breaches([Breach("RISK-7", "a"), Breach("LOOP-9", "b")])
    assert two.value.violation.observed == "RISK-7: a\nLOOP-9: b" and two.value.violation.clauses == ("RISK-7", "LOOP-9")


def test_a_not_applicable_reason_is_one_line_without_hypothesis_notes() -> None:
    """Hypothesis appends the explicit example's call (object addresses included) to a
    skip raised from it; the summary must read the same in every run."""
    collector = _collector()
    collector.add_skip(NODE, "not applicable: the binding keeps no resting orders (resting = None)\n"
                             "Failing explicit example: call(implementation=<Binding object at 0x7f3a>)")
    verdict = Verdict("x", "t", "ci", "", tuple(collector.verdict()))
    assert verdict.not_applicable == {"the binding keeps no resting orders (resting = None)": ["LOOP-6"]}
