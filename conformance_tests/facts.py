"""Small predicates the property tests share; each failure message names its clause."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from spec.state_machine import StateModel


def table_walk_problem(machine: StateModel[StrEnum], history: Sequence[StrEnum]) -> str | None:
    """Why ``history`` is not a walk through the table from the initial state, or None."""
    if not history:
        return "the history is empty"
    if history[0] != machine.initial:
        return f"the history starts at {history[0].value!r}, not at {machine.initial.value!r}"
    steps = {(source, target) for (source, _event), target in machine.table.items()}
    for source, target in zip(history, history[1:]):
        if (source, target) not in steps:
            return f"{source.value!r} -> {target.value!r} is not a row of the transition table"
    return None
