"""The resting model itself (spec.resting): what a lifecycle may declare, how venue
events move an order, and that the termination argument the specification gives holds."""

from __future__ import annotations

import pickle
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

import pytest
from hypothesis import given

from spec import ExecutionIntent, OrderRecord, OrderState, Side
from spec.errors import InvalidResponse, InvalidTransition, RestingOrderError
from spec.resting import (
    STANDARD_RESTING,
    FilledAnswer,
    RestingEvent,
    RestingLifecycle,
    RestingOrder,
    RestingRefusal,
    RestingState,
    VenueEvent,
    advance,
    answer_breach,
    declare_resting_lifecycle,
    open_resting_order,
    resting_breaches,
)
from spec.state_machine import StateMachine

from conformance_tests.resting_feeds import Feed, feeds, venue_event

L = STANDARD_RESTING
E, S = RestingEvent, RestingState
INTENT = ExecutionIntent("o-1", "QTS", Side.BUY, Decimal(10), Decimal(100))


class Team(StrEnum):
    """The states a Phase 5 team wrote from the docs."""

    WORKING = "working"
    PARTIALLY_FILLED = "partially_filled"
    CANCEL_PENDING = "cancel_pending"
    SUSPENDED = "suspended"
    FILLED = "filled"
    CANCELLED = "cancelled"


class Ev(StrEnum):
    PARTIAL_FILL = "partial_fill"
    FILL = "fill"
    CANCEL_REQUEST = "cancel_request"
    CANCEL_REJECT = "cancel_reject"
    CANCELLED = "cancelled"
    SUSPEND = "suspend"
    RESUME = "resume"


TEAM_TABLE: dict[tuple[Team, StrEnum], Team] = {
    (Team.WORKING, Ev.PARTIAL_FILL): Team.PARTIALLY_FILLED,
    (Team.PARTIALLY_FILLED, Ev.PARTIAL_FILL): Team.PARTIALLY_FILLED,
    (Team.WORKING, Ev.FILL): Team.FILLED,
    (Team.PARTIALLY_FILLED, Ev.FILL): Team.FILLED,
    (Team.WORKING, Ev.CANCEL_REQUEST): Team.CANCEL_PENDING,
    (Team.PARTIALLY_FILLED, Ev.CANCEL_REQUEST): Team.CANCEL_PENDING,
    (Team.CANCEL_PENDING, Ev.CANCEL_REJECT): Team.WORKING,  # the row the first model refused as a cycle
    (Team.CANCEL_PENDING, Ev.CANCELLED): Team.CANCELLED,
    (Team.CANCEL_PENDING, Ev.FILL): Team.FILLED,
    (Team.WORKING, Ev.SUSPEND): Team.SUSPENDED,
    (Team.SUSPENDED, Ev.CANCELLED): Team.CANCELLED,
}


def _team(table: dict[tuple[Team, StrEnum], Team], *, max_requests: int = 4) -> RestingLifecycle[Team]:
    machine = StateMachine(states=Team, initial=Team.WORKING, terminal=frozenset({Team.FILLED, Team.CANCELLED}), table=table)
    answers = MappingProxyType[StrEnum, StrEnum]({Ev.CANCEL_REJECT: Ev.CANCEL_REQUEST, Ev.CANCELLED: Ev.CANCEL_REQUEST})
    return RestingLifecycle(machine, frozenset({Ev.PARTIAL_FILL, Ev.FILL}), frozenset({Ev.CANCEL_REQUEST}), answers,
                            frozenset(), max_requests)


def _open(filled: Decimal = Decimal(0)) -> RestingOrder[RestingState]:
    response = (FilledAnswer("o-1", accepted=True, venue_order_id="v-1", filled=filled, exec_id="x-0") if filled
                else FilledAnswer("o-1", accepted=True, venue_order_id="v-1"))
    record = OrderRecord(INTENT, (OrderState.CREATED, OrderState.SUBMITTED, OrderState.ACCEPTED), response)
    return open_resting_order(L, record)


def _apply(order: RestingOrder[RestingState], *events: tuple[str, StrEnum, int | None]) -> RestingOrder[RestingState]:
    for exec_id, event, filled in events:
        order = advance(L, order, VenueEvent("v-1", exec_id, event, None if filled is None else Decimal(filled)))
    return order


