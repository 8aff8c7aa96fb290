"""LOOP-11 .. LOOP-13 and the hostile cases of LOOP-3, LOOP-4 and RISK-4: what a loop
takes from outside (intents, responses, exceptions, policy answers, re-entrant callers,
a real Ctrl-C) cannot make it lose an order or route one twice.

Example tests on purpose: each case is one small run, so the suite stays fast.
"""

from __future__ import annotations

import gc
import random
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

import pytest
from hypothesis import given, settings

from spec.binding import Implementation
from spec.errors import InvalidIntent
from spec.loop import ExecutionLoop, RunContext, StopPolicy
from spec.records import OrderView, RunReport, StopKind, StopReason
from spec.values import ExecutionIntent, ExecutionResponse, Side

from conformance_tests.doubles import POLICY_FAILURES, AllowAllGate, RichResponse, nth
from conformance_tests.harness import call_watched, expect, interrupted, run_scenario
from conformance_tests.interrupt_points import InterruptPlan
from conformance_tests.scenario import OrderId, Scenario
from conformance_tests.strategies import scenarios
from conformance_tests.violation import ClauseViolated

Impl = Implementation[StrEnum]
Loop = ExecutionLoop[StrEnum]
ACCEPTED, FAILED, BLOCKED, SUBMITTED = "accepted", "failed", "blocked", "submitted"


def intent(intent_id: str) -> ExecutionIntent:
    return ExecutionIntent(intent_id, "QTS", Side.BUY, Decimal(1))


class Route:
    """Accepts, unless ``answers`` says otherwise for an id; logs every call."""

    def __init__(self, answers: dict[str, Callable[[ExecutionIntent], object]] | None = None) -> None:
        self.answers = answers or {}
        self.calls: list[str] = []

    def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
        self.calls.append(intent.intent_id)
        answer = self.answers.get(intent.intent_id)
        return answer(intent) if answer else ExecutionResponse(intent.intent_id, True)  # type: ignore[return-value]  # pyright: ignore[reportReturnType]


class BeforeRoute(AllowAllGate):
    """Allows everything; calls ``hook`` in ``before_route`` for the ids it names."""

    def __init__(self, hooks: dict[str, Callable[[], bool]]) -> None:
        self.hooks = hooks

    def before_route(self, order: OrderView, /) -> bool:
        hook = self.hooks.get(order.intent.intent_id)
        return hook() if hook else True


class NoStop:
    def should_stop(self, run: RunContext, /) -> StopReason | None:
        return None


class MaxCalls:
    def __init__(self, limit: int) -> None:
        self.limit = limit

    def should_stop(self, run: RunContext, /) -> StopReason | None:
        return StopReason(StopKind.MAX_EXECUTIONS, f"{run.executions}") if run.executions >= self.limit else None


def make_loop(implementation: Impl, route: Route, gate: AllowAllGate | None = None, policy: StopPolicy | None = None) -> Loop:
    return implementation.make_loop(route, gate or AllowAllGate(), policy or NoStop())


def states(report: RunReport[StrEnum] | None) -> list[tuple[str, str]]:
    assert report is not None, "last_report is None: the run's orders are lost"
    return [(o.intent.intent_id, o.state.value) for o in report.orders]


class UnprintableError(Exception):
    def __str__(self) -> str:
        raise RuntimeError("broken __str__")

    def __repr__(self) -> str:
        raise RuntimeError("broken __repr__")


class UnprintableInterrupt(KeyboardInterrupt):
    def __str__(self) -> str:
        raise RuntimeError("broken __str__")


def raising(error: BaseException) -> Callable[[ExecutionIntent], object]:
    def answer(sent: ExecutionIntent) -> object:
        raise error

    return answer


def forged(value: object, **fields: object) -> object:
    for name, field_value in fields.items():
        object.__setattr__(value, name, field_value)
    return value


# --- RISK-4: recording a fault never fails ------------------------------------------


@pytest.mark.qts_clause("RISK-4")
def test_a_route_exception_whose_str_raises_fails_only_its_order(implementation: Impl) -> None:
    report = make_loop(implementation, Route({"o-2": raising(UnprintableError())})).run([intent("o-1"), intent("o-2"), intent("o-3")])
    got = states(report)
    if got != [("o-1", ACCEPTED), ("o-2", FAILED), ("o-3", ACCEPTED)]:
        raise ClauseViolated("RISK-4", observed=f"a broken __str__ cost orders: {got}")
    if report.orders[1].fault is None:
        raise ClauseViolated("RISK-4", observed="the route failure carries no fault")


