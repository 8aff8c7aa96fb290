"""LOOP-1 .. LOOP-8: the loop itself: synchronous, single submission, failures kept
local, interruption settled, stop policy, stop requests, exhaustion."""

from __future__ import annotations

import time
from decimal import Decimal
from enum import StrEnum

import pytest
from hypothesis import example, given

from spec.binding import Implementation
from spec.errors import InvalidIntent
from spec.order_state import OrderState
from spec.records import FaultSite, StopKind
from spec.values import ExecutionIntent, ExecutionResponse, Side

from conformance_tests.binding import venue_errors
from conformance_tests.doubles import AFTER_SENT, BEFORE_SENT, AllowAllGate, CallLog, ScriptedRoute, SuiteInterrupt, SuitePolicy
from conformance_tests.harness import Observed, call_watched, expect, run_scenario
from conformance_tests.scenario import GateAct, Policy, RouteAct, Scenario, Step
from conformance_tests.strategies import LONG_RUN, long_run, long_scenarios, scenarios
from conformance_tests.violation import ClauseViolated

Impl = Implementation[StrEnum]
FAILED = OrderState.FAILED.value


@pytest.mark.qts_clause("LOOP-1")
@given(scenario=scenarios(interrupts=True))
def test_loop_is_synchronous(implementation: Impl, scenario: Scenario) -> None:
    """Property: a run starts no thread, no asyncio event loop and no timer, and calls
    the route and every hook from the thread that called run()."""
    seen = run_scenario(implementation, scenario)
    if seen.attempts.concurrency:
        raise ClauseViolated("LOOP-1", observed=f"the loop started {seen.attempts.concurrency}")
    if seen.foreign_threads:
        raise ClauseViolated("LOOP-1", observed="the route or a gate was called from another thread")


@pytest.mark.qts_clause("LOOP-2")
@given(scenario=scenarios(interrupts=True))
def test_route_is_called_at_most_once_per_intent_with_the_intent_pulled(implementation: Impl, scenario: Scenario) -> None:
    """Property: no intent id reaches the route twice in a run (also when the source
    repeats it), and the route receives the very intent object pulled."""
    seen = run_scenario(implementation, scenario)
    ids = [i.intent_id for i in seen.routed]
    if len(ids) != len(set(ids)):
        raise duplicate_submission(seen)
    pulled = {id(i) for i in seen.pulled}
    if not all(id(i) in pulled for i in seen.routed):
        raise ClauseViolated("LOOP-2", observed="the route received an intent that was not pulled (a copy?)")
    if [i.intent_id for i in seen.routed] != list(expect(implementation, scenario).routed):
        raise ClauseViolated("LOOP-2", observed=f"routed {ids}", expected=f"{list(expect(implementation, scenario).routed)}")


def duplicate_submission(seen: Observed) -> ClauseViolated:
    """LOOP-2's failure for a run that routed an intent id twice: which id, and how its
    first route call ended (a resend after a failure is the classic double order)."""
    ids = [i.intent_id for i in seen.routed]
    twice = next(i for n, i in enumerate(ids) if i in ids[:n])
    first = seen.route_failures.get(twice, "answered")
    return ClauseViolated(
        "LOOP-2",
        observed=f"duplicate submission: {twice!r} was routed {ids.count(twice)} times; its first route "
        f"call {first} (route calls {ids!r:.300})",
        expected="whatever the route raised, the loop and its route wrappers do not call it again for that intent",
    )


@pytest.mark.qts_clause("LOOP-2")
@pytest.mark.qts_examples_divided_by(30)
@example(scenario=long_run(LONG_RUN))
@given(scenario=long_scenarios())
def test_a_repeat_far_back_in_a_long_run_is_still_refused(implementation: Impl, scenario: Scenario) -> None:
    """Property: over runs of thousands of intents, an id repeated 65 to 1999 intents
    later is refused at intake like one repeated at once: no window, flush or
    time-to-live on the ids already pulled."""
    seen = run_scenario(implementation, scenario)
    ids = [i.intent_id for i in seen.routed]
    if len(ids) != len(set(ids)):
        raise duplicate_submission(seen)
    want = expect(implementation, scenario).routed
    if tuple(ids) != want:
        raise ClauseViolated("LOOP-2", observed=f"routed {len(ids)} intents", expected=f"{len(want)} (a repeat routed, or a fresh id refused?)")


