"""The unchanged loop reaches an extension's states (seed 5, STATE-8, LOOP-10).

The state model, not the loop, says which events a route's answer fires. This test
brings its own duck-typed model on purpose: it is the evidence with which this kit
unlocked its loop for the extension point (``phase4.lock``), so it must run against the
locked version too, where ``spec`` had no such hook yet and the loop read only
``accepted``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from spec import PHASE4, ExecutionIntent, ExecutionResponse, InvalidTransition, OrderEvent, Side

from reference_impl.runtime.execution_loop.loop import ExecutionLoop
from reference_impl.runtime.execution_loop.policies.stop_policy import AnyOf


class IocState(StrEnum):
    CREATED = "created"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    BLOCKED = "blocked"
    FAILED = "failed"
    PARTIALLY_FILLED = "partially_filled"
    CLOSED_PARTIAL = "closed_partial"
    EXPIRED = "expired"


class IocEvent(StrEnum):
    PARTIAL_FILL = "partial_fill"
    CANCEL_REST = "cancel_rest"
    EXPIRE = "expire"


@dataclass(frozen=True, slots=True)
class IocReport(ExecutionResponse):
    """A venue's answer to an immediate-or-cancel order: how much it filled."""

    filled: Decimal = Decimal(0)


class IocModel:
    """Phase 4's table plus an IOC partial fill (filled part, rest cancelled) and expiry."""

    states = IocState
    initial = IocState.CREATED
    terminal = frozenset(
        {IocState.ACCEPTED, IocState.REJECTED, IocState.BLOCKED, IocState.FAILED,
         IocState.CLOSED_PARTIAL, IocState.EXPIRED}
    )
    table: Mapping[tuple[IocState, StrEnum], IocState] = {
        **{(IocState(s.value), e): IocState(t.value) for (s, e), t in PHASE4.table.items()},
        (IocState.SUBMITTED, IocEvent.PARTIAL_FILL): IocState.PARTIALLY_FILLED,
        (IocState.PARTIALLY_FILLED, IocEvent.CANCEL_REST): IocState.CLOSED_PARTIAL,
        (IocState.PARTIALLY_FILLED, OrderEvent.FAIL): IocState.FAILED,
        (IocState.SUBMITTED, IocEvent.EXPIRE): IocState.EXPIRED,
    }

    def transition(self, state: IocState, event: StrEnum, /) -> IocState:
        try:
            return self.table[state, event]
        except KeyError:
            raise InvalidTransition(state, event, terminal=state in self.terminal) from None

    def events_for(self, intent: ExecutionIntent, response: ExecutionResponse, /) -> tuple[StrEnum, ...]:
        if isinstance(response, IocReport) and response.accepted:
            if response.filled == 0:
                return (IocEvent.EXPIRE,)
            if response.filled < intent.quantity:
                return (IocEvent.PARTIAL_FILL, IocEvent.CANCEL_REST)
        return (OrderEvent.ACCEPT,) if response.accepted is True else (OrderEvent.REJECT,)


class IocVenue:
    """Fills ``fills[intent_id]`` of each order, immediately, and cancels the rest."""

    def __init__(self, fills: Mapping[str, Decimal]) -> None:
        self.fills = fills

    def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
        return IocReport(intent.intent_id, accepted=True, filled=self.fills[intent.intent_id])


class SeenStates:
    """A gate that allows everything and notes the state ``after_response`` is shown."""

    def __init__(self) -> None:
        self.shown: list[str] = []

    def before_intent(self, intent: ExecutionIntent, /) -> bool:
        return True

    def before_route(self, order: object, /) -> bool:
        return True

    def after_response(self, order: object, response: ExecutionResponse, /) -> bool:
        self.shown.append(getattr(order, "state").value)
        return True


def test_the_unchanged_loop_takes_orders_along_the_path_the_model_declares() -> None:
    intents = [ExecutionIntent(i, "KRX:005930", Side.BUY, Decimal(10)) for i in ("full", "part", "none")]
    gate = SeenStates()
    model = IocModel()
    loop = ExecutionLoop(IocVenue({"full": Decimal(10), "part": Decimal(4), "none": Decimal(0)}), gate, AnyOf(),
                         machine=model)  # pyright: ignore[reportArgumentType]  # duck-typed on purpose (docstring)

    report = loop.run(intents)

    assert [(o.intent.intent_id, [s.value for s in o.history]) for o in report.orders] == [
        ("full", ["created", "submitted", "accepted"]),
        ("part", ["created", "submitted", "partially_filled", "closed_partial"]),
        ("none", ["created", "submitted", "expired"]),
    ]
    assert all(o.state in model.terminal for o in report.orders)
    assert gate.shown == ["accepted", "closed_partial", "expired"]
