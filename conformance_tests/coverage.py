"""What the binding declared, and how much of it the generated runs exercised.

A green verdict should mean every declared path was driven at least once. This module
works out which table rows any declared answer or the loop's own events can reach
(STATE-9: a row nothing reaches is dead specification) and counts, over generated
runs, how many reached each declared state, outcome and row, as typed data the
renderers print.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Generic

from spec.order_state import OrderEvent
from spec.outcomes import Outcome
from spec.state_machine import S, StateModel
from spec.values import ExecutionIntent, ExecutionResponse, Side

Row = tuple[str, str, str]
"""A table row by values: ``(from state, event, to state)``."""

_PROBES = tuple(
    ExecutionIntent("coverage-probe", symbol, side, quantity, price)
    for symbol, side, quantity, price in (
        ("QTS", Side.BUY, Decimal(1), None),
        ("QTS", Side.SELL, Decimal("2.5"), Decimal("101.25")),
        ("AAPL", Side.BUY, Decimal(10**6), Decimal("0.01")),
    )
)
"""Intents the declared outcomes are asked to answer: an outcome's answer may depend on
the intent (a partial fill of half its quantity)."""


def live_rows(machine: StateModel[S], outcomes: Sequence[Outcome]) -> set[Row]:
    """The rows the loop can take: SUBMIT, BLOCK and FAIL from the initial state, FAIL
    from SUBMITTED, the walks of every answer's events from SUBMITTED (a plain
    acceptance, a plain rejection, each declared outcome for a few intents), and FAIL
    from every state those walks pass (STATE-7 requires it, LOOP-5 may take it)."""
    table = machine.table
    initial = machine.initial
    live: set[Row] = set()
    reached = {initial}

    def take(state: S, event: StrEnum) -> S | None:
        target = table.get((state, event))
        if target is not None:
            live.add((state.value, event.value, target.value))
            reached.add(target)
        return target

    for own in (OrderEvent.SUBMIT, OrderEvent.BLOCK, OrderEvent.FAIL):
        take(initial, own)
    submitted = table.get((initial, OrderEvent.SUBMIT))
    if submitted is None:
        return live
    for intent in _PROBES:
        for answer in _answers(intent, outcomes):
            try:
                events = tuple(machine.events_for(intent, answer))
            except Exception:  # an answer the model cannot read reaches nothing (LOOP-10)
                continue
            state: S | None = submitted
            for event in events:
                if state is None or state in machine.terminal:
                    break
                state = take(state, event)
    for state in list(reached):
        if state not in machine.terminal:
            take(state, OrderEvent.FAIL)
    return live


def fail_exits(machine: StateModel[S], live: set[Row]) -> set[Row]:
    """The live FAIL rows from states an answer's walk passes: STATE-7 requires them so
    that an order can be failed wherever an interrupt finds it, but the loop computes an
    answer's walk whole, so no run takes them; the state-model tests check them on the
    table instead."""
    submitted = machine.table.get((machine.initial, OrderEvent.SUBMIT))
    early = {machine.initial.value, submitted.value if submitted is not None else ""}
    return {row for row in live if row[1] == OrderEvent.FAIL.value and row[0] not in early}


def _answers(intent: ExecutionIntent, outcomes: Sequence[Outcome]) -> Iterable[ExecutionResponse]:
    yield ExecutionResponse(intent.intent_id, accepted=True)
    yield ExecutionResponse(intent.intent_id, accepted=False)
    for outcome in outcomes:
        try:
            yield outcome.respond(intent)
        except Exception:  # STATE-8 reports an outcome that cannot answer
            continue


def table_rows(machine: StateModel[S]) -> list[Row]:
    return [(state.value, event.value, target.value) for (state, event), target in machine.table.items()]


def dead_rows(machine: StateModel[S], outcomes: Sequence[Outcome]) -> list[Row]:
    """The table's rows that no declared answer and no event of the loop can reach (STATE-9)."""
    live = live_rows(machine, outcomes)
    return [row for row in table_rows(machine) if row not in live]


