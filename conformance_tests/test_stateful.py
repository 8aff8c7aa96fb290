"""TERMINAL-1, LOOP-6, LOOP-7: one loop driven through many runs by a hypothesis state machine:
batches of scripted intents, policy changes, stop requests between runs, interrupts."""

from __future__ import annotations

import dataclasses
from enum import StrEnum

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from spec.binding import Implementation
from spec.records import RunReport, StopKind

from conformance_tests.divergence import first_divergence
from conformance_tests.doubles import CallLog, ScriptedGate, ScriptedRoute, ScriptedSource, SuiteInterrupt, SuitePolicy
from conformance_tests.harness import call_watched, expect
from conformance_tests.scenario import Policy, Scenario, Step
from conformance_tests.strategies import policies, steps
from conformance_tests.violation import ClauseViolated

Impl = Implementation[StrEnum]


@pytest.mark.qts_clause("TERMINAL-1", "LOOP-6", "LOOP-7")
def test_a_reused_loop_keeps_every_guarantee_across_runs(implementation: Impl, qts_settings: settings) -> None:
    """State machine: whatever sequence of batches, policies, stop requests and
    interrupts, every run's report matches the specification and is all terminal."""

    class ReusedLoop(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.log = CallLog()
            self.route = ScriptedRoute(Scenario(()), self.log, implementation.outcomes)
            self.gate = ScriptedGate(Scenario(()), self.log)
            self.policy = SuitePolicy(Policy(), self.log)
            self.loop = call_watched(lambda: implementation.make_loop(self.route, self.gate, self.policy))
            self.route.loop = self.gate.loop = self.loop
            self.batch: list[Step] = []
            self.stop_pending = False
            self.runs = 0
            self.last: RunReport[StrEnum] | None = None

        @rule(step=steps(interrupts=True))
        def add_intent(self, step: Step) -> None:
            self.batch.append(dataclasses.replace(step, intent_id=f"r{self.runs}-{step.intent_id}"))

        @rule(policy=policies)
        def change_policy(self, policy: Policy) -> None:
            self.policy.policy = policy

        @rule()
        def request_stop_between_runs(self) -> None:
            call_watched(self.loop.request_stop)
            self.stop_pending = True

        @rule()
        def run_batch(self) -> None:
            scenario = Scenario(tuple(self.batch), self.policy.policy)
            self.route.script(scenario)
            self.gate.script(scenario)
            source = ScriptedSource(scenario, self.log)
            source.loop = self.loop
            loop = self.loop

            raised: list[SuiteInterrupt] = []

            def run() -> RunReport[StrEnum] | None:
                try:
                    return loop.run(source)
                except SuiteInterrupt as interrupt:
                    raised.append(interrupt)
                    return loop.last_report

            report = call_watched(run, scenario)
            if report is None:
                raise ClauseViolated("TERMINAL-1", observed="no report after a run")
            got = [(o.intent.intent_id, tuple(s.value for s in o.history)) for o in report.orders]
            if self.stop_pending:
                if (got, report.stop.kind) != ([], StopKind.STOP_REQUESTED):
                    raise ClauseViolated("LOOP-7", observed=f"a stop requested between runs must end the next run before any pull, got {got} / {report.stop}")
            else:
                expected = expect(implementation, scenario)
                want = [(o.intent_id, o.history) for o in expected.orders]
                if got != want:
                    cause = first_divergence(expected, report.orders, self.log.entries, pulled=len(source.pulled),
                                             stop=report.stop.kind, raised=raised[0] if raised else None,
                                             terminal=implementation.machine.terminal, steps=len(scenario.steps))
                    raise ClauseViolated("TERMINAL-1", observed=f"run {self.runs}: {got}", expected=f"{want}", cause=cause)
                if report.stop.kind != expected.stop:
                    raise ClauseViolated("LOOP-6", observed=f"run {self.runs} stopped {report.stop}", expected=f"{expected.stop}")
            self.stop_pending = False
            self.batch = []
            self.runs += 1
            self.last = report

        @invariant()
        def last_report_is_all_terminal(self) -> None:
            if self.last is not None:
                open_orders = [o.intent.intent_id for o in self.last.orders if o.state not in implementation.machine.terminal]
                if open_orders:
                    raise ClauseViolated("TERMINAL-1", observed=f"non-terminal orders in the report: {open_orders}")

    # The run's conformance settings (plugin), with the health checks off that hypothesis
    # switches off for state machines by default.
    checks = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large, HealthCheck.large_base_example]
    run_state_machine_as_test(ReusedLoop, settings=settings(qts_settings, suppress_health_check=checks))


