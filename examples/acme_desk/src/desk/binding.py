"""Acme's runtime as the conformance suite sees it: ``qts-conformance --impl desk.binding``."""

from __future__ import annotations

from decimal import Decimal

from spec import ExecutionRoute, Implementation, RestingBinding, RestingState, RiskGate, StopPolicy

from broker.paper_venue import VenueUnavailable
from desk.order_states import DESK_MACHINE, DeskState
from desk.outcomes import DESK_OUTCOMES
from desk.resting import DeskResting
from desk.risk_gate import NotionalLimitGate
from runtime.execution_loop.loop import ExecutionLoop
from runtime.execution_loop.policies.stop_policy import AnyOf, MaxConsecutiveFailures, MaxExecutions
from runtime.risk.noop_risk_gate import NoopRiskGate


class AcmeDesk:
    name = "acme desk (Phase 5: IOC fills, expiry, resting orders)"
    machine = DESK_MACHINE
    outcomes = DESK_OUTCOMES
    resting: RestingBinding[RestingState] = DeskResting()
    venue_errors = (VenueUnavailable,)

    def make_loop(
        self, route: ExecutionRoute, gate: RiskGate[DeskState], stop_policy: StopPolicy, /
    ) -> ExecutionLoop[DeskState]:
        return ExecutionLoop(route, gate, stop_policy, machine=DESK_MACHINE)

    def make_noop_gate(self) -> RiskGate[DeskState]:
        return NoopRiskGate()

    def make_production_gate(self) -> RiskGate[DeskState]:
        """The gate the desk trades with, which the suite runs and breaks (RISK-4)."""
        return NotionalLimitGate(Decimal(1_000_000), position_limit=Decimal(2_000_000))

    def make_stop_policy(self, max_executions: int | None, max_consecutive_failures: int | None, /) -> StopPolicy:
        """The desk's own standard policies, which the suite checks (LOOP-15)."""
        return AnyOf(
            *([MaxExecutions(max_executions)] if max_executions is not None else []),
            *([MaxConsecutiveFailures(max_consecutive_failures)] if max_consecutive_failures is not None else []),
        )


QTS_IMPLEMENTATION: Implementation[DeskState, RestingState] = AcmeDesk()
