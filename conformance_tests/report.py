"""Turning pytest results into a clause-by-clause verdict (table and JSON)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from spec.clauses import CLAUSES

if TYPE_CHECKING:  # the verdict's parent process never needs pytest itself
    import pytest


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
        """The first failure that names this clause; else the first failure. A test that
        proves several clauses may fail on another one's assertion first."""
        failures = [t.message for t in self.tests if t.outcome == "failed"]
        return next((m for m in failures if self.id in _named_clauses(m)), failures[0] if failures else "")


class ClauseCollector:
    """Builds the verdict from what the test process reported (conformance_tests.child):
    each test's clauses, each phase's outcome, and what the guards saw during it."""

    def __init__(self) -> None:
        self.clauses_of: dict[str, tuple[str, ...]] = {}
        self.results: dict[str, TestResult] = {}
        self.findings: dict[str, list[TestResult]] = {}
        """Failures the guards found, by clause, whichever test was running."""

    def add_test(self, nodeid: str, clauses: tuple[str, ...]) -> None:
        self.clauses_of[nodeid] = clauses

    def add_report(self, nodeid: str, when: str, outcome: str, text: str) -> None:
        if outcome == "failed":
            self.add_result(nodeid, "failed", self._naming_clause(nodeid, summarise_failure(text)))
        elif outcome == "skipped" and nodeid not in self.results:
            reason = text.removeprefix("Skipped: ")
            applies = not reason.startswith(NOT_APPLICABLE)
            self.results[nodeid] = TestResult(nodeid, "skipped" if applies else "not-applicable", reason)
        elif when == "call" and outcome == "passed":
            self.results.setdefault(nodeid, TestResult(nodeid, "passed"))

    def add_result(self, nodeid: str, outcome: str, message: str) -> None:
        """A failure overrides whatever an earlier phase of the same test reported."""
        if self.results.get(nodeid, TestResult(nodeid, "")).outcome != "failed":
            self.results[nodeid] = TestResult(nodeid, outcome, message)

    def _naming_clause(self, nodeid: str, message: str) -> str:
        """Every failure names its clause: an unexpected exception (``'NoneType' object has
        no attribute 'kind'``) is put under the clauses its test proves."""
        if _NAMES_CLAUSE.match(message):
            return message
        clauses = "/".join(self.clauses_of.get(nodeid, ())) or "suite"
        return (f"{clauses}: the implementation gave the test something the specification rules out, "
                f"and the check failed with {message.removeprefix('E').strip() or 'no message'}")

    def add_guard_findings(self, nodeid: str, network: list[str], concurrency: list[str], replaced: list[str]) -> None:
        for clause, attempts, what in (
            ("ROUTE-1", network, "tried to reach the network or start a process"),
            ("LOOP-1", concurrency, "started a thread, process, event loop or timer"),
        ):
            if attempts:
                message = f"{clause}: during {nodeid} the implementation {what}: {'; '.join(attempts)[:800]}"
                self.findings.setdefault(clause, []).append(TestResult(f"{nodeid} (guards)", "failed", message))
        if replaced:
            # Stands over the test's own failure, if any: what the test found was judged
            # by replaced code, and whoever reads the verdict must see the tampering.
            clauses = "/".join(self.clauses_of.get(nodeid, ())) or "suite"
            self.results[nodeid] = TestResult(
                nodeid, "failed", f"{clauses}: the implementation replaced the suite's own code during this test: "
                f"{', '.join(replaced)[:400]}; the verdict of this test cannot be trusted")

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """As a pytest plugin (the plugin's summary, the teeth): note each test's clauses."""
        for item in items:
            self.add_test(item.nodeid, tuple(cid for marker in item.iter_markers("qts_clause") for cid in marker.args))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        # Under pytest-xdist only the reports reach this process; the plugin tags them.
        for name, value in report.user_properties:
            if name == "qts_clauses" and isinstance(value, str):
                self.clauses_of.setdefault(report.nodeid, tuple(value.split()))
        skip_reason = report.longrepr[2] if report.skipped and isinstance(report.longrepr, tuple) else None
        text = skip_reason if skip_reason is not None else report.longreprtext
        self.add_report(report.nodeid, report.when, report.outcome, text)

    def verdict(self) -> list[ClauseResult]:
        by_clause = {cid: ClauseResult(cid, clause.title, Status.UNTESTED) for cid, clause in CLAUSES.items()}
        for nodeid, clause_ids in self.clauses_of.items():
            result = self.results.get(nodeid)
            if result is None:
                continue
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


