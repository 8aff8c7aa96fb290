"""The suite's oracle: what the specification says a run of a scenario must produce.

It is written as a plain walk over the clauses, independent of any implementation, and
speaks in Phase 4 state *values* so that extensions (other enum classes) compare too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from spec.order_state import OrderState
from spec.records import FaultSite, StopKind

from conformance_tests.call_faults import HookCall
from conformance_tests.doubles import policy_raises
from conformance_tests.scenario import ACCEPTS, MODEL_READ, REFUSALS, ROUTE_FAILURES, GateAct, Policy, RouteAct, Scenario, Step

C, S, A, R, B, F = (
    OrderState.CREATED.value,
    OrderState.SUBMITTED.value,
    OrderState.ACCEPTED.value,
    OrderState.REJECTED.value,
    OrderState.BLOCKED.value,
    OrderState.FAILED.value,
)


DeclaredPath = Callable[[Step], "tuple[str, ...] | None"]
"""The states after SUBMITTED that the answer of a model-read step (a declared outcome,
a richer response) leads through (the last one terminal), or None when the
implementation's state model cannot read that answer, so the order must fail (LOOP-10)."""


def plain_acceptance(step: Step) -> tuple[str, ...]:
    """The path of a model-read answer under Phase 4's model with no declared outcomes:
    a plain acceptance, or what a richer response's ``accepted`` says."""
    return (R,) if step.route is RouteAct.RICH_REJECT else (A,)


@dataclass(frozen=True)
class ExpectedOrder:
    intent_id: str
    history: tuple[str, ...]
    fault_site: FaultSite | None
    calls: tuple[str, ...]
    """The hooks and route calls made for this intent, in order (RISK-5)."""
    answered: bool = False
    """The route returned a valid response for it, which its record keeps (LOOP-3)."""
    decided_by: str = "LOOP-3"
    """The clause that makes this its outcome (the oracle's provenance): where a run
    first differs from it, that clause is where a team starts looking."""
    builds_on: str | None = None
    """The clause ``decided_by`` applies within here: a hook's exception or non-bool
    answer is a refusal by RISK-4, and what a refusal does is RISK-1's, -2's or -3's."""


@dataclass(frozen=True)
class ExpectedRun:
    orders: tuple[ExpectedOrder, ...]
    stop: StopKind
    interrupted: bool
    """The run must end by propagating the scenario's interrupt (LOOP-5)."""
    policy_raised: bool = False
    """The run must end by propagating the exception the stop policy raised (LOOP-13)."""
    stop_decided_by: str = "LOOP-8"
    """The clause that ends the run where and how it ends (the oracle's provenance)."""

    @property
    def routed(self) -> tuple[str, ...]:
        return tuple(o.intent_id for o in self.orders if "execute" in o.calls)


def expected_run(scenario: Scenario, declared: DeclaredPath = plain_acceptance) -> ExpectedRun:
    """Walk the scenario as LOOP-6's precedence and the per-intent order of RISK-5 say;
    ``declared`` gives the paths of declared answers (LOOP-10)."""
    orders: list[ExpectedOrder] = []
    seen: set[str] = set()
    executions = consecutive_failures = consults = 0
    halted = stop_requested = False
    for step in (*scenario.steps, None):
        stop = _stop_before_pull(scenario, halted, stop_requested, executions, consecutive_failures)
        if stop is _ASK_POLICY:
            consults += 1
            stop = _policy_answer(scenario.policy, executions, consecutive_failures, consults)
        if stop is _POLICY_RAISED:
            return ExpectedRun(tuple(orders), StopKind.INTERRUPTED, interrupted=False, policy_raised=True, stop_decided_by="LOOP-13")
        if isinstance(stop, StopKind):
            return ExpectedRun(tuple(orders), stop, interrupted=False, stop_decided_by=STOP_DECIDED_BY[stop])
        if step is None:
            return ExpectedRun(tuple(orders), StopKind.SOURCE_EXHAUSTED, interrupted=False, stop_decided_by="LOOP-8")
        stop_requested = stop_requested or step.request_stop
        if step.intent_id in seen:
            order, interrupted = ExpectedOrder(step.intent_id, (C, F), FaultSite.INTAKE, (), decided_by="LOOP-2"), False
        else:
            seen.add(step.intent_id)
            order, interrupted = _settle(step, declared)
        orders.append(order)
        stop_requested = stop_requested or step.stop_in in order.calls
        if interrupted:
            return ExpectedRun(tuple(orders), StopKind.INTERRUPTED, interrupted=True, stop_decided_by="LOOP-5")
        executions += "execute" in order.calls
        consecutive_failures = consecutive_failures + 1 if order.history[-1] == F else 0
        halted = halted or order.fault_site is FaultSite.AFTER_RESPONSE
    raise AssertionError("unreachable: the sentinel step always ends the walk")


_ASK_POLICY, _POLICY_RAISED = object(), object()

