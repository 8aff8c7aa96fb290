"""Deliberately broken implementations: each binding below is the reference with ONE
realistic defect, and the clause the conformance suite must fail on it.

``GOOD_EXTENSION`` is the control: a correct Phase 5 extension that must pass every
clause. ``tests/test_conformance_teeth.py`` runs ``qts-conformance`` on each binding.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import re
import socket
import threading
import time
import types
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import cast

from spec import (
    PHASE4,
    TERMINAL_STATES,
    TRANSITIONS,
    ExecutionIntent,
    ExecutionLoop,
    ExecutionResponse,
    ExecutionRoute,
    FaultSite,
    Implementation,
    OrderEvent,
    OrderRecord,
    OrderState,
    OrderView,
    Outcome,
    RiskGate,
    RunReport,
    RunContext,
    StateMachine,
    StateModel,
    StopPolicy,
    StopKind,
    StopReason,
    STANDARD_RESTING,
    RestingBinding,
    RestingState,
    declare_extension,
    phase4_events,
)

from spec.resting import FilledAnswer

from reference_impl.binding import standard_stop_policy
from reference_impl.resting_book import InMemoryRestingBook, StandardResting
from reference_impl.runtime.execution_loop import controller as reference_controller_module
from reference_impl.runtime.execution_loop import loop as reference_loop_module
from reference_impl.runtime.execution_loop.loop import ExecutionLoop as ReferenceLoop
from reference_impl.runtime.risk.noop_risk_gate import NoopRiskGate

import broken_resting


@dataclass(frozen=True)
class Mutant:
    """The reference implementation with some of its parts swapped for broken ones."""

    name: str
    machine: StateModel[StrEnum] = PHASE4  # type: ignore[assignment]
    route: Callable[[ExecutionRoute], ExecutionRoute] = lambda route: route
    gate: Callable[[RiskGate], RiskGate] = lambda gate: gate
    policy: Callable[[StopPolicy], StopPolicy] = lambda policy: policy
    loop: type[ReferenceLoop[StrEnum]] = ReferenceLoop[StrEnum]
    noop_gate: Callable[[], RiskGate] = NoopRiskGate
    outcomes: tuple[Outcome, ...] = ()
    resting: RestingBinding[StrEnum] | None = None
    stop_policy: Callable[[int | None, int | None], StopPolicy] = standard_stop_policy

    def make_loop(self, route: ExecutionRoute, gate: RiskGate, stop_policy: StopPolicy, /) -> ExecutionLoop[StrEnum]:
        return self.loop(self.route(route), self.gate(gate), self.policy(stop_policy), machine=self.machine)

    def make_noop_gate(self) -> RiskGate:
        return self.noop_gate()

    def make_stop_policy(self, max_executions: int | None, max_consecutive_failures: int | None, /) -> StopPolicy:
        return self.stop_policy(max_executions, max_consecutive_failures)


def _machine(table: Mapping[tuple[OrderState, StrEnum], OrderState], terminal: frozenset[OrderState] = TERMINAL_STATES) -> StateModel[StrEnum]:
    machine = StateMachine(OrderState, OrderState.CREATED, terminal, table)
    return machine  # type: ignore[return-value]  # pyright: ignore[reportReturnType]


def _without(*pairs: tuple[OrderState, OrderEvent]) -> dict[tuple[OrderState, StrEnum], OrderState]:
    return {key: value for key, value in TRANSITIONS.items() if key not in pairs}


def _edited(module: types.ModuleType, attribute: str, why: str, *edits: tuple[str, str, int], **names: object) -> object:
    """``module.attribute`` built from the module's own source with one realistic change
    (``edits``: a regular expression, its replacement, and how often it must match, so
    that a rewrite of the reference breaks this loudly instead of planting nothing);
    ``names`` are what the change refers to."""
    source = inspect.getsource(module)
    for pattern, replacement, count in edits:
        source, found = re.subn(pattern, replacement, source)
        assert found == count, f"{why}: {pattern!r} matched {found} times in {module.__name__}, expected {count}"
    namespace: dict[str, object] = {"__name__": f"broken_impls.{why}", **names}
    exec(compile(source, f"<{module.__name__}: {why}>", "exec"), namespace)  # noqa: S102  # our own reference source, edited
    return namespace[attribute]


def _reference_loop_with(why: str, *edits: tuple[str, str, int], **names: object) -> type[ReferenceLoop[StrEnum]]:
    """The reference loop with one realistic change (:func:`_edited`)."""
    return cast("type[ReferenceLoop[StrEnum]]", _edited(reference_loop_module, "ExecutionLoop", why, *edits, **names))


# --- Order State defects -------------------------------------------------------------

# STATE-5: a Phase 4 row was lost in a refactor.
MISSING_ROW = Mutant("missing SUBMITTED--reject-->REJECTED row", machine=_machine(_without((OrderState.SUBMITTED, OrderEvent.REJECT))))

# STATE-3: someone let accepted orders "fail later".
TERMINAL_EXIT = Mutant(
    "ACCEPTED has an exit",
    machine=_machine({**TRANSITIONS, (OrderState.ACCEPTED, OrderEvent.FAIL): OrderState.FAILED}),
)

# STATE-2: FAILED no longer counted as terminal.
TERMINAL_DEMOTED = Mutant("FAILED not terminal", machine=_machine(dict(TRANSITIONS), TERMINAL_STATES - {OrderState.FAILED}))


class _DisagreeingMachine:
    """STATE-4: transition() hard-codes an answer the table does not give."""

    states = OrderState
    initial = OrderState.CREATED
    terminal = TERMINAL_STATES
    table: Mapping[tuple[OrderState, StrEnum], OrderState] = TRANSITIONS

    def transition(self, state: OrderState, event: StrEnum, /) -> OrderState:
        if (state, event) == (OrderState.SUBMITTED, OrderEvent.REJECT):
            return OrderState.FAILED
        return PHASE4.transition(state, event)

    def events_for(self, intent: ExecutionIntent, response: ExecutionResponse, /) -> tuple[StrEnum, ...]:
        return PHASE4.events_for(intent, response)


TABLE_DISAGREES = Mutant("transition() disagrees with its table", machine=_DisagreeingMachine())  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


class NoBlocked(StrEnum):
    """STATE-1: a Phase 5 enum that dropped BLOCKED ("we never block")."""

    CREATED = "created"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    FAILED = "failed"


DELETED_STATE = Mutant(
    "extension deleted BLOCKED",
    machine=StateMachine(  # pyright: ignore[reportArgumentType]  # an extension that breaks STATE-1
        NoBlocked,
        NoBlocked.CREATED,
        frozenset({NoBlocked.ACCEPTED, NoBlocked.REJECTED, NoBlocked.FAILED}),
        {(NoBlocked(s.value), e): NoBlocked(t.value) for (s, e), t in TRANSITIONS.items() if t is not OrderState.BLOCKED},
    ),
)


class Retrying(StrEnum):
    CREATED = "created"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    BLOCKED = "blocked"
    FAILED = "failed"
    RETRYING = "retrying"


class RetryEvent(StrEnum):
    RETRY = "retry"
    RESUBMIT = "resubmit"


# STATE-6: an extension where SUBMITTED and RETRYING can bounce for ever.
CYCLE = Mutant(
    "extension with a non-terminal cycle",
    machine=StateMachine(  # pyright: ignore[reportArgumentType]  # an extension that breaks STATE-6
        Retrying,
        Retrying.CREATED,
        frozenset(Retrying(s.value) for s in TERMINAL_STATES),
        {
            **{(Retrying(s.value), e): Retrying(t.value) for (s, e), t in TRANSITIONS.items()},
            (Retrying.SUBMITTED, RetryEvent.RETRY): Retrying.RETRYING,
            (Retrying.RETRYING, RetryEvent.RESUBMIT): Retrying.SUBMITTED,
        },
    ),
)


# --- Loop defects ----------------------------------------------------------------------


# TERMINAL-1: "a failed route call may still have reached the venue", so the loop keeps
# the order SUBMITTED where it stood when the route raised.
SWALLOWED_FAILURE = Mutant("route failures leave the order SUBMITTED", loop=_reference_loop_with(
    "swallowed_failure",
    (r"orders\.append\(self\._failed\(intent, Fault\.from_exception\(_ROUTE, error\)\)\)",
     "orders.append(OrderRecord(intent, self.history, fault=Fault.from_exception(_ROUTE, error)))", 1),
))


class _FailStaysSubmitted(_DisagreeingMachine):
    """STATE-4, then TERMINAL-1: the same belief in the state model, whose transition()
    leaves a SUBMITTED order where it stood on FAIL while its table says FAILED; the
    loop follows transition(), so the model is where to start."""

    def transition(self, state: OrderState, event: StrEnum, /) -> OrderState:
        if (state, event) == (OrderState.SUBMITTED, OrderEvent.FAIL):
            return OrderState.SUBMITTED
        return PHASE4.transition(state, event)


FAIL_STAYS_SUBMITTED_IN_MODEL = Mutant("the model's FAIL leaves the order SUBMITTED", machine=_FailStaysSubmitted())  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


class _DeafLoop(ReferenceLoop[StrEnum]):
    """LOOP-7: request_stop() is accepted and ignored."""

    def request_stop(self) -> None:
        pass


STOP_REQUEST_IGNORED = Mutant("request_stop() ignored", loop=_DeafLoop)


class _OffByOneContext:
    """LOOP-6: the controller counts a route call only once the next one starts."""

    def __init__(self, run: RunContext) -> None:
        self._run = run

    def __getattr__(self, name: str) -> object:
        return getattr(self._run, name)

    @property
    def executions(self) -> int:
        return max(0, self._run.executions - 1)


@dataclass(frozen=True)
class _OffByOnePolicy:
    inner: StopPolicy

    def should_stop(self, run: RunContext, /) -> StopReason | None:
        return self.inner.should_stop(_OffByOneContext(run))  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


EXECUTIONS_OFF_BY_ONE = Mutant("executions counted one late", policy=_OffByOnePolicy)


class _ReentrantLoop(ReferenceLoop[StrEnum]):
    """LOOP-11: run() forgets a run is in progress, so a hook can start a nested one."""

    def run(self, intents: Iterable[ExecutionIntent], /) -> RunReport[StrEnum]:
        self._running = False
        return super().run(intents)


REENTRANT_RUN = Mutant("run() can be re-entered", loop=_ReentrantLoop)


@dataclass(frozen=True)
class _FalsyMeansGoOn:
    """LOOP-13: ``if reason: stop``: a policy answering False or 0 lets the run go on."""

    inner: StopPolicy

    def should_stop(self, run: RunContext, /) -> StopReason | None:
        return self.inner.should_stop(run) or None


FALSY_POLICY_ANSWER_IGNORED = Mutant("falsy stop-policy answers read as 'go on'", policy=_FalsyMeansGoOn)


# --- Route-handling defects ------------------------------------------------------------


@dataclass(frozen=True)
class _RetryOnReject:
    """LOOP-2: "one more try" on a rejection: a duplicate submission."""

    route: ExecutionRoute

    def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
        response = self.route.execute(intent)
        return response if response.accepted else self.route.execute(intent)


RETRY_ON_REJECT = Mutant("retries a rejected intent", route=_RetryOnReject)


@dataclass(frozen=True)
class _CopyingRoute:
    """LOOP-2: the route gets a rebuilt intent, not the one pulled."""

    route: ExecutionRoute

    def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
        return self.route.execute(dataclasses.replace(intent))


COPIES_INTENT = Mutant("routes a copy of the intent", route=_CopyingRoute)


@dataclass(frozen=True)
class _NormalisingRoute:
    """LOOP-4: "fixes" a response's intent id instead of failing the order."""

    route: ExecutionRoute

    def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
        return dataclasses.replace(self.route.execute(intent), intent_id=intent.intent_id)


