"""Section 3: 10^3 .. 10^6 intents through the reference loop, beside the floor loop, end to end
(intents and responses built inside the clock).
Time and peak memory per intent must stay flat: the loop keeps nothing per order beyond
its record. Each size is timed with the cyclic GC on (as deployed) and off, because on
CPython the collector's full passes grow with the live heap whoever holds it."""

from __future__ import annotations

import gc
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import cast

import pytest

from bench.conftest import table
from bench.workloads import AcceptingRoute, floor_loop, intents, reference_loop
from reference_impl.runtime.risk.noop_risk_gate import NoopRiskGate
from spec import PHASE4, OrderRecord, OrderState


def _record_bytes(record: OrderRecord[OrderState]) -> int:
    """What the report holds for one order on top of the intent and response, which it
    shares with the caller and the route rather than copies."""
    return sys.getsizeof(record) + sys.getsizeof(record.history)


def _ns_per_intent(run: Callable[[], object], count: int, rounds: int, *, collect: bool) -> float:
    timings: list[float] = []
    for _ in range(rounds):
        gc.collect()
        if not collect:
            gc.disable()
        try:
            start = time.process_time()
            kept = run()
            timings.append(time.process_time() - start)
        finally:
            gc.enable()
        del kept
    return sorted(timings)[len(timings) // 2] / count * 1e9


@pytest.mark.parametrize("power", [3, 4, 5, 6])
def test_scale(power: int, pytestconfig: pytest.Config) -> None:
    if power > cast(int, pytestconfig.getoption("--bench-max-power")):
        pytest.skip("above --bench-max-power")
    count = 10**power
    rounds = max(3, 10 ** (5 - power))
    route, gate = AcceptingRoute(), NoopRiskGate()
    loop = reference_loop(route)

    def reference() -> object:
        return loop.run(intents(count))

    def floor() -> object:
        return floor_loop(intents(count), route, gate, PHASE4)

    figures = {
        (name, collect): _ns_per_intent(run, count, rounds, collect=collect)
        for name, run in (("reference", reference), ("floor", floor))
        for collect in (True, False)
    }
    tracemalloc.start()
    try:
        report = loop.run(intents(count))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    out = table("scale", "intents", "reference ns/intent", "floor ns/intent", "ratio",
                "reference, GC off", "floor, GC off", "ratio, GC off", "peak bytes/intent", "record bytes/order")
    out.rows.append((
        f"10^{power}",
        f"{figures['reference', True]:,.0f}", f"{figures['floor', True]:,.0f}",
        f"{figures['reference', True] / figures['floor', True]:.2f}",
        f"{figures['reference', False]:,.0f}", f"{figures['floor', False]:,.0f}",
        f"{figures['reference', False] / figures['floor', False]:.2f}",
        f"{peak / count:,.0f}", str(_record_bytes(report.orders[0])),
    ))
    if power == 3:
        out.notes.append("end to end (intents and responses built inside the clock), process CPU time; medians of max(3, 10^(5-N)) rounds; peak bytes (tracemalloc, reference loop) include the "
                         "intents (made lazily by the source and kept by the report), the responses and the report; "
                         "record bytes are the record and its history tuple only: intent and response are shared, not copied")
        out.notes.append("with the GC off both loops stay flat; with it on both grow alike, because CPython's full "
                         "collections scan every live object, so the growth is the retained heap's, not the report's")
    del report