@pytest.mark.qts_clause("LOOP-2")
def test_repeated_intent_id_is_failed_at_intake(implementation: Impl) -> None:
    seen = run_scenario(implementation, Scenario((Step("o-1"), Step("o-1"))))
    if seen.histories() != [("o-1", ("created", "submitted", "accepted")), ("o-1", ("created", FAILED))]:
        raise ClauseViolated("LOOP-2", observed=f"{seen.histories()}")


SPELLINGS = ("o-1", "O-1", "\uff4f-1", "\u00f6-1", "o\u0308-1")
"""One id number spelt five ways: in case, in width (NFKC) and composed or not (NFC/NFD)."""


@pytest.mark.qts_clause("LOOP-2")
def test_ids_that_differ_only_in_case_or_normalisation_are_different_intents(implementation: Impl) -> None:
    """Ids compare as strings: ids that a case-folding or Unicode-normalising
    de-duplication would merge are each routed once. The generated runs meet such pairs
    by chance; this run meets every one of them."""
    seen = run_scenario(implementation, Scenario(tuple(Step(i) for i in SPELLINGS)))
    routed = tuple(i.intent_id for i in seen.routed)
    if routed != SPELLINGS:
        raise ClauseViolated("LOOP-2", observed=f"routed {routed!r}",
                             expected=f"each of {SPELLINGS!r} routed once: ids differ unless they are equal strings")


LONG_ANSWER_S = 1.2
"""How long the venue takes in the test below: past a one-second time-to-live on the
ids already pulled, well within the suite's time limit (RUN_TIME_LIMIT_S)."""


@pytest.mark.qts_clause("LOOP-2")
def test_a_repeat_after_a_slow_answer_is_still_refused(implementation: Impl) -> None:
    """Time passes in a run (a venue that answers in over a second): an id pulled again
    afterwards is still refused; the refusal of a repeat does not expire."""

    class SlowVenue:
        calls: list[str] = []

        def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
            self.calls.append(intent.intent_id)
            if len(self.calls) == 1:
                time.sleep(LONG_ANSWER_S)
            return ExecutionResponse(intent.intent_id, accepted=True)

    route = SlowVenue()
    loop = call_watched(lambda: implementation.make_loop(route, AllowAllGate(), SuitePolicy(Policy(), CallLog())))
    report = call_watched(lambda: loop.run([Step("o-1").intent(), Step("o-2").intent(), Step("o-1").intent()]))
    if route.calls != ["o-1", "o-2"]:
        raise ClauseViolated("LOOP-2", observed=f"duplicate submission: route calls {route.calls}; 'o-1' was pulled again {LONG_ANSWER_S} s after "
        "it was first routed (a time-to-live on the ids already pulled?)")
    if [o.state.value for o in report.orders][-1] != FAILED:
        raise ClauseViolated("LOOP-2", observed=f"the repeat must fail at intake: {report.orders[-1]}")


@pytest.mark.qts_clause("LOOP-2", "LOOP-4")
def test_no_route_failure_is_resent_whatever_it_raised(implementation: Impl) -> None:
    """Every kind of exception a venue client raises (builtin OSErrors, timeouts, the
    binding's own ``venue_errors``), before the order left and after it (the venue may
    hold it), fails that one order at the route; the route is called once per intent."""
    kinds = len(BEFORE_SENT) + len(AFTER_SENT) + len(venue_errors(implementation))
    scenario = Scenario(tuple(
        Step(f"{act.value}-{n}", route=act, variant=n) for n in range(kinds) for act in (RouteAct.RAISE, RouteAct.LOST)
    ))
    seen = run_scenario(implementation, scenario)
    ids = [i.intent_id for i in seen.routed]
    if len(ids) != len(set(ids)):
        raise duplicate_submission(seen)
    wrong = [(i, h) for i, h in seen.histories() if h != ("created", "submitted", FAILED)]
    if not (seen.raised is None and not wrong):
        raise ClauseViolated("LOOP-4", observed=f"route failures must fail their order and nothing else: {wrong or seen.raised!r}")


