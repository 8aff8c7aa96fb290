"""Violations as values: a failure's clause, expectation, observation and minimal
example arrive whole in every rendering of the verdict (JSON per its published schema,
JUnit, Markdown, the table), built from the exception the check raised, not read back
out of pytest's text. Runs the real CLI, as CI would."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import fastjsonschema
import pytest

from conformance_tests.report import ClauseCollector, ClauseResult, Status
from conformance_tests.report import TestResult as Result
from conformance_tests.scenario import GateAct, Policy, RouteAct, Scenario, Step
from conformance_tests.strategies import long_run
from conformance_tests.verdict import Verdict, to_dict
from conformance_tests.violation import PROPERTY, ClauseViolated, Violation, first_failure, violation_of

TESTS = Path(__file__).resolve().parent
SCHEMA = TESTS.parent / "docs" / "verdict.schema.json"
CLI = Path(sys.executable).parent / "qts-conformance"
VALIDATE = fastjsonschema.compile(json.loads(SCHEMA.read_text(encoding="utf-8")))


def run_cli(tmp_path: Path, *args: str) -> tuple[int, dict[str, Any], ET.Element, str, str]:
    """The verdict of ``qts-conformance ARGS`` in all four renderings: exit code, JSON
    (checked against the published schema), JUnit, Markdown and the terminal output."""
    paths = [tmp_path / name for name in ("v.json", "v.xml", "v.md")]
    done = subprocess.run(
        [str(CLI), *args, "--report", str(paths[0]), "--junit", str(paths[1]), "--markdown", str(paths[2])],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(TESTS)}, cwd=tmp_path, check=False,
        timeout=600,
    )
    assert paths[0].exists(), done.stdout[-3000:] + done.stderr[-3000:]
    verdict: dict[str, Any] = json.loads(paths[0].read_text(encoding="utf-8"))
    VALIDATE(verdict)
    return done.returncode, verdict, ET.fromstring(paths[1].read_text(encoding="utf-8")), \
        paths[2].read_text(encoding="utf-8"), done.stdout + done.stderr


def clause(verdict: dict[str, Any], cid: str) -> dict[str, Any]:
    return next(c for c in verdict["clauses"] if c["id"] == cid)


def junit_case(suite: ET.Element, cid: str) -> ET.Element:
    return next(case for case in suite.iter("testcase") if case.get("name", "").startswith(f"{cid} "))


@pytest.mark.slow
def test_a_shrunk_loop_3_failure_arrives_whole_in_json_junit_and_markdown(tmp_path: Path) -> None:
    """The clean path drops the route's answer from the record: hypothesis shrinks the
    run to one plain step, and that step is the example in every rendering."""
    code, verdict, junit, markdown, out = run_cli(
        tmp_path, "--impl", "broken_impls:RESPONSE_DROPPED_ON_CLEAN_PATH", "--clauses", "LOOP-3")
    assert code == 1, out[-3000:]
    violation = clause(verdict, "LOOP-3")["violation"]
    assert violation["clauses"] == ["LOOP-3"]
    assert violation["observed"] == "the records' responses are [('o-0', None)]"
    assert violation["expected"].startswith("[('o-0', ExecutionResponse(intent_id='o-0', accepted=True")
    assert violation["scenario"] == "scenario=Scenario((Step('o-0'),))"
    properties = {p.get("name"): p.get("value") for p in junit_case(junit, "LOOP-3").iter("property")}
    cause = violation["cause"]
    assert (cause["clause"], cause["where"], cause["due_path"], cause["taken_path"]) == (
        "LOOP-3", "order #0 ('o-0')", ["created", "submitted", "accepted"], ["created", "submitted", "accepted"])
    assert cause["observed"].endswith("no answer kept, calls ['before_intent', 'before_route', 'execute', 'after_response']")
    assert properties == {"clauses": "LOOP-3", "expected": violation["expected"], "observed": violation["observed"],
                          "scenario": violation["scenario"],
                          "replay": f"qts-conformance --impl broken_impls:RESPONSE_DROPPED_ON_CLEAN_PATH --replay {violation['replay']}",
                          "first_departure": f"first departure (LOOP-3): order #0 ('o-0'): {cause['observed']}; due: {cause['expected']}"}
    assert junit_case(junit, "LOOP-3").findtext("failure") == violation["message"]
    row = next(line for line in markdown.splitlines() if line.startswith("| LOOP-3 |"))
    assert "LOOP-3: the records' responses are [('o-0', None)]" in row and "scenario=Scenario((Step('o-0'),))" in row
    assert "minimal example: scenario=Scenario((Step('o-0'),))" in out


def test_a_multi_line_failure_keeps_every_line(tmp_path: Path) -> None:
    code, verdict, junit, markdown, out = run_cli(
        tmp_path, "--impl", "broken_impls:MAX_EXECUTIONS_OFF_BY_ONE", "--clauses", "LOOP-15")
    assert code == 1, out[-3000:]
    observed = clause(verdict, "LOOP-15")["violation"]["observed"]
    first, *more = observed.splitlines()
    assert first.startswith("make_stop_policy(") and more, observed
    assert observed in (junit_case(junit, "LOOP-15").findtext("failure") or "")
    assert observed.replace("\n", "<br>").replace("|", "\\|") in markdown
    assert clause(verdict, "LOOP-15")["seconds"] > 0 and junit_case(junit, "LOOP-15").get("time") is not None


def test_the_binding_error_is_in_every_rendering(tmp_path: Path) -> None:
    code, verdict, junit, markdown, out = run_cli(tmp_path, "--impl", "verdict_exit_at_import")
    assert code == 4
    error = verdict["binding_error"]
    assert "raised SystemExit(0)" in error
    assert junit.get("errors") == "1" and junit.findtext("testcase/error") == error
    assert f"**binding error:** {error}" in markdown
    assert f"could not be bound (nothing was tested): {error}" in out and "UNTESTED" not in out


def test_a_violation_raised_by_a_check_keeps_its_clauses_and_values() -> None:
    error = ClauseViolated("RISK-1", "RISK-2", observed="routed 'o-1'\nand 'o-2'", expected="no route call")
    assert violation_of(error, ("RISK-1", "RISK-2", "LOOP-9"), "scenario=...") == Violation(
        ("RISK-1", "RISK-2"), "no route call", "routed 'o-1'\nand 'o-2'", "scenario=...")


def test_an_exception_that_is_no_check_breaks_the_clauses_of_its_test() -> None:
    """A plain assert, a budget or an error out of what the implementation returned: the
    test's marker gives the clauses, the exception's type and whole text the observation."""
    violation = violation_of(AssertionError("last_report is None\nassert None is not None"), ("LOOP-3",), None)
    assert violation.clauses == ("LOOP-3",)
    assert violation.observed == "AssertionError: last_report is None\nassert None is not None"


def test_of_several_failures_hypothesis_found_the_first_check_stands() -> None:
    check = ClauseViolated("LOOP-4", observed="histories differ")
    assert first_failure(ExceptionGroup("two bugs", [ValueError("x"), check])) is check


def test_the_violation_crosses_xdist_as_a_user_property() -> None:
    violation = Violation(("STATE-1",), "the Phase 4 states", "no 'created'\nno 'failed'", None)
    report = pytest.TestReport("t::x", ("t", 0, "x"), {}, "failed", None, "call",
                               user_properties=[("qts_clauses", "STATE-1 STATE-2"), (PROPERTY, asdict(violation))])
    collector = ClauseCollector()
    collector.pytest_runtest_logreport(report)
    results = {r.id: r for r in collector.verdict()}
    assert results["STATE-1"].status is Status.FAIL and results["STATE-1"].violation == violation
    assert results["STATE-2"].status is Status.UNTESTED, "the violation names STATE-1 only"


def test_a_minimal_example_shows_only_what_differs_from_the_defaults() -> None:
    scenario = Scenario((Step("o-0"), Step("o-1", route=RouteAct.RAISE, before_route=GateAct.REFUSE,
                                           quantity=Decimal("2.5"))), Policy(max_executions=1))
    assert repr(scenario) == ("Scenario((Step('o-0'), Step('o-1', route=RouteAct.RAISE, before_route=GateAct.REFUSE, "
                              "quantity=Decimal('2.5'))), policy=Policy(max_executions=1))")
    assert repr(long_run(150, 3)) == "long_run(150, 3)"


def test_a_clause_that_does_not_apply_is_never_counted_as_passed() -> None:
    """n/a is said as n/a, with why (the binding's declaration), in the summary and the
    JSON: a binding with no resting book does not read as passing the resting clauses."""
    why = "the binding declares no resting orders (resting = None)"
    results = (
        ClauseResult("STATE-1", "t", Status.PASS, [Result("a", "passed")]),
        *(ClauseResult(cid, "t", Status.NOT_APPLICABLE, [Result("b", "not-applicable", reason=f"not applicable: {why}")])
          for cid in ("RESTING-1", "RESTING-2")),
    )
    verdict = Verdict("desk", "desk.binding", "ci", "derandomised", results)
    assert verdict.summary == f"1 passed, 0 failed; 2 not applicable: RESTING-1, RESTING-2 ({why})"
    data = to_dict(verdict)
    VALIDATE(data)
    assert data["not_applicable"] == {why: ["RESTING-1", "RESTING-2"]}


def test_the_declared_coverage_is_in_every_rendering(tmp_path: Path) -> None:
    """What of the binding's declaration the generated runs reached, as LOOP-10's test
    counted it in the judge: in the table, the JSON and the Markdown."""
    code, verdict, _, markdown, out = run_cli(tmp_path, "--impl", "reference", "--clauses", "LOOP-10")
    assert code == 1, out[-3000:]  # a partial run
    coverage = verdict["coverage"]
    assert coverage["runs"] > 0
    states = [item for item in coverage["items"] if item["kind"] == "state"]
    assert states and all(item["runs"] > 0 for item in states), states
    assert f"declared coverage over {coverage['runs']} generated runs:" in out
    assert f"**declared coverage over {coverage['runs']} generated runs:**" in markdown
    assert f"- states: {len(states)}/{len(states)} exercised (100%)" in markdown
    assert "```mermaid\nstateDiagram-v2\n" in markdown
    assert re.search(r"s0 --> s1 : submit \(\d+ runs?\)", markdown), markdown
