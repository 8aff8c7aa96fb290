"""Section 1: what the reference loop costs per intent over the bare minimum."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable

from pytest_benchmark.fixture import BenchmarkFixture

from bench.conftest import table, timed
from bench.workloads import AcceptingRoute, bare_loop, intents, reference_loop
from reference_impl.runtime.risk.noop_risk_gate import NoopRiskGate

N = 20_000
TARGET_RATIO = 2.0
MEDIANS: dict[str, float] = {}


def _allocated_per_intent(run: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        kept = run()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    del kept
    return peak / N


def _measure(name: str, run: Callable[[], object], benchmark: BenchmarkFixture) -> None:
    stats = timed(benchmark, run, rounds=15, warmup=3)
    MEDIANS[name] = stats.median
    out = table("loop", "loop", "ns / intent (median)", "IQR ns", "peak bytes / intent")
    out.rows.append((name, f"{stats.median / N * 1e9:,.0f}", f"{stats.iqr / N * 1e9:,.0f}",
                     f"{_allocated_per_intent(run):,.0f}"))
    if len(MEDIANS) == 2:
        ratio = MEDIANS["reference loop"] / MEDIANS["bare loop"]
        out.notes.append(f"reference / bare = {ratio:.2f} (target <= {TARGET_RATIO}: {'met' if ratio <= TARGET_RATIO else 'MISSED'})")
        out.notes.append(f"{N:,} intents per round; no-op gate, in-memory route answering accepted=True; "
                         "bare loop: three hooks, the route, one table lookup, one append")


def test_bare_loop(benchmark: BenchmarkFixture) -> None:
    route, gate = AcceptingRoute(), NoopRiskGate()
    _measure("bare loop", lambda: bare_loop(intents(N), route, gate), benchmark)


def test_reference_loop(benchmark: BenchmarkFixture) -> None:
    loop = reference_loop()
    _measure("reference loop", lambda: loop.run(intents(N)), benchmark)
