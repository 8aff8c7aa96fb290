"""The verdict of one run as one value, and its renderings: the terminal table, JSON
(``docs/verdict.schema.json``), JUnit XML and Markdown. Every rendering reads the same
:class:`Verdict`; none works anything out of another's text."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass

from conformance_tests.coverage import DeclaredCoverage, render_coverage
from conformance_tests.diagram import coverage_diagram
from conformance_tests.known_failures import KnownFailure
from conformance_tests.report import NOT_APPLICABLE, ClauseResult, Status, TestResult
from conformance_tests.start_here import StartHere, start_here
from conformance_tests.violation import Cause, Violation

SCHEMA_VERSION = 1
"""Of the JSON rendering; raised when a field changes meaning or goes away."""


@dataclass(frozen=True)
class Isolation:
    judge_isolated: bool
    host_judging_modules: list[str] | None
    """The suite's and test stack's modules the host had loaded (None: it had ended)."""
    judge_team_modules: list[str]


@dataclass(frozen=True)
class Verdict:
    implementation: str
    """The binding's name, or ``(not bound)``."""
    target: str
    profile: str
    seed: str
    clauses: tuple[ClauseResult, ...]
    binding_error: str | None = None
    incomplete: str | None = None
    """Why the run could not complete, or None."""
    host_processes: int = 0
    containment: str = ""
    peak_memory_mib: int = 0
    isolation: Isolation | None = None
    known_failures: tuple[KnownFailure, ...] = ()
    """The known-failures entries that waived a failed clause in this run."""
    stale: tuple[KnownFailure, ...] = ()
    """The entries whose clause or test no longer fails: the run fails until they go."""
    coverage: DeclaredCoverage | None = None
    """What of the binding's declaration the generated runs exercised (None: the run did
    not measure it, e.g. a partial run without LOOP-10)."""

    @property
    def failed(self) -> list[str]:
        return [r.id for r in self.clauses if not r.status.holds and r.status not in (Status.UNTESTED, Status.KNOWN)]

    @property
    def known(self) -> list[str]:
        return [r.id for r in self.clauses if r.status is Status.KNOWN]

    def waivers(self, result: ClauseResult) -> list[KnownFailure]:
        """The entries that waived ``result`` (its clause, or its failed tests)."""
        tests = {t.nodeid for t in result.tests}
        return [e for e in self.known_failures if e.clause == result.id or e.test in tests]

    @property
    def untested(self) -> list[str]:
        return [r.id for r in self.clauses if r.status is Status.UNTESTED]

    @property
    def passed(self) -> bool:
        return self.binding_error is None and all(r.status.holds for r in self.clauses)

    @property
    def seconds(self) -> float:
        return sum(r.seconds for r in self.clauses)

    @property
    def not_applicable(self) -> dict[str, list[str]]:
        """The clauses that do not apply to this binding, by why (from its declaration)."""
        by_reason: dict[str, list[str]] = {}
        for r in self.clauses:
            if r.status is Status.NOT_APPLICABLE:
                reason = r.tests[0].reason.removeprefix(NOT_APPLICABLE).lstrip(": ") if r.tests else ""
                by_reason.setdefault(reason or "not applicable", []).append(r.id)
        return by_reason

    @property
    def causes(self) -> list[Cause]:
        """The first departure of each failed clause's failing run, where it has one."""
        return [r.violation.cause for r in self.clauses
                if r.status is Status.FAIL and r.violation is not None and r.violation.cause is not None]

    @property
    def start_here(self) -> StartHere | None:
        """The failed clause to fix first, and what failed only because of it."""
        return start_here(self.clauses)

    @property
    def summary(self) -> str:
        """Passed and failed; then untested, known failures, stale entries and not
        applicable clauses (with why), each apart: none of them counts as passed."""
        failed, untested, known, stale = self.failed, self.untested, self.known, self.stale
        parts = [f"{sum(r.status is Status.PASS for r in self.clauses)} passed, {len(failed)} failed"
                 + (f": {', '.join(failed)}" if failed else "")]
        if untested:
            parts.append(f"{len(untested)} untested: {', '.join(untested)}")
        if known:
            parts.append(f"{len(known)} known failure(s), waived: {', '.join(known)}")
        if stale:
            parts.append(f"{len(stale)} stale known-failure entr{'y' if len(stale) == 1 else 'ies'} "
                         f"(no longer failing: remove them): {', '.join(e.names for e in stale)}")
        if skipped := self.not_applicable:
            parts.append(f"{sum(map(len, skipped.values()))} not applicable: "
                         + "; ".join(f"{', '.join(ids)} ({reason})" for reason, ids in skipped.items()))
        return "; ".join(parts)


