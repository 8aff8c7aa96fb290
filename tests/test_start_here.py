"""Root cause first: the oracle's provenance names the clause where a failing run first
departed from the specification, and the verdict opens with the clause to fix first,
the other failures grouped as its consequences."""

from __future__ import annotations

from enum import StrEnum
from typing import cast

import pytest
from hypothesis import given, settings

from spec.binding import Implementation
from spec.records import OrderView
from spec.values import ExecutionResponse

from conformance_tests.divergence import first_divergence
from conformance_tests.harness import Observed, expect, run_scenario
from conformance_tests.report import ClauseResult, Status
from conformance_tests.report import TestResult as Result
from conformance_tests.scenario import GateAct, Policy, RouteAct, Scenario, Step
from conformance_tests.start_here import start_here
from conformance_tests.strategies import scenarios
from conformance_tests.verdict import Verdict, render_table, to_dict, to_junit, to_markdown
from conformance_tests.violation import Cause, Violation

from reference_impl.binding import QTS_IMPLEMENTATION as REFERENCE

import broken_impls

Impl = Implementation[StrEnum]


def departure(implementation: Impl, scenario: Scenario) -> Cause | None:
    seen: Observed = run_scenario(implementation, scenario)
    report = seen.report
    return first_divergence(expect(implementation, scenario), seen.orders, seen.log.entries, pulled=len(seen.pulled),
                            stop=None if report is None else report.stop.kind, raised=seen.raised,
                            terminal=implementation.machine.terminal, steps=len(scenario.steps))


@settings(max_examples=150)
@given(scenario=scenarios(interrupts=True))
def test_a_conforming_run_never_departs_from_the_oracle(scenario: Scenario) -> None:
    """Property: on the reference, whatever the scenario, the comparison finds no
    departure: a cause is never blamed on a run that kept the specification."""
    assert departure(cast("Impl", REFERENCE), scenario) is None


REFUSED_AFTER_ANSWER = Scenario((Step("o-0", after_response=GateAct.REFUSE), Step("o-1")))


@pytest.mark.parametrize(("binding", "scenario", "clause", "where"), [
    ("AFTER_RESPONSE_IGNORED", REFUSED_AFTER_ANSWER, "RISK-3", "order #0 ('o-0')"),
    ("BEFORE_INTENT_IGNORED", Scenario((Step("o-0", before_intent=GateAct.REFUSE),)), "RISK-1", "order #0 ('o-0')"),
    ("ROUTES_WHEN_REFUSED", Scenario((Step("o-0", before_route=GateAct.REFUSE),)), "RISK-2", "order #0 ('o-0')"),
    ("TRUTHY_GATE", Scenario((Step("o-0", before_route=GateAct.NOT_A_BOOL),)), "RISK-4", "order #0 ('o-0')"),
    ("HOOKS_CATCH_RUNTIME_ERROR_ONLY", Scenario((Step("o-0", before_intent=GateAct.RAISE, variant=1),)), "RISK-4",
     "order #0 ('o-0')"),
    ("AFTER_RESPONSE_IGNORED", Scenario((Step("o-0", after_response=GateAct.NOT_A_BOOL),)), "RISK-4", "order #0 ('o-0')"),
    ("SWALLOWED_FAILURE", Scenario((Step("o-0", route=RouteAct.RAISE),)), "TERMINAL-1", "order #0 ('o-0')"),
    ("RETRY_ON_REJECT", Scenario((Step("o-0", route=RouteAct.REJECT),)), "LOOP-2", "order #0 ('o-0')"),
    ("RESENDS_ON_TIMEOUT", Scenario((Step("o-0", route=RouteAct.RAISE, variant=1),)), "LOOP-2", "order #0 ('o-0')"),
    ("FAIL_STAYS_SUBMITTED_IN_MODEL", Scenario((Step("o-0", route=RouteAct.RAISE),)), "TERMINAL-1", "order #0 ('o-0')"),
    ("INTERRUPT_LEAVES_ORDER_OPEN", Scenario((Step("o-0", route=RouteAct.INTERRUPT),)), "LOOP-5", "order #0 ('o-0')"),
    ("RESPONSE_DROPPED_ON_CLEAN_PATH", Scenario((Step("o-0"),)), "LOOP-3", "order #0 ('o-0')"),
    ("RESPONSE_DROPPED_ON_CLEAN_PATH", Scenario((Step("o-0", route=RouteAct.RICH_ACCEPT),)), "LOOP-3", "order #0 ('o-0')"),
    ("RESPONSE_DROPPED_ON_INTERRUPT", Scenario((Step("o-0", after_response=GateAct.INTERRUPT),)), "LOOP-5", "order #0 ('o-0')"),
    ("RESPONSE_DROPPED_ON_HALT", REFUSED_AFTER_ANSWER, "RISK-3", "order #0 ('o-0')"),
    ("STOP_REQUEST_IGNORED", Scenario((Step("o-0", request_stop=True), Step("o-1"))), "LOOP-7", "the run's end"),
    ("EXECUTIONS_OFF_BY_ONE", Scenario((Step("o-0"), Step("o-1")), Policy(max_executions=1)), "LOOP-6", "the run's end"),
    ("REPORT_CAPPED_AT_100", Scenario(tuple(Step(f"o-{n}") for n in range(101))), "LOOP-3", "order #0 ('o-0')"),
    ("CASE_FOLDED_IDS", Scenario((Step("ab-1"), Step("AB-1"))), "LOOP-2", "order #1 ('AB-1')"),
    ("CASE_FOLDED_IDS", Scenario((Step("ab-1"), Step("AB-1", before_intent=GateAct.REFUSE))), "LOOP-2", "order #1 ('AB-1')"),
])
def test_the_first_departure_names_the_clause_that_decided_what_was_due(binding: str, scenario: Scenario, clause: str, where: str) -> None:
    """Each defect's first departure from the oracle is blamed on the clause that makes
    that order or that end of the run what it must be; an order left open is TERMINAL-1's."""
    cause = departure(getattr(broken_impls, binding), scenario)
    assert cause is not None and (cause.clause, cause.where) == (clause, where), cause
    assert cause.steps == len(scenario.steps)
    # An exception or a non-bool answer refuses by RISK-4, within the hook's refusal clause.
    first = scenario.steps[0]
    hook = next((c for act, c in ((first.before_intent, "RISK-1"), (first.before_route, "RISK-2"), (first.after_response, "RISK-3"))
                 if act in (GateAct.RAISE, GateAct.NOT_A_BOOL)), None)
    assert cause.builds_on == (hook if clause == "RISK-4" else None)


