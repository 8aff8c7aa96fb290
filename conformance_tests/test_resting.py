"""RESTING-1 .. RESTING-7: orders that rest at the venue after acceptance, as the
binding's own book keeps them, checked against :mod:`spec.resting`'s pure rules.

A binding with ``resting = None`` keeps no resting orders: these clauses are then
reported "n/a", not passed. Every failure is a :class:`~spec.extension.Breach` naming
its clause, the event (exec id) and the order.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

import pytest
from hypothesis import example, given

from spec.binding import Implementation
from spec.errors import InvalidTransition, RestingOrderError, SpecError
from spec.extension import Breach, response_path
from spec.order_state import OrderState
from spec.records import OrderRecord
from spec.resting import (
    FilledAnswer,
    RestingBinding,
    RestingBook,
    RestingLifecycle,
    RestingOrder,
    RestingRefusal,
    VenueEvent,
    advance,
    answer_breach,
    open_resting_order,
    resting_breaches,
)
from spec.values import ExecutionIntent, ExecutionResponse, Side

from conformance_tests.harness import call_watched
from conformance_tests.report import NOT_APPLICABLE
from conformance_tests.resting_feeds import TEAM_STYLE_FEEDS, Feed, feeds, venue_event
from conformance_tests.violation import ClauseViolated, refuse_breaches

Impl = Implementation[StrEnum]
Lifecycle = RestingLifecycle[StrEnum]


def _resting(implementation: Impl) -> RestingBinding[StrEnum]:
    resting = implementation.resting
    if resting is None:
        pytest.skip(f"{NOT_APPLICABLE}: the binding keeps no resting orders (resting = None)")
    return resting


def _record(implementation: Impl, intent: ExecutionIntent, state: str, response: ExecutionResponse) -> OrderRecord[StrEnum]:
    """A settled loop order as the implementation's loop would report it."""
    machine = implementation.machine
    history = (machine.initial, machine.states(OrderState.SUBMITTED.value), machine.states(state))
    return OrderRecord(intent, history, response)


def _accepted(intent: ExecutionIntent, venue_order_id: str | None, filled: Decimal = Decimal(0)) -> ExecutionResponse:
    if filled == 0:
        return ExecutionResponse(intent.intent_id, accepted=True, venue_order_id=venue_order_id)
    return FilledAnswer(intent.intent_id, accepted=True, venue_order_id=venue_order_id, filled=filled, exec_id=f"{intent.intent_id}-x")


def _shown(order: RestingOrder[StrEnum]) -> tuple[object, ...]:
    """Everything a resting order says, as plain values (states and events by value)."""
    return (
        order.venue_order_id, order.intent.intent_id, tuple(s.value for s in order.history), order.quantity,
        order.limit_price, order.filled, tuple((p.request.value, p.exec_id, p.resume.value) for p in order.pending),
        order.requests, tuple((e.exec_id, e.event.value, e.filled, e.quantity, e.limit_price) for e in order.journal),
    )


@pytest.mark.qts_clause("RESTING-4")
def test_the_resting_lifecycle_terminates(implementation: Impl) -> None:
    """Every order reaches a terminal state in a bounded number of events: the measure
    spec.resting.resting_breaches argues by strictly decreases on every event."""
    lifecycle = _resting(implementation).lifecycle
    breaches = call_watched(lambda: resting_breaches(lifecycle))
    refuse_breaches(breaches)


