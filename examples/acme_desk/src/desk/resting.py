"""Limit orders the venue accepted rest there; their fills arrive later from the venue
feed, outside the synchronous loop ("After acceptance" in the kit's specification).
Acme keeps them with the kit's standard resting lifecycle, by venue order id."""

from __future__ import annotations

from spec import STANDARD_RESTING, RestingLifecycle, RestingState

from reference_impl.resting_book import InMemoryRestingBook


class DeskResting:
    """The binding's resting orders (RESTING-1 .. RESTING-4)."""

    lifecycle: RestingLifecycle[RestingState] = STANDARD_RESTING

    def make_book(self) -> InMemoryRestingBook[RestingState]:
        return InMemoryRestingBook(STANDARD_RESTING)
