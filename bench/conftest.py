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
    "loop": "1. Loop overhead per intent",
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


HAND_WRITTEN = "\n## The kit's own test command\n"
"""Sections from this heading on are measured by hand and kept when the file is rewritten."""


def _written_by_hand(path: Path) -> str:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    return text[text.index(HAND_WRITTEN):] if HAND_WRITTEN in text else ""


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    terminalreporter.write_line(f"\nmachine: {machine()}")
    terminalreporter.write_line(render(markdown=False))
    target = config.getoption("--bench-write")
    if target:
        Path(target).write_text(
            "# Benchmarks\n\n"
            "Measured by `./scripts/bench --bench-write docs/benchmarks.md` (pytest-benchmark: warm-up, "
            "repeated rounds, medians; every ratio compares figures taken in the same process run).\n\n"
            f"Machine: {machine()}.\n\n"
            "History: the first measurement missed the loop target (reference / bare = 2.69). A cProfile run "
            "showed four causes, all fixed in `reference_impl` with no clause changed: the always-on stop "
            "policies ran as three policy objects on every pull (now a flag fast path), enum members were read "
            "off their classes on the hot path (~110 ns each on CPython 3.11; now module constants), every hook "
            "went through a `*args` helper (now called inline; only a refusal builds its Fault), and "
            "`before_route` received a frozen `OrderRecord` built for that one call (440 ns; now a slotted "
            "read-only view). Not met everywhere: at 10^6 intents with the GC off the reference costs ~10% more "
            "per intent than at 10^4 while the bare loop stays flat, putting that row's ratio at ~2.04 in "
            "repeated runs; the reference keeps ~45% more bytes per order (its record and history tuple), and "
            "at that size the extra memory traffic shows. The 2.0 target is section 1's, at 2x10^4 intents.\n\n" + render(markdown=True)
            + _written_by_hand(Path(target)),
            encoding="utf-8",
        )