def render_table(verdict: Verdict) -> str:
    """The clause table a person reads: each failure's observation and expectation by
    their first line, and the minimal example (the JSON, JUnit and Markdown keep every line)."""
    results = verdict.clauses
    width = max(len(r.title) for r in results)
    first = verdict.start_here
    rows = [first.headline, ""] if first is not None else []
    rows.append(f"{'clause':<11} {'title':<{width}}  result")
    rows.append("-" * len(rows[-1]))
    for r in results:
        passed = sum(t.outcome == "passed" for t in r.tests)
        rows.append(f"{r.id:<11} {r.title:<{width}}  {r.status.value.upper():<8} ({passed}/{len(r.tests)} tests, {r.seconds:.1f} s)")
        if r.status is Status.UNTESTED:
            rows.append(f"{'':<11}   -> no test of this clause recorded a result")
        if r.status is Status.FAIL and r.violation is not None:
            rows += [f"{'':<11}   -> {line}" for line in _shown_lines(r.violation, verdict.target)]
        elif r.status is Status.KNOWN:
            rows += [f"{'':<11}   -> known failure: {e.cited}" for e in verdict.waivers(r)]
        elif r.status is Status.NOT_APPLICABLE and r.tests:
            rows.append(f"{'':<11}   -> {r.tests[0].reason}")
    if verdict.binding_error is not None:
        rows.append(f"binding error: {verdict.binding_error}")
    rows += [f"stale known-failure entry: {e.names} no longer fails; remove it ({e.tracking})" for e in verdict.stale]
    if verdict.coverage is not None:
        rows += render_coverage(verdict.coverage)
    return "\n".join(rows)


def replay_command(violation: Violation, target: str) -> str | None:
    """The command that runs the violation's failing call again, if it has a token."""
    return None if violation.replay is None else f"qts-conformance --impl {target} --replay {violation.replay}"


def _shown_lines(violation: Violation, target: str) -> list[str]:
    observed, _, more = violation.observed.partition("\n")
    lines = [f"{'/'.join(violation.clauses)}: {observed}" + (" (more lines in the reports)" if more else ""),
             f"expected: {violation.expected.partition(chr(10))[0]}"]
    lines += [f"minimal example: {violation.scenario}"] if violation.scenario is not None else []
    lines += [_departure(violation)] if violation.cause is not None else []
    command = replay_command(violation, target)
    return lines + ([f"replay: {command}"] if command is not None else [])


def _departure(violation: Violation) -> str:
    cause = violation.cause
    assert cause is not None
    return f"first departure ({cause.clause}): {cause.where}: {cause.observed}; due: {cause.expected}"


def to_dict(verdict: Verdict) -> dict[str, object]:
    """The JSON rendering's data (docs/verdict.schema.json)."""

    def violation(v: Violation | None) -> dict[str, object] | None:
        return None if v is None else {**asdict(v), "clauses": list(v.clauses), "message": v.message}

    def test(t: TestResult) -> dict[str, object]:
        return {"nodeid": t.nodeid, "outcome": t.outcome, "seconds": round(t.seconds, 3), "reason": t.reason,
                "violation": violation(t.violation)}

    return {
        "schema_version": SCHEMA_VERSION,
        "implementation": verdict.implementation,
        "target": verdict.target,
        "profile": verdict.profile,
        "seed": verdict.seed,
        "passed": verdict.passed,
        "summary": verdict.summary,
        "start_here": None if (first := verdict.start_here) is None else {**asdict(first), "consequences": list(first.consequences),
                                                                          "headline": first.headline},
        "seconds": round(verdict.seconds, 3),
        "binding_error": verdict.binding_error,
        "incomplete": verdict.incomplete,
        "host_processes": verdict.host_processes,
        "containment": verdict.containment,
        "peak_memory_mib": verdict.peak_memory_mib,
        "isolation": None if verdict.isolation is None else asdict(verdict.isolation),
        "not_applicable": verdict.not_applicable,
        "known_failures": {"waived": [asdict(e) for e in verdict.known_failures], "stale": [asdict(e) for e in verdict.stale]},
        "coverage": None if verdict.coverage is None else verdict.coverage.as_json(),
        "clauses": [
            {"id": r.id, "title": r.title, "status": r.status.value, "seconds": round(r.seconds, 3),
             "violation": violation(r.violation), "tests": [test(t) for t in r.tests]}
            for r in verdict.clauses
        ],
    }


def to_json(verdict: Verdict) -> str:
    return json.dumps(to_dict(verdict), indent=2)