@pytest.mark.qts_clause("RESTING-1")
def test_only_an_accepted_order_with_a_venue_order_id_starts_resting_with_what_its_answer_filled(implementation: Impl) -> None:
    """Only ACCEPTED with a venue order id opens, once; an answer's fill (on arrival) is
    the order's first fill, as spec.resting.open_resting_order books it, for the suite's
    own answers and for every declared outcome that leaves the order resting."""
    resting = _resting(implementation)
    book = resting.make_book()
    intent = ExecutionIntent("o-1", "QTS", Side.SELL, Decimal(5), Decimal("10.5"))
    wrong: list[str] = []
    ended_otherwise = sorted(s.value for s in implementation.machine.terminal if s.value != OrderState.ACCEPTED.value)
    for state in ended_otherwise:
        try:
            book.open(_record(implementation, intent, state, ExecutionResponse("o-1", accepted=False, venue_order_id="v-x")))
            wrong.append(f"a {state!r} order was opened")
        except SpecError:
            pass
    try:
        book.open(_record(implementation, intent, OrderState.ACCEPTED.value, _accepted(intent, None)))
        wrong.append("an accepted order without a venue_order_id was opened")
    except SpecError:
        pass
    records = [(book, _record(implementation, intent, OrderState.ACCEPTED.value, _accepted(intent, f"v-{n}", filled)))
               for n, filled in enumerate((Decimal(0), Decimal(2), Decimal(5)))]
    # each declared answer in a book of its own: outcomes may all name one venue order id
    records += [(resting.make_book(), record) for record in _declared_resting(implementation)]
    for opener, record in records:
        assert record.response is not None
        filled = record.response.filled if isinstance(record.response, FilledAnswer) else Decimal(0)
        try:
            want: tuple[object, ...] | str = _shown(open_resting_order(resting.lifecycle, record))
        except RestingOrderError as error:
            want = f"refused ({error})"
        try:
            got: tuple[object, ...] | str = _shown(opener.open(record))
        except SpecError as error:
            got = f"refused ({error})"
        if got != want:
            wrong.append(f"venue order {record.response.venue_order_id!r} (intent {record.intent.intent_id!r}, answer "
                         f"filled {filled} of {record.intent.quantity}) opened as {got}, expected {want}")
    try:
        book.open(_record(implementation, intent, OrderState.ACCEPTED.value, _accepted(intent, "v-0")))
        wrong.append("venue order 'v-0' was opened twice")
    except SpecError:
        pass
    if wrong:
        raise ClauseViolated("RESTING-1", observed="\n".join(wrong))


def _declared_resting(implementation: Impl) -> list[OrderRecord[StrEnum]]:
    """The loop orders the binding's declared outcomes leave resting: answers whose path
    ends ACCEPTED with a venue order id, recorded as the loop records them (LOOP-10), so
    a declared fill on arrival opens as the answer says."""
    machine = implementation.machine
    found: list[OrderRecord[StrEnum]] = []
    for n, outcome in enumerate(implementation.outcomes):
        intent = ExecutionIntent(f"o-declared-{n}", "QTS", Side.BUY, Decimal(8), Decimal(100))
        answer = call_watched(lambda: outcome.respond(intent))
        path = response_path(machine, intent, answer)
        if isinstance(path, Breach) or path[-1] != OrderState.ACCEPTED.value or not answer.venue_order_id:
            continue  # STATE-8 judges a path that goes wrong; only resting answers open here
        states = (machine.initial, machine.states(OrderState.SUBMITTED.value), *map(machine.states, path))
        found.append(OrderRecord(intent, states, answer))
    return found


@pytest.mark.qts_clause("RESTING-7")
def test_no_answer_fills_more_than_the_order(implementation: Impl) -> None:
    """Every declared outcome's answer fills at most the intent's quantity, and a book
    refuses to open a resting order from an answer that fills more."""
    found: list[Breach] = []
    for quantity in (Decimal(1), Decimal("2.5"), Decimal(10)):
        intent = ExecutionIntent(f"o-{quantity}", "QTS", Side.BUY, quantity, Decimal(100))
        for outcome in implementation.outcomes:
            answer = call_watched(lambda: outcome.respond(intent))
            breach = answer_breach(intent, answer)
            if breach is not None:
                found.append(Breach(breach.clause, f"declared outcome {outcome.name!r}: {breach.message}"))
    resting = implementation.resting
    if resting is not None:
        intent = ExecutionIntent("o-over", "QTS", Side.BUY, Decimal(10), Decimal(100))
        answer = _accepted(intent, "v-over", Decimal(15))
        try:
            opened = resting.make_book().open(_record(implementation, intent, OrderState.ACCEPTED.value, answer))
        except SpecError:
            pass
        else:
            found.append(Breach("RESTING-7", f"venue order 'v-over' (intent 'o-over') opened from an answer (exec id "
                                f"'o-over-x') that reports 15 filled of 10, as {_shown(opened)}"))
    refuse_breaches(found)


def _blamed(lifecycle: Lifecycle, before: RestingOrder[StrEnum] | None, event: VenueEvent) -> str:
    """The clause a disagreement on ``event`` breaks, by what the event is."""
    if before is None:
        return "RESTING-2"
    if any(e.exec_id == event.exec_id for e in before.journal):
        return "RESTING-5"
    if event.event in lifecycle.fills:
        late = before.state in lifecycle.machine.terminal or bool(before.pending)
        return "RESTING-5" if late else "RESTING-3"
    if event.event in lifecycle.requests or event.event in lifecycle.answers:
        return "RESTING-6"
    return "RESTING-2"


