"""Declared outcomes: the answers a Phase 5 route can give beyond plain accept/reject.

The conformance suite cannot guess what a team's venue answers (a partial fill, an
expiry), so the binding declares each kind of answer as an :class:`Outcome`; the
suite's route then gives those answers in generated runs, and the loop must take each
order along the path its state model declares (STATE-8, LOOP-10).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from spec.values import ExecutionIntent, ExecutionResponse


@dataclass(frozen=True, slots=True)
class Outcome:
    """One kind of answer, made for whichever intent is routed.

    ``respond`` builds the response for the intent (it must answer for that intent's
    id); ``name`` is how the verdict and counterexamples refer to it.
    """

    name: str
    respond: Callable[[ExecutionIntent], ExecutionResponse]

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():  # pyright: ignore[reportUnnecessaryIsInstance]
            raise ValueError(f"Outcome name must be a non-empty string, got {self.name!r}")
        if not callable(self.respond):
            raise TypeError(f"Outcome {self.name!r}: respond must be callable (intent) -> ExecutionResponse")
