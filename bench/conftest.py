"""Collects every benchmark's figures and prints the four sections with their ratios at
the end of the run (and writes them to docs/benchmarks.md with --bench-write)."""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

SECTIONS = {
    "loop": "1. Loop overhead per intent: loop alone and end to end, against the floor loop",
    "transition": "2. Transition cost per order lifecycle (CREATED -> SUBMITTED -> ACCEPTED)",
    "scale": "3. Scale: time and memory per intent as the run grows",
    "suite": "4. Conformance suite (ci profile, reference implementation)",
}


@dataclass
class Table:
    header: tuple[str, ...]
    rows: list[tuple[str, ...]] = field(default_factory=list[tuple[str, ...]])
    notes: list[str] = field(default_factory=list[str])


TABLES: dict[str, Table] = {}


@dataclass(frozen=True)
class Timing:
    median: float
    iqr: float


def timed(benchmark: object, run: Callable[[], object], *, rounds: int, warmup: int = 2) -> Timing:
    """pytest-benchmark's pedantic mode (warm-up, then ``rounds`` timed rounds); its API is
    untyped, so it is reached through this one function."""
    fixture: Any = benchmark
    fixture.pedantic(run, rounds=rounds, warmup_rounds=warmup, iterations=1)
    stats = fixture.stats.stats
    return Timing(float(stats.median), float(stats.iqr))


def table(section: str, *header: str) -> Table:
    return TABLES.setdefault(section, Table(header))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--bench-write", metavar="FILE", help="also write the tables as Markdown to FILE")
    parser.addoption("--bench-max-power", type=int, default=6, help="largest run in the scale section: 10**N intents")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, Python {sys.version.split()[0]}"


def render(markdown: bool) -> str:
    lines: list[str] = []
    for key, title in SECTIONS.items():
        found = TABLES.get(key)
        if found is None:
            continue
        lines += [f"### {title}" if markdown else f"\n{title}", ""]
        widths = [max(len(str(c)) for c in col) for col in zip(found.header, *found.rows)]
        def row(cells: tuple[str, ...]) -> str:
            padded = [str(c).ljust(w) for c, w in zip(cells, widths)]
            return "| " + " | ".join(padded) + " |" if markdown else "  ".join(padded)
        lines.append(row(found.header))
        lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|" if markdown else "  ".join("-" * w for w in widths))
        lines += [row(r) for r in found.rows]
        lines += [""] + [f"- {n}" if markdown else f"  {n}" for n in found.notes] + [""]
    return "\n".join(lines)


GENERATED = "<!-- Everything below is written by ./scripts/bench --bench-write; edit above this line. -->"
"""Splits docs/benchmarks.md: the hand-written part above it (what each figure includes,
the history of earlier figures) is kept; the run's tables below it are replaced."""

LOAD_AT_START = os.getloadavg()


def _run_line() -> str:
    end = os.getloadavg()
    return (f"Machine: {machine()}. Load average (1 min) {LOAD_AT_START[0]:.1f} at the start of the run and "
            f"{end[0]:.1f} at its end, on {os.cpu_count()} cores.")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    terminalreporter.write_line(f"\n{_run_line()}")
    terminalreporter.write_line(render(markdown=False))
    target = config.getoption("--bench-write")
    if target:
        path = Path(target)
        kept = path.read_text(encoding="utf-8").split(GENERATED, 1)[0] if path.exists() else "# Benchmarks\n\n"
        path.write_text(f"{kept}{GENERATED}\n\n{_run_line()}\n\n{render(markdown=True)}", encoding="utf-8")
