"""A failed check as a value: the clauses it breaks, what the specification expected,
what the judge observed, and the scenario that showed it.

A check raises :class:`ClauseViolated`; the verdict (conformance_tests.report) reads the
violation off the exception object, so no renderer has to read a clause or an example
back out of text. Judge-side only: the host never raises one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import cast

from spec.clauses import CLAUSES
from spec.extension import Breach


@dataclass(frozen=True)
class Cause:
    """Where the failing call's run first departed from the oracle's expected run, and
    the clause that decides what was due there (conformance_tests.divergence)."""

    clause: str
    where: str
    """``order #N ('id')`` or ``the run's end``."""
    expected: str
    observed: str
    steps: int | None
    """How many intents that run's scenario has: the size of the example (None: no
    run's order or end was compared, e.g. a call that did not return)."""
    due_path: tuple[str, ...] = ()
    """The states (values) the order at ``where`` was due to pass through; empty where
    the run's end departed."""
    taken_path: tuple[str, ...] = ()
    """The states the order's record shows it took (empty: no record)."""
    builds_on: str | None = None
    """The clause ``clause`` builds on there, or None: RISK-4 decides that an exception or
    a non-bool answer refuses, RISK-1, -2 or -3 what the refusal does."""

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Cause:
        steps, due, taken, builds_on = data["steps"], data.get("due_path", ()), data.get("taken_path", ()), data.get("builds_on")
        return cls(str(data["clause"]), str(data["where"]), str(data["expected"]), str(data["observed"]),
                   steps if isinstance(steps, int) else None,
                   tuple(map(str, due)) if isinstance(due, (list, tuple)) else (),  # pyright: ignore[reportUnknownArgumentType]
                   tuple(map(str, taken)) if isinstance(taken, (list, tuple)) else (),  # pyright: ignore[reportUnknownArgumentType]
                   None if builds_on is None else str(builds_on))


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
    replay: str | None = None
    """The token that runs exactly that call again (``qts-conformance --replay``), or None."""
    cause: Cause | None = None
    """Where that call's run first departed from the specification, or None: no run, or
    the run agreed with the oracle and the check found something else."""

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Violation:
        """As ``dataclasses.asdict`` left it, e.g. after pytest-xdist's channel."""
        clauses, scenario, replay, cause = data["clauses"], data.get("scenario"), data.get("replay"), data.get("cause")
        return cls(tuple(map(str, clauses)) if isinstance(clauses, (list, tuple)) else (), str(data["expected"]),  # pyright: ignore[reportUnknownArgumentType]
                   str(data["observed"]), None if scenario is None else str(scenario), None if replay is None else str(replay),
                   Cause.from_dict(cast("dict[str, object]", cause)) if isinstance(cause, dict) else None)

    @property
    def message(self) -> str:
        """The failure in words, as a person reads it: clause, what happened, what was due."""
        text = f"{'/'.join(self.clauses)}: {self.observed}\nexpected: {self.expected}"
        return text if self.scenario is None else f"{text}\nminimal example: {self.scenario}"


PROPERTY = "qts_violation"
"""The user property that carries a failed conformance test's violation as a dict to
the verdict: it crosses pytest-xdist's channel like the test's clauses."""


class ClauseViolated(AssertionError):
    """A conformance check failed. An AssertionError, so hypothesis shrinks it like any
    failed assertion and re-raises the smallest example's."""

    def __init__(self, clause: str, *more: str, observed: str, expected: str | None = None, cause: Cause | None = None) -> None:
        """``expected`` defaults to the clause's title (spec.clauses), for checks whose
        expectation is the clause itself; ``cause``: where the run the check compared
        departed first (else the verdict works it out from the call's last run)."""
        self.violation = Violation((clause, *more), expected if expected is not None else CLAUSES[clause].title, observed,
                                   cause=cause)
        super().__init__(self.violation.message)


def refuse_breaches(breaches: Iterable[Breach]) -> None:
    """Raise the breaches spec's own checks found (each names its clause as data), one
    line each, under every clause they name (on each line when there are several)."""
    found = list(breaches)
    if found:
        clauses = tuple(dict.fromkeys(b.clause for b in found))
        raise ClauseViolated(*clauses, observed="\n".join(b.message if len(clauses) == 1 else str(b) for b in found))


NOT_A_CHECK = "the test's checks run to their end: the implementation gave it something the specification rules out"
"""What was expected of a test that failed without a check saying why."""


def first_failure(error: BaseException) -> BaseException:
    """Of several failures hypothesis found (an exception group), the first check's."""
    if isinstance(error, BaseExceptionGroup):
        leaves = _leaves(cast("BaseExceptionGroup[BaseException]", error))
        return next((leaf for leaf in leaves if isinstance(leaf, ClauseViolated)), leaves[0])
    return error


def violation_of(error: BaseException, clauses: tuple[str, ...], scenario: str | None) -> Violation:
    """The violation a failed check raised; any other exception (a plain ``assert``, an
    AttributeError on what the implementation returned, a budget or a host that ended)
    breaks the clauses its test proves, and is observed as its type and whole message."""
    if isinstance(error, ClauseViolated):
        return replace(error.violation, scenario=scenario)
    return Violation(clauses, NOT_A_CHECK, f"{type(error).__name__}: {error}".removesuffix(": "), scenario)


def _leaves(group: BaseExceptionGroup[BaseException]) -> list[BaseException]:
    return [leaf for error in group.exceptions
            for leaf in (_leaves(cast("BaseExceptionGroup[BaseException]", error)) if isinstance(error, BaseExceptionGroup) else [error])]
