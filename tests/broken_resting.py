"""Resting books with one realistic defect each, for the RESTING clauses the suite must
fail them on (``broken_impls`` binds them; ``EXPECTED_FAILURES`` names the clause), and
a team's own correct lifecycle the suite must pass.

Each broken book is the reference book with one method changed the way a team might
write it.
"""

from __future__ import annotations

import dataclasses
from enum import StrEnum

from spec.errors import RestingOrderError
from spec.records import OrderRecord
from spec.resting import FilledAnswer, RestingEvent, RestingOrder, RestingState, VenueEvent, declare_resting_lifecycle
from spec.state_machine import S
from spec.values import ExecutionResponse

from reference_impl.resting_book import InMemoryRestingBook

Book = InMemoryRestingBook[RestingState]


class LatestOrderBook(Book):
    """Applies a fill to the order opened last: fine while one order rests at a time."""

    def apply(self, event: VenueEvent, /) -> RestingOrder[RestingState]:
        latest = list(self._orders)[-1] if self._orders else event.venue_order_id
        return super().apply(dataclasses.replace(event, venue_order_id=latest))


class TrustingBook(Book):
    """Takes the venue's filled quantity as it comes when the rules refuse it: an
    overfill (or a shrinking fill) is booked as reported."""

    def apply(self, event: VenueEvent, /) -> RestingOrder[RestingState]:
        try:
            return super().apply(event)
        except RestingOrderError as error:
            current = self._orders.get(event.venue_order_id)
            if error.clause != "RESTING-3" or current is None or event.filled is None:
                raise
            booked = dataclasses.replace(current, filled=event.filled, journal=(*current.journal, event))
            self._orders[event.venue_order_id] = booked
            return booked


class DoubleCountingBook(Book):
    """Books every fill report it receives: a resent report's fill is counted again."""

    def apply(self, event: VenueEvent, /) -> RestingOrder[RestingState]:
        current = self._orders.get(event.venue_order_id)
        if current is None or event.filled is None or event not in current.journal:
            return super().apply(event)
        cumulative = [e.filled for e in current.journal if e.filled is not None]
        before = cumulative[cumulative.index(event.filled) - 1] if cumulative.index(event.filled) else 0
        again = dataclasses.replace(event, exec_id=f"{event.exec_id}+", filled=current.filled + event.filled - before)
        return super().apply(again)


class LateFillDroppingBook(Book):
    """Once a cancel is requested or the order is closed, fills no longer count."""

    def apply(self, event: VenueEvent, /) -> RestingOrder[RestingState]:
        current = self._orders.get(event.venue_order_id)
        closing = current is not None and (current.state in self._lifecycle.machine.terminal or current.pending)
        if current is not None and closing and event.event in self._lifecycle.fills:
            return current
        return super().apply(event)


class CancelRejectClosingBook(Book):
    """Takes any answer to a cancel request for the cancel itself."""

    def apply(self, event: VenueEvent, /) -> RestingOrder[RestingState]:
        if event.event in {RestingEvent.CANCEL_REJECT}:
            event = dataclasses.replace(event, event=RestingEvent.CANCEL)
        return super().apply(event)


class AmendUncheckedBook(Book):
    """Applies an amend's quantity as the venue reports it, even below what is filled."""

    def apply(self, event: VenueEvent, /) -> RestingOrder[RestingState]:
        current = self._orders.get(event.venue_order_id)
        if current is None or event.quantity is None or event.quantity > current.filled or not current.pending:
            return super().apply(event)
        last = current.pending[-1]
        amended = dataclasses.replace(
            current, history=(*current.history, last.resume), pending=current.pending[:-1],
            quantity=event.quantity, journal=(*current.journal, event),
        )
        self._orders[event.venue_order_id] = amended
        return amended


class AnswerOverfillBook(Book):
    """Opens a resting order with whatever the answer says it filled."""

    def open(self, order: OrderRecord[S], /) -> RestingOrder[RestingState]:
        response = order.response
        if isinstance(response, FilledAnswer) and response.venue_order_id and response.filled > order.intent.quantity:
            opened = RestingOrder(response.venue_order_id, order.intent, (self._lifecycle.machine.initial,),
                                  order.intent.quantity, order.intent.limit_price, response.filled)
            self._orders[response.venue_order_id] = opened
            return opened
        return super().open(order)


class ArrivalFillIgnoringBook(Book):
    """Opens every order with nothing filled: the fill in the answer is left for the feed
    to report again ("acknowledge, then replay the first fill")."""

    def open(self, order: OrderRecord[S], /) -> RestingOrder[RestingState]:
        response = order.response
        if isinstance(response, FilledAnswer):
            plain = ExecutionResponse(response.intent_id, response.accepted, response.reason, response.venue_order_id)
            order = order._replace(response=plain)
        return super().open(order)


class TeamState(StrEnum):
    """A team's own resting states, as the Phase 5 team wrote them from the docs."""

    WORKING = "working"
    PARTIALLY_FILLED = "partially_filled"
    CANCEL_PENDING = "cancel_pending"
    REPLACE_PENDING = "replace_pending"
    FILLED = "filled"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class TeamEvent(StrEnum):
    TRADE = "trade"
    LAST_TRADE = "last_trade"
    CANCEL_SENT = "cancel_sent"
    CANCEL_REFUSED = "cancel_refused"
    CANCELED = "canceled"
    AMEND_SENT = "amend_sent"
    AMEND_REFUSED = "amend_refused"
    AMENDED = "amended"
    EXPIRED = "expired"


_T, _V = TeamState, TeamEvent
_OPEN = (_T.WORKING, _T.PARTIALLY_FILLED)

TEAM_LIFECYCLE = declare_resting_lifecycle(
    TeamState,
    initial=_T.WORKING,
    terminal=[_T.FILLED, _T.CANCELLED, _T.EXPIRED],
    table={
        **{(state, _V.TRADE): _T.PARTIALLY_FILLED for state in _OPEN},
        **{(state, _V.TRADE): state for state in (_T.CANCEL_PENDING, _T.REPLACE_PENDING)},
        **{(state, event): target for state in (*_OPEN, _T.CANCEL_PENDING, _T.REPLACE_PENDING)
           for event, target in ((_V.LAST_TRADE, _T.FILLED), (_V.EXPIRED, _T.EXPIRED))},
        **{(state, _V.CANCEL_SENT): _T.CANCEL_PENDING for state in _OPEN},
        **{(state, _V.AMEND_SENT): _T.REPLACE_PENDING for state in _OPEN},
        # The team's own rows: a refused cancel goes back to WORKING, whatever was filled.
        (_T.CANCEL_PENDING, _V.CANCEL_REFUSED): _T.WORKING,
        (_T.CANCEL_PENDING, _V.CANCELED): _T.CANCELLED,
    },
    fills=[_V.TRADE, _V.LAST_TRADE],
    requests=[_V.CANCEL_SENT, _V.AMEND_SENT],
    answers={_V.CANCEL_REFUSED: _V.CANCEL_SENT, _V.CANCELED: _V.CANCEL_SENT,
             _V.AMEND_REFUSED: _V.AMEND_SENT, _V.AMENDED: _V.AMEND_SENT},
    amends=[_V.AMENDED],
    max_requests=3,
)
"""A lifecycle of the team's own states and event names, with a cancel-reject as a row
of its table (the row the first resting model refused as a cycle) and an amend outside
it: a correct lifecycle the suite must pass."""


class TeamResting:
    lifecycle = TEAM_LIFECYCLE

    def make_book(self) -> InMemoryRestingBook[TeamState]:
        return InMemoryRestingBook(TEAM_LIFECYCLE)