@pytest.mark.qts_clause("LOOP-4")
@pytest.mark.parametrize("act", [RouteAct.RAISE, RouteAct.LOST, RouteAct.GARBAGE, RouteAct.WRONG_ID])
def test_route_failure_fails_that_order_and_the_run_goes_on(implementation: Impl, act: RouteAct) -> None:
    seen = run_scenario(implementation, Scenario((Step("o-1", route=act), Step("o-2"))))
    if seen.raised is not None:
        raise ClauseViolated("LOOP-4", observed=f"run() raised {seen.raised!r} for a route that did {act.value}")
    if seen.histories() != [
        ("o-1", ("created", "submitted", FAILED)),
        ("o-2", ("created", "submitted", "accepted")),
    ]:
        raise ClauseViolated("LOOP-4", observed=f"route {act.value}: {seen.histories()}")


@pytest.mark.qts_clause("LOOP-4")
@given(scenario=scenarios())
def test_outcomes_follow_the_route_answers(implementation: Impl, scenario: Scenario) -> None:
    """Property: every order's history is the one the specification gives for its
    script (accept, reject, raise, garbage, wrong id), and no exception leaves run()."""
    seen = run_scenario(implementation, scenario)
    expected = expect(implementation, scenario)
    if seen.raised is not None:
        raise ClauseViolated("LOOP-4", observed=f"run() raised {seen.raised!r}")
    want = [(o.intent_id, o.history) for o in expected.orders]
    if seen.histories() != want:
        raise ClauseViolated("LOOP-4", observed=f"histories {seen.histories()}", expected=f"{want}")


@pytest.mark.qts_clause("LOOP-5", "RISK-4")
@given(scenario=scenarios(interrupts=True))
def test_interrupt_settles_the_order_in_flight_then_propagates(implementation: Impl, scenario: Scenario) -> None:
    """Property: an interrupt (a BaseException) from the route or a hook propagates out
    of run() unchanged, after the order in flight reached the state the specification
    gives (with a fault at the interrupt's site), and last_report says the run was
    interrupted."""
    expected = expect(implementation, scenario)
    seen = run_scenario(implementation, scenario)
    if not expected.interrupted:
        assert not isinstance(seen.raised, SuiteInterrupt)
        return
    if not isinstance(seen.raised, SuiteInterrupt):
        raise ClauseViolated("LOOP-5", observed=f"the interrupt did not propagate (raised {seen.raised!r})")
    want = [(o.intent_id, o.history) for o in expected.orders]
    if seen.histories() != want:
        raise ClauseViolated("LOOP-5", observed=f"last_report holds {seen.histories()}", expected=f"{want}")
    if not (seen.report is not None and seen.report.stop.kind == StopKind.INTERRUPTED):
        raise ClauseViolated("LOOP-5", observed="stop kind must be INTERRUPTED")
    faults = [(o.intent.intent_id, o.fault.site.value if o.fault else None) for o in seen.orders]
    want_faults = [(o.intent_id, o.fault_site.value if o.fault_site else None) for o in expected.orders]
    if faults != want_faults:
        raise ClauseViolated("RISK-4", observed=f"the order an interrupt leaves behind carries a fault at the interrupt's site: {faults}", expected=f"{want_faults}")


