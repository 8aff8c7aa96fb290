"""State machines drawn from their own tables (Mermaid): the docs site's diagrams are
the tables' (a check fails when they drift apart), and a run's diagram marks each row
with how often the generated runs took it, never exercised, or dead (STATE-9)."""

from __future__ import annotations

import importlib
import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import cast

from conformance_tests.coverage import DeclaredCoverage, Reached
from conformance_tests.diagram import coverage_diagram, machine_diagram, state_diagram
from conformance_tests.violation import Cause
from spec.resting import STANDARD_RESTING
from spec.state_machine import PHASE4, StateModel

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "state-machines.md"


def _example_machine() -> StateModel[StrEnum]:
    source = str(ROOT / "examples" / "acme_desk" / "src")
    sys.path.insert(0, source)
    try:
        states = importlib.import_module("desk.order_states")
    finally:
        sys.path.remove(source)
    return cast(StateModel[StrEnum], states.DESK_MACHINE)


def test_the_docs_diagrams_are_drawn_from_the_tables_they_show() -> None:
    """docs/state-machines.md: Phase 4, the standard resting lifecycle and the example's
    machine, in that order, each exactly as machine_diagram draws it."""
    blocks = re.findall(r"```mermaid\n(.*?)\n```", PAGE.read_text(encoding="utf-8"), re.S)
    expected = [machine_diagram(PHASE4), machine_diagram(STANDARD_RESTING.machine),
                machine_diagram(_example_machine())]
    for drawn, want in zip(blocks, expected, strict=True):
        assert drawn == want, f"docs/state-machines.md drifted from the table; the diagram is now:\n{want}"


def test_phase4_is_drawn_with_its_entry_rows_and_terminal_exits() -> None:
    drawn = machine_diagram(PHASE4)
    assert 'state "created" as s0' in drawn and "[*] --> s0" in drawn
    assert "s0 --> s1 : submit" in drawn
    assert {line.strip() for line in drawn.splitlines() if line.strip().endswith("--> [*]")} == {
        f"s{n} --> [*]" for n in (2, 3, 4, 5)}


def test_a_runs_diagram_says_how_often_each_row_was_taken() -> None:
    rows = [("created", "submit", "submitted"), ("submitted", "accept", "accepted"), ("submitted", "linger", "stuck"),
            ("created", "fail", "failed")]
    coverage = DeclaredCoverage(9, (
        *(Reached("state", s, 1) for s in ("created", "submitted", "accepted", "stuck", "failed")),
        Reached("row", "a", 1, row=rows[0]), Reached("row", "b", 0, row=rows[1]),
        Reached("row", "c", 0, reachable=False, row=rows[2]), Reached("row", "d", 0, by_runs=False, row=rows[3]),
    ), "created", ("accepted", "failed"))
    drawn = coverage_diagram(coverage)
    assert "s0 --> s1 : submit (1 run)" in drawn
    assert "s1 --> s2 : accept (NEVER EXERCISED)" in drawn
    assert "s1 --> s3 : linger (DEAD, nothing declared reaches it)" in drawn
    assert "s0 --> s4 : fail (checked on the table)" in drawn
    assert "s2 --> [*]" in drawn and "s4 --> [*]" in drawn and "s3 --> [*]" not in drawn


def test_a_label_cannot_break_the_diagram() -> None:
    """A state or event value with Mermaid's separators or quotes is drawn as text."""
    drawn = state_diagram(['a "b"', "c;d"], 'a "b"', ["c;d"], [('a "b"', "go: now\n#1", "c;d")])
    assert "state \"a 'b'\" as s0" in drawn and 'state "c d" as s1' in drawn
    assert "s0 --> s1 : go  now  1" in drawn and drawn.count("\n") == 6


def test_a_failing_orders_due_row_and_the_state_it_went_to_instead_are_marked() -> None:
    """The failing path: each row the first departure's order was due to take and did
    not carries its clause, and the state it ended in instead is drawn failing."""
    rows = [("created", "submit", "submitted"), ("submitted", "partial", "partial"), ("partial", "expire", "expired")]
    coverage = DeclaredCoverage(3, (
        *(Reached("state", s, 1) for s in ("created", "submitted", "partial", "expired")),
        *(Reached("row", f"r{n}", 2, row=row) for n, row in enumerate(rows)),
    ), "created", ("expired",))
    left_open = Cause("TERMINAL-1", "order #0 ('o-0')", "due", "seen", 1,
                      ("created", "submitted", "partial", "expired"), ("created", "submitted", "partial"))
    drawn = coverage_diagram(coverage, [left_open])
    assert "s2 --> s3 : expire (2 runs, FAILING, due and not taken (TERMINAL-1))" in drawn
    assert "s1 --> s2 : partial (2 runs)" in drawn
    assert drawn.endswith("    classDef failing fill:#fdd,stroke:#c00,stroke-width:2px\n    class s2 failing")
    assert "classDef" not in coverage_diagram(coverage)
