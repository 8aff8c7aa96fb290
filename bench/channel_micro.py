"""The channel's cost per intent: long runs through the real judge and host, without
pytest or hypothesis, printing the CPU each side spends per intent (docs/benchmarks.md).

Run it isolated, as the judge runs: ``.venv/bin/python -I -m bench.channel_micro [intents] [runs]``.
"""

from __future__ import annotations

import os
import sys
import time
from enum import StrEnum
from typing import cast

import conformance_tests.harness as harness
from spec.binding import Implementation

from conformance_tests.binding import resolve_target
from conformance_tests.remote import Host, containment
from conformance_tests.strategies import long_run


def _cpu_seconds(pid: int) -> float:
    """User and system CPU of process ``pid`` so far, as the kernel counts it."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main(intents: int, runs: int) -> str:
    host = Host(resolve_target("reference"), 4 << 30, harness.RUN_TIME_LIMIT_S, containment())
    try:
        # (the judge's proxy of the host's binding, as the judge hands it to the tests)
        implementation = cast("Implementation[StrEnum]", host.implementation())
        harness.run_in_host(host)
        harness.run_scenario(implementation, long_run(50))  # (warm up both sides' caches)
        host_before, judge_before, wall_before = _cpu_seconds(host.pid), time.process_time(), time.perf_counter()
        for offset in range(runs):
            harness.run_scenario(implementation, long_run(intents, offset))
        judge = time.process_time() - judge_before
        wall = time.perf_counter() - wall_before
        host_cpu = _cpu_seconds(host.pid) - host_before
    finally:
        host.close()
    per = 1e6 / (intents * runs)
    return f"per intent: judge {judge * per:.0f} us CPU, host {host_cpu * per:.0f} us CPU, wall {wall * per:.0f} us"


if __name__ == "__main__":
    arguments = [int(a) for a in sys.argv[1:3]]
    print(main(*arguments) if arguments else main(2000, 4))
