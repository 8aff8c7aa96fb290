"""Venue feeds for the RESTING clauses: plain-data plans, drawn by hypothesis, that
become venue events for whichever lifecycle a binding declares.

A plan names events by *role* (a fill, a request, an answer, another table event, a
resent report, a report reusing an exec id for something else, an event for an unknown
order), not by name, so one plan drives a team's own lifecycle as well as the standard
one. Each step is turned into an event against the order as the oracle
(:func:`spec.resting.advance`) has it so far, so that fills mostly fill what is left,
late fills arrive after a cancel was requested or confirmed, rejects and amends answer
what is pending, and duplicates resend what was booked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum, StrEnum

from hypothesis import strategies as st

from spec.resting import RestingLifecycle, RestingOrder, VenueEvent


class Act(Enum):
    FILL = "fill"
    REQUEST = "request"
    ANSWER = "answer"
    OTHER = "other"
    RESEND = "resend"
    REUSE = "reuse"
    """An exec id already booked, for a different report."""
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class FeedStep:
    """One event: for order ``order``, an event of role ``act`` (``pick`` chooses among
    the lifecycle's events of that role, or among the order's booked reports), with
    ``share`` of what is left (a fill's cumulative quantity, an amend's new quantity)."""

    order: int
    act: Act
    pick: int
    share: Decimal


@dataclass(frozen=True, slots=True)
class Feed:
    """Resting orders of ``quantities`` (the first opened with ``arrival`` of its
    quantity filled by the answer itself), then ``steps``."""

    quantities: tuple[Decimal, ...]
    arrival: Decimal
    steps: tuple[FeedStep, ...]


SHARES = (Decimal("0.5"), Decimal(1), Decimal("0.25"), Decimal(0), Decimal("1.5"))
"""Half of what is left, all of it, a quarter, nothing (a fill that fills nothing, an
amend to what is filled) and too much (an overfill, an amend below what is filled).
Half and a quarter are drawn more often, so that orders stay open for a while."""

_ACTS = [Act.FILL] * 6 + [Act.REQUEST] * 3 + [Act.ANSWER] * 6 + [Act.OTHER] + [Act.RESEND] * 2 + [Act.REUSE, Act.UNKNOWN]

feed_steps = st.builds(
    FeedStep, order=st.integers(0, 2), act=st.sampled_from(_ACTS), pick=st.integers(0, 7),
    share=st.sampled_from([*SHARES[:1] * 3, *SHARES[2:3] * 2, *SHARES]),
)
feeds = st.builds(
    Feed,
    quantities=st.lists(st.sampled_from([Decimal(4), Decimal(10), Decimal("2.5")]), min_size=1, max_size=3).map(tuple),
    arrival=st.sampled_from([Decimal(0), Decimal(0), Decimal("0.5"), Decimal(1)]),
    steps=st.lists(feed_steps, max_size=25).map(tuple),
)


def _step(order: int, act: Act, pick: int = 0, share: str = "0.5") -> FeedStep:
    return FeedStep(order, act, pick, Decimal(share))


F, Q, A, O, RS = Act.FILL, Act.REQUEST, Act.ANSWER, Act.OTHER, Act.RESEND
TEAM_STYLE_FEEDS = (
    # Fill on arrival, a cancel requested, a fill crossing it, the cancel rejected, the
    # first fill resent, the cancel requested again and confirmed, a fill after that.
    Feed((Decimal(10),), Decimal("0.5"), (
        _step(0, Q), _step(0, F), _step(0, A, 2), _step(0, RS, 0), _step(0, Q, 2), _step(0, A, 0), _step(0, F, 0, "0.5"),
    )),
    # An amend down while partly filled, a request resent, an amend below the filled
    # quantity (refused), the amend rejected, the order filled; another order expires.
    Feed((Decimal(10), Decimal(4)), Decimal(0), (
        _step(0, F), _step(0, Q, 1), _step(1, F, 0, "0.25"), _step(0, A, 0, "0.75"), _step(0, RS, 1),
        _step(0, Q, 1), _step(0, A, 0, "1.5"), _step(0, A, 2), _step(0, F, 0, "1"), _step(1, O, 1),
    )),
)
"""What real venues do, in the order they do it (explicit examples of the property)."""


def venue_event(
    lifecycle: RestingLifecycle[StrEnum], order: RestingOrder[StrEnum] | None, step: FeedStep, exec_id: str
) -> VenueEvent | None:
    """The event ``step`` makes of ``order`` (None: an order the feed never opened),
    or None when the lifecycle has no event of that role. Requests and other events
    mostly have a row from the order's state; an answer mostly answers the pending
    request, or, with none pending, makes one (one pick in four or eight: any of them)."""
    if order is None or step.act is Act.UNKNOWN:
        return VenueEvent("v-unknown", exec_id, next(iter(sorted(lifecycle.fills))), Decimal(1)) if lifecycle.fills else None
    vid = order.venue_order_id
    if step.act in (Act.RESEND, Act.REUSE):
        if not order.journal:
            return None
        booked = order.journal[step.pick % len(order.journal)]
        if step.act is Act.RESEND:
            return booked
        return VenueEvent(vid, booked.exec_id, booked.event, (booked.filled or order.filled) + 1, booked.quantity, booked.limit_price)
    left = order.quantity - order.filled
    if step.act is Act.FILL:
        filled = order.filled + left * step.share
        event = _fitting_fill(lifecycle, order, filled, step.pick)
        return None if event is None else VenueEvent(vid, exec_id, event, filled)
    if step.act is Act.REQUEST or (step.act is Act.ANSWER and not order.pending and step.pick % 4 != 3):
        return _nth(_with_row(lifecycle, order, lifecycle.requests, step.pick), step.pick, lambda e: VenueEvent(vid, exec_id, e))
    if step.act is Act.ANSWER:
        def answer(event: StrEnum) -> VenueEvent:
            if event not in lifecycle.amends:
                return VenueEvent(vid, exec_id, event)
            quantity = order.filled + left * step.share if step.share <= 1 else order.filled / 2
            price = None if step.pick % 2 else Decimal("99.5")
            return VenueEvent(vid, exec_id, event, quantity=quantity if quantity > 0 else None, limit_price=price)
        due = frozenset(e for e, asked in lifecycle.answers.items() if order.pending and asked == order.pending[-1].request)
        # pick // 2: hypothesis often repeats a step, and the request's own pick chose it
        return _nth(due if due and step.pick != 7 else frozenset(lifecycle.answers), step.pick // 2, answer)
    others = frozenset(e for (_s, e) in lifecycle.machine.table if e not in lifecycle.fills and e not in lifecycle.requests)
    return _nth(_with_row(lifecycle, order, others, step.pick), step.pick, lambda e: VenueEvent(vid, exec_id, e))


def _with_row(
    lifecycle: RestingLifecycle[StrEnum], order: RestingOrder[StrEnum], events: frozenset[StrEnum], pick: int
) -> frozenset[StrEnum]:
    """Mostly the events with a row from the order's state; one pick in four any of them."""
    fitting = frozenset(e for e in events if (order.state, e) in lifecycle.machine.table)
    return fitting if fitting and pick % 4 != 3 else events


def _nth(events: frozenset[StrEnum], pick: int, make: Callable[[StrEnum], VenueEvent]) -> VenueEvent | None:
    ordered = sorted(events)
    return make(ordered[pick % len(ordered)]) if ordered else None


def _fitting_fill(
    lifecycle: RestingLifecycle[StrEnum], order: RestingOrder[StrEnum], filled: Decimal, pick: int
) -> StrEnum | None:
    """Mostly the fill whose row from the order's state closes the order exactly when
    nothing is left (as a venue reports it); one pick in four any fill, right or not."""
    fills = sorted(lifecycle.fills)
    if not fills:
        return None
    if pick % 4 == 3:
        return fills[pick % len(fills)]
    machine = lifecycle.machine
    complete = filled >= order.quantity
    for event in fills:
        target = machine.table.get((order.state, event))
        if target is not None and (target in machine.terminal) == complete:
            return event
    return fills[pick % len(fills)]