def _refusal(order: RestingOrder[RestingState], event: VenueEvent) -> RestingRefusal:
    with pytest.raises(RestingRefusal) as caught:
        advance(L, order, event)
    assert (caught.value.venue_order_id, caught.value.exec_id) == ("v-1", event.exec_id)
    return caught.value


# --- RESTING-4: what a lifecycle may declare -----------------------------------------


def test_the_standard_lifecycle_and_a_team_lifecycle_with_cancel_reject_are_accepted() -> None:
    assert resting_breaches(L) == ()
    assert resting_breaches(_team(TEAM_TABLE)) == ()


def test_a_cycle_through_no_request_and_no_fill_is_refused() -> None:
    """Suspend / resume can repeat for ever: nothing the measure counts goes down."""
    looping = _team({**TEAM_TABLE, (Team.SUSPENDED, Ev.RESUME): Team.WORKING})
    (breach,) = resting_breaches(looping)
    assert breach.clause == "RESTING-4"
    assert breach.message.endswith("nothing bounds it: 'suspended' -> 'working' -> 'suspended'")


def test_requests_without_a_bound_are_refused() -> None:
    assert [b.clause for b in resting_breaches(_team(TEAM_TABLE, max_requests=0))] == ["RESTING-4"]
    assert [b.clause for b in resting_breaches(_team(TEAM_TABLE, max_requests=-1))] == ["RESTING-4"]
    assert [b.clause for b in resting_breaches(_team(TEAM_TABLE, max_requests=True))] == ["RESTING-4"]


def test_declaring_a_broken_lifecycle_lists_every_breach() -> None:
    with pytest.raises(RestingOrderError) as caught:
        declare_resting_lifecycle(
            Team, initial=Team.FILLED, terminal=[Team.FILLED], table={(Team.FILLED, Ev.RESUME): Team.WORKING},
            fills=[Ev.FILL], requests=[Ev.FILL], answers={Ev.CANCEL_REJECT: Ev.CANCEL_REQUEST}, amends=[Ev.RESUME],
        )
    assert caught.value.clause == "RESTING-4"
    for what in ("initial state 'filled' is terminal", "terminal state 'filled' has an exit", "has two roles: fill and request",
                 "which is not a request", "amend 'resume'", "max_requests is 0", "no terminal state is reachable from 'working'"):
        assert what in str(caught.value), what


def test_a_request_beyond_max_requests_is_refused() -> None:
    team = _team(TEAM_TABLE, max_requests=1)
    record = OrderRecord(INTENT, (OrderState.CREATED, OrderState.SUBMITTED, OrderState.ACCEPTED),
                         FilledAnswer("o-1", accepted=True, venue_order_id="v-1"))
    order = open_resting_order(team, record)
    order = advance(team, order, VenueEvent("v-1", "c-1", Ev.CANCEL_REQUEST))
    order = advance(team, order, VenueEvent("v-1", "c-1-no", Ev.CANCEL_REJECT))
    assert order.state is Team.WORKING and order.pending == ()
    with pytest.raises(RestingOrderError) as caught:
        advance(team, order, VenueEvent("v-1", "c-2", Ev.CANCEL_REQUEST))
    assert caught.value.clause == "RESTING-4"


# --- how events move an order --------------------------------------------------------


def test_a_fill_on_arrival_opens_the_order_partly_or_wholly_filled() -> None:
    part = _open(Decimal(4))
    assert (part.history, part.filled, part.leaves(L)) == ((S.WORKING, S.PARTIALLY_FILLED), Decimal(4), Decimal(6))
    assert part.journal == (VenueEvent("v-1", "x-0", E.PARTIAL_FILL, Decimal(4)),)
    whole = _open(Decimal(10))
    assert (whole.state, whole.filled, whole.leaves(L)) == (S.FILLED, Decimal(10), Decimal(0))


def test_a_cancel_reject_returns_the_order_to_where_it_was_moved_by_the_fills_meanwhile() -> None:
    order = _apply(_open(), ("c-1", E.CANCEL_REQUEST, None), ("x-1", E.PARTIAL_FILL, 3), ("c-1-no", E.CANCEL_REJECT, None))
    assert [s.value for s in order.history] == ["working", "cancel_pending", "cancel_pending", "partially_filled"]
    assert (order.filled, len(order.pending), order.requests) == (Decimal(3), 0, 1)


