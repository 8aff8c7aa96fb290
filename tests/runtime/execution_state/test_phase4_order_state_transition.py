"""Seed test asset: state transitions happen, and only as THE table says (seed 3)."""

from __future__ import annotations

from enum import StrEnum

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spec import (
    PHASE4,
    TERMINAL_STATES,
    TRANSITIONS,
    ExtensionError,
    InvalidTransition,
    OrderEvent,
    OrderState,
    StateMachine,
    declare_extension,
    extension_breaches,
    transition,
)

C, S, A, R, B, F = (
    OrderState.CREATED,
    OrderState.SUBMITTED,
    OrderState.ACCEPTED,
    OrderState.REJECTED,
    OrderState.BLOCKED,
    OrderState.FAILED,
)
E = OrderEvent

PHASE4_TABLE: dict[tuple[OrderState, StrEnum], OrderState] = {
    (C, E.SUBMIT): S,
    (C, E.BLOCK): B,
    (C, E.FAIL): F,
    (S, E.ACCEPT): A,
    (S, E.REJECT): R,
    (S, E.FAIL): F,
}


def test_the_table_is_exactly_the_phase4_table() -> None:
    assert dict(TRANSITIONS) == PHASE4_TABLE


def test_states_and_values_are_the_contract() -> None:
    assert {s.name: s.value for s in OrderState} == {
        "CREATED": "created",
        "SUBMITTED": "submitted",
        "ACCEPTED": "accepted",
        "REJECTED": "rejected",
        "BLOCKED": "blocked",
        "FAILED": "failed",
    }
    assert TERMINAL_STATES == {A, R, B, F}
    assert PHASE4.initial is C


@pytest.mark.parametrize(
    ("events", "final"),
    [
        ([E.SUBMIT, E.ACCEPT], A),
        ([E.SUBMIT, E.REJECT], R),
        ([E.SUBMIT, E.FAIL], F),
        ([E.BLOCK], B),
        ([E.FAIL], F),
    ],
)
def test_transitions_happen_along_each_lifecycle(events: list[OrderEvent], final: OrderState) -> None:
    state = C
    for event in events:
        state = transition(state, event)
    assert state is final
    assert state in TERMINAL_STATES


@pytest.mark.parametrize("state", list(OrderState))
@pytest.mark.parametrize("event", list(OrderEvent))
def test_every_pair_is_a_row_or_an_invalid_transition(state: OrderState, event: OrderEvent) -> None:
    """Exhaustive over all 30 pairs: the table's target, or InvalidTransition."""
    if (state, event) in PHASE4_TABLE:
        assert transition(state, event) is PHASE4_TABLE[state, event]
    else:
        with pytest.raises(InvalidTransition) as raised:
            transition(state, event)
        assert (raised.value.state, raised.value.event) == (state, event)
        assert raised.value.clause == ("STATE-3" if state in TERMINAL_STATES else "STATE-4")


def test_invalid_transition_message_names_state_event_and_clause() -> None:
    with pytest.raises(InvalidTransition, match=r"OrderState\.ACCEPTED.*OrderEvent\.SUBMIT.*absorbing \(STATE-3\)"):
        transition(A, E.SUBMIT)
    with pytest.raises(InvalidTransition, match=r"OrderState\.CREATED.*OrderEvent\.ACCEPT.*\(STATE-4\)"):
        transition(C, E.ACCEPT)


@given(st.lists(st.sampled_from(OrderEvent), max_size=8))
def test_any_event_sequence_either_walks_the_table_or_is_refused_and_never_leaves_a_terminal_state(
    events: list[OrderEvent],
) -> None:
    """Property: applying any events from CREATED, each step is a table row, at most two
    steps succeed, and once terminal every further event is refused."""
    state = C
    steps = 0
    for event in events:
        if state in TERMINAL_STATES:
            with pytest.raises(InvalidTransition):
                transition(state, event)
            continue
        try:
            state = transition(state, event)
            steps += 1
        except InvalidTransition:
            continue
    assert steps <= 2


def test_machine_refuses_states_outside_its_enum() -> None:
    class Other(StrEnum):
        X = "x"

    with pytest.raises(ValueError, match="names states outside it"):
        StateMachine(OrderState, C, frozenset({Other.X}), {})  # pyright: ignore[reportArgumentType]


def test_machine_table_cannot_be_changed_through_the_callers_dict() -> None:
    table: dict[tuple[OrderState, StrEnum], OrderState] = dict(PHASE4_TABLE)
    machine = StateMachine(OrderState, C, TERMINAL_STATES, table)
    table[A, E.FAIL] = F
    with pytest.raises(InvalidTransition):
        machine.transition(A, E.FAIL)


# --- Phase 5 extensions (seed 5: states may be added, never deleted) ----------------


