"""Section 2: one order lifecycle through the kit's transition() vs a raw dict lookup
and the two state-machine libraries a team might reach for instead."""

from __future__ import annotations

from collections.abc import Callable

from pytest_benchmark.fixture import BenchmarkFixture
from statemachine import State, StateMachine
from transitions import Machine

from bench.conftest import table, timed
from spec import PHASE4, TRANSITIONS, OrderEvent, OrderState

ORDERS = 2_000
MEDIANS: dict[str, float] = {}
CREATED, SUBMIT, ACCEPT = OrderState.CREATED, OrderEvent.SUBMIT, OrderEvent.ACCEPT


def kit() -> None:
    transition = PHASE4.transition
    for _ in range(ORDERS):
        transition(transition(CREATED, SUBMIT), ACCEPT)


def raw_dict() -> None:
    rows = dict(TRANSITIONS)
    for _ in range(ORDERS):
        rows[rows[CREATED, SUBMIT], ACCEPT]


class _Order:
    state: str


_PYTRANSITIONS = Machine(
    model=[], states=["created", "submitted", "accepted"], initial="created", auto_transitions=False,
    transitions=[["submit", "created", "submitted"], ["accept", "submitted", "accepted"]],
)


def pytransitions() -> None:
    for _ in range(ORDERS):
        order = _Order()
        _PYTRANSITIONS.add_model(order)
        order.submit()  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue]
        order.accept()  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue]
        _PYTRANSITIONS.remove_model(order)


class _OrderMachine(StateMachine):
    created = State(initial=True)
    submitted = State()
    accepted = State(final=True)
    submit = created.to(submitted)
    accept = submitted.to(accepted)


def python_statemachine() -> None:
    for _ in range(ORDERS):
        machine = _OrderMachine()
        machine.send("submit")  # pyright: ignore[reportUnknownMemberType]
        machine.send("accept")  # pyright: ignore[reportUnknownMemberType]


def _measure(name: str, run: Callable[[], None], benchmark: BenchmarkFixture, rounds: int) -> None:
    stats = timed(benchmark, run, rounds=rounds)
    MEDIANS[name] = stats.median / ORDERS
    out = table("transition", "implementation", "ns / lifecycle (median)", "IQR ns", "vs raw dict", "kit is faster by")
    floor = MEDIANS.get("raw dict lookup")
    kit_cost = MEDIANS.get("kit transition()")
    out.rows.append((
        name, f"{MEDIANS[name] * 1e9:,.0f}", f"{stats.iqr / ORDERS * 1e9:,.0f}",
        f"{MEDIANS[name] / floor:.1f}x" if floor else "",
        f"{MEDIANS[name] / kit_cost:,.0f}x" if kit_cost and name not in ("kit transition()", "raw dict lookup") else "",
    ))


def test_raw_dict(benchmark: BenchmarkFixture) -> None:
    _measure("raw dict lookup", raw_dict, benchmark, rounds=30)


def test_kit_transition(benchmark: BenchmarkFixture) -> None:
    _measure("kit transition()", kit, benchmark, rounds=30)
    ratio = MEDIANS["kit transition()"] / MEDIANS["raw dict lookup"]
    table("transition").notes.append(f"kit / raw dict = {ratio:.2f} (target <= 3: {'met' if ratio <= 3 else 'MISSED'})")


def test_pytransitions(benchmark: BenchmarkFixture) -> None:
    _measure("transitions (pytransitions)", pytransitions, benchmark, rounds=5)


def test_python_statemachine(benchmark: BenchmarkFixture) -> None:
    _measure("python-statemachine", python_statemachine, benchmark, rounds=5)
    kit_cost = MEDIANS["kit transition()"]
    slowest_margin = min(MEDIANS["transitions (pytransitions)"], MEDIANS["python-statemachine"]) / kit_cost
    table("transition").notes.append(
        f"kit vs the faster library: {slowest_margin:,.0f}x faster (target >= 20x: {'met' if slowest_margin >= 20 else 'MISSED'}); "
        "each library lifecycle includes what one order needs in it (pytransitions: add_model/remove_model "
        "on a shared Machine; python-statemachine: one machine instance per order)"
    )
