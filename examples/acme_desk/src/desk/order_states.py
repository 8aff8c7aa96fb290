"""Order states extended for immediate-or-cancel (IOC) orders (seed 5: add, never delete).

An IOC order is filled at once as far as the venue can and the rest is cancelled: the
answer itself says how much. ``IocFill`` carries it (a ``FilledAnswer``, so the suite
checks it never fills more than the order, RESTING-7), and ``ioc_events`` tells the
unchanged loop which events such an answer fires (STATE-8, LOOP-10):

- all filled: ``ACCEPT`` (Phase 4's own path, created -> submitted -> accepted);
- part filled: ``PARTIAL_FILL`` then ``CANCEL_REST``
  (-> partially_filled -> closed_partial);
- nothing filled: ``EXPIRE`` (-> expired).

Plain ``ExecutionResponse`` answers keep their Phase 4 meaning.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from spec import TERMINAL_STATES, TRANSITIONS, ExecutionIntent, ExecutionResponse, OrderEvent, declare_extension, phase4_events
from spec.resting import FilledAnswer


class DeskState(StrEnum):
    CREATED = "created"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    BLOCKED = "blocked"
    FAILED = "failed"
    PARTIALLY_FILLED = "partially_filled"
    """Part of an IOC order filled; the venue is cancelling the rest (not terminal)."""
    CLOSED_PARTIAL = "closed_partial"
    """Part filled, the rest cancelled: the IOC order is done."""
    EXPIRED = "expired"
    """Nothing could be filled at once: the IOC order lapsed."""


class DeskEvent(StrEnum):
    PARTIAL_FILL = "partial_fill"
    CANCEL_REST = "cancel_rest"
    EXPIRE = "expire"


@dataclass(frozen=True, slots=True)
class IocFill(FilledAnswer):
    """The venue's answer to an IOC order: how much it filled at once (the rest is
    cancelled, so no venue order id rests)."""


def ioc_events(intent: ExecutionIntent, response: ExecutionResponse, /) -> tuple[StrEnum, ...]:
    """What an answer means for the order (STATE-8): the module docstring's three paths."""
    if isinstance(response, IocFill) and response.accepted:
        if response.filled <= 0:
            return (DeskEvent.EXPIRE,)
        if response.filled < intent.quantity:
            return (DeskEvent.PARTIAL_FILL, DeskEvent.CANCEL_REST)
    return phase4_events(intent, response)


DESK_MACHINE = declare_extension(
    DeskState,
    terminal=[DeskState(state.value) for state in TERMINAL_STATES] + [DeskState.CLOSED_PARTIAL, DeskState.EXPIRED],
    table={
        **{(DeskState(s.value), event): DeskState(t.value) for (s, event), t in TRANSITIONS.items()},
        (DeskState.SUBMITTED, DeskEvent.PARTIAL_FILL): DeskState.PARTIALLY_FILLED,
        (DeskState.SUBMITTED, DeskEvent.EXPIRE): DeskState.EXPIRED,
        (DeskState.PARTIALLY_FILLED, DeskEvent.CANCEL_REST): DeskState.CLOSED_PARTIAL,
        (DeskState.PARTIALLY_FILLED, OrderEvent.FAIL): DeskState.FAILED,  # STATE-7
    },
    response_events=ioc_events,
)
