"""Run one scenario against the implementation under test and keep everything it did."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar, cast

from spec.binding import Implementation
from spec.loop import ExecutionLoop
from spec.extension import Breach, response_path
from spec.records import OrderRecord, OrderView, RunReport
from spec.risk import RiskGate
from spec.values import ExecutionIntent

from conformance_tests.binding import venue_errors
from conformance_tests.doubles import (
    CallBudgetExceeded,
    CallLog,
    HookCall,
    ScriptedGate,
    ScriptedRoute,
    ScriptedSource,
    SeenContext,
    SuiteInterrupt,
    SuitePolicy,
    call_budget,
    model_read_response,
)
from conformance_tests.call_faults import FaultPlan, GateSpy
from conformance_tests.guards import Attempts, LoopDidNotReturn, guarded, watchdog
from conformance_tests.interrupt_points import Injection, InterruptPlan, run_planned
from conformance_tests.remote import Host, HostEnded
from conformance_tests.model import DeclaredPath, ExpectedRun, expected_run
from conformance_tests.scenario import Scenario, Step
from conformance_tests.divergence import first_divergence
from conformance_tests.violation import Cause, ClauseViolated

RUN_TIME_LIMIT_S = 5.0
"""Wall-clock limit of one call into the implementation (TERMINAL-1): the reference runs
the longest scenario, 2,200 intents, in well under a second of its own time; a route
that spends more than about 2 ms per order reaches the limit there."""

KNOWN_HANG_ENV = "QTS_CONFORMANCE_KNOWN_HANG"
"""Set by the parent after it had to kill a test process that hung: that process's
successor fails every further call into the implementation at once."""

_T = TypeVar("_T")
_stuck: list[tuple[str, str]] = [("", v) for v in [os.environ.get(KNOWN_HANG_ENV, "")] if v]
"""``(test, what happened)`` where the implementation hung or spun in this session.
A hang fails every later call at once; a spin fails the calls of every later test at
once (its own test may still shrink it). So one hang or spin costs one time limit, not
one per test (docs/implementers-guide.md: bounded runs)."""


class CallBudgetError(AssertionError):
    """A spinning loop, caught by the call budget: an ordinary failure, so hypothesis
    shrinks it to the smallest scenario that spins."""


class ImplementationStuck(BaseException):
    """Not run: the implementation already hung or spun earlier in this session. A
    BaseException, so that hypothesis reports it as it is instead of shrinking it."""


_host: list[Host] = []
"""The host process the implementation runs in, when the judge runs the suite
(``qts-conformance``); empty when it runs in this process (the pytest plugin)."""


def in_host() -> bool:
    """Whether the implementation runs in a host process (else in this one)."""
    return bool(_host)


def run_in_host(host: Host) -> None:
    """Call the implementation through ``host`` from now on: the host keeps the
    deadlines and the judge watches it from outside, so no guard runs here."""
    _host[:] = [host]


def introspected(check: Callable[[object], _T], target: object) -> _T:
    """``check(target)`` for one of spec's interface checks, which read signatures: run
    where the implementation's object is (its host), not on the judge's proxy of it."""
    if _host:
        return cast(_T, _host[0].introspect(check.__name__, target))
    return call_watched(lambda: check(target))


def spied_production_gate(implementation: Implementation[StrEnum], plan: FaultPlan | None) -> GateSpy:
    """The binding's production gate behind the suite's spy, built where the gate runs:
    the spy traces the calls the gate makes (RISK-4)."""
    if _host:
        return cast(GateSpy, _host[0].spied_production_gate(plan))
    make: Callable[[], object] = getattr(implementation, "make_production_gate")
    return GateSpy(call_watched(make), plan)


def interrupted(plan: InterruptPlan, loop: ExecutionLoop[StrEnum], intents: Iterable[ExecutionIntent]) -> Injection:
    """``loop.run(intents)`` interrupted as ``plan`` says, where the implementation runs
    (LOOP-5, LOOP-12); the run's end is kept in the result, not raised."""
    if _host:
        return _host[0].run_interrupted(plan, loop, intents)
    return run_planned(plan, lambda: loop.run(intents))


