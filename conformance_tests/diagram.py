"""A state machine drawn from its own table, as Mermaid (``stateDiagram-v2``), which
GitHub and the docs site render: a team's states, rows and terminal states read faster
drawn than listed. With a run's declared coverage, each row says how many generated runs
took it, and the rows no run took or nothing reaches (STATE-9) say so; with the run's
failures, their paths are marked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from spec.state_machine import S, StateModel

from conformance_tests.coverage import DeclaredCoverage, Row
from conformance_tests.violation import Cause

FAILING_STYLE = "fill:#fdd,stroke:#c00,stroke-width:2px"
"""How a state where a failing order went instead of its due path is drawn."""

_UNSAFE = str.maketrans({":": " ", ";": " ", "\n": " ", '"': "'", "#": " ", "{": "(", "}": ")"})


def _text(label: str) -> str:
    """A label Mermaid reads as text (no statement separators, no quotes)."""
    return label.translate(_UNSAFE).strip()


def state_diagram(
    states: Sequence[str], initial: str, terminal: Iterable[str], rows: Iterable[Row],
    labels: Mapping[Row, str] | None = None, marked: Iterable[str] = (),
) -> str:
    """The diagram of ``states`` and ``rows`` (from, event, to): ``[*]`` enters the
    initial state and leaves every terminal one; ``labels`` says more of a row;
    ``marked`` states are drawn as failing (where a failing order went wrong)."""
    ids = {state: f"s{n}" for n, state in enumerate(states)}
    lines = ["stateDiagram-v2", "    direction LR"]
    lines += [f'    state "{_text(state)}" as {ids[state]}' for state in states]
    lines.append(f"    [*] --> {ids[initial]}")
    for row in rows:
        source, event, target = row
        more = (labels or {}).get(row)
        lines.append(f"    {ids[source]} --> {ids[target]} : {_text(event)}" + (f" ({_text(more)})" if more else ""))
    lines += [f"    {ids[state]} --> [*]" for state in states if state in set(terminal)]
    failing = [ids[state] for state in dict.fromkeys(marked) if state in ids]
    if failing:
        lines += [f"    classDef failing {FAILING_STYLE}", f"    class {','.join(failing)} failing"]
    return "\n".join(lines)


def machine_diagram(machine: StateModel[S]) -> str:
    """The implementation's order states as its table declares them."""
    rows = [(source.value, event.value, target.value) for (source, event), target in machine.table.items()]
    return state_diagram([s.value for s in machine.states], machine.initial.value,
                         [s.value for s in machine.terminal], rows)


def coverage_diagram(coverage: DeclaredCoverage, failures: Iterable[Cause] = ()) -> str:
    """The declared machine with each row marked by how often the run exercised it, and
    the failing paths: each row a failing order was due to take and did not is marked
    with the clause, and the states where such an order went instead are drawn failing."""
    due: dict[tuple[str, str], list[str]] = {}
    marked: list[str] = []
    for cause in failures:
        taken = set(zip(cause.taken_path, cause.taken_path[1:]))
        for step in zip(cause.due_path, cause.due_path[1:]):
            if step not in taken:
                due.setdefault(step, []).append(cause.clause)
        marked += [state for state in cause.taken_path[-1:] if cause.due_path[-1:] != (state,)]
    labels: dict[Row, str] = {}
    rows: list[Row] = []
    for item in coverage.items:
        if item.row is None:
            continue
        rows.append(item.row)
        if not item.reachable:
            labels[item.row] = "DEAD, nothing declared reaches it"
        elif not item.by_runs:
            labels[item.row] = "checked on the table"
        else:
            labels[item.row] = f"{item.runs} run{'' if item.runs == 1 else 's'}" if item.runs else "NEVER EXERCISED"
        clauses = due.get((item.row[0], item.row[2]))
        if clauses:
            labels[item.row] += f", FAILING, due and not taken ({', '.join(dict.fromkeys(clauses))})"
    states = [item.name for item in coverage.items if item.kind == "state"]
    return state_diagram(states, coverage.initial, coverage.terminal, rows, labels, marked)
