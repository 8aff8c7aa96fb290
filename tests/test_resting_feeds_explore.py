"""The resting feeds must reach every case the RESTING clauses are about within the ci
budget, without counting the explicit examples, or a broken book passes because the
feed never sent what breaks it (a late fill, a resent report, a cancel-reject, an amend,
an overfill)."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, seed, settings

from spec.errors import RestingOrderError
from spec.resting import STANDARD_RESTING, RestingEvent, RestingOrder, RestingState, VenueEvent, advance
from spec.values import ExecutionIntent, Side

from conformance_tests.resting_feeds import TEAM_STYLE_FEEDS, Feed, feeds, venue_event

CI_EXAMPLES = 150
L = STANDARD_RESTING


def _advance(order: RestingOrder[RestingState], event: VenueEvent) -> RestingOrder[RestingState] | RestingOrderError:
    try:
        return advance(L, order, event)
    except RestingOrderError as error:
        return error


def _case(before: RestingOrder[RestingState], after: RestingOrder[RestingState] | RestingOrderError, event: RestingEvent) -> str:
    if isinstance(after, RestingOrderError):
        return f"refused {after.clause}"
    if after is before:
        return "resent report"
    if event in L.fills and before.state in L.machine.terminal:
        return "fill after the cancel"
    if event in L.fills and before.pending:
        return "fill while a request is pending"
    return f"applied {event.value}"


def test_the_feeds_reach_late_fills_resends_rejects_amends_and_each_refusal() -> None:
    seen: Counter[str] = Counter()

    @seed(0)  # fixed; over twelve seeds the rarest case (an amend applied) turned up 3 to 16 times
    @settings(max_examples=CI_EXAMPLES, database=None)
    @given(feeds)
    def explore(feed: Feed) -> None:
        orders = {f"v-{n}": RestingOrder(f"v-{n}", ExecutionIntent(f"o-{n}", "QTS", Side.BUY, q), (L.machine.initial,), q)
                  for n, q in enumerate(feed.quantities)}
        for n, step in enumerate(feed.steps):
            before = orders[f"v-{step.order % len(orders)}"]
            event = venue_event(L, before, step, f"e-{n}")
            if event is None or event.venue_order_id not in orders:
                seen["unknown order"] += 1
                continue
            try:
                after = _advance(before, event)
            except LookupError:
                seen["no row"] += 1
                continue
            seen[_case(before, after, RestingEvent(event.event.value))] += 1
            if not isinstance(after, RestingOrderError):
                orders[after.venue_order_id] = after

    explore()
    wanted = {
        "fill after the cancel", "fill while a request is pending", "resent report", "unknown order", "no row",
        *(f"applied {e.value}" for e in RestingEvent), *(f"refused RESTING-{n}" for n in (3, 5, 6)),
    }
    rare = {case: seen[case] for case in sorted(wanted) if seen[case] < 2}
    assert not rare, f"within {CI_EXAMPLES} examples these cases turned up fewer than twice: {rare}"



def test_the_team_style_feeds_send_what_their_comments_say() -> None:
    """The explicit examples pick events by role and index; this pins what those picks
    mean on the standard lifecycle, so a change of the picking rules cannot quietly turn
    the amend below the filled quantity into something else."""
    sent: list[list[str]] = []
    for feed in TEAM_STYLE_FEEDS:
        orders = {f"v-{n}": RestingOrder(f"v-{n}", ExecutionIntent(f"o-{n}", "QTS", Side.BUY, q), (L.machine.initial,), q)
                  for n, q in enumerate(feed.quantities)}
        if feed.arrival:
            orders["v-0"] = advance(L, orders["v-0"], VenueEvent("v-0", "x-0", RestingEvent.PARTIAL_FILL, feed.quantities[0] * feed.arrival))
        sent.append([])
        for n, step in enumerate(feed.steps):
            before = orders[f"v-{step.order % len(orders)}"]
            event = venue_event(L, before, step, f"e-{n}")
            assert event is not None
            after = _advance(before, event)
            sent[-1].append(f"{event.event.value} {_case(before, after, RestingEvent(event.event.value))}")
            if not isinstance(after, RestingOrderError):
                orders[after.venue_order_id] = after
    assert sent == [
        ["cancel_request applied cancel_request", "partial_fill fill while a request is pending",
         "cancel_reject applied cancel_reject", "partial_fill resent report", "cancel_request applied cancel_request",
         "cancel applied cancel", "fill fill after the cancel"],
        ["partial_fill applied partial_fill", "replace_request applied replace_request", "partial_fill applied partial_fill",
         "replace applied replace", "replace_request resent report", "replace_request applied replace_request",
         "replace refused RESTING-6", "replace_reject applied replace_reject", "fill applied fill", "expire applied expire"],
    ]
