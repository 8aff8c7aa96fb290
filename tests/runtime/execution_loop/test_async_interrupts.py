"""A real Ctrl-C can land anywhere: a SIGALRM handler raises KeyboardInterrupt at a
random moment of many runs, and no pulled intent is lost and none is routed twice
(LOOP-5, LOOP-12, issue 11).

The source is a list iterator, so how many intents it handed over is exact (its length
hint) however the interrupt fell. ``QTS_INTERRUPT_TRIALS`` sets the number of runs (the
default keeps the test to a few seconds; docs/benchmarks.md gives a large run's count).
Imports only what the locked loop already offered: it runs against that version too.
"""

from __future__ import annotations

import gc
import os
import random
import signal
import threading
import time
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from types import FrameType

import pytest

from spec import PHASE4, ExecutionIntent, ExecutionResponse, OrderState, OrderView, RunReport, Side, StopKind, StopPolicy

from conformance_tests.interrupt_points import InterruptPlan, run_planned
from reference_impl.runtime.execution_loop.loop import ExecutionLoop
from reference_impl.runtime.execution_loop.policies.stop_policy import AnyOf, MaxExecutions

TRIALS = int(os.environ.get("QTS_INTERRUPT_TRIALS", "2000"))

pytestmark = pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs POSIX interval timers (SIGALRM)")


class VenueDown(RuntimeError):
    pass


@dataclass
class Script:
    """One run's intents and how the route and the gate treat each of them."""

    intents: list[ExecutionIntent]
    route: dict[str, str]
    gate: dict[str, str]
    policy: StopPolicy

    @staticmethod
    def draw(rng: random.Random) -> Script:
        ids: list[str] = []
        for n in range(rng.randint(1, 12)):
            ids.append(rng.choice(ids) if ids and rng.random() < 0.15 else f"o-{n}")
        intents = [ExecutionIntent(i, "QTS", Side.BUY, Decimal(1)) for i in ids]
        route = {i: rng.choice(["accept", "accept", "reject", "raise", "wrong id"]) for i in ids}
        gate = {i: rng.choice(["allow"] * 8 + ["refuse before_intent", "raise before_route", "refuse after_response"]) for i in ids}
        policy: StopPolicy = MaxExecutions(rng.randint(1, 10)) if rng.random() < 0.3 else AnyOf()
        return Script(intents, route, gate, policy)


@dataclass
class Route:
    script: Script
    calls: list[str] = field(default_factory=list[str])

    def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
        self.calls.append(intent.intent_id)
        act = self.script.route[intent.intent_id]
        if act == "raise":
            raise VenueDown(intent.intent_id)
        if act == "wrong id":
            return ExecutionResponse(intent.intent_id + "-x", True)
        return ExecutionResponse(intent.intent_id, act == "accept")


@dataclass
class Gate:
    script: Script

    def before_intent(self, intent: ExecutionIntent, /) -> bool:
        return self.script.gate[intent.intent_id] != "refuse before_intent"

    def before_route(self, order: OrderView, /) -> bool:
        if self.script.gate[order.intent.intent_id] == "raise before_route":
            raise RuntimeError("risk service down")
        return True

    def after_response(self, order: OrderView, response: ExecutionResponse, /) -> bool:
        return self.script.gate[order.intent.intent_id] != "refuse after_response"


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt("SIGALRM")


STEPS = {(before, after) for (before, _), after in PHASE4.table.items()}


