"""What the benchmarks run: intents and responses, the reference loop, and the floor
loop it is measured against.

Two workloads. *Loop alone*: intents and responses are built before the clock starts
and the route returns the pre-built response for the intent it is given, so the
timed region holds nothing but the loop. *End to end*: intents are made lazily by the
source and the route builds a validated response per call, as a real run would; the
construction of both values is then in the figure.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from enum import StrEnum

from spec import PHASE4, ExecutionIntent, ExecutionResponse, OrderEvent, OrderState, RiskGate, Side, StateModel

from reference_impl.runtime.execution_loop.loop import ExecutionLoop
from reference_impl.runtime.execution_loop.policies.stop_policy import AnyOf
from reference_impl.runtime.risk.noop_risk_gate import NoopRiskGate

ONE = Decimal(1)


def intents(count: int) -> Iterator[ExecutionIntent]:
    """Made lazily, as a real source would, so their memory is what the run keeps."""
    return (ExecutionIntent(f"o-{n}", "QTS", Side.BUY, ONE) for n in range(count))


class AcceptingRoute:
    """End to end: the cheapest honest route, a validated response built per call."""

    __slots__ = ()

    def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
        return ExecutionResponse(intent.intent_id, True)


class PrebuiltRoute:
    """Loop alone: answers each intent with a response built before the clock started."""

    __slots__ = ("_answers",)

    def __init__(self, answers: dict[str, ExecutionResponse]) -> None:
        self._answers = answers

    def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
        return self._answers[intent.intent_id]


def prebuilt(count: int) -> tuple[list[ExecutionIntent], PrebuiltRoute]:
    """``count`` intents and a route holding an accepting response for each."""
    made = list(intents(count))
    return made, PrebuiltRoute({i.intent_id: ExecutionResponse(i.intent_id, True) for i in made})


def reference_loop(route: AcceptingRoute | PrebuiltRoute) -> ExecutionLoop[OrderState]:
    """The reference loop as the kit ships it: no-op gate, no stop policy beyond the
    stops every run obeys, the Phase 4 machine."""
    return ExecutionLoop(route, NoopRiskGate(), AnyOf(), machine=PHASE4)


FloorRecord = tuple[ExecutionIntent, tuple[StrEnum, ...], ExecutionResponse, None]


def floor_loop(
    source: Iterable[ExecutionIntent],
    route: AcceptingRoute | PrebuiltRoute,
    gate: RiskGate[OrderState],
    machine: StateModel[OrderState],
) -> list[FloorRecord]:
    """The least work the contract asks of a loop per intent, on the path every intent
    of the benchmark takes (all hooks allow, the route accepts):

    1. ``before_intent(intent)``; only ``True`` goes on (RISK-1, RISK-4);
    2. ``before_route`` shown the order as it stands: the intent and its history
       ``(CREATED,)`` as a plain tuple, the cheapest object carrying what a view does;
    3. CREATED -> SUBMITTED, a lookup in the table keyed by (state, event) (STATE-4);
    4. ``route.execute(intent)``, once (LOOP-1);
    5. the answer's events from the state model (``machine.events_for``, STATE-8), each
       applied by a table lookup;
    6. the history as a tuple, the record as an immutable tuple (intent, history,
       response, fault), ``after_response(record, response)`` (RISK-3);
    7. one append to the run's list of records.

    What it leaves out is everything a loop adds to survive the world: refusals and
    their faults, a raising or lying route (LOOP-4, LOOP-5), duplicate ids (LOOP-2),
    the stop policy and the controller's counts (LOOP-6..8), an answer the machine
    cannot read (LOOP-10), a typed record. The gap between this loop and the reference
    is what those cost: the loop's overhead.
    """
    table = dict(machine.table)
    events_for = machine.events_for
    created = machine.initial
    submit = OrderEvent.SUBMIT
    before_intent, before_route, after_response = gate.before_intent, gate.before_route, gate.after_response
    execute = route.execute
    records: list[FloorRecord] = []
    append = records.append
    for intent in source:
        if before_intent(intent) is not True:
            continue
        if before_route((intent, (created,))) is not True:  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
            continue
        state = table[created, submit]
        history: tuple[StrEnum, ...] = (created, state)
        response = execute(intent)
        for event in events_for(intent, response):
            state = table[state, event]
            history += (state,)
        record = (intent, history, response, None)
        after_response(record, response)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
        append(record)
    return records
