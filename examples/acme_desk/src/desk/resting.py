"""Limit orders the venue accepted rest there; their fills, cancels and cancel-rejects
arrive later from the venue feed, outside the synchronous loop ("After acceptance" in
the kit's specification). A marketable limit order may fill part at once: the answer
says so and the resting order opens with that fill (RESTING-1, RESTING-7). Acme keeps
them with the kit's standard resting lifecycle, by venue order id."""

from __future__ import annotations

from spec import STANDARD_RESTING, RestingLifecycle, RestingState

from reference_impl.resting_book import InMemoryRestingBook

DESK_RESTING: RestingLifecycle[RestingState] = STANDARD_RESTING
"""Working, partially filled, cancel pending, replace pending, filled, cancelled,
expired; a cancel-reject returns the order to where it was."""


class DeskResting:
    """The binding's resting orders (RESTING-1 .. RESTING-7)."""

    lifecycle: RestingLifecycle[RestingState] = DESK_RESTING

    def make_book(self) -> InMemoryRestingBook[RestingState]:
        return InMemoryRestingBook(DESK_RESTING)
