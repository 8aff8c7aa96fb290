"""The single Phase 4 transition table and the pure transition function."""

from spec import PHASE4, TRANSITIONS, transition

__all__ = ["PHASE4", "TRANSITIONS", "transition"]
