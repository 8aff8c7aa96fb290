"""The Phase 3 Execution Route, as Phase 4 sees it: something to call, never to change."""

from __future__ import annotations

from typing import Protocol

from spec.values import ExecutionIntent, ExecutionResponse


class ExecutionRoute(Protocol):
    """Sends one intent to the venue and returns its answer.

    The loop calls it at most once per intent (LOOP-2). Whatever it does wrong, raising
    or answering with something other than an :class:`ExecutionResponse` for that
    intent, ends the order FAILED rather than the run (LOOP-4).
    """

    def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse: ...
