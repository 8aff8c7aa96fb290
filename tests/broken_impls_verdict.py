"""Broken implementations that once got a false PASS, a hang or a blow-up (issue 10),
written the way a real engineer writes them. ``tests/test_verdict_teeth.py`` runs
``qts-conformance`` on each and checks the verdict.

The bindings that misbehave while imported live in their own modules
(``verdict_exit_at_import``, ``verdict_patches_suite``, ...), since importing them is the
defect.
"""

from __future__ import annotations

import _socket
import os
import signal
import subprocess
import sys
from _thread import start_new_thread  # bound at import, before any guard could wrap it late
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from spec import (
    ExecutionIntent,
    ExecutionResponse,
    ExecutionRoute,
    OrderView,
    RiskGate,
    RunReport,
    Side,
    StateModel,
    StopPolicy,
)

from broken_impls import Mutant
from reference_impl.runtime.execution_loop.controller import LoopController
from reference_impl.runtime.execution_loop.loop import ExecutionLoop as ReferenceLoop

# --- Generators must reach these -------------------------------------------------------


@dataclass(frozen=True)
class _SellsSkipTheGate:
    """RISK-1/RISK-2: "a sell only reduces exposure", so sells skip the risk checks."""

    gate: RiskGate

    def before_intent(self, intent: ExecutionIntent, /) -> bool:
        return intent.side is Side.SELL or self.gate.before_intent(intent)

    def before_route(self, order: OrderView, /) -> bool:
        return order.intent.side is Side.SELL or self.gate.before_route(order)

    def after_response(self, order: OrderView, response: ExecutionResponse, /) -> bool:
        return self.gate.after_response(order, response)


SELL_BYPASSES_GATE = Mutant("sells bypass the gate", gate=_SellsSkipTheGate)


@dataclass(frozen=True)
class _LimitOrdersReplaced:
    """LOOP-2: limit orders are sent, then sent again "to refresh the price"."""

    route: ExecutionRoute

    def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
        response = self.route.execute(intent)
        if intent.limit_price is not None:
            response = self.route.execute(intent)
        return response


LIMIT_ROUTED_TWICE = Mutant("limit orders routed twice", route=_LimitOrdersReplaced)


class _BoundedReportLoop(ReferenceLoop[StrEnum]):
    """LOOP-3: the report keeps a window of the 16 latest orders, "to bound memory"."""

    def run(self, intents: Iterable[ExecutionIntent], /) -> RunReport[StrEnum]:
        report = super().run(intents)
        return RunReport(report.orders[-16:], report.stop)


REPORT_KEEPS_LAST_16 = Mutant("report keeps the last 16 orders", loop=_BoundedReportLoop)

# --- Escapes from the guards -----------------------------------------------------------


@dataclass(frozen=True)
class _RawSocketAudit:
    """ROUTE-1: every order is mirrored to a drop-copy server through ``_socket``."""

    route: ExecutionRoute

    def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
        try:
            connection = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
            connection.connect(("127.0.0.1", 9))
            connection.close()
        except Exception:  # noqa: BLE001 - "the drop copy is best effort"
            pass
        return self.route.execute(intent)


RAW_SOCKET_CONNECT = Mutant("connects through _socket per order", route=_RawSocketAudit)


@dataclass(frozen=True)
class _SubprocessSender:
    """ROUTE-1: orders are also handed to a command-line sender."""

    route: ExecutionRoute

    def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
        try:
            subprocess.run(["true", intent.intent_id], check=False)
        except Exception:  # noqa: BLE001
            pass
        return self.route.execute(intent)


SENDS_FROM_SUBPROCESS = Mutant("sends orders from a subprocess", route=_SubprocessSender)


@dataclass(frozen=True)
class _BackgroundJournal:
    """LOOP-1: each response is journalled on a background thread (start_new_thread bound
    at import)."""

    route: ExecutionRoute

    def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
        response = self.route.execute(intent)
        try:
            start_new_thread(lambda: None, ())
        except Exception:  # noqa: BLE001
            pass
        return response


