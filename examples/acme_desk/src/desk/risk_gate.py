"""Acme's risk calculation, behind the unchanged gate interface (seed 5, RISK-7)."""

from __future__ import annotations

from decimal import Decimal

from spec import ExecutionIntent, ExecutionResponse, OrderView, Side

from desk.order_states import DeskState
from desk.positions import PositionBook


class NotionalLimitGate:
    """Blocks any limit order whose notional (quantity x limit price) exceeds ``limit``,
    and, with a ``position_limit``, any order that would take the symbol's position past
    it; halts the run when a partial fill closes an order (a human looks first)."""

    def __init__(self, limit: Decimal, position_limit: Decimal | None = None, positions: PositionBook | None = None) -> None:
        self.limit = limit
        self.position_limit = position_limit
        self.positions = positions if positions is not None else PositionBook()

    def before_intent(self, intent: ExecutionIntent, /) -> bool:
        price = intent.limit_price
        if price is not None and intent.quantity * price > self.limit:
            return False
        if self.position_limit is None:
            return True
        after = self.positions.position(intent.symbol) + signed(intent)
        return abs(after) <= self.position_limit

    def before_route(self, order: OrderView[DeskState], /) -> bool:
        return True

    def after_response(self, order: OrderView[DeskState], response: ExecutionResponse, /) -> bool:
        if order.state is DeskState.ACCEPTED:
            self.positions.add(order.intent.symbol, signed(order.intent))
        return order.state is not DeskState.CLOSED_PARTIAL


def signed(intent: ExecutionIntent) -> Decimal:
    """The intent's quantity as a position change: bought positive, sold negative."""
    return intent.quantity if intent.side is Side.BUY else -intent.quantity
