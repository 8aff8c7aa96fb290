"""The resting order: what becomes of an accepted order at the venue, after the loop.

The loop's order ends at the venue's answer (ACCEPTED is terminal, STATE-2/3). An order
the venue accepted may rest there and later be filled, cancelled, amended or expire;
those events come from a venue feed the synchronous loop does not own. This module is
that second lifecycle, keyed by the venue order id ("After acceptance" and "Resting
orders" in ``docs/specification.md``; clauses RESTING-1 .. RESTING-7).

The state is the team's own enum, moved by a table as the loop's is; the quantities are
data beside it, as FIX keeps OrdStatus beside CumQty and LeavesQty. Each event of the
lifecycle has a *role* the rules read: a fill raises the cumulative filled quantity, a
request (cancel, replace) opens a pending request, an answer closes one (a reject or an
amend returns the order to where it was), anything else goes through the table.
"""

from __future__ import annotations

import graphlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Generic, Protocol

from typing_extensions import TypeVar

from spec.errors import InvalidResponse, RestingOrderError
from spec.extension import Breach
from spec.order_state import OrderState
from spec.records import OrderRecord
from spec.state_machine import S, StateMachine, StateModel
from spec.values import ExecutionIntent, ExecutionResponse

R = TypeVar("R", bound=StrEnum, default=StrEnum)
R_co = TypeVar("R_co", bound=StrEnum, covariant=True, default=StrEnum)
"""Resting states, covariant: a book of a team's own states is a book of ``StrEnum``s."""


class RestingRefusal(RestingOrderError):
    """A venue event that cannot apply to a resting order, as data: the clause, the
    venue order and the exec id it was refused for (a check compares these, never the
    text)."""

    def __init__(self, clause: str, message: str, *, venue_order_id: str, exec_id: str) -> None:
        super().__init__(clause, message)
        self.message = message
        self.venue_order_id = venue_order_id
        self.exec_id = exec_id

    def __reduce__(self) -> tuple[object, ...]:
        """Pickles with its data (the judge may run apart from the implementation)."""
        return (_refusal, (self.clause, self.message, self.venue_order_id, self.exec_id))


def _refusal(clause: str, message: str, venue_order_id: str, exec_id: str) -> RestingRefusal:
    return RestingRefusal(clause, message, venue_order_id=venue_order_id, exec_id=exec_id)


class RestingState(StrEnum):
    """A standard resting lifecycle's states; a team may declare its own instead."""

    WORKING = "working"
    """Accepted by the venue and working, nothing filled yet (initial)."""
    PARTIALLY_FILLED = "partially_filled"
    CANCEL_PENDING = "cancel_pending"
    """A cancel was requested and is not answered yet; fills may still arrive."""
    REPLACE_PENDING = "replace_pending"
    """An amend (cancel/replace) was requested and is not answered yet."""
    FILLED = "filled"
    CANCELLED = "cancelled"
    """Cancelled at the venue; whatever was filled stays filled, late fills are booked."""
    EXPIRED = "expired"


class RestingEvent(StrEnum):
    PARTIAL_FILL = "partial_fill"
    FILL = "fill"
    """The fill that completes the order."""
    CANCEL_REQUEST = "cancel_request"
    CANCEL_REJECT = "cancel_reject"
    """The venue refuses the cancel (too late, unknown order): the order goes on (FIX OrderCancelReject)."""
    CANCEL = "cancel"
    """Cancelled at the venue, as requested or unsolicited."""
    REPLACE_REQUEST = "replace_request"
    REPLACE_REJECT = "replace_reject"
    REPLACE = "replace"
    """The amend took effect: the order has a new quantity and/or limit price (FIX Replaced)."""
    EXPIRE = "expire"


@dataclass(frozen=True, slots=True)
class RestingLifecycle(Generic[R_co]):
    """A resting order's states and table, and the role of each event (RESTING-4).

    ``fills`` raise the cumulative filled quantity; ``requests`` open a pending request
    (at most ``max_requests`` per order, which bounds the cycles requests make);
    ``answers`` maps each answer event to the request it answers: an answer that is a
    row of the table goes through it (a confirmed cancel), one that is not returns the
    order to where it was before the request (a reject; an amend in ``amends``, which
    also sets the new quantity).
    """

    machine: StateModel[R_co]
    fills: frozenset[StrEnum]
    requests: frozenset[StrEnum] = frozenset()
    answers: Mapping[StrEnum, StrEnum] = field(default_factory=lambda: MappingProxyType({}))
    amends: frozenset[StrEnum] = frozenset()
    max_requests: int = 0


