"""Phase 5 defects planted in Acme's binding, each the way a real change would
bring it in, and the clause the conformance suite must fail it on (DEFECTS). The
kit's own tests run the suite on each; nothing here is part of Acme's runtime."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from decimal import Decimal

from spec import (
    STANDARD_RESTING,
    ExecutionIntent,
    ExecutionResponse,
    ExecutionRoute,
    OrderEvent,
    OrderView,
    RestingOrder,
    RestingState,
    RiskGate,
    RunReport,
    StateMachine,
    StopPolicy,
    VenueEvent,
)

from broker.paper_venue import VenueUnavailable
from desk.binding import AcmeDesk
from desk.order_states import DESK_MACHINE, DeskState, IocFill, ioc_events
from desk.risk_gate import NotionalLimitGate
from reference_impl.resting_book import InMemoryRestingBook
from runtime.execution_loop.loop import ExecutionLoop


class _EditsItsRecords(ExecutionLoop[DeskState]):
    """The loop whose records pass through :meth:`history` on the way out: a defect in
    how a loop records an answer, planted through the loop's public ``run`` and
    ``last_report``."""

    def history(self, history: tuple[DeskState, ...]) -> tuple[DeskState, ...]:
        return history

    def _edited(self, report: RunReport[DeskState]) -> RunReport[DeskState]:
        return dataclasses.replace(report, orders=tuple(o._replace(history=self.history(o.history)) for o in report.orders))

    def run(self, intents: Iterable[ExecutionIntent], /) -> RunReport[DeskState]:
        return self._edited(super().run(intents))

    @property
    def last_report(self) -> RunReport[DeskState] | None:
        report = super().last_report
        return None if report is None else self._edited(report)


class _FirstEventOnly(_EditsItsRecords):
    """"The cancel of the rest comes later": applies only an answer's first event."""

    def history(self, history: tuple[DeskState, ...]) -> tuple[DeskState, ...]:
        return history[:3]


class _FinalStateOnly(_EditsItsRecords):
    """Records where an answer ends, skipping the states on the way."""

    def history(self, history: tuple[DeskState, ...]) -> tuple[DeskState, ...]:
        return (*history[:2], *history[-1:]) if len(history) > 3 else history


class LeftOpen(AcmeDesk):
    def make_loop(self, route: ExecutionRoute, gate: RiskGate[DeskState], stop_policy: StopPolicy, /) -> ExecutionLoop[DeskState]:
        return _FirstEventOnly(route, gate, stop_policy, machine=DESK_MACHINE)


class StepSkipped(AcmeDesk):
    def make_loop(self, route: ExecutionRoute, gate: RiskGate[DeskState], stop_policy: StopPolicy, /) -> ExecutionLoop[DeskState]:
        return _FinalStateOnly(route, gate, stop_policy, machine=DESK_MACHINE)


class NoFailExit(AcmeDesk):
    """PARTIALLY_FILLED was added without its FAIL row."""

    machine = StateMachine(
        DeskState,
        DeskState.CREATED,
        DESK_MACHINE.terminal,
        {key: target for key, target in DESK_MACHINE.table.items() if key != (DeskState.PARTIALLY_FILLED, OrderEvent.FAIL)},
        ioc_events,
    )

    def make_loop(self, route: ExecutionRoute, gate: RiskGate[DeskState], stop_policy: StopPolicy, /) -> ExecutionLoop[DeskState]:
        return ExecutionLoop(route, gate, stop_policy, machine=self.machine)


class _SkipsIocReview:
    """Wraps the gate to "save a call": IOC answers are final, so why ask after_response."""

    def __init__(self, gate: RiskGate[DeskState]) -> None:
        self.gate = gate

    def before_intent(self, intent: ExecutionIntent, /) -> bool:
        return self.gate.before_intent(intent)

    def before_route(self, order: OrderView[DeskState], /) -> bool:
        return self.gate.before_route(order)

    def after_response(self, order: OrderView[DeskState], response: ExecutionResponse, /) -> bool:
        return True if isinstance(response, IocFill) else self.gate.after_response(order, response)


class GateBypassedOnIoc(AcmeDesk):
    def make_loop(self, route: ExecutionRoute, gate: RiskGate[DeskState], stop_policy: StopPolicy, /) -> ExecutionLoop[DeskState]:
        return ExecutionLoop(route, _SkipsIocReview(gate), stop_policy, machine=DESK_MACHINE)


class _LatestOrderBook(InMemoryRestingBook[RestingState]):
    """Applies each fill to the order opened last: right while one order rests at a time."""

    def apply(self, event: VenueEvent, /) -> RestingOrder[RestingState]:
        latest = next(reversed(self._orders), event.venue_order_id)
        return super().apply(dataclasses.replace(event, venue_order_id=latest))


class _LatestOrderResting:
    lifecycle = STANDARD_RESTING

    def make_book(self) -> InMemoryRestingBook[RestingState]:
        return _LatestOrderBook(STANDARD_RESTING)


class FillToWrongOrder(AcmeDesk):
    resting = _LatestOrderResting()


class _RetriesUnavailable:
    """"The venue was busy, try once more": resends when the client raised Acme's own
    VenueUnavailable, which may come after the order left."""

    def __init__(self, route: ExecutionRoute) -> None:
        self.route = route

    def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
        try:
            return self.route.execute(intent)
        except VenueUnavailable:
            return self.route.execute(intent)


class ResendsOnVenueUnavailable(AcmeDesk):
    def make_loop(self, route: ExecutionRoute, gate: RiskGate[DeskState], stop_policy: StopPolicy, /) -> ExecutionLoop[DeskState]:
        return ExecutionLoop(_RetriesUnavailable(route), gate, stop_policy, machine=DESK_MACHINE)


class _FailOpenGate(NotionalLimitGate):
    """"Don't stop trading because the position service hiccupped": a failed lookup allows."""

    def before_intent(self, intent: ExecutionIntent, /) -> bool:
        try:
            return super().before_intent(intent)
        except Exception:
            return True


class ProductionGateFailsOpen(AcmeDesk):
    def make_production_gate(self) -> RiskGate[DeskState]:
        return _FailOpenGate(Decimal(1_000_000), position_limit=Decimal(2_000_000))


LEFT_OPEN = LeftOpen()
STEP_SKIPPED = StepSkipped()
NO_FAIL_EXIT = NoFailExit()
GATE_BYPASSED_ON_IOC = GateBypassedOnIoc()
FILL_TO_WRONG_ORDER = FillToWrongOrder()
RESENDS_ON_VENUE_UNAVAILABLE = ResendsOnVenueUnavailable()
PRODUCTION_GATE_FAILS_OPEN = ProductionGateFailsOpen()

DEFECTS: dict[str, str] = {
    "LEFT_OPEN": "TERMINAL-1",
    "STEP_SKIPPED": "LOOP-10",
    "NO_FAIL_EXIT": "STATE-7",
    "GATE_BYPASSED_ON_IOC": "RISK-5",
    "FILL_TO_WRONG_ORDER": "RESTING-2",
    "RESENDS_ON_VENUE_UNAVAILABLE": "LOOP-2",
    "PRODUCTION_GATE_FAILS_OPEN": "RISK-4",
}
"""Each planted defect and the clause the suite must fail it on."""

