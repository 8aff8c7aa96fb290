"""The Execution Loop (seed 2.1): one synchronous loop that settles one intent at a time.

For each intent, in this order (RISK-5): ``before_intent`` -> order CREATED ->
``before_route`` -> SUBMITTED -> ``route.execute`` -> the states the answer's events
lead to (ACCEPTED / REJECTED in Phase 4, an extension's own path in Phase 5) or FAILED
-> ``after_response``. Every state comes from the machine's table, and which events an
answer fires comes from the machine too (STATE-8, LOOP-10): the loop decides neither. Whatever the route or the gate does, the order leaves the
iteration in a terminal state (TERMINAL-1), also when an exception ends the run (LOOP-5).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic

from spec.errors import InvalidIntent
from spec.loop import StopPolicy
from spec.order_state import OrderEvent
from spec.records import Fault, FaultSite, OrderRecord, RunReport, StopKind, StopReason
from spec.risk import RiskGate
from spec.route import ExecutionRoute
from spec.state_machine import S, StateModel
from spec.values import ExecutionIntent, ExecutionResponse

from reference_impl.runtime.execution_loop.controller import LoopController

_EXHAUSTED = object()

# Enum members bound once: reading OrderEvent.SUBMIT off the class costs ~100 ns on
# CPython 3.11, several times per order on the hot path (see docs/benchmarks.md).
_SUBMIT, _BLOCK, _FAIL = OrderEvent.SUBMIT, OrderEvent.BLOCK, OrderEvent.FAIL
_INTAKE, _BEFORE_INTENT, _BEFORE_ROUTE, _ROUTE, _AFTER_RESPONSE = (
    FaultSite.INTAKE, FaultSite.BEFORE_INTENT, FaultSite.BEFORE_ROUTE, FaultSite.ROUTE, FaultSite.AFTER_RESPONSE,
)


class ExecutionLoop(Generic[S]):
    """Calls ``route`` once per intent pulled, until its controller says stop."""

    __slots__ = ("_route", "_gate", "_machine", "_controller", "_last_report")

    def __init__(
        self,
        route: ExecutionRoute,
        gate: RiskGate[S],
        stop_policy: StopPolicy,
        *,
        machine: StateModel[S],
    ) -> None:
        self._route = route
        self._gate = gate
        self._machine = machine
        self._controller = LoopController[S](stop_policy)
        self._last_report: RunReport[S] | None = None

    @property
    def last_report(self) -> RunReport[S] | None:
        return self._last_report

    def request_stop(self) -> None:
        self._controller.request_stop()

    def run(self, intents: Iterable[ExecutionIntent], /) -> RunReport[S]:
        controller = self._controller
        orders: list[OrderRecord[S]] = []
        seen: set[str] = set()
        source = iter(intents)
        controller.begin_run()
        try:
            while (stop := controller.next_stop()) is None:
                intent = next(source, _EXHAUSTED)
                if intent is _EXHAUSTED:
                    controller.mark_exhausted()
                    continue
                if not isinstance(intent, ExecutionIntent):
                    raise InvalidIntent(
                        f"the intent source yielded {type(intent).__qualname__} {intent!r:.80} "
                        f"after {len(orders)} intent(s); it must yield spec.ExecutionIntent (LOOP-3)"
                    )
                if intent.intent_id in seen:
                    order = self._refuse_repeat(intent)
                else:
                    seen.add(intent.intent_id)
                    order = self._settle(intent, orders)
                orders.append(order)
                controller.settle(order)
        except BaseException as error:
            self._last_report = RunReport(tuple(orders), _interrupted(error))
            raise
        finally:
            controller.end_run()
        report = RunReport(tuple(orders), stop)
        self._last_report = report
        return report

    def _refuse_repeat(self, intent: ExecutionIntent) -> OrderRecord[S]:
        """LOOP-2: an intent id already pulled in this run is never routed again."""
        created = self._machine.initial
        return OrderRecord(
            intent,
            (created, self._machine.transition(created, _FAIL)),
            fault=Fault(
                _INTAKE,
                f"intent id {intent.intent_id!r} was already pulled in this run; not routed again",
            ),
        )

    def _settle(self, intent: ExecutionIntent, orders: list[OrderRecord[S]]) -> OrderRecord[S]:
        """Take one intent from CREATED to a terminal state.

        If an exception escapes (an interrupt, or a defect), the order is first failed
        from wherever it stood and appended to ``orders``, then the exception goes on.
        """
        machine = self._machine
        gate = self._gate
        history = [machine.initial]
        answer: ExecutionResponse | None = None
        site = _BEFORE_INTENT
        try:
            # Hooks are called inline (not through a helper) because this is the hot path;
            # only a refusal pays for building its Fault (RISK-4).
            try:
                verdict: object = gate.before_intent(intent)
            except Exception as error:
                verdict = _Raised(error)
            if verdict is True:
                site = _BEFORE_ROUTE
                try:
                    verdict = gate.before_route(_OpenOrder(intent, history[0]))
                except Exception as error:
                    verdict = _Raised(error)
            if verdict is not True:
                history.append(machine.transition(history[0], _BLOCK))
                return OrderRecord(intent, tuple(history), fault=_refusal(site, verdict))

            history.append(machine.transition(history[0], _SUBMIT))
            site = _ROUTE
            try:
                response = self._route.execute(intent)
            except Exception as error:
                return self._fail(intent, history, Fault.from_exception(site, error))
            problem = _response_problem(intent, response)
            if problem is not None:
                return self._fail(intent, history, Fault(site, problem))

            path = self._path(intent, response, history[1])
            if isinstance(path, str):
                # The venue did answer: keep what it said beside the fault (LOOP-10).
                history.append(machine.transition(history[1], _FAIL))
                return OrderRecord(intent, tuple(history), response, Fault(site, path))
            answer = response
            history += path
            order = OrderRecord(intent, tuple(history), response)
            site = _AFTER_RESPONSE
            try:
                verdict = gate.after_response(order, response)
            except Exception as error:
                verdict = _Raised(error)
            if verdict is True:
                return order
            # The venue's answer stands (RISK-3); the fault makes the controller halt.
            return OrderRecord(intent, order.history, response, _refusal(site, verdict))
        except BaseException as error:
            orders.append(self._abandon(intent, history, answer, Fault.from_exception(site, error)))
            raise

    def _path(self, intent: ExecutionIntent, response: ExecutionResponse, submitted: S) -> list[S] | str:
        """The states the answer's events lead through, ending terminal, or why not.

        Computed whole before any of it is recorded, so an answer the machine cannot
        read fails the order from SUBMITTED instead of leaving it half-way (TERMINAL-1).
        """
        machine = self._machine
        path: list[S] = []
        state = submitted
        try:
            for event in machine.events_for(intent, response):
                state = machine.transition(state, event)
                path.append(state)
        except Exception as error:
            return f"LOOP-10: the state model cannot read the answer: {_describe(error)}"
        if not path or state not in machine.terminal:
            return f"LOOP-10: the answer's events end in {state.value!r}, which is not terminal (STATE-8)"
        return path

    def _fail(self, intent: ExecutionIntent, history: list[S], fault: Fault) -> OrderRecord[S]:
        history.append(self._machine.transition(history[-1], _FAIL))
        return OrderRecord(intent, tuple(history), fault=fault)

    def _abandon(
        self,
        intent: ExecutionIntent,
        history: list[S],
        response: ExecutionResponse | None,
        fault: Fault,
    ) -> OrderRecord[S]:
        """LOOP-5: settle an order an exception is about to leave behind. An order the
        venue already answered keeps its answer (RISK-3)."""
        if history[-1] in self._machine.terminal:
            return OrderRecord(intent, tuple(history), response, fault)
        return self._fail(intent, history, fault)


class _OpenOrder(Generic[S]):
    """The read-only view ``before_route`` gets of an order just opened (OrderView).

    A plain slotted object: a frozen OrderRecord costs four times as much to build, and
    this view exists for one hook call per order.
    """

    __slots__ = ("_intent", "_state")

    def __init__(self, intent: ExecutionIntent, state: S) -> None:
        self._intent = intent
        self._state = state

    @property
    def intent(self) -> ExecutionIntent:
        return self._intent

    @property
    def state(self) -> S:
        return self._state

    @property
    def history(self) -> tuple[S]:
        return (self._state,)


class _Raised:
    """A hook raised this exception (kept apart from a hook returning one)."""

    __slots__ = ("error",)

    def __init__(self, error: Exception) -> None:
        self.error = error


def _refusal(site: FaultSite, verdict: object) -> Fault:
    """The fault for a hook answer other than ``True``: only ``True`` allows (RISK-4)."""
    if isinstance(verdict, _Raised):
        return Fault.from_exception(site, verdict.error)
    if verdict is False:
        return Fault(site, "refused")
    return Fault(site, f"returned {type(verdict).__qualname__} {verdict!r:.80}, not a bool; treated as a refusal")


def _response_problem(intent: ExecutionIntent, response: object) -> str | None:
    """Why ``response`` cannot settle ``intent`` (LOOP-4), or None if it can.

    Takes ``object`` on purpose: the route is outside our control, whatever its types say.
    """
    if not isinstance(response, ExecutionResponse):
        return f"route returned {type(response).__qualname__} {response!r:.80}, not a spec.ExecutionResponse"
    if response.intent_id != intent.intent_id:
        return f"route answered for intent {response.intent_id!r} when asked for {intent.intent_id!r}"
    return None


def _describe(error: BaseException) -> str:
    return f"{type(error).__qualname__}: {error}"


def _interrupted(error: BaseException) -> StopReason:
    return StopReason(StopKind.INTERRUPTED, f"{type(error).__qualname__}: {error}")
