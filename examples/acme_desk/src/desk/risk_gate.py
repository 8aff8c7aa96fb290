"""Acme's risk calculation, behind the unchanged gate interface (seed 5, RISK-7)."""

from __future__ import annotations

from decimal import Decimal

from spec import ExecutionIntent, ExecutionResponse, OrderView

from desk.order_states import DeskState


class NotionalLimitGate:
    """Blocks any limit order whose notional (quantity x limit price) exceeds ``limit``
    and halts the run when a partial fill closes an order (a human looks first)."""

    def __init__(self, limit: Decimal) -> None:
        self.limit = limit

    def before_intent(self, intent: ExecutionIntent, /) -> bool:
        price = intent.limit_price
        return price is None or intent.quantity * price <= self.limit

    def before_route(self, order: OrderView[DeskState], /) -> bool:
        return True

    def after_response(self, order: OrderView[DeskState], response: ExecutionResponse, /) -> bool:
        return order.state is not DeskState.CLOSED_PARTIAL
