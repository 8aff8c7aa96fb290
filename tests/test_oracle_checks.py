"""spec's checking code (the oracle the suite and ``qts-assets check-extension`` use)
judged against independent, brute-force readings of the clauses, on generated graphs
as well as the fixtures: a weakened check (cycle detection off, a call-signature check
that passes everything, a breach filed under the wrong clause) fails here, in process.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from enum import StrEnum

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spec import (
    PHASE4,
    TERMINAL_STATES,
    TRANSITIONS,
    ExecutionIntent,
    ExecutionResponse,
    ExtensionError,
    OrderEvent,
    OrderState,
    Outcome,
    Side,
    StateMachine,
    declare_extension,
    phase4_events,
)
from spec.extension import Breach, extension_breaches, response_path, response_path_problem, termination_breaches
from spec.interface import call_problem, gate_interface_breaches, implementation_breaches, loop_interface_breaches, outcome_breaches

INTENT = ExecutionIntent("o-1", "QTS", Side.BUY, Decimal(1))
FAIL, FAILED = OrderEvent.FAIL.value, OrderState.FAILED.value


# --- generated extension graphs ----------------------------------------------------------

EXTRA_STATES = ("held", "routed_twice", "parked", "done_late")
Machine = StateMachine[StrEnum]
Events = Callable[[ExecutionIntent, ExecutionResponse], object]


def _enum(name: str, members: dict[str, str]) -> type[StrEnum]:
    """A StrEnum made at run time (the functional API), typed for the checkers."""
    factory: Callable[[str, dict[str, str]], type[StrEnum]] = StrEnum  # type: ignore[assignment]  # pyright: ignore[reportAssignmentType]
    return factory(name, members)
EXTRA_EVENTS = ("hold", "release", "park")


@st.composite
def graphs(draw: st.DrawFn) -> Machine:
    """A Phase 5 extension: Phase 4's states (some re-valued or dropped, now and then)
    plus up to four of its own; a random terminal set around Phase 4's; Phase 4's rows
    (some dropped or redirected) plus random rows, self-loops and cycles included."""
    extra = draw(st.lists(st.sampled_from(EXTRA_STATES), unique=True, max_size=4))
    kept = [s for s in OrderState if s is OrderState.CREATED or draw(st.integers(0, 15)) > 0]
    members = {s.name: s.value for s in kept} | {name.upper(): name for name in extra}
    states = _enum("Generated", members)
    events = _enum("GeneratedEvent", {e.upper(): e for e in EXTRA_EVENTS})
    all_events: list[StrEnum] = [*OrderEvent, *events]
    pool: list[StrEnum] = list(states)
    terminal = {states(s.value) for s in TERMINAL_STATES if s.value in members.values() and draw(st.integers(0, 9)) > 0}
    terminal |= set(draw(st.lists(st.sampled_from(pool), max_size=2)))
    table: dict[tuple[StrEnum, StrEnum], StrEnum] = {}
    for (source, event), target in TRANSITIONS.items():
        if source.value in members.values() and target.value in members.values() and draw(st.integers(0, 11)) > 0:
            table[states(source.value), event] = states(target.value)
    rows = st.tuples(st.sampled_from(pool), st.sampled_from(all_events), st.sampled_from(pool))
    for start, on, end in draw(st.lists(rows, max_size=10)):
        table[start, on] = end
    return StateMachine(states, states(OrderState.CREATED.value), frozenset(terminal), table)


def _exits(rows: Mapping[tuple[str, str], str]) -> dict[str, set[str]]:
    exits: dict[str, set[str]] = {}
    for (source, _event), target in rows.items():
        exits.setdefault(source, set()).add(target)
    return exits


def _unreachable(states: set[str], terminal: set[str], rows: Mapping[tuple[str, str], str]) -> set[str]:
    """Brute force: grow the set of states that reach a terminal state until it stops."""
    exits = _exits(rows)
    good = set(terminal)
    grew = True
    while grew:
        grew = False
        for state in states - good:
            if exits.get(state, set()) & good:
                good.add(state)
                grew = True
    return states - terminal - good


def _has_cycle(non_terminal: set[str], rows: Mapping[tuple[str, str], str]) -> bool:
    """Brute force: peel off non-terminal states with no non-terminal successor left;
    what cannot be peeled lies on or before a cycle."""
    exits = _exits(rows)
    left = set(non_terminal)
    while True:
        leaves = {s for s in left if not (exits.get(s, set()) & left)}
        if not leaves:
            return bool(left)
        left -= leaves


def _rows(machine: Machine) -> dict[tuple[str, str], str]:
    return {(s.value, e.value): t.value for (s, e), t in machine.table.items()}


@settings(max_examples=300, deadline=None)
@given(machine=graphs())
def test_extension_checks_agree_with_brute_force_on_any_graph(machine: Machine) -> None:
    """Property: on any extension graph the checks never crash, and their STATE-3,
    STATE-6 and STATE-7 findings are exactly what a brute-force reading of the table
    gives: every state that reaches no terminal state, a cycle exactly when the
    non-terminal states have one (and a real one), every exit from a terminal state,
    every non-terminal state without a FAIL row to FAILED."""
    breaches = extension_breaches(machine)
    assert all(isinstance(b, Breach) for b in breaches)
    by_clause: dict[str, list[str]] = {}
    for breach in breaches:
        by_clause.setdefault(breach.clause, []).append(breach.message)
    states = {s.value for s in machine.states}
    terminal = {s.value for s in machine.terminal}
    rows = _rows(machine)

    unreachable = {m.removeprefix("no terminal state is reachable from ").strip("'")
                   for m in by_clause.get("STATE-6", []) if m.startswith("no terminal")}
    assert unreachable == _unreachable(states, terminal, rows)
    cycles = [m for m in by_clause.get("STATE-6", []) if m.startswith("non-terminal states form a cycle")]
    assert bool(cycles) == _has_cycle(states - terminal, rows)
    for message in cycles:
        path = [p.strip("'") for p in message.split(": ", 1)[1].split(" -> ")]
        exits = _exits(rows)
        assert path[0] == path[-1] and len(path) >= 2
        assert all(b in exits.get(a, set()) and a not in terminal for a, b in zip(path, path[1:]))

    exits_from_terminal = {(s, e) for (s, e) in rows if s in terminal}
    assert len(by_clause.get("STATE-3", [])) == len(exits_from_terminal)
    unfailable = {s for s in states - terminal if rows.get((s, FAIL)) != FAILED}
    assert len(by_clause.get("STATE-7", [])) == len(unfailable)
    if not breaches:
        assert declare_extension(machine.states, terminal=machine.terminal, table=machine.table) == machine


@given(machine=graphs())
def test_declare_extension_refuses_exactly_what_the_checks_find(machine: Machine) -> None:
    """Property: declare_extension lists every breach (as text naming its clause) or
    builds the machine."""
    breaches = extension_breaches(machine)
    try:
        declare_extension(machine.states, terminal=machine.terminal, table=machine.table)
    except ExtensionError as error:
        assert error.breaches == tuple(map(str, breaches)) and breaches
    else:
        assert breaches == ()


def test_the_phase4_machine_has_no_breach() -> None:
    assert extension_breaches(PHASE4) == ()


@pytest.mark.parametrize(
    ("rows", "found"),
    [
        ({("a", "x"): "b", ("b", "x"): "a", ("b", "y"): "t"}, ["STATE-6: non-terminal states form a cycle: 'a' -> 'b' -> 'a'"]),
        ({("a", "x"): "a", ("a", "y"): "t", ("b", "y"): "t"}, ["STATE-6: non-terminal states form a cycle: 'a' -> 'a'"]),
        ({("a", "x"): "b"}, ["STATE-6: no terminal state is reachable from 'a'", "STATE-6: no terminal state is reachable from 'b'"]),
        ({("a", "x"): "b", ("b", "x"): "t", ("a", "y"): "t"}, []),
    ],
)
def test_termination_breaches_name_the_cycle_and_the_dead_ends(rows: dict[tuple[str, str], str], found: list[str]) -> None:
    assert [str(b) for b in termination_breaches({"a", "b", "t"}, {"t"}, rows)] == found


def test_each_state_guarantee_is_filed_under_its_clause() -> None:
    class Broken(StrEnum):
        CREATED = "created"
        SUBMITTED = "submitted"
        ACCEPTED = "accepted"
        REJECTED = "rejected"
        FAILED = "failed"
        PARKED = "parked"

    table: dict[tuple[Broken, StrEnum], Broken] = {
        (Broken.CREATED, OrderEvent.SUBMIT): Broken.SUBMITTED,
        (Broken.CREATED, OrderEvent.FAIL): Broken.FAILED,
        (Broken.SUBMITTED, OrderEvent.ACCEPT): Broken.REJECTED,
        (Broken.SUBMITTED, OrderEvent.REJECT): Broken.REJECTED,
        (Broken.SUBMITTED, OrderEvent.FAIL): Broken.FAILED,
        (Broken.ACCEPTED, OrderEvent.FAIL): Broken.FAILED,
        (Broken.PARKED, OrderEvent.SUBMIT): Broken.PARKED,
    }
    machine = StateMachine(Broken, Broken.CREATED, frozenset({Broken.ACCEPTED, Broken.REJECTED, Broken.CREATED}), table)
    clauses = sorted({b.clause for b in extension_breaches(machine)})
    assert clauses == ["STATE-1", "STATE-2", "STATE-3", "STATE-5", "STATE-6", "STATE-7"]
    messages = [str(b) for b in extension_breaches(machine)]
    assert "STATE-1: Phase 4 state BLOCKED ('blocked') was deleted" in messages
    assert "STATE-2: Phase 4 terminal state 'failed' is no longer terminal" in messages
    assert "STATE-2: Phase 4 state 'created' must not be terminal" in messages
    assert "STATE-3: terminal state 'accepted' has an exit on 'fail' to 'failed'" in messages
    assert "STATE-5: Phase 4 transition 'submitted' --accept--> 'accepted' now leads to 'rejected'" in messages
    assert "STATE-5: Phase 4 transition 'created' --block--> 'blocked' was deleted" in messages
    assert "STATE-7: non-terminal state 'parked' needs a 'fail' row to 'failed' (it has none)" in messages


def test_a_changed_value_and_a_moved_initial_state_are_breaches() -> None:
    members = {s.name: s.value for s in OrderState} | {"BLOCKED": "refused"}
    states = _enum("Revalued", members)
    table: dict[tuple[StrEnum, StrEnum], StrEnum] = {
        (states(s.value), e): states(t.value) for (s, e), t in TRANSITIONS.items() if t is not OrderState.BLOCKED
    }
    machine = StateMachine(states, states("submitted"), frozenset(states(s.value) for s in TERMINAL_STATES if s is not OrderState.BLOCKED), table)
    messages = [str(b) for b in extension_breaches(machine)]
    assert "STATE-1: Phase 4 state BLOCKED changed its value from 'blocked' to 'refused'" in messages
    assert "STATE-2: the initial state must stay 'created', not 'submitted'" in messages


# --- STATE-8: answers walked through the table -------------------------------------------


def _model(events: Events) -> StateMachine[OrderState]:
    return StateMachine(OrderState, OrderState.CREATED, TERMINAL_STATES, TRANSITIONS, events)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


def _raise(intent: ExecutionIntent, response: ExecutionResponse) -> object:
    raise RuntimeError("no idea")


def _always(events: object) -> Events:
    def answer(intent: ExecutionIntent, response: ExecutionResponse) -> object:
        return events

    return answer


@pytest.mark.parametrize(
    ("events", "found"),
    [
        (_always((OrderEvent.ACCEPT,)), ("accepted",)),
        (_always((OrderEvent.REJECT,)), ("rejected",)),
        (_always((OrderEvent.FAIL,)), ("failed",)),
        (_always((OrderEvent.ACCEPT, OrderEvent.FAIL)), "STATE-8: events ('accept', 'fail') go on after the terminal state 'accepted' (step 1)"),
        (_always((OrderEvent.SUBMIT,)), "STATE-8: events ('submit',) have no row from 'submitted' on 'submit'"),
        (_always(()), "STATE-8: events_for("),
        (_always([OrderEvent.ACCEPT]), "STATE-8: events_for("),
        (_raise, "STATE-8: events_for("),
    ],
)
def test_response_path_walks_the_answer_or_names_the_breach(
    events: Events, found: tuple[str, ...] | str
) -> None:
    response = ExecutionResponse("o-1", accepted=True)
    path = response_path(_model(events), INTENT, response)
    problem = response_path_problem(_model(events), INTENT, response)
    if isinstance(found, tuple):
        assert (path, problem) == (found, None)
    else:
        assert isinstance(path, Breach) and path == problem and str(path).startswith(found), path


def test_a_walk_that_ends_short_of_a_terminal_state_is_a_breach() -> None:
    class Open(StrEnum):
        CREATED = "created"
        SUBMITTED = "submitted"
        ACCEPTED = "accepted"
        REJECTED = "rejected"
        BLOCKED = "blocked"
        FAILED = "failed"
        PARTIAL = "partial"

    class Fill(StrEnum):
        PART = "part"

    table = {(Open(s.value), e): Open(t.value) for (s, e), t in TRANSITIONS.items()}
    table[Open.SUBMITTED, Fill.PART] = Open.PARTIAL
    machine = StateMachine(Open, Open.CREATED, frozenset(Open(s.value) for s in TERMINAL_STATES), table, _always((Fill.PART,)))  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    found = response_path(machine, INTENT, ExecutionResponse("o-1", accepted=True))
    assert isinstance(found, Breach) and found.clause == "STATE-8" and "end in 'partial', which is not terminal" in found.message
    plain = [b for b in extension_breaches(machine) if b.clause == "STATE-8"]
    assert len(plain) == 2, plain


def test_plain_responses_must_keep_their_phase4_events() -> None:
    def swap(intent: ExecutionIntent, response: ExecutionResponse) -> object:
        return (OrderEvent.REJECT,) if response.accepted else (OrderEvent.ACCEPT,)

    swapped = _model(swap)
    assert [str(b) for b in extension_breaches(swapped)] == [
        "STATE-8: a plain ExecutionResponse(accepted=True) must fire ('accept',), the model gives ('reject',)",
        "STATE-8: a plain ExecutionResponse(accepted=False) must fire ('reject',), the model gives ('accept',)",
    ]


def test_outcome_breaches_name_each_declared_answer_that_goes_wrong() -> None:
    def refuse(intent: ExecutionIntent) -> ExecutionResponse:
        raise ValueError("cannot")

    outcomes = [
        Outcome("fine", lambda intent: ExecutionResponse(intent.intent_id, accepted=True)),
        Outcome("raises", refuse),
        Outcome("other intent", lambda intent: ExecutionResponse("someone-else", accepted=True)),
        Outcome("not a response", lambda intent: "yes"),  # type: ignore[arg-type, return-value]  # pyright: ignore[reportArgumentType]
    ]
    def by_reason(intent: ExecutionIntent, response: ExecutionResponse) -> object:
        return (OrderEvent.ACCEPT,) if response.reason is None else (OrderEvent.SUBMIT,)

    model = _model(by_reason)
    outcomes.append(Outcome("no row", lambda intent: ExecutionResponse(intent.intent_id, accepted=True, reason="odd")))
    assert [str(b) for b in outcome_breaches(model, outcomes, INTENT)] == [
        "STATE-8: outcome 'raises' raised ValueError: cannot",
        "STATE-8: outcome 'other intent' answered ExecutionResponse(intent_id='someone-else', accepted=True, "
        "reason=None, venue_order_id=None), not a response for 'o-1'",
        "STATE-8: outcome 'not a response' answered 'yes', not a response for 'o-1'",
        "STATE-8: events ('submit',) have no row from 'submitted' on 'submit' (outcome 'no row')",
    ]
    assert outcome_breaches(PHASE4, outcomes[:1], INTENT) == ()


# --- RISK-7, LOOP-9: interfaces -----------------------------------------------------------


def test_call_problem_tells_whether_a_call_with_n_arguments_binds() -> None:
    def two(a: object, b: object, /) -> None: ...
    def many(*args: object) -> None: ...
    def keyword_only(*, a: object) -> None: ...

    assert call_problem(two, 2) is None
    assert call_problem(two, 1) == "(a: 'object', b: 'object', /) -> 'None' cannot be called with 1 positional argument(s)"
    assert call_problem(two, 3) is not None
    assert call_problem(many, 7) is None
    assert call_problem(keyword_only, 1) is not None
    assert call_problem(len, 1) is None  # a builtin's signature is read where it has one


class _Gate:
    def before_intent(self, intent: object, /) -> bool:
        return True

    def before_route(self, order: object, /) -> bool:
        return True

    def after_response(self, order: object, response: object, /) -> bool:
        return True


class _Undeclared:
    def before_intent(self, intent, /):  # type: ignore[no-untyped-def]  # pyright: ignore
        return True

    def before_route(self, order, /):  # type: ignore[no-untyped-def]  # pyright: ignore
        return True

    def after_response(self, order, response, /):  # type: ignore[no-untyped-def]  # pyright: ignore
        return True


def test_a_gate_with_the_phase4_shape_has_no_breach_as_instance_or_class() -> None:
    assert gate_interface_breaches(_Gate()) == ()
    assert gate_interface_breaches(_Gate) == ()
    assert gate_interface_breaches(_Undeclared()) == ()


def test_gate_interface_breaches_are_risk_7_and_name_the_hook() -> None:
    class Wrong:
        def before_intent(self, intent: object, context: object, /) -> bool:
            return True

        def after_response(self, order: object, /) -> int:
            return 1

    found = [str(b) for b in gate_interface_breaches(Wrong())]
    assert found == [
        "RISK-7: before_intent(intent: 'object', context: 'object', /) -> 'bool' cannot be called with 1 positional "
        "argument(s); Phase 4 calls it as before_intent(intent)",
        "RISK-7: the gate has no before_route() hook",
        "RISK-7: after_response(order: 'object', /) -> 'int' cannot be called with 2 positional argument(s); "
        "Phase 4 calls it as after_response(order, response)",
        "RISK-7: after_response() declares it returns <class 'int'>, not bool",
    ]
    assert [b.clause for b in gate_interface_breaches(Wrong)] == ["RISK-7"] * 4


@pytest.mark.parametrize(
    ("annotation", "breach"),
    [("bool", False), ("None", True), ("bool | None", True), ("int", True), ("Undefined", True), ("'bool'", False)],
)
def test_a_hook_that_declares_a_result_declares_bool(annotation: str, breach: bool) -> None:
    namespace: dict[str, object] = {}
    exec(  # noqa: S102 - builds a hook with this exact annotation text
        "class G:\n"
        f"    def before_intent(self, intent, /) -> {annotation}: return True\n"
        "    def before_route(self, order, /) -> bool: return True\n"
        "    def after_response(self, order, response, /) -> bool: return True\n",
        namespace,
    )
    found = gate_interface_breaches(namespace["G"]())  # type: ignore[operator]  # pyright: ignore[reportCallIssue, reportUnknownArgumentType]
    assert bool(found) == breach, found
    assert all(b.clause == "RISK-7" and "before_intent() declares it returns" in b.message for b in found)


def test_loop_interface_breaches_are_loop_9() -> None:
    class Loop:
        last_report = None

        def run(self, intents: object, /) -> None: ...

        def request_stop(self) -> None: ...

    class Wrong:
        def run(self, intents: object, venue: object, /) -> None: ...

    assert loop_interface_breaches(Loop()) == ()
    found = loop_interface_breaches(Wrong())
    assert [str(b) for b in found] == [
        "LOOP-9: run(intents: 'object', venue: 'object', /) -> 'None' cannot be called with 1 positional argument(s); "
        "Phase 4 callers use run(intents)",
        "LOOP-9: the loop has no request_stop() method",
        "LOOP-9: the loop has no last_report",
    ]


def test_a_breach_reads_as_its_clause_then_its_message() -> None:
    breach = Breach("STATE-6", "a cycle")
    assert (breach.clause, breach.message, str(breach)) == ("STATE-6", "a cycle", "STATE-6: a cycle")
    assert phase4_events(INTENT, ExecutionResponse("o-1", accepted=False)) == (OrderEvent.REJECT,)


def test_a_loop_lacking_everything_has_every_breach() -> None:
    assert [str(b) for b in loop_interface_breaches(object())] == [
        "LOOP-9: the loop has no run() method",
        "LOOP-9: the loop has no request_stop() method",
        "LOOP-9: the loop has no last_report",
    ]


class _Hook:
    """A hook that is a callable object: no ``__annotations__`` of its own."""

    def __init__(self, count: int) -> None:
        self.count = count

    def __call__(self, *arguments: object) -> bool:
        return True


def test_hooks_that_are_callable_objects_or_hide_their_hints_are_judged_without_crashing() -> None:
    class Objects:
        before_intent = _Hook(1)
        before_route = _Hook(1)
        after_response = _Hook(2)

    assert gate_interface_breaches(Objects()) == ()
    namespace: dict[str, object] = {}
    exec(  # noqa: S102 - a parameter annotation that does not resolve, a result that does
        "class G:\n"
        "    def before_intent(self, intent: Undefined, /) -> bool: return True\n"
        "    def before_route(self, order: Undefined, /) -> bool: return True\n"
        "    def after_response(self, order: Undefined, response, /) -> int: return True\n",
        namespace,
    )
    found = gate_interface_breaches(namespace["G"]())  # type: ignore[operator]  # pyright: ignore[reportCallIssue, reportUnknownArgumentType]
    assert [str(b) for b in found] == ["RISK-7: after_response() declares it returns 'int', not bool"]


def test_outcomes_are_made_and_read_for_the_intent_given() -> None:
    """A model whose answer depends on the intent (a sell expires) is read for the very
    intent the outcome was made for."""

    def by_side(intent: ExecutionIntent, response: ExecutionResponse) -> object:
        return (OrderEvent.ACCEPT,) if intent.side is Side.BUY else (OrderEvent.SUBMIT,)

    sell = ExecutionIntent("o-9", "QTS", Side.SELL, Decimal(2))
    outcomes = [Outcome("plain", lambda intent: ExecutionResponse(intent.intent_id, accepted=True))]
    assert outcome_breaches(_model(by_side), outcomes, INTENT) == ()
    assert [b.clause for b in outcome_breaches(_model(by_side), outcomes, sell)] == ["STATE-8"]


def test_implementation_breaches_run_every_check_on_a_binding() -> None:
    from broken_impls import CYCLE, GATE_INTERFACE_CHANGED, GOOD_EXTENSION, LOOP_INTERFACE_CHANGED

    from reference_impl.binding import QTS_IMPLEMENTATION

    assert implementation_breaches(QTS_IMPLEMENTATION) == ()
    assert implementation_breaches(GOOD_EXTENSION) == ()
    assert "STATE-6" in {b.clause for b in implementation_breaches(CYCLE)}
    assert {b.clause for b in implementation_breaches(GATE_INTERFACE_CHANGED)} == {"RISK-7"}
    assert {b.clause for b in implementation_breaches(LOOP_INTERFACE_CHANGED)} == {"LOOP-9"}


# --- unusual graphs and models: findings, never crashes ------------------------------------


def test_rows_naming_states_outside_the_enum_are_judged_not_crashed_on() -> None:
    found = [str(b) for b in termination_breaches({"a", "t"}, {"t"}, {("a", "x"): "zombie", ("ghost", "y"): "t"})]
    assert found == ["STATE-6: no terminal state is reachable from 'a'"]


class _StringTable:
    """A model whose table names states and events by plain strings (a STATE-4 breach)."""

    states = OrderState
    initial = OrderState.CREATED
    terminal = PHASE4.terminal

    def __init__(self, table: dict[tuple[object, object], object]) -> None:
        self.table = table

    def transition(self, state: OrderState, event: object) -> OrderState:
        raise NotImplementedError

    def events_for(self, intent: ExecutionIntent, response: ExecutionResponse) -> tuple[StrEnum, ...]:
        return phase4_events(intent, response)


@pytest.mark.parametrize(
    "row",
    [
        (("parked", OrderEvent.SUBMIT), OrderState.SUBMITTED),
        ((OrderState.CREATED, OrderEvent.SUBMIT), "submitted"),
        ((OrderState.CREATED, "hold"), OrderState.SUBMITTED),
    ],
    ids=["source", "target", "event"],
)
def test_a_row_naming_anything_but_enum_members_is_a_state_4_breach(row: tuple[tuple[object, object], object]) -> None:
    (source, event), target = row
    table: dict[tuple[object, object], object] = dict(TRANSITIONS.items())
    table[source, event] = target
    found = [b for b in extension_breaches(_StringTable(table)) if b.clause == "STATE-4"]  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    assert [b.message for b in found] == [
        f"table row ({source!r}, {event!r}) -> {target!r} names a state or event that is not an enum member "
        "(plain strings are not states; states are members of OrderState)"
    ]


def test_state_4_lists_at_most_ten_foreign_rows() -> None:
    table: dict[tuple[object, object], object] = {(f"s{n}", "e"): "t" for n in range(12)}
    assert len([b for b in extension_breaches(_StringTable(table)) if b.clause == "STATE-4"]) == 10  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


def test_a_fail_row_to_another_state_is_named() -> None:
    table = {**TRANSITIONS, (OrderState.SUBMITTED, OrderEvent.FAIL): OrderState.REJECTED}
    machine = StateMachine(OrderState, OrderState.CREATED, TERMINAL_STATES, table)
    assert "STATE-7: non-terminal state 'submitted' needs a 'fail' row to 'failed' (it has one to 'rejected')" in [
        str(b) for b in extension_breaches(machine)
    ]


class _Flaky:
    """A mapping that answers every other call and raises on the rest (STATE-8 wants a
    mapping that can be read; asking twice must not crash the check)."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, intent: ExecutionIntent, response: ExecutionResponse) -> tuple[StrEnum, ...]:
        self.calls += 1
        if self.calls % 2 == 0:
            raise RuntimeError("second thoughts")
        return phase4_events(intent, response)