@pytest.mark.qts_clause("LOOP-5")
@pytest.mark.parametrize("error", [KeyboardInterrupt, SystemExit])
def test_keyboard_interrupt_and_system_exit_settle_the_order(implementation: Impl, error: type[BaseException]) -> None:
    class InterruptingRoute:
        def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
            raise error("stop now")

    loop = call_watched(lambda: implementation.make_loop(InterruptingRoute(), AllowAllGate(), SuitePolicy(Policy(), CallLog())))
    intent = ExecutionIntent("o-1", "QTS", Side.SELL, Decimal("2.5"))
    with pytest.raises(error):
        call_watched(lambda: loop.run([intent]))
    report = loop.last_report
    if report is None:
        raise ClauseViolated("LOOP-5", observed="last_report is None after an interrupted run")
    if [(o.intent.intent_id, o.state.value) for o in report.orders] != [("o-1", FAILED)]:
        raise ClauseViolated("LOOP-5", observed=f"{[(o.intent.intent_id, o.state.value) for o in report.orders]}")


@pytest.mark.qts_clause("LOOP-6")
@given(scenario=scenarios(stop_requests=False))
def test_stop_policy_is_obeyed_exactly(implementation: Impl, scenario: Scenario) -> None:
    """Property: the run pulls exactly the intents the specification says (none after
    the policy said stop), calls the route at most max_executions times, and reports the
    stop kind of LOOP-6's precedence."""
    seen = run_scenario(implementation, scenario)
    expected = expect(implementation, scenario)
    pulled = [i.intent_id for i in seen.pulled]
    want = [o.intent_id for o in expected.orders]
    if pulled != want:
        raise ClauseViolated("LOOP-6", observed=f"pulled {pulled}", expected=f"{want} ({scenario.policy})")
    limit = scenario.policy.max_executions
    if limit is not None:
        if len(seen.routed) > limit:
            raise ClauseViolated("LOOP-6", observed=f"{len(seen.routed)} route calls, limit {limit}")
    if not (seen.report is not None and seen.report.stop.kind == expected.stop):
        raise ClauseViolated("LOOP-6", observed=f"stopped with {seen.report and seen.report.stop}", expected=f"{expected.stop.value}")
    detail: object = seen.report.stop.detail
    if not (type(detail) is str and detail.strip()):
        raise ClauseViolated("LOOP-6", observed=f"a stop reason's detail must be a non-blank str: {detail!r}")


@pytest.mark.qts_clause("LOOP-6")
@given(scenario=scenarios(stop_requests=False))
def test_stop_policy_is_consulted_before_every_pull(implementation: Impl, scenario: Scenario) -> None:
    """Property: between two pulls (and before the first) the policy was asked."""
    seen = run_scenario(implementation, scenario)
    kinds = [kind for kind, _ in seen.log.entries if kind in ("pull", "policy")]
    asked = False
    for kind in kinds:
        if kind == "policy":
            asked = True
        else:
            if not asked:
                raise ClauseViolated("LOOP-6", observed=f"an intent was pulled without asking the stop policy first: {kinds}")
            asked = False


@pytest.mark.qts_clause("LOOP-7")
@given(scenario=scenarios())
def test_stop_request_ends_the_run_before_the_next_pull(implementation: Impl, scenario: Scenario) -> None:
    """Property: once request_stop() is called while an intent is pulled, that intent
    still settles and no other is pulled; the stop kind is STOP_REQUESTED unless a
    gate halt came first."""
    expected = expect(implementation, scenario)
    if not any(s.request_stop for s in scenario.steps):
        return
    seen = run_scenario(implementation, scenario)
    pulled = [i.intent_id for i in seen.pulled]
    if pulled != [o.intent_id for o in expected.orders]:
        raise ClauseViolated("LOOP-7", observed=f"pulled {pulled}", expected=f"{[o.intent_id for o in expected.orders]}")
    if not (seen.report is not None and seen.report.stop.kind == expected.stop):
        raise ClauseViolated("LOOP-7", observed=f"stopped with {seen.report and seen.report.stop}", expected=f"{expected.stop.value}")
    detail: object = seen.report.stop.detail
    if not (type(detail) is str and detail.strip()):
        raise ClauseViolated("LOOP-7", observed=f"a stop reason's detail must be a non-blank str: {detail!r}")


