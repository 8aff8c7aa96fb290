"""A failed check as a value: the clauses it breaks, what the specification expected,
what the judge observed, and the scenario that showed it.

A check raises :class:`ClauseViolated`; the verdict (conformance_tests.report) reads the
violation off the exception object, so no renderer has to read a clause or an example
back out of text. Judge-side only: the host never raises one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from spec.clauses import CLAUSES
from spec.extension import Breach


@dataclass(frozen=True)
class Violation:
    """One failure of a conformance test, whole: every line of what was observed."""

    clauses: tuple[str, ...]
    """The clauses the failure breaks, first the one the check stands for."""
    expected: str
    observed: str
    scenario: str | None = None
    """The arguments of the test's final failing call (hypothesis' minimal example), or
    None for a test that draws nothing."""

    @property
    def message(self) -> str:
        """The failure in words, as a person reads it: clause, what happened, what was due."""
        text = f"{'/'.join(self.clauses)}: {self.observed}\nexpected: {self.expected}"
        return text if self.scenario is None else f"{text}\nminimal example: {self.scenario}"


class ClauseViolated(AssertionError):
    """A conformance check failed. An AssertionError, so hypothesis shrinks it like any
    failed assertion and re-raises the smallest example's."""

    def __init__(self, clause: str, *more: str, observed: str, expected: str | None = None) -> None:
        """``expected`` defaults to the clause's title (spec.clauses), for checks whose
        expectation is the clause itself."""
        self.violation = Violation((clause, *more), expected if expected is not None else CLAUSES[clause].title, observed)
        super().__init__(self.violation.message)


def refuse_breaches(breaches: Iterable[Breach]) -> None:
    """Raise the breaches spec's own checks found (each names its clause as data), one
    line each, under every clause they name."""
    found = list(breaches)
    if found:
        clauses = tuple(dict.fromkeys(b.clause for b in found))
        raise ClauseViolated(*clauses, observed="\n".join(map(str, found)))
