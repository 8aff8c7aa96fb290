"""The suite's own route, gate, source and stop policy: scripted, and recording every
call in one shared :class:`CallLog` so that order and multiplicity can be checked.

None of them touches the network; the route below is the only route the suite uses
(ROUTE-1).
"""

from __future__ import annotations

import copy
import dataclasses
import decimal
import functools
import importlib
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar, cast

from spec.loop import ExecutionLoop, RunContext, StopPolicy
from spec.outcomes import Outcome
from spec.records import OrderView, StopKind, StopReason
from spec.values import ExecutionIntent, ExecutionResponse

from conformance_tests.scenario import ACCEPTS, MODEL_READ, GateAct, Policy, RouteAct, Scenario, Step


_Act = TypeVar("_Act")


class SuiteInterrupt(BaseException):
    """Stands for KeyboardInterrupt/SystemExit: not an Exception, so no ``except
    Exception`` may swallow it (LOOP-5)."""


class CallBudgetExceeded(BaseException):
    """The loop called the suite's doubles more often in one run than any scenario
    needs: it is spinning (TERMINAL-1). A BaseException, so that the loop's own
    ``except Exception`` cannot turn it into a FAILED order."""


ErrorKind = Callable[[str], Exception]
"""An exception type the suite raises with one message. Builtin (or the binding's own
declared) types only, never the suite's own: the implementation must not be able to
tell a test from production by the type of what it catches."""

HOOK_ERRORS: tuple[ErrorKind, ...] = (
    RuntimeError, ZeroDivisionError, KeyError, decimal.InvalidOperation, ValueError, TypeError,
    AttributeError, LookupError, ArithmeticError, TimeoutError, ConnectionError, OSError,
)
"""What a risk calculation behind a hook raises (RISK-4: any Exception refuses)."""

BEFORE_SENT: tuple[ErrorKind, ...] = (
    RuntimeError, TimeoutError, ConnectionRefusedError, ConnectionError, OSError, BrokenPipeError, ValueError,
)
"""What a venue client raises before the order left: it could not connect, the connect
timed out, the request could not be written."""

AFTER_SENT: tuple[ErrorKind, ...] = (TimeoutError, ConnectionResetError, ConnectionAbortedError, ConnectionError, OSError)
"""What a venue client raises once the order left: the answer timed out, the connection
dropped mid-request. The venue may hold the order: resending it is a duplicate (LOOP-2)."""

SLOW_ANSWER_S = 0.001
"""How long a SLOW route act takes: time passes, far within the suite's time limit."""


@functools.cache
def not_true_answers() -> tuple[object, ...]:
    """The hook answers other than ``True`` and ``False`` a NOT_A_BOOL act gives, each of
    which refuses (RISK-4): what ``== True`` or truthiness would read as "allow"
    (``1``, ``1.0``, ``Decimal(1)``, numpy's ``True`` when numpy is importable), a
    forgotten ``return`` (``None``), and a truthy string."""
    answers: list[object] = ["yes", None, 1, 1.0, decimal.Decimal(1), "True"]
    try:
        numpy = importlib.import_module("numpy")
    except ImportError:  # not a dependency: only where the implementation's host has it
        pass
    else:
        answers.append(numpy.bool_(True))
    return tuple(answers)


def nth(kinds: Sequence[_Act], variant: int) -> _Act:
    """The ``variant``-th of ``kinds``, modulo their number."""
    return kinds[variant % len(kinds)]


POLICY_FAILURES: tuple[ErrorKind | object, ...] = (
    ConnectionError, ZeroDivisionError, KeyError, decimal.InvalidOperation, TimeoutError,
    False, 0, "stop", StopKind.POLICY, "", 1.0,
)
"""What a misbehaving stop policy does (LOOP-13): raise (its feed is down, its
calculation failed), which ends the run by that exception, or answer something other
than a StopReason or None, which stops it with StopKind.POLICY."""


def policy_raises(failure: int) -> bool:
    """Whether the policy failure ``failure`` is an exception (else a garbage answer)."""
    kind = nth(POLICY_FAILURES, failure)
    return isinstance(kind, type) and issubclass(kind, Exception)


GARBAGE: object = {"intent_id": "looks-like-a-response", "accepted": True}


@dataclass(frozen=True, slots=True)
class RichResponse(ExecutionResponse):
    """A Phase 5 route's answer: an ExecutionResponse that carries more (spec Terms)."""

    venue_note: str = "matched in the opening auction"
