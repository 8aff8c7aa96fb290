"""RISK-1 .. RISK-6: the three boolean hooks and what each answer does to the order."""

from __future__ import annotations

from enum import StrEnum

import pytest
from hypothesis import given

from spec.binding import Implementation
from spec.order_state import OrderState
from spec.records import StopKind

from conformance_tests.doubles import HOOK_ERRORS, AllowAllGate, not_true_answers, nth
from conformance_tests.harness import Observed, call_watched, expect, run_scenario
from conformance_tests.model import ExpectedOrder, ExpectedRun
from conformance_tests.scenario import GateAct, Scenario, Step
from conformance_tests.strategies import scenarios
from conformance_tests.violation import ClauseViolated

Impl = Implementation[StrEnum]
BLOCKED = OrderState.BLOCKED.value


def _observe(implementation: Impl, scenario: Scenario) -> tuple[Observed, ExpectedRun]:
    return run_scenario(implementation, scenario), expect(implementation, scenario)


@pytest.mark.qts_clause("RISK-1")
def test_before_intent_false_blocks_and_asks_nothing_else(implementation: Impl) -> None:
    seen, _ = _observe(implementation, Scenario((Step("o-1", before_intent=GateAct.REFUSE),)))
    if seen.histories() != [("o-1", ("created", BLOCKED))]:
        raise ClauseViolated("RISK-1", observed=f"{seen.histories()}")
    if seen.log.for_intent("o-1") != ["pull", "before_intent"]:
        raise ClauseViolated("RISK-1", observed=f"after before_intent refused, the loop still made {seen.log.for_intent('o-1')[2:]}")


@pytest.mark.qts_clause("RISK-2")
def test_before_route_false_blocks_and_never_routes(implementation: Impl) -> None:
    seen, _ = _observe(implementation, Scenario((Step("o-1", before_route=GateAct.REFUSE), Step("o-2"))))
    if seen.histories()[0] != ("o-1", ("created", BLOCKED)):
        raise ClauseViolated("RISK-2", observed=f"{seen.histories()}")
    if [i.intent_id for i in seen.routed] != ["o-2"]:
        raise ClauseViolated("RISK-2", observed=f"the route was called for {[i.intent_id for i in seen.routed]}; o-1 was refused by before_route")


@pytest.mark.qts_clause("RISK-1", "RISK-2")
@given(scenario=scenarios())
def test_any_before_hook_refusal_blocks_without_routing(implementation: Impl, scenario: Scenario) -> None:
    """Property: an intent a before-hook refuses ends BLOCKED and is never routed."""
    seen, expected = _observe(implementation, scenario)
    blocked = [(n, o.intent_id) for n, o in enumerate(expected.orders) if o.history[-1] == BLOCKED]
    routed = {i.intent_id for i in seen.routed}
    wrongly_routed = sorted(iid for _, iid in blocked if iid in routed)
    if wrongly_routed:
        raise ClauseViolated("RISK-1", "RISK-2", observed=f"routed although a before-hook refused: {wrongly_routed}")
    got = seen.histories()
    wrong = [(iid, got[n][1][-1] if n < len(got) else None) for n, iid in blocked if n >= len(got) or got[n][1][-1] != BLOCKED]
    if wrong:
        raise ClauseViolated("RISK-1", "RISK-2", observed=f"refused intents not BLOCKED: {wrong}")


@pytest.mark.qts_clause("RISK-3")
@given(scenario=scenarios(stop_requests=False))
def test_after_response_refusal_keeps_the_answer_and_halts(implementation: Impl, scenario: Scenario) -> None:
    """Property: after_response refusing leaves ACCEPTED/REJECTED as the venue said,
    pulls no further intent, and the run stops with GATE_HALT."""
    seen, expected = _observe(implementation, scenario)
    halted = [o for o in expected.orders if o.fault_site is not None and o.fault_site.value == "after_response"]
    if not halted:
        return
    if seen.histories() != [(o.intent_id, o.history) for o in expected.orders]:
        raise ClauseViolated("RISK-3", observed=f"expected {[(o.intent_id, o.history) for o in expected.orders]}, got {seen.histories()}")
    if not (seen.report is not None and seen.report.stop.kind == StopKind.GATE_HALT):
        raise ClauseViolated("RISK-3", observed=f"the run must stop with GATE_HALT, got {seen.report and seen.report.stop}")
    detail: object = seen.report.stop.detail
    if not (type(detail) is str and detail.strip()):
        raise ClauseViolated("RISK-3", observed=f"a stop reason's detail must be a non-blank str: {detail!r}")


