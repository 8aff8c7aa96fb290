"""A stop policy is outside the loop's control: an answer other than a StopReason or
None stops the run with a StopReason that says what the policy answered (LOOP-13).

Reproducers from issue 11 (``False``, ``0``, a string or a ``StopKind`` ended the run and
became ``report.stop``). Imports only what the locked version offered: this file is the
evidence with which the controller was unlocked.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from spec import PHASE4, ExecutionIntent, ExecutionResponse, Side, StopKind, StopReason
from spec.loop import RunContext

from reference_impl.runtime.execution_loop.loop import ExecutionLoop
from reference_impl.runtime.risk.noop_risk_gate import NoopRiskGate


class Route:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
        self.calls.append(intent.intent_id)
        return ExecutionResponse(intent.intent_id, True)


class Unprintable:
    def __repr__(self) -> str:
        raise RuntimeError("poisoned __repr__")


class Answering:
    def __init__(self, answer: object) -> None:
        self.answer = answer

    def should_stop(self, run: RunContext, /) -> StopReason | None:
        return self.answer  # type: ignore[return-value]  # pyright: ignore[reportReturnType]


@pytest.mark.parametrize(
    "answer",
    [False, 0, "stop", StopKind.POLICY, True, StopReason("policy", "forged kind"), Unprintable()],  # type: ignore[arg-type]
    ids=["False", "0", "a string", "a StopKind", "True", "StopReason with a str kind", "unprintable"],
)
def test_a_stop_policy_answer_that_is_not_a_stop_reason_stops_the_run_clearly(answer: object) -> None:
    route = Route()
    loop = ExecutionLoop(route, NoopRiskGate(), Answering(answer), machine=PHASE4)
    report = loop.run([ExecutionIntent("o-1", "QTS", Side.BUY, Decimal(1))])
    assert route.calls == []
    assert report.stop.kind is StopKind.POLICY
    assert "LOOP-13" in report.stop.detail and "Answering" in report.stop.detail


def test_a_stop_reason_and_none_are_obeyed_as_before() -> None:
    route = Route()
    stop = StopReason(StopKind.POLICY, "enough")
    intents = [ExecutionIntent("o-1", "QTS", Side.BUY, Decimal(1))]
    assert ExecutionLoop(route, NoopRiskGate(), Answering(stop), machine=PHASE4).run(intents).stop is stop
    assert ExecutionLoop(route, NoopRiskGate(), Answering(None), machine=PHASE4).run(intents).stop.kind is StopKind.SOURCE_EXHAUSTED
    assert route.calls == ["o-1"]