def problems(script: Script, loop: ExecutionLoop[OrderState], source: Iterator[ExecutionIntent], route: Route) -> list[str]:
    """Everything the run got wrong, given how many intents the source handed over."""
    handed = script.intents[: len(script.intents) - source.__length_hint__()]  # type: ignore[attr-defined]
    report = loop.last_report
    found: list[str] = []
    if report is None:
        return [f"last_report is None after {len(handed)} intent(s) were pulled"] if handed else []
    if [id(o.intent) for o in report.orders] != [id(i) for i in handed]:
        found.append(f"pulled {[i.intent_id for i in handed]}, last_report holds {[o.intent.intent_id for o in report.orders]}")
    for order in report.orders:
        history = order.history
        if history[-1] not in PHASE4.terminal or history[0] is not PHASE4.initial:
            found.append(f"{order.intent.intent_id} ended {history[-1].value}")
        if any(step not in STEPS for step in zip(history, history[1:])):
            found.append(f"{order.intent.intent_id} took a step outside the table: {[s.value for s in history]}")
    if len(route.calls) != len(set(route.calls)):
        found.append(f"routed twice: {route.calls}")
    submitted = {o.intent.intent_id for o in report.orders if OrderState.SUBMITTED in o.history}
    if not set(route.calls) <= submitted:
        found.append(f"routed {route.calls} but only {sorted(submitted)} are recorded as submitted")
    return found


@contextmanager
def no_gc() -> Generator[None]:
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def duration(script: Script) -> float:
    """How long the script's run takes uninterrupted (the window the interrupt aims at)."""
    loop = ExecutionLoop(Route(script), Gate(script), script.policy, machine=PHASE4)
    start = time.perf_counter()
    loop.run(iter(script.intents))
    return time.perf_counter() - start


def trial(rng: random.Random) -> tuple[bool, list[str]]:
    """One run with a KeyboardInterrupt due at a random moment of it: (interrupted, problems)."""
    script = Script.draw(rng)
    delay = rng.uniform(0.0, 1.2 * duration(script)) or 1e-6
    route = Route(script)
    loop = ExecutionLoop(route, Gate(script), script.policy, machine=PHASE4)
    source = iter(script.intents)
    interrupted = False
    returned: RunReport[OrderState] | None = None
    with no_gc():  # a gc callback (hypothesis installs one) would swallow the interrupt
        try:
            try:
                signal.setitimer(signal.ITIMER_REAL, delay)
                returned = loop.run(source)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        except KeyboardInterrupt:
            report = loop.last_report
            interrupted = report is None or report.stop.kind is StopKind.INTERRUPTED  # inside run(), not after it
    if not interrupted and returned is not None and returned is not loop.last_report:
        return False, ["run() returned a report other than last_report"]
    found = problems(script, loop, source, route)
    try:
        loop.run([])  # the loop must not be left believing a run is in progress (LOOP-11)
    except Exception as error:
        found.append(f"the next run was refused: {error!r}")
    return interrupted, found


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="signals reach the main thread only")
def test_an_asynchronous_interrupt_anywhere_loses_no_pulled_intent_and_routes_none_twice() -> None:
    """Property: for every run and every moment a KeyboardInterrupt lands, last_report
    holds exactly the intents the source handed over, each once, each terminal along
    table steps; no id reaches the route twice; the loop can run again afterwards."""
    rng = random.Random(11)
    previous = signal.signal(signal.SIGALRM, _interrupt)
    failures: list[str] = []
    interrupted = 0
    try:
        for number in range(TRIALS):
            hit, found = trial(rng)
            interrupted += hit
            failures += [f"trial {number}: {problem}" for problem in found]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    print(f"{TRIALS} runs, {interrupted} interrupted, {len(failures)} problem(s)")
    assert not failures, f"{len(failures)} problem(s) in {TRIALS} runs ({interrupted} interrupted):\n" + "\n".join(failures[:10])
    assert interrupted > TRIALS // 4, f"only {interrupted} of {TRIALS} runs were interrupted inside run(): the window is off"


# --- The same, deterministically: an interrupt at each execution point in turn ------------


@dataclass
class StoppingRoute(Route):
    """Route that also asks its loop to stop when it routes ``stop_on`` (LOOP-7: that
    request is used up by the run it was made in, however the run ends)."""

    loop: ExecutionLoop[OrderState] | None = None
    stop_on: str = ""

    def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
        if intent.intent_id == self.stop_on and self.loop is not None:
            self.loop.request_stop()
        return super().execute(intent)