MAX_CALLS = 5_000
"""Calls to the doubles one run may make: a few per intent for the longest scenario, so
a spinning loop is stopped long before the log costs memory (TERMINAL-1)."""


CALLS_PER_INTENT = 8
"""A pull, the policy, three hooks and the route, with room to spare."""


def call_budget(scenario: Scenario) -> int:
    """The calls a run of ``scenario`` may make before it counts as spinning (TERMINAL-1)."""
    return max(MAX_CALLS, CALLS_PER_INTENT * len(scenario.steps))


@dataclass
class CallLog:
    """Every call made to the suite's doubles, in order: ``(what, intent_id)``; at most
    :data:`MAX_CALLS` of them."""

    entries: list[tuple[str, str]] = field(default_factory=list[tuple[str, str]])
    pulls: int = 0
    """How many intents the source has handed over so far."""
    limit: int = MAX_CALLS
    """The budget of this run: :data:`MAX_CALLS`, or more for a scenario of thousands of
    intents (:func:`call_budget`)."""

    def add(self, what: str, intent_id: str) -> None:
        if len(self.entries) >= self.limit:
            raise CallBudgetExceeded(
                f"TERMINAL-1: the loop called the suite's route, gates, source and policy more than "
                f"{self.limit} times in one run (last: {what} for {intent_id!r}); it does not settle "
                "its intents and stop (spinning?)"
            )
        self.entries.append((what, intent_id))
        self.pulls += what == "pull"

    def calls(self, what: str) -> list[str]:
        return [intent_id for kind, intent_id in self.entries if kind == what]

    def for_intent(self, intent_id: str) -> list[str]:
        return [kind for kind, iid in self.entries if iid == intent_id]


class _StopRequester:
    """Calls ``loop.request_stop()`` from the hook or route call a step names (LOOP-7)."""

    loop: ExecutionLoop[StrEnum] | None = None
    _stops: dict[str, str | None]

    def script_stops(self, scenario: Scenario) -> None:
        self._stops = _first_by_id(scenario, lambda step: step.stop_in)

    def maybe_stop(self, call: str, intent_id: str) -> None:
        if self.loop is not None and self._stops.get(intent_id) == call:
            self.loop.request_stop()


def declared_response(outcomes: Sequence[Outcome], index: int, intent: ExecutionIntent) -> ExecutionResponse:
    """The answer a DECLARED route act gives: outcome ``index`` (modulo their number) of
    those the binding declared, or a plain acceptance when it declared none."""
    if not outcomes:
        return ExecutionResponse(intent.intent_id, accepted=True)
    return outcomes[index % len(outcomes)].respond(intent)


def model_read_response(act: RouteAct, outcomes: Sequence[Outcome], index: int, intent: ExecutionIntent) -> ExecutionResponse:
    """The answer of a route act whose meaning the implementation's state model reads
    (LOOP-10): a declared outcome, or a richer response than Phase 4's."""
    if act is RouteAct.DECLARED:
        return declared_response(outcomes, index, intent)
    if act is RouteAct.DECLARED_BLANK:
        return blanked(declared_response(outcomes, index, intent))
    return RichResponse(intent.intent_id, accepted=act is RouteAct.RICH_ACCEPT)


_PHASE4_FIELDS = frozenset(field.name for field in dataclasses.fields(ExecutionResponse))


def blanked(response: ExecutionResponse) -> ExecutionResponse:
    """A copy of a declared answer with its first field beyond Phase 4's set to None (a
    fill with no quantity), as a venue sends now and then: the state model may fail to
    read it, and the order must then fail, not the run (LOOP-10). An answer with no
    such field is returned as it is."""
    extra = [f.name for f in dataclasses.fields(response) if f.name not in _PHASE4_FIELDS]
    if not extra:
        return response
    blank = copy.copy(response)
    object.__setattr__(blank, extra[0], None)
    return blank


