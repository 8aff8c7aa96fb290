"""Clause identifiers of the specification, with their titles.

``docs/specification.md`` states each clause in full under the same ID and title; the
conformance tests name the clauses they prove with ``@pytest.mark.qts_clause("ID")``. A
check in the kit's own tests fails when the three drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final


@dataclass(frozen=True, slots=True)
class Clause:
    id: str
    title: str


def _index(*clauses: Clause) -> Mapping[str, Clause]:
    return MappingProxyType({clause.id: clause for clause in clauses})


CLAUSES: Final[Mapping[str, Clause]] = _index(
    Clause("STATE-1", "Phase 4 states are present with their values"),
    Clause("STATE-2", "CREATED is initial; ACCEPTED, REJECTED, BLOCKED, FAILED are terminal"),
    Clause("STATE-3", "Terminal states are absorbing"),
    Clause("STATE-4", "One closed transition table; every other pair raises InvalidTransition"),
    Clause("STATE-5", "The Phase 4 transitions are present and unchanged"),
    Clause("STATE-6", "Every non-terminal state leads to a terminal state"),
    Clause("STATE-7", "Every non-terminal state can be failed"),
    Clause("STATE-8", "Every answer's events lead from SUBMITTED to a terminal state"),
    Clause("STATE-9", "Every declared row can be taken: no dead specification"),
    Clause("TERMINAL-1", "Every order the loop creates ends in a terminal state, exactly once"),
    Clause("RISK-1", "before_intent refusing blocks the order; nothing else is asked"),
    Clause("RISK-2", "before_route refusing blocks the order; the route is not called"),
    Clause("RISK-3", "after_response refusing keeps the venue's answer and halts the run"),
    Clause("RISK-4", "A gate fails closed: only True allows, and faults are recorded"),
    Clause("RISK-5", "Hooks run in order, each at most once per intent"),
    Clause("RISK-6", "The no-op gate is observationally identical to no gate"),
    Clause("RISK-7", "The gate interface is unchanged: three hooks, Phase 4 arguments, bool results"),
    Clause("LOOP-1", "The loop is synchronous: no thread, no event loop, no timer"),
    Clause("LOOP-2", "The route is called at most once per intent, with the intent as pulled"),
    Clause("LOOP-3", "Every intent pulled is in the report once, in order, with its history"),
    Clause("LOOP-4", "A route failure ends that order FAILED and the run goes on"),
    Clause("LOOP-5", "An interrupted run still settles the order in flight"),
    Clause("LOOP-6", "The stop policy is consulted before every pull and obeyed"),
    Clause("LOOP-7", "A stop request ends the run before the next pull"),
    Clause("LOOP-8", "An exhausted source ends the run"),
    Clause("LOOP-9", "The loop's public interface is unchanged"),
    Clause("LOOP-10", "The route's answer moves the order along the path its state model declares"),
    Clause("LOOP-11", "Re-entering run() is refused and changes nothing of the run in progress"),
    Clause("LOOP-12", "An asynchronous interrupt anywhere in a run loses no pulled intent and routes none twice"),
    Clause("LOOP-13", "A stop-policy answer other than a StopReason or None stops the run"),
    Clause("LOOP-14", "A report is final: last_report changes only when a run ends"),
    Clause("LOOP-15", "The implementation's standard stop policies stop exactly at their limits"),
    Clause("RESTING-1", "Only an accepted order with a venue order id starts resting, once, with what its answer filled"),
    Clause("RESTING-2", "A venue event changes exactly the resting order its venue order id names"),
    Clause("RESTING-3", "Filled only grows, never past the order's quantity, and an order with nothing left is closed"),
    Clause("RESTING-4", "Every resting order reaches a terminal state in a bounded number of events"),
    Clause("RESTING-5", "Every fill is booked exactly once: a late fill is booked, a resent report changes nothing"),
    Clause("RESTING-6", "A rejected request returns the order to where it was; an amend keeps filled below its quantity"),
    Clause("RESTING-7", "An answer never fills more than the order's quantity"),
    Clause("ROUTE-1", "No real-order path: the loop opens no network connection"),
)