def test_a_cancel_may_be_requested_while_an_amend_is_pending_and_each_answer_returns_one_step() -> None:
    order = _apply(_open(), ("r-1", E.REPLACE_REQUEST, None), ("c-1", E.CANCEL_REQUEST, None), ("c-1-no", E.CANCEL_REJECT, None))
    assert order.state is S.REPLACE_PENDING
    order = advance(L, order, VenueEvent("v-1", "r-1-ok", E.REPLACE, quantity=Decimal(6), limit_price=Decimal(99)))
    assert (order.state, order.quantity, order.limit_price, len(order.pending)) == (S.WORKING, Decimal(6), Decimal(99), 0)


def test_late_fills_are_booked_after_a_cancel_is_requested_and_after_it_is_confirmed() -> None:
    order = _apply(_open(), ("c-1", E.CANCEL_REQUEST, None), ("x-1", E.PARTIAL_FILL, 2), ("c-1-ok", E.CANCEL, None),
                   ("x-2", E.PARTIAL_FILL, 5))
    assert (order.state, order.filled, order.leaves(L)) == (S.CANCELLED, Decimal(5), Decimal(0))
    assert [e.exec_id for e in order.journal] == ["c-1", "x-1", "c-1-ok", "x-2"]
    assert order.pending == ()  # the confirmed cancel answered the request: a reject of it now is refused
    assert _refusal(order, VenueEvent("v-1", "c-1-no", E.CANCEL_REJECT)).clause == "RESTING-6"


def test_a_reject_after_the_fill_that_closed_the_order_only_closes_the_request() -> None:
    order = _apply(_open(), ("c-1", E.CANCEL_REQUEST, None), ("x-1", E.FILL, 10))
    assert order.state is S.FILLED and len(order.pending) == 1
    order = _apply(order, ("c-1-no", E.CANCEL_REJECT, None))
    assert (order.state, order.pending) == (S.FILLED, ())
    with pytest.raises(InvalidTransition):  # a filled order cannot be cancelled (STATE-3 of the lifecycle's table)
        advance(L, order, VenueEvent("v-1", "c-1-ok", E.CANCEL))


def test_resting_values_and_refusals_keep_their_data_through_pickling() -> None:
    """Orders, events, answers and refusals may cross a process boundary (the judge apart
    from the implementation)."""
    order = _apply(_open(Decimal(4)), ("c-1", E.CANCEL_REQUEST, None))
    assert pickle.loads(pickle.dumps(order)) == order
    answer = FilledAnswer("o-1", True, venue_order_id="v-1", filled=Decimal(1), exec_id="x")
    assert pickle.loads(pickle.dumps(answer)) == answer
    refusal = _refusal(_open(), VenueEvent("v-1", "x-9", E.PARTIAL_FILL, Decimal(11)))
    copy = pickle.loads(pickle.dumps(refusal))
    assert (type(copy), copy.clause, copy.venue_order_id, copy.exec_id, str(copy)) == (
        RestingRefusal, "RESTING-3", "v-1", "x-9", str(refusal))


def test_a_resent_report_changes_nothing_and_a_reused_exec_id_is_refused() -> None:
    order = _apply(_open(), ("x-1", E.PARTIAL_FILL, 3), ("x-2", E.PARTIAL_FILL, 5))
    assert advance(L, order, VenueEvent("v-1", "x-1", E.PARTIAL_FILL, Decimal(3))) is order
    assert _refusal(order, VenueEvent("v-1", "x-1", E.PARTIAL_FILL, Decimal(6))).clause == "RESTING-5"


def test_an_amend_must_leave_something_to_fill_and_answer_the_pending_request() -> None:
    order = _apply(_open(), ("x-1", E.PARTIAL_FILL, 5), ("r-1", E.REPLACE_REQUEST, None))
    for quantity in (Decimal(4), Decimal(5)):
        assert _refusal(order, VenueEvent("v-1", "r-1-ok", E.REPLACE, quantity=quantity)).clause == "RESTING-6"
    assert _refusal(order, VenueEvent("v-1", "r-1-ok", E.REPLACE)).clause == "RESTING-6"
    assert _refusal(order, VenueEvent("v-1", "c-1-no", E.CANCEL_REJECT)).clause == "RESTING-6"
    assert _refusal(order, VenueEvent("v-1", "x-2", E.PARTIAL_FILL, Decimal(6), quantity=Decimal(8))).clause == "RESTING-6"


