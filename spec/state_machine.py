"""The transition table as an object: states, initial state, terminal set and table.

:class:`StateMachine` is generic in the state enum so that a Phase 5 extension (a new
``StrEnum`` holding every Phase 4 member plus its own) runs through the same code and
the same checks as Phase 4 itself. Members of different ``StrEnum`` classes with equal
values compare and hash equal, which is what lets an extension's table be queried with
Phase 4 events.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Generic, Protocol

from typing_extensions import TypeVar

from spec.errors import InvalidTransition
from spec.order_state import INITIAL_STATE, TERMINAL_STATES, TRANSITIONS, OrderEvent, OrderState
from spec.values import ExecutionIntent, ExecutionResponse

S = TypeVar("S", bound=StrEnum, default=OrderState)

ResponseEvents = Callable[[ExecutionIntent, ExecutionResponse], tuple[StrEnum, ...]]
"""What a route's answer means for the order: the events it fires from SUBMITTED, in
order (STATE-8). The loop applies them through the table; it never decides them."""


def phase4_events(intent: ExecutionIntent, response: ExecutionResponse, /) -> tuple[StrEnum, ...]:
    """Phase 4's reading of an answer: ``accepted`` alone decides ACCEPT or REJECT.

    Compares ``is True`` rather than truthiness, so a response whose validation was
    bypassed (``accepted='no'``) is not taken for an acceptance.
    """
    return (OrderEvent.ACCEPT,) if response.accepted is True else (OrderEvent.REJECT,)


class StateModel(Protocol[S]):
    """What the kit needs to know of an implementation's order states.

    :class:`StateMachine` satisfies it; an implementation may bring its own object, and
    the conformance suite checks that its ``transition`` agrees with its ``table``.
    """

    @property
    def states(self) -> type[S]: ...
    @property
    def initial(self) -> S: ...
    @property
    def terminal(self) -> frozenset[S]: ...
    @property
    def table(self) -> Mapping[tuple[S, StrEnum], S]: ...

    def transition(self, state: S, event: StrEnum, /) -> S:
        """The next state, or :class:`~spec.errors.InvalidTransition` (STATE-4)."""
        ...

    def events_for(self, intent: ExecutionIntent, response: ExecutionResponse, /) -> tuple[StrEnum, ...]:
        """The events ``response`` fires for ``intent``'s order, from SUBMITTED (STATE-8).

        This is the extension point of the unchanged loop: a Phase 5 model maps its
        richer responses (fills, expiries) to its own events; a plain
        :class:`~spec.values.ExecutionResponse` keeps Phase 4's meaning.
        """
        ...


@dataclass(frozen=True, slots=True)
class StateMachine(Generic[S]):
    """An explicit state enum plus one transition table, and nothing else.

    Construction checks only that the parts name members of ``states``; whether they keep
    the Phase 4 guarantees is :func:`spec.extension.extension_breaches`' job, so that a
    broken machine can still be built and shown broken.
    """

    states: type[S]
    initial: S
    terminal: frozenset[S]
    table: Mapping[tuple[S, StrEnum], S] = field(repr=False)
    response_events: ResponseEvents = field(default=phase4_events, repr=False)
    """How a route's answer maps to events (STATE-8); Phase 4's by default."""

    def __post_init__(self) -> None:
        members = frozenset(self.states)
        strangers = [
            repr(s)
            for s in (self.initial, *self.terminal, *(k[0] for k in self.table), *self.table.values())
            if s not in members
        ]
        if strangers:
            raise ValueError(
                f"state machine over {self.states.__name__} names states outside it: "
                + ", ".join(sorted(set(strangers)))
            )
        # A private, read-only copy: the caller's dict cannot change the machine later.
        object.__setattr__(self, "table", MappingProxyType(dict(self.table)))

    def transition(self, state: S, event: StrEnum, /) -> S:
        """Return the state the table gives for ``(state, event)`` (STATE-4).

        Raises :class:`~spec.errors.InvalidTransition` naming the state, the event and
        the clause for any pair the table lacks; it never guesses.
        """
        try:
            return self.table[state, event]
        except KeyError:
            raise InvalidTransition(state, event, terminal=state in self.terminal) from None

    def events_for(self, intent: ExecutionIntent, response: ExecutionResponse, /) -> tuple[StrEnum, ...]:
        """The events ``response`` fires from SUBMITTED, as ``response_events`` says."""
        return self.response_events(intent, response)

    def is_terminal(self, state: S) -> bool:
        return state in self.terminal

    def member(self, state: OrderState) -> S:
        """This machine's member for a Phase 4 state (same value)."""
        return self.states(state.value)


PHASE4: StateMachine[OrderState] = StateMachine(
    states=OrderState,
    initial=INITIAL_STATE,
    terminal=TERMINAL_STATES,
    table=TRANSITIONS,
)
"""The Phase 4 machine: the reference every extension is checked against."""


def transition(state: OrderState, event: StrEnum, /) -> OrderState:
    """The pure Phase 4 transition function over :data:`spec.order_state.TRANSITIONS`."""
    return PHASE4.transition(state, event)