def test_a_mapping_that_fails_when_asked_again_is_a_state_8_breach_for_each_answer() -> None:
    machine = StateMachine(OrderState, OrderState.CREATED, TERMINAL_STATES, TRANSITIONS, _Flaky())
    found = [b for b in extension_breaches(machine) if b.clause == "STATE-8"]
    assert [b.message[:30] for b in found] == ["events_for(ExecutionResponse(i"] * 2
    assert all(b.message.endswith("raised RuntimeError: second thoughts") for b in found)


def test_plain_responses_are_read_for_a_real_intent() -> None:
    """A mapping may read the intent (a Phase 5 model keyed on the side): the check
    hands it a real one."""

    def by_intent(intent: ExecutionIntent, response: ExecutionResponse) -> tuple[StrEnum, ...]:
        return phase4_events(intent, response) if intent.side in (Side.BUY, Side.SELL) else ()

    machine = StateMachine(OrderState, OrderState.CREATED, TERMINAL_STATES, TRANSITIONS, by_intent)
    assert extension_breaches(machine) == ()


def test_declare_extension_keeps_the_answer_events_it_is_given() -> None:
    def rejects_everything(intent: ExecutionIntent, response: ExecutionResponse) -> tuple[StrEnum, ...]:
        return (OrderEvent.REJECT,)

    try:
        declare_extension(OrderState, terminal=TERMINAL_STATES, table=TRANSITIONS, response_events=rejects_everything)
    except ExtensionError as error:
        assert error.breaches == (
            "STATE-8: a plain ExecutionResponse(accepted=True) must fire ('accept',), the model gives ('reject',)",
        )
    else:
        raise AssertionError("declare_extension dropped the answer events it was given")


