"""The single transition table and the pure transition function (STATE-3 .. STATE-6),
at the seed's asset path. Nothing else in the runtime decides a state."""

from spec.order_state import TRANSITIONS
from spec.state_machine import PHASE4, StateMachine, transition

__all__ = ["PHASE4", "TRANSITIONS", "StateMachine", "transition"]
