"""The reference loop never loses an order and never routes twice, whatever hostile
exceptions, values or re-entrant callers do (issue 11, LOOP-3, LOOP-4, LOOP-11).

Each test is a reproducer from issue 11 and failed on the loop before it was hardened.
The file imports only what the locked version already offered, so that it can be the
evidence with which ``phase4.lock`` accepted the change (``qts-assets unlock``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from decimal import Decimal
from types import FrameType

import pytest

from spec import (
    PHASE4,
    ExecutionIntent,
    ExecutionResponse,
    FaultSite,
    InvalidIntent,
    OrderState,
    OrderView,
    RunReport,
    Side,
    StopKind,
)
from spec.loop import StopPolicy

from reference_impl.runtime.execution_loop.loop import ExecutionLoop
from reference_impl.runtime.execution_loop.policies.stop_policy import AnyOf, MaxExecutions

A, R, F, B = OrderState.ACCEPTED, OrderState.REJECTED, OrderState.FAILED, OrderState.BLOCKED
Loop = ExecutionLoop[OrderState]


def intent(intent_id: str) -> ExecutionIntent:
    return ExecutionIntent(intent_id, "KRX:005930", Side.BUY, Decimal(10))


class UnprintableError(Exception):
    """An SDK exception whose ``__str__`` is broken."""

    def __str__(self) -> str:
        raise RuntimeError("broken __str__")

    def __repr__(self) -> str:
        raise RuntimeError("broken __repr__")


class MissingDetailError(Exception):
    def __str__(self) -> str:
        return self.detail  # type: ignore[attr-defined, no-any-return]  # never set: AttributeError


class UnprintableInterrupt(KeyboardInterrupt):
    def __str__(self) -> str:
        raise RuntimeError("broken __str__")


class Poison:
    """What a broken source might yield: even describing it raises."""

    def __repr__(self) -> str:
        raise RuntimeError("poisoned __repr__")


class RaisingEqId(str):
    def __eq__(self, other: object) -> bool:
        raise RuntimeError("poisoned __eq__")

    def __ne__(self, other: object) -> bool:
        raise RuntimeError("poisoned __ne__")

    __hash__ = str.__hash__


class IdentityId(str):
    """Equal only to itself, hashed by identity: two "dup" ids would not meet in a set."""

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)


def bypassed(value: object, **fields: object) -> object:
    """``value`` with fields set behind its validation (as a tampered object would be)."""
    for name, field_value in fields.items():
        object.__setattr__(value, name, field_value)
    return value


class Route:
    """Answers each intent as ``answers`` says (accepted by default); logs every call."""

    def __init__(self, answers: dict[str, Callable[[ExecutionIntent], ExecutionResponse]] | None = None) -> None:
        self.answers = answers or {}
        self.calls: list[str] = []

    def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
        self.calls.append(intent.intent_id)
        answer = self.answers.get(intent.intent_id)
        return answer(intent) if answer else ExecutionResponse(intent.intent_id, True)


def raising(error: BaseException) -> Callable[[ExecutionIntent], ExecutionResponse]:
    def answer(intent: ExecutionIntent) -> ExecutionResponse:
        raise error

    return answer


def returning(response: object) -> Callable[[ExecutionIntent], ExecutionResponse]:
    return lambda intent: response  # type: ignore[return-value]  # pyright: ignore[reportReturnType]


class Gate:
    """Allows everything unless a hook is given for the intent id."""

    def __init__(
        self,
        before_intent: dict[str, Callable[[], object]] | None = None,
        before_route: dict[str, Callable[[], object]] | None = None,
    ) -> None:
        self._before_intent = before_intent or {}
        self._before_route = before_route or {}

    def before_intent(self, intent: ExecutionIntent, /) -> bool:
        hook = self._before_intent.get(intent.intent_id)
        return hook() if hook else True  # type: ignore[return-value]  # pyright: ignore[reportReturnType]

    def before_route(self, order: OrderView, /) -> bool:
        hook = self._before_route.get(order.intent.intent_id)
        return hook() if hook else True  # type: ignore[return-value]  # pyright: ignore[reportReturnType]

    def after_response(self, order: OrderView, response: ExecutionResponse, /) -> bool:
        return True


def make_loop(route: Route, gate: Gate | None = None, policy: StopPolicy | None = None) -> Loop:
    return ExecutionLoop(route, gate or Gate(), policy or AnyOf(), machine=PHASE4)


def states(report: RunReport[OrderState] | None) -> list[tuple[str, OrderState]]:
    assert report is not None, "last_report is None: the run's orders are lost"
    return [(o.intent.intent_id, o.state) for o in report.orders]


# --- Hostile exceptions: a fault is always recorded --------------------------------


@pytest.mark.parametrize("error", [UnprintableError(), MissingDetailError()])
def test_a_route_exception_whose_str_fails_fails_only_its_order(error: Exception) -> None:
    route = Route({"o-2": raising(error)})
    report = make_loop(route).run([intent("o-1"), intent("o-2"), intent("o-3")])
    assert states(report) == [("o-1", A), ("o-2", F), ("o-3", A)]
    fault = report.orders[1].fault
    assert fault is not None and fault.site is FaultSite.ROUTE and type(error).__name__ in fault.message
    assert report.stop.kind is StopKind.SOURCE_EXHAUSTED


def test_an_interrupt_whose_str_fails_still_leaves_every_order_in_last_report() -> None:
    loop = make_loop(Route({"o-2": raising(UnprintableInterrupt())}))
    with pytest.raises(UnprintableInterrupt):
        loop.run([intent("o-1"), intent("o-2"), intent("o-3")])
    assert states(loop.last_report) == [("o-1", A), ("o-2", F)]
    assert loop.last_report is not None and loop.last_report.orders[0].response is not None
    assert loop.last_report.stop.kind is StopKind.INTERRUPTED


def test_hooks_refusing_with_unprintable_exceptions_or_verdicts_are_recorded() -> None:
    def unprintable() -> object:
        raise UnprintableError()

    gate = Gate(before_intent={"o-1": unprintable}, before_route={"o-2": Poison, "o-3": UnprintableError})
    report = make_loop(Route(), gate).run([intent(i) for i in ("o-1", "o-2", "o-3", "o-4")])
    assert states(report) == [("o-1", B), ("o-2", B), ("o-3", B), ("o-4", A)]
    assert all(o.fault is not None for o in report.orders[:3])


def test_a_poisoned_non_intent_from_the_source_raises_invalid_intent() -> None:
    loop = make_loop(Route())
    with pytest.raises(InvalidIntent, match="LOOP-3"):
        loop.run([intent("o-1"), Poison()])  # type: ignore[list-item]
    assert states(loop.last_report) == [("o-1", A)]


def test_an_interrupt_landing_while_a_failed_run_is_recorded_still_leaves_every_order_in_last_report() -> None:
    """The source fails; a Ctrl-C lands as the loop starts recording that (at the entry
    of ``Fault.from_exception``, a point where Python delivers signals). Simulated with
    a trace function so that the moment is exact."""
    fed: list[str] = []

    def source() -> Iterator[ExecutionIntent]:
        yield intent("o-1")
        fed.append("failing")
        raise RuntimeError("feed down")

    def interrupt_once(frame: FrameType, event: str, arg: object) -> None:
        if event == "call" and fed and frame.f_code.co_name == "from_exception":
            fed.clear()
            raise KeyboardInterrupt("lands while the run is recorded")

    loop = make_loop(Route())
    sys.settrace(interrupt_once)
    try:
        with pytest.raises(KeyboardInterrupt):
            loop.run(source())
    finally:
        sys.settrace(None)
    assert states(loop.last_report) == [("o-1", A)]
    assert loop.last_report is not None and loop.last_report.stop.kind is StopKind.INTERRUPTED


# --- Hostile values: checked where they enter --------------------------------------


@pytest.mark.parametrize(
    "forged",
    [
        lambda: object.__new__(ExecutionIntent),
        lambda: bypassed(intent("o-2"), intent_id=RaisingEqId("o-2")),
        lambda: bypassed(intent("o-2"), intent_id=None),
    ],
    ids=["fields missing", "id with poisoned equality", "id None"],
)
def test_an_intent_built_around_its_constructor_is_refused_and_not_routed(forged: Callable[[], object]) -> None:
    route = Route()
    loop = make_loop(route)
    with pytest.raises(InvalidIntent, match="LOOP-3"):
        loop.run([intent("o-1"), forged(), intent("o-3")])  # type: ignore[list-item]
    assert route.calls == ["o-1"]
    assert states(loop.last_report) == [("o-1", A)]


def test_ids_given_as_str_subclasses_are_routed_at_most_once() -> None:
    route = Route()
    report = make_loop(route).run([intent(IdentityId("dup")), intent(IdentityId("dup"))])
    assert route.calls == ["dup"]
    assert states(report) == [("dup", A), ("dup", F)]


@pytest.mark.parametrize(
    "forged",
    [
        lambda: bypassed(ExecutionResponse("o-1", False), accepted="no"),
        lambda: bypassed(ExecutionResponse("o-1", False), accepted=1),
        lambda: bypassed(ExecutionResponse("o-1", True), intent_id=RaisingEqId("o-1")),
        lambda: object.__new__(ExecutionResponse),
    ],
    ids=["accepted 'no'", "accepted 1", "id with poisoned equality", "fields missing"],
)
def test_a_response_built_around_its_constructor_fails_only_its_order(forged: Callable[[], object]) -> None:
    route = Route({"o-1": returning(forged())})
    report = make_loop(route).run([intent("o-1"), intent("o-2")])
    assert states(report) == [("o-1", F), ("o-2", A)]
    fault = report.orders[0].fault
    assert fault is not None and fault.site is FaultSite.ROUTE


# --- Re-entry: refused, and the run in progress is unchanged ------------------------


def test_reentering_run_from_a_hook_is_refused_and_changes_nothing() -> None:
    route = Route()
    refusals: list[Exception] = []
    loop: Loop

    def reenter() -> bool:
        try:
            loop.run([intent("nested"), intent("o-1")])
        except Exception as error:
            refusals.append(error)
        return True

    loop = make_loop(route, Gate(before_route={"o-1": reenter}))
    report = loop.run([intent("o-1"), intent("o-2"), intent("o-3")])
    assert route.calls == ["o-1", "o-2", "o-3"]
    assert states(report) == [("o-1", A), ("o-2", A), ("o-3", A)]
    assert report.stop.kind is StopKind.SOURCE_EXHAUSTED
    assert len(refusals) == 1 and "LOOP-11" in str(refusals[0])
    assert loop.last_report is report


def test_reentering_run_from_the_route_is_refused_and_fails_that_order() -> None:
    loop: Loop

    def reenter(sent: ExecutionIntent) -> ExecutionResponse:
        loop.run([sent])
        return ExecutionResponse(sent.intent_id, True)

    route = Route({"o-1": reenter})
    loop = make_loop(route)
    report = loop.run([intent("o-1"), intent("o-2")])
    assert route.calls == ["o-1", "o-2"]
    assert states(report) == [("o-1", F), ("o-2", A)]
    fault = report.orders[0].fault
    assert fault is not None and "LOOP-11" in fault.message


def test_a_refused_reentry_does_not_push_the_run_past_its_execution_limit() -> None:
    loop: Loop

    def reenter(sent: ExecutionIntent) -> ExecutionResponse:
        try:
            loop.run([intent("nested")])
        except Exception:
            pass
        return ExecutionResponse(sent.intent_id, True)

    route = Route({"o-1": reenter, "o-2": reenter})
    loop = make_loop(route, policy=MaxExecutions(2))
    report = loop.run([intent("o-1"), intent("o-2"), intent("o-3")])
    assert route.calls == ["o-1", "o-2"]
    assert report.stop.kind is StopKind.MAX_EXECUTIONS and "2 time(s)" in report.stop.detail


def test_a_refused_reentry_does_not_use_up_a_stop_request() -> None:
    loop: Loop

    def stop_then_reenter() -> bool:
        loop.request_stop()
        try:
            loop.run([intent("nested")])
        except Exception:
            pass
        return True

    route = Route()
    loop = make_loop(route, Gate(before_route={"o-1": stop_then_reenter}))
    report = loop.run([intent("o-1"), intent("o-2")])
    assert route.calls == ["o-1"]
    assert report.stop.kind is StopKind.STOP_REQUESTED


def test_the_loop_runs_again_after_a_refused_reentry() -> None:
    loop: Loop

    def reenter() -> bool:
        loop.run([intent("nested")])
        return True

    loop = make_loop(Route(), Gate(before_route={"o-1": reenter}))
    assert states(loop.run([intent("o-1")])) == [("o-1", B)]
    assert states(loop.run([intent("o-2")])) == [("o-2", A)]
