"""Declaring a Phase 5 extension of the order states, and checking it keeps Phase 4.

Python enums with members cannot be subclassed, so an extension is a *new* ``StrEnum``
that repeats every Phase 4 member (same name, same value) and adds its own, plus a
table that contains every Phase 4 row unchanged. :func:`declare_extension` builds the
machine and refuses it, listing every breach, if it drops or changes anything Phase 4
promised (seed section 5: states may be added, never deleted).

Everything here compares by *value*, so it works across enum classes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum, StrEnum

from spec.errors import ExtensionError
from spec.order_state import INITIAL_STATE, TERMINAL_STATES, TRANSITIONS, OrderEvent, OrderState
from spec.state_machine import ResponseEvents, S, StateMachine, StateModel, phase4_events
from spec.values import ExecutionIntent, ExecutionResponse, Side

_PROBE = ExecutionIntent("state-8-probe", "PROBE", Side.BUY, Decimal(1))
"""The intent plain responses are interpreted for when a model is checked (STATE-8)."""


@dataclass(frozen=True, slots=True)
class Breach:
    """One way a model, gate, loop or binding breaks a clause: the clause as data (a
    check selects breaches by ``clause``, never by the text), and what is wrong."""

    clause: str
    message: str

    def __str__(self) -> str:
        return f"{self.clause}: {self.message}"


def declare_extension(
    states: type[S],
    *,
    terminal: Iterable[S],
    table: Mapping[tuple[S, StrEnum], S],
    response_events: ResponseEvents = phase4_events,
) -> StateMachine[S]:
    """Build the machine of a Phase 5 extension, or raise :class:`ExtensionError`.

    ``terminal`` and ``table`` are complete (Phase 4 entries included), so the machine
    reads as one table, as the seed asks. ``response_events`` says which events a
    route's answer fires (STATE-8): it is how the unchanged loop reaches the
    extension's states.
    """
    machine = StateMachine(
        states=states,
        initial=states(INITIAL_STATE.value),
        terminal=frozenset(terminal),
        table=table,
        response_events=response_events,
    )
    breaches = extension_breaches(machine)
    if breaches:
        raise ExtensionError(tuple(map(str, breaches)))
    return machine


def extension_breaches(model: StateModel[S]) -> tuple[Breach, ...]:
    """Every way ``model`` breaks a Phase 4 state guarantee, each naming its clause.

    An empty tuple means the model keeps all of STATE-1, STATE-2, STATE-3, STATE-5,
    STATE-6, STATE-7 and STATE-8 (for plain responses). The Phase 4 machine itself has
    no breaches.
    """
    states = {member.name: member.value for member in model.states}
    terminal = {_value(state) for state in model.terminal}
    rows = {(_value(s), _value(e)): _value(t) for (s, e), t in model.table.items()}
    return (
        *_foreign_rows(model),
        *_missing_members(states),
        *_terminal_changes(_value(model.initial), terminal),
        *_exits_from_terminal(rows, terminal),
        *_changed_rows(rows),
        *termination_breaches(set(states.values()), terminal, rows),
        *_unfailable_states(set(states.values()) - terminal, rows),
        *_plain_response_breaches(model),
    )


def response_path_problem(
    model: StateModel[S], intent: ExecutionIntent, response: ExecutionResponse
) -> Breach | None:
    """STATE-8: why the events ``model`` gives for ``response`` are not a walk through
    its table from SUBMITTED to a terminal state, or None if they are."""
    path = response_path(model, intent, response)
    return path if isinstance(path, Breach) else None


def response_path(
    model: StateModel[S], intent: ExecutionIntent, response: ExecutionResponse
) -> tuple[str, ...] | Breach:
    """STATE-8: the states (values) after SUBMITTED that the events ``model`` gives for
    ``response`` walk through its table, the last one terminal; or why they do not.

    The walk stops at the first terminal state: an event after it would leave a
    terminal state (STATE-3). The suite's oracle reads declared answers with it
    (LOOP-10), so the check and the expected path are one walk.
    """
    try:
        events: object = model.events_for(intent, response)
    except Exception as error:  # noqa: BLE001 - any failure of the mapping is the finding
        return Breach("STATE-8", f"events_for({response!r:.120}) raised {type(error).__name__}: {error}")
    if not isinstance(events, tuple) or not events:  # pyright: ignore[reportUnnecessaryIsInstance]
        return Breach("STATE-8", f"events_for({response!r:.120}) gave {events!r:.80}; it must be a non-empty tuple of events")
    rows = {(_value(s), _value(e)): _value(t) for (s, e), t in model.table.items()}
    terminal = {_value(state) for state in model.terminal}
    state = OrderState.SUBMITTED.value
    path: list[str] = []
    for step, event in enumerate(events):
        value = _value(event)
        if state in terminal:
            return Breach("STATE-8", f"events {_values(events)} go on after the terminal state {state!r} (step {step})")
        target = rows.get((state, value))
        if target is None:
            return Breach("STATE-8", f"events {_values(events)} have no row from {state!r} on {value!r}")
        state = target
        path.append(state)
    if state not in terminal:
        return Breach("STATE-8", f"events {_values(events)} for {response!r:.120} end in {state!r}, which is not terminal")
    return tuple(path)


def _values(events: tuple[object, ...]) -> str:
    return repr(tuple(_value(event) for event in events))


def termination_breaches(
    states: set[str], terminal: set[str], rows: Mapping[tuple[str, str], str]
) -> tuple[Breach, ...]:
    """STATE-6: from every non-terminal state some terminal state is reachable, and the
    non-terminal states form no cycle (so every path reaches a terminal state)."""
    exits: dict[str, set[str]] = {s: set() for s in states}
    for (source, _event), target in rows.items():
        exits.setdefault(source, set()).add(target)
    found: list[Breach] = []
    for state in sorted(states - terminal):
        if not _reaches(state, terminal, exits):
            found.append(Breach("STATE-6", f"no terminal state is reachable from {state!r}"))
    cycle = _non_terminal_cycle(states - terminal, exits)
    if cycle:
        found.append(Breach("STATE-6", "non-terminal states form a cycle: " + " -> ".join(map(repr, cycle))))
    return tuple(found)


def _value(item: object) -> str:
    """An enum member's value; anything else (a plain str in a table) as its text, so
    that the other checks still run and :func:`_foreign_rows` names the problem."""
    return str(item.value) if isinstance(item, Enum) else str(item)


def _foreign_rows(model: StateModel[S]) -> list[Breach]:
    """STATE-4: the table names states (and events) as enum members, not plain values."""
    # Typed as object: the table's annotation is a promise the checked model may break.
    rows: list[tuple[tuple[object, object], object]] = list(model.table.items())
    found = [
        Breach("STATE-4", f"table row ({source!r}, {event!r}) -> {target!r} names a state or event that is "
        f"not an enum member (plain strings are not states; states are members of {model.states.__name__})")
        for (source, event), target in rows
        if type(source) is not model.states or type(target) is not model.states or not isinstance(event, Enum)
    ]
    return found[:10]


def _unfailable_states(non_terminal: set[str], rows: Mapping[tuple[str, str], str]) -> list[Breach]:
    """STATE-7: the loop must be able to fail an order wherever an interrupt finds it."""
    fail, failed = OrderEvent.FAIL.value, OrderState.FAILED.value
    found: list[Breach] = []
    for state in sorted(non_terminal):
        target = rows.get((state, fail))
        if target != failed:
            now = "none" if target is None else f"one to {target!r}"
            found.append(Breach("STATE-7", f"non-terminal state {state!r} needs a {fail!r} row to {failed!r} (it has {now})"))
    return found


def _plain_response_breaches(model: StateModel[S]) -> list[Breach]:
    """STATE-8: a plain ExecutionResponse keeps Phase 4's meaning under any extension."""
    found: list[Breach] = []
    for accepted, want in ((True, OrderEvent.ACCEPT), (False, OrderEvent.REJECT)):
        response = ExecutionResponse(_PROBE.intent_id, accepted=accepted)
        problem = response_path_problem(model, _PROBE, response)
        if problem is not None:
            found.append(problem)
            continue
        try:
            got = _values(model.events_for(_PROBE, response))
        except Exception as error:  # noqa: BLE001 - a mapping that fails the second time is the finding
            found.append(Breach("STATE-8", f"events_for({response!r:.120}) raised {type(error).__name__}: {error}"))
            continue
        if got != repr((want.value,)):
            found.append(Breach("STATE-8", f"a plain ExecutionResponse(accepted={accepted}) must fire "
                         f"({want.value!r},), the model gives {got}"))
    return found


