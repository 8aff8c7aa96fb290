"""The team's production gate in the loop (seed 5: risk calculations are added behind
the unchanged interface). The loop runs with the gate the binding's
``make_production_gate()`` builds, seen through a transparent spy: the loop must obey
exactly what the gate answered (the oracle follows the gate's recorded answers), and
the gate must fail closed when a call it makes raises (RISK-4).

A binding without a production gate gets these reported "n/a", not passed.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

import pytest
from hypothesis import given

from spec.binding import Implementation
from spec.records import StopKind
from spec.values import Side

from conformance_tests.call_faults import FaultPlan, GateSpy, HookCall
from conformance_tests.doubles import SuiteInterrupt
from conformance_tests.harness import Observed, expect, run_scenario, spied_production_gate
from conformance_tests.model import ExpectedRun, followed
from conformance_tests.report import NOT_APPLICABLE
from conformance_tests.scenario import RouteAct, Scenario, Step
from conformance_tests.strategies import scenarios
from conformance_tests.violation import ClauseViolated

Impl = Implementation[StrEnum]

MAX_INJECTIONS = 120
"""Faults injected per binding at most: the gate's calls, spread evenly (each costs a
run of :data:`INJECTION_RUN`)."""

INJECTION_RUN = Scenario(tuple(
    Step(f"o-{n}", route=route, side=side, quantity=quantity, limit_price=price, symbol=symbol, outcome=n)
    for n, (route, side, quantity, price, symbol) in enumerate([
        (RouteAct.ACCEPT, Side.BUY, Decimal(10), None, "QTS"),
        (RouteAct.DECLARED, Side.SELL, Decimal("2.5"), Decimal("101.25"), "AAPL"),
        (RouteAct.REJECT, Side.BUY, Decimal(1), Decimal("0.01"), "QTS"),
        (RouteAct.DECLARED, Side.BUY, Decimal(100), None, "BTC/USD"),
        (RouteAct.ACCEPT, Side.SELL, Decimal(10), Decimal("99.5"), "QTS"),
        (RouteAct.DECLARED, Side.BUY, Decimal(4), None, "AAPL"),
    ])
))
"""Intents of both sides, with and without a limit price, over a few symbols and every
kind of answer: the gate's calculations run along each of its paths."""


def _observe(implementation: Impl, scenario: Scenario, plan: FaultPlan | None = None) -> tuple[Observed, GateSpy, ExpectedRun]:
    if getattr(implementation, "make_production_gate", None) is None:
        pytest.skip(f"{NOT_APPLICABLE}: the binding declares no production gate (make_production_gate)")
    spy = spied_production_gate(implementation, plan)
    seen = run_scenario(implementation, scenario, gate=spy)
    return seen, spy, expect(implementation, followed(scenario, spy.calls))


@pytest.mark.qts_clause("TERMINAL-1", "RISK-1", "RISK-2", "RISK-3", "RISK-4", "RISK-5", "LOOP-2", "LOOP-4", "LOOP-6")
@given(scenario=scenarios(gates=False, stop_requests=False, interrupts=True))
def test_the_loop_obeys_the_production_gate_exactly(implementation: Impl, scenario: Scenario) -> None:
    """Property: with the team's own gate in place, every order ends as the gate's
    recorded answers and the route's acts say (blocked where a before-hook refused, the
    run halted where after_response refused), with the faults, hook calls, route calls
    and stop kind the specification gives for those answers."""
    seen, spy, expected = _observe(implementation, scenario)
    if not expected.interrupted:
        if not (not isinstance(seen.raised, SuiteInterrupt) and seen.raised is None):
            raise ClauseViolated("TERMINAL-1", observed=f"run() raised {seen.raised!r} with the production gate in place")
    want = [(o.intent_id, o.history) for o in expected.orders]
    if seen.histories() != want:
        raise ClauseViolated("RISK-1", "RISK-2", "RISK-3", observed=f"with the production gate's answers {_answers(spy.calls)}, histories {seen.histories()}", expected=f"{want}")
    faults = [(o.intent.intent_id, o.fault.site.value if o.fault else None) for o in seen.orders]
    want_faults = [(o.intent_id, o.fault_site.value if o.fault_site else None) for o in expected.orders]
    if faults != want_faults:
        raise ClauseViolated("RISK-4", observed=f"with the production gate, fault sites {faults}", expected=f"{want_faults}")
    for order in {o.intent_id: o for o in reversed(expected.orders)}.values():
        calls = [c for c in seen.log.for_intent(order.intent_id) if c != "pull"]
        asked = [c.hook for c in spy.calls if c.intent_id == order.intent_id]
        got = [c for c in ("before_intent", "before_route", "execute", "after_response") if c in asked or c in calls]
        if got != list(order.calls):
            raise ClauseViolated("RISK-5", observed=f"intent {order.intent_id!r}: the production gate was asked {asked}, route {calls}; expected {list(order.calls)}")
    routed = [i.intent_id for i in seen.routed]
    if routed != list(expected.routed):
        raise ClauseViolated("LOOP-2", observed=f"routed {routed}", expected=f"{list(expected.routed)}")
    stop = seen.report.stop.kind if seen.report is not None else None
    if not (stop == expected.stop or (expected.interrupted and stop == StopKind.INTERRUPTED)):
        raise ClauseViolated("LOOP-6", observed=f"stopped with {stop}", expected=f"{expected.stop.value}")


@pytest.mark.qts_clause("RISK-4")
def test_the_production_gate_fails_closed_when_a_call_it_makes_raises(implementation: Impl) -> None:
    """Each Python call the production gate makes while answering (a position lookup, a
    price feed, a limits table), broken in turn with a ConnectionError raised inside it:
    the gate's answer for that intent is then never True, and the loop refuses it. A
    swallowed fault that still allows names the call where the fault was injected."""
    seen, spy, _ = _observe(implementation, INJECTION_RUN)
    sites = [(n, k) for n, call in enumerate(spy.calls) for k in range(1, len(call.calls) + 1)]
    step = max(1, len(sites) // MAX_INJECTIONS)
    allowed: list[str] = []
    for hook_call, call in sites[::step]:
        _, broken, _ = _observe(implementation, INJECTION_RUN, FaultPlan(hook_call, call))
        if hook_call < len(broken.calls):
            record = broken.calls[hook_call]
            if record.injected is not None and record.raised is None and record.answer is True:
                allowed.append(
                    f"{record.hook} for {record.intent_id!r} answered True although its call of "
                    f"{record.injected} raised ConnectionError (injected)"
                )
    if seen.raised is not None:
        raise ClauseViolated("TERMINAL-1", observed=f"the run with the production gate raised {seen.raised!r}")
    if allowed:
        raise ClauseViolated("RISK-4", observed="the production gate fails open:\n" + "\n".join(allowed[:3]))


def _answers(calls: list[HookCall]) -> str:
    return repr([(c.hook, c.intent_id, type(c.raised).__name__ if c.raised else c.answer) for c in calls])[:400]
