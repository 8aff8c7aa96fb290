"""The suite's generator must reach every outcome within the ci budget, or a property
can pass without ever meeting the case that breaks it (this happened: an early version
never routed a REJECT in 60 examples, and a deleted table row went unnoticed)."""

from __future__ import annotations

import unicodedata
from collections import Counter

from hypothesis import given, settings

from spec import FaultSite, OrderState, StopKind

from conformance_tests.doubles import AFTER_SENT, BEFORE_SENT, HOOK_ERRORS, not_true_answers, nth
from conformance_tests.model import expected_run
from conformance_tests.scenario import GateAct, RouteAct, Scenario
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


def test_the_generator_reaches_every_exception_kind_verdict_kind_and_id_spelling() -> None:
    """Within the ci budget, several hook exception kinds and non-True verdicts are met by
    a hook that is asked, and several venue failure kinds by a route that is called (before
    and after the order left), and ids that differ only in case or Unicode normalisation
    meet in one run. (Hypothesis reuses what it drew, so not every kind turns up: the
    conformance tests that must see each kind run them all in one explicit scenario.)"""
    seen: Counter[str] = Counter()

    @settings(max_examples=CI_EXAMPLES, derandomize=True, database=None)
    @given(scenarios(interrupts=True))
    def explore(scenario: Scenario) -> None:
        expected = expected_run(scenario)
        first = {step.intent_id: step for step in reversed(scenario.steps)}
        for order in expected.orders:
            step = first[order.intent_id]
            for hook in ("before_intent", "before_route", "after_response"):
                act = getattr(step, hook)
                if hook in order.calls and act is GateAct.RAISE:
                    seen[f"hook raises {type(nth(HOOK_ERRORS, step.variant)('')).__name__}"] += 1
                if hook in order.calls and act is GateAct.NOT_A_BOOL:
                    seen[f"hook answers {nth(not_true_answers(), step.variant)!r}"] += 1
            if "execute" in order.calls and step.route in (RouteAct.RAISE, RouteAct.LOST):
                kinds = BEFORE_SENT if step.route is RouteAct.RAISE else AFTER_SENT
                seen[f"route {step.route.value} {type(nth(kinds, step.variant)('')).__name__}"] += 1
        ids = {step.intent_id for step in scenario.steps}
        if len({i.casefold() for i in ids}) < len(ids) or len({unicodedata.normalize("NFKC", i) for i in ids}) < len(ids):
            seen["ids twins"] += 1

    explore()
    reached = {
        "hook raises": (len(HOOK_ERRORS), {n for n in seen if n.startswith("hook raises")}),
        "hook answers": (len(not_true_answers()), {n for n in seen if n.startswith("hook answers")}),
        "route raise": (len(BEFORE_SENT), {n for n in seen if n.startswith("route raise")}),
        "route lost": (len(AFTER_SENT), {n for n in seen if n.startswith("route lost")}),
    }
    narrow = {what: sorted(names) for what, (kinds, names) in reached.items() if len(names) < min(3, kinds)}
    assert not narrow, f"within {CI_EXAMPLES} examples fewer than three kinds turned up: {narrow}"
    assert seen["ids twins"] >= 2, f"ids differing only in case or normalisation met in {seen['ids twins']} runs"
