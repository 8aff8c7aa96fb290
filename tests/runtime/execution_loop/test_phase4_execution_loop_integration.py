"""Seed test asset: the loop exists and runs, states transition, the risk gate can
intervene at every hook, and the real-order path is not used (seed 3)."""

from __future__ import annotations

import socket
from decimal import Decimal

import pytest
from pytest_socket import SocketBlockedError

from spec import (
    PHASE4,
    ExecutionIntent,
    ExecutionResponse,
    FaultSite,
    OrderState,
    OrderView,
    RunReport,
    Side,
    StopKind,
)
from spec.loop import StopPolicy
from spec.risk import RiskGate

from reference_impl.binding import QTS_IMPLEMENTATION
from reference_impl.runtime.execution_loop.loop import ExecutionLoop
from reference_impl.runtime.execution_loop.policies.stop_policy import AnyOf, MaxConsecutiveFailures, MaxExecutions
from reference_impl.runtime.risk.noop_risk_gate import NoopRiskGate
from reference_impl.simulated_route import Outcome, SimulatedRoute, SimulatedVenueError


def intents(*ids: str) -> list[ExecutionIntent]:
    return [ExecutionIntent(i, "KRX:005930", Side.BUY, Decimal("10"), Decimal("71000")) for i in ids]


def make_loop(route: SimulatedRoute, gate: RiskGate | None = None, policy: StopPolicy | None = None) -> ExecutionLoop[OrderState]:
    return ExecutionLoop(route, gate or NoopRiskGate(), policy or AnyOf(), machine=PHASE4)


def states(report: RunReport[OrderState]) -> list[tuple[str, list[str]]]:
    return [(o.intent.intent_id, [s.value for s in o.history]) for o in report.orders]


def test_the_loop_exists_and_runs_every_intent() -> None:
    route = SimulatedRoute()
    report = make_loop(route).run(intents("a", "b", "c"))
    assert [i.intent_id for i in route.calls] == ["a", "b", "c"]
    assert [o.state for o in report.orders] == [OrderState.ACCEPTED] * 3
    assert report.stop.kind is StopKind.SOURCE_EXHAUSTED


def test_state_transitions_happen_for_every_outcome() -> None:
    route = SimulatedRoute({"b": Outcome.REJECT, "c": Outcome.RAISE})
    report = make_loop(route).run(intents("a", "b", "c"))
    assert states(report) == [
        ("a", ["created", "submitted", "accepted"]),
        ("b", ["created", "submitted", "rejected"]),
        ("c", ["created", "submitted", "failed"]),
    ]
    fault = report.orders[2].fault
    assert fault is not None and fault.site is FaultSite.ROUTE and "SimulatedVenueError" in fault.message
    assert report.orders[0].response == ExecutionResponse("a", True, None, "sim-1")


class RefusingGate:
    """Refuses at one hook, for one intent id; records every call."""

    def __init__(self, hook: str, intent_id: str) -> None:
        self.hook = hook
        self.intent_id = intent_id
        self.calls: list[tuple[str, str]] = []

    def _answer(self, hook: str, intent_id: str) -> bool:
        self.calls.append((hook, intent_id))
        return not (hook == self.hook and intent_id == self.intent_id)

    def before_intent(self, intent: ExecutionIntent, /) -> bool:
        return self._answer("before_intent", intent.intent_id)

    def before_route(self, order: OrderView, /) -> bool:
        return self._answer("before_route", order.intent.intent_id)

    def after_response(self, order: OrderView, response: ExecutionResponse, /) -> bool:
        return self._answer("after_response", order.intent.intent_id)


@pytest.mark.parametrize("hook", ["before_intent", "before_route"])
def test_the_risk_gate_can_block_before_routing(hook: str) -> None:
    route = SimulatedRoute()
    report = make_loop(route, RefusingGate(hook, "b")).run(intents("a", "b", "c"))
    assert [i.intent_id for i in route.calls] == ["a", "c"]
    assert states(report)[1] == ("b", ["created", "blocked"])
    assert report.orders[1].fault is not None and report.orders[1].fault.site.value == hook


