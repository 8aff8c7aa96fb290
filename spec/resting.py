"""The resting order: what becomes of an accepted order at the venue, after the loop.

The loop's order ends at the venue's answer (ACCEPTED is terminal, STATE-2/3). An order
the venue accepted may rest there and later be filled, cancelled or expire; those events
come from a venue feed the synchronous loop does not own. This module is that second
lifecycle, keyed by the venue order id ("After acceptance" in
``docs/specification.md``; clauses RESTING-1 .. RESTING-4).

It reuses the loop's building blocks: a :class:`~spec.state_machine.StateMachine` over
the team's own enum and the same termination check, except that *progress events*
(fills) may repeat, because each strictly raises the filled quantity, which the intent's
quantity bounds, and a fully filled order must be closed (RESTING-3).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Generic, Protocol

from typing_extensions import TypeVar

from spec.errors import RestingOrderError
from spec.extension import Breach, termination_breaches
from spec.order_state import OrderState
from spec.records import OrderRecord
from spec.state_machine import S, StateMachine, StateModel
from spec.values import ExecutionIntent

R = TypeVar("R", bound=StrEnum, default=StrEnum)
R_co = TypeVar("R_co", bound=StrEnum, covariant=True, default=StrEnum)
"""Resting states, covariant: a book of a team's own states is a book of ``StrEnum``s."""


class RestingState(StrEnum):
    """A standard resting lifecycle's states; a team may declare its own instead."""

    RESTING = "resting"
    """Accepted by the venue, nothing filled yet (initial)."""
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    CANCELLED = "cancelled"
    """Cancelled at the venue; whatever was filled before stays filled."""
    EXPIRED = "expired"


class RestingEvent(StrEnum):
    PARTIAL_FILL = "partial_fill"
    FILL = "fill"
    """The fill that completes the order."""
    CANCEL = "cancel"
    EXPIRE = "expire"


@dataclass(frozen=True, slots=True)
class RestingLifecycle(Generic[R_co]):
    """A resting order's states and table, and which events are fills (progress)."""

    machine: StateModel[R_co]
    progress: frozenset[StrEnum]


def declare_resting_lifecycle(
    states: type[R],
    *,
    initial: R,
    terminal: Iterable[R],
    table: Mapping[tuple[R, StrEnum], R],
    progress: Iterable[StrEnum],
) -> RestingLifecycle[R]:
    """Build a resting lifecycle, or raise :class:`RestingOrderError` listing every
    breach of RESTING-4."""
    lifecycle = RestingLifecycle(
        StateMachine(states=states, initial=initial, terminal=frozenset(terminal), table=table),
        frozenset(progress),
    )
    breaches = resting_breaches(lifecycle)
    if breaches:
        raise RestingOrderError("RESTING-4", "the resting lifecycle does not terminate:\n"
                                + "\n".join(f"  - {b}" for b in breaches))
    return lifecycle


def resting_breaches(lifecycle: RestingLifecycle[R]) -> tuple[Breach, ...]:
    """RESTING-4: the initial state is not terminal, terminal states have no exit, and
    every walk ends in a terminal state, except that a fill may repeat on one state."""
    model = lifecycle.machine
    progress = {event.value for event in lifecycle.progress}
    terminal = {state.value for state in model.terminal}
    found: list[Breach] = []
    if model.initial.value in terminal:
        found.append(Breach("RESTING-4", f"the initial state {model.initial.value!r} is terminal"))
    rows: dict[tuple[str, str], str] = {}
    for (source, event), target in model.table.items():
        if source.value in terminal:
            found.append(Breach("RESTING-4", f"terminal state {source.value!r} has an exit on {event.value!r}"))
        elif source == target and event.value in progress:
            continue  # a repeated fill: bounded by the quantity (RESTING-3), not by the graph
        rows[source.value, event.value] = target.value
    states = {state.value for state in model.states}
    found += [Breach("RESTING-4", b.message) for b in termination_breaches(states, terminal, rows)]
    return tuple(found)


@dataclass(frozen=True, slots=True)
class VenueEvent:
    """Something the venue reports about a resting order.

    ``filled`` is the order's cumulative filled quantity after the event, as venues
    report it; it is required for progress events (fills) and must be left ``None`` or
    unchanged by the others.
    """

    venue_order_id: str
    event: StrEnum
    filled: Decimal | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.venue_order_id, str) or not self.venue_order_id.strip():  # pyright: ignore[reportUnnecessaryIsInstance]
            raise ValueError(f"venue_order_id must be a non-empty string, got {self.venue_order_id!r}")
        if self.filled is not None and (
            not isinstance(self.filled, Decimal) or not self.filled.is_finite() or self.filled < 0  # pyright: ignore[reportUnnecessaryIsInstance]
        ):
            raise ValueError(f"filled must be a finite Decimal >= 0 or None, got {self.filled!r}")


@dataclass(frozen=True, slots=True)
class RestingOrder(Generic[R_co]):
    """One resting order: which venue order, which intent, every state, how much filled."""

    venue_order_id: str
    intent: ExecutionIntent
    history: tuple[R_co, ...]
    filled: Decimal = Decimal(0)

    @property
    def state(self) -> R_co:
        return self.history[-1]


