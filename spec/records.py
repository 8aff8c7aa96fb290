"""What a run leaves behind: one record per intent pulled, and why the run stopped.

Records are frozen: gates receive them as read-only views, and a report handed to a
caller cannot be edited after the fact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, Protocol

from typing_extensions import TypeVar

from spec.show import describe_exception
from spec.state_machine import S
from spec.values import ExecutionIntent, ExecutionResponse

S_co = TypeVar("S_co", bound=StrEnum, covariant=True, default=StrEnum)


class FaultSite(StrEnum):
    """Where an order's fault came from."""

    INTAKE = "intake"
    """The loop refused the intent before any hook (a repeated intent id, LOOP-2)."""
    BEFORE_INTENT = "before_intent"
    BEFORE_ROUTE = "before_route"
    ROUTE = "route"
    AFTER_RESPONSE = "after_response"


@dataclass(frozen=True, slots=True)
class Fault:
    """Something that went wrong for one order: where, and what (RISK-4, LOOP-4, LOOP-5).

    The exception is kept as text, not as an object, so a report does not keep frames
    and their locals alive for as long as it lives. The text is bounded and writing it
    cannot raise, whatever the exception's ``__str__`` does (TERMINAL-1).
    """

    site: FaultSite
    message: str

    @classmethod
    def from_exception(cls, site: FaultSite, error: BaseException) -> Fault:
        return cls(site, describe_exception(error))


class OrderView(Protocol[S_co]):
    """The read-only view of an order that risk gates receive, typed by the
    implementation's state enum so a Phase 5 gate sees its own states."""

    @property
    def intent(self) -> ExecutionIntent: ...
    @property
    def state(self) -> S_co: ...
    @property
    def history(self) -> Sequence[S_co]: ...


@dataclass(frozen=True, slots=True)
class OrderRecord(Generic[S]):
    """One order: its intent, every state it passed through, and how it ended.

    ``history`` starts at the initial state and each step is a row of the transition
    table (LOOP-3); ``state`` is its last entry.
    """

    intent: ExecutionIntent
    history: tuple[S, ...]
    response: ExecutionResponse | None = None
    fault: Fault | None = None

    @property
    def state(self) -> S:
        return self.history[-1]


class StopKind(StrEnum):
    """Why a run ended."""

    SOURCE_EXHAUSTED = "source_exhausted"
    STOP_REQUESTED = "stop_requested"
    GATE_HALT = "gate_halt"
    MAX_EXECUTIONS = "max_executions"
    MAX_CONSECUTIVE_FAILURES = "max_consecutive_failures"
    POLICY = "policy"
    """Any other stop policy (Phase 5 policies use this kind with their own detail)."""
    INTERRUPTED = "interrupted"
    """An exception ended the run; it propagated to the caller (LOOP-5)."""


@dataclass(frozen=True, slots=True)
class StopReason:
    kind: StopKind
    detail: str


@dataclass(frozen=True, slots=True)
class RunReport(Generic[S]):
    """Every intent pulled, in pull order, each exactly once, and why the run stopped."""

    orders: tuple[OrderRecord[S], ...]
    stop: StopReason
