"""The specification, the clause registry and the conformance tests must agree: every
clause in docs/specification.md is in spec.CLAUSES with the same title and is named by at
least one conformance test; no test and no error message cites an unknown clause."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from spec import CLAUSES

ROOT = Path(__file__).resolve().parents[1]
SPEC_DOC = ROOT / "docs" / "specification.md"
HEADING = re.compile(r"^### (?P<id>[A-Z]+-\d+) — (?P<title>.+)$", re.MULTILINE)


def citation(families: Iterable[str]) -> re.Pattern[str]:
    """A clause id of any of ``families`` (every family the registry or the docs name,
    so that a new family cannot be left out of the check)."""
    return re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, families))) + r")-\d+\b")


def documented_clauses(markdown: str) -> dict[str, str]:
    return {m.group("id"): m.group("title").strip() for m in HEADING.finditer(markdown)}


def clauses_named_by_tests(sources: Iterable[str]) -> set[str]:
    """Clause ids named by ``@pytest.mark.qts_clause(...)`` decorators, read from the AST."""
    found: set[str] = set()
    for source in sources:
        for node in ast.walk(ast.parse(source)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "qts_clause"
            ):
                found.update(a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str))
    return found


def drift(documented: Mapping[str, str], registry: Mapping[str, str], tested: set[str], cited: set[str]) -> list[str]:
    problems = [f"{cid} is in the docs but not in spec.CLAUSES" for cid in documented.keys() - registry.keys()]
    problems += [f"{cid} is in spec.CLAUSES but not in the docs" for cid in registry.keys() - documented.keys()]
    problems += [
        f"{cid}: docs title {documented[cid]!r} != spec.CLAUSES title {registry[cid]!r}"
        for cid in documented.keys() & registry.keys()
        if documented[cid] != registry[cid]
    ]
    problems += [f"{cid} has no conformance test" for cid in registry.keys() - tested]
    problems += [f"a conformance test names unknown clause {cid}" for cid in tested - registry.keys()]
    problems += [f"code cites unknown clause {cid}" for cid in cited - registry.keys()]
    return sorted(problems)


def _sources(*packages: str) -> list[str]:
    return [p.read_text(encoding="utf-8") for package in packages for p in sorted((ROOT / package).rglob("*.py"))]


def test_docs_registry_and_tests_agree() -> None:
    documented = documented_clauses(SPEC_DOC.read_text(encoding="utf-8"))
    registry = {cid: clause.title for cid, clause in CLAUSES.items()}
    tested = clauses_named_by_tests(_sources("conformance_tests"))
    families = {cid.split("-")[0] for cid in (*documented, *registry)}
    assert {"STATE", "TERMINAL", "RISK", "LOOP", "RESTING", "ROUTE"} <= families
    pattern = citation(families)
    cited = {c for source in _sources("spec", "reference_impl", "conformance_tests") for c in pattern.findall(source)}
    assert drift(documented, registry, tested, cited) == []
    assert list(documented) == list(registry), "the docs and spec.CLAUSES list the clauses in different orders"


def test_the_drift_check_fails_on_drift() -> None:
    """The check above is only worth something if it can fail: feed it each drift."""
    registry = {"STATE-1": "A", "LOOP-1": "B"}
    documented = documented_clauses("### STATE-1 — A\n\ntext\n\n### LOOP-9 — C\n")
    tested = clauses_named_by_tests(['@pytest.mark.qts_clause("STATE-1", "RISK-7")\ndef test_x(): ...'])
    assert citation({"STATE", "RESTING"}).findall("STATE-1, RESTING-9 and LOOP-2") == ["STATE-1", "RESTING-9"]
    assert drift(documented, registry, tested, {"ROUTE-5", "RESTING-9"}) == sorted(
        [
            "LOOP-9 is in the docs but not in spec.CLAUSES",
            "LOOP-1 is in spec.CLAUSES but not in the docs",
            "LOOP-1 has no conformance test",
            "a conformance test names unknown clause RISK-7",
            "code cites unknown clause ROUTE-5",
            "code cites unknown clause RESTING-9",
        ]
    )
    assert drift({"STATE-1": "A"}, {"STATE-1": "B"}, {"STATE-1"}, set()) == [
        "STATE-1: docs title 'A' != spec.CLAUSES title 'B'"
    ]
