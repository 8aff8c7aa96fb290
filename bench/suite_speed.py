"""Runs the conformance suite (ci profile, reference implementation) in this process and
prints, as JSON, its wall time and each test's duration, clauses and scenario runs."""

from __future__ import annotations

import json
import sys
import time
from collections import Counter

import pytest

import conformance_tests.harness as harness


class Timer:
    def __init__(self) -> None:
        self.current = ""
        self.runs: Counter[str] = Counter()
        self.tests: dict[str, dict[str, object]] = {}

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        self.current = item.nodeid
        clauses = [c for m in item.iter_markers("qts_clause") for c in m.args]
        self.tests[item.nodeid] = {"clauses": clauses, "seconds": 0.0}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call":
            self.tests[report.nodeid]["seconds"] = report.duration


def main() -> int:
    timer = Timer()
    original = harness.run_scenario

    def counted(*args: object, **kwargs: object) -> object:
        timer.runs[timer.current] += 1
        return original(*args, **kwargs)  # type: ignore[arg-type]

    harness.run_scenario = counted  # type: ignore[assignment]
    start = time.perf_counter()
    code = pytest.main(["--pyargs", "conformance_tests", "-q", "-o", "addopts=", "-p", "no:cacheprovider",
                        "-p", "no:benchmark", "--qts-profile=ci", "--qts-impl=reference"], plugins=[timer])
    wall = time.perf_counter() - start
    for nodeid, data in timer.tests.items():
        data["scenario_runs"] = timer.runs[nodeid]
    print(json.dumps({"exit": int(code), "wall_seconds": wall, "tests": timer.tests}))
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
