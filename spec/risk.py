"""The Risk Entry: three boolean hooks where risk may intervene, and nothing more.

Phase 5 may put calculations *behind* these hooks but keeps their shape (seed section
5). Only ``True`` allows; anything else, an exception included, refuses (RISK-4).
"""

from __future__ import annotations

from typing import Protocol

from spec.records import OrderView
from spec.values import ExecutionIntent, ExecutionResponse


class RiskGate(Protocol):
    """The Risk Entry (seed 2.3): three boolean hooks around each order.

    Only ``True`` allows; anything else, an exception included, refuses (RISK-4).
    Hooks run in order, each at most once per intent (RISK-5).
    """

    def before_intent(self, intent: ExecutionIntent, /) -> bool:
        """Asked before an order is opened for ``intent``; False blocks it (RISK-1)."""
        ...

    def before_route(self, order: OrderView, /) -> bool:
        """Asked before the route is called; False blocks the order (RISK-2)."""
        ...

    def after_response(self, order: OrderView, response: ExecutionResponse, /) -> bool:
        """Asked once the route answered; False halts the run but cannot undo the
        venue's answer (RISK-3)."""
        ...
