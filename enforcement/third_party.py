"""Imports inside installed third-party packages, which import-linter's graph does not
look into (it stops at the package's name): how a runtime reaches a broker SDK or a
network client through a wrapper (``runtime -> fancy_wrapper -> ccxt``). Read
statically (nothing is imported); the standard library is not followed."""

from __future__ import annotations

import ast
import importlib.util
import sys
from collections import deque
from functools import cache
from pathlib import Path

Hop = tuple[str, str, list[str]]
"""``(importer, imported, ["file:line: source", ...])`` between two top-level packages."""


def is_third_party(name: str) -> bool:
    return name.split(".")[0] not in sys.stdlib_module_names


def chain_to(start: str, forbidden: frozenset[str]) -> list[Hop] | None:
    """The shortest chain of third-party packages from ``start`` to a ``forbidden`` top-level name."""
    previous: dict[str, Hop | None] = {start: None}
    queue = deque([start])
    while queue:
        package = queue.popleft()
        for imported, where in sorted(imports_of(package).items()):
            if imported in previous:
                continue
            previous[imported] = (package, imported, where)
            if imported in forbidden:
                hops: list[Hop] = []
                hop = previous[imported]
                while hop is not None:
                    hops.append(hop)
                    hop = previous[hop[0]]
                return list(reversed(hops))
            if is_third_party(imported):
                queue.append(imported)
    return None


@cache
def imports_of(package: str) -> dict[str, list[str]]:
    """Top-level names the installed ``package`` imports (itself excluded), with where."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return {}
    if spec is None or spec.origin in (None, "built-in", "frozen"):
        return {}
    if spec.submodule_search_locations:
        files = sorted(f for location in spec.submodule_search_locations for f in Path(location).rglob("*.py"))
    else:
        files = [Path(str(spec.origin))] if str(spec.origin).endswith(".py") else []
    found: dict[str, list[str]] = {}
    for file in files:
        for name, line, text in _imports_in(file):
            if name != package:
                found.setdefault(name, []).append(f"{file}:{line}: {text}")
    return found


def _imports_in(file: Path) -> list[tuple[str, int, str]]:
    try:
        source = file.read_text(encoding="utf-8")
        tree = ast.parse(source, filename=str(file))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return []
    lines = source.splitlines()
    found: list[tuple[str, int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [(name.split(".")[0], node.lineno, lines[node.lineno - 1].strip()) for name in names]
    return found