def declare_resting_lifecycle(
    states: type[R],
    *,
    initial: R,
    terminal: Iterable[R],
    table: Mapping[tuple[R, StrEnum], R],
    fills: Iterable[StrEnum],
    requests: Iterable[StrEnum] = (),
    answers: Mapping[StrEnum, StrEnum] | None = None,
    amends: Iterable[StrEnum] = (),
    max_requests: int = 0,
) -> RestingLifecycle[R]:
    """Build a resting lifecycle, or raise :class:`RestingOrderError` listing every
    breach of RESTING-4."""
    lifecycle = RestingLifecycle(
        StateMachine(states=states, initial=initial, terminal=frozenset(terminal), table=table),
        frozenset(fills),
        frozenset(requests),
        MappingProxyType(dict(answers or {})),
        frozenset(amends),
        max_requests,
    )
    breaches = resting_breaches(lifecycle)
    if breaches:
        raise RestingOrderError("RESTING-4", "the resting lifecycle does not terminate:\n"
                                + "\n".join(f"  - {b}" for b in breaches))
    return lifecycle


def resting_breaches(lifecycle: RestingLifecycle[R]) -> tuple[Breach, ...]:
    """RESTING-4: every order reaches a terminal state in a bounded number of events.

    The argument is a measure that every event strictly lowers, compared in this order:
    requests the order may still make (``max_requests`` minus those made; a request
    lowers it), pending requests (an answer lowers it), the quantity left to fill (a
    fill lowers it), and the order's height in the table without request and fill rows
    (any other event lowers it, so those rows must form no cycle). A request may raise
    everything after it and an answer the last two, which is why a cancel-reject may
    return to the state the cancel left.
    """
    model = lifecycle.machine
    terminal = {state.value for state in model.terminal}
    found: list[Breach] = []
    if not isinstance(lifecycle.max_requests, int) or isinstance(lifecycle.max_requests, bool) or lifecycle.max_requests < 0:  # pyright: ignore[reportUnnecessaryIsInstance]
        found.append(Breach("RESTING-4", f"max_requests must be an int >= 0, got {lifecycle.max_requests!r}"))
    if model.initial.value in terminal:
        found.append(Breach("RESTING-4", f"the initial state {model.initial.value!r} is terminal"))
    found += _role_breaches(lifecycle)
    exits: dict[str, set[str]] = {state.value: set() for state in model.states}
    plain: dict[str, set[str]] = {state: set() for state in exits.keys() - terminal}
    for (source, event), target in model.table.items():
        if source.value in terminal:
            found.append(Breach("RESTING-4", f"terminal state {source.value!r} has an exit on {event.value!r}"))
            continue
        exits[source.value].add(target.value)
        if event not in lifecycle.fills and event not in lifecycle.requests:
            plain[source.value].add(target.value)
    for state in sorted(exits.keys() - terminal):
        if not _reaches(state, terminal, exits):
            found.append(Breach("RESTING-4", f"no terminal state is reachable from {state!r}"))
    try:
        graphlib.TopologicalSorter(plain).prepare()
    except graphlib.CycleError as error:
        loop: list[str] = error.args[1][-1:0:-1]  # closed and predecessor-first: walk it forwards, once
        start = loop.index(min(loop))
        cycle = [*loop[start:], *loop[:start], loop[start]]
        found.append(Breach("RESTING-4", "states form a cycle that passes no request and no fill, so nothing "
                     "bounds it: " + " -> ".join(map(repr, cycle))))
    return tuple(found)


def _role_breaches(lifecycle: RestingLifecycle[R]) -> list[Breach]:
    """Each event has one role, answers answer declared requests, amends are answers
    outside the table (they return the order to where it was)."""
    found: list[Breach] = []
    in_table = {event for (_source, event) in lifecycle.machine.table}
    roles = (("fill", lifecycle.fills), ("request", lifecycle.requests), ("answer", frozenset(lifecycle.answers)))
    for n, (name, events) in enumerate(roles):
        for other, others in roles[n + 1:]:
            for event in sorted(events & others):
                found.append(Breach("RESTING-4", f"event {event.value!r} has two roles: {name} and {other}"))
    for answer, request in sorted(lifecycle.answers.items()):
        if request not in lifecycle.requests:
            found.append(Breach("RESTING-4", f"answer {answer.value!r} answers {request.value!r}, which is not a request"))
    for amend in sorted(lifecycle.amends):
        if amend not in lifecycle.answers or amend in in_table:
            found.append(Breach("RESTING-4", f"amend {amend.value!r} must be an answer that is no row of the table"))
    if lifecycle.requests and lifecycle.max_requests == 0:
        found.append(Breach("RESTING-4", "the lifecycle has requests but max_requests is 0: no request could be made"))
    return found


