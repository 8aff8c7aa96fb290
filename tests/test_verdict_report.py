"""The parent's verdict: built only from what the test process reported, every clause
accounted for, every failure naming its clause."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from spec import PHASE4, OrderState, extension_breaches
from spec.clauses import CLAUSES

from conformance_tests.report import ClauseCollector, Status, to_junit, to_markdown

NODE = "test_loop.py::test_stop_policy_is_obeyed_exactly"


def _collector() -> ClauseCollector:
    collector = ClauseCollector()
    collector.add_test(NODE, ("LOOP-6",))
    return collector


def test_a_clause_with_no_recorded_result_is_untested_and_fails() -> None:
    verdict = {r.id: r.status for r in _collector().verdict()}
    assert verdict["LOOP-6"] is Status.UNTESTED and set(verdict) == set(CLAUSES)


def test_a_raw_exception_is_reported_under_the_clauses_of_its_test() -> None:
    collector = _collector()
    collector.add_report(NODE, "call", "failed", "E   AttributeError: 'NoneType' object has no attribute 'kind'\n")
    loop6 = next(r for r in collector.verdict() if r.id == "LOOP-6")
    assert loop6.status is Status.FAIL
    assert loop6.counterexample.startswith("LOOP-6: ") and "'NoneType' object has no attribute 'kind'" in loop6.counterexample


def test_a_failure_in_setup_is_not_overwritten_by_a_later_pass() -> None:
    collector = _collector()
    collector.add_report(NODE, "setup", "failed", "E   LOOP-6: broken")
    collector.add_report(NODE, "call", "passed", "")
    assert next(r for r in collector.verdict() if r.id == "LOOP-6").status is Status.FAIL


def test_guard_findings_fail_route_1_and_loop_1_whichever_test_ran() -> None:
    collector = _collector()
    collector.add_report(NODE, "call", "passed", "")
    collector.add_guard_findings(NODE, ["socket.connect at x.py:1"], ["os.fork at y.py:2"], [])
    verdict = {r.id: r for r in collector.verdict()}
    assert verdict["ROUTE-1"].status is verdict["LOOP-1"].status is Status.FAIL
    assert "socket.connect" in verdict["ROUTE-1"].counterexample and "os.fork" in verdict["LOOP-1"].counterexample
    assert verdict["LOOP-6"].status is Status.PASS


def test_junit_and_markdown_list_every_clause() -> None:
    results = _collector().verdict()
    suite = ET.fromstring(to_junit(results, implementation="x"))
    assert len(list(suite.iter("testcase"))) == len(CLAUSES) == int(suite.get("failures", "0"))
    markdown = to_markdown(results, implementation="x | y", summary="0 passed")
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


def test_a_failure_counts_only_for_the_clauses_its_message_names() -> None:
    collector = ClauseCollector()
    collector.add_test("stateful", ("TERMINAL-1", "LOOP-6", "LOOP-7"))
    collector.add_test("gates", ("RISK-1", "RISK-2", "LOOP-9"))
    collector.add_report("stateful", "call", "failed", "E   AssertionError: LOOP-7: a stop requested between runs ...")
    collector.add_report("gates", "call", "failed", "E   AssertionError: RISK-1/2: routed although refused")
    status = {r.id: r.status for r in collector.verdict()}
    assert status["LOOP-7"] is status["RISK-1"] is status["RISK-2"] is Status.FAIL
    assert status["TERMINAL-1"] is status["LOOP-6"] is status["LOOP-9"] is Status.UNTESTED