NORMALISES_RESPONSE_ID = Mutant("accepts answers for another intent", route=_NormalisingRoute)


@dataclass(frozen=True)
class _ThreadedRoute:
    """LOOP-1: route calls moved to a worker thread "to add a timeout"."""

    route: ExecutionRoute

    def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(self.route.execute, intent).result(timeout=5)


THREADED_ROUTE_CALL = Mutant("calls the route from a worker thread", route=_ThreadedRoute)


@dataclass(frozen=True)
class _HealthCheckedRoute:
    """ROUTE-1: a "harmless" broker health check before each order."""

    route: ExecutionRoute

    def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
        try:
            socket.create_connection(("broker.invalid", 443), timeout=0.01).close()
        except OSError:
            pass
        return self.route.execute(intent)


BROKER_HEALTH_CHECK = Mutant("pings a broker", route=_HealthCheckedRoute)


class _HeartbeatLoop(ReferenceLoop[StrEnum]):
    """LOOP-1: the loop starts a plain ``threading.Thread`` "to send heartbeats" per run."""

    def run(self, intents: Iterable[ExecutionIntent], /) -> RunReport[StrEnum]:
        beat = threading.Thread(target=lambda: None, name="heartbeat")
        beat.start()
        try:
            return super().run(intents)
        finally:
            beat.join()


