"""An in-memory Execution Route for tests and demos: scripted, recording, offline.

It stands in for the Phase 3 route, which Phase 4 may call but never change; it sends
nothing anywhere (ROUTE-1).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from spec.values import ExecutionIntent, ExecutionResponse


class Outcome(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    RAISE = "raise"


class SimulatedVenueError(RuntimeError):
    """What the simulated route raises for :attr:`Outcome.RAISE`."""


class SimulatedRoute:
    """Answers each intent by ``script[intent_id]`` (``default`` otherwise) and records
    every intent it was asked to execute, in order, in :attr:`calls`."""

    def __init__(self, script: Mapping[str, Outcome] | None = None, *, default: Outcome = Outcome.ACCEPT) -> None:
        self.script = dict(script or {})
        self.default = default
        self.calls: list[ExecutionIntent] = []

    def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
        self.calls.append(intent)
        outcome = self.script.get(intent.intent_id, self.default)
        if outcome is Outcome.RAISE:
            raise SimulatedVenueError(f"simulated venue failure for {intent.intent_id!r}")
        accepted = outcome is Outcome.ACCEPT
        return ExecutionResponse(
            intent_id=intent.intent_id,
            accepted=accepted,
            reason=None if accepted else "simulated rejection",
            venue_order_id=f"sim-{len(self.calls)}" if accepted else None,
        )
