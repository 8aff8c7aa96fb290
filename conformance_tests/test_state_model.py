"""STATE-1 .. STATE-8: the implementation's states, transition table and declared
answers, checked exhaustively (every state x every event), not sampled.

Every check calls into the implementation (its ``transition``, its ``events_for``, its
outcomes), so each runs under the suite's watchdog (``call_watched``), like a run."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

import pytest

from spec.binding import Implementation
from spec.errors import InvalidTransition
from spec.extension import Breach, extension_breaches
from spec.interface import outcome_breaches
from spec.order_state import TRANSITIONS, OrderEvent
from spec.state_machine import StateModel
from spec.values import ExecutionIntent, Side

from conformance_tests.harness import call_watched
from conformance_tests.violation import ClauseViolated, refuse_breaches

Impl = Implementation[StrEnum]

PROBE_INTENTS = (
    ExecutionIntent("probe-buy-1", "QTS", Side.BUY, Decimal(1)),
    ExecutionIntent("probe-sell-7", "KRX:005930", Side.SELL, Decimal(7), Decimal("71000")),
    ExecutionIntent("probe-buy-fraction", "BTC-USD", Side.BUY, Decimal("0.003"), Decimal("0.5")),
)


def _breaches(machine: StateModel[StrEnum], clause: str) -> list[Breach]:
    return [b for b in call_watched(lambda: extension_breaches(machine)) if b.clause == clause]


def _events(machine: StateModel[StrEnum]) -> list[StrEnum]:
    """Every event worth probing: Phase 4's and any the implementation's table uses."""
    events: dict[str, StrEnum] = {e.value: e for e in OrderEvent}
    for _state, event in machine.table:
        events.setdefault(event.value, event)
    return list(events.values())


def _clause_for(machine: StateModel[StrEnum], state: StrEnum) -> str:
    return "STATE-3" if state in machine.terminal else "STATE-4"


@pytest.mark.qts_clause("STATE-1")
def test_phase4_states_are_present_with_their_values(implementation: Impl) -> None:
    refuse_breaches(_breaches(implementation.machine, "STATE-1"))


@pytest.mark.qts_clause("STATE-2")
def test_initial_and_terminal_states_are_the_phase4_ones(implementation: Impl) -> None:
    refuse_breaches(_breaches(implementation.machine, "STATE-2"))


@pytest.mark.qts_clause("STATE-3")
def test_terminal_states_have_no_exit_in_the_table(implementation: Impl) -> None:
    refuse_breaches(_breaches(implementation.machine, "STATE-3"))


@pytest.mark.qts_clause("STATE-3", "STATE-4")
def test_transition_refuses_every_event_from_every_terminal_state(implementation: Impl) -> None:
    machine = implementation.machine
    leaks: list[str] = []

    def probe() -> None:
        for state in machine.terminal:
            for event in _events(machine):
                try:
                    leaks.append(f"{state.value} --{event.value}--> {machine.transition(state, event).value}")
                except InvalidTransition:
                    pass

    call_watched(probe)
    if leaks:
        raise ClauseViolated("STATE-3", observed=f"transition() leaves terminal states: {leaks}")


@pytest.mark.qts_clause("STATE-4")
def test_table_names_only_members_of_the_state_enum(implementation: Impl) -> None:
    machine = implementation.machine
    members = set(machine.states)
    strangers = [
        f"{s!r} --{e!r}--> {t!r}"
        for (s, e), t in machine.table.items()
        if s not in members or t not in members
    ]
    if machine.initial not in members:
        raise ClauseViolated("STATE-4", observed=f"initial state {machine.initial!r} is not a member")
    if machine.terminal > members:
        raise ClauseViolated("STATE-4", observed="terminal set names non-members")
    if strangers:
        raise ClauseViolated("STATE-4", observed=f"table rows name states outside {machine.states.__name__}: {strangers}")


@pytest.mark.qts_clause("STATE-4")
def test_transition_agrees_with_the_table_on_every_pair(implementation: Impl) -> None:
    """Every (state, event) pair: the table's target, or InvalidTransition naming the
    state, the event and a clause. Nothing else decides a state."""
    machine = implementation.machine
    wrong: list[str] = []
    call_watched(lambda: _compare_every_pair(machine, wrong))
    if wrong:
        raise ClauseViolated("STATE-4", observed="\n".join(wrong))


def _compare_every_pair(machine: StateModel[StrEnum], wrong: list[str]) -> None:
    for state in machine.states:
        for event in _events(machine):
            expected = machine.table.get((state, event))
            pair = f"({state.value}, {event.value})"
            try:
                got = machine.transition(state, event)
            except InvalidTransition as error:
                if expected is not None:
                    wrong.append(f"{pair}: raised although the table maps it to {expected.value}")
                elif (error.state, error.event, error.clause) != (state, event, _clause_for(machine, state)):
                    wrong.append(
                        f"{pair}: InvalidTransition names ({error.state!r}, {error.event!r}, {error.clause}), "
                        f"expected ({state!r}, {event!r}, {_clause_for(machine, state)})"
                    )
                continue
            except Exception as error:  # noqa: BLE001 - any other exception is the finding
                wrong.append(f"{pair}: raised {type(error).__name__}, not spec.InvalidTransition")
                continue
            if expected is None:
                wrong.append(f"{pair}: returned {got.value} but the table has no such row")
            elif got != expected:
                wrong.append(f"{pair}: returned {got.value}, the table says {expected.value}")
            elif got not in set(machine.states):
                wrong.append(f"{pair}: returned {got!r}, not a member of {machine.states.__name__}")


@pytest.mark.qts_clause("STATE-5")
def test_phase4_transitions_are_present_and_unchanged(implementation: Impl) -> None:
    machine = implementation.machine
    refuse_breaches(_breaches(machine, "STATE-5"))
    for (state, event), target in TRANSITIONS.items():
        got = call_watched(lambda: machine.transition(machine.states(state.value), event))
        if got.value != target.value:
            raise ClauseViolated("STATE-5", observed=f"transition({state.value}, {event.value}) gives {got.value}, Phase 4 says {target.value}")


@pytest.mark.qts_clause("STATE-6")
def test_every_non_terminal_state_reaches_a_terminal_state_without_cycles(implementation: Impl) -> None:
    refuse_breaches(_breaches(implementation.machine, "STATE-6"))


@pytest.mark.qts_clause("STATE-7")
def test_every_non_terminal_state_can_be_failed(implementation: Impl) -> None:
    """The loop fails an order wherever an interrupt finds it (LOOP-5), so every
    non-terminal state has a FAIL row to FAILED."""
    refuse_breaches(_breaches(implementation.machine, "STATE-7"))


@pytest.mark.qts_clause("STATE-8")
def test_plain_responses_keep_their_phase4_meaning(implementation: Impl) -> None:
    refuse_breaches(_breaches(implementation.machine, "STATE-8"))


@pytest.mark.qts_clause("STATE-8")
@pytest.mark.parametrize("intent", PROBE_INTENTS, ids=lambda intent: intent.intent_id)
def test_every_declared_outcome_leads_from_submitted_to_a_terminal_state(implementation: Impl, intent: ExecutionIntent) -> None:
    """Each answer the binding declares, made for intents of both sides, several
    quantities and with or without a limit, answers for that intent and fires events
    that walk the table from SUBMITTED to a terminal state."""
    machine, outcomes = implementation.machine, implementation.outcomes
    problems = call_watched(lambda: outcome_breaches(machine, outcomes, intent))
    # An answer that fills more than ordered is RESTING-7's, whose own test checks it.
    refuse_breaches(problem for problem in problems if problem.clause == "STATE-8")
