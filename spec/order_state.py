"""Phase 4 order states, events and THE transition table (STATE-1 .. STATE-5).

The table below is the single source of truth for order state: no other code in the
kit, and no conforming implementation, decides a state any other way.

Why ACCEPTED, REJECTED, BLOCKED and FAILED are terminal (STATE-2): the Phase 4 loop is
synchronous and settles every order within the iteration that created it; the route's
answer is final for that iteration. Fills, cancels and expiries happen after acceptance
and belong to later phases, which add states for them (see :mod:`spec.extension`)
rather than re-opening a Phase 4 terminal state (STATE-3).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final


class OrderState(StrEnum):
    """Where an order stands. Values are part of the contract (reports, logs, JSON)."""

    CREATED = "created"
    """The loop has taken an intent and opened an order for it (initial state)."""
    SUBMITTED = "submitted"
    """Every before-hook allowed it; the route is being called."""
    ACCEPTED = "accepted"
    """The route answered ``accepted=True`` for this intent (terminal)."""
    REJECTED = "rejected"
    """The route answered ``accepted=False`` for this intent (terminal)."""
    BLOCKED = "blocked"
    """A risk gate refused it before routing; the route was not called (terminal)."""
    FAILED = "failed"
    """The route raised, answered with something malformed or for another intent, or
    the run was interrupted while the order was open (terminal)."""


class OrderEvent(StrEnum):
    """What happens to an order; the table turns (state, event) into the next state."""

    SUBMIT = "submit"
    BLOCK = "block"
    ACCEPT = "accept"
    REJECT = "reject"
    FAIL = "fail"


INITIAL_STATE: Final = OrderState.CREATED

TERMINAL_STATES: Final[frozenset[OrderState]] = frozenset(
    {OrderState.ACCEPTED, OrderState.REJECTED, OrderState.BLOCKED, OrderState.FAILED}
)

TRANSITIONS: Final[Mapping[tuple[OrderState, StrEnum], OrderState]] = MappingProxyType(
    {
        (OrderState.CREATED, OrderEvent.SUBMIT): OrderState.SUBMITTED,
        (OrderState.CREATED, OrderEvent.BLOCK): OrderState.BLOCKED,
        (OrderState.CREATED, OrderEvent.FAIL): OrderState.FAILED,
        (OrderState.SUBMITTED, OrderEvent.ACCEPT): OrderState.ACCEPTED,
        (OrderState.SUBMITTED, OrderEvent.REJECT): OrderState.REJECTED,
        (OrderState.SUBMITTED, OrderEvent.FAIL): OrderState.FAILED,
    }
)
"""The Phase 4 transition table (STATE-5). Every pair it lacks is an InvalidTransition."""
