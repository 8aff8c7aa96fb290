"""Resting books with one realistic defect each, for the RESTING clauses the suite must
fail them on (``broken_impls`` binds them; ``EXPECTED_FAILURES`` names the clause).

Each is the reference book with one method changed the way a team might write it.
"""

from __future__ import annotations

import dataclasses

from spec.errors import RestingOrderError
from spec.records import OrderRecord
from spec.resting import FilledAnswer, RestingEvent, RestingOrder, RestingState, VenueEvent
from spec.state_machine import S

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