@pytest.mark.qts_clause("RISK-4")
def test_an_interrupt_whose_str_raises_still_leaves_every_order_in_last_report(implementation: Impl) -> None:
    loop = make_loop(implementation, Route({"o-2": raising(UnprintableInterrupt())}))
    with pytest.raises(UnprintableInterrupt):
        loop.run([intent("o-1"), intent("o-2"), intent("o-3")])
    got = states(loop.last_report)
    if got != [("o-1", ACCEPTED), ("o-2", FAILED)]:
        raise ClauseViolated("RISK-4", observed=f"last_report after an unprintable interrupt: {got}")


# --- LOOP-3 / LOOP-4: values built around their constructors --------------------------


@pytest.mark.qts_clause("LOOP-3")
@pytest.mark.parametrize(
    "make",
    [lambda: object.__new__(ExecutionIntent), lambda: forged(intent("o-2"), intent_id=None)],
    ids=["fields missing", "id not a str"],
)
def test_an_intent_built_around_its_constructor_is_refused_and_not_routed(implementation: Impl, make: Callable[[], object]) -> None:
    route = Route()
    loop = make_loop(implementation, route)
    with pytest.raises(InvalidIntent):
        loop.run([intent("o-1"), make(), intent("o-3")])  # type: ignore[list-item]
    if route.calls != ["o-1"]:
        raise ClauseViolated("LOOP-3", observed=f"routed {route.calls} for a source whose second intent was forged")
    if states(loop.last_report) != [("o-1", ACCEPTED)]:
        raise ClauseViolated("LOOP-3", observed=f"last_report holds {states(loop.last_report)}")


class LookAlike:
    """Every field of an intent, and not one: a loop that reads ``intent_id`` off whatever
    the source yields would route it."""

    def __init__(self, intent_id: str) -> None:
        self.intent_id, self.symbol, self.side, self.quantity, self.limit_price = intent_id, "QTS", Side.BUY, Decimal(1), None


class TaggedIntent(ExecutionIntent):
    """A subclass made through the constructor: an ExecutionIntent like any other."""

    __slots__ = ()


@pytest.mark.qts_clause("LOOP-3")
def test_an_object_that_only_looks_like_an_intent_is_refused_and_not_routed(implementation: Impl) -> None:
    route = Route()
    loop = make_loop(implementation, route)
    with pytest.raises(InvalidIntent):
        loop.run([intent("o-1"), LookAlike("o-2"), intent("o-3")])  # type: ignore[list-item]  # pyright: ignore[reportArgumentType]
    if route.calls != ["o-1"]:
        raise ClauseViolated("LOOP-3", observed=f"routed {route.calls} for a source whose second item only looked like an intent")


@pytest.mark.qts_clause("LOOP-3")
def test_an_intent_of_a_subclass_made_by_the_constructor_is_an_intent_like_any_other(implementation: Impl) -> None:
    route = Route()
    tagged = TaggedIntent("o-2", "QTS", Side.BUY, Decimal(1))
    report = make_loop(implementation, route).run([intent("o-1"), tagged, intent("o-3")])
    if route.calls != ["o-1", "o-2", "o-3"]:
        raise ClauseViolated("LOOP-3", observed=f"routed {route.calls}; a subclass instance is an ExecutionIntent")
    if not (report.orders[1].intent is tagged and states(report)[1] == ("o-2", ACCEPTED)):
        raise ClauseViolated("LOOP-3", observed=f"{states(report)}")


