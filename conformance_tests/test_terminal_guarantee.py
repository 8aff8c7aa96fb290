"""TERMINAL-1 and LOOP-3: whatever the route, the gates and the stop policy do, every
intent the loop pulls ends in a terminal state, exactly once, and the loop returns."""

from __future__ import annotations

from enum import StrEnum

import pytest
from hypothesis import example, given

from spec.binding import Implementation

from conformance_tests.doubles import SuiteInterrupt
from conformance_tests.facts import table_walk_problem
from conformance_tests.harness import expect, run_scenario
from conformance_tests.scenario import Scenario
from conformance_tests.strategies import LONG_RUN, long_run, long_scenarios, scenarios
from conformance_tests.violation import ClauseViolated

Impl = Implementation[StrEnum]


@pytest.mark.qts_clause("TERMINAL-1")
@given(scenario=scenarios(interrupts=True))
def test_every_pulled_intent_ends_terminal_exactly_once(implementation: Impl, scenario: Scenario) -> None:
    """For any intents, route behaviour, gate behaviour, stop policy and interrupt, the
    loop returns (or passes the interrupt on), and the report holds each pulled intent
    once, in a terminal state of the implementation's machine."""
    seen = run_scenario(implementation, scenario)
    if seen.raised is not None and not isinstance(seen.raised, SuiteInterrupt):
        raise ClauseViolated("TERMINAL-1", observed=f"run() raised {seen.raised!r} instead of settling the order") from seen.raised
    if seen.report is None:
        raise ClauseViolated("TERMINAL-1", observed="no report (run() returned None, or last_report is None after an interrupt)")
    pulled = [i.intent_id for i in seen.pulled]
    reported = [o.intent.intent_id for o in seen.orders]
    if reported != pulled:
        raise ClauseViolated("TERMINAL-1", observed=f"pulled {pulled} but the report holds {reported}")
    open_orders = [(o.intent.intent_id, o.state.value) for o in seen.orders if o.state not in implementation.machine.terminal]
    if open_orders:
        raise ClauseViolated("TERMINAL-1", observed=f"orders left in a non-terminal state: {open_orders}")


@pytest.mark.qts_clause("LOOP-3")
@given(scenario=scenarios(interrupts=True))
def test_each_record_is_its_pulled_intent_with_a_table_walk_history(implementation: Impl, scenario: Scenario) -> None:
    """Records come in pull order, carry the very intent pulled, and each history starts
    at the initial state and moves only along rows of the transition table."""
    seen = run_scenario(implementation, scenario)
    if seen.report is None:
        raise ClauseViolated("LOOP-3", observed="no report")
    for pulled, order in zip(seen.pulled, seen.orders, strict=False):
        if order.intent is not pulled:
            raise ClauseViolated("LOOP-3", observed=f"record {order.intent!r} is not the intent pulled ({pulled!r})")
        problem = table_walk_problem(implementation.machine, order.history)
        if problem is not None:
            raise ClauseViolated("LOOP-3", observed=f"order {pulled.intent_id!r}: {problem}")
    if len(seen.orders) != len(seen.pulled):
        raise ClauseViolated("LOOP-3", observed=f"{len(seen.pulled)} intent(s) pulled, {len(seen.orders)} record(s)")


@pytest.mark.qts_clause("LOOP-3", "TERMINAL-1")
@pytest.mark.qts_examples_divided_by(30)
@example(scenario=long_run(LONG_RUN))
@example(scenario=long_run(LONG_RUN, interrupted=True))
@given(scenario=long_scenarios())
def test_long_runs_report_every_order_with_its_outcome(implementation: Impl, scenario: Scenario) -> None:
    """Property: over runs of dozens to thousands of intents the report still holds every
    intent pulled, in order, each with the history the specification gives: no cap,
    window or sample of the orders, also in the report of a run an interrupt ended."""
    seen = run_scenario(implementation, scenario)
    want = [(o.intent_id, o.history) for o in expect(implementation, scenario).orders]
    got = seen.histories()
    if len(got) != len(want):
        raise ClauseViolated("LOOP-3", observed=f"{len(want)} intents pulled, the report holds {len(got)} orders")
    wrong = next(((n, g, w) for n, (g, w) in enumerate(zip(got, want)) if g != w), None)
    if wrong is not None:
        raise ClauseViolated("LOOP-3", observed=f"order #{wrong and wrong[0]} is {wrong and wrong[1]}", expected=f"{wrong and wrong[2]}")
