"""Acme's runtime as the conformance suite sees it: ``qts-conformance --impl desk.binding``."""

from __future__ import annotations

from spec import ExecutionRoute, Implementation, RestingBinding, RestingState, RiskGate, StopPolicy

from desk.order_states import DESK_MACHINE, DeskState
from desk.outcomes import DESK_OUTCOMES
from desk.resting import DeskResting
from runtime.execution_loop.loop import ExecutionLoop
from runtime.risk.noop_risk_gate import NoopRiskGate


class AcmeDesk:
    name = "acme desk (Phase 5: IOC fills, expiry, resting orders)"
    machine = DESK_MACHINE
    outcomes = DESK_OUTCOMES
    resting: RestingBinding[RestingState] = DeskResting()

    def make_loop(
        self, route: ExecutionRoute, gate: RiskGate[DeskState], stop_policy: StopPolicy, /
    ) -> ExecutionLoop[DeskState]:
        return ExecutionLoop(route, gate, stop_policy, machine=DESK_MACHINE)

    def make_noop_gate(self) -> RiskGate[DeskState]:
        return NoopRiskGate()


QTS_IMPLEMENTATION: Implementation[DeskState, RestingState] = AcmeDesk()