@pytest.mark.qts_clause("LOOP-4")
@pytest.mark.parametrize(
    "make",
    [
        lambda: forged(ExecutionResponse("o-1", False), accepted="no"),
        lambda: forged(ExecutionResponse("o-1", True), accepted=1),
        lambda: object.__new__(ExecutionResponse),
        lambda: forged(ExecutionResponse("o-1", True), intent_id=OrderId("o-1")),
        lambda: forged(RichResponse("o-1", True), accepted="yes"),
        lambda: forged(RichResponse("o-1", False), accepted=0),
        lambda: forged(RichResponse("o-1", True), intent_id=OrderId("o-1")),
    ],
    ids=["accepted 'no'", "accepted 1", "fields missing", "id of a str subclass", "richer, accepted 'yes'",
         "richer, accepted 0", "richer, id of a str subclass"],
)
def test_a_response_built_around_its_constructor_fails_only_its_order(implementation: Impl, make: Callable[[], object]) -> None:
    answer = make()
    got = states(make_loop(implementation, Route({"o-1": lambda sent: answer})).run([intent("o-1"), intent("o-2")]))
    if got != [("o-1", FAILED), ("o-2", ACCEPTED)]:
        raise ClauseViolated("LOOP-4", observed=f"a forged response gave {got}")


@pytest.mark.qts_clause("LOOP-2")
def test_ids_given_as_str_subclasses_are_routed_at_most_once(implementation: Impl) -> None:
    class IdentityId(str):
        def __eq__(self, other: object) -> bool:
            return self is other

        def __hash__(self) -> int:
            return id(self)

    route = Route()
    make_loop(implementation, route).run([intent(IdentityId("dup")), intent(IdentityId("dup"))])
    if route.calls != ["dup"]:
        raise ClauseViolated("LOOP-2", observed=f"routed {route.calls}")


# --- LOOP-11: re-entry ------------------------------------------------------------------


@pytest.mark.qts_clause("LOOP-11")
def test_reentering_run_from_a_hook_is_refused_and_changes_nothing(implementation: Impl) -> None:
    route = Route()
    refusals: list[Exception] = []
    loop: Loop

    def reenter() -> bool:
        loop.request_stop()  # a pending request the nested run must not use up
        try:
            loop.run([intent("nested"), intent("o-1"), intent("o-2")])
        except Exception as error:
            refusals.append(error)
        return True

    loop = make_loop(implementation, route, BeforeRoute({"o-1": reenter}), MaxCalls(5))
    report = loop.run([intent("o-1"), intent("o-2")])
    if len(refusals) != 1:
        raise ClauseViolated("LOOP-11", observed="run() called during a run was not refused")
    if route.calls != ["o-1"]:
        raise ClauseViolated("LOOP-11", observed=f"the route was called for {route.calls}")
    if states(report) != [("o-1", ACCEPTED)]:
        raise ClauseViolated("LOOP-11", observed=f"the outer run reports {states(report)}")
    if report.stop.kind != StopKind.STOP_REQUESTED:
        raise ClauseViolated("LOOP-11", observed=f"the outer run stopped with {report.stop}")
    if states(loop.run([intent("o-3")])) != [("o-3", ACCEPTED)]:
        raise ClauseViolated("LOOP-11", observed="the loop does not run again")


@pytest.mark.qts_clause("LOOP-11")
def test_reentering_run_from_the_route_is_refused_and_keeps_the_execution_limit(implementation: Impl) -> None:
    loop: Loop

    def reenter(sent: ExecutionIntent) -> object:
        try:
            loop.run([intent("nested"), sent])
        except Exception:
            pass
        return ExecutionResponse(sent.intent_id, True)

    route = Route({"o-1": reenter, "o-2": reenter})
    loop = make_loop(implementation, route, policy=MaxCalls(2))
    report = loop.run([intent("o-1"), intent("o-2"), intent("o-3")])
    if route.calls != ["o-1", "o-2"]:
        raise ClauseViolated("LOOP-11", observed=f"route calls {route.calls} with a limit of 2")
    if report.stop.kind != StopKind.MAX_EXECUTIONS:
        raise ClauseViolated("LOOP-11", observed=f"the outer run stopped with {report.stop}")


# --- LOOP-13: stop-policy answers ---------------------------------------------------------


class Answering:
    def __init__(self, answer: object) -> None:
        self.answer = answer

    def should_stop(self, run: RunContext, /) -> StopReason | None:
        return self.answer  # type: ignore[return-value]  # pyright: ignore[reportReturnType]