THREAD_STARTED_BY_LOOP = Mutant("the loop starts a heartbeat thread", loop=_HeartbeatLoop)


class _DropCopyLoop(ReferenceLoop[StrEnum]):
    """ROUTE-1: the loop opens a socket "for a drop copy" per run, beside its route."""

    def run(self, intents: Iterable[ExecutionIntent], /) -> RunReport[StrEnum]:
        try:
            socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
        except OSError:
            pass
        return super().run(intents)


SOCKET_OPENED_BY_LOOP = Mutant("the loop opens a drop-copy socket", loop=_DropCopyLoop)


@dataclass(frozen=True)
class _ResendOn:
    """LOOP-2: a route wrapper that resends an order once when the venue client raised
    one of ``errors``: the classic double order of trading systems."""

    errors: tuple[type[Exception], ...]
    route: ExecutionRoute

    def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
        try:
            return self.route.execute(intent)
        except self.errors:
            return self.route.execute(intent)


RESENDS_ON_TIMEOUT = Mutant("resends on TimeoutError", route=functools.partial(_ResendOn, (TimeoutError,)))
RESENDS_ON_CONNECTION_ERROR = Mutant("resends on ConnectionError", route=functools.partial(_ResendOn, (ConnectionError,)))
# "The connection dropped after we wrote the order: send it again" (the venue may hold it).
RESENDS_AFTER_SENT = Mutant(
    "resends when the connection dropped after the order left",
    route=functools.partial(_ResendOn, (ConnectionResetError, ConnectionAbortedError)),
)


# --- Gate-handling defects -------------------------------------------------------------


@dataclass(frozen=True)
class _GateProxy:
    gate: RiskGate

    def before_intent(self, intent: ExecutionIntent, /) -> bool:
        return self.gate.before_intent(intent)

    def before_route(self, order: OrderView, /) -> bool:
        return self.gate.before_route(order)

    def after_response(self, order: OrderView, response: ExecutionResponse, /) -> bool:
        return self.gate.after_response(order, response)


class _IgnoresBeforeIntent(_GateProxy):
    """RISK-1: before_intent is asked, its answer dropped."""

    def before_intent(self, intent: ExecutionIntent, /) -> bool:
        self.gate.before_intent(intent)
        return True


BEFORE_INTENT_IGNORED = Mutant("ignores before_intent", gate=_IgnoresBeforeIntent)


@dataclass(frozen=True)
class _RoutesWhenRefused:
    """RISK-2: the order is sent "for the record" even when before_route refuses."""

    route: ExecutionRoute
    gate: RiskGate

    def before_intent(self, intent: ExecutionIntent, /) -> bool:
        return self.gate.before_intent(intent)

    def before_route(self, order: OrderView, /) -> bool:
        allowed = self.gate.before_route(order)
        if allowed is not True:
            self.route.execute(order.intent)
        return allowed

    def after_response(self, order: OrderView, response: ExecutionResponse, /) -> bool:
        return self.gate.after_response(order, response)


class _RoutesWhenRefusedImpl(Mutant):
    def make_loop(self, route: ExecutionRoute, gate: RiskGate, stop_policy: StopPolicy, /) -> ExecutionLoop[StrEnum]:
        return ReferenceLoop(route, _RoutesWhenRefused(route, gate), stop_policy, machine=self.machine)


ROUTES_WHEN_REFUSED = _RoutesWhenRefusedImpl("routes although before_route refused")


