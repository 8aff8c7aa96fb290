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
   after it follows from it;
3. otherwise the clause the most failed clauses trace back to (a departure decided by a
   clause that builds on another, which failed on its own account, traces back to that
   other one).

Ties go to the smallest example, then to the specification's order.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from spec.clauses import CLAUSES

from conformance_tests.report import ClauseResult, Status
from conformance_tests.violation import Cause

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
    failures = {r.id: [v for t in r.tests if (v := t.violation) is not None and (r.id in v.clauses or not v.clauses)]
                for r in results if r.status is Status.FAIL}
    """Each failed clause's failures (not those of a test of several clauses that failed
    on another one's check)."""
    if not failures:
        return None
    own = {clause for clause, found in failures.items()
           if not found or any(v.cause is None or v.cause.clause == clause for v in found)}
    """The failed clauses with a failure of their own: a check of theirs, or a run that
    departed where they decide."""
    traced_to: dict[str, set[str]] = {}
    """Each failed clause's roots: the clauses its failures trace back to."""
    steps: dict[str, int] = {}
    for clause, found in failures.items():
        roots = traced_to[clause] = set() if found else {clause}
        for violation in found:
            cause = violation.cause
            root = clause if cause is None else _root(cause, own, failures.keys(), clause)
            roots.add(root)
            if cause is not None and cause.steps is not None:
                steps[root] = min(steps.get(root, cause.steps), cause.steps)
    votes: dict[str, int] = {}
    for roots in traced_to.values():
        for root in roots:
            votes[root] = votes.get(root, 0) + 1
    order = list(CLAUSES)

    def rank(clause: str) -> tuple[int, int, int, int]:
        tier = 0 if clause in FOUNDATIONS else 1 if clause in REFUSED_ATTEMPTS else 2
        return tier, -votes[clause], steps.get(clause, 1 << 30), order.index(clause) if clause in order else len(order)

    first = min(votes, key=rank)
    consequences = tuple(c for c in order if c in traced_to and c != first and traced_to[c] == {first})
    return StartHere(first, steps.get(first), consequences)


def _root(cause: Cause, own: set[str], failed: Collection[str], clause: str) -> str:
    """The clause a departure traces back to: the one that decided what was due, or the
    one it builds on when that one failed on its own account (a gate that ignores every
    ``after_response`` refusal also ignores the exceptions RISK-4 makes refusals: RISK-3
    is where to start); the failed ``clause`` itself when the deciding one did not fail
    (a partial run, or a check of its own that the run did not reach)."""
    if cause.builds_on is not None and cause.builds_on in own:
        return cause.builds_on
    return cause.clause if cause.clause in failed else clause
