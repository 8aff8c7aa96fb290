"""Section 4: the conformance suite's own cost on every CI run."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from bench.conftest import table

TARGET_SECONDS = 60.0


def test_conformance_suite_speed() -> None:
    done = subprocess.run([sys.executable, "-m", "bench.suite_speed"], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[1])
    data = json.loads(done.stdout.strip().splitlines()[-1])
    groups: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for test in data["tests"].values():
        group = sorted({c.split("-")[0] for c in test["clauses"]})[0] if test["clauses"] else "other"
        groups[group][0] += 1
        groups[group][1] += test["seconds"]
        groups[group][2] += test["scenario_runs"]
    out = table("suite", "clause group", "tests", "seconds", "scenario runs", "runs / s")
    for group, (tests, seconds, runs) in sorted(groups.items()):
        rate = f"{runs / seconds:,.0f}" if runs and seconds else "n/a (no scenario runs)"
        out.rows.append((group, f"{tests:.0f}", f"{seconds:.2f}", f"{runs:.0f}", rate))
    wall = data["wall_seconds"]
    out.notes.append(f"wall time {wall:.1f} s in one process (target < {TARGET_SECONDS:.0f} s on 2 cores: "
                     f"{'met' if wall < TARGET_SECONDS else 'MISSED'}); exit code {data['exit']}")
    slowest = sorted(data["tests"].items(), key=lambda kv: kv[1]["seconds"], reverse=True)[:5]
    out.notes.append("slowest: " + "; ".join(f"{nodeid.split('::')[-1]} {t['seconds']:.2f} s" for nodeid, t in slowest))
    out.notes.append("a scenario run builds the doubles, runs the loop once under the guards and collects the "
                     "outcome; hypothesis examples are at most the scenario runs (RISK-6 makes two per example)")
    assert data["exit"] == 0