def _missing_members(states: Mapping[str, str]) -> list[Breach]:
    found: list[Breach] = []
    for member in OrderState:
        value = states.get(member.name)
        if value is None:
            found.append(Breach("STATE-1", f"Phase 4 state {member.name} ({member.value!r}) was deleted"))
        elif value != member.value:
            found.append(
                Breach("STATE-1", f"Phase 4 state {member.name} changed its value "
                f"from {member.value!r} to {value!r}")
            )
    return found


def _terminal_changes(initial: str, terminal: set[str]) -> list[Breach]:
    found: list[Breach] = []
    if initial != INITIAL_STATE.value:
        found.append(Breach("STATE-2", f"the initial state must stay {INITIAL_STATE.value!r}, not {initial!r}"))
    for state in OrderState:
        if state in TERMINAL_STATES and state.value not in terminal:
            found.append(Breach("STATE-2", f"Phase 4 terminal state {state.value!r} is no longer terminal"))
        if state not in TERMINAL_STATES and state.value in terminal:
            found.append(Breach("STATE-2", f"Phase 4 state {state.value!r} must not be terminal"))
    return found


def _exits_from_terminal(rows: Mapping[tuple[str, str], str], terminal: set[str]) -> list[Breach]:
    return [
        Breach("STATE-3", f"terminal state {source!r} has an exit on {event!r} to {target!r}")
        for (source, event), target in sorted(rows.items())
        if source in terminal
    ]


