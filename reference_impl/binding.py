"""Presents the reference implementation to the conformance suite (the default binding)."""

from __future__ import annotations

from spec.binding import Implementation
from spec.loop import StopPolicy
from spec.order_state import OrderState
from spec.outcomes import Outcome
from spec.resting import RestingState
from spec.risk import RiskGate
from spec.route import ExecutionRoute
from spec.state_machine import PHASE4

from reference_impl.resting_book import StandardResting
from reference_impl.runtime.execution_loop.loop import ExecutionLoop
from reference_impl.runtime.execution_loop.policies.stop_policy import AnyOf, MaxConsecutiveFailures, MaxExecutions
from reference_impl.runtime.risk.noop_risk_gate import NoopRiskGate


class ReferenceImplementation:
    name = "qts-phase4-kit reference implementation"
    machine = PHASE4
    outcomes: tuple[Outcome, ...] = ()
    resting = StandardResting()

    def make_loop(
        self, route: ExecutionRoute, gate: RiskGate[OrderState], stop_policy: StopPolicy, /
    ) -> ExecutionLoop[OrderState]:
        return ExecutionLoop(route, gate, stop_policy, machine=PHASE4)

    def make_noop_gate(self) -> RiskGate[OrderState]:
        return NoopRiskGate()

    def make_stop_policy(self, max_executions: int | None, max_consecutive_failures: int | None, /) -> StopPolicy:
        return standard_stop_policy(max_executions, max_consecutive_failures)


def standard_stop_policy(max_executions: int | None, max_consecutive_failures: int | None) -> StopPolicy:
    """The reference's standard policies for these limits, MAX_EXECUTIONS first (LOOP-15)."""
    return AnyOf(
        *([MaxExecutions(max_executions)] if max_executions is not None else []),
        *([MaxConsecutiveFailures(max_consecutive_failures)] if max_consecutive_failures is not None else []),
    )


QTS_IMPLEMENTATION: Implementation[OrderState, RestingState] = ReferenceImplementation()
