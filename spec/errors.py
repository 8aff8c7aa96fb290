"""Error types of the contract.

Every error names what was wrong and the clause it breaks, so that a failure in a
downstream implementation points straight at the paragraph of ``docs/specification.md``
to read.
"""

from __future__ import annotations

from enum import StrEnum


class SpecError(Exception):
    """Base of every error the kit raises on purpose."""


class InvalidIntent(SpecError, ValueError):
    """An :class:`~spec.values.ExecutionIntent` was built from a bad value, or an intent
    source yielded something that is not an intent (LOOP-3)."""


class InvalidResponse(SpecError, ValueError):
    """An :class:`~spec.values.ExecutionResponse` was built from a bad value."""


class LoopReentered(SpecError, RuntimeError):
    """``run()`` was called on a loop whose run is still in progress (LOOP-11).

    Raised before anything is pulled or changed: a nested run would reset the counts,
    use up a stop request and route intents the outer run routes too.
    """

    def __init__(self) -> None:
        super().__init__(
            "ExecutionLoop.run() was called while this loop's run is in progress (LOOP-11); "
            "refused before pulling or changing anything. Start the next run after this one "
            "returns, or use another loop"
        )


class InvalidTransition(SpecError, LookupError):
    """The transition table has no row for ``(state, event)`` (STATE-4).

    Raised instead of guessing a state: the table is the single source of truth, and a
    pair it lacks is a bug in the caller, never something to paper over.
    """

    def __init__(self, state: StrEnum | str, event: StrEnum | str, *, terminal: bool) -> None:
        self.state = state
        self.event = event
        self.clause = "STATE-3" if terminal else "STATE-4"
        why = (
            "terminal states are absorbing"
            if terminal
            else "the pair is not a row of the transition table"
        )
        super().__init__(
            f"no transition from state {_show(state)} on event {_show(event)}: "
            f"{why} ({self.clause})"
        )


class ExtensionError(SpecError, ValueError):
    """A declared Phase 5 extension of the order states breaks a Phase 4 guarantee.

    ``breaches`` lists every problem found, not only the first, so one run tells the
    implementer everything to fix.
    """

    def __init__(self, breaches: tuple[str, ...]) -> None:
        self.breaches = breaches
        listing = "\n".join(f"  - {b}" for b in breaches)
        super().__init__(
            f"the state extension breaks {len(breaches)} Phase 4 guarantee(s):\n{listing}"
        )


class RestingOrderError(SpecError, ValueError):
    """A resting order was opened from the wrong loop order, or a venue event cannot be
    applied to it (RESTING-1 .. RESTING-4); ``clause`` names which rule refused it."""

    def __init__(self, clause: str, message: str) -> None:
        self.clause = clause
        super().__init__(f"{message} ({clause})")


def _show(value: StrEnum | str) -> str:
    if isinstance(value, StrEnum):
        return f"{type(value).__name__}.{value.name}"
    return repr(value)
