"""Hypothesis strategies for scenarios.

Weights matter more than breadth here: runs end early on interrupts, gate halts and
stop limits, so those are kept rare, and gates mostly allow, so that most intents reach
the route and every outcome turns up within the ci profile's budget.
``tests/test_strategies_explore.py`` checks that they do. Ids come from a small pool
so that repeated intent ids (LOOP-2) occur; every choice shrinks towards "allow,
accept, no limit".
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from spec.values import Side

from conformance_tests.scenario import GateAct, Policy, RouteAct, Scenario, Step

_GATE = [GateAct.ALLOW] * 12 + [GateAct.REFUSE, GateAct.RAISE, GateAct.NOT_A_BOOL]
_ROUTE = (
    [RouteAct.ACCEPT] * 3 + [RouteAct.REJECT] * 3 + [RouteAct.DECLARED] * 3 + [RouteAct.RAISE, RouteAct.LOST] * 2
    + [RouteAct.SLOW, RouteAct.DECLARED_BLANK, RouteAct.GARBAGE, RouteAct.WRONG_ID, RouteAct.RICH_ACCEPT, RouteAct.RICH_REJECT]
)
"""A venue client fails often, and in many ways: a raising act picks its exception from
about a dozen kinds (the step's ``variant``), so each kind turns up in a ci run."""
_RARE = 40
"""One act in about this many is an interrupt, when interrupts are asked for."""


def gate_acts(*, interrupts: bool = False) -> st.SearchStrategy[GateAct]:
    weights = _GATE * (_RARE // len(_GATE)) + [GateAct.INTERRUPT] if interrupts else _GATE
    return st.sampled_from(weights)


def route_acts(*, interrupts: bool = False) -> st.SearchStrategy[RouteAct]:
    weights = _ROUTE * (_RARE // len(_ROUTE)) + [RouteAct.INTERRUPT] if interrupts else _ROUTE
    return st.sampled_from(weights)


_STOP_SITES: list[str | None] = [None] * 76 + ["before_intent", "before_route", "execute", "after_response"]
"""About one step in twenty asks the loop to stop from a hook or the route (LOOP-7)."""

_SYMBOLS = ("QTS", "005930.KS", "BTC/USD", "AAPL")
_QUANTITIES = (Decimal(1), Decimal("0.0001"), Decimal("2.5"), Decimal("12.3456"), Decimal(10**6))
sides = st.sampled_from([Side.BUY, Side.SELL])
symbols = st.sampled_from(_SYMBOLS)
quantities = st.sampled_from(_QUANTITIES)
"""Edge values rather than st.decimals(): as good at reaching a quantity-keyed defect
(fractional, tiny, huge) and several times cheaper per step."""
_PRICES = (
    None, None, None, Decimal("0.01"), Decimal("101.25"), Decimal("99999.99"),
    Decimal("101.257"), Decimal("0.000001"), Decimal("99.99999999"),
)
limit_prices = st.sampled_from(_PRICES)
"""Prices on a tick and off any tick: a loop that rounds them and rebuilds the intent
routes another object than it pulled (LOOP-2)."""


_SPELLINGS = ["o-{}"] * 6 + [
    "O-{}",  # differs only in case
    "\uff4f-{}",  # fullwidth o: the same id after NFKC normalisation
    "\u00f6-{}",  # o with diaeresis, composed (NFC) ...
    "o\u0308-{}",  # ... and decomposed (NFD): equal after normalisation, not as strings
]
"""How an id number is spelt: ids that differ only in case or Unicode normalisation are
different intents (LOOP-2: ids compare as strings), and meet in one run often."""


def intent_ids(ids: int) -> st.SearchStrategy[str]:
    return st.tuples(st.integers(min_value=0, max_value=ids - 1), st.sampled_from(_SPELLINGS)).map(
        lambda drawn: drawn[1].format(drawn[0])
    )


def steps(
    *,
    interrupts: bool = False,
    gates: bool = True,
    stop_requests: bool = True,
    ids: int = 25,
) -> st.SearchStrategy[Step]:
    """Every field of the intent varies (side, order type, quantity, symbol, id type),
    so that a defect keyed on any of them is reached."""
    allow = st.just(GateAct.ALLOW)
    return st.builds(
        Step,
        intent_id=intent_ids(ids),
        route=route_acts(interrupts=interrupts),
        before_intent=gate_acts(interrupts=interrupts) if gates else allow,
        before_route=gate_acts(interrupts=interrupts) if gates else allow,
        after_response=gate_acts(interrupts=interrupts) if gates else allow,
        request_stop=st.integers(0, 19).map(lambda n: n == 19) if stop_requests else st.just(False),
        stop_in=st.sampled_from(_STOP_SITES) if stop_requests else st.none(),
        side=sides,
        quantity=quantities,
        limit_price=limit_prices,
        symbol=symbols,
        own_id_type=st.booleans(),
        outcome=st.integers(0, 7),
        variant=st.integers(0, 15),
    )


def _sometimes(limits: st.SearchStrategy[int]) -> st.SearchStrategy[int | None]:
    """None (no limit) two times in three."""
    return st.integers(0, 2).flatmap(lambda n: limits if n == 2 else st.none())


policies: st.SearchStrategy[Policy] = st.builds(
    Policy,
    max_executions=_sometimes(st.integers(min_value=0, max_value=8)),
    max_consecutive_failures=_sometimes(st.integers(min_value=1, max_value=2)),
)


failing_policies: st.SearchStrategy[Policy] = st.builds(
    Policy,
    max_executions=_sometimes(st.integers(min_value=0, max_value=8)),
    max_consecutive_failures=_sometimes(st.integers(min_value=1, max_value=3)),
    fails_at=st.integers(min_value=1, max_value=8),
    failure=st.sampled_from(range(16)),
)
"""Policies that raise or answer garbage at one consultation (LOOP-13)."""


def scenarios(
    *,
    interrupts: bool = False,
    gates: bool = True,
    stop_requests: bool = True,
    max_steps: int = 12,
    policy_faults: bool = False,
) -> st.SearchStrategy[Scenario]:
    return st.builds(
        Scenario,
        steps=st.lists(
            steps(interrupts=interrupts, gates=gates, stop_requests=stop_requests),
            max_size=max_steps,
        ).map(tuple),
        policy=failing_policies if policy_faults else policies,
    )


REPEAT_GAPS = (65, 101, 129, 513, 1001, 1999)
"""How far back a long run's repeats reach: past de-duplication windows of 64, 100, 128,
512 and 1000 ids (or flushed that often)."""

_LONG_ROUTE = (
    RouteAct.ACCEPT, RouteAct.REJECT, RouteAct.RAISE, RouteAct.ACCEPT, RouteAct.LOST, RouteAct.DECLARED,
    RouteAct.ACCEPT, RouteAct.GARBAGE, RouteAct.WRONG_ID, RouteAct.RICH_ACCEPT, RouteAct.REJECT,
)
LONG_RUN = 2200
"""Long enough for every gap of :data:`REPEAT_GAPS` and past reports capped at 100,
500 or 2000 orders."""


@dataclass(frozen=True, repr=False)
class LongRun(Scenario):
    """A scenario of :func:`long_run`, shown as the call that builds it: its thousands of
    steps would push the failed assertion out of the verdict's message."""

    call: str = ""

    def __repr__(self) -> str:
        return self.call

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """How hypothesis prints it in a falsifying example (its printer reads dataclass
        fields, not ``__repr__``)."""
        printer.text(self.call)


def long_run(length: int, offset: int = 0, *, interrupted: bool = False) -> LongRun:
    """``length`` intents, every field varied and route answers mixed, no gate refusal,
    limit or interrupt that would end the run early; every 50th intent repeats an id
    from :data:`REPEAT_GAPS` positions back (LOOP-2). Built in one pass from two numbers,
    so a run of thousands of intents costs hypothesis two draws. ``interrupted``: the
    route interrupts the last intent, so the report is the one an exception left."""
    steps: list[Step] = []
    repeats = 0
    for n in range(length):
        gap = REPEAT_GAPS[repeats % len(REPEAT_GAPS)]
        if n % 50 == 49 and n >= gap:
            steps.append(Step(steps[n - gap].intent_id))
            repeats += 1
            continue
        k = n + offset
        steps.append(Step(
            f"o-{n}",
            route=_LONG_ROUTE[k % len(_LONG_ROUTE)],
            side=(Side.BUY, Side.SELL)[k % 2],
            quantity=_QUANTITIES[k % len(_QUANTITIES)],
            limit_price=_PRICES[k % len(_PRICES)],
            symbol=_SYMBOLS[k % len(_SYMBOLS)],
            own_id_type=k % 3 == 0,
            outcome=k % 8,
            variant=k % 16,
        ))
    if interrupted and steps:
        steps[-1] = Step(f"o-{length}", route=RouteAct.INTERRUPT)
    return LongRun(tuple(steps), call=f"long_run({length}, {offset}{', interrupted=True' if interrupted else ''})")


def long_scenarios() -> st.SearchStrategy[LongRun]:
    """Runs of 17 to 700 intents (:func:`long_run`): they catch capped, windowed or
    sampled reports and de-duplication, at the cost of one cheap run each. A test that
    draws them also runs ``long_run(LONG_RUN)`` as an explicit example, which reaches
    every gap of :data:`REPEAT_GAPS` and every report cap; a drawn run of that length
    would repeat it with the acts shifted by a few places; those took a fifth of the
    ci profile's round trips between judge and host (docs/benchmarks.md)."""
    return st.builds(long_run, length=st.sampled_from([17, 150, 700]), offset=st.integers(0, 50))
