"""A scenario: what the suite's route, gate, source and stop policy will do in a run.

Each intent carries its own script (how every hook and the route behave for it), so a
hypothesis counterexample reads as a plain list of what happened to whom.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, fields
from decimal import Decimal
from enum import Enum
from typing import cast

from spec.values import ExecutionIntent, Side


class OrderId(str):
    """An intent id of a str subclass, as an implementer's own id type would be: equal
    to (and hashing like) the plain str of the same text (LOOP-2)."""

    __slots__ = ()


class GateAct(Enum):
    """What a gate hook does when asked about one intent."""

    ALLOW = "allow"
    REFUSE = "refuse"
    RAISE = "raise"
    """Raises an Exception of the step's ``variant``: any kind a calculation raises."""
    NOT_A_BOOL = "not-a-bool"
    """Returns something other than True or False (``None``, ``1``, ``Decimal(1)``,
    ...): only ``True`` allows (RISK-4)."""
    INTERRUPT = "interrupt"


class RouteAct(Enum):
    """What the route does when asked to execute one intent."""

    ACCEPT = "accept"
    REJECT = "reject"
    RAISE = "raise"
    """Raises before the order left, as a venue client does when it cannot connect:
    the step's ``error`` picks the exception (a builtin OSError, TimeoutError, ... or
    one of the binding's declared ``venue_errors``)."""
    LOST = "lost"
    """The venue took the order, then the call raised (a read timeout, a reset
    connection): an ambiguous outcome. The order still fails, and is never resent
    (LOOP-2, LOOP-4)."""
    SLOW = "slow"
    """Accepts after time has passed, well within the suite's time limit."""
    GARBAGE = "garbage"
    """Returns something that is not an ExecutionResponse."""
    WRONG_ID = "wrong-id"
    """Returns a well-formed response for another intent."""
    INTERRUPT = "interrupt"
    DECLARED = "declared"
    """Answers with one of the binding's declared outcomes (LOOP-10); with none
    declared, a plain acceptance."""
    DECLARED_BLANK = "declared-blank"
    """A declared outcome's answer with its first field beyond Phase 4's set to None (a
    fill with no quantity): the state model may be unable to read it (LOOP-10)."""
    RICH_ACCEPT = "rich-accept"
    """Accepts with a subclass of ExecutionResponse that carries more, as a Phase 5
    route may: ``accepted`` alone still decides for Phase 4's states."""
    RICH_REJECT = "rich-reject"
    """Rejects with such a subclass."""


REFUSALS = frozenset({GateAct.REFUSE, GateAct.RAISE, GateAct.NOT_A_BOOL})
MODEL_READ = frozenset({RouteAct.DECLARED, RouteAct.DECLARED_BLANK, RouteAct.RICH_ACCEPT, RouteAct.RICH_REJECT})
"""Route acts whose answer the implementation's state model reads into its own path."""
ROUTE_FAILURES = frozenset({RouteAct.RAISE, RouteAct.LOST, RouteAct.GARBAGE, RouteAct.WRONG_ID})
ACCEPTS = frozenset({RouteAct.ACCEPT, RouteAct.SLOW})
"""Route acts that answer with a plain acceptance."""


def _shown(value: object) -> str:
    """A scenario's value as the call that builds it, fields left at their default out:
    what a verdict shows as the minimal example."""
    if isinstance(value, Enum):
        return f"{type(value).__name__}.{value.name}"
    if isinstance(value, tuple):
        items = [_shown(item) for item in cast("tuple[object, ...]", value)]
        return f"({', '.join(items)}{',' if len(items) == 1 else ''})"
    return repr(value)


class _Shown:
    """Dataclasses of a scenario show only what differs from the default (a minimal
    example of 3 steps reads as 3 short calls)."""

    def __repr__(self) -> str:
        shown = [
            _shown(getattr(self, f.name)) if f.default is MISSING else f"{f.name}={_shown(getattr(self, f.name))}"
            for f in fields(self)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
            if f.default is MISSING or getattr(self, f.name) != f.default
        ]
        return f"{type(self).__name__}({', '.join(shown)})"


@dataclass(frozen=True, repr=False)
class Step(_Shown):
    """One intent the source yields, and how everything treats it."""

    intent_id: str
    route: RouteAct = RouteAct.ACCEPT
    before_intent: GateAct = GateAct.ALLOW
    before_route: GateAct = GateAct.ALLOW
    after_response: GateAct = GateAct.ALLOW
    request_stop: bool = False
    """The source calls ``loop.request_stop()`` as it yields this intent (LOOP-7)."""
    stop_in: str | None = None
    """The hook (``before_intent``, ``before_route``, ``after_response``) or ``execute``
    that calls ``loop.request_stop()`` when asked about this intent (LOOP-7)."""
    side: Side = Side.BUY
    quantity: Decimal = Decimal(1)
    limit_price: Decimal | None = None
    symbol: str = "QTS"
    own_id_type: bool = False
    """The intent id is an :class:`OrderId`, not a plain str."""
    outcome: int = 0
    """Which declared outcome a DECLARED route act gives (modulo how many there are)."""
    variant: int = 0
    """Which exception a raising act (route or hook) raises, and which answer a
    NOT_A_BOOL hook gives, modulo how many kinds there are (doubles.py lists them)."""

    def intent(self) -> ExecutionIntent:
        intent_id = OrderId(self.intent_id) if self.own_id_type else self.intent_id
        return ExecutionIntent(intent_id, self.symbol, self.side, self.quantity, self.limit_price)


@dataclass(frozen=True, repr=False)
class Policy(_Shown):
    """The suite's stop policy: stop at ``max_executions`` route calls or at
    ``max_consecutive_failures`` FAILED orders in a row (None: no such limit)."""

    max_executions: int | None = None
    max_consecutive_failures: int | None = None
    fails_at: int | None = None
    """The policy's n-th consultation (from 1) misbehaves: raises or answers garbage, as
    ``failure`` picks (doubles.POLICY_FAILURES); None: it never does (LOOP-13)."""
    failure: int = 0


@dataclass(frozen=True, repr=False)
class Scenario(_Shown):
    steps: tuple[Step, ...]
    policy: Policy = Policy()

    @property
    def interrupts(self) -> bool:
        return any(
            GateAct.INTERRUPT in (s.before_intent, s.before_route, s.after_response)
            or s.route is RouteAct.INTERRUPT
            for s in self.steps
        )