def _changed_rows(rows: Mapping[tuple[str, str], str]) -> list[Breach]:
    found: list[Breach] = []
    for (source, event), target in TRANSITIONS.items():
        now = rows.get((source.value, event.value))
        if now is None:
            found.append(Breach("STATE-5", f"Phase 4 transition {source.value!r} --{event.value}--> "
                         f"{target.value!r} was deleted"))
        elif now != target.value:
            found.append(Breach("STATE-5", f"Phase 4 transition {source.value!r} --{event.value}--> "
                         f"{target.value!r} now leads to {now!r}"))
    return found


def _reaches(start: str, goal: set[str], exits: Mapping[str, set[str]]) -> bool:
    seen = {start}
    frontier = [start]
    while frontier:
        for nxt in exits.get(frontier.pop(), ()):
            if nxt in goal:
                return True
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return False


def _non_terminal_cycle(nodes: set[str], exits: Mapping[str, set[str]]) -> list[str]:
    """A cycle among ``nodes`` as a closed path, or [] (iterative three-colour DFS)."""
    done: set[str] = set()
    for root in sorted(nodes):
        if root in done:
            continue
        path: list[str] = []
        on_path: set[str] = set()
        stack: list[tuple[str, list[str]]] = [(root, sorted(exits.get(root, set()) & nodes))]
        path.append(root)
        on_path.add(root)
        while stack:
            node, todo = stack[-1]
            if not todo:
                stack.pop()
                path.pop()
                on_path.discard(node)
                done.add(node)
                continue
            nxt = todo.pop()
            if nxt in on_path:
                return [*path[path.index(nxt):], nxt]
            if nxt not in done:
                stack.append((nxt, sorted(exits.get(nxt, set()) & nodes)))
                path.append(nxt)
                on_path.add(nxt)
    return []