class _IgnoresAfterResponse(_GateProxy):
    """RISK-3: after_response is asked, its answer dropped."""

    def after_response(self, order: OrderView, response: ExecutionResponse, /) -> bool:
        self.gate.after_response(order, response)
        return True


AFTER_RESPONSE_IGNORED = Mutant("ignores after_response", gate=_IgnoresAfterResponse)


class _TruthyGate(_GateProxy):
    """RISK-4: `if verdict:` instead of `verdict is True`."""

    def before_route(self, order: OrderView, /) -> bool:
        return bool(self.gate.before_route(order))


TRUTHY_GATE = Mutant("treats any truthy answer as allow", gate=_TruthyGate)


class _ForgetfulNoopGate(NoopRiskGate):
    """RISK-6: a "no-op" gate whose after_response forgot its return."""

    def after_response(self, order: OrderView, response: ExecutionResponse, /) -> bool:
        return None  # type: ignore[return-value]  # pyright: ignore[reportReturnType]


NOOP_GATE_RETURNS_NONE = Mutant("no-op gate returns None", noop_gate=_ForgetfulNoopGate)


class _ContextualNoopGate(NoopRiskGate):
    """RISK-7: a Phase 5 "improvement" that adds a fourth argument to a hook."""

    def after_response(self, order: OrderView, response: ExecutionResponse, market: object, /) -> bool:  # type: ignore[override]
        return True


# The type checkers reject this gate too, which is the point of typing against spec.
GATE_INTERFACE_CHANGED = Mutant(
    "after_response takes a market argument",
    noop_gate=_ContextualNoopGate,  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
)


class _RenamedStopLoop(ReferenceLoop[StrEnum]):
    """LOOP-9: request_stop() renamed, the old name kept with a required reason."""

    def request_stop(self, reason: str) -> None:  # type: ignore[override]
        super().request_stop()


LOOP_INTERFACE_CHANGED = Mutant("request_stop() now needs a reason", loop=_RenamedStopLoop)


# --- Record, hook-argument and RunContext defects (issue 13: mutation survivors) -------


class _ReportEditingLoop(ReferenceLoop[StrEnum]):
    """The reference loop whose reports pass through :meth:`edit` on the way out (its
    public ``run`` and ``last_report`` only)."""

    def edit(self, report: RunReport[StrEnum]) -> RunReport[StrEnum]:
        return report

    def run(self, intents: Iterable[ExecutionIntent], /) -> RunReport[StrEnum]:
        return self.edit(super().run(intents))

    @property
    def last_report(self) -> RunReport[StrEnum] | None:
        report = super().last_report
        return None if report is None else self.edit(report)

    def _drop(self, report: RunReport[StrEnum], which: Callable[[OrderRecord[StrEnum]], bool]) -> RunReport[StrEnum]:
        orders = tuple(o._replace(response=None) if which(o) else o for o in report.orders)
        return dataclasses.replace(report, orders=orders)


class _LeakyInterruptLoop(_ReportEditingLoop):
    """LOOP-5: on an interrupt the order in flight is recorded as it stood."""

    def edit(self, report: RunReport[StrEnum]) -> RunReport[StrEnum]:
        if report.stop.kind is not StopKind.INTERRUPTED or not report.orders:
            return report
        last = report.orders[-1]
        if len(last.history) < 2 or last.history[-1] not in (OrderState.FAILED,):
            return report
        return dataclasses.replace(report, orders=(*report.orders[:-1], last._replace(history=last.history[:-1])))


INTERRUPT_LEAVES_ORDER_OPEN = Mutant("interrupt leaves the order open", loop=_LeakyInterruptLoop)


def _refused_after_response(order: OrderRecord[StrEnum]) -> bool:
    return order.fault is not None and order.fault.site is FaultSite.AFTER_RESPONSE


class _HaltDropsResponse(_ReportEditingLoop):
    """RISK-3: "the gate refused it, so the answer does not count": the response is dropped."""

    def edit(self, report: RunReport[StrEnum]) -> RunReport[StrEnum]:
        if report.stop.kind is StopKind.GATE_HALT:
            return self._drop(report, _refused_after_response)
        return report


class _InterruptDropsResponse(_ReportEditingLoop):
    """LOOP-5: the order in flight is rebuilt from its intent when an interrupt ends the run."""

    def edit(self, report: RunReport[StrEnum]) -> RunReport[StrEnum]:
        if report.stop.kind is StopKind.INTERRUPTED and report.orders:
            last = report.orders[-1]
            return self._drop(report, lambda order: order is last)
        return report


class _CleanPathDropsResponse(_ReportEditingLoop):
    """LOOP-3: a "lean" report that keeps responses only of orders with a fault."""

    def edit(self, report: RunReport[StrEnum]) -> RunReport[StrEnum]:
        return self._drop(report, lambda order: order.fault is None)


RESPONSE_DROPPED_ON_HALT = Mutant("after_response refusal drops the response", loop=_HaltDropsResponse)
RESPONSE_DROPPED_ON_INTERRUPT = Mutant("an interrupt after the answer drops the response", loop=_InterruptDropsResponse)
RESPONSE_DROPPED_ON_CLEAN_PATH = Mutant("clean orders keep no response", loop=_CleanPathDropsResponse)


class _ResponseWithheld(_GateProxy):
    """RISK-5: after_response is called with None ("the order view has it anyway")."""

    def after_response(self, order: OrderView, response: ExecutionResponse, /) -> bool:
        return self.gate.after_response(order, None)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