def test_the_risk_gate_can_halt_after_a_response_without_undoing_it() -> None:
    route = SimulatedRoute()
    gate = RefusingGate("after_response", "b")
    report = make_loop(route, gate).run(intents("a", "b", "c"))
    assert states(report) == [("a", ["created", "submitted", "accepted"]), ("b", ["created", "submitted", "accepted"])]
    assert report.stop.kind is StopKind.GATE_HALT and "'b'" in report.stop.detail
    assert [i.intent_id for i in route.calls] == ["a", "b"]


def test_the_hooks_are_called_in_order_for_each_intent() -> None:
    gate = RefusingGate("none", "")
    make_loop(SimulatedRoute(), gate).run(intents("a"))
    assert gate.calls == [("before_intent", "a"), ("before_route", "a"), ("after_response", "a")]


@pytest.mark.filterwarnings("ignore:A test tried to use socket.socket")
def test_the_real_order_path_is_not_used() -> None:
    """The run happens with sockets disabled (pytest-socket, --disable-socket) and every
    order goes through the simulated route, which records it."""
    with pytest.raises(SocketBlockedError):
        socket.socket()
    route = SimulatedRoute()
    report = QTS_IMPLEMENTATION.make_loop(route, QTS_IMPLEMENTATION.make_noop_gate(), AnyOf()).run(intents("a", "b"))
    assert [o.intent for o in report.orders] == route.calls


def test_max_executions_counts_route_calls_not_orders() -> None:
    route = SimulatedRoute()
    gate = RefusingGate("before_route", "b")
    report = make_loop(route, gate, MaxExecutions(2)).run(intents("a", "b", "c", "d"))
    assert [i.intent_id for i in route.calls] == ["a", "c"]
    assert report.stop.kind is StopKind.MAX_EXECUTIONS
    assert len(report.orders) == 3


def test_max_consecutive_failures_stops_a_failing_venue() -> None:
    route = SimulatedRoute(default=Outcome.RAISE)
    report = make_loop(route, policy=MaxConsecutiveFailures(2)).run(intents("a", "b", "c"))
    assert [o.state for o in report.orders] == [OrderState.FAILED, OrderState.FAILED]
    assert report.stop.kind is StopKind.MAX_CONSECUTIVE_FAILURES


def test_any_of_names_the_first_policy_that_stops() -> None:
    report = make_loop(SimulatedRoute(), policy=AnyOf(MaxExecutions(5), MaxExecutions(1))).run(intents("a", "b"))
    assert report.stop.kind is StopKind.MAX_EXECUTIONS and "limit 1" in report.stop.detail


@pytest.mark.parametrize("bad", [-1, True, 1.5, "3"])
def test_policy_limits_are_validated(bad: object) -> None:
    with pytest.raises(ValueError, match="MaxExecutions limit must be an int >= 0"):
        MaxExecutions(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="MaxConsecutiveFailures limit must be an int >= 1"):
        MaxConsecutiveFailures(0)


def test_a_keyboard_interrupt_settles_the_order_in_flight() -> None:
    class Interrupting(SimulatedRoute):
        def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
            if intent.intent_id == "b":
                raise KeyboardInterrupt
            return super().execute(intent)

    loop = make_loop(Interrupting())
    with pytest.raises(KeyboardInterrupt):
        loop.run(intents("a", "b", "c"))
    assert loop.last_report is not None
    assert states(loop.last_report) == [("a", ["created", "submitted", "accepted"]), ("b", ["created", "submitted", "failed"])]
    assert loop.last_report.stop.kind is StopKind.INTERRUPTED


def test_the_loop_is_reusable_and_each_run_reports_only_itself() -> None:
    loop = make_loop(SimulatedRoute())
    first = loop.run(intents("a"))
    second = loop.run(intents("a", "b"))
    assert [o.intent.intent_id for o in first.orders] == ["a"]
    assert [o.state for o in second.orders] == [OrderState.ACCEPTED, OrderState.ACCEPTED]
    assert loop.last_report is second


def test_simulated_route_raises_its_own_error() -> None:
    with pytest.raises(SimulatedVenueError, match="'x'"):
        SimulatedRoute(default=Outcome.RAISE).execute(intents("x")[0])
