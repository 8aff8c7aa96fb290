"""Under the ``ci`` profile the verdict is a function of the binding: two runs of the
same code give the same clause results, failure texts included (LOOP-12's interrupts
are raised at counted execution points, not by a timer). ``./scripts/compat`` checks
the same of three whole runs of the reference on every CPython the kit supports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

TESTS = Path(__file__).resolve().parent
CLI = Path(sys.executable).parent / "qts-conformance"


def verdict(tmp_path: Path, run: int) -> dict[str, Any]:
    report = tmp_path / f"run-{run}.json"
    subprocess.run(
        [str(CLI), "--impl", "broken_impls:INTERRUPT_LEAVES_ORDER_OPEN", "--clauses", "LOOP-5,LOOP-12", "--report", str(report)],
        env={**os.environ, "PYTHONPATH": str(TESTS)}, cwd=tmp_path, capture_output=True, check=False, timeout=600,
    )
    result: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"), object_hook=_unmeasured)
    return result


MEASURED = ("host_processes", "peak_memory_mib", "seconds")
"""What the verdict measures rather than decides: timings aside, two runs agree."""


def _unmeasured(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if k not in MEASURED}


@pytest.mark.slow
def test_two_ci_runs_of_a_binding_give_the_same_verdict_word_for_word(tmp_path: Path) -> None:
    first = verdict(tmp_path, 1)
    statuses = {c["id"]: c["status"] for c in first["clauses"]}
    assert statuses["LOOP-12"] == "fail" and "orders left open" in json.dumps(first), first
    assert verdict(tmp_path, 2) == first