class Extended(StrEnum):
    CREATED = "created"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    BLOCKED = "blocked"
    FAILED = "failed"
    PARTIALLY_ACCEPTED = "partially_accepted"
    EXPIRED = "expired"


class ExtraEvent(StrEnum):
    PARTIAL_ACCEPT = "partial_accept"
    ACCEPT_REST = "accept_rest"
    EXPIRE = "expire"


def _phase4_rows() -> dict[tuple[Extended, StrEnum], Extended]:
    return {(Extended(s.value), e): Extended(t.value) for (s, e), t in TRANSITIONS.items()}


def _terminal() -> list[Extended]:
    return [Extended(s.value) for s in TERMINAL_STATES] + [Extended.EXPIRED]


def test_an_extension_that_only_adds_is_accepted() -> None:
    machine = declare_extension(
        Extended,
        terminal=_terminal(),
        table={
            **_phase4_rows(),
            (Extended.SUBMITTED, ExtraEvent.PARTIAL_ACCEPT): Extended.PARTIALLY_ACCEPTED,
            (Extended.PARTIALLY_ACCEPTED, ExtraEvent.ACCEPT_REST): Extended.ACCEPTED,
            (Extended.PARTIALLY_ACCEPTED, ExtraEvent.EXPIRE): Extended.EXPIRED,
            (Extended.PARTIALLY_ACCEPTED, E.FAIL): Extended.FAILED,  # STATE-7
        },
    )
    assert machine.transition(machine.member(S), E.ACCEPT) is Extended.ACCEPTED
    assert machine.transition(Extended.SUBMITTED, ExtraEvent.PARTIAL_ACCEPT) is Extended.PARTIALLY_ACCEPTED
    assert extension_breaches(machine) == ()


def test_an_extension_lists_every_breach_at_once() -> None:
    rows = _phase4_rows()
    rows[Extended.SUBMITTED, E.REJECT] = Extended.FAILED  # STATE-5: changed row
    rows[Extended.ACCEPTED, ExtraEvent.EXPIRE] = Extended.EXPIRED  # STATE-3: exit from terminal
    rows[Extended.PARTIALLY_ACCEPTED, ExtraEvent.ACCEPT_REST] = Extended.SUBMITTED  # STATE-6: cycle
    rows[Extended.SUBMITTED, ExtraEvent.PARTIAL_ACCEPT] = Extended.PARTIALLY_ACCEPTED
    terminal = [s for s in _terminal() if s is not Extended.BLOCKED]  # STATE-2, and STATE-7: no FAIL row
    with pytest.raises(ExtensionError) as raised:
        declare_extension(Extended, terminal=terminal, table=rows)
    clauses = sorted({b.split(":")[0] for b in raised.value.breaches})
    assert clauses == ["STATE-2", "STATE-3", "STATE-5", "STATE-6", "STATE-7"], raised.value.breaches
    assert "'submitted' --reject--> 'rejected' now leads to 'failed'" in str(raised.value)


def test_an_extension_that_deletes_a_state_is_refused() -> None:
    class NoBlocked(StrEnum):
        CREATED = "created"
        SUBMITTED = "submitted"
        ACCEPTED = "accepted"
        REJECTED = "rejected"
        FAILED = "failed"

    rows = {(NoBlocked(s.value), e): NoBlocked(t.value) for (s, e), t in TRANSITIONS.items() if t is not B}
    with pytest.raises(ExtensionError, match=r"STATE-1: Phase 4 state BLOCKED \('blocked'\) was deleted"):
        declare_extension(NoBlocked, terminal=[NoBlocked.ACCEPTED, NoBlocked.REJECTED, NoBlocked.FAILED], table=rows)


def test_an_extension_that_revalues_a_state_is_refused() -> None:
    class Renamed(StrEnum):
        CREATED = "created"
        SUBMITTED = "submitted"
        ACCEPTED = "accepted"
        REJECTED = "rejected"
        BLOCKED = "blocked"
        FAILED = "error"

    rows = {(Renamed[s.name], e): Renamed[t.name] for (s, e), t in TRANSITIONS.items()}
    with pytest.raises(ExtensionError, match="STATE-1: Phase 4 state FAILED changed its value"):
        declare_extension(Renamed, terminal=[Renamed[s.name] for s in TERMINAL_STATES], table=rows)


def test_an_extension_with_a_dead_end_state_is_refused() -> None:
    rows = {**_phase4_rows(), (Extended.SUBMITTED, ExtraEvent.PARTIAL_ACCEPT): Extended.PARTIALLY_ACCEPTED}
    with pytest.raises(ExtensionError, match="STATE-6: no terminal state is reachable from 'partially_accepted'"):
        declare_extension(Extended, terminal=_terminal(), table=rows)
