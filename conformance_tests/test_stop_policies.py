"""LOOP-15: the implementation's own standard stop policies stop exactly at their
limits: judged at the boundary directly, and through the loop on generated runs."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pytest
from hypothesis import given

from spec.binding import Implementation
from spec.records import OrderView, StopKind, StopReason

from conformance_tests.harness import call_watched, expect, run_scenario
from conformance_tests.scenario import Scenario
from conformance_tests.strategies import scenarios
from conformance_tests.violation import ClauseViolated

Impl = Implementation[StrEnum]


@dataclass(frozen=True)
class _Context:
    """A RunContext with the counts given and nothing else going on."""

    executions: int = 0
    settled: int = 0
    consecutive_failures: int = 0
    last_order: OrderView | None = None
    source_exhausted: bool = False
    stop_requested: bool = False
    gate_halted: bool = False


def _answer(implementation: Impl, limits: tuple[int | None, int | None], context: _Context) -> StopReason | None:
    policy = call_watched(lambda: implementation.make_stop_policy(*limits))
    return call_watched(lambda: policy.should_stop(context))


def _kind(answer: object) -> object:
    """The answer's kind, or the answer itself when it is not a proper StopReason."""
    if answer is None:
        return None
    if type(answer) is StopReason and type(answer.kind) is StopKind and type(answer.detail) is str:
        return answer.kind
    return answer


@pytest.mark.qts_clause("LOOP-15")
@pytest.mark.parametrize("limit", [0, 1, 2, 5])
def test_max_executions_stops_exactly_at_its_limit(implementation: Impl, limit: int) -> None:
    wrong: list[str] = []
    for executions in range(limit + 3):
        context = _Context(executions=executions, settled=executions)
        got = _kind(_answer(implementation, (limit, None), context))
        want = StopKind.MAX_EXECUTIONS if executions >= limit else None
        if got != want:
            wrong.append(f"executions={executions}: {got!r}, expected {want!r}")
    if wrong:
        raise ClauseViolated("LOOP-15", observed=f"make_stop_policy({limit}, None):\n" + "\n".join(wrong))


@pytest.mark.qts_clause("LOOP-15")
@pytest.mark.parametrize("limit", [1, 2, 5])
def test_max_consecutive_failures_stops_exactly_at_its_limit(implementation: Impl, limit: int) -> None:
    wrong: list[str] = []
    for failures in range(limit + 3):
        context = _Context(executions=failures, settled=failures, consecutive_failures=failures)
        got = _kind(_answer(implementation, (None, limit), context))
        want = StopKind.MAX_CONSECUTIVE_FAILURES if failures >= limit else None
        if got != want:
            wrong.append(f"consecutive_failures={failures}: {got!r}, expected {want!r}")
    if wrong:
        raise ClauseViolated("LOOP-15", observed=f"make_stop_policy(None, {limit}):\n" + "\n".join(wrong))


@pytest.mark.qts_clause("LOOP-15")
def test_both_limits_reached_name_max_executions_and_no_limit_never_stops(implementation: Impl) -> None:
    both = _kind(_answer(implementation, (2, 2), _Context(executions=2, settled=2, consecutive_failures=2)))
    if both != StopKind.MAX_EXECUTIONS:
        raise ClauseViolated("LOOP-15", observed=f"both limits reached: {both!r}", expected="MAX_EXECUTIONS")
    busy = _Context(executions=10**6, settled=10**6, consecutive_failures=10**6)
    unlimited = _answer(implementation, (None, None), busy)
    if unlimited is not None:
        raise ClauseViolated("LOOP-15", observed=f"make_stop_policy(None, None) stopped a run: {unlimited!r}")


@pytest.mark.qts_clause("LOOP-15")
@pytest.mark.parametrize(
    "limits",
    [(-1, None), (None, 0), (None, -3), (True, None), (None, True), (1.5, None), ("3", None)],
    ids=repr,
)
def test_a_limit_out_of_range_is_refused_when_the_policy_is_made(implementation: Impl, limits: tuple[object, object]) -> None:
    """A limit is an int, at least 0 for executions and 1 for failures: anything else
    would stop at once or never, so it is refused where it is given."""
    with pytest.raises(ValueError):
        call_watched(lambda: implementation.make_stop_policy(*limits))  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


@pytest.mark.qts_clause("LOOP-15")
@given(scenario=scenarios(stop_requests=False))
def test_the_loop_with_its_own_policy_stops_where_the_limits_say(implementation: Impl, scenario: Scenario) -> None:
    """Property: run with the implementation's own policy for the scenario's limits, the
    loop pulls exactly the intents the specification says and reports the stop kind of
    LOOP-6's precedence."""
    seen = run_scenario(implementation, scenario, own_policy=True)
    expected = expect(implementation, scenario)
    pulled = [i.intent_id for i in seen.pulled]
    want = [o.intent_id for o in expected.orders]
    if pulled != want:
        raise ClauseViolated("LOOP-15", observed=f"pulled {pulled}", expected=f"{want} ({scenario.policy})")
    if not (seen.report is not None and seen.report.stop.kind == expected.stop):
        raise ClauseViolated("LOOP-15", observed=f"stopped with {seen.report and seen.report.stop}", expected=f"{expected.stop.value} ({scenario.policy})")
