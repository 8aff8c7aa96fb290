"""A paper venue with Acme's venue semantics: market orders are immediate-or-cancel,
limit orders rest and are filled later through the venue feed."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from spec import ExecutionIntent, ExecutionResponse, RestingEvent, VenueEvent

from desk.order_states import IocFill


class VenueUnavailable(Exception):
    """What Acme's venue client raises when the venue does not answer (its own type, no
    OSError): the binding declares it, so the conformance suite's route raises it too."""


class PaperVenue:
    """An ExecutionRoute: ``liquidity[symbol]`` is what a market order can fill at once."""

    def __init__(self, liquidity: Mapping[str, Decimal]) -> None:
        self.liquidity = dict(liquidity)
        self.resting: dict[str, ExecutionIntent] = {}

    def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
        if intent.limit_price is None:
            filled = min(intent.quantity, self.liquidity.get(intent.symbol, Decimal(0)))
            return IocFill(intent.intent_id, accepted=True, filled=filled)
        venue_order_id = f"paper-{len(self.resting) + 1}"
        self.resting[venue_order_id] = intent
        return ExecutionResponse(intent.intent_id, accepted=True, venue_order_id=venue_order_id)

    def fill(self, venue_order_id: str, cumulative: Decimal) -> VenueEvent:
        """The feed's report that a resting order is now filled up to ``cumulative``."""
        complete = cumulative >= self.resting[venue_order_id].quantity
        event = RestingEvent.FILL if complete else RestingEvent.PARTIAL_FILL
        return VenueEvent(venue_order_id, event, cumulative)
