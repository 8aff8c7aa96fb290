"""The Execution Loop (seed 2.1): one synchronous loop that settles one intent at a time.

For each intent, in this order (RISK-5): ``before_intent`` -> order CREATED ->
``before_route`` -> SUBMITTED -> ``route.execute`` -> the states the answer's events
lead to (ACCEPTED / REJECTED in Phase 4, an extension's own path in Phase 5) or FAILED
-> ``after_response``. Every state comes from the machine's table, and which events an
answer fires comes from the machine too (STATE-8, LOOP-10): the loop decides neither.
Whatever the route or the gate does, the order leaves the iteration in a terminal state
(TERMINAL-1), also when an exception ends the run (LOOP-5) and wherever an asynchronous
interrupt lands (LOOP-12). What comes from outside (intents, responses, hook verdicts,
stop-policy answers) is checked where it enters, and a run cannot be re-entered (LOOP-11).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import suppress
from typing import Any, Generic

from spec.errors import InvalidIntent, LoopReentered
from spec.loop import StopPolicy
from spec.order_state import OrderEvent
from spec.records import Fault, FaultSite, OrderRecord, RunReport, StopKind, StopReason
from spec.risk import RiskGate
from spec.route import ExecutionRoute
from spec.show import describe_exception, show, type_name
from spec.state_machine import S, StateModel
from spec.values import ExecutionIntent, ExecutionResponse

from reference_impl.runtime.execution_loop.controller import LoopController

_EXHAUSTED, _UNREAD = object(), object()

# The hot path builds records with tuple.__new__ directly: OrderRecord's own __new__ is
# a Python function that only forwards its four fields, and calling it costs more than
# building the tuple (docs/benchmarks.md, issue 15).
_new_record: Callable[[type[OrderRecord[Any]], tuple[object, ...]], OrderRecord[Any]] = tuple.__new__  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]

# Enum members bound once: reading OrderEvent.SUBMIT off the class costs ~100 ns on
# CPython 3.11, several times per order on the hot path (see docs/benchmarks.md).
_SUBMIT, _BLOCK, _FAIL = OrderEvent.SUBMIT, OrderEvent.BLOCK, OrderEvent.FAIL
_INTAKE, _BEFORE_INTENT, _BEFORE_ROUTE, _ROUTE, _AFTER_RESPONSE = (
    FaultSite.INTAKE, FaultSite.BEFORE_INTENT, FaultSite.BEFORE_ROUTE, FaultSite.ROUTE, FaultSite.AFTER_RESPONSE,
)


class ExecutionLoop(Generic[S]):
    """Calls ``route`` once per intent pulled, until its controller says stop."""

    __slots__ = ("_route", "_gate", "_machine", "_controller", "_last_report", "_running")

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
        self._running = False

    @property
    def last_report(self) -> RunReport[S] | None:
        return self._last_report

    def request_stop(self) -> None:
        self._controller.request_stop()

    def run(self, intents: Iterable[ExecutionIntent], /) -> RunReport[S]:
        if self._running:
            raise LoopReentered()  # before anything is pulled or reset (LOOP-11)
        # An asynchronous interrupt can land between any two calls below (LOOP-12); the
        # handler then reads these names, so they are bound before the run starts and
        # kept true of the intent in flight: ``taken`` is everything the source handed
        # over, ``history``, ``answer`` and ``site`` how far the last of it got.
        # ``history`` is a tuple rebound at each step, never a list grown in place: the
        # handler sees the order before or after a step, and the record takes it as is.
        taken: list[ExecutionIntent] = []
        orders: list[OrderRecord[S]] = []
        history: tuple[S, ...] = ()
        answer: ExecutionResponse | None = None
        site = _INTAKE
        self._running = True
        try:
            machine, gate, route, controller = self._machine, self._gate, self._route, self._controller
            # The controller's and the machine's methods, bound once per run: this is the hot
            # path, and a bound method saves a lookup per call. (The gate's and the route's
            # are looked up per call, inside the handlers that turn their failures into faults.)
            next_stop, path_of = controller.next_stop, self._path
            transition = machine.transition
            initial = machine.initial
            # The same row for every order: read from the table once per run, not per order;
            # so are the histories every order shares up to its answer.
            submitted = transition(initial, _SUBMIT)
            opened, routed = (initial,), (initial, submitted)
            seen: set[str] = set()
            see = seen.add
            events_for = machine.events_for
            histories: dict[object, tuple[S, ...] | str] = {}
            # map() takes an object from the source and appends it to ``taken`` within one
            # C call, so no interrupt can fall between the two: nothing pulled is lost.
            pulls = map(taken.append, intents)
            controller.begin_run(orders)
            while (stop := next_stop()) is None:
                history, answer, site = opened, None, _INTAKE
                if next(pulls, _EXHAUSTED) is _EXHAUSTED:
                    controller.mark_exhausted()
                    continue
                intent = taken[-1]
                # Only a validated intent goes on (LOOP-3): _intent_id(intent), inlined.
                try:
                    intent_id = intent.intent_id if type(intent) is ExecutionIntent else _intent_id(intent)
                except AttributeError:  # an ExecutionIntent built around its constructor
                    intent_id = None
                if type(intent_id) is not str:
                    raise InvalidIntent(_not_an_intent(intent, len(orders)))
                if intent_id in seen:
                    orders.append(self._refuse_repeat(intent, history))
                    continue
                see(intent_id)

                # Hooks are called inline (not through a helper) because this is the hot
                # path; only a refusal pays for building its Fault (RISK-4).
                site = _BEFORE_INTENT
                try:
                    verdict: object = gate.before_intent(intent)
                except Exception as error:
                    verdict = _Raised(error)
                if verdict is True:
                    site = _BEFORE_ROUTE
                    try:
                        # The view of the order just opened is its record at CREATED (OrderView).
                        verdict = gate.before_route(_new_record(OrderRecord, (intent, opened, None, None)))
                    except Exception as error:
                        verdict = _Raised(error)
                if verdict is not True:
                    history = (initial, transition(initial, _BLOCK))
                    orders.append(OrderRecord(intent, history, fault=_refusal(site, verdict)))
                    continue

                history, site = routed, _ROUTE
                try:
                    response = route.execute(intent)
                    # LOOP-4: the common case, a validated answer for this intent, checked
                    # inline; anything else gets its reason from _response_problem.
                    problem = (
                        None
                        if type(response) is ExecutionResponse
                        and response.intent_id is intent_id
                        and ((accepted := response.accepted) is True or accepted is False)
                        else _response_problem(intent, response)
                    )
                except Exception as error:
                    orders.append(self._fail(intent, history, Fault.from_exception(site, error)))
                    continue
                if problem is not None:
                    orders.append(self._fail(intent, history, Fault(site, problem)))
                    continue
                answer = response
                # The history an answer's events lead to depends on the events alone (one
                # table, STATE-4): worked out once per run for each kind of answer.
                events: object = _UNREAD
                try:
                    events = events_for(intent, response)
                    walked = histories[events]
                except Exception:  # events not seen yet in this run, or the model cannot read the answer
                    path = path_of(intent, response, submitted)  # asks the model again, and explains
                    walked = path if isinstance(path, str) else (*routed, *path)
                    if events is not _UNREAD:
                        with suppress(Exception):  # events the model gave unhashable: not kept
                            histories[events] = walked
                if isinstance(walked, str):
                    # The venue did answer: keep what it said beside the fault (LOOP-10).
                    history = (*routed, transition(submitted, _FAIL))
                    orders.append(OrderRecord(intent, history, response, Fault(site, walked)))
                    continue
                history = walked  # one store: the order is never seen half-way along its path
                order = _new_record(OrderRecord, (intent, history, response, None))
                site = _AFTER_RESPONSE
                try:
                    verdict = gate.after_response(order, response)
                except Exception as error:
                    verdict = _Raised(error)
                if verdict is not True:
                    # The venue's answer stands (RISK-3), and the run halts.
                    order = OrderRecord(intent, order.history, response, _refusal(site, verdict))
                    controller.halt_for_gate()
                orders.append(order)
            report = RunReport(tuple(orders), stop)
            self._last_report = report
            return report
        except BaseException as error:
            try:
                self._last_report = self._interrupted(taken, orders, history, answer, site, error)
            except BaseException as late:
                # An interrupt landed while the run was recorded (LOOP-12): record once more.
                # Once only: a recording that fails every time (a broken model) must surface.
                self._last_report = self._interrupted(taken, orders, history, answer, site, late)
                raise
            raise
        finally:
            self._running = False
            self._controller.end_run()

    def _refuse_repeat(self, intent: ExecutionIntent, history: tuple[S, ...]) -> OrderRecord[S]:
        """LOOP-2: an intent id already pulled in this run is never routed again."""
        fault = Fault(_INTAKE, f"intent id {intent.intent_id!r} was already pulled in this run; not routed again")
        return self._fail(intent, history, fault)

    def _interrupted(
        self,
        taken: list[ExecutionIntent],
        orders: list[OrderRecord[S]],
        history: tuple[S, ...],
        answer: ExecutionResponse | None,
        site: FaultSite,
        error: BaseException,
    ) -> RunReport[S]:
        """LOOP-5, LOOP-12: the report of a run an exception ended. An intent pulled but
        not yet recorded (at most one: the one in flight) is settled from where it stood.
        Safe to call again if an interrupt cut it short: it only appends what is missing."""
        fault = Fault.from_exception(site, error)
        if len(taken) > len(orders) and _intent_id(taken[-1]) is not None:
            orders.append(self._abandon(taken[-1], history, answer, fault))
        return RunReport(tuple(orders), StopReason(StopKind.INTERRUPTED, fault.message))

    def _path(self, intent: ExecutionIntent, response: ExecutionResponse, submitted: S) -> list[S] | str:
        """The states the answer's events lead through (STATE-8, LOOP-10), ending
        terminal, or why not.

        Computed whole before any of it is recorded, so an answer the machine cannot
        read fails the order from SUBMITTED instead of leaving it half-way (TERMINAL-1).
        """
        machine = self._machine
        transition = machine.transition
        path: list[S] = []
        state = submitted
        try:
            for event in machine.events_for(intent, response):
                state = transition(state, event)
                path.append(state)
        except Exception as error:
            return f"LOOP-10: the state model cannot read the answer: {describe_exception(error)}"
        if not path or state not in machine.terminal:
            return f"LOOP-10: the answer's events end in {state.value!r}, which is not terminal (STATE-8)"
        return path

    def _fail(self, intent: ExecutionIntent, history: tuple[S, ...], fault: Fault) -> OrderRecord[S]:
        return OrderRecord(intent, (*history, self._machine.transition(history[-1], _FAIL)), fault=fault)

    def _abandon(
        self,
        intent: ExecutionIntent,
        history: tuple[S, ...],
        response: ExecutionResponse | None,
        fault: Fault,
    ) -> OrderRecord[S]:
        """LOOP-5: settle an order an exception is about to leave behind. An order the
        venue already answered keeps its answer (RISK-3)."""
        if history[-1] not in self._machine.terminal:
            history = (*history, self._machine.transition(history[-1], _FAIL))
        return OrderRecord(intent, history, response, fault)


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
    return Fault(site, f"returned {type_name(verdict)} {show(verdict)}, not a bool; treated as a refusal")


def _intent_id(item: object) -> str | None:
    """The id of a pulled intent, or None if ``item`` is not a validated intent (LOOP-3).

    An ``ExecutionIntent`` built around its constructor may lack fields or carry an id
    that is not a plain ``str``, whose equality and hash could defeat LOOP-2.
    """
    if isinstance(item, ExecutionIntent):
        intent_id = getattr(item, "intent_id", None)
        if type(intent_id) is str:
            return intent_id
    return None


def _not_an_intent(item: object, settled: int) -> str:
    what = "an ExecutionIntent built around its constructor" if isinstance(item, ExecutionIntent) else type_name(item)
    return (
        f"the intent source yielded {what} {show(item)} after {settled} intent(s); it must yield "
        "spec.ExecutionIntent values made by its constructor (LOOP-3)"
    )


def _response_problem(intent: ExecutionIntent, response: object) -> str | None:
    """Why ``response`` cannot settle ``intent`` (LOOP-4), or None if it can.

    Takes ``object`` on purpose: the route is outside our control, whatever its types say,
    and a response built around its constructor may lack fields or hold odd ones.
    """
    if not isinstance(response, ExecutionResponse):
        return f"route returned {type_name(response)} {show(response)}, not a spec.ExecutionResponse"
    # A response built around its constructor may lack these: AttributeError, a route failure.
    answered: object = response.intent_id
    accepted: object = response.accepted
    if type(answered) is not str or answered != intent.intent_id:
        return f"route answered for intent {show(answered)} when asked for {intent.intent_id!r}"
    if accepted is not True and accepted is not False:
        return f"route answered accepted={show(accepted)}, which is neither True nor False"
    return None
