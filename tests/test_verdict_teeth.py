"""A verdict you can trust (issue 10): every implementation that once got a false PASS, a
hang or a blow-up from ``qts-conformance`` now fails on the clause that names its cause
(or is refused as a binding error), with a full clause table, within the run's bounds.
Runs the real CLI in a subprocess, as CI would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from spec.clauses import CLAUSES

TESTS = Path(__file__).resolve().parent
CLI = Path(sys.executable).parent / "qts-conformance"
EXIT_FAILED, EXIT_USAGE, EXIT_BINDING = 1, 2, 4
HANGS_AT_ONCE = {"IGNORES_SIGALRM"}


def run_cli(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, dict[str, Any], str]:
    report = tmp_path / "report.json"
    done = subprocess.run(
        [str(CLI), *args, "--report", str(report)],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(TESTS), **(env or {})},
        cwd=tmp_path, check=False, timeout=900,
    )
    assert report.exists(), done.stdout[-3000:] + done.stderr[-3000:]
    verdict: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    assert [c["id"] for c in verdict["clauses"]] == list(CLAUSES), "the clause table is always complete"
    return done.returncode, verdict, done.stdout + done.stderr


def failed(verdict: dict[str, Any]) -> dict[str, str]:
    return {c["id"]: c["violation"]["message"] if c["violation"] else "" for c in verdict["clauses"] if c["status"] not in ("pass", "n/a")}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("binding", "clause", "says"),
    [
        # generators that reach the whole contract
        ("SELL_BYPASSES_GATE", "RISK-2", "before-hook refused"),
        ("LIMIT_ROUTED_TWICE", "LOOP-2", "duplicate submission"),
        ("REPORT_KEEPS_LAST_16", "LOOP-3", "the report holds 16 orders"),
        # guards that see every import path
        ("RAW_SOCKET_CONNECT", "ROUTE-1", "socket.__new__"),
        ("SENDS_FROM_SUBPROCESS", "ROUTE-1", "subprocess.Popen"),
        ("THREAD_BOUND_AT_IMPORT", "LOOP-1", "_thread.start_new_thread()"),
        ("FORKS_IN_RUN", "LOOP-1", "os.fork"),
        # a process the implementation cannot end
        ("OS_EXIT_IN_RUN", "TERMINAL-1", "the implementation ended the process"),
        ("KEYBOARD_INTERRUPT_IN_RUN", "TERMINAL-1", "KeyboardInterrupt(done) escaped"),
        # what it patches is its host's copy of the suite; the judge's verdict stands
        ("PATCHES_SUITE_IN_RUN", "LOOP-3", "the report holds 16 orders"),
        # bounded in time and memory
        ("SPINS", "TERMINAL-1", "spinning"),
        ("IGNORES_SIGALRM", "TERMINAL-1", "did not return"),
    ],
)
def test_each_false_pass_now_fails_on_the_clause_of_its_cause(binding: str, clause: str, says: str, tmp_path: Path) -> None:
    """Each defect runs the tests of its clause only (``--clauses``): what is proven is that
    the real command catches it there; the whole suite on a broken binding runs in
    tests/test_conformance_teeth.py (NOOP_GATE_RETURNS_NONE). A defect that hangs its
    first run gets a short per-test budget: running out of it is what is tested there."""
    budget = "3" if binding in HANGS_AT_ONCE else "20"
    code, verdict, output = run_cli(
        tmp_path, "--impl", f"broken_impls_verdict:{binding}", "--clauses", clause, "--test-budget", budget
    )
    assert code == EXIT_FAILED, output[-3000:]
    assert verdict["passed"] is False
    failures = failed(verdict)
    assert clause in failures, f"{binding}: expected {clause} to fail, failed: {sorted(failures)}"
    assert any(says in message for message in failures.values()), f"{binding}: no message says {says!r}: {failures}"
    assert failures[clause].startswith(clause) or clause in failures[clause] or says in failures[clause], failures[clause]


@pytest.mark.parametrize(
    ("module", "says"),
    [
        ("verdict_exit_at_import", "raised SystemExit(0)"),
        ("verdict_os_exit_at_import", "the host process ended while importing"),
        ("verdict_interrupt_at_import", "raised KeyboardInterrupt"),
    ],
)
def test_a_binding_that_misbehaves_while_imported_is_a_binding_error(module: str, says: str, tmp_path: Path) -> None:
    code, verdict, output = run_cli(tmp_path, "--impl", module)
    assert code == EXIT_BINDING, output[-3000:]
    assert says in verdict["binding_error"]
    assert verdict["passed"] is False
    assert "Traceback" not in output


def test_an_import_error_in_the_teams_code_is_shown_first_with_its_traceback_and_nothing_else(tmp_path: Path) -> None:
    """The cause, where it happened in the team's code, and no table of untested clauses
    to scroll past; the reports still say it (binding_error)."""
    (tmp_path / "desk_binding.py").write_text("def exposure():\n    return {}['AAPL']\n\nLIMIT = exposure()\n", encoding="utf-8")
    code, verdict, output = run_cli(tmp_path, "--impl", "desk_binding", env={"PYTHONPATH": str(tmp_path)})
    assert code == EXIT_BINDING, output[-3000:]
    assert "UNTESTED" not in output and "clause" not in output
    assert "importing 'desk_binding' named by --impl=desk_binding raised KeyError: 'AAPL'" in output
    assert f'File "{tmp_path / "desk_binding.py"}", line 2, in exposure' in output
    assert "importlib" not in output
    assert "Traceback (most recent call last)" in verdict["binding_error"]


def test_a_mistyped_binding_is_one_line_naming_the_clis_option(tmp_path: Path) -> None:
    code, verdict, output = run_cli(tmp_path, "--impl", "desk_bindnig")
    assert code == EXIT_BINDING, output[-3000:]
    assert verdict["binding_error"] in output
    assert "cannot import 'desk_bindnig' named by --impl=desk_bindnig: ModuleNotFoundError" in output
    assert "--qts-impl" not in output and "Traceback" not in output and "UNTESTED" not in output


@pytest.mark.slow
def test_a_binding_that_patches_the_suite_at_import_patches_only_its_own_process(tmp_path: Path) -> None:
    """The suite's code it replaces is its host's copy, which judges nothing: its loop's
    real defect (the report keeps the last 16 orders) still fails LOOP-3."""
    code, verdict, output = run_cli(tmp_path, "--impl", "verdict_patches_suite", "--clauses", "LOOP-3")
    assert code == EXIT_FAILED, output[-3000:]
    assert "the report holds 16 orders" in failed(verdict)["LOOP-3"]


@pytest.mark.slow
def test_a_flooding_implementation_gets_a_full_table_in_bounded_memory(tmp_path: Path) -> None:
    """On the clauses whose tests run the loop most (hundreds of runs, 400 kB each)."""
    code, verdict, output = run_cli(tmp_path, "--impl", "broken_impls_verdict:FLOODS_OUTPUT",
                                    "--clauses", "TERMINAL-1,LOOP-3")
    statuses = {c["id"]: c["status"] for c in verdict["clauses"]}
    assert (statuses.pop("TERMINAL-1"), statuses.pop("LOOP-3")) == ("pass", "pass"), output[-3000:]
    assert code == EXIT_FAILED and "untested" in statuses.values() and "fail" not in statuses.values()
    assert verdict["peak_memory_mib"] < 1024


def test_no_target_is_a_bad_command_line_that_says_how_to_name_one(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "QTS_IMPL"}
    done = subprocess.run([str(CLI)], capture_output=True, text=True, env=env, cwd=tmp_path, check=False, timeout=120)
    assert done.returncode == EXIT_USAGE
    assert "--impl MODULE[:ATTR]" in done.stderr and "$QTS_IMPL" in done.stderr and "--impl reference" in done.stderr
    assert "passed" not in done.stdout


@pytest.mark.parametrize("how", ["option", "environment"])
def test_an_empty_target_is_a_bad_command_line_never_the_reference(how: str, tmp_path: Path) -> None:
    args, env = (["--impl", ""], {}) if how == "option" else ([], {"QTS_IMPL": ""})
    done = subprocess.run([str(CLI), *args], capture_output=True, text=True, env={**os.environ, **env},
                          cwd=tmp_path, check=False, timeout=120)
    assert done.returncode == EXIT_USAGE
    assert "is empty" in done.stderr and "passed" not in done.stdout


@pytest.mark.slow
def test_a_partial_run_is_a_diagnosis_never_a_pass(tmp_path: Path) -> None:
    code, verdict, output = run_cli(tmp_path, "--impl", "reference", "--clauses", "LOOP-2, RISK-3")
    statuses = {c["id"]: c["status"] for c in verdict["clauses"]}
    assert code == EXIT_FAILED and verdict["passed"] is False, output[-3000:]
    assert (statuses.pop("LOOP-2"), statuses.pop("RISK-3")) == ("pass", "pass")
    # (a test of LOOP-2 or RISK-3 that proves another clause too makes that one pass)
    assert "untested" in statuses.values() and "fail" not in statuses.values()
    assert "a partial run" in output


@pytest.mark.parametrize("clauses", ["LOOP-99", " , "])
def test_an_unknown_clause_is_a_bad_command_line(clauses: str, tmp_path: Path) -> None:
    done = subprocess.run([str(CLI), "--impl", "reference", "--clauses", clauses], capture_output=True, text=True, cwd=tmp_path,
                          check=False, timeout=120)
    assert done.returncode == EXIT_USAGE
    assert "--clauses: unknown clause(s)" in done.stderr and "known: STATE-1" in done.stderr


@pytest.mark.slow
def test_junit_and_markdown_reports_carry_the_clause_table(tmp_path: Path) -> None:
    junit, markdown = tmp_path / "out" / "verdict.xml", tmp_path / "summary.md"
    code, _verdict, output = run_cli(
        tmp_path, "--impl", "broken_impls_verdict:LIMIT_ROUTED_TWICE", "--clauses", "STATE-1,LOOP-2",
        "--junit", str(junit), "--markdown", str(markdown),
    )
    assert code == EXIT_FAILED, output[-3000:]
    suite = ET.parse(junit).getroot()
    cases = {case.get("name", "").split(" ")[0]: case for case in suite.iter("testcase")}
    assert list(cases) == list(CLAUSES)
    failure = cases["LOOP-2"].find("failure")
    assert failure is not None and "duplicate submission" in (failure.text or "")
    assert cases["STATE-1"].find("failure") is None
    assert int(suite.get("failures", "0")) >= 1
    table = markdown.read_text(encoding="utf-8")
    assert "| LOOP-2 |" in table and "❌ fail" in table and "| STATE-1 |" in table and "✅ pass" in table
