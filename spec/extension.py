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
from enum import Enum, StrEnum

from spec.errors import ExtensionError
from spec.order_state import INITIAL_STATE, TERMINAL_STATES, TRANSITIONS, OrderState
from spec.state_machine import S, StateMachine, StateModel


def declare_extension(
    states: type[S],
    *,
    terminal: Iterable[S],
    table: Mapping[tuple[S, StrEnum], S],
) -> StateMachine[S]:
    """Build the machine of a Phase 5 extension, or raise :class:`ExtensionError`.

    ``terminal`` and ``table`` are complete (Phase 4 entries included), so the machine
    reads as one table, as the seed asks.
    """
    machine = StateMachine(
        states=states,
        initial=states(INITIAL_STATE.value),
        terminal=frozenset(terminal),
        table=table,
    )
    breaches = extension_breaches(machine)
    if breaches:
        raise ExtensionError(breaches)
    return machine


def extension_breaches(model: StateModel[S]) -> tuple[str, ...]:
    """Every way ``model`` breaks a Phase 4 state guarantee, each naming its clause.

    An empty tuple means the model keeps all of STATE-1, STATE-2, STATE-3, STATE-5 and
    STATE-6. The Phase 4 machine itself has no breaches.
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
    )


def termination_breaches(
    states: set[str], terminal: set[str], rows: Mapping[tuple[str, str], str]
) -> tuple[str, ...]:
    """STATE-6: from every non-terminal state some terminal state is reachable, and the
    non-terminal states form no cycle (so every path reaches a terminal state)."""
    exits: dict[str, set[str]] = {s: set() for s in states}
    for (source, _event), target in rows.items():
        exits.setdefault(source, set()).add(target)
    found: list[str] = []
    for state in sorted(states - terminal):
        if not _reaches(state, terminal, exits):
            found.append(f"STATE-6: no terminal state is reachable from {state!r}")
    cycle = _non_terminal_cycle(states - terminal, exits)
    if cycle:
        found.append("STATE-6: non-terminal states form a cycle: " + " -> ".join(map(repr, cycle)))
    return tuple(found)


def _value(item: object) -> str:
    """An enum member's value; anything else (a plain str in a table) as its text, so
    that the other checks still run and :func:`_foreign_rows` names the problem."""
    return str(item.value) if isinstance(item, Enum) else str(item)


def _foreign_rows(model: StateModel[S]) -> list[str]:
    """STATE-4: the table names states (and events) as enum members, not plain values."""
    # Typed as object: the table's annotation is a promise the checked model may break.
    rows: list[tuple[tuple[object, object], object]] = list(model.table.items())
    found = [
        f"STATE-4: table row ({source!r}, {event!r}) -> {target!r} names a state or event that is "
        f"not an enum member (plain strings are not states; states are members of {model.states.__name__})"
        for (source, event), target in rows
        if type(source) is not model.states or type(target) is not model.states or not isinstance(event, Enum)
    ]
    return found[:10]


def _missing_members(states: Mapping[str, str]) -> list[str]:
    found: list[str] = []
    for member in OrderState:
        value = states.get(member.name)
        if value is None:
            found.append(f"STATE-1: Phase 4 state {member.name} ({member.value!r}) was deleted")
        elif value != member.value:
            found.append(
                f"STATE-1: Phase 4 state {member.name} changed its value "
                f"from {member.value!r} to {value!r}"
            )
    return found


def _terminal_changes(initial: str, terminal: set[str]) -> list[str]:
    found: list[str] = []
    if initial != INITIAL_STATE.value:
        found.append(f"STATE-2: the initial state must stay {INITIAL_STATE.value!r}, not {initial!r}")
    for state in OrderState:
        if state in TERMINAL_STATES and state.value not in terminal:
            found.append(f"STATE-2: Phase 4 terminal state {state.value!r} is no longer terminal")
        if state not in TERMINAL_STATES and state.value in terminal:
            found.append(f"STATE-2: Phase 4 state {state.value!r} must not be terminal")
    return found


def _exits_from_terminal(rows: Mapping[tuple[str, str], str], terminal: set[str]) -> list[str]:
    return [
        f"STATE-3: terminal state {source!r} has an exit on {event!r} to {target!r}"
        for (source, event), target in sorted(rows.items())
        if source in terminal
    ]


def _changed_rows(rows: Mapping[tuple[str, str], str]) -> list[str]:
    found: list[str] = []
    for (source, event), target in TRANSITIONS.items():
        now = rows.get((source.value, event.value))
        if now is None:
            found.append(f"STATE-5: Phase 4 transition {source.value!r} --{event.value}--> "
                         f"{target.value!r} was deleted")
        elif now != target.value:
            found.append(f"STATE-5: Phase 4 transition {source.value!r} --{event.value}--> "
                         f"{target.value!r} now leads to {now!r}")
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
