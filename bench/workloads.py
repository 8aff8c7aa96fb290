"""What the benchmarks run: intents, an accept-everything in-memory route, the
reference loop, and the hand-written bare loop it is compared with."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from spec import PHASE4, TRANSITIONS, ExecutionIntent, ExecutionResponse, OrderEvent, OrderState, RiskGate, Side

from reference_impl.runtime.execution_loop.loop import ExecutionLoop
from reference_impl.runtime.execution_loop.policies.stop_policy import AnyOf
from reference_impl.runtime.risk.noop_risk_gate import NoopRiskGate

ONE = Decimal(1)


def intents(count: int) -> Iterator[ExecutionIntent]:
    """Made lazily, as a real source would, so their memory is what the run keeps."""
    return (ExecutionIntent(f"o-{n}", "QTS", Side.BUY, ONE) for n in range(count))


class AcceptingRoute:
    """The cheapest honest route: a validated response for every intent."""

    def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
        return ExecutionResponse(intent.intent_id, True)


def reference_loop() -> ExecutionLoop[OrderState]:
    return ExecutionLoop(AcceptingRoute(), NoopRiskGate(), AnyOf(), machine=PHASE4)


def bare_loop(source: Iterator[ExecutionIntent], route: AcceptingRoute, gate: RiskGate) -> list[tuple[object, ...]]:
    """The minimum the same work needs: three hooks, the route, one table lookup, one
    append. No states kept, no faults, no stop policy, no duplicate check."""
    out: list[tuple[object, ...]] = []
    table = TRANSITIONS
    key = (OrderState.SUBMITTED, OrderEvent.ACCEPT)
    for intent in source:
        if gate.before_intent(intent) and gate.before_route(intent):  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
            response = route.execute(intent)
            gate.after_response(intent, response)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
            out.append((intent, table[key], response))
    return out
