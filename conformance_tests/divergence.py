"""Where a run first departed from the oracle's expected run, and the clause to blame.

A defect rarely fails one clause: a gate wrapper that drops ``after_response`` refusals
also fails every clause whose check reads the run's end. The oracle records which
clause decides each expected order and stop (``decided_by``), so the first point where
the judge's observation of a failing run differs from the expected run names the clause
a team should start with; the other failures are its consequences (the verdict's
"start here"). Judge-side: it reads only what the judge observed and the oracle.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from enum import StrEnum

from spec.records import FaultSite, OrderRecord, StopKind

from conformance_tests.doubles import SuiteInterrupt
from conformance_tests.model import STOP_DECIDED_BY, ExpectedOrder, ExpectedRun
from conformance_tests.violation import Cause

ORDER_LEFT_OPEN = "TERMINAL-1"
"""An order that ends outside the machine's terminal states breaks the guarantee first,
whichever terminal state was due; except the order in flight when a run is interrupted,
which LOOP-5 (that guarantee for an interrupted run) decides."""


KEEPS_THE_ANSWER = frozenset({"RISK-3", "LOOP-5"})
"""Clauses whose own statement keeps the route's answer in the record where they decide
(an ``after_response`` refusal, an interrupt after the answer); everywhere else LOOP-3
says each record keeps it."""


def first_divergence(
    expected: ExpectedRun,
    orders: Iterable[OrderRecord[StrEnum]],
    calls: Iterable[tuple[str, str]],
    *,
    pulled: int,
    stop: object,
    raised: BaseException | None,
    terminal: Collection[object],
    steps: int,
    own_policy: bool = False,
) -> Cause | None:
    """The first place the observed run (``orders`` as reported, the doubles' ``calls``
    log, how many intents were ``pulled``, the report's ``stop`` kind, what ``run()``
    ``raised``) differs from ``expected``, or None where they agree.

    Orders are compared in pull order by id, history (state values), fault site and the
    calls made for them; then the run's end. ``own_policy``: the run used the
    implementation's own stop policy, whose limits LOOP-15 governs."""
    got = list(orders)
    made = _calls_by_intent(calls)
    due_calls = _calls_by_intent((call, o.intent_id) for o in expected.orders for call in o.calls)
    first: dict[str, int] = {}
    for n, want in enumerate(expected.orders):
        first.setdefault(want.intent_id, n)
    for n, want in enumerate(expected.orders):
        where = f"order #{n} ({want.intent_id!r})"
        if n >= len(got):
            return _run_ended_early(expected, want, where, n, pulled, stop, raised, steps)
        record = got[n]
        if record.intent.intent_id != want.intent_id:
            return Cause("LOOP-3", where, f"the record of {want.intent_id!r}", f"the record of {record.intent.intent_id!r}", steps)
        history = tuple(state.value for state in record.history)
        site = None if record.fault is None else record.fault.site
        # A repeated id makes no call of its own: its calls are compared once, at the first.
        calls_of, due = (made.get(want.intent_id, []), due_calls.get(want.intent_id, [])) if first[want.intent_id] == n else (None, None)
        answered = record.response is not None
        if history != want.history or site is not want.fault_site:
            left_open = history != want.history and record.history[-1] not in terminal and want.decided_by != "LOOP-5"
            # A fresh intent refused at intake was taken for a repeat: LOOP-2's de-duplication.
            taken_for_a_repeat = site is FaultSite.INTAKE and want.fault_site is not FaultSite.INTAKE
            clause = ("LOOP-2" if _routed_twice(calls_of) or taken_for_a_repeat
                      else ORDER_LEFT_OPEN if left_open else want.decided_by)
        elif calls_of != due:
            clause = _call_clause(calls_of, due, want.decided_by)
        elif answered != want.answered:
            clause = next((c for c in (want.decided_by, want.builds_on) if c in KEEPS_THE_ANSWER), "LOOP-3")
        else:
            continue
        return Cause(clause, where, _shown(want.history, want.fault_site, due, want.answered),
                     _shown(history, site, calls_of, answered), steps, want.history, history,
                     want.builds_on if clause == want.decided_by else None)
    if len(got) > len(expected.orders):
        extra = got[len(expected.orders)].intent.intent_id
        return Cause(_stop_clause(expected.stop_decided_by, own_policy), "the run's end",
                     f"the run ends {expected.stop.value} after {len(expected.orders)} order(s)",
                     f"the run went on to {extra!r}", steps)
    if expected.interrupted or expected.policy_raised:
        if raised is None or isinstance(raised, SuiteInterrupt) != expected.interrupted:
            return Cause(expected.stop_decided_by, "the run's end", "the exception propagates out of run()",
                         f"run() ended with {raised!r}" if raised is not None else "run() returned", steps)
        return None
    if raised is not None:
        return Cause(expected.orders[-1].decided_by if expected.orders else expected.stop_decided_by, "the run's end",
                     f"run() returns, the run ending {expected.stop.value}", f"run() raised {raised!r}", steps)
    if stop is not expected.stop:
        return Cause(_stop_clause(expected.stop_decided_by, own_policy), "the run's end",
                     f"the run ends {expected.stop.value}", f"it ended {getattr(stop, 'value', stop)}", steps)
    return None