def _check_step(
    lifecycle: Lifecycle, book: RestingBook[StrEnum], oracle: dict[str, RestingOrder[StrEnum]], step: int, event: VenueEvent
) -> Breach | None:
    """Apply ``event`` to the book and the oracle; the breach if they disagree."""
    before = oracle.get(event.venue_order_id)
    where = (f"event {step} {event.event.value!r} (exec id {event.exec_id!r}, filled {event.filled}, quantity "
             f"{event.quantity}) for venue order {event.venue_order_id!r}"
             + (f" (intent {before.intent.intent_id!r}, {before.state.value!r}, {before.filled} of {before.quantity} filled)"
                if before is not None else ""))
    want: RestingOrder[StrEnum] | None = None
    refusal: SpecError | None = None
    if before is not None:
        try:
            want = advance(lifecycle, before, event)
        except SpecError as error:
            refusal = error
    clause = _blamed(lifecycle, before, event)
    try:
        got = book.apply(event)
    except SpecError as error:
        if isinstance(error, RestingRefusal) and error.venue_order_id != event.venue_order_id:
            return Breach("RESTING-2", f"{where} was refused for venue order {error.venue_order_id!r}: {error}")
        if want is not None:
            return Breach(clause, f"{where} was refused ({error}) though it applies, giving {_shown(want)}")
    else:
        if want is None:
            named = refusal.clause if isinstance(refusal, (RestingOrderError, InvalidTransition)) else ""
            return Breach(named if named.startswith("RESTING-") else clause,
                          f"{where} was applied, giving {_shown(got)}, though it must be refused: {refusal or 'unknown order'}")
        if got.venue_order_id != event.venue_order_id:
            return Breach("RESTING-2", f"{where} was applied to venue order {got.venue_order_id!r}")
        if _shown(got) != _shown(want):
            return Breach(clause, f"{where} gave {_shown(got)}, expected {_shown(want)}")
        oracle[event.venue_order_id] = want
    for vid, order in oracle.items():
        held = book.get(vid)
        if _shown(held) != _shown(order):
            return Breach("RESTING-2", f"after {where}, venue order {vid!r} is {_shown(held)}, expected {_shown(order)}")
    return None


@pytest.mark.qts_clause("RESTING-2", "RESTING-3", "RESTING-5", "RESTING-6")
@given(feed=feeds)
@example(feed=TEAM_STYLE_FEEDS[0])
@example(feed=TEAM_STYLE_FEEDS[1])
def test_venue_events_change_the_order_they_name_as_the_lifecycle_says(implementation: Impl, feed: Feed) -> None:
    """Property: applied through the binding's book, each venue event (fills, late fills,
    resent reports, requests, rejects, amends, interleaved over several orders) changes
    exactly the order it names, as spec.resting.advance says: fills only grow, never past
    the quantity, and close the order when nothing is left; a resent report changes
    nothing; a late fill is booked; a reject returns the order to where it was; an amend
    keeps filled below the new quantity. An event that cannot apply raises a SpecError
    and changes nothing."""
    resting = _resting(implementation)
    lifecycle = resting.lifecycle
    book: RestingBook[StrEnum] = resting.make_book()
    oracle: dict[str, RestingOrder[StrEnum]] = {}
    for n, quantity in enumerate(feed.quantities):
        intent = ExecutionIntent(f"o-{n}", "QTS", Side.BUY if n % 2 else Side.SELL, quantity, Decimal(100))
        record = _record(implementation, intent, OrderState.ACCEPTED.value,
                         _accepted(intent, f"v-{n}", quantity * feed.arrival if n == 0 else Decimal(0)))
        try:
            oracle[f"v-{n}"] = open_resting_order(lifecycle, record)
        except RestingOrderError:
            return  # the lifecycle books no fill on arrival: RESTING-1's test says whether the book agrees
        opened = book.open(record)
        if _shown(opened) != _shown(oracle[f"v-{n}"]):
            raise ClauseViolated("RESTING-1", observed=f"venue order 'v-{n}' opened as {_shown(opened)}")
    for n, plan in enumerate(feed.steps):
        event = venue_event(lifecycle, oracle.get(f"v-{plan.order % len(feed.quantities)}"), plan, f"e-{n}")
        if event is None:
            continue
        breach = _check_step(lifecycle, book, oracle, n, event)
        refuse_breaches([breach] if breach is not None else [])
