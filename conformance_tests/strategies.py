"""Hypothesis strategies for scenarios.

Weights matter more than breadth here: runs end early on interrupts, gate halts and
stop limits, so those are kept rare, and gates mostly allow, so that most intents reach
the route and every outcome turns up within the ci profile's budget.
``tests/test_strategies_explore.py`` checks that they do. Ids come from a small pool
so that repeated intent ids (LOOP-2) occur; every choice shrinks towards "allow,
accept, no limit".
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from spec.values import Side

from conformance_tests.scenario import GateAct, Policy, RouteAct, Scenario, Step

_GATE = [GateAct.ALLOW] * 12 + [GateAct.REFUSE, GateAct.RAISE, GateAct.NOT_A_BOOL]
_ROUTE = (
    [RouteAct.ACCEPT] * 3 + [RouteAct.REJECT] * 3 + [RouteAct.DECLARED] * 3 + [RouteAct.RAISE, RouteAct.LOST] * 2
    + [RouteAct.SLOW, RouteAct.GARBAGE, RouteAct.WRONG_ID, RouteAct.RICH_ACCEPT, RouteAct.RICH_REJECT]
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

sides = st.sampled_from([Side.BUY, Side.SELL])
symbols = st.sampled_from(["QTS", "005930.KS", "BTC/USD", "AAPL"])
quantities = st.sampled_from([Decimal(1), Decimal("0.0001"), Decimal("2.5"), Decimal("12.3456"), Decimal(10**6)])
"""Edge values rather than st.decimals(): as good at reaching a quantity-keyed defect
(fractional, tiny, huge) and several times cheaper per step."""
limit_prices = st.sampled_from([None, None, None, Decimal("0.01"), Decimal("101.25"), Decimal("99999.99")])


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
        intent_id=st.integers(min_value=0, max_value=ids - 1).map(lambda n: f"o-{n}"),
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
    max_consecutive_failures=_sometimes(st.integers(min_value=1, max_value=3)),
)


def scenarios(
    *,
    interrupts: bool = False,
    gates: bool = True,
    stop_requests: bool = True,
    max_steps: int = 12,
) -> st.SearchStrategy[Scenario]:
    return st.builds(
        Scenario,
        steps=st.lists(
            steps(interrupts=interrupts, gates=gates, stop_requests=stop_requests),
            max_size=max_steps,
        ).map(tuple),
        policy=policies,
    )


def long_scenarios() -> st.SearchStrategy[Scenario]:
    """Runs of 17 to 200 intents with every intent field varied and route
    answers mixed, but no gate refusals, limits or interrupts that would end them early:
    they catch capped, windowed or sampled reports at the cost of one cheap run each."""
    plain = st.builds(
        Step,
        intent_id=st.integers(min_value=0, max_value=999).map(lambda n: f"o-{n}"),
        route=st.sampled_from([RouteAct.ACCEPT, RouteAct.REJECT, RouteAct.RAISE, RouteAct.LOST]),
        side=sides,
        quantity=quantities,
        limit_price=limit_prices,
        symbol=symbols,
        own_id_type=st.booleans(),
    )
    return st.builds(Scenario, steps=st.lists(plain, min_size=17, max_size=200).map(tuple))