@pytest.mark.qts_clause("LOOP-7")
def test_stop_requested_before_run_pulls_nothing_and_is_then_used_up(implementation: Impl) -> None:
    log = CallLog()
    scenario = Scenario((Step("o-1"),))
    loop = call_watched(lambda: implementation.make_loop(ScriptedRoute(scenario, log), AllowAllGate(), SuitePolicy(Policy(), log)))
    call_watched(loop.request_stop)
    first = call_watched(lambda: loop.run([Step("o-1").intent()]))
    if (first.orders, first.stop.kind) != ((), StopKind.STOP_REQUESTED):
        raise ClauseViolated("LOOP-7", observed=f"first run {first}")
    second = call_watched(lambda: loop.run([Step("o-1").intent()]))
    if [o.state.value for o in second.orders] != ["accepted"]:
        raise ClauseViolated("LOOP-7", observed=f"the request was not used up: {second}")
    assert second.stop.kind == StopKind.SOURCE_EXHAUSTED


@pytest.mark.qts_clause("LOOP-8")
@given(scenario=scenarios(gates=False, stop_requests=False))
def test_exhausted_source_ends_the_run(implementation: Impl, scenario: Scenario) -> None:
    """Property: with no policy limit, the run pulls every intent and ends SOURCE_EXHAUSTED."""
    free = Scenario(scenario.steps)
    seen = run_scenario(implementation, free)
    if seen.raised is not None:
        raise ClauseViolated("LOOP-8", observed=f"run() raised {seen.raised!r}")
    if len(seen.pulled) != len(free.steps):
        raise ClauseViolated("LOOP-8", observed=f"pulled {len(seen.pulled)} of {len(free.steps)}")
    if not (seen.report is not None and seen.report.stop.kind == StopKind.SOURCE_EXHAUSTED):
        raise ClauseViolated("LOOP-8", observed=f"{seen.report}")


@pytest.mark.qts_clause("LOOP-3")
def test_a_source_yielding_a_non_intent_is_refused_and_loses_nothing(implementation: Impl) -> None:
    log = CallLog()
    scenario = Scenario((Step("o-1"),))
    loop = call_watched(lambda: implementation.make_loop(ScriptedRoute(scenario, log), AllowAllGate(), SuitePolicy(Policy(), log)))
    with pytest.raises(InvalidIntent, match="o-2"):  # the message names the object (LOOP-3)
        call_watched(lambda: loop.run([Step("o-1").intent(), {"intent_id": "o-2"}]))  # type: ignore[list-item]  # pyright: ignore[reportArgumentType]
    report = loop.last_report
    if not (report is not None and [o.intent.intent_id for o in report.orders] == ["o-1"]):
        raise ClauseViolated("LOOP-3", observed=f"{report}")


@pytest.mark.qts_clause("RISK-3")
def test_after_response_false_keeps_accepted_and_routes_nothing_more(implementation: Impl) -> None:
    seen = run_scenario(implementation, Scenario((Step("o-1", after_response=GateAct.REFUSE), Step("o-2"))))
    if seen.histories() != [("o-1", ("created", "submitted", "accepted"))]:
        raise ClauseViolated("RISK-3", observed=f"{seen.histories()}")
    kept = seen.orders[0].response
    if not (kept is not None and kept == seen.answers["o-1"]):
        raise ClauseViolated("RISK-3", observed=f"the refused order must keep the venue's response, has {kept!r}")
    if [i.intent_id for i in seen.routed] != ["o-1"]:
        raise ClauseViolated("RISK-3", observed="an intent was routed after after_response refused")


