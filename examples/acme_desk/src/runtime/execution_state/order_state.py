"""Phase 4 order states (STATE-1, STATE-2): never deleted, only extended (desk.order_states)."""

from spec import INITIAL_STATE, TERMINAL_STATES, OrderEvent, OrderState

__all__ = ["INITIAL_STATE", "TERMINAL_STATES", "OrderEvent", "OrderState"]