def _reaches(start: str, goal: set[str], exits: Mapping[str, set[str]]) -> bool:
    seen, frontier = {start}, [start]
    while frontier:
        for nxt in exits.get(frontier.pop(), set()):
            if nxt in goal:
                return True
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return False


@dataclass(frozen=True, slots=True)
class FilledAnswer(ExecutionResponse):
    """An answer that says how much the venue filled at once, under ``exec_id`` (the
    execution id the venue gave that fill, FIX ExecID).

    What becomes of the rest is the loop's state model's to say (STATE-8): an accepted
    answer with a ``venue_order_id`` rests ("filled so much, the rest rests", RESTING-1),
    an immediate-or-cancel answer ends the loop's order ("the rest is cancelled"). Either
    way it never fills more than the intent's quantity (RESTING-7).
    """

    filled: Decimal = Decimal(0)
    exec_id: str | None = None

    def __post_init__(self) -> None:
        super(FilledAnswer, self).__post_init__()
        if not isinstance(self.filled, Decimal) or not self.filled.is_finite() or self.filled < 0:  # pyright: ignore[reportUnnecessaryIsInstance]
            raise InvalidResponse(f"filled must be a finite Decimal >= 0, got {self.filled!r}")
        if self.exec_id is not None and (not isinstance(self.exec_id, str) or not self.exec_id.strip()):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise InvalidResponse(f"exec_id must be a non-empty string or None, got {self.exec_id!r}")
        if self.filled > 0 and self.exec_id is None:
            raise InvalidResponse(
                f"an answer that filled {self.filled} needs the fill's exec_id, so that the venue's resent "
                "report of that fill is recognised (RESTING-5)"
            )


def answer_breach(intent: ExecutionIntent, response: ExecutionResponse) -> Breach | None:
    """RESTING-7: why ``response`` misstates what it filled of ``intent``, or None."""
    if not isinstance(response, FilledAnswer) or response.filled == 0:
        return None
    where = f"the answer to intent {intent.intent_id!r} (exec id {response.exec_id!r})"
    if not response.accepted:
        return Breach("RESTING-7", f"{where} refuses the order but reports {response.filled} filled")
    if response.filled > intent.quantity:
        return Breach("RESTING-7", f"{where} reports {response.filled} filled, more than the {intent.quantity} ordered")
    return None


@dataclass(frozen=True, slots=True)
class VenueEvent:
    """Something the venue reports about a resting order, or a request the desk made.

    ``exec_id`` identifies the report (FIX ExecID; the desk's request id for a request):
    a report resent under the same id changes nothing (RESTING-5). ``filled`` is the
    order's cumulative filled quantity after the event (FIX CumQty), required for fills
    and otherwise ``None`` or unchanged. ``quantity`` and ``limit_price`` are what an
    amend sets (the quantity is required for an amend, and for nothing else).
    """

    venue_order_id: str
    exec_id: str
    event: StrEnum
    filled: Decimal | None = None
    quantity: Decimal | None = None
    limit_price: Decimal | None = None

    def __post_init__(self) -> None:
        for name in ("venue_order_id", "exec_id"):
            text: object = getattr(self, name)
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"{name} must be a non-empty string, got {text!r}")
        if not isinstance(self.event, StrEnum):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise ValueError(f"event must be a member of the lifecycle's event enum, got {self.event!r}")
        for name, least in (("filled", 0), ("quantity", 1), ("limit_price", 1)):
            value: object = getattr(self, name)
            if value is not None and (not isinstance(value, Decimal) or not value.is_finite() or value < 0 or (least and value == 0)):
                bound = ">= 0" if not least else "> 0"
                raise ValueError(f"{name} must be a finite Decimal {bound} or None, got {value!r}")


@dataclass(frozen=True, slots=True)
class Pending(Generic[R_co]):
    """A request awaiting its answer, and the state a reject or an amend returns to."""

    request: StrEnum
    exec_id: str
    resume: R_co


