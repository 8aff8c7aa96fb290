"""Whether a Phase 5 implementation still presents the Phase 4 interfaces (seed 5:
"the Risk Gate may add calculation logic, but keeps its interface"; "the Execution Loop
is used as it is").

Checks are structural and run-time: a hook must accept exactly the arguments the loop
passes and declare ``bool`` if it declares a result, and a loop must offer ``run``,
``request_stop`` and ``last_report``. Each breach names its clause.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Iterable
from decimal import Decimal

from spec.binding import Implementation
from spec.extension import Breach, extension_breaches, response_path_problem
from spec.outcomes import Outcome
from spec.loop import RunContext
from spec.records import StopKind, StopReason
from spec.resting import answer_breach, resting_breaches
from spec.state_machine import S, StateModel
from spec.values import ExecutionIntent, ExecutionResponse, Side

_PROBE = ExecutionIntent("check-extension-probe", "PROBE", Side.BUY, Decimal(3))

GATE_HOOKS = {"before_intent": ("intent",), "before_route": ("order",), "after_response": ("order", "response")}
"""Each hook and the arguments the loop passes it, positionally."""

LOOP_METHODS = {"run": ("intents",), "request_stop": ()}


def gate_interface_breaches(gate: object) -> tuple[Breach, ...]:
    """RISK-7: ``gate`` (an instance or a class) has the three hooks, each callable with
    exactly the loop's arguments, and each declares ``bool`` if it declares a result."""
    found: list[Breach] = []
    for name, arguments in GATE_HOOKS.items():
        hook: object = getattr(gate, name, None)
        if not callable(hook):
            found.append(Breach("RISK-7", f"the gate has no {name}() hook"))
            continue
        unbound = 1 if isinstance(gate, type) else 0
        problem = call_problem(hook, unbound + len(arguments))
        if problem:
            found.append(Breach("RISK-7", f"{name}{problem}; Phase 4 calls it as {name}({', '.join(arguments)})"))
        result = _declared_result(hook)
        if result is not None and result is not bool:
            found.append(Breach("RISK-7", f"{name}() declares it returns {result!r}, not bool"))
    return tuple(found)


def loop_interface_breaches(loop: object) -> tuple[Breach, ...]:
    """LOOP-9: ``loop`` offers ``run(intents)``, ``request_stop()`` and ``last_report``."""
    found: list[Breach] = []
    for name, arguments in LOOP_METHODS.items():
        method: object = getattr(loop, name, None)
        if not callable(method):
            found.append(Breach("LOOP-9", f"the loop has no {name}() method"))
            continue
        problem = call_problem(method, len(arguments))
        if problem:
            found.append(Breach("LOOP-9", f"{name}{problem}; Phase 4 callers use {name}({', '.join(arguments)})"))
    if not hasattr(loop, "last_report"):
        found.append(Breach("LOOP-9", "the loop has no last_report"))
    return tuple(found)


def implementation_breaches(implementation: Implementation[S]) -> tuple[Breach, ...]:
    """Every way a bound implementation breaks Phase 4: its states and table
    (:func:`spec.extension.extension_breaches`), the paths of its declared outcomes
    (STATE-8, RESTING-7), its resting lifecycle (RESTING-4), its no-op gate and its loop."""
    gate = implementation.make_noop_gate()
    loop = implementation.make_loop(_NeverCalledRoute(), gate, _StopAtOnce())
    resting = implementation.resting
    return (
        *extension_breaches(implementation.machine),
        *outcome_breaches(implementation.machine, implementation.outcomes, _PROBE),
        *(resting_breaches(resting.lifecycle) if resting is not None else ()),
        *gate_interface_breaches(gate),
        *loop_interface_breaches(loop),
    )


def outcome_breaches(model: StateModel[S], outcomes: Iterable[Outcome], intent: ExecutionIntent) -> tuple[Breach, ...]:
    """STATE-8: each declared outcome, made for ``intent``, answers with a response for
    that intent whose events walk ``model``'s table from SUBMITTED to a terminal state;
    RESTING-7: and fills no more of it than it ordered."""
    found: list[Breach] = []
    for outcome in outcomes:
        try:
            response: object = outcome.respond(intent)
        except Exception as error:  # noqa: BLE001 - a declaration that cannot answer is the finding
            found.append(Breach("STATE-8", f"outcome {outcome.name!r} raised {type(error).__name__}: {error}"))
            continue
        if not isinstance(response, ExecutionResponse) or response.intent_id != intent.intent_id:  # pyright: ignore[reportUnnecessaryIsInstance]
            found.append(Breach("STATE-8", f"outcome {outcome.name!r} answered {response!r:.120}, "
                                           f"not a response for {intent.intent_id!r}"))
            continue
        problem = response_path_problem(model, intent, response)
        if problem is not None:
            found.append(Breach("STATE-8", f"{problem.message} (outcome {outcome.name!r})"))
        overfill = answer_breach(intent, response)
        if overfill is not None:
            found.append(Breach("RESTING-7", f"{overfill.message} (outcome {outcome.name!r})"))
    return tuple(found)


def call_problem(function: Callable[..., object], count: int) -> str | None:
    """Why ``function`` cannot be called with ``count`` positional arguments, or None
    (also None when it has no signature to inspect: nothing to compare)."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return None  # a builtin without a signature: nothing to compare
    try:
        signature.bind(*range(count))
    except TypeError:
        return f"{signature} cannot be called with {count} positional argument(s)"
    return None


def _declared_result(function: Callable[..., object]) -> object:
    try:
        return typing.get_type_hints(function).get("return")
    except Exception:  # noqa: BLE001 - unresolved forward references: judge by the text
        text = getattr(function, "__annotations__", {}).get("return")
        return None if text in (None, "bool") else text


class _NeverCalledRoute:
    def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
        raise AssertionError("interface checks never run the loop")


class _StopAtOnce:
    def should_stop(self, run: RunContext, /) -> StopReason | None:
        return StopReason(StopKind.POLICY, "interface check")