def test_fills_only_grow_never_past_the_quantity_and_close_only_when_complete() -> None:
    order = _apply(_open(), ("x-1", E.PARTIAL_FILL, 5))
    for event in (VenueEvent("v-1", "x-2", E.PARTIAL_FILL, Decimal(5)), VenueEvent("v-1", "x-2", E.PARTIAL_FILL, Decimal(11)),
                  VenueEvent("v-1", "x-2", E.PARTIAL_FILL), VenueEvent("v-1", "x-2", E.PARTIAL_FILL, Decimal(10)),
                  VenueEvent("v-1", "x-2", E.FILL, Decimal(8)), VenueEvent("v-1", "c-1", E.CANCEL_REQUEST, Decimal(6))):
        assert _refusal(order, event).clause == "RESTING-3", event


# --- RESTING-7: answers that carry fills ----------------------------------------------


def test_an_answer_never_fills_more_than_the_order_nor_anything_when_it_refuses() -> None:
    assert answer_breach(INTENT, FilledAnswer("o-1", accepted=True, filled=Decimal(10), exec_id="x")) is None
    over = answer_breach(INTENT, FilledAnswer("o-1", accepted=True, filled=Decimal(11), exec_id="x"))
    refused = answer_breach(INTENT, FilledAnswer("o-1", accepted=False, filled=Decimal(1), exec_id="x"))
    assert over is not None and over.clause == "RESTING-7" and "11 filled, more than the 10" in over.message
    assert refused is not None and refused.clause == "RESTING-7"
    record = OrderRecord(INTENT, (OrderState.CREATED, OrderState.SUBMITTED, OrderState.ACCEPTED),
                         FilledAnswer("o-1", accepted=True, venue_order_id="v-1", filled=Decimal(11), exec_id="x"))
    with pytest.raises(RestingOrderError) as caught:
        open_resting_order(L, record)
    assert caught.value.clause == "RESTING-7"


@pytest.mark.parametrize(("fields", "says"), [
    ({"filled": Decimal(-1)}, "filled must be"), ({"filled": 1}, "filled must be"),
    ({"filled": Decimal(1)}, "needs the fill's exec_id"), ({"exec_id": " "}, "exec_id must be"),
])
def test_a_filled_answer_refuses_bad_values_with_what_to_do(fields: dict[str, object], says: str) -> None:
    with pytest.raises(InvalidResponse, match=says):
        FilledAnswer("o-1", True, **fields)  # type: ignore[arg-type]


# --- the termination argument --------------------------------------------------------


def _measure(lifecycle: RestingLifecycle[StrEnum], order: RestingOrder[StrEnum]) -> tuple[Decimal, ...]:
    """The specification's measure: requests left, requests pending, quantity left, height
    (the standard lifecycle's rows other than requests and fills all lead to a terminal
    state, so open states have height 0 and closed ones -1)."""
    height = -1 if order.state in lifecycle.machine.terminal else 0
    return (Decimal(lifecycle.max_requests - order.requests), Decimal(len(order.pending)),
            order.quantity - order.filled, Decimal(height))


@given(feed=feeds)
def test_every_booked_event_strictly_lowers_the_measure_and_fills_stay_within_the_quantity(feed: Feed) -> None:
    """Property: on the standard lifecycle, whatever the venue sends, every event that is
    booked (not a resend) strictly lowers the measure RESTING-4 argues by; filled never
    falls and never passes the quantity; an open order has something left."""
    orders = {f"v-{n}": RestingOrder(f"v-{n}", ExecutionIntent(f"o-{n}", "QTS", Side.BUY, q), (L.machine.initial,), q)
              for n, q in enumerate(feed.quantities)}
    for n, step in enumerate(feed.steps):
        before = orders[f"v-{step.order % len(orders)}"]
        event = venue_event(L, before, step, f"e-{n}")
        if event is None or event.venue_order_id != before.venue_order_id:
            continue
        try:
            after = advance(L, before, event)
        except (RestingOrderError, LookupError):
            continue
        orders[after.venue_order_id] = after
        if after is before:
            continue  # a resend
        assert _measure(L, after) < _measure(L, before), (event, before, after)
        assert before.filled <= after.filled <= after.quantity
        assert after.state in L.machine.terminal or after.filled < after.quantity
