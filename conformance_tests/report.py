"""Turning the reports of the tests into a clause-by-clause result: each failure's
violation as the test raised it (conformance_tests.violation), blamed on its clauses."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, cast

from spec.clauses import CLAUSES

from conformance_tests.violation import NOT_A_CHECK, PROPERTY, Violation

if TYPE_CHECKING:  # the verdict's parent process never needs pytest itself
    import pytest


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    SKIP = "skip"
    UNTESTED = "untested"
    NOT_APPLICABLE = "n/a"
    """Every test of the clause found nothing to check (e.g. no resting orders)."""
    KNOWN = "known"
    """Failed, as the team's known-failures file says it does (conformance_tests.known_failures):
    never counted as passed."""

    @property
    def holds(self) -> bool:
        """Whether the clause counts as kept in the verdict."""
        return self in (Status.PASS, Status.NOT_APPLICABLE)


GUARDS = "qts_guards"
"""The user property that carries what the guards refused during a test's call in the
plugin's own process (network, concurrency), as plain lists: ROUTE-1 and LOOP-1 findings."""

NOT_APPLICABLE = "not applicable"
"""How a conformance test's skip reason starts when its clause does not apply."""


@dataclass
class TestResult:
    nodeid: str
    outcome: str
    violation: Violation | None = None
    """Why a failed test failed (conformance_tests.violation)."""
    reason: str = ""
    """Why a skipped or not-applicable test did not check anything."""
    seconds: float = 0.0
    """Its setup, call and teardown together."""


@dataclass
class ClauseResult:
    id: str
    title: str
    status: Status
    tests: list[TestResult] = field(default_factory=list[TestResult])

    @property
    def violation(self) -> Violation | None:
        """The first failure that names this clause; else the first failure. A test that
        proves several clauses may fail on another one's check first."""
        failures = [t.violation for t in self.tests if t.violation is not None]
        return next((v for v in failures if self.id in v.clauses), failures[0] if failures else None)

    @property
    def seconds(self) -> float:
        return sum(t.seconds for t in self.tests)


class ClauseCollector:
    """Builds the verdict from the reports of the tests: each test's clauses, each
    phase's outcome and time, the violation a failure carried (violation.PROPERTY), and
    what the judge saw the implementation attempt during it."""

    def __init__(self) -> None:
        self.clauses_of: dict[str, tuple[str, ...]] = {}
        self.results: dict[str, TestResult] = {}
        self.findings: dict[str, list[TestResult]] = {}
        """Failures the guards found, by clause, whichever test was running."""
        self.seconds: dict[str, float] = {}

    def add_test(self, nodeid: str, clauses: tuple[str, ...]) -> None:
        self.clauses_of[nodeid] = clauses

    def add_failure(self, nodeid: str, violation: Violation) -> None:
        """A failure overrides whatever an earlier phase of the same test reported."""
        if self.results.get(nodeid, TestResult(nodeid, "")).outcome != "failed":
            self.results[nodeid] = TestResult(nodeid, "failed", violation)

    def add_skip(self, nodeid: str, reason: str) -> None:
        """A not-applicable reason is the suite's own one line: what hypothesis appends to
        a skip from an explicit example (the call, with object addresses) is dropped, so
        the summary reads the same in every run."""
        if nodeid not in self.results:
            applies = not reason.startswith(NOT_APPLICABLE)
            self.results[nodeid] = TestResult(nodeid, "skipped" if applies else "not-applicable",
                                              reason=reason if applies else reason.partition("\n")[0])

    def add_pass(self, nodeid: str) -> None:
        self.results.setdefault(nodeid, TestResult(nodeid, "passed"))

    def add_guard_findings(self, nodeid: str, network: list[str], concurrency: list[str], replaced: list[str]) -> None:
        for clause, attempts, what in (
            ("ROUTE-1", network, "tried to reach the network or start a process"),
            ("LOOP-1", concurrency, "started a thread, process, event loop or timer"),
        ):
            if attempts:
                violation = Violation((clause,), CLAUSES[clause].title,
                                      f"during {nodeid} the implementation {what}:\n" + "\n".join(attempts))
                self.findings.setdefault(clause, []).append(TestResult(f"{nodeid} (guards)", "failed", violation))
        if replaced:
            # Stands over the test's own failure, if any: what the test found was judged
            # by replaced code, and whoever reads the verdict must see the tampering.
            observed = (f"the implementation replaced the suite's own code during this test: {', '.join(replaced)}; "
                        "the verdict of this test cannot be trusted")
            self.results[nodeid] = TestResult(nodeid, "failed", Violation(
                self.clauses_of.get(nodeid, ()), "the suite's code judges the test", observed))

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """As a pytest plugin (the plugin's summary, the teeth): note each test's clauses."""
        for item in items:
            self.add_test(item.nodeid, tuple(cid for marker in item.iter_markers("qts_clause") for cid in marker.args))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        # Under pytest-xdist only the reports reach this process; the plugin tags them.
        violation: Violation | None = None
        for name, value in report.user_properties:
            if name == "qts_clauses" and isinstance(value, str):
                self.clauses_of.setdefault(report.nodeid, tuple(value.split()))
            elif name == PROPERTY and isinstance(value, dict):
                violation = Violation.from_dict(cast("dict[str, object]", value))
            elif name == GUARDS and isinstance(value, dict):
                refused = cast("dict[str, list[str]]", value)
                self.add_guard_findings(report.nodeid, list(refused.get("network", [])), list(refused.get("concurrency", [])), [])
        self.seconds[report.nodeid] = self.seconds.get(report.nodeid, 0.0) + report.duration
        if report.failed:
            self.add_failure(report.nodeid, violation or Violation(
                self.clauses_of.get(report.nodeid, ()), NOT_A_CHECK, report.longreprtext))
        elif report.skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            self.add_skip(report.nodeid, reason.removeprefix("Skipped: "))
        elif report.when == "call":
            self.add_pass(report.nodeid)

    def verdict(self) -> list[ClauseResult]:
        by_clause = {cid: ClauseResult(cid, clause.title, Status.UNTESTED) for cid, clause in CLAUSES.items()}
        for nodeid, clause_ids in self.clauses_of.items():
            result = self.results.get(nodeid)
            if result is None:
                continue
            result.seconds = self.seconds.get(nodeid, 0.0)
            for cid in _blamed(result, clause_ids):
                if cid in by_clause:
                    by_clause[cid].tests.append(result)
        for cid, findings in self.findings.items():
            by_clause[cid].tests[:0] = findings
        for clause in by_clause.values():
            outcomes = {t.outcome for t in clause.tests}
            if "failed" in outcomes:
                clause.status = Status.FAIL
            elif "passed" in outcomes:
                clause.status = Status.PASS
            elif outcomes == {"not-applicable"}:
                clause.status = Status.NOT_APPLICABLE
            elif outcomes:
                clause.status = Status.SKIP
        return list(by_clause.values())


def _blamed(result: TestResult, clause_ids: tuple[str, ...]) -> tuple[str, ...]:
    """The clauses a test's result counts for: a failure that names some of the test's
    clauses counts only for those, so one defect is not reported under a clause it did
    not break; one that names none of them (an unexpected exception) counts for all."""
    named = result.violation.clauses if result.violation is not None else ()
    return tuple(c for c in clause_ids if c in named) or clause_ids