def _script(route: dict[str, str], gate: dict[str, str], policy: StopPolicy, order: list[str]) -> Script:
    return Script([ExecutionIntent(i, "QTS", Side.BUY, Decimal(1)) for i in order], route, gate, policy)


SMALL_RUNS: dict[str, tuple[Script, str]] = {
    "accept, venue down, repeat, reject": (_script(
        {"o-1": "accept", "o-2": "raise", "o-3": "reject"}, dict.fromkeys(["o-1", "o-2", "o-3"], "allow"),
        AnyOf(), ["o-1", "o-2", "o-1", "o-3"]), ""),
    "every gate refusal, wrong id": (_script(
        {"o-1": "accept", "o-2": "accept", "o-3": "wrong id", "o-4": "accept"},
        {"o-1": "refuse before_intent", "o-2": "raise before_route", "o-3": "allow", "o-4": "refuse after_response"},
        AnyOf(), ["o-1", "o-2", "o-3", "o-4"]), ""),
    "a stop requested by the route": (_script(
        {"o-1": "accept", "o-2": "accept"}, dict.fromkeys(["o-1", "o-2"], "allow"), AnyOf(), ["o-1", "o-2"]), "o-1"),
    "an execution limit": (_script(
        {"o-1": "accept", "o-2": "accept"}, dict.fromkeys(["o-1", "o-2"], "allow"), MaxExecutions(1), ["o-1", "o-2"]), ""),
}


def _interrupted_at(script: Script, stop_on: str, point: int | None) -> tuple[int, list[str]]:
    """Run ``script`` with an interrupt at execution ``point`` (None: none): how many
    points the run passed, and everything it got wrong."""
    route = StoppingRoute(script, stop_on=stop_on)
    loop = ExecutionLoop(route, Gate(script), script.policy, machine=PHASE4)
    route.loop = loop
    source = iter(script.intents)
    with no_gc():  # a gc callback would run (and count points) at moments no plan chose
        injection = run_planned(InterruptPlan(point), lambda: loop.run(source))
    found = problems(script, loop, source, route)
    if injection.raised_at is not None and not isinstance(injection.outcome, KeyboardInterrupt):
        found.append(f"the interrupt did not propagate out of run(): it ended with {injection.outcome!r}")
    elif injection.raised_at is None and injection.outcome is not None:
        found.append(f"run() raised {injection.outcome!r} with no interrupt")
    try:
        after = loop.run([ExecutionIntent("next", "QTS", Side.BUY, Decimal(1))])
        if after.stop.kind is not StopKind.SOURCE_EXHAUSTED or len(after.orders) != 1:
            found.append(f"the next run stopped with {after.stop.kind.value} after {len(after.orders)} order(s): "
                         "state of the interrupted run carried over (LOOP-7, LOOP-11)")
    except Exception as error:
        found.append(f"the next run was refused: {error!r}")
    where = f" (interrupt at {injection.raised_at})" if injection.raised_at else ""
    return injection.points, [problem + where for problem in found]


@pytest.mark.parametrize("name", SMALL_RUNS)
def test_an_interrupt_at_every_execution_point_of_a_small_run_loses_nothing_and_leaves_nothing_behind(name: str) -> None:
    """Property, exhaustively: for each execution point of the run (every place a
    supported CPython may run a signal handler: conformance_tests.interrupt_points), a
    KeyboardInterrupt raised there propagates, last_report holds exactly the intents
    handed over, each once and terminal along table steps, none routed twice, and the
    next run starts afresh (no run left in progress, no stop request carried over)."""
    script, stop_on = SMALL_RUNS[name]
    points, clean = _interrupted_at(script, stop_on, None)
    assert not clean, f"the uninterrupted run went wrong: {clean}"
    failures = [f"point {point}: {problem}" for point in range(points) for problem in _interrupted_at(script, stop_on, point)[1]]
    assert not failures, f"{len(failures)} problem(s) at {points} execution points:\n" + "\n".join(failures)