THREAD_BOUND_AT_IMPORT = Mutant("journals on a thread bound at import", route=_BackgroundJournal)


class _ForkingLoop(ReferenceLoop[StrEnum]):
    """LOOP-1: each run forks a worker that would write the report to disk."""

    def run(self, intents: Iterable[ExecutionIntent], /) -> RunReport[StrEnum]:
        try:
            if os.fork() == 0:
                os._exit(0)
        except Exception:  # noqa: BLE001
            pass
        return super().run(intents)


FORKS_IN_RUN = Mutant("forks in run()", loop=_ForkingLoop)

# --- Ending or wedging the test process ------------------------------------------------


class _ExitsWhenDone(ReferenceLoop[StrEnum]):
    """A "clean shutdown" once the source runs dry: the whole process exits."""

    def run(self, intents: Iterable[ExecutionIntent], /) -> RunReport[StrEnum]:
        report = super().run(intents)
        if report.orders:
            os._exit(0)
        return report


OS_EXIT_IN_RUN = Mutant("os._exit(0) in run()", loop=_ExitsWhenDone)


class _InterruptsWhenDone(ReferenceLoop[StrEnum]):
    """Raises KeyboardInterrupt out of run() "to stop the bot" once the source is dry."""

    def run(self, intents: Iterable[ExecutionIntent], /) -> RunReport[StrEnum]:
        report = super().run(intents)
        if report.orders:
            raise KeyboardInterrupt("done")
        return report


KEYBOARD_INTERRUPT_IN_RUN = Mutant("KeyboardInterrupt out of run()", loop=_InterruptsWhenDone)


class _ForgetfulController(LoopController[StrEnum]):
    """A controller refactor that dropped the "source exhausted" flag."""

    __slots__ = ()

    def mark_exhausted(self) -> None:
        pass


class _SpinningLoop(ReferenceLoop[StrEnum]):
    """TERMINAL-1: "exhausted" is never marked, so the loop spins asking to stop."""

    def __init__(self, route: ExecutionRoute, gate: RiskGate, stop_policy: StopPolicy, *, machine: StateModel[StrEnum]) -> None:
        super().__init__(route, gate, stop_policy, machine=machine)
        self._controller = _ForgetfulController(stop_policy)  # pyright: ignore[reportAttributeAccessIssue]


SPINS = Mutant("never marks the source exhausted", loop=_SpinningLoop)


class _DeafToAlarms(ReferenceLoop[StrEnum]):
    """TERMINAL-1: waits for "more intents" with SIGALRM ignored and every exception
    swallowed, so neither the in-process watchdog nor an interrupt gets it out."""

    def run(self, intents: Iterable[ExecutionIntent], /) -> RunReport[StrEnum]:
        report = super().run(intents)
        if not report.orders:
            return report
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
        while True:
            try:
                while True:
                    pass
            except BaseException:  # noqa: BLE001
                pass


IGNORES_SIGALRM = Mutant("spins with SIGALRM ignored", loop=_DeafToAlarms)


class _ChattyLoop(ReferenceLoop[StrEnum]):
    """Correct, but dumps 400 kB of debug output per run."""

    def run(self, intents: Iterable[ExecutionIntent], /) -> RunReport[StrEnum]:
        sys.stdout.write("x" * 200_000 + "\n")
        sys.stderr.write("y" * 200_000 + "\n")
        return super().run(intents)


FLOODS_OUTPUT = Mutant("prints 400 kB per run", loop=_ChattyLoop)


class _SilencingLoop(_BoundedReportLoop):
    """The windowed report of REPORT_KEEPS_LAST_16, plus a run() that silences the
    suite's history check when it is first called."""

    def run(self, intents: Iterable[ExecutionIntent], /) -> RunReport[StrEnum]:
        import conformance_tests.facts

        conformance_tests.facts.table_walk_problem = lambda machine, history: None
        return super().run(intents)


PATCHES_SUITE_IN_RUN = Mutant("patches the suite from run()", loop=_SilencingLoop)
