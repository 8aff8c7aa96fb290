"""Finding and checking the implementation the suite runs against.

The target is ``package.module`` (its ``QTS_IMPLEMENTATION`` attribute) or
``package.module:attribute``. Anything wrong with it is one :class:`BindingError`
that says what to fix, never a traceback from deep inside the suite.
"""

from __future__ import annotations

import importlib
import os
import traceback
from collections.abc import Sequence
from enum import StrEnum
from typing import cast

from conformance_tests.kit_spec import ensure_kit_spec

ensure_kit_spec()  # before spec is imported: a team's own `spec` package is named in one sentence

from spec.binding import BINDING_ATTRIBUTE, Implementation  # noqa: E402
from spec.interface import call_problem  # noqa: E402
from spec.outcomes import Outcome  # noqa: E402
from spec.records import StopReason  # noqa: E402
from spec.route import ExecutionRoute  # noqa: E402
from spec.state_machine import PHASE4  # noqa: E402
from spec.values import ExecutionIntent, ExecutionResponse  # noqa: E402

DEFAULT_TARGET = "reference_impl.binding"
"""The reference implementation: the suite's one, narrow, by-name link to it."""

REFERENCE = "reference"
"""The name that asks for the kit's own reference implementation (``--impl reference``)."""

ENV_VAR = "QTS_IMPL"

NO_TARGET = (
    "no implementation named: pass --impl MODULE[:ATTR] (the module exposing your QTS_IMPLEMENTATION binding), "
    f"set ${ENV_VAR}, or set implementation in [tool.qts] of ./pyproject.toml; `--impl {REFERENCE}` checks the "
    "kit's own reference implementation"
)

_REQUIRED = {
    "name": "a str naming the implementation",
    "machine": "a spec.StateModel: states, initial, terminal, table, transition(), events_for()",
    "outcomes": "a sequence of spec.Outcome: the answers your route gives beyond plain accept/reject (() for none)",
    "resting": "a spec.RestingBinding (lifecycle, make_book()) for orders resting after acceptance, or None",
    "make_loop": "a method make_loop(route, gate, stop_policy) -> spec.ExecutionLoop",
    "make_noop_gate": "a method make_noop_gate() -> spec.RiskGate",
    "make_stop_policy": "a method make_stop_policy(max_executions, max_consecutive_failures) -> spec.StopPolicy",
}
_MACHINE_PARTS = ("states", "initial", "terminal", "table", "transition", "events_for")


class BindingError(Exception):
    """The implementation could not be loaded, or is not shaped like spec.Implementation."""


class TargetError(BindingError):
    """No implementation was named, or the name is empty: a mistake on the command line
    or in CI, never a request for the reference implementation."""


def resolve_target(option: str | None) -> str:
    """The target named by ``--impl`` / ``--qts-impl``, else ``$QTS_IMPL``; ``reference``
    names the kit's reference implementation.

    There is no default: a run that names nothing (a CI variable not exported into the
    step, say) is refused, never quietly run on the reference instead.
    """
    if option is not None:
        source, target = "--impl", option
    elif ENV_VAR in os.environ:
        source, target = f"${ENV_VAR}", os.environ[ENV_VAR]
    else:
        raise TargetError(NO_TARGET)
    if not target.strip():
        raise TargetError(f"{source} is empty; {NO_TARGET}")
    return DEFAULT_TARGET if target.strip() == REFERENCE else target.strip()


REFERENCE_NOTICE = (
    "NOTE: the implementation under test is the kit's own reference implementation (its loop, gate and state "
    "machine are the kit's), not a team's: this verdict says nothing about your code."
)


class _NoRoute:
    def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
        raise RuntimeError("not routed: the binding is only inspected")


class _NeverStop:
    def should_stop(self, run: object, /) -> StopReason | None:
        return None


_KIT_FRAMES = frozenset({__file__, importlib.__file__})


def _import_traceback(error: BaseException) -> str:
    """The failed import's traceback as Python prints it, without importlib's frames and
    this module's: what is left is the team's code."""
    shown = traceback.TracebackException.from_exception(error)
    shown.stack = traceback.StackSummary.from_list(
        [frame for frame in shown.stack if not frame.filename.startswith("<frozen ") and frame.filename not in _KIT_FRAMES])
    return "".join(shown.format()).rstrip("\n")


def is_kit_reference(implementation: Implementation[StrEnum]) -> bool:
    """Whether the binding's loop, gate and state machine are the kit's own reference
    objects (a placeholder binding that re-exports the reference, say), so that its
    verdict is reported as the reference's and cannot pass for a team's implementation.
    A binding that cannot even be inspected is not the reference (its tests say why)."""
    route: ExecutionRoute = _NoRoute()
    try:
        loop = implementation.make_loop(route, implementation.make_noop_gate(), _NeverStop())
        gate = implementation.make_noop_gate()
        machine: object = implementation.machine
    except Exception:
        return False
    return machine is PHASE4 and all(type(part).__module__.startswith("reference_impl.") for part in (loop, gate))