def open_resting_order(lifecycle: RestingLifecycle[R], order: OrderRecord[S]) -> RestingOrder[R]:
    """RESTING-1: the resting order an ACCEPTED loop order with a venue order id starts."""
    if order.state.value != OrderState.ACCEPTED.value:
        raise RestingOrderError(
            "RESTING-1", f"order {order.intent.intent_id!r} is {order.state.value!r}; only an accepted order rests at the venue"
        )
    venue_order_id = order.response.venue_order_id if order.response is not None else None
    if not venue_order_id:
        raise RestingOrderError(
            "RESTING-1", f"accepted order {order.intent.intent_id!r} has no venue_order_id; a resting order is keyed by it"
        )
    return RestingOrder(venue_order_id, order.intent, (lifecycle.machine.initial,))


def advance(lifecycle: RestingLifecycle[R], order: RestingOrder[R], event: VenueEvent) -> RestingOrder[R]:
    """The order after ``event``, or :class:`RestingOrderError` /
    :class:`~spec.errors.InvalidTransition` naming the clause it would break."""
    if event.venue_order_id != order.venue_order_id:
        raise RestingOrderError(
            "RESTING-2", f"event {event.event.value!r} for venue order {event.venue_order_id!r} "
            f"applied to venue order {order.venue_order_id!r}"
        )
    filled = _filled_after(lifecycle, order, event)
    state = lifecycle.machine.transition(order.state, event.event)
    if filled == order.intent.quantity and state not in lifecycle.machine.terminal:
        raise RestingOrderError(
            "RESTING-3", f"venue order {order.venue_order_id!r} is fully filled ({filled}) "
            f"but {event.event.value!r} leads to {state.value!r}, which is not terminal"
        )
    return RestingOrder(order.venue_order_id, order.intent, (*order.history, state), filled)


def _filled_after(lifecycle: RestingLifecycle[R], order: RestingOrder[R], event: VenueEvent) -> Decimal:
    """RESTING-3: fills only grow, never past the intent's quantity; other events
    leave the filled quantity as it was."""
    where = f"venue order {order.venue_order_id!r}"
    if event.event not in lifecycle.progress:
        if event.filled is not None and event.filled != order.filled:
            raise RestingOrderError(
                "RESTING-3", f"{event.event.value!r} is not a fill but changes {where}'s filled quantity "
                f"from {order.filled} to {event.filled}"
            )
        return order.filled
    if event.filled is None:
        raise RestingOrderError("RESTING-3", f"fill {event.event.value!r} for {where} carries no filled quantity")
    if event.filled <= order.filled:
        raise RestingOrderError(
            "RESTING-3", f"fill {event.event.value!r} for {where} reports {event.filled} filled, "
            f"not more than the {order.filled} already filled"
        )
    if event.filled > order.intent.quantity:
        raise RestingOrderError(
            "RESTING-3", f"fill {event.event.value!r} for {where} reports {event.filled} filled, "
            f"more than the {order.intent.quantity} ordered"
        )
    return event.filled


class RestingBook(Protocol[R_co]):
    """A team's store of resting orders: opens them from accepted loop orders and
    applies venue events to the order each names (RESTING-1 .. RESTING-3)."""

    def open(self, order: OrderRecord[S], /) -> RestingOrder[R_co]:
        """Start the resting order of an accepted loop order (RESTING-1)."""
        ...

    def apply(self, event: VenueEvent, /) -> RestingOrder[R_co]:
        """Apply ``event`` to the order its venue order id names and return that order;
        raise a :class:`~spec.errors.SpecError` and change nothing when it cannot."""
        ...

    def get(self, venue_order_id: str, /) -> RestingOrder[R_co]:
        """The order as it stands; ``KeyError`` for an unknown venue order id."""
        ...


class RestingBinding(Protocol[R_co]):
    """What a binding offers the suite of its resting orders."""

    @property
    def lifecycle(self) -> RestingLifecycle[R_co]: ...

    def make_book(self) -> RestingBook[R_co]:
        """A fresh, empty book."""
        ...


STANDARD_RESTING: RestingLifecycle[RestingState] = declare_resting_lifecycle(
    RestingState,
    initial=RestingState.RESTING,
    terminal=[RestingState.FILLED, RestingState.CANCELLED, RestingState.EXPIRED],
    table={
        (RestingState.RESTING, RestingEvent.PARTIAL_FILL): RestingState.PARTIALLY_FILLED,
        (RestingState.RESTING, RestingEvent.FILL): RestingState.FILLED,
        (RestingState.RESTING, RestingEvent.CANCEL): RestingState.CANCELLED,
        (RestingState.RESTING, RestingEvent.EXPIRE): RestingState.EXPIRED,
        (RestingState.PARTIALLY_FILLED, RestingEvent.PARTIAL_FILL): RestingState.PARTIALLY_FILLED,
        (RestingState.PARTIALLY_FILLED, RestingEvent.FILL): RestingState.FILLED,
        (RestingState.PARTIALLY_FILLED, RestingEvent.CANCEL): RestingState.CANCELLED,
        (RestingState.PARTIALLY_FILLED, RestingEvent.EXPIRE): RestingState.EXPIRED,
    },
    progress=[RestingEvent.PARTIAL_FILL, RestingEvent.FILL],
)
"""A standard resting lifecycle (resting, partially filled, filled, cancelled,
expired), for teams that need no other."""