STOP_DECIDED_BY = {
    StopKind.GATE_HALT: "RISK-3",
    StopKind.STOP_REQUESTED: "LOOP-7",
    StopKind.MAX_EXECUTIONS: "LOOP-6",
    StopKind.MAX_CONSECUTIVE_FAILURES: "LOOP-6",
    StopKind.POLICY: "LOOP-13",
    StopKind.SOURCE_EXHAUSTED: "LOOP-8",
    StopKind.INTERRUPTED: "LOOP-5",
}
"""The clause that makes a run end with each kind of stop."""


def _stop_before_pull(
    scenario: Scenario, halted: bool, stop_requested: bool, executions: int, failures: int
) -> StopKind | object:
    """The stops no policy decides (LOOP-6's precedence), else :data:`_ASK_POLICY`."""
    if halted:
        return StopKind.GATE_HALT
    if stop_requested:
        return StopKind.STOP_REQUESTED
    return _ASK_POLICY


def _policy_answer(policy: Policy, executions: int, failures: int, consults: int) -> StopKind | object | None:
    """What the suite's policy answers at its ``consults``-th consultation: a failure
    (LOOP-13: an exception propagates, garbage stops with POLICY) or its limits."""
    if consults == policy.fails_at:
        return _POLICY_RAISED if policy_raises(policy.failure) else StopKind.POLICY
    if policy.max_executions is not None and executions >= policy.max_executions:
        return StopKind.MAX_EXECUTIONS
    if policy.max_consecutive_failures is not None and failures >= policy.max_consecutive_failures:
        return StopKind.MAX_CONSECUTIVE_FAILURES
    return None


def _settle(step: Step, declared: DeclaredPath) -> tuple[ExpectedOrder, bool]:
    """One fresh intent: its expected order, with the clause that decides it, and whether
    the run is interrupted by it."""
    calls: list[str] = []

    def order(history: tuple[str, ...], site: FaultSite | None, decided_by: str, answered: bool = False) -> ExpectedOrder:
        return ExpectedOrder(step.intent_id, history, site, tuple(calls), answered, decided_by)

    def refused(act: GateAct, history: tuple[str, ...], site: FaultSite, refusal: str, answered: bool = False) -> ExpectedOrder:
        if act is GateAct.REFUSE:
            return order(history, site, refusal, answered)
        return replace(order(history, site, "RISK-4", answered), builds_on=refusal)

    for hook, act, site, refusal in (
        ("before_intent", step.before_intent, FaultSite.BEFORE_INTENT, "RISK-1"),
        ("before_route", step.before_route, FaultSite.BEFORE_ROUTE, "RISK-2"),
    ):
        calls.append(hook)
        if act is GateAct.INTERRUPT:
            return order((C, F), site, "LOOP-5"), True
        if act in REFUSALS:
            return refused(act, (C, B), site, refusal), False

    calls.append("execute")
    if step.route is RouteAct.INTERRUPT:
        return order((C, S, F), FaultSite.ROUTE, "LOOP-5"), True
    if step.route in ROUTE_FAILURES:
        return order((C, S, F), FaultSite.ROUTE, "LOOP-4"), False

    decided_by = "LOOP-3"
    if step.route in MODEL_READ:
        path, decided_by = declared(step), "LOOP-10"
        if path is None:
            return order((C, S, F), FaultSite.ROUTE, decided_by, answered=True), False
        history = (C, S, *path)
    else:
        history = (C, S, A if step.route in ACCEPTS else R)
    calls.append("after_response")
    if step.after_response is GateAct.INTERRUPT:
        return order(history, FaultSite.AFTER_RESPONSE, "LOOP-5", answered=True), True
    if step.after_response in REFUSALS:
        return refused(step.after_response, history, FaultSite.AFTER_RESPONSE, "RISK-3", answered=True), False
    return order(history, None, decided_by, answered=True), False


def followed(scenario: Scenario, calls: Sequence[HookCall]) -> Scenario:
    """``scenario`` with each intent's hook acts replaced by what the gate answered the
    first time it was asked about that intent: ``True`` allows, an exception or any other
    answer refuses (RISK-4). A hook the gate was never asked keeps "allow", so a hook the
    loop skipped shows up as a missing call (RISK-5). The oracle then walks that."""
    answered: dict[tuple[str, str], GateAct] = {}
    for call in calls:
        act = GateAct.RAISE if call.raised is not None else GateAct.ALLOW if call.answer is True else GateAct.REFUSE
        answered.setdefault((call.hook, call.intent_id), act)
    return replace(scenario, steps=tuple(
        replace(
            step,
            before_intent=answered.get(("before_intent", step.intent_id), GateAct.ALLOW),
            before_route=answered.get(("before_route", step.intent_id), GateAct.ALLOW),
            after_response=answered.get(("after_response", step.intent_id), GateAct.ALLOW),
        )
        for step in scenario.steps
    ))