@pytest.mark.qts_clause("LOOP-10")
def test_each_declared_outcome_takes_its_declared_path(implementation: Impl) -> None:
    """One run per declared answer: the order goes exactly along the path the state
    model declares for it and keeps the venue's response."""
    wrong: list[str] = []
    for index, outcome in enumerate(implementation.outcomes or (None,)):
        scenario = Scenario((Step("o-1", route=RouteAct.DECLARED, outcome=index),))
        seen = run_scenario(implementation, scenario)
        want = [(o.intent_id, o.history) for o in expect(implementation, scenario).orders]
        name = outcome.name if outcome is not None else "plain acceptance"
        if seen.histories() != want:
            wrong.append(f"outcome {name!r}: history {seen.histories()}, declared {want}")
        elif seen.orders and want[0][1][-1] != FAILED and seen.orders[0].response is None:
            wrong.append(f"outcome {name!r}: the record dropped the venue's response")
    if wrong:
        raise ClauseViolated("LOOP-10", observed="\n".join(wrong))


@pytest.mark.qts_clause("LOOP-10")
@given(scenario=scenarios(interrupts=True))
def test_declared_answers_move_orders_along_their_declared_paths(implementation: Impl, scenario: Scenario) -> None:
    """Property: amid every other route and gate behaviour, each order answered with a
    declared outcome ends exactly as its state model declares (FAILED at the route when
    the model cannot read the answer), never short of it and never past it."""
    seen = run_scenario(implementation, scenario)
    expected = expect(implementation, scenario)
    declared = {s.intent_id for s in scenario.steps if s.route in (RouteAct.DECLARED, RouteAct.DECLARED_BLANK)}
    got = [h for h in seen.histories() if h[0] in declared]
    want = [(o.intent_id, o.history) for o in expected.orders if o.intent_id in declared]
    if got != want:
        raise ClauseViolated("LOOP-10", observed=f"declared answers gave {got}", expected=f"{want}")


@pytest.mark.qts_clause("LOOP-3", "RISK-3", "LOOP-5")
@given(scenario=scenarios(interrupts=True))
def test_every_record_keeps_the_response_the_route_gave_it(implementation: Impl, scenario: Scenario) -> None:
    """Property: an order the route answered with a valid response keeps that response
    in its record (the clean path, an after_response refusal, an interrupt after the
    venue answered, an answer the state model cannot read); every other order (blocked,
    refused at intake, a route failure, an interrupt before the answer) has none."""
    seen = run_scenario(implementation, scenario)
    expected = expect(implementation, scenario)
    got = [(o.intent.intent_id, o.response) for o in seen.orders]
    want = [(o.intent_id, seen.answers.get(o.intent_id) if o.answered else None) for o in expected.orders]
    if got != want:
        raise ClauseViolated("LOOP-3", observed=f"the records' responses are {got!r:.600}", expected=f"{want!r:.600}")


@pytest.mark.qts_clause("LOOP-6")
@given(scenario=scenarios(interrupts=True))
def test_the_stop_policy_sees_the_run_as_it_is(implementation: Impl, scenario: Scenario) -> None:
    """Property: whenever the stop policy is asked, its RunContext says how many route
    calls were made (executions), how many orders settled (settled: every intent pulled
    so far), how many of the last orders in a row ended FAILED (consecutive_failures),
    which order settled last (last_order, with its history) and whether after_response
    refused one (gate_halted)."""
    seen = run_scenario(implementation, scenario)
    expected = expect(implementation, scenario)
    for context in seen.contexts:
        done = expected.orders[: context.pulled]
        failures = 0
        for order in done:
            failures = failures + 1 if order.history[-1] == FAILED else 0
        want = (
            sum("execute" in o.calls for o in done),
            len(done),
            failures,
            done[-1].history if done else None,
            any(o.fault_site is FaultSite.AFTER_RESPONSE for o in done),
        )
        got = (context.executions, context.settled, context.consecutive_failures, context.last_history, context.gate_halted)
        if got != want:
            raise ClauseViolated("LOOP-6", observed=f"after {context.pulled} pull(s) the policy saw (executions, settled, consecutive_failures, "
            f"last_order's history, gate_halted) = {got}, expected {want}")
        if not all(type(flag) is bool for flag in context.flags):
            raise ClauseViolated("LOOP-6", observed=f"source_exhausted, stop_requested and gate_halted must be bools, read {context.flags!r}")
        last = context.last_order
        if not (last is None or last.intent is seen.pulled[context.pulled - 1]):
            raise ClauseViolated("LOOP-6", observed=f"last_order is about {last and last.intent!r}, not the intent pulled last")


