"""The loop controller (seed 2.1): execution count, stop conditions and stop requests.

It is also the :class:`spec.loop.RunContext` its stop policies read, so asking a policy
costs no snapshot per iteration.
"""

from __future__ import annotations

from typing import Generic

from spec.loop import StopPolicy
from spec.order_state import OrderState
from spec.records import FaultSite, OrderRecord, StopKind, StopReason
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
        "_executions",
        "_settled",
        "_consecutive_failures",
        "_last_order",
        "_source_exhausted",
        "_gate_halted",
    )

    def __init__(self, stop_policy: StopPolicy) -> None:
        self._policy = stop_policy
        self._ask_policy = stop_policy.should_stop  # bound once: asked before every pull
        self._stop_requested = False
        self.begin_run()

    def begin_run(self) -> None:
        self._executions = 0
        self._settled = 0
        self._consecutive_failures = 0
        self._last_order: OrderRecord[S] | None = None
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

    def settle(self, order: OrderRecord[S], /) -> None:
        self._settled += 1
        self._last_order = order
        # The route was called exactly when the order passed through SUBMITTED.
        history = order.history
        if _SUBMITTED in history:
            self._executions += 1
        if history[-1] == _FAILED:
            self._consecutive_failures += 1
        else:
            self._consecutive_failures = 0
        fault = order.fault
        if fault is not None and fault.site is FaultSite.AFTER_RESPONSE:
            self._gate_halted = True

    def mark_exhausted(self) -> None:
        self._source_exhausted = True

    def request_stop(self) -> None:
        self._stop_requested = True

    @property
    def executions(self) -> int:
        return self._executions

    @property
    def settled(self) -> int:
        return self._settled

    @property
    def consecutive_failures(self) -> int:
        return self._consecutive_failures

    @property
    def last_order(self) -> OrderRecord[S] | None:
        return self._last_order

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