@dataclass(frozen=True, slots=True)
class RestingOrder(Generic[R_co]):
    """One resting order: which venue order and intent, every state, the current
    quantity and limit price (amends change them), how much is filled, the requests
    pending, how many were made, and every event booked (the journal)."""

    venue_order_id: str
    intent: ExecutionIntent
    history: tuple[R_co, ...]
    quantity: Decimal
    limit_price: Decimal | None = None
    filled: Decimal = Decimal(0)
    pending: tuple[Pending[R_co], ...] = ()
    requests: int = 0
    journal: tuple[VenueEvent, ...] = ()

    @property
    def state(self) -> R_co:
        return self.history[-1]

    def leaves(self, lifecycle: RestingLifecycle[StrEnum]) -> Decimal:
        """What may still fill (FIX LeavesQty): nothing once the order is closed."""
        return Decimal(0) if self.state in lifecycle.machine.terminal else self.quantity - self.filled


def open_resting_order(lifecycle: RestingLifecycle[R], order: OrderRecord[S]) -> RestingOrder[R]:
    """RESTING-1: the resting order an ACCEPTED loop order with a venue order id starts,
    with what its answer filled booked as the first fill (RESTING-7 bounds it)."""
    if order.state.value != OrderState.ACCEPTED.value:
        raise RestingOrderError(
            "RESTING-1", f"order {order.intent.intent_id!r} is {order.state.value!r}; only an accepted order rests at the venue"
        )
    response = order.response
    venue_order_id = response.venue_order_id if response is not None else None
    if response is None or not venue_order_id:
        raise RestingOrderError(
            "RESTING-1", f"accepted order {order.intent.intent_id!r} has no venue_order_id; a resting order is keyed by it"
        )
    intent = order.intent
    opened = RestingOrder(venue_order_id, intent, (lifecycle.machine.initial,), intent.quantity, intent.limit_price)
    breach = answer_breach(intent, response)
    if breach is not None:
        raise RestingOrderError(breach.clause, f"{breach.message}; venue order {venue_order_id!r} cannot open with it")
    if not isinstance(response, FilledAnswer) or response.filled == 0 or response.exec_id is None:
        return opened
    arrival = VenueEvent(venue_order_id, response.exec_id, _arrival_fill(lifecycle, response.filled == intent.quantity), response.filled)
    return advance(lifecycle, opened, arrival)


def _arrival_fill(lifecycle: RestingLifecycle[R], complete: bool) -> StrEnum:
    """The fill an answer's fill is booked as: the first fill (by value) whose row from
    the initial state closes the order exactly when nothing is left."""
    machine = lifecycle.machine
    for event in sorted(lifecycle.fills):
        target = machine.table.get((machine.initial, event))
        if target is not None and (target in machine.terminal) == complete:
            return event
    what = "closes" if complete else "leaves open"
    raise RestingOrderError("RESTING-1", f"the answer filled {'all' if complete else 'part'} of the order, but no fill "
                            f"row from {machine.initial.value!r} {what} the order; the lifecycle cannot book a fill on arrival")


def advance(lifecycle: RestingLifecycle[R], order: RestingOrder[R], event: VenueEvent) -> RestingOrder[R]:
    """The order after ``event``; ``order`` itself for a resent report; or a
    :class:`RestingOrderError` / :class:`~spec.errors.InvalidTransition` naming the
    clause it would break, the event and the order."""
    where = _where(order, event)
    if event.venue_order_id != order.venue_order_id:
        raise _refuse(order, event, "RESTING-2", f"{where}: the event names venue order {event.venue_order_id!r}")
    booked = next((e for e in order.journal if e.exec_id == event.exec_id), None)
    if booked is not None:
        if booked == event:
            return order  # RESTING-5: a resent report changes nothing
        raise _refuse(order, event, "RESTING-5", f"{where}: exec id {event.exec_id!r} was booked for a different report ({booked})")
    if event.quantity is not None and event.event not in lifecycle.amends:
        raise _refuse(order, event, "RESTING-6", f"{where}: only an amend sets a quantity")
    if event.event in lifecycle.fills:
        updated = _fill(lifecycle, order, event, where)
    else:
        if event.filled is not None and event.filled != order.filled:
            raise _refuse(order, event, "RESTING-3", f"{where}: it is not a fill but changes the filled quantity "
                                    f"from {order.filled} to {event.filled}")
        if event.event in lifecycle.requests:
            updated = _request(lifecycle, order, event, where)
        elif event.event in lifecycle.answers and all(e != event.event for (_s, e) in lifecycle.machine.table):
            updated = _return(lifecycle, order, event, where)
        else:
            updated = _through_table(lifecycle, order, event)
    if updated.state not in lifecycle.machine.terminal and updated.filled == updated.quantity:
        raise _refuse(order, event, "RESTING-3", f"{where}: nothing is left ({updated.filled} of {updated.quantity} filled) "
                                f"but it leads to {updated.state.value!r}, which is not terminal")
    return replace(updated, journal=(*order.journal, event))


