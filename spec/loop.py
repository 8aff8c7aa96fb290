"""The Execution Loop contract: the loop, its controller, and stop policies.

The loop is one synchronous ``for``-loop (LOOP-1). Before each pull it asks its
controller whether to stop; the controller answers from its stop policies, which see
the run only through the read-only :class:`RunContext`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from spec.records import OrderRecord, OrderView, RunReport, StopReason
from spec.state_machine import S
from spec.values import ExecutionIntent


class RunContext(Protocol):
    """What a stop policy may read about the run in progress."""

    @property
    def executions(self) -> int:
        """Route calls made so far in this run."""
        ...
    @property
    def settled(self) -> int:
        """Orders settled (in a terminal state) so far in this run."""
        ...
    @property
    def consecutive_failures(self) -> int:
        """FAILED orders since the last order that ended otherwise."""
        ...
    @property
    def last_order(self) -> OrderView | None:
        """The order settled last in this run, or None before the first."""
        ...
    @property
    def source_exhausted(self) -> bool: ...
    @property
    def stop_requested(self) -> bool: ...
    @property
    def gate_halted(self) -> bool:
        """``after_response`` refused an order in this run (RISK-3)."""
        ...


class StopPolicy(Protocol):
    """Decides, before each pull, whether the run must stop (LOOP-6).

    It sees the run only through :class:`RunContext`; ``None`` lets the loop pull
    another intent.
    """

    def should_stop(self, run: RunContext, /) -> StopReason | None:
        """Return why the run must stop now, or None to let it pull another intent."""
        ...


class LoopController(RunContext, Protocol[S]):
    """Governs a run: counts, the stop decision and stop requests (seed 2.1)."""

    def begin_run(self, orders: Sequence[OrderRecord[S]], /) -> None:
        """Count a new run from ``orders``, the run's records as the loop appends them: the
        counts are read from the records, so they cannot disagree with the report. A stop
        request made before it stays in force, so a request racing the start of a run is
        not lost (LOOP-7)."""
        ...
    def next_stop(self) -> StopReason | None:
        """The reason to stop before the next pull, or None (LOOP-6)."""
        ...
    def halt_for_gate(self) -> None:
        """``after_response`` refused the order just recorded: the run stops (RISK-3)."""
        ...
    def mark_exhausted(self) -> None:
        """The intent source has no more intents (LOOP-8)."""
        ...
    def request_stop(self) -> None: ...
    def end_run(self) -> None:
        """The run is over, however it ended; a stop request made for it is used up."""
        ...


class ExecutionLoop(Protocol[S]):
    """The Phase 4 Execution Loop: one synchronous pass over an intent source (seed 2.1).

    Each intent pulled becomes one order that ends in a terminal state exactly once
    (TERMINAL-1), after the risk gate's hooks (RISK-1..3) and at most one route call
    (LOOP-2). Before every pull the stop policy is consulted (LOOP-6); a stop request
    ends the run before the next pull (LOOP-7). No thread, event loop or timer (LOOP-1).
    """

    def run(self, intents: Iterable[ExecutionIntent], /) -> RunReport[S]:
        """Pull intents and settle each one until a stop reason arises (LOOP-1..8)."""
        ...

    def request_stop(self) -> None:
        """Stop before the next pull; the order in flight still settles (LOOP-7)."""
        ...

    @property
    def last_report(self) -> RunReport[S] | None:
        """The report of the latest run, also when it ended by an exception (LOOP-5)."""
        ...
