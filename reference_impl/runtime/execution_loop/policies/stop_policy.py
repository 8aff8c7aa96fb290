"""Stop policies (LOOP-6 .. LOOP-8, RISK-3): each answers one question about the run.

Policies read the run only through :class:`spec.loop.RunContext`, so they cannot change
what they judge. :data:`ALWAYS` holds the stops no run may ignore; the controller puts
them before the caller's policy.
"""

from __future__ import annotations

from spec.loop import RunContext, StopPolicy
from spec.records import StopKind, StopReason


class MaxExecutions:
    """Stop once the route has been called ``limit`` times (at most ``limit`` calls)."""

    __slots__ = ("limit",)

    def __init__(self, limit: int) -> None:
        self.limit = _count("MaxExecutions", limit, minimum=0)

    def should_stop(self, run: RunContext, /) -> StopReason | None:
        if run.executions >= self.limit:
            return StopReason(StopKind.MAX_EXECUTIONS, f"the route was called {run.executions} time(s), limit {self.limit}")
        return None


class MaxConsecutiveFailures:
    """Stop once ``limit`` orders in a row have ended FAILED."""

    __slots__ = ("limit",)

    def __init__(self, limit: int) -> None:
        self.limit = _count("MaxConsecutiveFailures", limit, minimum=1)

    def should_stop(self, run: RunContext, /) -> StopReason | None:
        if run.consecutive_failures >= self.limit:
            return StopReason(
                StopKind.MAX_CONSECUTIVE_FAILURES,
                f"{run.consecutive_failures} order(s) in a row ended FAILED, limit {self.limit}",
            )
        return None


class SourceExhausted:
    """Stop when the intent source has nothing more (LOOP-8)."""

    __slots__ = ()

    def should_stop(self, run: RunContext, /) -> StopReason | None:
        if run.source_exhausted:
            return StopReason(StopKind.SOURCE_EXHAUSTED, "the intent source is exhausted")
        return None


class StopRequested:
    """Stop when someone called ``request_stop()`` (LOOP-7)."""

    __slots__ = ()

    def should_stop(self, run: RunContext, /) -> StopReason | None:
        if run.stop_requested:
            return StopReason(StopKind.STOP_REQUESTED, "a stop was requested")
        return None


class GateHalt:
    """Stop when ``after_response`` refused an order (RISK-3)."""

    __slots__ = ()

    def should_stop(self, run: RunContext, /) -> StopReason | None:
        if run.gate_halted:
            order = run.last_order
            about = f" for intent {order.intent.intent_id!r}" if order is not None else ""
            return StopReason(StopKind.GATE_HALT, f"after_response refused{about}")
        return None


class AnyOf:
    """Stop as soon as any of ``policies`` says so; the first one to answer names why."""

    __slots__ = ("policies",)

    def __init__(self, *policies: StopPolicy) -> None:
        self.policies = policies

    def should_stop(self, run: RunContext, /) -> StopReason | None:
        for policy in self.policies:
            reason = policy.should_stop(run)
            if reason is not None:
                return reason
        return None


ALWAYS = AnyOf(GateHalt(), StopRequested(), SourceExhausted())
"""The stops every run obeys, whatever policy it was given."""


def _count(owner: str, value: object, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{owner} limit must be an int >= {minimum}, got {value!r}")
    return value
