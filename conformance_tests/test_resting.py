"""RESTING-1 .. RESTING-4: orders that rest at the venue after acceptance, as the
binding's own book keeps them, checked against :mod:`spec.resting`'s pure rules.

A binding with ``resting = None`` keeps no resting orders: these clauses are then
reported "n/a", not passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spec.binding import Implementation
from spec.errors import InvalidTransition, RestingOrderError, SpecError
from spec.order_state import OrderState
from spec.records import OrderRecord
from spec.resting import (
    RestingBinding,
    RestingBook,
    RestingOrder,
    VenueEvent,
    advance,
    open_resting_order,
    resting_breaches,
)
from spec.values import ExecutionIntent, ExecutionResponse, Side

from conformance_tests.harness import call_watched
from conformance_tests.report import NOT_APPLICABLE

Impl = Implementation[StrEnum]


def _resting(implementation: Impl) -> RestingBinding[StrEnum]:
    resting = implementation.resting
    if resting is None:
        pytest.skip(f"{NOT_APPLICABLE}: the binding keeps no resting orders (resting = None)")
    return resting


def _record(implementation: Impl, intent: ExecutionIntent, state: str, venue_order_id: str | None) -> OrderRecord[StrEnum]:
    """A settled loop order as the implementation's loop would report it."""
    machine = implementation.machine
    history = (machine.initial, machine.states(OrderState.SUBMITTED.value), machine.states(state))
    response = ExecutionResponse(intent.intent_id, accepted=state == OrderState.ACCEPTED.value, venue_order_id=venue_order_id)
    return OrderRecord(intent, history, response)


def _shown(order: RestingOrder[StrEnum]) -> tuple[str, str, tuple[str, ...], Decimal]:
    return (order.venue_order_id, order.intent.intent_id, tuple(s.value for s in order.history), order.filled)


@pytest.mark.qts_clause("RESTING-4")
def test_the_resting_lifecycle_terminates(implementation: Impl) -> None:
    """The initial state is open, terminal states have no exit, and every walk ends in
    a terminal state; only a fill may repeat on one state."""
    lifecycle = _resting(implementation).lifecycle
    breaches = call_watched(lambda: resting_breaches(lifecycle))
    assert not breaches, "; ".join(map(str, breaches))


@pytest.mark.qts_clause("RESTING-1")
def test_only_an_accepted_order_with_a_venue_order_id_starts_resting(implementation: Impl) -> None:
    resting = _resting(implementation)
    book = resting.make_book()
    intent = ExecutionIntent("o-1", "QTS", Side.SELL, Decimal(5), Decimal("10.5"))
    wrong: list[str] = []
    ended_otherwise = sorted(s.value for s in implementation.machine.terminal if s.value != OrderState.ACCEPTED.value)
    for state in ended_otherwise:
        try:
            book.open(_record(implementation, intent, state, "v-x"))
            wrong.append(f"a {state!r} order was opened")
        except SpecError:
            pass
    try:
        book.open(_record(implementation, intent, OrderState.ACCEPTED.value, None))
        wrong.append("an accepted order without a venue_order_id was opened")
    except SpecError:
        pass
    opened = book.open(_record(implementation, intent, OrderState.ACCEPTED.value, "v-1"))
    want = ("v-1", "o-1", (resting.lifecycle.machine.initial.value,), Decimal(0))
    if _shown(opened) != want:
        wrong.append(f"opened as {_shown(opened)}, expected {want}")
    try:
        book.open(_record(implementation, intent, OrderState.ACCEPTED.value, "v-1"))
        wrong.append("venue order 'v-1' was opened twice")
    except SpecError:
        pass
    assert not wrong, "RESTING-1: " + "; ".join(wrong)


@dataclass(frozen=True)
class Feed:
    """A venue feed: resting orders of these quantities, then these events, each
    naming an order by index (past the end: an unknown venue order id), an event of
    the lifecycle's table, and a filled quantity as a fraction of the order's (or None)."""

    quantities: tuple[Decimal, ...]
    events: tuple[tuple[int, int, Decimal | None], ...]


_FRACTIONS = [None, Decimal(0), Decimal("0.25"), Decimal("0.5"), Decimal("0.75"), Decimal(1), Decimal("1.5")]

feeds = st.builds(
    Feed,
    quantities=st.lists(st.sampled_from([Decimal(1), Decimal(4), Decimal("2.5")]), min_size=1, max_size=4).map(tuple),
    events=st.lists(
        st.tuples(st.integers(0, 4), st.integers(0, 15), st.sampled_from(_FRACTIONS)), max_size=30
    ).map(tuple),
)


@pytest.mark.qts_clause("RESTING-2", "RESTING-3")
@given(feed=feeds)
def test_venue_events_change_only_the_order_they_name_and_fills_only_grow(implementation: Impl, feed: Feed) -> None:
    """Property: applied through the binding's book, each venue event changes exactly
    the order its venue order id names, as spec.resting.advance says (fills strictly
    grow, never past the quantity, a full fill closes the order); an event that cannot
    apply raises a SpecError and changes nothing."""
    resting = _resting(implementation)
    lifecycle = resting.lifecycle
    events = sorted({event.value: event for (_s, event) in lifecycle.machine.table}.items())
    book: RestingBook[StrEnum] = resting.make_book()
    oracle: dict[str, RestingOrder[StrEnum]] = {}
    for n, quantity in enumerate(feed.quantities):
        intent = ExecutionIntent(f"o-{n}", "QTS", Side.BUY if n % 2 else Side.SELL, quantity)
        record = _record(implementation, intent, OrderState.ACCEPTED.value, f"v-{n}")
        oracle[f"v-{n}"] = open_resting_order(lifecycle, record)
        opened = book.open(record)
        assert _shown(opened) == _shown(oracle[f"v-{n}"]), f"RESTING-1: opened as {_shown(opened)}"
    for step, (index, pick, fraction) in enumerate(feed.events):
        venue_order_id = f"v-{index}"
        if not events:
            break
        event_value, event = events[pick % len(events)]
        before = oracle.get(venue_order_id)
        filled = None if fraction is None or before is None else before.intent.quantity * fraction
        venue_event = VenueEvent(venue_order_id, event, filled)
        want: RestingOrder[StrEnum] | None = None
        refusal = ""
        if before is None:
            refusal = "RESTING-2: unknown venue order id"
        else:
            try:
                want = advance(lifecycle, before, venue_event)
            except (RestingOrderError, InvalidTransition) as error:
                refusal = f"{error.clause}: {error}"
        where = f"event {step} ({event_value!r} for {venue_order_id!r}, filled {filled})"
        try:
            got = book.apply(venue_event)
        except SpecError as error:
            assert want is None, f"RESTING-2: {where} was refused ({error}) though it applies"
        else:
            assert want is not None, f"{refusal.split(':')[0]}: {where} was applied though it must be refused: {refusal}"
            assert _shown(got) == _shown(want), f"RESTING-2: {where} gave {_shown(got)}, expected {_shown(want)}"
            oracle[venue_order_id] = want
        for vid, order in oracle.items():
            held = book.get(vid)
            assert _shown(held) == _shown(order), (
                f"RESTING-2: after {where}, venue order {vid!r} is {_shown(held)}, expected {_shown(order)}"
            )
