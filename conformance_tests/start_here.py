"""The verdict's "start here": of the clauses a run failed, the one to fix first, and
the clauses that failed only as its consequences.

One defect fails several clauses. Each failure of a run carries its cause
(conformance_tests.divergence: the clause the oracle says decided the first point where
the run departed from the specification), so the failures group by the clause they
trace back to. The clause to start with is chosen in three tiers:

1. a failure of the binding's foundations, which every run uses: its state model and
   its interfaces (:data:`FOUNDATIONS`);
2. what the judge saw the implementation attempt and refused (:data:`REFUSED_ATTEMPTS`):
   a refused connection or thread raises inside the implementation, so what went wrong
   after it follows from it (and such a check's own failure is its own root, whatever
   its run did next);
3. otherwise the clause the most failed clauses trace back to.

Ties go to the smallest example, then to the specification's order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from spec.clauses import CLAUSES

from conformance_tests.report import ClauseResult, Status

FOUNDATIONS = frozenset({*(f"STATE-{n}" for n in range(1, 10)), "LOOP-9", "RISK-7"})
"""Clauses checked on the binding's state model and interfaces, before any run."""
REFUSED_ATTEMPTS = frozenset({"ROUTE-1", "LOOP-1"})
"""Clauses the judge's guards enforce by refusing the attempt (network, threads, timers)."""


@dataclass(frozen=True)
class StartHere:
    clause: str
    steps: int | None
    """The fewest intents of a failing run that traces back to it (None: no run showed
    it, e.g. a check of the state model)."""
    consequences: tuple[str, ...]
    """The other failed clauses whose every failure traces back to it."""

    @property
    def headline(self) -> str:
        example = "" if self.steps is None else f" (smallest example: {self.steps} step{'s' if self.steps != 1 else ''})"
        then = f"; failed as its consequences: {', '.join(self.consequences)}" if self.consequences else ""
        return f"start here: {self.clause}{example}{then}"


def start_here(results: Sequence[ClauseResult]) -> StartHere | None:
    """The clause to fix first among ``results``' failures, or None if none failed."""
    traced_to: dict[str, set[str]] = {}
    """Each failed clause's roots: the clauses its failures trace back to."""
    steps: dict[str, int] = {}
    for result in results:
        if result.status is not Status.FAIL:
            continue
        roots = traced_to.setdefault(result.id, set())
        for test in result.tests:
            violation = test.violation
            if violation is None or (result.id not in violation.clauses and violation.clauses):
                continue  # a test of several clauses that failed on another one's check
            cause = violation.cause
            # A refused attempt is its own root: its run departed because it was refused.
            own = cause is None or (result.id in REFUSED_ATTEMPTS and result.id in violation.clauses)
            root = result.id if own or cause is None else cause.clause
            roots.add(root)
            if cause is not None:
                steps[root] = min(steps.get(root, cause.steps), cause.steps)
        if not roots:
            roots.add(result.id)
    if not traced_to:
        return None
    votes: dict[str, int] = {}
    for roots in traced_to.values():
        for root in roots:
            votes[root] = votes.get(root, 0) + 1
    order = list(CLAUSES)

    def rank(clause: str) -> tuple[int, int, int, int]:
        tier = 0 if clause in FOUNDATIONS and clause in traced_to else 1 if clause in REFUSED_ATTEMPTS and clause in traced_to else 2
        return tier, -votes[clause], steps.get(clause, 1 << 30), order.index(clause) if clause in order else len(order)

    first = min(votes, key=rank)
    consequences = tuple(c for c in order if c in traced_to and c != first and traced_to[c] == {first})
    return StartHere(first, steps.get(first), consequences)