@pytest.mark.qts_clause("RISK-4")
@given(scenario=scenarios())
def test_gates_fail_closed_and_faults_are_recorded(implementation: Impl, scenario: Scenario) -> None:
    """Property: a hook that raises or returns anything but True refuses; every refusal,
    route failure and repeat is recorded as a fault at the right site."""
    seen, expected = _observe(implementation, scenario)
    got = [(o.intent.intent_id, o.fault.site.value if o.fault else None) for o in seen.orders]
    want = [(o.intent_id, o.fault_site.value if o.fault_site else None) for o in expected.orders]
    if got != want:
        raise ClauseViolated("RISK-4", observed=f"fault sites {got}", expected=f"{want}")
    texts = [o.fault.message for o in seen.orders if o.fault is not None]
    if not all(type(text) is str and text.strip() for text in texts):
        raise ClauseViolated("RISK-4", observed=f"a fault's message must be a non-blank str: {texts!r:.300}")
    for order, step in zip(seen.orders, scenario.steps):
        fault = order.fault
        if fault is not None and fault.site.value in ("before_intent", "before_route", "after_response"):
            if getattr(step, fault.site.value) is GateAct.NOT_A_BOOL:
                answer = nth(not_true_answers(), step.variant)
                named = type(answer).__name__
                if named not in fault.message:
                    raise ClauseViolated("RISK-4", observed=f"the fault of a hook that returned {answer!r} must name what it returned ({named}): {fault.message!r}")


@pytest.mark.qts_clause("RISK-4")
@pytest.mark.parametrize("hook", ["before_intent", "before_route", "after_response"])
def test_every_kind_of_exception_and_every_answer_but_true_refuses(implementation: Impl, hook: str) -> None:
    """Each exception a risk calculation raises (ZeroDivisionError, KeyError,
    decimal.InvalidOperation, OSError, ...) and each answer other than True (None from a
    forgotten return, 1, 1.0, Decimal(1), numpy's True where numpy is importable) refuses
    at every hook, with a fault at that hook: none ends the run, none allows."""
    acts = [(GateAct.RAISE, n) for n in range(len(HOOK_ERRORS))] + [(GateAct.NOT_A_BOOL, n) for n in range(len(not_true_answers()))]
    allow = GateAct.ALLOW
    scenario = Scenario(tuple(
        Step(f"o-{n}", variant=variant, before_intent=act if hook == "before_intent" else allow,
             before_route=act if hook == "before_route" else allow, after_response=act if hook == "after_response" else allow)
        for n, (act, variant) in enumerate(acts)
    ))
    if hook == "after_response":  # each refusal halts the run (RISK-3): one run per act
        runs = [Scenario((step,)) for step in scenario.steps]
    else:
        runs = [scenario]
    wrong: list[str] = []
    for run in runs:
        seen, expected = _observe(implementation, run)
        got = [(o.intent.intent_id, o.fault.site.value if o.fault else None) for o in seen.orders]
        want = [(o.intent_id, o.fault_site.value if o.fault_site else None) for o in expected.orders]
        if got != want or seen.raised is not None:
            n = next((n for n, (g, w) in enumerate(zip(got, want)) if g != w), min(len(got), len(want)))
            step = run.steps[min(n, len(run.steps) - 1)]
            act = f"raising {type(nth(HOOK_ERRORS, step.variant)('')).__name__}" if getattr(step, hook) is GateAct.RAISE \
                else f"answering {nth(not_true_answers(), step.variant)!r}"
            wrong.append(f"{hook} {act} for {step.intent_id!r}: fault sites {got[n:n + 1]}, expected {want[n:n + 1]}"
                         + (f"; run() raised {seen.raised!r}" if seen.raised is not None else ""))
    if wrong:
        raise ClauseViolated("RISK-4", observed="\n".join(wrong[:3]),
                             expected="a hook that raises or answers anything but True refuses")


