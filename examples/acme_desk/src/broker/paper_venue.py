"""A paper venue with Acme's venue semantics: an order fills at once as far as the
symbol's liquidity goes; the rest of a market order is cancelled (immediate-or-cancel),
the rest of a limit order rests and is filled, cancelled or refused a cancel later,
through the venue feed. Every report has its own execution id, as a real venue's has."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from spec import ExecutionIntent, ExecutionResponse, RestingEvent, VenueEvent
from spec.resting import FilledAnswer

from desk.order_states import IocFill


class VenueUnavailable(Exception):
    """What Acme's venue client raises when the venue does not answer (its own type, no
    OSError): the binding declares it, so the conformance suite's route raises it too."""


class PaperVenue:
    """An ExecutionRoute: ``liquidity[symbol]`` is what an order can fill at once."""

    def __init__(self, liquidity: Mapping[str, Decimal]) -> None:
        self.liquidity = dict(liquidity)
        self.resting: dict[str, ExecutionIntent] = {}
        self._reports = 0

    def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
        at_once = min(intent.quantity, self.liquidity.get(intent.symbol, Decimal(0)))
        self.liquidity[intent.symbol] = self.liquidity.get(intent.symbol, Decimal(0)) - at_once
        exec_id = self._exec_id() if at_once else None
        if intent.limit_price is None:
            return IocFill(intent.intent_id, accepted=True, filled=at_once, exec_id=exec_id)
        venue_order_id = f"paper-{len(self.resting) + 1}"
        self.resting[venue_order_id] = intent
        if not at_once:
            return ExecutionResponse(intent.intent_id, accepted=True, venue_order_id=venue_order_id)
        # A marketable limit order: filled so much in the answer, the rest rests.
        return FilledAnswer(intent.intent_id, accepted=True, venue_order_id=venue_order_id, filled=at_once, exec_id=exec_id)

    def fill(self, venue_order_id: str, cumulative: Decimal) -> VenueEvent:
        """The feed's report that a resting order is now filled up to ``cumulative``."""
        complete = cumulative >= self.resting[venue_order_id].quantity
        event = RestingEvent.FILL if complete else RestingEvent.PARTIAL_FILL
        return VenueEvent(venue_order_id, self._exec_id(), event, cumulative)

    def request_cancel(self, venue_order_id: str) -> VenueEvent:
        """The desk's cancel request as the venue acknowledges it (FIX PendingCancel)."""
        return VenueEvent(venue_order_id, self._exec_id(), RestingEvent.CANCEL_REQUEST)

    def refuse_cancel(self, venue_order_id: str) -> VenueEvent:
        """The venue refuses the cancel (FIX OrderCancelReject): the order keeps working."""
        return VenueEvent(venue_order_id, self._exec_id(), RestingEvent.CANCEL_REJECT)

    def _exec_id(self) -> str:
        self._reports += 1
        return f"paper-x{self._reports}"