def _refuse(order: RestingOrder[R], event: VenueEvent, clause: str, message: str) -> RestingRefusal:
    return RestingRefusal(clause, message, venue_order_id=order.venue_order_id, exec_id=event.exec_id)


def _where(order: RestingOrder[R], event: VenueEvent) -> str:
    return (f"{event.event.value!r} (exec id {event.exec_id!r}) for venue order {order.venue_order_id!r} "
            f"(intent {order.intent.intent_id!r}, {order.state.value!r}, {order.filled} of {order.quantity} filled)")


def _fill(lifecycle: RestingLifecycle[R], order: RestingOrder[R], event: VenueEvent, where: str) -> RestingOrder[R]:
    """RESTING-3: a fill strictly raises the filled quantity, never past the order's
    quantity. RESTING-5: a late fill (on a closed order) is booked, the state stays."""
    if event.filled is None:
        raise _refuse(order, event, "RESTING-3", f"{where}: the fill carries no filled quantity")
    if event.filled <= order.filled:
        raise _refuse(order, event, "RESTING-3", f"{where}: it reports {event.filled} filled, not more than the {order.filled} already filled")
    if event.filled > order.quantity:
        raise _refuse(order, event, "RESTING-3", f"{where}: it reports {event.filled} filled, more than the {order.quantity} ordered")
    machine = lifecycle.machine
    if order.state in machine.terminal:
        return replace(order, filled=event.filled)
    state = machine.transition(order.state, event.event)
    if state in machine.terminal and event.filled < order.quantity:
        raise _refuse(order, event, "RESTING-3", f"{where}: it leads to {state.value!r}, which is terminal, but fills only "
                                f"{event.filled} of {order.quantity}")
    pending = order.pending
    if state not in machine.terminal:
        pending = tuple(replace(p, resume=_resume_after(lifecycle, order, p, event, where)) for p in pending)
    return replace(order, history=(*order.history, state), filled=event.filled, pending=pending)


def _resume_after(lifecycle: RestingLifecycle[R], order: RestingOrder[R], pending: Pending[R], event: VenueEvent, where: str) -> R:
    """Where a reject would now return to: the state before the request, moved by the
    fills booked while it was pending (RESTING-6)."""
    target = lifecycle.machine.table.get((pending.resume, event.event))
    if target is None:
        raise _refuse(order, event, "RESTING-6", f"{where}: a reject of the pending {pending.request.value!r} would return "
                                f"to {pending.resume.value!r}, which has no row for {event.event.value!r}")
    return target


def _request(lifecycle: RestingLifecycle[R], order: RestingOrder[R], event: VenueEvent, where: str) -> RestingOrder[R]:
    """RESTING-4: at most ``max_requests`` requests per order."""
    if order.requests >= lifecycle.max_requests:
        raise _refuse(order, event, "RESTING-4", f"{where}: the order already made its {lifecycle.max_requests} request(s)")
    state = lifecycle.machine.transition(order.state, event.event)
    pending = (*order.pending, Pending(event.event, event.exec_id, order.state))
    return replace(order, history=(*order.history, state), pending=pending, requests=order.requests + 1)