def test_implementation_breaches_check_the_resting_lifecycle() -> None:
    import dataclasses

    from broken_impls import Mutant

    from spec import STANDARD_RESTING

    standard = STANDARD_RESTING.machine
    assert isinstance(standard, StateMachine)
    looping = dataclasses.replace(standard, terminal=standard.terminal | {standard.initial})
    lifecycle = dataclasses.replace(STANDARD_RESTING, machine=looping)

    class Resting:
        def __init__(self) -> None:
            self.lifecycle = lifecycle

        def make_book(self) -> object:
            raise NotImplementedError

    binding = Mutant("resting lifecycle broken", resting=Resting())  # type: ignore[arg-type]
    found = implementation_breaches(binding)
    assert found and {b.clause for b in found} == {"RESTING-4"}, found


def test_a_table_of_plain_strings_is_judged_by_its_values() -> None:
    """Plain strings are no states (STATE-4), but the other checks still read them by
    value, so they report what the values say, not noise."""
    table: dict[tuple[object, object], object] = {(s.value, e.value): t.value for (s, e), t in TRANSITIONS.items()}
    assert {b.clause for b in extension_breaches(_StringTable(table))} == {"STATE-4"}  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


@pytest.mark.parametrize("fields", [["o-1", "QTS", Side.BUY, Decimal(1)], ["o-1", "QTS", Side.BUY, Decimal(1), None, "extra"]], ids=["short", "long"])
def test_a_restored_intent_must_have_exactly_its_fields(fields: list[object]) -> None:
    intent = ExecutionIntent.__new__(ExecutionIntent)
    with pytest.raises(ValueError):
        intent.__setstate__(fields)
