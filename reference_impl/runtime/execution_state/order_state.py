"""Order states (STATE-1, STATE-2), at the seed's asset path.

The states are contract data, so they live in :mod:`spec` and are re-exported here
rather than defined twice.
"""

from spec.order_state import INITIAL_STATE, TERMINAL_STATES, OrderEvent, OrderState

__all__ = ["INITIAL_STATE", "TERMINAL_STATES", "OrderEvent", "OrderState"]
