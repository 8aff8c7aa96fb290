"""Phase 5 through the unchanged loop: IOC answers take the extension's paths, and a
limit order the venue accepted goes on as a resting order fed by venue events."""

from __future__ import annotations

from decimal import Decimal

from spec import ExecutionIntent, RestingState, Side

from broker.paper_venue import PaperVenue
from desk.binding import QTS_IMPLEMENTATION
from desk.order_states import DESK_MACHINE
from desk.resting import DeskResting
from runtime.execution_loop.loop import ExecutionLoop
from runtime.execution_loop.policies.stop_policy import AnyOf
from runtime.risk.noop_risk_gate import NoopRiskGate
from strategy.breakout import breakout_intents


def test_ioc_answers_reach_the_extension_states_through_the_unchanged_loop() -> None:
    venue = PaperVenue({"A": Decimal(10), "B": Decimal(4), "C": Decimal(0)})
    loop = ExecutionLoop(venue, NoopRiskGate(), AnyOf(), machine=DESK_MACHINE)
    intents = [ExecutionIntent(f"ioc-{s}", s, Side.BUY, Decimal(10)) for s in "ABC"]
    report = loop.run(intents)
    assert [(o.intent.intent_id, [s.value for s in o.history]) for o in report.orders] == [
        ("ioc-A", ["created", "submitted", "accepted"]),
        ("ioc-B", ["created", "submitted", "partially_filled", "closed_partial"]),
        ("ioc-C", ["created", "submitted", "expired"]),
    ]
    assert all(o.state in DESK_MACHINE.terminal for o in report.orders)


def test_a_resting_limit_order_is_filled_by_the_venue_feed_after_the_loop() -> None:
    venue = PaperVenue({})
    intents = list(breakout_intents("KRX:005930", [Decimal(p) for p in (100, 99, 101)], Decimal(10)))
    report = ExecutionLoop(venue, NoopRiskGate(), AnyOf(), machine=DESK_MACHINE).run(intents)
    (accepted,) = report.orders
    assert accepted.state.value == "accepted" and accepted.response is not None

    book = DeskResting().make_book()
    resting = book.open(accepted)
    for cumulative in (Decimal(3), Decimal(7), Decimal(10)):
        resting = book.apply(venue.fill(resting.venue_order_id, cumulative))
    assert [s.value for s in resting.history] == ["working", "partially_filled", "partially_filled", "filled"]
    assert (resting.state, resting.filled) == (RestingState.FILLED, Decimal(10))


def test_a_marketable_limit_order_fills_on_arrival_and_keeps_working_when_its_cancel_is_refused() -> None:
    venue = PaperVenue({"KRX:005930": Decimal(4)})
    intents = list(breakout_intents("KRX:005930", [Decimal(p) for p in (100, 99, 101)], Decimal(10)))
    (accepted,) = ExecutionLoop(venue, NoopRiskGate(), AnyOf(), machine=DESK_MACHINE).run(intents).orders
    assert accepted.state.value == "accepted"

    book = DeskResting().make_book()
    resting = book.open(accepted)  # the answer filled 4 at once; 6 rest at the venue
    assert (resting.state, resting.filled, resting.leaves(DeskResting.lifecycle)) == (RestingState.PARTIALLY_FILLED, Decimal(4), Decimal(6))
    resting = book.apply(venue.request_cancel(resting.venue_order_id))
    crossing = venue.fill(resting.venue_order_id, Decimal(7))  # a fill crossing the cancel is booked
    resting = book.apply(crossing)
    resting = book.apply(venue.refuse_cancel(resting.venue_order_id))  # too late: the order goes on
    assert (resting.state, resting.filled) == (RestingState.PARTIALLY_FILLED, Decimal(7))
    assert book.apply(crossing) == resting  # the venue resends the report: nothing changes
    resting = book.apply(venue.fill(resting.venue_order_id, Decimal(10)))
    assert [s.value for s in resting.history] == [
        "working", "partially_filled", "cancel_pending", "cancel_pending", "partially_filled", "filled",
    ]


def test_the_binding_declares_every_ioc_answer() -> None:
    assert [o.name for o in QTS_IMPLEMENTATION.outcomes] == [
        "IOC filled in full", "IOC filled in part", "IOC nothing filled", "IOC refused",
        "limit filled in part, the rest resting",
    ]