def _run_ended_early(
    expected: ExpectedRun, want: ExpectedOrder, where: str, n: int, pulled: int, stop: object,
    raised: BaseException | None, steps: int,
) -> Cause:
    """The report ends before ``want``: the order in flight was lost by a raise, a
    pulled order is missing from the report, or the run stopped early."""
    due = _shown(want.history, want.fault_site, None, want.answered)
    if raised is not None and not isinstance(raised, SuiteInterrupt):
        return Cause(want.decided_by, where, due, f"run() raised {raised!r} and reported no record of it", steps, want.history,
                     builds_on=want.builds_on)
    if pulled > n:
        return Cause("LOOP-3" if not isinstance(raised, SuiteInterrupt) else "LOOP-5", where, due,
                     "pulled, but not in the report", steps, want.history)
    if not isinstance(stop, StopKind):
        return Cause(ORDER_LEFT_OPEN, where, due, "never pulled: run() gave no report", steps)
    return Cause(STOP_DECIDED_BY[stop], where, due, f"never pulled: the run ended {stop.value} first", steps)


def _routed_twice(calls: list[str] | None) -> bool:
    return calls is not None and calls.count("execute") > 1


def _call_clause(calls: list[str] | None, due: list[str] | None, decided_by: str) -> str:
    """The order ended as due, but its calls differ: a route called twice is LOOP-2's (a
    duplicate order); a call made where none was due is the deciding clause's (a
    refusal: nothing else is asked; a repeated id: nothing is routed); hooks repeated,
    out of order or not asked are RISK-5's."""
    calls, due = calls or [], due or []
    if _routed_twice(calls):
        return "LOOP-2"
    repeated = any(calls.count(call) > 1 for call in calls)
    if not repeated and not set(calls) <= set(due):
        return decided_by
    return "RISK-5"


def _stop_clause(clause: str, own_policy: bool) -> str:
    """A policy's stop of a run with the implementation's own policy is LOOP-15's."""
    return "LOOP-15" if own_policy and clause == "LOOP-6" else clause


def _calls_by_intent(calls: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    by_intent: defaultdict[str, list[str]] = defaultdict(list)
    for what, intent_id in calls:
        if what != "pull":
            by_intent[intent_id].append(what)
    return by_intent


def _shown(history: tuple[object, ...], site: FaultSite | None, calls: list[str] | None, answered: bool) -> str:
    text = (f"history {history}, " + (f"fault at {site.value}" if site is not None else "no fault")
            + (", the route's answer kept" if answered else ", no answer kept"))
    return text if calls is None else f"{text}, calls {calls}"