def result(clause: str, *causes: Cause | None, status: Status = Status.FAIL) -> ClauseResult:
    return ClauseResult(clause, clause, status, [
        Result(f"t::{clause}-{n}", "failed", Violation((clause,), "due", "seen", cause=c)) for n, c in enumerate(causes)])


def cause(clause: str, steps: int = 2) -> Cause:
    return Cause(clause, "order #0 ('o-0')", "due", "seen", steps)


def test_the_clause_most_failures_trace_back_to_comes_first_and_its_consequences_are_grouped() -> None:
    results = [result("RISK-3", cause("RISK-3")), result("RISK-4", cause("RISK-4", 1)), result("LOOP-2", cause("RISK-3", 3)),
               result("LOOP-6", cause("RISK-3", 5)), result("RISK-5", cause("RISK-3"), cause("RISK-4")),
               result("LOOP-3", status=Status.PASS)]
    first = start_here(results)
    assert first is not None and first.clause == "RISK-3" and first.steps == 2
    assert first.consequences == ("LOOP-2", "LOOP-6")  # RISK-5 also fails on RISK-4's account
    assert first.headline == "start here: RISK-3 (smallest example: 2 steps); failed as its consequences: LOOP-2, LOOP-6"


def test_a_broken_state_model_or_interface_comes_before_any_run_and_refused_attempts_before_behaviour() -> None:
    """A model or interface every run uses, then what the guards refused (which raises
    inside the implementation), then behaviour: whatever the counts."""
    behaviour = [result(c, cause("LOOP-3")) for c in ("LOOP-2", "LOOP-3", "LOOP-4", "RISK-1")]
    first = start_here([*behaviour, result("ROUTE-1"), result("STATE-8"), result("STATE-5")])
    assert first is not None and first.clause == "STATE-5" and first.steps is None
    first = start_here([*behaviour, result("ROUTE-1")])
    assert first is not None and first.clause == "ROUTE-1"


def test_a_refused_attempt_comes_before_what_its_refusal_made_the_run_do() -> None:
    """A route moved to a thread: the guards refuse the thread (a finding with no run
    cause), the route raises, runs depart on LOOP-3's orders; the thread is where to start."""
    first = start_here([result("LOOP-1", None, cause("LOOP-3", 1)), result("LOOP-3", cause("LOOP-3", 1)),
                        result("RISK-5", cause("LOOP-3", 1))])
    assert first is not None and first.clause == "LOOP-1"


def test_a_departure_traces_back_to_the_clause_it_builds_on_when_that_one_failed_on_its_own() -> None:
    """Every after_response refusal ignored: RISK-3 fails on plain refusals, and the runs
    where an exception refused (RISK-4 building on RISK-3) depart too; RISK-3 is where to
    start. Where RISK-3 holds on its own (only exceptions let through), RISK-4 is."""
    on_risk3 = Cause("RISK-4", "order #0 ('o-0')", "due", "seen", 1, builds_on="RISK-3")
    ignored = [result("RISK-3", cause("RISK-3", 2)), result("RISK-4", on_risk3), result("LOOP-4", on_risk3),
               result("LOOP-7", on_risk3), result("LOOP-2", cause("RISK-3", 3))]
    first = start_here(ignored)
    assert first is not None and (first.clause, first.consequences) == ("RISK-3", ("RISK-4", "LOOP-2", "LOOP-4", "LOOP-7"))
    first = start_here([result("RISK-3", on_risk3), result("RISK-4", on_risk3), result("LOOP-4", on_risk3)])
    assert first is not None and first.clause == "RISK-4"