def to_junit(verdict: Verdict) -> str:
    """JUnit XML, one test case per clause with its time, for CI test-report viewers; a
    binding error is an error of the suite."""
    results = verdict.clauses
    failing = [r for r in results if r.status in (Status.FAIL, Status.UNTESTED)]
    suite = ET.Element("testsuite", name="qts-conformance", tests=str(len(results)),
                       failures=str(len(failing)), errors=str(int(verdict.binding_error is not None)),
                       skipped=str(sum(r.status in (Status.SKIP, Status.KNOWN) for r in results)), time=f"{verdict.seconds:.3f}")
    properties = ET.SubElement(suite, "properties")
    first = verdict.start_here
    for name, value in (("implementation", verdict.implementation), ("target", verdict.target),
                        ("profile", verdict.profile), ("seed", verdict.seed),
                        *((("start_here", first.headline),) if first is not None else ())):
        ET.SubElement(properties, "property", name=name, value=value)
    if verdict.binding_error is not None:
        ET.SubElement(ET.SubElement(suite, "testcase", classname="qts-conformance", name="binding"),
                      "error", message="the implementation could not be bound").text = verdict.binding_error
    for r in results:
        case = ET.SubElement(suite, "testcase", classname="qts-conformance", name=f"{r.id} {r.title}", time=f"{r.seconds:.3f}")
        if r.status is Status.FAIL:
            v = r.violation
            failure = ET.SubElement(case, "failure", message=v.observed.partition("\n")[0] if v is not None else r.id)
            failure.text = v.message if v is not None else None
            if v is not None:
                kept = ET.SubElement(case, "properties")
                for name, value in (("clauses", "/".join(v.clauses)), ("expected", v.expected), ("observed", v.observed),
                                    ("scenario", v.scenario or ""), ("replay", replay_command(v, verdict.target) or ""),
                                    ("first_departure", _departure(v) if v.cause is not None else "")):
                    ET.SubElement(kept, "property", name=name, value=value)
        elif r.status is Status.UNTESTED:
            ET.SubElement(case, "failure", message=f"{r.id}: untested").text = "no test of this clause recorded a result"
        elif r.status is Status.SKIP:
            ET.SubElement(case, "skipped")
        elif r.status is Status.KNOWN:
            ET.SubElement(case, "skipped", message="known failure: " + "; ".join(
                e.cited for e in verdict.waivers(r))).text = r.violation.message if r.violation else None
    return ET.tostring(suite, encoding="unicode", xml_declaration=True)


def to_markdown(verdict: Verdict, spec_url: str | None = None) -> str:
    """A Markdown clause table (e.g. for ``$GITHUB_STEP_SUMMARY``); each failure's
    observation, expectation and minimal example in full; with ``spec_url``, each clause
    id links to its section of the specification (``spec_url#CLAUSE-ID``)."""
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", "<br>")

    def clause(cid: str) -> str:
        return cid if spec_url is None else f"[{cid}]({spec_url}#{cid})"

    rows = [f"### QTS Phase 4 conformance: {cell(f'{verdict.implementation} ({verdict.target})')}", "", verdict.summary, ""]
    if (first := verdict.start_here) is not None:
        rows += [f"**{cell(first.headline.replace(first.clause, clause(first.clause), 1))}**", ""]
    if verdict.binding_error is not None:
        rows += [f"**binding error:** {cell(verdict.binding_error)}", ""]
    if verdict.incomplete is not None:
        rows += [f"**incomplete:** {cell(verdict.incomplete)}", ""]
    rows += [f"**stale known-failure entry:** {cell(e.names)} no longer fails; remove it ({cell(e.tracking)})" for e in verdict.stale]
    rows += [""] if verdict.stale else []
    rows += ["| clause | title | result | time | observed | expected | minimal example |", "|---|---|---|---|---|---|---|"]
    for r in verdict.clauses:
        mark = {Status.PASS: "✅ pass", Status.FAIL: "❌ fail", Status.SKIP: "⚠️ skip", Status.UNTESTED: "❌ untested",
                Status.NOT_APPLICABLE: "➖ n/a", Status.KNOWN: "🟡 known failure"}[r.status]
        v = r.violation if r.status in (Status.FAIL, Status.KNOWN) else None
        command = None if v is None else replay_command(v, verdict.target)
        detail = ("", "", "") if v is None else (f"{'/'.join(v.clauses)}: {v.observed}", v.expected,
                                                 (v.scenario or "") + (f"\nreplay: `{command}`" if command else "")
                                                 + (f"\n{_departure(v)}" if v.cause is not None else ""))
        rows.append(f"| {clause(r.id)} | {cell(r.title)} | {mark} | {r.seconds:.1f} s | " + " | ".join(map(cell, detail)) + " |")
    if verdict.coverage is not None:
        heading, *lines = render_coverage(verdict.coverage)
        rows += ["", f"**{heading}**", "", *(f"- {cell(line.strip())}" for line in lines)]
        rows += ["", "**The declared state machine, each row with the generated runs that took it:**", "",
                 "```mermaid", coverage_diagram(verdict.coverage, verdict.causes), "```"]
    return "\n".join(rows) + "\n"