@pytest.mark.qts_clause("LOOP-13")
@pytest.mark.parametrize(
    "answer", [False, 0, "stop", StopKind.POLICY, StopReason("policy", "forged")],  # type: ignore[arg-type]
    ids=["False", "0", "a string", "a StopKind", "StopReason with a str kind"],
)
def test_a_stop_policy_answer_that_is_not_a_stop_reason_stops_the_run(implementation: Impl, answer: object) -> None:
    route = Route()
    report = make_loop(implementation, route, policy=Answering(answer)).run([intent("o-1")])
    if route.calls != []:
        raise ClauseViolated("LOOP-13", observed=f"the policy answered {answer!r} and the run went on to route {route.calls}")
    if not (type(report.stop) is StopReason and report.stop.kind == StopKind.POLICY):
        raise ClauseViolated("LOOP-13", observed=f"the policy answered {answer!r}; the report says {report.stop!r}")
    detail = report.stop.detail
    if not (type(detail) is str and "Answering" in detail and type(answer).__name__ in detail):
        raise ClauseViolated("LOOP-13", observed=f"the detail must name the policy (Answering) and what it answered ({type(answer).__name__}): {detail!r}")


@pytest.mark.qts_clause("LOOP-13")
@given(scenario=scenarios(gates=False, stop_requests=False, policy_faults=True))
def test_a_stop_policy_that_raises_or_answers_garbage_never_lets_the_run_go_on(implementation: Impl, scenario: Scenario) -> None:
    """Property: a stop policy that raises (its feed is down) ends the run by that very
    exception, with every order settled before it and nothing pulled after; one that
    answers garbage stops the run with POLICY. Neither is read as "go on"."""
    expected = expect(implementation, scenario)
    seen = run_scenario(implementation, scenario)
    pulled = [i.intent_id for i in seen.pulled]
    want = [o.intent_id for o in expected.orders]
    failure = nth(POLICY_FAILURES, scenario.policy.failure)
    if pulled != want:
        raise ClauseViolated("LOOP-13", observed=f"the policy failed ({failure!r}) and the run pulled {pulled}", expected=f"{want}")
    if expected.policy_raised:
        if not (seen.raised is not None and type(seen.raised) is failure):
            raise ClauseViolated("LOOP-13", observed=f"the stop policy raised {getattr(failure, '__name__', failure)}; run() must end by it, raised {seen.raised!r}")
    if not (seen.report is not None and seen.report.stop.kind == expected.stop):
        raise ClauseViolated("LOOP-13", observed=f"the policy failed ({failure!r}); stopped with {seen.report and seen.report.stop}", expected=f"{expected.stop.value}")


# --- LOOP-12: an asynchronous interrupt at every execution point ------------------------
#
# The interrupt is raised at a counted execution point of the run (every place a supported
# CPython may run a signal handler: conformance_tests.interrupt_points), not by a timer,
# so the same binding, profile and seed give the same problems on every machine.

SAMPLED_RUNS, POINTS_PER_RUN = 24, 12
"""Longer runs drawn from the seed, and how many of each run's points are tried."""


@contextmanager
def _no_gc() -> Generator[None]:
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


@dataclass(frozen=True)
class _Script:
    """One run: the intents' ids in order, the ids the route fails and the id on which
    the route asks the loop to stop (LOOP-7: that request ends with its run)."""

    ids: tuple[str, ...]
    failing: frozenset[str] = frozenset()
    stop_on: str = ""

    @staticmethod
    def draw(rng: random.Random) -> _Script:
        ids = [f"o-{n}" for n in range(rng.randint(3, 8))]
        ids += rng.sample(ids, k=rng.randint(0, 2))  # repeated ids: LOOP-2 under interrupts
        failing = frozenset(i for i in ids if rng.random() < 0.2)
        return _Script(tuple(ids), failing, rng.choice(["", *ids]))


_SMALL_SCRIPTS = (
    _Script(("o-1", "o-2", "o-1"), frozenset({"o-2"})),
    _Script(("o-1", "o-2"), stop_on="o-1"),
)


