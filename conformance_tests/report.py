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
    NOT_APPLICABLE = "n/a"
    """Every test of the clause found nothing to check (e.g. no resting orders)."""

    @property
    def holds(self) -> bool:
        """Whether the clause counts as kept in the verdict."""
        return self in (Status.PASS, Status.NOT_APPLICABLE)


NOT_APPLICABLE = "not applicable"
"""How a conformance test's skip reason starts when its clause does not apply."""


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
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
            applies = not reason.removeprefix("Skipped: ").startswith(NOT_APPLICABLE)
            self.results[report.nodeid] = TestResult(
                report.nodeid, "skipped" if applies else "not-applicable", reason.removeprefix("Skipped: ")
            )
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
            elif outcomes == {"not-applicable"}:
                clause.status = Status.NOT_APPLICABLE
            elif outcomes:
                clause.status = Status.SKIP
        return list(by_clause.values())


_PREFIX = re.compile(r"^(?:E\s+)?(?:\s*\|\s?)*")
_CLAUSE_LINE = re.compile(r"^(?:E\s+)?(?:\w+Error: )?(?P<text>[A-Z]+-\d+\b.*)$")
_EXAMPLE_START = re.compile(r"^(?:Falsifying example|Falsifying explicit example|Failing test case): ")
_DEFAULTS = re.compile(
    r"\s*#[^\n]*|\b(?:before_intent|before_route|after_response)=GateAct\.ALLOW,?"
    r"|\broute=RouteAct\.ACCEPT,?|\brequest_stop=False,?|\boutcome=0,?|\bintent_id="
    r"|\bmax_executions=None,?|\bmax_consecutive_failures=None,?|,?\s*policy=Policy\(\s*\)"
)


def summarise_failure(text: str) -> str:
    """The clause-tagged assertion line and hypothesis' minimal scenario, if present."""
    lines = [_PREFIX.sub("", line) for line in text.splitlines()]
    message = next((m.group("text") for line in lines if (m := _CLAUSE_LINE.match(line.strip()))), "")
    if not message:
        message = next((line.strip() for line in text.splitlines() if line.startswith("E ")), "")
    example = _minimal_scenario(lines)
    return f"{message}\n    minimal example: {example}" if example else message


def _minimal_scenario(lines: list[str]) -> str:
    """The ``scenario=...`` argument of hypothesis' failing call, defaults left out."""
    start = next((i for i, line in enumerate(lines) if _EXAMPLE_START.match(line.strip())), None)
    if start is None:
        return ""
    indent = len(lines[start]) - len(lines[start].lstrip())
    call: list[str] = []
    for line in lines[start + 1 :]:
        if line.strip() == ")" and len(line) - len(line.lstrip()) <= indent:
            break
        call.append(line)
    joined = "\n".join(call)
    at = joined.find("scenario=")
    if at < 0:
        return ""
    compact = " ".join(_DEFAULTS.sub("", joined[at:]).split())
    return re.sub(r",\s*\)", ")", re.sub(r"\(\s+", "(", compact)).rstrip(",")


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
        elif r.status is Status.NOT_APPLICABLE and r.tests:
            rows.append(f"{'':<11}   -> {r.tests[0].message}")
    return "\n".join(rows)


def to_json(results: list[ClauseResult], **header: object) -> str:
    return json.dumps(
        {
            **header,
            "passed": all(r.status.holds for r in results),
            "clauses": [
                {**asdict(r), "status": r.status.value, "counterexample": r.counterexample} for r in results
            ],
        },
        indent=2,
    )
