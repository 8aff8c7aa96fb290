"""Where two honest implementations written from the specification alone could differ
(issue 10), the specification now decides; each decision is proved here under its
clause (docs/specification.md states it)."""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum

import pytest

from spec.binding import Implementation
from spec.errors import InvalidIntent
from spec.loop import ExecutionLoop
from spec.records import OrderView, RunReport, StopKind
from spec.values import ExecutionIntent, ExecutionResponse

from conformance_tests.doubles import CallLog, ScriptedGate, ScriptedRoute, ScriptedSource, SuiteInterrupt, SuitePolicy
from conformance_tests.harness import call_watched, run_scenario
from conformance_tests.scenario import GateAct, Policy, RouteAct, Scenario, Step
from conformance_tests.violation import ClauseViolated

Impl = Implementation[StrEnum]


class _Runs:
    """One loop over the suite's doubles, run on one scenario after another."""

    def __init__(self, implementation: Impl, policy: Policy = Policy()) -> None:
        self.log = CallLog()
        self.route = ScriptedRoute(Scenario(()), self.log)
        self.gate = ScriptedGate(Scenario(()), self.log)
        self.policy = SuitePolicy(policy, self.log)
        self.loop: ExecutionLoop[StrEnum] = call_watched(
            lambda: implementation.make_loop(self.route, self.gate, self.policy)
        )
        self.route.loop = self.gate.loop = self.loop

    def run(self, scenario: Scenario) -> RunReport[StrEnum] | None:
        self.route.script(scenario)
        self.gate.script(scenario)
        source = ScriptedSource(scenario, self.log)
        source.loop = self.loop
        loop = self.loop

        def run() -> RunReport[StrEnum] | None:
            try:
                return loop.run(source)
            except SuiteInterrupt:
                return loop.last_report

        return call_watched(run, scenario)


def _histories(report: RunReport[StrEnum] | None) -> list[tuple[str, tuple[str, ...]]]:
    if report is None:
        raise ClauseViolated("TERMINAL-1", observed="no report")
    return [(o.intent.intent_id, tuple(s.value for s in o.history)) for o in report.orders]


@pytest.mark.qts_clause("RISK-4")
def test_a_rejected_order_took_the_clean_path_and_carries_no_fault(implementation: Impl) -> None:
    seen = run_scenario(implementation, Scenario((Step("o-1", route=RouteAct.REJECT),)))
    faults = [(o.intent.intent_id, o.fault) for o in seen.orders]
    if faults != [("o-1", None)]:
        raise ClauseViolated("RISK-4", observed=f"a venue's rejection is an answer, not a fault: {faults}")


@pytest.mark.qts_clause("LOOP-7")
@pytest.mark.parametrize(
    "first",
    [
        pytest.param(Step("o-1", stop_in="before_route", after_response=GateAct.REFUSE), id="gate-halt"),
        pytest.param(Step("o-1", stop_in="before_route", route=RouteAct.INTERRUPT), id="interrupt"),
    ],
)
def test_a_stop_request_is_used_up_by_its_run_whatever_ended_it(implementation: Impl, first: Step) -> None:
    runs = _Runs(implementation)
    runs.run(Scenario((first,)))
    second = runs.run(Scenario((Step("o-2"),)))
    if not (second is not None and (_histories(second), second.stop.kind) == (
        [("o-2", ("created", "submitted", "accepted"))], StopKind.SOURCE_EXHAUSTED
    )):
        raise ClauseViolated("LOOP-7", observed=f"a request made during a run that something else ended must not stop the next run: {second}")


@pytest.mark.qts_clause("LOOP-6")
@pytest.mark.parametrize(
    ("scenario", "kind"),
    [
        (Scenario((Step("o-1"),), Policy(max_executions=1)), StopKind.MAX_EXECUTIONS),
        (Scenario((Step("o-1", route=RouteAct.RAISE),), Policy(max_consecutive_failures=1)), StopKind.MAX_CONSECUTIVE_FAILURES),
    ],
)
def test_a_policy_reached_on_the_last_intent_wins_over_exhaustion(implementation: Impl, scenario: Scenario, kind: StopKind) -> None:
    seen = run_scenario(implementation, scenario)
    if not (seen.report is not None and seen.report.stop.kind == kind):
        raise ClauseViolated("LOOP-6", observed=f"the policy said stop before the pull that would find the source empty; "
        f"expected {kind.value}, got {seen.report and seen.report.stop}")


class SourceFailure(RuntimeError):
    """What the suite's failing source raises on its second pull."""


@pytest.mark.qts_clause("LOOP-3")
def test_a_source_that_raises_ends_the_run_interrupted_and_loses_nothing(implementation: Impl) -> None:
    runs = _Runs(implementation)

    def failing() -> Iterator[ExecutionIntent]:
        yield Step("o-1").intent()
        raise SourceFailure("feed lost")

    loop = runs.loop
    with pytest.raises(SourceFailure):
        call_watched(lambda: loop.run(failing()))
    report = loop.last_report
    if _histories(report) != [("o-1", ("created", "submitted", "accepted"))]:
        raise ClauseViolated("LOOP-3", observed=f"{report}")
    if not (report is not None and report.stop.kind == StopKind.INTERRUPTED):
        raise ClauseViolated("LOOP-3", observed=f"a run ended by an exception from the source stops INTERRUPTED, got {report and report.stop}")


