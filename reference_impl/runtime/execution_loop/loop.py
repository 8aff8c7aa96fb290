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

Read it in three steps: ``ExecutionLoop.run`` guards against re-entry and records how
the run ended, however it ended; ``_Run.settle_all`` pulls intent after intent until the
controller says stop; ``_Run.settle`` takes one intent through the steps above. The
speed tricks on that path each have their figure in docs/benchmarks.md.
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
# building the tuple (docs/benchmarks.md).
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
        """Settle intent after intent until the controller says stop, and report. However
        the run ends, ``last_report`` holds every intent pulled, settled (LOOP-5, LOOP-12),
        and the loop can run again (LOOP-11)."""
        if self._running:
            raise LoopReentered()  # before anything is pulled or reset (LOOP-11)
        run = _Run(self._route, self._gate, self._machine, self._controller)
        # Interrupts (LOOP-12). A signal handler's exception lands at an execution point:
        # where a Python function starts or resumes, at a loop's backward jump, right after
        # a call returns. From the store below to the end of the ``finally`` clause, every
        # such point is covered by the handlers: the store and the ``try`` have none
        # between them, and the steps of the run happen in _Run's methods, in frames of
        # their own. (In one function, CPython 3.13 leaves a ``while`` loop's closing
        # jump outside the range of the ``try`` around it: an interrupt there would skip
        # both clauses below.)
        self._running = True
        try:
            report = run.settle_all(intents)
            self._last_report = report
            return report
        except BaseException as error:
            try:
                self._last_report = run.interrupted(error)
            except BaseException as late:
                # An interrupt landed while the run was recorded (LOOP-12): record once more.
                # Once only: a recording that fails every time (a broken model) must surface.
                self._last_report = run.interrupted(late)
                raise
            raise
        finally:
            self._running = False  # first: no execution point comes before it
            try:
                self._controller.end_run()  # a stop requested during the run is used up (LOOP-7)
            except BaseException:
                self._controller.end_run()  # an interrupt as it started: once more
                raise