def _current_test() -> str:
    return os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" ", 1)[0]


def call_watched(what: Callable[[], _T], scenario: object = None) -> _T:
    """Call into the implementation under the watchdog and the guards.

    A call that does not return within :data:`RUN_TIME_LIMIT_S` fails TERMINAL-1; one
    that calls the suite's doubles more than ``MAX_CALLS`` times fails it too.
    """
    test = _current_test()
    for where, what_happened in _stuck:
        if where != test or what_happened.startswith("TERMINAL-1: the loop did not return"):
            raise ImplementationStuck(f"TERMINAL-1: not run, the implementation is stuck: {what_happened.removeprefix('TERMINAL-1: ')}")
    try:
        if _host:
            return what()
        with watchdog(RUN_TIME_LIMIT_S), guarded():
            return what()
    except HostEnded as error:
        raise ClauseViolated(
            "TERMINAL-1", observed=f"the implementation ended the process during this call ({error}): "
            "os._exit? a signal? out of memory?", expected="run() returns",
        ) from None
    except LoopDidNotReturn as error:
        _stuck.append((test, f"{error} (in {test}; scenario {scenario!r:.300})"))
        raise LoopDidNotReturn(_stuck[-1][1]) from None
    except CallBudgetExceeded as error:
        _stuck.append((test, f"{error} (in {test})"))
        raise CallBudgetError(str(error)) from None


@dataclass
class Observed:
    report: RunReport[StrEnum] | None
    """What ``run()`` returned, or ``last_report`` when it raised."""
    raised: BaseException | None
    log: CallLog
    pulled: list[ExecutionIntent]
    routed: list[ExecutionIntent]
    seen_states: list[tuple[str, str, str]]
    views: list[OrderView]
    answers: dict[str, object]
    """What the route returned for each intent id (the first time)."""
    route_failures: dict[str, str]
    """How the route's first call for an intent id failed, in words (LOOP-2's message)."""
    hook_calls: list[HookCall]
    contexts: list[SeenContext]
    """The RunContext as the stop policy saw it at each call (LOOP-6)."""
    attempts: Attempts
    foreign_threads: bool
    """A double was called from a thread other than the one that called ``run()``."""

    @property
    def orders(self) -> tuple[OrderRecord[StrEnum], ...]:
        return self.report.orders if self.report is not None else ()

    def histories(self) -> list[tuple[str, tuple[str, ...]]]:
        return [(o.intent.intent_id, tuple(s.value for s in o.history)) for o in self.orders]


class _ThreadCheckingLog(CallLog):
    def __init__(self, limit: int) -> None:
        super().__init__(limit=limit)
        self.owner = threading.get_ident()
        self.foreign = False

    def add(self, what: str, intent_id: str) -> None:
        self.foreign = self.foreign or threading.get_ident() != self.owner
        super().add(what, intent_id)