@pytest.mark.qts_clause("LOOP-5", "RISK-4")
@pytest.mark.parametrize(
    ("step", "history", "site", "answered"),
    [
        (Step("o-1", after_response=GateAct.INTERRUPT), ("created", "submitted", "accepted"), FaultSite.AFTER_RESPONSE, True),
        (Step("o-1", route=RouteAct.REJECT, after_response=GateAct.INTERRUPT), ("created", "submitted", "rejected"), FaultSite.AFTER_RESPONSE, True),
        (Step("o-1", route=RouteAct.INTERRUPT), ("created", "submitted", FAILED), FaultSite.ROUTE, False),
        (Step("o-1", before_route=GateAct.INTERRUPT), ("created", FAILED), FaultSite.BEFORE_ROUTE, False),
        (Step("o-1", before_intent=GateAct.INTERRUPT), ("created", FAILED), FaultSite.BEFORE_INTENT, False),
    ],
    ids=["after-accept", "after-reject", "route", "before-route", "before-intent"],
)
def test_the_order_an_interrupt_leaves_keeps_its_answer_and_names_the_site(
    implementation: Impl, step: Step, history: tuple[str, ...], site: FaultSite, answered: bool
) -> None:
    """Wherever the interrupt comes from, the order in flight settles (an order the
    venue answered keeps its state and response) with a fault at that site."""
    seen = run_scenario(implementation, Scenario((step, Step("o-2"))))
    if not isinstance(seen.raised, SuiteInterrupt):
        raise ClauseViolated("LOOP-5", observed=f"the interrupt did not propagate (raised {seen.raised!r})")
    if seen.histories() != [("o-1", history)]:
        raise ClauseViolated("LOOP-5", observed=f"last_report holds {seen.histories()}", expected=f"{[('o-1', history)]}")
    order = seen.orders[0]
    want = seen.answers.get("o-1") if answered else None
    if order.response != want:
        raise ClauseViolated("LOOP-5", observed=f"the order keeps response {order.response!r}", expected=f"{want!r}")
    if not (order.fault is not None and order.fault.site is site):
        raise ClauseViolated("RISK-4", observed=f"fault {order.fault!r}", expected=f"one at {site.value}")


@pytest.mark.qts_clause("LOOP-4", "LOOP-10")
def test_a_richer_response_is_an_answer_not_a_failure(implementation: Impl) -> None:
    """A Phase 5 route may answer with a subclass of ExecutionResponse that carries
    more: it is a valid answer, read by the state model (Phase 4's: by ``accepted``)
    and kept in the record, never a route failure."""
    scenario = Scenario((Step("o-1", route=RouteAct.RICH_ACCEPT), Step("o-2", route=RouteAct.RICH_REJECT)))
    seen = run_scenario(implementation, scenario)
    want = [(o.intent_id, o.history) for o in expect(implementation, scenario).orders]
    if seen.histories() != want:
        raise ClauseViolated("LOOP-4", observed=f"richer responses gave {seen.histories()}", expected=f"{want}")
    faults = [o.fault for o in seen.orders]
    responses = [o.response for o in seen.orders]
    if not (faults == [None, None] and responses == [seen.answers["o-1"], seen.answers["o-2"]]):
        raise ClauseViolated("LOOP-4", observed=f"a richer response is an answer: faults {faults}, responses {responses}")