class _Run(Generic[S]):
    """One run's work, step by step, and how far its intent in flight got.

    run()'s handler settles the intent in flight from what this object says at the
    moment an exception lands, so every execution point of these methods leaves it true:
    ``taken`` is everything the source handed over, ``orders`` the records so far, and
    ``history``, ``answer`` and ``site`` how far the last intent got. ``history`` is a
    tuple rebound at each step, never grown in place: the handler sees the order before
    or after a step, and the record takes it as it is.
    """

    __slots__ = ("_route", "_gate", "_machine", "_controller", "_seen", "_walks", "_opened", "_routed",
                 "_submitted", "taken", "orders", "history", "answer", "site")

    def __init__(self, route: ExecutionRoute, gate: RiskGate[S], machine: StateModel[S], controller: LoopController[S]) -> None:
        self._route = route
        self._gate = gate
        self._machine = machine
        self._controller = controller
        self._seen: set[str] = set()
        self._walks: dict[object, tuple[S, ...] | str] = {}
        self.taken: list[ExecutionIntent] = []
        self.orders: list[OrderRecord[S]] = []
        self.history: tuple[S, ...] = ()
        self.answer: ExecutionResponse | None = None
        self.site = _INTAKE

    def settle_all(self, intents: Iterable[ExecutionIntent]) -> RunReport[S]:
        """Pull and settle until the controller says stop (LOOP-6, LOOP-7, LOOP-8)."""
        machine, controller, taken = self._machine, self._controller, self.taken
        # The histories every order shares up to its answer, read from the table once per run.
        initial = machine.initial
        self._submitted = submitted = machine.transition(initial, _SUBMIT)
        self._opened = opened = (initial,)
        self._routed = (initial, submitted)
        # map() takes an object from the source and appends it to ``taken`` within one
        # C call, with no execution point between the two: nothing pulled is lost.
        pulls = map(taken.append, intents)
        next_stop, settle = controller.next_stop, self.settle
        controller.begin_run(self.orders)
        while (stop := next_stop()) is None:
            self.history, self.answer, self.site = opened, None, _INTAKE  # the next intent opens at CREATED
            if next(pulls, _EXHAUSTED) is _EXHAUSTED:
                controller.mark_exhausted()
            else:
                settle(taken[-1])
        return RunReport(tuple(self.orders), stop)

    def settle(self, intent: ExecutionIntent) -> None:
        """One intent, in the order of RISK-5: intake, ``before_intent``, CREATED,
        ``before_route``, SUBMITTED, the route, the answer's path, ``after_response``.
        Its record is appended last. (This is the hot path: hooks and checks are inline,
        and only a refusal or a failure pays for building its Fault.)"""
        orders = self.orders

        # Intake: only a validated intent goes on (LOOP-3), and an id only once (LOOP-2).
        try:
            intent_id = intent.intent_id if type(intent) is ExecutionIntent else _intent_id(intent)
        except AttributeError:  # an ExecutionIntent built around its constructor
            intent_id = None
        if type(intent_id) is not str:
            raise InvalidIntent(_not_an_intent(intent, len(orders)))
        seen = self._seen
        if intent_id in seen:
            fault = Fault(_INTAKE, f"intent id {intent_id!r} was already pulled in this run; not routed again")
            orders.append(self._failed(intent, fault))
            return
        seen.add(intent_id)

        # The gate before the route: only True allows (RISK-1, RISK-2, RISK-4).
        gate = self._gate
        self.site = _BEFORE_INTENT
        try:
            verdict: object = gate.before_intent(intent)
        except Exception as error:
            verdict = _Raised(error)
        if verdict is True:
            self.site = _BEFORE_ROUTE
            try:
                # The view of the order just opened is its record at CREATED (OrderView).
                verdict = gate.before_route(_new_record(OrderRecord, (intent, self._opened, None, None)))
            except Exception as error:
                verdict = _Raised(error)
        if verdict is not True:
            initial = self._opened[0]
            self.history = (initial, self._machine.transition(initial, _BLOCK))
            orders.append(OrderRecord(intent, self.history, fault=_refusal(self.site, verdict)))
            return

        # The route, and a validated answer for this intent (LOOP-4): the common case is
        # checked inline; anything else gets its reason from _response_problem.
        self.history, self.site = self._routed, _ROUTE
        try:
            response = self._route.execute(intent)
            problem = (
                None
                if type(response) is ExecutionResponse
                and response.intent_id is intent_id
                and ((accepted := response.accepted) is True or accepted is False)
                else _response_problem(intent, response)
            )
        except Exception as error:
            orders.append(self._failed(intent, Fault.from_exception(_ROUTE, error)))
            return
        if problem is not None:
            orders.append(self._failed(intent, Fault(_ROUTE, problem)))
            return

        # The states the answer's events lead to, from the machine (LOOP-10, STATE-8). They
        # depend on the events alone (one table, STATE-4): worked out once per run for each
        # kind of answer, and looked up here (docs/benchmarks.md).
        self.answer = response
        events: object = _UNREAD
        try:
            events = self._machine.events_for(intent, response)
            walked = self._walks[events]
        except Exception:  # events not seen yet in this run, or the model cannot read the answer
            walked = self._walk(intent, response, events)
        if isinstance(walked, str):
            # The venue did answer: keep what it said beside the fault (LOOP-10).
            self.history = (*self._routed, self._machine.transition(self._submitted, _FAIL))
            orders.append(OrderRecord(intent, self.history, response, Fault(_ROUTE, walked)))
            return
        self.history = walked  # one store: the order is never seen half-way along its path
        order = _new_record(OrderRecord, (intent, walked, response, None))

        # The gate after the answer: a refusal keeps the venue's answer and halts the run (RISK-3).
        self.site = _AFTER_RESPONSE
        try:
            verdict = gate.after_response(order, response)
        except Exception as error:
            verdict = _Raised(error)
        if verdict is not True:
            order = OrderRecord(intent, walked, response, _refusal(_AFTER_RESPONSE, verdict))
            self._controller.halt_for_gate()
        orders.append(order)

    def _walk(self, intent: ExecutionIntent, response: ExecutionResponse, events: object) -> tuple[S, ...] | str:
        """The order's whole history once the answer's events are applied, or why there is
        none; kept for the next answer of the same events (``events`` is _UNREAD when the
        model could not give them)."""
        path = self._path(intent, response)  # asks the model again, and explains
        walked = path if isinstance(path, str) else (*self._routed, *path)
        if events is not _UNREAD:
            with suppress(Exception):  # events the model gave unhashable: not kept
                self._walks[events] = walked
        return walked

    def _path(self, intent: ExecutionIntent, response: ExecutionResponse) -> list[S] | str:
        """The states after SUBMITTED the answer's events lead through, ending terminal,
        or why not (STATE-8, LOOP-10). Computed whole before any of it is recorded, so an
        answer the machine cannot read fails the order from SUBMITTED instead of leaving
        it half-way (TERMINAL-1)."""
        machine = self._machine
        path: list[S] = []
        state = self._submitted
        try:
            for event in machine.events_for(intent, response):
                state = machine.transition(state, event)
                path.append(state)
        except Exception as error:
            return f"LOOP-10: the state model cannot read the answer: {describe_exception(error)}"
        if not path or state not in machine.terminal:
            return f"LOOP-10: the answer's events end in {state.value!r}, which is not terminal (STATE-8)"
        return path

    def _failed(self, intent: ExecutionIntent, fault: Fault) -> OrderRecord[S]:
        """The order failed where it stands (TERMINAL-1)."""
        history = self.history
        return OrderRecord(intent, (*history, self._machine.transition(history[-1], _FAIL)), fault=fault)

    def interrupted(self, error: BaseException) -> RunReport[S]:
        """LOOP-5, LOOP-12: the report of a run an exception ended. An intent pulled but
        not yet recorded (at most one: the one in flight) is settled from where it stood;
        an order the venue already answered keeps its answer (RISK-3). Safe to call again
        if an interrupt cut it short: it only appends what is missing."""
        fault = Fault.from_exception(self.site, error)
        taken, orders = self.taken, self.orders
        if len(taken) > len(orders) and _intent_id(taken[-1]) is not None:
            history = self.history
            if history[-1] not in self._machine.terminal:
                history = (*history, self._machine.transition(history[-1], _FAIL))
            orders.append(OrderRecord(taken[-1], history, self.answer, fault))
        return RunReport(tuple(orders), StopReason(StopKind.INTERRUPTED, fault.message))


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