@pytest.mark.qts_clause("LOOP-3")
def test_a_run_refusing_a_non_intent_stops_interrupted(implementation: Impl) -> None:
    loop = _Runs(implementation).loop
    with pytest.raises(InvalidIntent):
        call_watched(lambda: loop.run([Step("o-1").intent(), "o-2"]))  # type: ignore[list-item]  # pyright: ignore[reportArgumentType]
    report = loop.last_report
    if not (report is not None and report.stop.kind == StopKind.INTERRUPTED):
        raise ClauseViolated("LOOP-3", observed=f"{report and report.stop}")


@pytest.mark.qts_clause("LOOP-2")
def test_intake_refusal_is_per_run(implementation: Impl) -> None:
    runs = _Runs(implementation)
    first, second = runs.run(Scenario((Step("o-1"),))), runs.run(Scenario((Step("o-1"),)))
    accepted = [("o-1", ("created", "submitted", "accepted"))]
    if (_histories(first), _histories(second)) != (accepted, accepted):
        raise ClauseViolated("LOOP-2", observed=f"an id routed in an earlier run is routed again in a later one: {first} / {second}")


@pytest.mark.qts_clause("LOOP-6")
def test_a_later_run_shows_the_policy_a_fresh_run_context(implementation: Impl) -> None:
    """What a run leaves in the controller does not leak into the next run's
    RunContext: counts start at 0 and the flags are plain bools, all False."""
    runs = _Runs(implementation)
    runs.run(Scenario((Step("o-1", request_stop=True), Step("o-2"))))
    runs.run(Scenario((Step("o-3", after_response=GateAct.REFUSE),)))
    runs.run(Scenario((Step("o-4"),)))
    fresh = [c for c in runs.policy.contexts if c.pulled == runs.log.pulls - 1][-1:]
    if not fresh:
        raise ClauseViolated("LOOP-6", observed="the last run never asked its stop policy")
    context = fresh[0]
    seen = (context.executions, context.settled, context.consecutive_failures, context.last_order, context.flags)
    if not (seen == (0, 0, 0, None, (False, False, False)) and all(type(f) is bool for f in context.flags)):
        raise ClauseViolated("LOOP-6", observed=f"before the first pull of a later run the policy saw (executions, settled, "
        f"consecutive_failures, last_order, flags) = {seen!r}")


class _ReportReader:
    """A gate that reads ``loop.last_report`` from inside a run."""

    def __init__(self) -> None:
        self.loop: ExecutionLoop[StrEnum] | None = None
        self.read: list[RunReport[StrEnum] | None] = []

    def before_intent(self, intent: ExecutionIntent, /) -> bool:
        assert self.loop is not None
        self.read.append(self.loop.last_report)
        return True

    def before_route(self, order: OrderView, /) -> bool:
        return True

    def after_response(self, order: OrderView, response: ExecutionResponse, /) -> bool:
        return True


@pytest.mark.qts_clause("LOOP-14")
def test_last_report_changes_only_when_a_run_ends_and_reports_stay_as_returned(implementation: Impl) -> None:
    log = CallLog()
    reader = _ReportReader()
    loop = call_watched(lambda: implementation.make_loop(ScriptedRoute(Scenario(()), log), reader, SuitePolicy(Policy(), log)))
    reader.loop = loop
    if call_watched(lambda: loop.last_report) is not None:
        raise ClauseViolated("LOOP-14", observed="last_report must be None before the first run")
    first = call_watched(lambda: loop.run([Step("o-1").intent(), Step("o-2").intent()]))
    kept = _histories(first), first.stop
    second = call_watched(lambda: loop.run([Step("o-3").intent()]))
    if not (reader.read[0] is None and reader.read[1] is None):
        raise ClauseViolated("LOOP-14", observed="during the first run last_report must stay None")
    if reader.read[2] != first:
        raise ClauseViolated("LOOP-14", observed=f"during a run last_report must be the previous run's report, got {reader.read[2]}")
    if (_histories(first), first.stop) != kept:
        raise ClauseViolated("LOOP-14", observed="an earlier report changed when the loop ran again")
    if call_watched(lambda: loop.last_report) != second:
        raise ClauseViolated("LOOP-14", observed="after a run last_report is that run's report")


@pytest.mark.qts_clause("RISK-4", "LOOP-5")
@pytest.mark.parametrize(
    ("step", "named"),
    [
        (Step("o-1", before_intent=GateAct.RAISE, variant=1), "ZeroDivisionError"),
        (Step("o-1", before_route=GateAct.RAISE, variant=3), "InvalidOperation"),
        (Step("o-1", route=RouteAct.RAISE, variant=1), "TimeoutError"),
        (Step("o-1", after_response=GateAct.RAISE), "RuntimeError"),
        (Step("o-1", after_response=GateAct.INTERRUPT), "SuiteInterrupt"),
        (Step("o-1", route=RouteAct.INTERRUPT), "SuiteInterrupt"),
    ],
    ids=["before_intent", "before_route", "route", "after_response", "interrupt-after-response", "interrupt-in-route"],
)
def test_a_fault_from_an_exception_names_it(implementation: Impl, step: Step, named: str) -> None:
    """The fault an exception leaves names the exception's type, and so does the
    detail of a run it interrupted: the report says what went wrong, not only where."""
    seen = run_scenario(implementation, Scenario((step,)))
    faults = [o.fault for o in seen.orders]
    if not (len(faults) == 1 and faults[0] is not None and named in faults[0].message):
        raise ClauseViolated("RISK-4", observed=f"the fault must name the {named} that caused it: {faults}")
    if seen.raised is not None:
        stop = seen.report.stop if seen.report is not None else None
        if not (stop is not None and type(stop.detail) is str and named in stop.detail):
            raise ClauseViolated("LOOP-5", observed=f"the stop detail of an interrupted run must name the {named}: {stop!r}")
