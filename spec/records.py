"""What a run leaves behind: one record per intent pulled, and why the run stopped.

Records are frozen: gates receive them as read-only views, and a report handed to a
caller cannot be edited after the fact.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, NamedTuple, Protocol

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


class OrderRecord(NamedTuple, Generic[S]):
    """One order: its intent, every state it passed through, and how it ended.

    ``history`` starts at the initial state and each step is a row of the transition
    table (LOOP-3); ``state`` is its last entry.

    A typed named tuple rather than a frozen dataclass because a run builds one per
    intent: a frozen dataclass pays an ``object.__setattr__`` per field, four times
    what the tuple costs and the largest single cost of the loop (docs/benchmarks.md).
    It stays immutable and typed. Being a tuple, it also unpacks as
    ``(intent, history, response, fault)``; but it is a value, not a sequence to
    compare: it equals only an ``OrderRecord`` with equal fields (never a plain tuple
    or another named tuple of the same shape) and hashes as its fields do.
    """

    intent: ExecutionIntent
    history: tuple[S, ...]
    response: ExecutionResponse | None = None
    fault: Fault | None = None

    @property
    def state(self) -> S:
        return self.history[-1]

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and _same_fields(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash((self.intent, self.history, self.response, self.fault))


# tuple's own equality, field by field; typeshed leaves its element type open.
_same_fields: Callable[[tuple[object, ...], object], bool] = tuple.__eq__  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]


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