_NAMES_CLAUSE = re.compile(r"^[A-Z]+-\d+\b")
_NAMED = re.compile(r"^(?P<family>[A-Z]+)-(?P<first>\d+)(?P<more>(?:/(?:[A-Z]+-)?\d+)*)")


def _blamed(result: TestResult, clause_ids: tuple[str, ...]) -> tuple[str, ...]:
    """The clauses a test's result counts for: a failure whose message names some of the
    test's clauses (``LOOP-7: ...``, ``RISK-1/2: ...``) counts only for those, so one
    defect is not reported under a clause it did not break."""
    named = _named_clauses(result.message) if result.outcome == "failed" else frozenset[str]()
    return tuple(c for c in clause_ids if c in named) or clause_ids


def _named_clauses(message: str) -> frozenset[str]:
    """The clauses a failure message opens with (``LOOP-7: ...``, ``RISK-1/2: ...``,
    ``LOOP-3/LOOP-5: ...``); none if it opens with no clause id."""
    match = _NAMED.match(message)
    if match is None:
        return frozenset()
    family = match["family"]
    parts = filter(None, match["more"].split("/"))
    return frozenset({f"{family}-{match['first']}", *(part if "-" in part else f"{family}-{part}" for part in parts)})


_PREFIX = re.compile(r"^(?:E\s+)?(?:\s*\|\s?)*")
_CLAUSE_LINE = re.compile(r"^(?:E\s+)?(?:[\w.]+: )?(?P<text>[A-Z]+-\d+\b.*)$")
_EXAMPLE_START = re.compile(r"^(?:Falsifying example|Falsifying explicit example|Failing test case): ")
_DEFAULTS = re.compile(
    r"\s*#[^\n]*|\b(?:before_intent|before_route|after_response)=GateAct\.ALLOW,?"
    r"|\broute=RouteAct\.ACCEPT,?|\brequest_stop=False,?|\boutcome=0,?|\bintent_id="
    r"|\bmax_executions=None,?|\bmax_consecutive_failures=None,?|,?\s*policy=Policy\(\s*\)"
    r"|\bstop_in=None,?|\bside=(?:Side\.BUY|<Side\.BUY: 'buy'>),?|\bquantity=Decimal\('1'\),?|\blimit_price=None,?"
    r"|\bsymbol='QTS',?|\bown_id_type=False,?|\bvariant=0,?|\bfails_at=None,?|\bfailure=0,?"
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
        if r.status is Status.UNTESTED:
            rows.append(f"{'':<11}   -> no test of this clause recorded a result")
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


def to_junit(results: list[ClauseResult], *, implementation: str) -> str:
    """JUnit XML, one test case per clause, for CI test-report viewers."""
    failing = [r for r in results if r.status in (Status.FAIL, Status.UNTESTED)]
    suite = ET.Element("testsuite", name="qts-conformance", tests=str(len(results)),
                       failures=str(len(failing)), skipped=str(sum(r.status is Status.SKIP for r in results)))
    ET.SubElement(ET.SubElement(suite, "properties"), "property", name="implementation", value=implementation)
    for r in results:
        case = ET.SubElement(suite, "testcase", classname="qts-conformance", name=f"{r.id} {r.title}")
        if r.status is Status.FAIL:
            ET.SubElement(case, "failure", message=r.counterexample.splitlines()[0] if r.counterexample else r.id).text = r.counterexample
        elif r.status is Status.UNTESTED:
            ET.SubElement(case, "failure", message=f"{r.id}: untested").text = "no test of this clause recorded a result"
        elif r.status is Status.SKIP:
            ET.SubElement(case, "skipped")
    return ET.tostring(suite, encoding="unicode", xml_declaration=True)


def to_markdown(results: list[ClauseResult], *, implementation: str, summary: str) -> str:
    """A Markdown clause table (e.g. for ``$GITHUB_STEP_SUMMARY``)."""
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", "<br>")

    rows = [f"### QTS Phase 4 conformance: {cell(implementation)}", "", summary, "",
            "| clause | title | result | detail |", "|---|---|---|---|"]
    for r in results:
        mark = {Status.PASS: "✅ pass", Status.FAIL: "❌ fail", Status.SKIP: "⚠️ skip", Status.UNTESTED: "❌ untested",
                Status.NOT_APPLICABLE: "➖ n/a"}[r.status]
        detail = r.counterexample if r.status is Status.FAIL else ""
        rows.append(f"| {r.id} | {cell(r.title)} | {mark} | {cell(detail[:500])} |")
    return "\n".join(rows) + "\n"
