"""Turning pytest results into a clause-by-clause verdict (table and JSON)."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from enum import StrEnum

import pytest

from spec.clauses import CLAUSES


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    SKIP = "skip"
    UNTESTED = "untested"


@dataclass
class TestResult:
    nodeid: str
    outcome: str
    message: str = ""


@dataclass
class ClauseResult:
    id: str
    title: str
    status: Status
    tests: list[TestResult] = field(default_factory=list[TestResult])

    @property
    def counterexample(self) -> str:
        return next((t.message for t in self.tests if t.outcome == "failed"), "")


class ClauseCollector:
    """A pytest plugin object: remembers each test's clauses and its outcome."""

    def __init__(self) -> None:
        self.clauses_of: dict[str, tuple[str, ...]] = {}
        self.results: dict[str, TestResult] = {}

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            self.clauses_of[item.nodeid] = tuple(
                cid for marker in item.iter_markers("clause") for cid in marker.args
            )

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.failed:
            self.results[report.nodeid] = TestResult(report.nodeid, "failed", summarise_failure(report.longreprtext))
        elif report.skipped and report.nodeid not in self.results:
            self.results[report.nodeid] = TestResult(report.nodeid, "skipped")
        elif report.when == "call" and report.passed:
            self.results.setdefault(report.nodeid, TestResult(report.nodeid, "passed"))

    def verdict(self) -> list[ClauseResult]:
        by_clause = {cid: ClauseResult(cid, clause.title, Status.UNTESTED) for cid, clause in CLAUSES.items()}
        for nodeid, clause_ids in self.clauses_of.items():
            result = self.results.get(nodeid)
            if result is None:
                continue
            for cid in clause_ids:
                by_clause[cid].tests.append(result)
        for clause in by_clause.values():
            outcomes = {t.outcome for t in clause.tests}
            if "failed" in outcomes:
                clause.status = Status.FAIL
            elif "passed" in outcomes:
                clause.status = Status.PASS
            elif outcomes:
                clause.status = Status.SKIP
        return list(by_clause.values())


_CLAUSE_LINE = re.compile(r"^E\s+(?:AssertionError: )?(?P<text>[A-Z]+-\d+\b.*)$")
_FALSIFYING = re.compile(r"^(?:E\s+)?Falsifying (?:example|explicit example): (?P<text>.*)$")


def summarise_failure(text: str) -> str:
    """The clause-tagged assertion line and hypothesis' minimal example, if present."""
    lines = text.splitlines()
    message = next((m.group("text") for line in lines if (m := _CLAUSE_LINE.match(line))), "")
    if not message:
        message = next((line.lstrip("E ").strip() for line in lines if line.startswith("E ")), "")
    example: list[str] = []
    for index, line in enumerate(lines):
        found = _FALSIFYING.match(line)
        if found:
            example = [found.group("text")]
            for follow in lines[index + 1 :]:
                stripped = follow[1:].strip() if follow.startswith("E") else follow.strip()
                if not stripped:
                    break
                example.append(stripped)
                if stripped == ")":
                    break
            break
    if example:
        message = f"{message}\n    minimal example: {' '.join(example)}"
    return message


def render_table(results: list[ClauseResult]) -> str:
    width = max(len(r.title) for r in results)
    rows = [f"{'clause':<11} {'title':<{width}}  result"]
    rows.append("-" * len(rows[0]))
    for r in results:
        passed = sum(t.outcome == "passed" for t in r.tests)
        rows.append(f"{r.id:<11} {r.title:<{width}}  {r.status.value.upper():<8} ({passed}/{len(r.tests)} tests)")
        if r.status is Status.FAIL:
            for line in r.counterexample.splitlines():
                rows.append(f"{'':<11}   -> {line.strip()}")
    return "\n".join(rows)


def to_json(results: list[ClauseResult], **header: object) -> str:
    return json.dumps(
        {
            **header,
            "passed": all(r.status is Status.PASS for r in results),
            "clauses": [
                {**asdict(r), "status": r.status.value, "counterexample": r.counterexample} for r in results
            ],
        },
        indent=2,
    )