def run_scenario(
    implementation: Implementation[StrEnum],
    scenario: Scenario,
    *,
    gate: RiskGate | None = None,
    own_policy: bool = False,
) -> Observed:
    """Build the doubles, run the loop once under the guards, and collect the outcome.

    An exception out of ``run()`` is kept in ``raised`` (the tests decide which clause it
    breaks); the suite's own interrupt is expected to propagate (LOOP-5).
    """
    log = _ThreadCheckingLog(call_budget(scenario))
    route = ScriptedRoute(scenario, log, implementation.outcomes, venue_errors(implementation))
    scripted_gate = ScriptedGate(scenario, log)
    source = ScriptedSource(scenario, log)
    limits = scenario.policy
    own = (
        call_watched(lambda: implementation.make_stop_policy(limits.max_executions, limits.max_consecutive_failures))
        if own_policy else None
    )
    policy = SuitePolicy(limits, log, own)
    report: RunReport[StrEnum] | None = None
    raised: BaseException | None = None
    attempts = Attempts()

    def run() -> None:
        nonlocal report, raised
        with nullcontext(Attempts()) if _host else guarded() as seen:
            try:
                loop = implementation.make_loop(route, gate or scripted_gate, policy)
                source.loop = route.loop = scripted_gate.loop = loop
                try:
                    report = loop.run(source)
                except (Exception, SuiteInterrupt) as error:
                    raised = error
                    report = loop.last_report
            finally:
                attempts.network += seen.network
                attempts.concurrency += seen.concurrency

    call_watched(run, scenario)
    observed = Observed(
        report=report,
        raised=raised,
        log=log,
        pulled=source.pulled,
        routed=route.intents,
        seen_states=scripted_gate.seen_states,
        views=scripted_gate.views,
        answers=route.answers,
        route_failures=route.raised,
        hook_calls=scripted_gate.arguments,
        contexts=policy.contexts,
        attempts=attempts,
        foreign_threads=log.foreign,
    )
    if gate is None:
        _last_run[:] = [(implementation, scenario, observed, own_policy)]
    return observed


_last_run: list[tuple[Implementation[StrEnum], Scenario, Observed, bool]] = []
"""The latest run of the suite's own doubles in the current call of a test (a run with
another gate has another oracle, and is not kept)."""


def stuck_cause(error: BaseException) -> Cause | None:
    """For a call that hung, spun, or was not run because an earlier one did: the cause
    is TERMINAL-1's (the loop returns), whatever clause the test was about; after a
    hang every later test fails at once, each as a consequence of it."""
    if not isinstance(error, (LoopDidNotReturn, CallBudgetError, ImplementationStuck)):
        return None
    observed = str(error).removeprefix("TERMINAL-1: ")
    return Cause("TERMINAL-1", "the call into the implementation", "run() returns, having settled its intents", observed, None)


def forget_last_run() -> None:
    """At the start of each call of a test: a cause is read only off that call's run."""
    _last_run.clear()


def last_run_cause() -> Cause | None:
    """Where the current call's latest run first departed from the oracle's expected run
    (conformance_tests.divergence), or None: no run, or it agreed. Calls into the
    implementation (its declared answers' paths), so only while the test runs."""
    if not _last_run:
        return None
    implementation, scenario, seen, own_policy = _last_run[0]
    report = seen.report
    return first_divergence(
        expect(implementation, scenario), seen.orders, seen.log.entries, pulled=len(seen.pulled),
        stop=None if report is None else report.stop.kind, raised=seen.raised,
        terminal=implementation.machine.terminal, steps=len(scenario.steps), own_policy=own_policy,
    )


def expect(implementation: Implementation[StrEnum], scenario: Scenario) -> ExpectedRun:
    """What the specification says a run of ``scenario`` must produce on
    ``implementation``, whose declared outcomes take their declared paths (LOOP-10)."""
    paths = declared_paths(implementation)
    # One watched call for the whole walk, not one per declared answer: arming the
    # watchdog costs more than reading an answer, and a run has thousands of them.
    return call_watched(lambda: expected_run(scenario, paths))


def declared_paths(implementation: Implementation[StrEnum]) -> DeclaredPath:
    """The oracle's reading of declared answers: the implementation's own event
    mapping, walked through its table by value (spec's STATE-8 walk), independently of
    its loop. It calls into the implementation: call it within :func:`call_watched`."""
    machine = implementation.machine
    outcomes = tuple(implementation.outcomes)

    def path(step: Step) -> tuple[str, ...] | None:
        intent = step.intent()

        walk = response_path(machine, intent, model_read_response(step.route, outcomes, step.outcome, intent))
        return None if isinstance(walk, Breach) else walk

    return path
