"""Seed test asset: the loop exists and runs, states transition, the risk gate can
intervene, and the real-order path is not used (the route is a paper venue)."""

from __future__ import annotations

from decimal import Decimal

from spec import ExecutionIntent, FaultSite, Side, StopKind

from broker.paper_venue import PaperVenue
from desk.order_states import DESK_MACHINE, DeskState
from desk.risk_gate import NotionalLimitGate
from runtime.execution_loop.loop import ExecutionLoop
from runtime.execution_loop.policies.stop_policy import AnyOf
from runtime.risk.noop_risk_gate import NoopRiskGate


def test_the_loop_runs_and_the_gate_intervenes() -> None:
    venue = PaperVenue({})
    intents = [
        ExecutionIntent("small", "KRX:005930", Side.BUY, Decimal(1), Decimal("71000")),
        ExecutionIntent("large", "KRX:005930", Side.BUY, Decimal(100), Decimal("71000")),
    ]
    loop = ExecutionLoop(venue, NotionalLimitGate(Decimal(1_000_000)), AnyOf(), machine=DESK_MACHINE)
    report = loop.run(intents)
    assert [(o.intent.intent_id, o.state) for o in report.orders] == [
        ("small", DeskState.ACCEPTED),
        ("large", DeskState.BLOCKED),
    ]
    assert report.orders[1].fault is not None and report.orders[1].fault.site is FaultSite.BEFORE_INTENT
    assert report.stop.kind is StopKind.SOURCE_EXHAUSTED
    assert list(venue.resting) == ["paper-1"]


def test_the_noop_gate_allows_everything() -> None:
    report = ExecutionLoop(PaperVenue({}), NoopRiskGate(), AnyOf(), machine=DESK_MACHINE).run(
        [ExecutionIntent("a", "X", Side.SELL, Decimal(1), Decimal(1))]
    )
    assert [o.state for o in report.orders] == [DeskState.ACCEPTED]
