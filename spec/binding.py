"""How an implementation presents itself to the conformance suite.

An implementation module exposes one attribute, conventionally ``QTS_IMPLEMENTATION``,
annotated with :class:`Implementation` so that a type checker rejects a binding of the
wrong shape before the suite ever runs::

    QTS_IMPLEMENTATION: Implementation[MyOrderState] = MyImplementation()

Two parts are optional, because a Phase 4 binding has nothing to put there:
``venue_errors`` (:class:`DeclaresVenueErrors`) and ``make_production_gate``
(:class:`HasProductionGate`). A binding that has them is run with them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from spec.loop import ExecutionLoop, StopPolicy
from spec.outcomes import Outcome
from spec.resting import R_co, RestingBinding
from spec.risk import RiskGate, S_contra
from spec.route import ExecutionRoute
from spec.state_machine import S, StateModel

BINDING_ATTRIBUTE = "QTS_IMPLEMENTATION"


class Implementation(Protocol[S, R_co]):
    """An implementation as the suite sees it: its order states (``S``), loop and no-op
    gate, the answers its route gives, and its resting orders (``R``), if any."""

    @property
    def name(self) -> str:
        """A short human name, printed in the conformance report."""
        ...

    @property
    def machine(self) -> StateModel[S]:
        """The order states and THE transition table this implementation uses."""
        ...

    @property
    def outcomes(self) -> Sequence[Outcome]:
        """Every kind of answer the implementation's route gives beyond a plain
        accepted/rejected :class:`~spec.values.ExecutionResponse` (Phase 4: none).

        The suite's route gives these answers in generated runs (LOOP-10), so each
        path an extension declares is exercised through the loop.
        """
        ...

    @property
    def resting(self) -> RestingBinding[R_co] | None:
        """How the implementation keeps orders that rest at the venue after acceptance
        (RESTING-1 .. RESTING-7), or None if it keeps none."""
        ...

    def make_loop(
        self, route: ExecutionRoute, gate: RiskGate[S], stop_policy: StopPolicy, /
    ) -> ExecutionLoop[S]:
        """A fresh loop over ``route``, consulting ``gate`` and ``stop_policy``."""
        ...

    def make_noop_gate(self) -> RiskGate[S]:
        """The implementation's no-op gate (seed 2.3: the only gate Phase 4 ships)."""
        ...

    def make_stop_policy(self, max_executions: int | None, max_consecutive_failures: int | None, /) -> StopPolicy:
        """The implementation's own standard stop policy for these limits (LOOP-15).

        It stops once the route was called ``max_executions`` times (StopKind
        MAX_EXECUTIONS) or once ``max_consecutive_failures`` orders in a row ended
        FAILED (MAX_CONSECUTIVE_FAILURES), the first when both are reached; ``None``
        is no such limit. The suite runs the loop with it, so a Phase 5 team's
        off-by-one in its own policies fails a clause instead of reaching production.
        """
        ...


class DeclaresVenueErrors(Protocol):
    """Optional part of a binding: the exception types its venue client raises.

    The suite's route raises them as well as builtin ``OSError``, ``TimeoutError``,
    ``ConnectionError`` and the rest, before the order left and after (LOOP-2, LOOP-4),
    so a wrapper that retries on the team's own ``VenueTimeout`` is caught like one that
    retries on ``TimeoutError``. Each type is raised as ``kind(message)``.
    """

    @property
    def venue_errors(self) -> Sequence[type[Exception]]: ...


class HasProductionGate(Protocol[S_contra]):
    """Optional part of a binding: the gate it runs in production (seed 5: risk
    calculations are added behind the unchanged interface).

    The suite runs the loop clauses with this gate in place, observed through a
    transparent spy, and injects faults inside its call tree: its answer for that
    intent must then not be ``True`` (RISK-4: a gate fails closed).
    """

    def make_production_gate(self) -> RiskGate[S_contra]:
        """A fresh production gate, in its starting state (no positions, no history)."""
        ...