@dataclass(frozen=True)
class Reached:
    """One declared thing and how many generated runs reached it."""

    kind: str
    """``state``, ``outcome`` or ``row``."""
    name: str
    runs: int
    reachable: bool = True
    """Whether anything declared can reach it at all (a dead row cannot, STATE-9)."""
    by_runs: bool = True
    """Whether a run can reach it (a fail exit of STATE-7 is checked on the table)."""
    row: Row | None = None
    """The row itself, for a ``row``."""


@dataclass(frozen=True)
class DeclaredCoverage:
    """How many of the generated runs reached each declared state, outcome and row."""

    runs: int
    items: tuple[Reached, ...]
    initial: str = ""
    terminal: tuple[str, ...] = ()

    def unexercised(self) -> list[Reached]:
        """What could be reached but no generated run reached."""
        return [item for item in self.items if item.reachable and item.by_runs and item.runs == 0]

    def share(self, kind: str) -> tuple[int, int]:
        """``(exercised, declared)`` of one kind, of what runs can reach."""
        of_kind = [item for item in self.items if item.kind == kind and item.by_runs]
        return sum(item.runs > 0 for item in of_kind), len(of_kind)

    def as_json(self) -> dict[str, object]:
        return {
            "runs": self.runs,
            "items": [
                {"kind": i.kind, "name": i.name, "runs": i.runs, "reachable": i.reachable, "by_runs": i.by_runs}
                for i in self.items
            ],
        }


class CoverageCounter(Generic[S]):
    """Counts, run by run, what of the declaration each run reached."""

    def __init__(self, machine: StateModel[S], outcomes: Sequence[Outcome]) -> None:
        self._machine = machine
        self._outcomes = tuple(outcomes)
        self._rows: dict[tuple[str, str], list[Row]] = {}
        for row in table_rows(machine):
            self._rows.setdefault((row[0], row[2]), []).append(row)
        self._counts: Counter[tuple[str, str]] = Counter()
        self.runs = 0

    def count(self, histories: Iterable[Sequence[str]], outcomes: Iterable[int]) -> None:
        """One run: the state histories of its orders, and the indices of the declared
        outcomes its route gave to intents it routed."""
        reached: set[tuple[str, str]] = set()
        for history in histories:
            reached.update(("state", state) for state in history)
            for pair in zip(history, history[1:]):
                reached.update(("row", _row_name(row)) for row in self._rows.get(pair, ()))
        if self._outcomes:
            reached.update(("outcome", self._outcomes[index % len(self._outcomes)].name) for index in outcomes)
        self._counts.update(reached)
        self.runs += 1

    def coverage(self) -> DeclaredCoverage:
        live = live_rows(self._machine, self._outcomes)
        targets = {row[2] for row in live} | {self._machine.initial.value}
        items = [Reached("state", state.value, self._counts[("state", state.value)], state.value in targets)
                 for state in self._machine.states]
        items += [Reached("outcome", o.name, self._counts[("outcome", o.name)]) for o in self._outcomes]
        exits = fail_exits(self._machine, live)
        items += [Reached("row", _row_name(row), self._counts[("row", _row_name(row))], row in live, row not in exits, row)
                  for row in table_rows(self._machine)]
        terminal = tuple(state.value for state in self._machine.states if state in self._machine.terminal)
        return DeclaredCoverage(self.runs, tuple(items), self._machine.initial.value, terminal)


def _row_name(row: Row) -> str:
    return f"{row[0]} --{row[1]}--> {row[2]}"


def render_coverage(coverage: DeclaredCoverage) -> list[str]:
    """The coverage as lines for the verdict table."""
    lines = [f"declared coverage over {coverage.runs} generated runs:"]
    for kind in ("state", "outcome", "row"):
        exercised, declared = coverage.share(kind)
        if declared:
            lines.append(f"  {kind}s: {exercised}/{declared} exercised ({100 * exercised // declared}%)")
    exits = [item.name for item in coverage.items if not item.by_runs]
    if exits:
        lines.append(f"  fail exits checked on the table, no run takes them (STATE-7): {', '.join(exits)}")
    lines += [f"  never reached: {item.kind} {item.name}" for item in coverage.unexercised()]
    lines += [f"  dead (nothing declared reaches it, STATE-9): {item.name}" for item in coverage.items if not item.reachable]
    return lines
