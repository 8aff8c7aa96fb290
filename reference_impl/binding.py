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


QTS_IMPLEMENTATION: Implementation[OrderState, RestingState] = ReferenceImplementation()
