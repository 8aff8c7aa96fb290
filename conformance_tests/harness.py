"""Run one scenario against the implementation under test and keep everything it did."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import StrEnum

from spec.binding import Implementation
from spec.extension import response_path_problem
from spec.order_state import OrderState
from spec.records import OrderRecord, RunReport
from spec.risk import RiskGate
from spec.values import ExecutionIntent

from conformance_tests.doubles import (
    CallLog,
    ScriptedGate,
    ScriptedRoute,
    ScriptedSource,
    SuiteInterrupt,
    SuitePolicy,
    declared_response,
)
from conformance_tests.guards import Attempts, guarded, watchdog
from conformance_tests.model import DeclaredPath, ExpectedRun, expected_run
from conformance_tests.scenario import Scenario, Step

RUN_TIME_LIMIT_S = 10.0


@dataclass
class Observed:
    report: RunReport[StrEnum] | None
    """What ``run()`` returned, or ``last_report`` when it raised."""
    raised: BaseException | None
    log: CallLog
    pulled: list[ExecutionIntent]
    routed: list[ExecutionIntent]
    seen_states: list[tuple[str, str, str]]
    attempts: Attempts
    foreign_threads: bool
    """A double was called from a thread other than the one that called ``run()``."""

    @property
    def orders(self) -> tuple[OrderRecord[StrEnum], ...]:
        return self.report.orders if self.report is not None else ()

    def histories(self) -> list[tuple[str, tuple[str, ...]]]:
        return [(o.intent.intent_id, tuple(s.value for s in o.history)) for o in self.orders]


class _ThreadCheckingLog(CallLog):
    def __init__(self) -> None:
        super().__init__()
        self.owner = threading.get_ident()
        self.foreign = False

    def add(self, what: str, intent_id: str) -> None:
        self.foreign = self.foreign or threading.get_ident() != self.owner
        super().add(what, intent_id)


def run_scenario(
    implementation: Implementation[StrEnum],
    scenario: Scenario,
    *,
    gate: RiskGate | None = None,
) -> Observed:
    """Build the doubles, run the loop once under the guards, and collect the outcome.

    An exception out of ``run()`` is kept in ``raised`` (the tests decide which clause it
    breaks); the suite's own interrupt is expected to propagate (LOOP-5).
    """
    log = _ThreadCheckingLog()
    route = ScriptedRoute(scenario, log, implementation.outcomes)
    scripted_gate = ScriptedGate(scenario, log)
    source = ScriptedSource(scenario, log)
    report: RunReport[StrEnum] | None = None
    raised: BaseException | None = None
    with watchdog(RUN_TIME_LIMIT_S), guarded() as attempts:
        loop = implementation.make_loop(route, gate or scripted_gate, SuitePolicy(scenario.policy, log))
        source.loop = loop
        try:
            report = loop.run(source)
        except (Exception, SuiteInterrupt) as error:
            raised = error
            report = loop.last_report
    return Observed(
        report=report,
        raised=raised,
        log=log,
        pulled=source.pulled,
        routed=route.intents,
        seen_states=scripted_gate.seen_states,
        attempts=attempts,
        foreign_threads=log.foreign,
    )


def expect(implementation: Implementation[StrEnum], scenario: Scenario) -> ExpectedRun:
    """What the specification says a run of ``scenario`` must produce on
    ``implementation``, whose declared outcomes take their declared paths (LOOP-10)."""
    return expected_run(scenario, declared_paths(implementation))


def declared_paths(implementation: Implementation[StrEnum]) -> DeclaredPath:
    """The oracle's reading of declared answers: the implementation's own event
    mapping, walked through its table by value, independently of its loop."""
    machine = implementation.machine
    outcomes = tuple(implementation.outcomes)
    rows = {(s.value, e.value): t.value for (s, e), t in machine.table.items()}

    def path(step: Step) -> tuple[str, ...] | None:
        intent = step.intent()
        response = declared_response(outcomes, step.outcome, intent)
        if response_path_problem(machine, intent, response) is not None:
            return None
        states: list[str] = []
        state = OrderState.SUBMITTED.value
        for event in machine.events_for(intent, response):
            state = rows[state, event.value]
            states.append(state)
        return tuple(states)

    return path
