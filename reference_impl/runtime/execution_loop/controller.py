"""The loop controller (seed 2.1): execution count, stop conditions and stop requests.

It is also the :class:`spec.loop.RunContext` its stop policies read, so asking a policy
costs no snapshot per iteration. Its counts are read from the run's own records, when a
policy asks: they cannot disagree with the report, and a policy that reads none costs
the run nothing per order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic

from spec.loop import StopPolicy
from spec.order_state import OrderState
from spec.records import OrderRecord, StopKind, StopReason
from spec.show import show, type_name
from spec.state_machine import S

from reference_impl.runtime.execution_loop.policies.stop_policy import ALWAYS


# Plain strings: StrEnum members of any extension compare equal to their values.
_SUBMITTED: str = OrderState.SUBMITTED.value
_FAILED: str = OrderState.FAILED.value


class LoopController(Generic[S]):
    """Counts a run's executions and failures and decides when it stops (LOOP-6..8)."""

    __slots__ = (
        "_policy",
        "_ask_policy",
        "_stop_requested",
        "_orders",
        "_counted",
        "_executions",
        "_consecutive_failures",
        "_source_exhausted",
        "_gate_halted",
    )

    def __init__(self, stop_policy: StopPolicy) -> None:
        self._policy = stop_policy
        self._ask_policy = stop_policy.should_stop  # bound once: asked before every pull
        self._stop_requested = False
        self.begin_run(())

    def begin_run(self, orders: Sequence[OrderRecord[S]], /) -> None:
        self._orders = orders
        self._counted = 0
        self._executions = 0
        self._consecutive_failures = 0
        self._source_exhausted = False
        self._gate_halted = False

    def end_run(self) -> None:
        self._stop_requested = False

    def next_stop(self) -> StopReason | None:
        # The stops no run may ignore come first (LOOP-6's precedence); their flags are
        # read directly so that the common case, none set, costs three attribute reads.
        if self._gate_halted or self._stop_requested or self._source_exhausted:
            return ALWAYS.should_stop(self)
        reason = self._ask_policy(self)
        if reason is None or _is_stop_reason(reason):
            return reason
        return _garbage_answer(self._policy, reason)

    def halt_for_gate(self) -> None:
        """``after_response`` refused the order just recorded (RISK-3)."""
        self._gate_halted = True

    def _count(self) -> None:
        """Bring the counts up to the records appended since they were last read: the
        loop only appends, and a policy that reads no count costs the run nothing."""
        orders = self._orders
        for index in range(self._counted, len(orders)):
            history = orders[index].history
            # The route was called exactly when the order passed through SUBMITTED.
            if _SUBMITTED in history:
                self._executions += 1
            if history[-1] == _FAILED:
                self._consecutive_failures += 1
            else:
                self._consecutive_failures = 0
            self._counted = index + 1

    def mark_exhausted(self) -> None:
        self._source_exhausted = True

    def request_stop(self) -> None:
        self._stop_requested = True

    @property
    def executions(self) -> int:
        self._count()
        return self._executions

    @property
    def settled(self) -> int:
        return len(self._orders)

    @property
    def consecutive_failures(self) -> int:
        self._count()
        return self._consecutive_failures

    @property
    def last_order(self) -> OrderRecord[S] | None:
        orders = self._orders
        return orders[-1] if orders else None

    @property
    def source_exhausted(self) -> bool:
        return self._source_exhausted

    @property
    def stop_requested(self) -> bool:
        return self._stop_requested

    @property
    def gate_halted(self) -> bool:
        return self._gate_halted


def _is_stop_reason(answer: object) -> bool:
    """A StopReason whose fields are what they say (a dataclass does not check them)."""
    return (
        type(answer) is StopReason
        and type(answer.kind) is StopKind
        and type(answer.detail) is str
    )


def _garbage_answer(policy: StopPolicy, answer: object) -> StopReason:
    """LOOP-13: a stop policy answer that is neither a StopReason nor None stops the run
    (fail closed: ``False`` or ``0`` may have meant "go on", but nothing says so)."""
    return StopReason(
        StopKind.POLICY,
        f"the stop policy {type_name(policy)} answered {type_name(answer)} {show(answer)}, "
        "not a StopReason or None; the run stops (LOOP-13)",
    )
