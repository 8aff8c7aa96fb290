"""TERMINAL-1, LOOP-6, LOOP-7: one loop driven through many runs by a hypothesis state machine:
batches of scripted intents, policy changes, stop requests between runs, interrupts."""

from __future__ import annotations

from enum import StrEnum

import pytest
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from spec.binding import Implementation
from spec.records import RunReport, StopKind

from conformance_tests.doubles import CallLog, ScriptedGate, ScriptedRoute, ScriptedSource, SuiteInterrupt, SuitePolicy
from conformance_tests.guards import guarded
from conformance_tests.harness import expect
from conformance_tests.scenario import Policy, Scenario, Step
from conformance_tests.strategies import policies, steps

Impl = Implementation[StrEnum]


@pytest.mark.clause("TERMINAL-1", "LOOP-6", "LOOP-7")
def test_a_reused_loop_keeps_every_guarantee_across_runs(implementation: Impl) -> None:
    """State machine: whatever sequence of batches, policies, stop requests and
    interrupts, every run's report matches the specification and is all terminal."""

    class ReusedLoop(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.log = CallLog()
            self.route = ScriptedRoute(Scenario(()), self.log, implementation.outcomes)
            self.gate = ScriptedGate(Scenario(()), self.log)
            self.policy = SuitePolicy(Policy(), self.log)
            self.loop = implementation.make_loop(self.route, self.gate, self.policy)
            self.batch: list[Step] = []
            self.stop_pending = False
            self.runs = 0
            self.last: RunReport[StrEnum] | None = None

        @rule(step=steps(interrupts=True))
        def add_intent(self, step: Step) -> None:
            self.batch.append(Step(f"r{self.runs}-{step.intent_id}", step.route, step.before_intent,
                                   step.before_route, step.after_response, step.request_stop))

        @rule(policy=policies)
        def change_policy(self, policy: Policy) -> None:
            self.policy.policy = policy

        @rule()
        def request_stop_between_runs(self) -> None:
            self.loop.request_stop()
            self.stop_pending = True

        @rule()
        def run_batch(self) -> None:
            scenario = Scenario(tuple(self.batch), self.policy.policy)
            self.route.script(scenario)
            self.gate.script(scenario)
            source = ScriptedSource(scenario, self.log)
            source.loop = self.loop
            report: RunReport[StrEnum] | None
            with guarded():
                try:
                    report = self.loop.run(source)
                except SuiteInterrupt:
                    report = self.loop.last_report
            assert report is not None, "TERMINAL-1: no report after a run"
            got = [(o.intent.intent_id, tuple(s.value for s in o.history)) for o in report.orders]
            if self.stop_pending:
                assert (got, report.stop.kind) == ([], StopKind.STOP_REQUESTED), (
                    f"LOOP-7: a stop requested between runs must end the next run before any pull, got {got} / {report.stop}"
                )
            else:
                expected = expect(implementation, scenario)
                want = [(o.intent_id, o.history) for o in expected.orders]
                assert got == want, f"TERMINAL-1: run {self.runs}: {got}, expected {want}"
                assert report.stop.kind == expected.stop, f"LOOP-6: run {self.runs} stopped {report.stop}, expected {expected.stop}"
            self.stop_pending = False
            self.batch = []
            self.runs += 1
            self.last = report

        @invariant()
        def last_report_is_all_terminal(self) -> None:
            if self.last is not None:
                open_orders = [o.intent.intent_id for o in self.last.orders if o.state not in implementation.machine.terminal]
                assert not open_orders, f"TERMINAL-1: non-terminal orders in the report: {open_orders}"

    run_state_machine_as_test(ReusedLoop)