AFTER_RESPONSE_GETS_NONE = Mutant("after_response gets None for the response", gate=_ResponseWithheld)


class _RoundingGate(_GateProxy):
    """RISK-5: the gate is shown the intent with its quantity rounded ("for the limits
    table"), so risk judges another order than the route executes."""

    def before_intent(self, intent: ExecutionIntent, /) -> bool:
        rounded = dataclasses.replace(intent, quantity=max(intent.quantity.to_integral_value(), Decimal(1)))
        return self.gate.before_intent(rounded)


BEFORE_INTENT_SEES_ROUNDED = Mutant("before_intent sees the quantity rounded", gate=_RoundingGate)


class _RoutedOnlyContext:
    """LOOP-6: ``settled`` counts only the orders that reached the route."""

    def __init__(self, run: RunContext) -> None:
        self._run = run

    def __getattr__(self, name: str) -> object:
        return getattr(self._run, name)

    @property
    def settled(self) -> int:
        return self._run.executions


@dataclass(frozen=True)
class _RoutedOnlyPolicy:
    inner: StopPolicy

    def should_stop(self, run: RunContext, /) -> StopReason | None:
        return self.inner.should_stop(_RoutedOnlyContext(run))  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


SETTLED_COUNTS_ROUTED_ONLY = Mutant("RunContext.settled counts routed orders only", policy=_RoutedOnlyPolicy)


@dataclass(frozen=True)
class _LateMaxExecutions:
    """LOOP-15: the team's own MaxExecutions compares with ``>``: one route call too many."""

    limit: int

    def should_stop(self, run: RunContext, /) -> StopReason | None:
        if run.executions > self.limit:
            return StopReason(StopKind.MAX_EXECUTIONS, f"{run.executions} > {self.limit}")
        return None


def _late_policy(max_executions: int | None, max_consecutive_failures: int | None) -> StopPolicy:
    standard = standard_stop_policy(None, max_consecutive_failures)
    if max_executions is None:
        return standard
    late = _LateMaxExecutions(max_executions)

    @dataclass(frozen=True)
    class _Both:
        def should_stop(self, run: RunContext, /) -> StopReason | None:
            return late.should_stop(run) or standard.should_stop(run)

    return _Both()


MAX_EXECUTIONS_OFF_BY_ONE = Mutant("its own MaxExecutions stops one call late", stop_policy=_late_policy)


class _OptionalVerdictNoopGate(NoopRiskGate):
    """RISK-7: a Phase 5 gate that declares it may answer None ("no opinion")."""

    def before_route(self, order: OrderView, /) -> bool | None:  # type: ignore[override]
        return True


GATE_RESULT_NOT_BOOL = Mutant(
    "before_route declares bool | None",
    noop_gate=_OptionalVerdictNoopGate,  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
)


# --- What real code meets: generator gaps (each passed ci before the generators reached it)


class _Window:
    """A de-duplication window: remembers only the last ``size`` ids."""

    def __init__(self, size: int) -> None:
        self._ids: deque[str] = deque(maxlen=size)

    def add(self, intent_id: str) -> None:
        self._ids.append(intent_id)

    def __contains__(self, intent_id: object) -> bool:
        return intent_id in self._ids


# RISK-4: the hook handlers catch RuntimeError only; a ZeroDivisionError, KeyError or
# decimal.InvalidOperation from a risk calculation ends the run instead of blocking.
HOOKS_CATCH_RUNTIME_ERROR_ONLY = Mutant("hook handlers catch RuntimeError only", loop=_reference_loop_with(
    "hooks_catch_runtime_error_only", (r"except Exception as error:(\s+)verdict = _Raised", r"except RuntimeError as error:\1verdict = _Raised", 3),
))
# RISK-4: `== True`: 1, 1.0, Decimal(1) and numpy's True allow.
VERDICT_EQUALS_TRUE = Mutant("hook verdicts compared with == True", loop=_reference_loop_with(
    "verdict_equals_true", (r"verdict is True", "verdict == True", 1), (r"verdict is not True", "verdict != True", 2),
))
# LOOP-2: duplicates looked for among the last 64 (1000) ids only.
DEDUP_WINDOW_64 = Mutant("de-duplicates over the last 64 ids", loop=_reference_loop_with(
    "dedup_window_64", (r"seen: set\[str\] = set\(\)", "seen = _Window(64)", 1), _Window=_Window,
))
DEDUP_WINDOW_1000 = Mutant("de-duplicates over the last 1000 ids", loop=_reference_loop_with(
    "dedup_window_1000", (r"seen: set\[str\] = set\(\)", "seen = _Window(1000)", 1), _Window=_Window,
))
class _TimeToLive:
    """A de-duplication set whose ids expire a second after they were added."""

    def __init__(self, seconds: float) -> None:
        self._added: dict[str, float] = {}
        self._seconds = seconds

    def add(self, intent_id: str) -> None:
        self._added[intent_id] = time.monotonic()

    def __contains__(self, intent_id: object) -> bool:
        added = self._added.get(str(intent_id))
        return added is not None and time.monotonic() - added < self._seconds


