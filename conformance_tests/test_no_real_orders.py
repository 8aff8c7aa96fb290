"""ROUTE-1: the real-order path is never used. Every run of the suite happens with the
network refused and recorded, and with the suite's in-memory route as the only route."""

from __future__ import annotations

from enum import StrEnum

import pytest
from hypothesis import given

from spec.binding import Implementation

from conformance_tests.harness import run_scenario
from conformance_tests.scenario import Scenario
from conformance_tests.strategies import scenarios
from conformance_tests.violation import ClauseViolated

Impl = Implementation[StrEnum]


@pytest.mark.qts_clause("ROUTE-1")
@given(scenario=scenarios(interrupts=True))
def test_no_run_opens_a_network_connection(implementation: Impl, scenario: Scenario) -> None:
    """Property: building a loop and running it opens no socket, connects nowhere and
    resolves no host name, whatever the route and gates do."""
    seen = run_scenario(implementation, scenario)
    if seen.attempts.network:
        raise ClauseViolated("ROUTE-1", observed="the implementation tried to reach the network (a real-order path?):\n"
                             + "\n".join(seen.attempts.network))


@pytest.mark.qts_clause("ROUTE-1")
@given(scenario=scenarios())
def test_only_the_given_route_executes_intents(implementation: Impl, scenario: Scenario) -> None:
    """Property: every intent that left CREATED for SUBMITTED went through the route the
    loop was given, not through some other path to a venue."""
    seen = run_scenario(implementation, scenario)
    submitted = [o.intent.intent_id for o in seen.orders if "submitted" in (s.value for s in o.history)]
    routed = [i.intent_id for i in seen.routed]
    if submitted != routed:
        raise ClauseViolated("ROUTE-1", observed=f"orders submitted {submitted}, but the given route executed {routed}")