def test_ties_go_to_the_smallest_example_then_to_the_specifications_order() -> None:
    first = start_here([result("LOOP-2", cause("LOOP-2", 4)), result("RISK-4", cause("RISK-4", 1))])
    assert first is not None and first.clause == "RISK-4"
    first = start_here([result("LOOP-2", cause("LOOP-2", 1)), result("RISK-4", cause("RISK-4", 1))])
    assert first is not None and first.clause == "RISK-4"  # RISK-* precede LOOP-* in the specification


def test_nothing_to_start_with_when_nothing_failed_and_a_waived_failure_is_not_a_start() -> None:
    assert start_here([result("LOOP-2", status=Status.PASS)]) is None
    assert start_here([result("LOOP-2", cause("LOOP-2"), status=Status.KNOWN)]) is None


def test_every_rendering_opens_with_where_to_start_and_shows_each_first_departure() -> None:
    departure_of = Cause("RISK-3", "order #0 ('o-0')", "history ('created', 'submitted', 'accepted'), fault at after_response",
                         "history ('created', 'submitted', 'accepted'), no fault", 2)
    verdict = Verdict("x", "pkg:X", "ci", "", (result("RISK-3", departure_of), result("LOOP-2", cause("RISK-3"))))
    assert render_table(verdict).startswith("start here: RISK-3 (smallest example: 2 steps); failed as its consequences: LOOP-2\n")
    assert "first departure (RISK-3): order #0 ('o-0'): history ('created', 'submitted', 'accepted'), no fault; due: " \
        in render_table(verdict)
    data = to_dict(verdict)
    assert data["start_here"] == {"clause": "RISK-3", "steps": 2, "consequences": ["LOOP-2"],
                                  "headline": "start here: RISK-3 (smallest example: 2 steps); failed as its consequences: LOOP-2"}
    assert "**start here: RISK-3" in to_markdown(verdict)
    linked = to_markdown(verdict, "https://docs.example/specification/")
    assert "**start here: [RISK-3](https://docs.example/specification/#RISK-3) (smallest" in linked
    assert "| [LOOP-2](https://docs.example/specification/#LOOP-2) | LOOP-2 | ❌ fail |" in linked
    assert 'name="start_here" value="start here: RISK-3' in to_junit(verdict)


def test_a_hang_is_where_to_start_and_the_tests_it_left_unrun_are_its_consequences() -> None:
    """A route slow enough that a long run does not return in time: that test fails
    TERMINAL-1's way, and every later test, checks of the state model included, is not
    run; none of them may put the model first."""
    from conformance_tests.guards import LoopDidNotReturn
    from conformance_tests.harness import ImplementationStuck, stuck_cause

    hang = stuck_cause(LoopDidNotReturn("TERMINAL-1: the loop did not return within 5.0 s"))
    unrun = stuck_cause(ImplementationStuck("TERMINAL-1: not run, the implementation is stuck: ..."))
    assert hang is not None and unrun is not None and hang.clause == unrun.clause == "TERMINAL-1" and hang.steps is None
    assert stuck_cause(AssertionError("LOOP-2: routed twice")) is None
    first = start_here([result("STATE-1", unrun), result("STATE-4", unrun), result("LOOP-2", hang), result("TERMINAL-1", unrun)])
    assert first is not None and first.clause == "TERMINAL-1" and first.steps is None
    assert first.consequences == ("STATE-1", "STATE-4", "LOOP-2")


class _SkipsAfterResponseOnRejection(broken_impls._GateProxy):  # pyright: ignore[reportPrivateUsage]
    """Asks after_response about accepted answers only: "nothing to check on a rejection"."""

    def after_response(self, order: OrderView, response: ExecutionResponse, /) -> bool:
        return True if not response.accepted else self.gate.after_response(order, response)


def test_a_hook_not_asked_is_risk_5s_even_where_the_order_ended_as_due() -> None:
    skipping = broken_impls.Mutant("skips after_response on rejections", gate=_SkipsAfterResponseOnRejection)
    cause = departure(skipping, Scenario((Step("o-0", route=RouteAct.REJECT),)))
    assert cause is not None and (cause.clause, cause.where) == ("RISK-5", "order #0 ('o-0')"), cause


def test_a_departure_decided_by_a_clause_that_did_not_fail_stays_with_the_clause_that_did() -> None:
    """A partial run, or a decider whose own checks never reached the defect: start here
    never names a clause that passed."""
    first = start_here([result("RISK-5", cause("LOOP-3")), result("LOOP-3", status=Status.PASS)])
    assert first is not None and first.clause == "RISK-5"