def _interrupted_at(implementation: Impl, script: _Script, point: int | None) -> tuple[int, list[str]]:
    """Run ``script`` with a KeyboardInterrupt at execution ``point`` (None: none): how
    many points the run passed, and what went wrong."""
    intents = [intent(i) for i in script.ids]
    loop: Loop

    def stopping(sent: ExecutionIntent) -> object:
        loop.request_stop()
        return ExecutionResponse(sent.intent_id, True)

    answers = {i: raising(RuntimeError("venue down")) for i in script.failing}
    if script.stop_on:
        answers[script.stop_on] = stopping
    route = Route(answers)
    loop = make_loop(implementation, route)
    source: Iterator[ExecutionIntent] = iter(intents)
    with _no_gc():  # a gc callback (hypothesis installs one) would add points no plan chose
        injection = interrupted(InterruptPlan(point), loop, source)
    handed = intents[: len(intents) - source.__length_hint__()]  # type: ignore[attr-defined]
    problems: list[str] = []
    if injection.raised_at is not None and not isinstance(injection.outcome, KeyboardInterrupt):
        problems.append(f"the interrupt did not propagate out of run() (it ended with {injection.outcome!r})")
    report = loop.last_report
    if report is None:
        if handed:
            problems.append(f"last_report is None after {len(handed)} intent(s) were pulled")
    else:
        if [id(o.intent) for o in report.orders] != [id(i) for i in handed]:
            problems.append(f"pulled {[i.intent_id for i in handed]}, last_report holds {[o.intent.intent_id for o in report.orders]}")
        open_orders = [o.intent.intent_id for o in report.orders if o.state not in implementation.machine.terminal]
        if open_orders:
            problems.append(f"orders left open: {open_orders}")
        submitted = {o.intent.intent_id for o in report.orders if SUBMITTED in [s.value for s in o.history]}
        if not set(route.calls) <= submitted:
            problems.append(f"routed {route.calls}, recorded as submitted {sorted(submitted)}")
    if len(route.calls) != len(set(route.calls)):
        problems.append(f"routed twice: {route.calls}")
    try:
        after = loop.run([intent("next")])
        if [o.intent.intent_id for o in after.orders] != ["next"]:
            problems.append(f"the next run settled {[o.intent.intent_id for o in after.orders]}, stopping with "
                            f"{after.stop.kind.value}: the interrupted run left state behind (LOOP-7)")
    except Exception as error:
        problems.append(f"the loop cannot run again: {error!r}")
    return injection.points, problems


def _points(points: list[int | None]) -> str:
    """``[None, 3, 4, 5, 9]`` -> ``"no interrupt, points 3-5, 9"``: the full list, short."""
    numbers = sorted(p for p in points if p is not None)
    spans: list[str] = []
    for number in numbers:
        if spans and spans[-1].rsplit("-", 1)[-1] == str(number - 1):
            spans[-1] = f"{spans[-1].split('-')[0]}-{number}"
        else:
            spans.append(str(number))
    return ", ".join([*(["no interrupt"] if None in points else []), *([f"points {', '.join(spans)}"] if spans else [])])


def _seed(config: pytest.Config, profile: settings) -> int:
    """The ci profile is derandomised: a fixed seed. Otherwise the run's hypothesis seed."""
    if profile.derandomize:
        return 12
    chosen: object = config.getoption("hypothesis_seed", None)
    return int(chosen) if isinstance(chosen, (int, str)) and str(chosen).isdigit() else random.randrange(2**32)


@pytest.mark.qts_clause("LOOP-12")
def test_an_asynchronous_interrupt_anywhere_loses_no_pulled_intent_and_routes_none_twice(
    implementation: Impl, pytestconfig: pytest.Config, qts_settings: settings
) -> None:
    """Property: wherever a KeyboardInterrupt lands (every execution point of small runs,
    sampled points of longer runs drawn from the seed), it propagates, the intents the
    source handed over are all in last_report, terminal, none routed twice, and the loop
    runs again afresh. Every problem found is listed, on one line."""
    found: dict[str, list[int | None]] = {}  # problem -> the points it came at

    def interrupt(run: str, script: _Script, points: Iterable[int | None]) -> None:
        for point in points:
            for problem in _interrupted_at(implementation, script, point)[1]:
                found.setdefault(f"{run}: {problem}", []).append(point)

    for number, script in enumerate(_SMALL_SCRIPTS):
        interrupt(f"small run {number} {script.ids}", script, [None, *range(_interrupted_at(implementation, script, None)[0])])
    seed = _seed(pytestconfig, qts_settings)
    rng = random.Random(seed)
    for number in range(SAMPLED_RUNS):
        script = _Script.draw(rng)
        points = _interrupted_at(implementation, script, None)[0]
        interrupt(f"run {number} {script.ids}", script, [None, *sorted(rng.sample(range(points), k=min(points, POINTS_PER_RUN)))])
    if found:  # the whole list, one problem a line
        # Points, not places: the same plan raises at the same place on a rerun (interrupt_points).
        listed = "\n".join(f"{problem} at {_points(at)}" for problem, at in found.items())
        raise ClauseViolated("LOOP-12", observed=f"{sum(map(len, found.values()))} problem(s) (seed {seed}):\n{listed}")


