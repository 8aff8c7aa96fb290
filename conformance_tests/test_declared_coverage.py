"""STATE-9 and the coverage of what the binding declared: no table row that nothing can
take, and every row some declared answer can reach is driven by the generated runs
(LOOP-10), so a green verdict means every declared path ran at least once."""

from __future__ import annotations

from enum import StrEnum

import pytest
from hypothesis import given, settings

from spec.binding import Implementation

from conformance_tests.coverage import CoverageCounter, dead_rows, render_coverage
from conformance_tests.harness import call_watched, run_scenario
from conformance_tests.plugin import COVERAGE_KEY
from conformance_tests.scenario import RouteAct, Scenario, Step
from conformance_tests.strategies import scenarios
from conformance_tests.violation import ClauseViolated

Impl = Implementation[StrEnum]

DECLARED = (RouteAct.DECLARED, RouteAct.DECLARED_BLANK)


@pytest.mark.qts_clause("STATE-9")
def test_every_declared_row_can_be_taken(implementation: Impl) -> None:
    """No row of the table is dead: each is taken by the loop's own events or by the
    walk of some answer (a plain one, or a declared outcome's) from SUBMITTED."""
    dead = call_watched(lambda: dead_rows(implementation.machine, implementation.outcomes))
    if dead:
        raise ClauseViolated("STATE-9", observed=f"no declared outcome or event of the loop reaches these rows: {dead}; declare the outcome "
        "that takes them (binding.outcomes) or remove them from the table")


@pytest.mark.qts_clause("LOOP-10")
def test_the_generated_runs_exercise_every_reachable_declared_row(implementation: Impl, pytestconfig: pytest.Config, qts_settings: settings) -> None:
    """One run per declared outcome, then generated runs: every declared state, outcome
    and table row that something declared can reach is reached by at least one run;
    the counts go to the verdict."""
    counter = CoverageCounter(implementation.machine, implementation.outcomes)

    def run(scenario: Scenario) -> None:
        seen = run_scenario(implementation, scenario)
        routed = {i.intent_id for i in seen.routed}
        outcomes = [s.outcome for s in scenario.steps if s.route in DECLARED and s.intent_id in routed]
        counter.count((h for _, h in seen.histories()), outcomes)

    for index in range(max(1, len(implementation.outcomes))):
        run(Scenario((Step("o-1", route=RouteAct.DECLARED, outcome=index),)))

    @settings(qts_settings, max_examples=max(10, qts_settings.max_examples // 5))
    @given(scenarios(interrupts=True))
    def generated(scenario: Scenario) -> None:
        run(scenario)

    generated()
    coverage = counter.coverage()
    pytestconfig.stash[COVERAGE_KEY] = coverage
    missed = coverage.unexercised()
    if missed:
        raise ClauseViolated("LOOP-10", observed="\n".join(render_coverage(coverage)))