class ScriptedRoute(_StopRequester):
    """Fails the ways a venue client does: before the order left or after (LOOP-4),
    with builtin exceptions and the binding's own ``venue_errors``."""

    def __init__(
        self,
        scenario: Scenario,
        log: CallLog,
        outcomes: Sequence[Outcome] = (),
        venue_errors: Sequence[ErrorKind] = (),
    ) -> None:
        self._log = log
        self._outcomes = tuple(outcomes)
        self._before_sent = (*BEFORE_SENT, *venue_errors)
        self._after_sent = (*AFTER_SENT, *venue_errors)
        self.intents: list[ExecutionIntent] = []
        self.answers: dict[str, object] = {}
        """What the route returned for each intent id, the first time (LOOP-3, RISK-5)."""
        self.raised: dict[str, str] = {}
        """How the route's first call for each intent id failed, in words (LOOP-2's message)."""
        self.script(scenario)

    def script(self, scenario: Scenario) -> None:
        self._acts = _first_by_id(scenario, lambda step: (step.route, step.outcome, step.variant))
        self.script_stops(scenario)

    def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
        self._log.add("execute", intent.intent_id)
        self.intents.append(intent)
        self.maybe_stop("execute", intent.intent_id)
        answer = self._answer(intent)
        self.answers.setdefault(intent.intent_id, answer)
        return answer

    def _answer(self, intent: ExecutionIntent) -> ExecutionResponse:
        act, outcome, variant = self._acts.get(intent.intent_id, (RouteAct.ACCEPT, 0, 0))
        if act in MODEL_READ:
            return model_read_response(act, self._outcomes, outcome, intent)
        if act is RouteAct.RAISE:
            error = nth(self._before_sent, variant)(f"venue unreachable, {intent.intent_id!r} not sent")
            self.raised.setdefault(intent.intent_id, f"raised {type(error).__name__} before the order left")
            raise error
        if act is RouteAct.LOST:
            error = nth(self._after_sent, variant)(f"no answer for {intent.intent_id!r}, which was sent")
            self.raised.setdefault(
                intent.intent_id,
                f"raised {type(error).__name__} after the order left: the venue may now hold it twice",
            )
            raise error
        if act is RouteAct.SLOW:
            time.sleep(SLOW_ANSWER_S)
        if act is RouteAct.INTERRUPT:
            raise SuiteInterrupt(f"interrupted while routing {intent.intent_id!r}")
        if act is RouteAct.GARBAGE:
            return GARBAGE  # type: ignore[return-value]  # pyright: ignore[reportReturnType]
        if act is RouteAct.WRONG_ID:
            return ExecutionResponse(intent.intent_id + "-other", accepted=True)
        return ExecutionResponse(intent.intent_id, accepted=act in ACCEPTS)


class ScriptedGate(_StopRequester):
    def __init__(self, scenario: Scenario, log: CallLog) -> None:
        self._log = log
        self.seen_states: list[tuple[str, str, str]] = []
        """``(hook, intent_id, state value)`` as each hook saw the order."""
        self.views: list[OrderView] = []
        """The views the hooks got, in the order of ``seen_states`` (RISK-5: snapshots)."""
        self.arguments: list[HookCall] = []
        """What each hook was called with, read at the call (RISK-5)."""
        self.script(scenario)

    def script(self, scenario: Scenario) -> None:
        self._before_intent = _first_by_id(scenario, lambda step: (step.before_intent, step.variant))
        self._before_route = _first_by_id(scenario, lambda step: (step.before_route, step.variant))
        self._after_response = _first_by_id(scenario, lambda step: (step.after_response, step.variant))
        self.script_stops(scenario)

    def before_intent(self, intent: ExecutionIntent, /) -> bool:
        self.arguments.append(HookCall("before_intent", intent, None, None))
        return self._answer("before_intent", intent.intent_id, self._before_intent)

    def before_route(self, order: OrderView, /) -> bool:
        self.seen_states.append(("before_route", order.intent.intent_id, order.state.value))
        self.views.append(order)
        self.arguments.append(HookCall("before_route", order.intent, _values(order.history), None))
        return self._answer("before_route", order.intent.intent_id, self._before_route)

    def after_response(self, order: OrderView, response: ExecutionResponse, /) -> bool:
        self.seen_states.append(("after_response", order.intent.intent_id, order.state.value))
        self.views.append(order)
        self.arguments.append(HookCall("after_response", order.intent, _values(order.history), response))
        return self._answer("after_response", order.intent.intent_id, self._after_response)

    def _answer(self, hook: str, intent_id: str, acts: dict[str, tuple[GateAct, int]]) -> bool:
        self._log.add(hook, intent_id)
        self.maybe_stop(hook, intent_id)
        act, variant = acts.get(intent_id, (GateAct.ALLOW, 0))
        if act is GateAct.RAISE:
            raise nth(HOOK_ERRORS, variant)(f"{hook} could not decide on {intent_id!r}")
        if act is GateAct.INTERRUPT:
            raise SuiteInterrupt(f"interrupted in {hook} for {intent_id!r}")
        if act is GateAct.NOT_A_BOOL:
            return nth(not_true_answers(), variant)  # type: ignore[return-value]  # pyright: ignore[reportReturnType]
        return act is GateAct.ALLOW