def load_implementation(target: str, option: str = "--qts-impl") -> Implementation[StrEnum]:
    """The binding ``target`` names; ``option`` is how the user named it (the CLI's
    ``--impl``, the plugin's ``--qts-impl``), for the messages."""
    module_name, _, attribute = target.partition(":")
    attribute = attribute or BINDING_ATTRIBUTE
    try:
        module = importlib.import_module(module_name)
    except Exception as error:
        if isinstance(error, ModuleNotFoundError) and error.name is not None and module_name.startswith(error.name):
            raise BindingError(
                f"cannot import {module_name!r} named by {option}={target}: {type(error).__name__}: {error}. "
                "Is the package installed in this environment (or its source root on PYTHONPATH)?"
            ) from error
        raise BindingError(
            f"importing {module_name!r} named by {option}={target} raised {type(error).__name__}: {error}; "
            f"your code's traceback:\n{_import_traceback(error)}"
        ) from error
    if not hasattr(module, attribute):
        raise BindingError(
            f"module {module_name!r} has no attribute {attribute!r}; expose your binding as "
            f"`{BINDING_ATTRIBUTE}: spec.Implementation[YourOrderState] = ...` "
            f"or name it with {option}={module_name}:your_attribute"
        )
    candidate: object = getattr(module, attribute)
    try:
        problems = _shape_problems(candidate)
    except _Unreadable as error:
        raise BindingError(f"{target}: {error}") from None
    if problems:
        raise BindingError(
            f"{target} is not a spec.Implementation:\n" + "\n".join(f"  - {p}" for p in problems)
        )
    # The shape was checked above; the static promise is the implementer's annotation.
    return cast(Implementation[StrEnum], candidate)


class _Unreadable(Exception):
    """Reading a part of the binding raised: one sentence naming the part."""


_MISSING = object()


def _read(owner: object, name: str, where: str) -> object:
    """``owner.name``, or _MISSING; any other exception (a property that raises) is the
    binding's fault, reported as one sentence."""
    try:
        return getattr(owner, name, _MISSING)
    except Exception as error:
        raise _Unreadable(
            f"reading {where}{name!r} raised {type(error).__name__}: {error}; "
            "the binding's attributes must be readable without error"
        ) from None


def _shape_problems(candidate: object) -> list[str]:
    parts = {name: _read(candidate, name, "") for name in _REQUIRED}
    problems = [
        f"missing {name!r}: expected {what}"
        for name, what in _REQUIRED.items()
        if parts[name] is _MISSING
    ]
    if problems:
        return problems
    if not isinstance(parts["name"], str):
        problems.append("'name' must be a str")
    for method, arguments, how in (
        ("make_loop", 3, "must accept (route, gate, stop_policy) positionally"),
        ("make_noop_gate", 0, "must be callable with no arguments"),
        ("make_stop_policy", 2, "must accept (max_executions, max_consecutive_failures) positionally"),
    ):
        function = parts[method]
        if not callable(function):
            problems.append(f"{method!r} must be callable")
        elif call_problem(function, arguments) is not None:
            problems.append(f"{method!r} {how}")
    outcomes = parts["outcomes"]
    if isinstance(outcomes, (str, bytes)) or not isinstance(outcomes, Sequence):
        problems.append(f"'outcomes' must be a sequence of spec.Outcome, got {type(outcomes).__name__}")
    else:
        declared: Sequence[object] = cast("Sequence[object]", outcomes)
        strangers = [repr(o) for o in declared if not isinstance(o, Outcome)]
        if strangers:
            problems.append(f"'outcomes' holds things that are not spec.Outcome: {', '.join(strangers)[:200]}")
    problems.extend(_optional_problems(candidate))
    resting = parts["resting"]
    if resting is not None and not (hasattr(resting, "lifecycle") and callable(getattr(resting, "make_book", None))):
        problems.append("'resting' must be None or a spec.RestingBinding: a 'lifecycle' and a make_book() method")
    machine = parts["machine"]
    machine_parts = {part: _read(machine, part, "machine.") for part in _MACHINE_PARTS}
    missing = [part for part, value in machine_parts.items() if value is _MISSING]
    if missing:
        problems.append(f"'machine' lacks {', '.join(missing)} (see spec.StateModel)")
    else:
        states = machine_parts["states"]
        if not (isinstance(states, type) and issubclass(states, StrEnum)):
            problems.append(f"'machine.states' must be a StrEnum class, got {states!r}")
    return problems



def _optional_problems(candidate: object) -> list[str]:
    """The optional parts (spec.binding.DeclaresVenueErrors, HasProductionGate), when present."""
    problems: list[str] = []
    errors = _read(candidate, "venue_errors", "")
    if errors is not _MISSING and not _exception_types(errors):
        problems.append(
            "'venue_errors' must be a sequence of Exception subclasses (the exceptions your venue "
            f"client raises, each constructible from one message), got {errors!r:.200}"
        )
    gate = _read(candidate, "make_production_gate", "")
    if gate is not _MISSING and (not callable(gate) or call_problem(gate, 0) is not None):
        problems.append("'make_production_gate' must be a method callable with no arguments -> spec.RiskGate")
    return problems


def _exception_types(value: object) -> bool:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        return False
    kinds: Sequence[object] = cast("Sequence[object]", value)
    return all(isinstance(kind, type) and issubclass(kind, Exception) for kind in kinds)


def venue_errors(implementation: object) -> tuple[type[Exception], ...]:
    """The exception types the binding declared its venue raises (none if it declared none)."""
    return tuple(getattr(implementation, "venue_errors", ()))
