"""`spec` depends on nothing but the standard library and typing_extensions: the
import-linter contract names what is forbidden; this checks the allow-list itself."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

SPEC = Path(__file__).resolve().parents[1] / "spec"
ALLOWED = set(sys.stdlib_module_names) | {"typing_extensions", "spec", "__future__"}


def imported_roots(source: str) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_spec_imports_only_the_standard_library_and_typing_extensions() -> None:
    found = {
        f"{path.name}: {root}"
        for path in sorted(SPEC.rglob("*.py"))
        for root in imported_roots(path.read_text(encoding="utf-8"))
        if root not in ALLOWED
    }
    assert not found


def test_the_check_sees_a_third_party_import() -> None:
    assert imported_roots("import attrs\nfrom pydantic import BaseModel\nfrom . import x\n") == {"attrs", "pydantic"}