# LOOP-2: ids remembered for one second only.
DEDUP_TTL_1S = Mutant("de-duplicates over the last second", loop=_reference_loop_with(
    "dedup_ttl_1s", (r"seen: set\[str\] = set\(\)", "seen = _TimeToLive(1.0)", 1), _TimeToLive=_TimeToLive,
))
# LOOP-3: the report keeps the last 100 (500) orders.
REPORT_CAPPED_AT_100 = Mutant("the report keeps its last 100 orders", loop=_reference_loop_with(
    "report_capped_at_100", (r"RunReport\(tuple\(self\.orders\), stop\)", "RunReport(tuple(self.orders[-100:]), stop)", 1),
))
REPORT_CAPPED_AT_500 = Mutant("the report keeps its last 500 orders", loop=_reference_loop_with(
    "report_capped_at_500", (r"RunReport\(tuple\(self\.orders\), stop\)", "RunReport(tuple(self.orders[-500:]), stop)", 1),
))
# LOOP-2: ids de-duplicated case-insensitively: 'AB-1' is refused as a repeat of 'ab-1'.
CASE_FOLDED_IDS = Mutant("ids de-duplicated case-folded", loop=_reference_loop_with(
    "case_folded_ids",
    (r"if intent_id in seen:", "if intent_id.casefold() in seen:", 1), (r"seen\.add\(intent_id\)", "seen.add(intent_id.casefold())", 1),
))

# LOOP-13: "the max-loss feed is down, keep trading": the controller reads a stop policy
# that raises as "go on".
STOP_POLICY_FAILS_OPEN = Mutant("a raising stop policy means go on", loop=_reference_loop_with(
    "stop_policy_fails_open",
    (r"from reference_impl\.runtime\.execution_loop\.controller import LoopController\n", "", 1),
    LoopController=_edited(
        reference_controller_module, "LoopController", "stop_policy_fails_open",
        (r"(\s+)reason = self\._ask_policy\(self\)", r"\1try:\1    reason = self._ask_policy(self)\1except Exception:\1    return None", 1),
    ),
))


class _Exposures:
    """A position service the production gate asks (in production, over the network)."""

    def exposure(self, symbol: str) -> Decimal:
        return Decimal(len(symbol))


class _FailOpenExposureGate(NoopRiskGate):
    """RISK-4: "don't stop trading because the position service hiccupped": when the
    lookup raises, the gate allows."""

    def __init__(self) -> None:
        self.exposures = _Exposures()

    def before_intent(self, intent: ExecutionIntent, /) -> bool:
        try:
            return self.exposures.exposure(intent.symbol) + intent.quantity < Decimal(10**9)
        except Exception:
            return True


@dataclass(frozen=True)
class _WithProductionGate(Mutant):
    production_gate: Callable[[], RiskGate] = NoopRiskGate

    def make_production_gate(self) -> RiskGate:
        return self.production_gate()


PRODUCTION_GATE_FAILS_OPEN = _WithProductionGate("production gate allows when its lookup raises", production_gate=_FailOpenExposureGate)


# --- The control: a correct Phase 5 extension ----------------------------------------


class Phase5State(StrEnum):
    CREATED = "created"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    BLOCKED = "blocked"
    FAILED = "failed"
    PARTIALLY_ACCEPTED = "partially_accepted"
    EXPIRED = "expired"


class Phase5Event(StrEnum):
    PARTIAL_ACCEPT = "partial_accept"
    EXPIRE = "expire"
    ACCEPT_REST = "accept_rest"
    """No declared answer fires it: only DEAD_ROW's table has a row on it."""


@dataclass(frozen=True, slots=True)
class VenueAnswer(ExecutionResponse):
    """A richer answer: how much the venue filled at once, or that the order expired."""

    filled: Decimal | None = None
    expired: bool = False


def phase5_events(intent: ExecutionIntent, response: ExecutionResponse, /) -> tuple[StrEnum, ...]:
    if isinstance(response, VenueAnswer):
        if response.expired:
            return (Phase5Event.EXPIRE,)
        if response.filled is not None and response.filled < intent.quantity:
            return (Phase5Event.PARTIAL_ACCEPT, Phase5Event.EXPIRE)
    return phase4_events(intent, response)


PHASE5_MACHINE = declare_extension(
    Phase5State,
    terminal=[Phase5State(s.value) for s in TERMINAL_STATES] + [Phase5State.EXPIRED],
    table={
        **{(Phase5State(s.value), e): Phase5State(t.value) for (s, e), t in TRANSITIONS.items()},
        (Phase5State.SUBMITTED, Phase5Event.PARTIAL_ACCEPT): Phase5State.PARTIALLY_ACCEPTED,
        (Phase5State.SUBMITTED, Phase5Event.EXPIRE): Phase5State.EXPIRED,
        (Phase5State.PARTIALLY_ACCEPTED, Phase5Event.EXPIRE): Phase5State.EXPIRED,
        (Phase5State.PARTIALLY_ACCEPTED, OrderEvent.FAIL): Phase5State.FAILED,
    },
    response_events=phase5_events,
)

PHASE5_OUTCOMES = (
    Outcome("half filled, rest expired",
            lambda intent: VenueAnswer(intent.intent_id, accepted=True, filled=intent.quantity / 2)),
    Outcome("expired unfilled", lambda intent: VenueAnswer(intent.intent_id, accepted=False, expired=True)),
)


class Phase5Implementation:
    name = "Phase 5 extension (PARTIALLY_ACCEPTED, EXPIRED) on the reference loop"
    machine = PHASE5_MACHINE
    outcomes = PHASE5_OUTCOMES
    resting = StandardResting()

    def make_loop(
        self, route: ExecutionRoute, gate: RiskGate[Phase5State], stop_policy: StopPolicy, /
    ) -> ReferenceLoop[Phase5State]:
        return ReferenceLoop(route, gate, stop_policy, machine=PHASE5_MACHINE)

    def make_noop_gate(self) -> RiskGate[Phase5State]:
        return NoopRiskGate()

    def make_stop_policy(self, max_executions: int | None, max_consecutive_failures: int | None, /) -> StopPolicy:
        return standard_stop_policy(max_executions, max_consecutive_failures)