@dataclass(frozen=True)
class HookCall:
    """One call of a gate hook: the intent it was about (the view's, for the order
    hooks), the view's history as state values, and the response it was given."""

    hook: str
    intent: ExecutionIntent
    history: tuple[str, ...] | None
    response: object


def _values(history: Sequence[StrEnum]) -> tuple[str, ...]:
    return tuple(state.value for state in history)


class AllowAllGate:
    """A gate that allows everything and records nothing: "no gate" (RISK-6)."""

    def before_intent(self, intent: ExecutionIntent, /) -> bool:
        return True

    def before_route(self, order: OrderView, /) -> bool:
        return True

    def after_response(self, order: OrderView, response: ExecutionResponse, /) -> bool:
        return True


@dataclass(frozen=True)
class SeenContext:
    """The implementation's RunContext as a stop policy read it, and how many intents
    the source had handed over by then (LOOP-6)."""

    pulled: int
    executions: object
    settled: object
    consecutive_failures: object
    last_order: OrderView | None
    last_history: tuple[str, ...] | None
    gate_halted: object
    flags: tuple[object, object, object]
    """``source_exhausted``, ``stop_requested`` and ``gate_halted`` as read."""


class SuitePolicy:
    """The scenario's stop policy, judged from the implementation's own RunContext,
    which it records at every call (LOOP-6). With ``own``, the implementation's own
    policy decides instead (LOOP-15), the calls still logged and the context recorded."""

    def __init__(self, policy: Policy, log: CallLog, own: StopPolicy | None = None) -> None:
        self.policy = policy
        self._log = log
        self._own = own
        self.contexts: list[SeenContext] = []
        self.consults = 0

    def should_stop(self, run: RunContext, /) -> StopReason | None:
        self._log.add("policy", "")
        last = run.last_order
        self.contexts.append(SeenContext(
            pulled=self._log.pulls,
            executions=run.executions,
            settled=run.settled,
            consecutive_failures=run.consecutive_failures,
            last_order=last,
            last_history=_values(last.history) if last is not None else None,
            gate_halted=run.gate_halted,
            flags=(run.source_exhausted, run.stop_requested, run.gate_halted),
        ))
        self.consults += 1
        if self.consults == self.policy.fails_at:
            failure = nth(POLICY_FAILURES, self.policy.failure)
            if policy_raises(self.policy.failure):
                raise cast("ErrorKind", failure)(f"stop policy: its feed failed at consultation {self.consults}")
            return failure  # type: ignore[return-value]  # pyright: ignore[reportReturnType]
        if self._own is not None:
            return self._own.should_stop(run)
        limit = self.policy.max_executions
        if limit is not None and run.executions >= limit:
            return StopReason(StopKind.MAX_EXECUTIONS, f"{run.executions} >= {limit}")
        limit = self.policy.max_consecutive_failures
        if limit is not None and run.consecutive_failures >= limit:
            return StopReason(StopKind.MAX_CONSECUTIVE_FAILURES, f"{run.consecutive_failures} >= {limit}")
        return None


class ScriptedSource:
    """Yields the scenario's intents lazily, logging each pull, and asks the loop to stop
    where a step says so."""

    def __init__(self, scenario: Scenario, log: CallLog) -> None:
        self._steps = scenario.steps
        self._log = log
        self.loop: ExecutionLoop[StrEnum] | None = None
        self.pulled: list[ExecutionIntent] = []

    def __iter__(self) -> Iterator[ExecutionIntent]:
        for step in self._steps:
            intent = step.intent()
            self._log.add("pull", intent.intent_id)
            self.pulled.append(intent)
            if step.request_stop and self.loop is not None:
                self.loop.request_stop()
            yield intent


def _first_by_id(scenario: Scenario, pick: Callable[[Step], _Act]) -> dict[str, _Act]:
    """Each intent id's script; a repeated id keeps its first script (it must never
    reach a hook again, LOOP-2)."""
    acts: dict[str, _Act] = {}
    for step in scenario.steps:
        acts.setdefault(step.intent_id, pick(step))
    return acts