@pytest.mark.qts_clause("RISK-5")
@given(scenario=scenarios(interrupts=True))
def test_hooks_run_in_order_each_at_most_once(implementation: Impl, scenario: Scenario) -> None:
    """Property: per intent, before_intent < before_route < execute < after_response,
    each at most once, and after_response only once the route answered validly."""
    seen, expected = _observe(implementation, scenario)
    first: dict[str, ExpectedOrder] = {}
    for order in expected.orders:
        first.setdefault(order.intent_id, order)  # a repeated id must cause no calls (LOOP-2)
    for intent_id, order in first.items():
        calls = [c for c in seen.log.for_intent(intent_id) if c != "pull"]
        if calls != list(order.calls):
            raise ClauseViolated("RISK-5", observed=f"intent {intent_id!r}: calls {calls}", expected=f"{list(order.calls)}")


@pytest.mark.qts_clause("RISK-5", "LOOP-10")
@given(scenario=scenarios())
def test_gates_see_the_order_in_the_state_of_their_hook(implementation: Impl, scenario: Scenario) -> None:
    """Property: before_route sees the order CREATED; after_response sees it in the
    state the venue's answer led to (ACCEPTED, REJECTED, or the end of a declared
    extension path); each view is a snapshot that still reads the same after the run."""
    seen, expected = _observe(implementation, scenario)
    settled = {o.intent_id: o.history[-1] for o in reversed(expected.orders)}
    for hook, intent_id, state in seen.seen_states:
        want = "created" if hook == "before_route" else settled.get(intent_id)
        if state != want:
            raise ClauseViolated("RISK-5", observed=f"{hook} saw {intent_id!r} in state {state!r}", expected=f"{want!r}")
    later = [(hook, view.intent.intent_id, view.state.value) for (hook, _, _), view in zip(seen.seen_states, seen.views)]
    if later != seen.seen_states:
        raise ClauseViolated("RISK-5", observed=f"a hook's view changed after the hook returned (not a snapshot): {later}")


@pytest.mark.qts_clause("RISK-6")
@given(scenario=scenarios(gates=False))
def test_noop_gate_is_observationally_identical_to_no_gate(implementation: Impl, scenario: Scenario) -> None:
    """Property: for any run, the no-op gate and an allow-everything stand-in produce
    the same report: same orders, histories, responses, faults and stop kind."""
    with_noop = run_scenario(implementation, scenario, gate=call_watched(implementation.make_noop_gate))
    without = run_scenario(implementation, scenario, gate=AllowAllGate())

    def summary(seen: Observed) -> object:
        report = seen.report
        if report is None:
            return None
        return (
            [(o.intent.intent_id, [s.value for s in o.history], o.response, o.fault) for o in report.orders],
            report.stop.kind,
            [i.intent_id for i in seen.routed],
        )

    if summary(with_noop) != summary(without):
        raise ClauseViolated("RISK-6", observed="the no-op gate changed the run")


@pytest.mark.qts_clause("RISK-5")
@given(scenario=scenarios(interrupts=True))
def test_hooks_get_the_intent_pulled_its_order_and_the_response_given(implementation: Impl, scenario: Scenario) -> None:
    """Property: before_intent gets the intent as pulled; before_route a view of that
    intent's order with the history (CREATED); after_response a view with the history
    the answer's events led to, and the very response the route returned."""
    seen, expected = _observe(implementation, scenario)
    pulled: dict[str, object] = {}
    for intent in seen.pulled:
        pulled.setdefault(intent.intent_id, intent)
    histories = {o.intent_id: o.history for o in reversed(expected.orders)}
    for call in seen.hook_calls:
        intent_id = call.intent.intent_id
        if call.intent is not pulled.get(intent_id):
            raise ClauseViolated("RISK-5", observed=f"{call.hook} got {call.intent!r}, not the intent pulled")
        if call.hook == "before_route":
            if call.history != ("created",):
                raise ClauseViolated("RISK-5", observed=f"before_route saw {intent_id!r} with history {call.history}")
        if call.hook == "after_response":
            if call.history != histories.get(intent_id):
                raise ClauseViolated("RISK-5", observed=f"after_response saw {intent_id!r} with history {call.history}", expected=f"{histories.get(intent_id)}")
            if call.response is not seen.answers.get(intent_id):
                raise ClauseViolated("RISK-5", observed=f"after_response got {call.response!r:.200}, not the response the route returned "
                f"({seen.answers.get(intent_id)!r:.200})")