GOOD_EXTENSION: Implementation[Phase5State, RestingState] = Phase5Implementation()

# --- Phase 5 defects: extension paths and resting orders --------------------------------

_PHASE5 = Mutant("", machine=PHASE5_MACHINE, outcomes=PHASE5_OUTCOMES)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


class _AcceptedFlagLoop(ReferenceLoop[StrEnum]):
    """A Phase 5 loop that still maps answers by hand: ``accepted`` alone decides."""

    def __init__(self, route: ExecutionRoute, gate: RiskGate, stop_policy: StopPolicy, *, machine: StateModel[StrEnum]) -> None:
        by_flag = dataclasses.replace(PHASE5_MACHINE, response_events=phase4_events)
        super().__init__(route, gate, stop_policy, machine=by_flag)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


# LOOP-10: the extension's answers never reach its states.
EXTENSION_PATH_IGNORED = dataclasses.replace(_PHASE5, name="answers mapped by the accepted flag", loop=_AcceptedFlagLoop)


class _FirstEventLoop(_ReportEditingLoop):
    """Applies only the first event of an answer: "the rest comes later"; the order is
    recorded where that event left it. (A loop that asks the model for the first event
    only and then checks the walk ends terminal fails the order instead: LOOP-10.)"""

    def edit(self, report: RunReport[StrEnum]) -> RunReport[StrEnum]:
        orders = tuple(o._replace(history=o.history[:3]) for o in report.orders)
        return dataclasses.replace(report, orders=orders)


# TERMINAL-1: a partial fill leaves the order PARTIALLY_ACCEPTED.
EXTENSION_LEFT_OPEN = dataclasses.replace(_PHASE5, name="stops after the first event", loop=_FirstEventLoop)

# STATE-7: the new state was added without a way to fail it.
EXTENSION_UNFAILABLE = dataclasses.replace(
    _PHASE5,
    name="PARTIALLY_ACCEPTED has no FAIL row",
    machine=StateMachine(
        PHASE5_MACHINE.states, PHASE5_MACHINE.initial, PHASE5_MACHINE.terminal,
        {k: v for k, v in PHASE5_MACHINE.table.items() if k != (Phase5State.PARTIALLY_ACCEPTED, OrderEvent.FAIL)},
        phase5_events,
    ),
)


class _Resting:
    lifecycle = STANDARD_RESTING

    def __init__(self, book: type[InMemoryRestingBook[RestingState]]) -> None:
        self.book = book

    def make_book(self) -> InMemoryRestingBook[RestingState]:
        return self.book(STANDARD_RESTING)

    def binding(self, name: str) -> Mutant:
        return dataclasses.replace(_PHASE5, name=name, resting=cast("RestingBinding[StrEnum]", self))


# RESTING-2: a fill lands on the wrong order.
FILL_TO_WRONG_ORDER = _Resting(broken_resting.LatestOrderBook).binding("fills applied to the latest order")
# RESTING-3: an overfill (or a shrinking fill) is recorded as it came.
FILL_UNCHECKED = _Resting(broken_resting.TrustingBook).binding("fills not checked")
# RESTING-5: a resent execution report is booked again.
DUPLICATE_DOUBLE_COUNTED = _Resting(broken_resting.DoubleCountingBook).binding("resent reports counted again")
# RESTING-5: a fill after a cancel request (or after the cancel) is dropped.
LATE_FILL_DROPPED = _Resting(broken_resting.LateFillDroppingBook).binding("late fills dropped")
# RESTING-6: a cancel-reject closes the order.
CANCEL_REJECT_CLOSES = _Resting(broken_resting.CancelRejectClosingBook).binding("cancel-reject taken for the cancel")
# RESTING-6: an amend lets filled exceed the new quantity.
AMEND_BELOW_FILLED = _Resting(broken_resting.AmendUncheckedBook).binding("amend quantity not checked")
# RESTING-1: the fill in the answer is not booked when the order opens.
ARRIVAL_FILL_IGNORED = _Resting(broken_resting.ArrivalFillIgnoringBook).binding("fill on arrival not booked")
# RESTING-7: a resting order opens with more filled than ordered.
ANSWER_OVERFILL_BOOKED = _Resting(broken_resting.AnswerOverfillBook).binding("answer's overfill booked")
# RESTING-7: a declared answer fills more than the order.
ANSWER_OVERFILLS = dataclasses.replace(
    _PHASE5, name="an answer fills twice the order", resting=StandardResting(),  # pyright: ignore[reportArgumentType]
    outcomes=(*PHASE5_OUTCOMES, Outcome("filled twice over", lambda intent: FilledAnswer(
        intent.intent_id, accepted=True, venue_order_id="v-twice", filled=intent.quantity * 2, exec_id="x-twice"))),
)

TEAM_RESTING = dataclasses.replace(
    _PHASE5, name="a team's own resting lifecycle", resting=broken_resting.TeamResting(),  # pyright: ignore[reportArgumentType]
)
"""Control: a team's own resting lifecycle (its own state and event names, a cancel-reject
row in its table) passes every RESTING clause."""


# STATE-9: "the rest gets accepted later": a row on an event no declared answer fires.
_DEAD = ((Phase5State.PARTIALLY_ACCEPTED, Phase5Event.ACCEPT_REST), Phase5State.ACCEPTED)
DEAD_ROW = dataclasses.replace(
    _PHASE5,
    name="PARTIALLY_ACCEPTED --accept_rest--> ACCEPTED, which no answer takes",
    machine=StateMachine(
        PHASE5_MACHINE.states, PHASE5_MACHINE.initial, PHASE5_MACHINE.terminal,
        {key: target for key, target in [*PHASE5_MACHINE.table.items(), _DEAD]},
        phase5_events,
    ),
)

