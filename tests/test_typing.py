"""Typing regressions: the reference classes satisfy the spec Protocols (checked by
mypy --strict and pyright over this file), public results have precise types (no Any),
and both type checkers reject a binding of the wrong shape (checked by running them)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typing_extensions import assert_type

from spec import (
    PHASE4,
    ExecutionLoop,
    ExecutionRoute,
    Implementation,
    LoopController,
    OrderEvent,
    OrderRecord,
    OrderState,
    RiskGate,
    RunReport,
    StateModel,
    StopPolicy,
    transition,
)

from reference_impl.binding import QTS_IMPLEMENTATION, ReferenceImplementation
from reference_impl.runtime.execution_loop.controller import LoopController as ReferenceController
from reference_impl.runtime.execution_loop.loop import ExecutionLoop as ReferenceLoop
from reference_impl.runtime.execution_loop.policies.stop_policy import (
    ALWAYS,
    AnyOf,
    GateHalt,
    MaxConsecutiveFailures,
    MaxExecutions,
    SourceExhausted,
    StopRequested,
)
from reference_impl.runtime.risk.noop_risk_gate import NoopRiskGate
from reference_impl.simulated_route import SimulatedRoute

ROOT = Path(__file__).resolve().parents[1]


# Each annotated assignment is a check: mypy and pyright fail here when a reference class
# drifts from its Protocol.
_ROUTE: ExecutionRoute = SimulatedRoute()
_GATE: RiskGate = NoopRiskGate()
_POLICIES: list[StopPolicy] = [
    MaxExecutions(1), MaxConsecutiveFailures(1), SourceExhausted(), StopRequested(), GateHalt(), AnyOf(), ALWAYS,
]
_CONTROLLER: LoopController[OrderState] = ReferenceController[OrderState](AnyOf(*_POLICIES))
_LOOP: ExecutionLoop[OrderState] = ReferenceLoop(_ROUTE, _GATE, AnyOf(), machine=PHASE4)
_MODEL: StateModel[OrderState] = PHASE4
_IMPLEMENTATION: Implementation[OrderState] = ReferenceImplementation()


def test_reference_classes_satisfy_the_protocols() -> None:
    """The annotated assignments above are what the type checkers verify; at run time
    the loop they built also works."""
    assert _LOOP.run([]).orders == ()


def test_public_results_have_precise_types() -> None:
    assert_type(transition(OrderState.CREATED, OrderEvent.SUBMIT), OrderState)
    loop = QTS_IMPLEMENTATION.make_loop(SimulatedRoute(), NoopRiskGate(), AnyOf())
    report = loop.run([])
    assert_type(report, RunReport[OrderState])
    assert_type(report.orders, tuple[OrderRecord[OrderState], ...])
    assert_type(loop.last_report, RunReport[OrderState] | None)
    assert_type(PHASE4.member(OrderState.FAILED), OrderState)


WRONG_BINDING = textwrap.dedent(
    """
    from spec import Implementation, OrderState, PHASE4, RiskGate, ExecutionRoute, StopPolicy

    class MissingStopPolicy:
        name = "wrong"
        machine = PHASE4
        outcomes = ()
        resting = None

        def make_stop_policy(self, max_executions: int | None, max_consecutive_failures: int | None, /) -> StopPolicy:
            raise NotImplementedError

        def make_loop(self, route: ExecutionRoute, gate: RiskGate) -> None:
            return None

        def make_noop_gate(self) -> RiskGate:
            raise NotImplementedError

    QTS_IMPLEMENTATION: Implementation[OrderState] = MissingStopPolicy()
    """
)


@pytest.mark.parametrize(
    "checker",
    [
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental"],
        [str(Path(sys.executable).parent / "pyright")],
    ],
    ids=["mypy", "pyright"],
)
def test_type_checkers_reject_a_binding_of_the_wrong_shape(checker: list[str], tmp_path: Path) -> None:
    module = tmp_path / "wrong_binding.py"
    module.write_text(WRONG_BINDING, encoding="utf-8")
    result = subprocess.run([*checker, str(module)], capture_output=True, text=True, cwd=ROOT, check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "make_loop" in output, output


RECORD_WRITE = textwrap.dedent(
    """
    from decimal import Decimal
    from spec import ExecutionIntent, OrderRecord, OrderState, Side

    record = OrderRecord(ExecutionIntent("o-1", "QTS", Side.BUY, Decimal(1)), (OrderState.CREATED,))
    record.history = (OrderState.FAILED,)
    """
)


@pytest.mark.parametrize(
    "checker",
    [
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental"],
        [str(Path(sys.executable).parent / "pyright")],
    ],
    ids=["mypy", "pyright"],
)
def test_type_checkers_reject_writing_a_record_field(checker: list[str], tmp_path: Path) -> None:
    """A record is immutable for users' type checkers too, not only at run time."""
    module = tmp_path / "record_write.py"
    module.write_text(RECORD_WRITE, encoding="utf-8")
    result = subprocess.run([*checker, str(module)], capture_output=True, text=True, cwd=ROOT, check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "history" in output and "only" in output, output
