"""The only gate Phase 4 ships (seed 2.3): it allows everything (RISK-6)."""

from __future__ import annotations


from spec.records import OrderView
from spec.values import ExecutionIntent, ExecutionResponse


class NoopRiskGate:
    """Allows every intent, every order and every response; computes nothing.

    Typed for views of any state enum, so it is the no-op gate of every extension too.
    """

    __slots__ = ()

    def before_intent(self, intent: ExecutionIntent, /) -> bool:
        return True

    def before_route(self, order: OrderView, /) -> bool:
        return True

    def after_response(self, order: OrderView, response: ExecutionResponse, /) -> bool:
        return True
