"""A minimal in-memory resting-order book (RESTING-1 .. RESTING-7), built only from
:mod:`spec.resting`'s pure functions: a resent report comes back as the order it left,
a refusal changes nothing.

Not a Phase 4 asset: resting orders are Phase 5 ("After acceptance" in the
specification). It is what the reference binding offers the suite, and a model for a
team's own book, which would add persistence and the venue feed.
"""

from __future__ import annotations

from typing import Generic

from spec.errors import RestingOrderError
from spec.records import OrderRecord
from spec.state_machine import S
from spec.resting import (
    STANDARD_RESTING,
    R,
    RestingLifecycle,
    RestingOrder,
    RestingState,
    VenueEvent,
    advance,
    open_resting_order,
)


class InMemoryRestingBook(Generic[R]):
    """Resting orders by venue order id; each venue event changes only the order it names.

    The orders are immutable values, so storing the result of ``advance`` only after it
    returned is all it takes for a refused event to change nothing (RESTING-2)."""

    __slots__ = ("_lifecycle", "_orders")

    def __init__(self, lifecycle: RestingLifecycle[R]) -> None:
        self._lifecycle = lifecycle
        self._orders: dict[str, RestingOrder[R]] = {}

    def open(self, order: OrderRecord[S], /) -> RestingOrder[R]:
        resting = open_resting_order(self._lifecycle, order)
        if resting.venue_order_id in self._orders:
            raise RestingOrderError(
                "RESTING-1", f"venue order {resting.venue_order_id!r} is already resting; a venue order id rests once"
            )
        self._orders[resting.venue_order_id] = resting
        return resting

    def apply(self, event: VenueEvent, /) -> RestingOrder[R]:
        current = self._orders.get(event.venue_order_id)
        if current is None:
            raise RestingOrderError("RESTING-2", f"no resting order has venue order id {event.venue_order_id!r}")
        updated = advance(self._lifecycle, current, event)
        self._orders[event.venue_order_id] = updated
        return updated

    def get(self, venue_order_id: str, /) -> RestingOrder[R]:
        return self._orders[venue_order_id]


class StandardResting:
    """The reference binding's resting orders: the standard lifecycle, kept in memory."""

    lifecycle: RestingLifecycle[RestingState] = STANDARD_RESTING

    def make_book(self) -> InMemoryRestingBook[RestingState]:
        return InMemoryRestingBook(STANDARD_RESTING)