class _InterruptedWhileRead(Exception):
    """An exception whose text, the first time the loop reads it to record the run it
    ended, raises KeyboardInterrupt: the interrupt lands while the run is recorded."""

    def __init__(self) -> None:
        super().__init__("feed lost")
        self.reads = 0

    def __str__(self) -> str:
        self.reads += 1
        if self.reads == 1:
            raise KeyboardInterrupt("Ctrl-C while the run was recorded")
        return "feed lost"


class _StopWhileRead(BaseException):
    """The same, for an interrupt (a BaseException) from the route."""

    def __init__(self) -> None:
        super().__init__("stop")
        self.reads = 0

    def __str__(self) -> str:
        self.reads += 1
        if self.reads == 1:
            raise KeyboardInterrupt("Ctrl-C while the run was recorded")
        return "stop"


@pytest.mark.qts_clause("LOOP-12")
def test_an_interrupt_while_a_failing_source_is_recorded_loses_nothing(implementation: Impl) -> None:
    def source() -> Iterator[ExecutionIntent]:
        yield intent("o-1")
        raise _InterruptedWhileRead()

    loop = make_loop(implementation, Route())
    with pytest.raises(KeyboardInterrupt):
        call_watched(lambda: loop.run(source()))
    report = loop.last_report
    if states(report) != [("o-1", ACCEPTED)]:
        raise ClauseViolated("LOOP-12", observed=f"{report}")
    if not (report is not None and report.stop.kind == StopKind.INTERRUPTED):
        raise ClauseViolated("LOOP-12", observed=f"{report and report.stop}")


@pytest.mark.qts_clause("LOOP-12")
def test_an_interrupt_while_the_order_in_flight_is_recorded_still_settles_it(implementation: Impl) -> None:
    loop = make_loop(implementation, Route({"o-2": raising(_StopWhileRead())}))
    with pytest.raises(KeyboardInterrupt):
        call_watched(lambda: loop.run([intent("o-1"), intent("o-2"), intent("o-3")]))
    report = loop.last_report
    if not (report is not None and [(o.intent.intent_id, tuple(s.value for s in o.history)) for o in report.orders] == [
        ("o-1", ("created", SUBMITTED, ACCEPTED)), ("o-2", ("created", SUBMITTED, FAILED)),
    ]):
        raise ClauseViolated("LOOP-12", observed=f"{report}")
    fault = report.orders[-1].fault
    if not (fault is not None and fault.site.value == "route" and report.stop.kind == StopKind.INTERRUPTED):
        raise ClauseViolated("LOOP-12", observed=f"{report}")
    if not ("KeyboardInterrupt" in fault.message and "KeyboardInterrupt" in report.stop.detail):
        raise ClauseViolated("LOOP-12", observed=f"the record must name the interrupt that ended the run: {fault.message!r}, {report.stop.detail!r}")


class _RaisingAfterResponse(AllowAllGate):
    def after_response(self, order: OrderView, response: ExecutionResponse, /) -> bool:
        raise _StopWhileRead()


@pytest.mark.qts_clause("LOOP-12")
def test_an_interrupt_while_an_answered_order_is_recorded_keeps_its_answer(implementation: Impl) -> None:
    answer = ExecutionResponse("o-1", True, venue_order_id="V-1")
    loop = make_loop(implementation, Route({"o-1": lambda sent: answer}), gate=_RaisingAfterResponse())
    with pytest.raises(KeyboardInterrupt):
        call_watched(lambda: loop.run([intent("o-1"), intent("o-2")]))
    report = loop.last_report
    if states(report) != [("o-1", ACCEPTED)]:
        raise ClauseViolated("LOOP-12", observed=f"{report}")
    kept = report.orders[0].response if report is not None else None
    if kept != answer:
        raise ClauseViolated("LOOP-12", observed=f"the order the venue answered must keep its response: {kept!r}")
