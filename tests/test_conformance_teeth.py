"""The suite has teeth: `qts-conformance` fails each deliberately broken implementation
on the clause that defect breaks (with a message naming it), and passes the reference
and a correct Phase 5 extension. Runs the real CLI in a subprocess, as an implementer
would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from broken_impls import EXPECTED_FAILURES

TESTS = Path(__file__).resolve().parent
CLI = Path(sys.executable).parent / "qts-conformance"


def run_cli(target: str, tmp_path: Path) -> tuple[int, dict[str, Any]]:
    report = tmp_path / "report.json"
    env = {**os.environ, "PYTHONPATH": str(TESTS)}
    done = subprocess.run(
        [str(CLI), "--impl", target, "--report", str(report)],
        capture_output=True, text=True, env=env, cwd=tmp_path, check=False, timeout=600,
    )
    assert report.exists(), done.stdout + done.stderr
    verdict: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    return done.returncode, verdict


def failed_clauses(verdict: dict[str, Any]) -> dict[str, str]:
    return {c["id"]: c["counterexample"] for c in verdict["clauses"] if c["status"] != "pass"}


@pytest.mark.parametrize(("binding", "clause"), sorted(EXPECTED_FAILURES.items()))
def test_the_suite_fails_each_defect_on_its_clause(binding: str, clause: str, tmp_path: Path) -> None:
    code, verdict = run_cli(f"broken_impls:{binding}", tmp_path)
    failed = failed_clauses(verdict)
    assert code == 1
    assert clause in failed, f"{binding}: expected {clause} to fail, failed: {sorted(failed)}"
    assert failed[clause].startswith(clause) or clause in failed[clause], failed[clause]


@pytest.mark.parametrize("target", ["reference_impl.binding", "broken_impls:GOOD_EXTENSION"])
def test_the_suite_passes_correct_implementations(target: str, tmp_path: Path) -> None:
    code, verdict = run_cli(target, tmp_path)
    assert (code, failed_clauses(verdict)) == (0, {})
    assert verdict["passed"] is True


def test_there_are_at_least_fifteen_distinct_defects() -> None:
    assert len(EXPECTED_FAILURES) >= 15
