"""Hypothesis strategies for scenarios. Ids come from a small pool so that repeated
intent ids (LOOP-2) turn up, and every choice shrinks towards "allow, accept"."""

from __future__ import annotations

from hypothesis import strategies as st

from conformance_tests.scenario import GateAct, Policy, RouteAct, Scenario, Step

_CALM_GATE = [GateAct.ALLOW, GateAct.REFUSE, GateAct.RAISE, GateAct.NOT_A_BOOL]
_CALM_ROUTE = [RouteAct.ACCEPT, RouteAct.REJECT, RouteAct.RAISE, RouteAct.GARBAGE, RouteAct.WRONG_ID]


def gate_acts(*, interrupts: bool = False) -> st.SearchStrategy[GateAct]:
    acts = [*_CALM_GATE, GateAct.INTERRUPT] if interrupts else _CALM_GATE
    return st.one_of(st.just(GateAct.ALLOW), st.sampled_from(acts))


def route_acts(*, interrupts: bool = False) -> st.SearchStrategy[RouteAct]:
    acts = [*_CALM_ROUTE, RouteAct.INTERRUPT] if interrupts else _CALM_ROUTE
    return st.one_of(st.just(RouteAct.ACCEPT), st.sampled_from(acts))


def steps(
    *,
    interrupts: bool = False,
    gates: bool = True,
    stop_requests: bool = True,
) -> st.SearchStrategy[Step]:
    allow = st.just(GateAct.ALLOW)
    return st.builds(
        Step,
        intent_id=st.integers(min_value=0, max_value=24).map(lambda n: f"o-{n}"),
        route=route_acts(interrupts=interrupts),
        before_intent=gate_acts(interrupts=interrupts) if gates else allow,
        before_route=gate_acts(interrupts=interrupts) if gates else allow,
        after_response=gate_acts(interrupts=interrupts) if gates else allow,
        request_stop=st.integers(0, 9).map(lambda n: n == 9) if stop_requests else st.just(False),
    )


policies: st.SearchStrategy[Policy] = st.builds(
    Policy,
    max_executions=st.none() | st.integers(min_value=0, max_value=8),
    max_consecutive_failures=st.none() | st.integers(min_value=1, max_value=4),
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