# --- Reached from the plugin path: the guards must be armed for every call ---------------

REACHED_THE_NETWORK: list[str] = []
"""What ``ADDRESS_LOOKED_UP`` resolved unrefused: empty while the guards hold."""


@dataclass(frozen=True)
class _LooksUpTheVenue:
    """ROUTE-1: a route wrapper that resolves the venue's address before each order (a
    lookup of ``localhost``, so it answers offline: resolving is the attempt)."""

    route: ExecutionRoute

    def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
        try:
            socket.getaddrinfo("localhost", 443)
        except Exception:
            pass
        else:
            REACHED_THE_NETWORK.append(intent.intent_id)
        return self.route.execute(intent)


ADDRESS_LOOKED_UP = Mutant("resolves the venue's address per order", route=_LooksUpTheVenue)


EXPECTED_FAILURES: dict[str, str] = {
    "MISSING_ROW": "STATE-5",
    "TERMINAL_EXIT": "STATE-3",
    "TERMINAL_DEMOTED": "STATE-2",
    "TABLE_DISAGREES": "STATE-4",
    "DELETED_STATE": "STATE-1",
    "CYCLE": "STATE-6",
    "SWALLOWED_FAILURE": "TERMINAL-1",
    "FAIL_STAYS_SUBMITTED_IN_MODEL": "STATE-4",
    "INTERRUPT_LEAVES_ORDER_OPEN": "LOOP-5",
    "STOP_REQUEST_IGNORED": "LOOP-7",
    "EXECUTIONS_OFF_BY_ONE": "LOOP-6",
    "RETRY_ON_REJECT": "LOOP-2",
    "RESENDS_ON_TIMEOUT": "LOOP-2",
    "RESENDS_ON_CONNECTION_ERROR": "LOOP-2",
    "RESENDS_AFTER_SENT": "LOOP-2",
    "COPIES_INTENT": "LOOP-2",
    "NORMALISES_RESPONSE_ID": "LOOP-4",
    "THREADED_ROUTE_CALL": "LOOP-1",
    "BROKER_HEALTH_CHECK": "ROUTE-1",
    "THREAD_STARTED_BY_LOOP": "LOOP-1",
    "SOCKET_OPENED_BY_LOOP": "ROUTE-1",
    "BEFORE_INTENT_IGNORED": "RISK-1",
    "ROUTES_WHEN_REFUSED": "RISK-2",
    "AFTER_RESPONSE_IGNORED": "RISK-3",
    "TRUTHY_GATE": "RISK-4",
    "NOOP_GATE_RETURNS_NONE": "RISK-6",
    "GATE_INTERFACE_CHANGED": "RISK-7",
    "LOOP_INTERFACE_CHANGED": "LOOP-9",
    "REENTRANT_RUN": "LOOP-11",
    "FALSY_POLICY_ANSWER_IGNORED": "LOOP-13",
    "EXTENSION_PATH_IGNORED": "LOOP-10",
    "EXTENSION_LEFT_OPEN": "TERMINAL-1",
    "EXTENSION_UNFAILABLE": "STATE-7",
    "FILL_TO_WRONG_ORDER": "RESTING-2",
    "FILL_UNCHECKED": "RESTING-3",
    "ARRIVAL_FILL_IGNORED": "RESTING-1",
    "DUPLICATE_DOUBLE_COUNTED": "RESTING-5",
    "LATE_FILL_DROPPED": "RESTING-5",
    "CANCEL_REJECT_CLOSES": "RESTING-6",
    "AMEND_BELOW_FILLED": "RESTING-6",
    "ANSWER_OVERFILL_BOOKED": "RESTING-7",
    "ANSWER_OVERFILLS": "RESTING-7",
    "RESPONSE_DROPPED_ON_HALT": "RISK-3",
    "RESPONSE_DROPPED_ON_INTERRUPT": "LOOP-5",
    "RESPONSE_DROPPED_ON_CLEAN_PATH": "LOOP-3",
    "AFTER_RESPONSE_GETS_NONE": "RISK-5",
    "BEFORE_INTENT_SEES_ROUNDED": "RISK-5",
    "SETTLED_COUNTS_ROUTED_ONLY": "LOOP-6",
    "MAX_EXECUTIONS_OFF_BY_ONE": "LOOP-15",
    "GATE_RESULT_NOT_BOOL": "RISK-7",
    "HOOKS_CATCH_RUNTIME_ERROR_ONLY": "RISK-4",
    "VERDICT_EQUALS_TRUE": "RISK-4",
    "DEDUP_WINDOW_64": "LOOP-2",
    "DEDUP_WINDOW_1000": "LOOP-2",
    "REPORT_CAPPED_AT_100": "LOOP-3",
    "REPORT_CAPPED_AT_500": "LOOP-3",
    "CASE_FOLDED_IDS": "LOOP-2",
    "DEDUP_TTL_1S": "LOOP-2",
    "STOP_POLICY_FAILS_OPEN": "LOOP-13",
    "PRODUCTION_GATE_FAILS_OPEN": "RISK-4",
    "DEAD_ROW": "STATE-9",
    "ADDRESS_LOOKED_UP": "ROUTE-1",
}
"""Each broken binding and the clause the suite must name when it fails it."""

