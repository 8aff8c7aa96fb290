"""Finding and checking the implementation the suite runs against.

The target is ``package.module`` (its ``QTS_IMPLEMENTATION`` attribute) or
``package.module:attribute``. Anything wrong with it is one :class:`BindingError`
that says what to fix, never a traceback from deep inside the suite.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Sequence
from enum import StrEnum
from typing import cast

from spec.binding import BINDING_ATTRIBUTE, Implementation
from spec.interface import call_problem
from spec.outcomes import Outcome

DEFAULT_TARGET = "reference_impl.binding"
"""The reference implementation: the suite's one, narrow, by-name link to it."""

ENV_VAR = "QTS_IMPL"

_REQUIRED = {
    "name": "a str naming the implementation",
    "machine": "a spec.StateModel: states, initial, terminal, table, transition(), events_for()",
    "outcomes": "a sequence of spec.Outcome: the answers your route gives beyond plain accept/reject (() for none)",
    "resting": "a spec.RestingBinding (lifecycle, make_book()) for orders resting after acceptance, or None",
    "make_loop": "a method make_loop(route, gate, stop_policy) -> spec.ExecutionLoop",
    "make_noop_gate": "a method make_noop_gate() -> spec.RiskGate",
}
_MACHINE_PARTS = ("states", "initial", "terminal", "table", "transition", "events_for")


class BindingError(Exception):
    """The implementation could not be loaded, or is not shaped like spec.Implementation."""


def resolve_target(option: str | None) -> str:
    """The target named by ``--qts-impl``, else ``$QTS_IMPL``, else the reference."""
    return option or os.environ.get(ENV_VAR) or DEFAULT_TARGET


def load_implementation(target: str) -> Implementation[StrEnum]:
    module_name, _, attribute = target.partition(":")
    attribute = attribute or BINDING_ATTRIBUTE
    try:
        module = importlib.import_module(module_name)
    except Exception as error:
        raise BindingError(
            f"cannot import {module_name!r} named by --qts-impl={target}: "
            f"{type(error).__name__}: {error}. Is the package installed in this environment?"
        ) from error
    if not hasattr(module, attribute):
        raise BindingError(
            f"module {module_name!r} has no attribute {attribute!r}; expose your binding as "
            f"`{BINDING_ATTRIBUTE}: spec.Implementation[YourOrderState] = ...` "
            f"or name it with --qts-impl={module_name}:your_attribute"
        )
    candidate: object = getattr(module, attribute)
    problems = _shape_problems(candidate)
    if problems:
        raise BindingError(
            f"{target} is not a spec.Implementation:\n" + "\n".join(f"  - {p}" for p in problems)
        )
    # The shape was checked above; the static promise is the implementer's annotation.
    return cast(Implementation[StrEnum], candidate)


def _shape_problems(candidate: object) -> list[str]:
    problems = [
        f"missing {name!r}: expected {what}"
        for name, what in _REQUIRED.items()
        if not hasattr(candidate, name)
    ]
    if problems:
        return problems
    if not isinstance(getattr(candidate, "name"), str):
        problems.append("'name' must be a str")
    for method in ("make_loop", "make_noop_gate"):
        if not callable(getattr(candidate, method)):
            problems.append(f"{method!r} must be callable")
    make_loop = getattr(candidate, "make_loop")
    if callable(make_loop) and call_problem(make_loop, 3) is not None:
        problems.append("'make_loop' must accept (route, gate, stop_policy) positionally")
    outcomes: object = getattr(candidate, "outcomes")
    if isinstance(outcomes, (str, bytes)) or not isinstance(outcomes, Sequence):
        problems.append(f"'outcomes' must be a sequence of spec.Outcome, got {type(outcomes).__name__}")
    else:
        declared: Sequence[object] = cast("Sequence[object]", outcomes)
        strangers = [repr(o) for o in declared if not isinstance(o, Outcome)]
        if strangers:
            problems.append(f"'outcomes' holds things that are not spec.Outcome: {', '.join(strangers)[:200]}")
    resting: object = getattr(candidate, "resting")
    if resting is not None and not (hasattr(resting, "lifecycle") and callable(getattr(resting, "make_book", None))):
        problems.append("'resting' must be None or a spec.RestingBinding: a 'lifecycle' and a make_book() method")
    machine: object = getattr(candidate, "machine")
    missing = [part for part in _MACHINE_PARTS if not hasattr(machine, part)]
    if missing:
        problems.append(f"'machine' lacks {', '.join(missing)} (see spec.StateModel)")
    else:
        states: object = getattr(machine, "states")
        if not (isinstance(states, type) and issubclass(states, StrEnum)):
            problems.append(f"'machine.states' must be a StrEnum class, got {states!r}")
    return problems

