"""The suite's generator must reach every outcome within the ci budget, or a property
can pass without ever meeting the case that breaks it (this happened: an early version
never routed a REJECT in 60 examples, and a deleted table row went unnoticed)."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings

from spec import FaultSite, OrderState, StopKind

from conformance_tests.model import expected_run
from conformance_tests.scenario import Scenario
from conformance_tests.strategies import scenarios

CI_EXAMPLES = 150


def test_the_generator_reaches_every_final_state_fault_site_and_stop_kind() -> None:
    seen: Counter[str] = Counter()

    @settings(max_examples=CI_EXAMPLES, derandomize=True, database=None)
    @given(scenarios(interrupts=True))
    def explore(scenario: Scenario) -> None:
        expected = expected_run(scenario)
        seen.update(o.history[-1] for o in expected.orders)
        seen.update(o.fault_site.value for o in expected.orders if o.fault_site is not None)
        seen[expected.stop.value] += 1

    explore()
    wanted = (
        {s.value for s in OrderState} - {OrderState.CREATED.value, OrderState.SUBMITTED.value}
        | {f.value for f in FaultSite}
        | {k.value for k in StopKind} - {StopKind.POLICY.value}
    )
    rare = {name: seen[name] for name in wanted if seen[name] < 2}
    assert not rare, f"within {CI_EXAMPLES} examples these outcomes turned up fewer than twice: {rare}"