def _return(lifecycle: RestingLifecycle[R], order: RestingOrder[R], event: VenueEvent, where: str) -> RestingOrder[R]:
    """RESTING-6: a reject or an amend answers the latest pending request and returns the
    order to where it was; an amend sets a quantity above what is filled. On an order
    already closed (a reject that comes after the fill that closed it) a reject only
    closes the request."""
    asked = lifecycle.answers[event.event]
    if not order.pending or order.pending[-1].request != asked:
        now = order.pending[-1].request.value if order.pending else "none"
        raise _refuse(order, event, "RESTING-6", f"{where}: it answers {asked.value!r}, but the pending request is {now!r}")
    last, rest = order.pending[-1], order.pending[:-1]
    closed = order.state in lifecycle.machine.terminal
    if event.event not in lifecycle.amends:
        history = order.history if closed else (*order.history, last.resume)
        return replace(order, history=history, pending=rest)
    if closed:
        raise _refuse(order, event, "RESTING-6", f"{where}: the order is closed; an amend cannot apply to it")
    if event.quantity is None:
        raise _refuse(order, event, "RESTING-6", f"{where}: an amend must carry the order's new quantity")
    if event.quantity <= order.filled:
        raise _refuse(order, event, "RESTING-6", f"{where}: it sets the quantity to {event.quantity}, not more than the "
                                f"{order.filled} already filled")
    price = event.limit_price if event.limit_price is not None else order.limit_price
    return replace(order, history=(*order.history, last.resume), pending=rest, quantity=event.quantity, limit_price=price)


def _through_table(lifecycle: RestingLifecycle[R], order: RestingOrder[R], event: VenueEvent) -> RestingOrder[R]:
    """Any other event goes through the table; one that answers the pending request
    (a confirmed cancel) closes it."""
    state = lifecycle.machine.transition(order.state, event.event)
    pending = order.pending
    if pending and lifecycle.answers.get(event.event) == pending[-1].request:
        pending = pending[:-1]
    return replace(order, history=(*order.history, state), pending=pending)


class RestingBook(Protocol[R_co]):
    """A team's store of resting orders: opens them from accepted loop orders and
    applies venue events to the order each names (RESTING-1 .. RESTING-7)."""

    def open(self, order: OrderRecord[S], /) -> RestingOrder[R_co]:
        """Start the resting order of an accepted loop order (RESTING-1)."""
        ...

    def apply(self, event: VenueEvent, /) -> RestingOrder[R_co]:
        """Apply ``event`` to the order its venue order id names and return that order;
        raise a :class:`~spec.errors.SpecError` and change nothing when it cannot."""
        ...

    def get(self, venue_order_id: str, /) -> RestingOrder[R_co]:
        """The order as it stands; ``KeyError`` for an unknown venue order id."""
        ...


class RestingBinding(Protocol[R_co]):
    """What a binding offers the suite of its resting orders."""

    @property
    def lifecycle(self) -> RestingLifecycle[R_co]: ...

    def make_book(self) -> RestingBook[R_co]:
        """A fresh, empty book."""
        ...


_S, _E = RestingState, RestingEvent

STANDARD_RESTING: RestingLifecycle[RestingState] = declare_resting_lifecycle(
    RestingState,
    initial=_S.WORKING,
    terminal=[_S.FILLED, _S.CANCELLED, _S.EXPIRED],
    table={
        **{(state, _E.PARTIAL_FILL): state for state in (_S.PARTIALLY_FILLED, _S.CANCEL_PENDING, _S.REPLACE_PENDING)},
        (_S.WORKING, _E.PARTIAL_FILL): _S.PARTIALLY_FILLED,
        **{(state, event): target for state in (_S.WORKING, _S.PARTIALLY_FILLED, _S.CANCEL_PENDING, _S.REPLACE_PENDING)
           for event, target in ((_E.FILL, _S.FILLED), (_E.CANCEL, _S.CANCELLED), (_E.EXPIRE, _S.EXPIRED))},
        **{(state, _E.CANCEL_REQUEST): _S.CANCEL_PENDING for state in (_S.WORKING, _S.PARTIALLY_FILLED, _S.REPLACE_PENDING)},
        **{(state, _E.REPLACE_REQUEST): _S.REPLACE_PENDING for state in (_S.WORKING, _S.PARTIALLY_FILLED)},
    },
    fills=[_E.PARTIAL_FILL, _E.FILL],
    requests=[_E.CANCEL_REQUEST, _E.REPLACE_REQUEST],
    answers={_E.CANCEL_REJECT: _E.CANCEL_REQUEST, _E.CANCEL: _E.CANCEL_REQUEST,
             _E.REPLACE_REJECT: _E.REPLACE_REQUEST, _E.REPLACE: _E.REPLACE_REQUEST},
    amends=[_E.REPLACE],
    max_requests=16,
)
"""A standard resting lifecycle (working, partially filled, cancel pending, replace
pending, filled, cancelled, expired), with cancel and amend requests and their rejects,
for teams that need no other. A cancel may be requested while an amend is pending (FIX
and NautilusTrader allow it), so a cancel-reject may return to REPLACE_PENDING."""
