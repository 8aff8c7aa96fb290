"""Imports inside installed third-party packages, which import-linter's graph does not
look into (it stops at the package's name): how a runtime reaches a broker SDK or a
network client through a wrapper (``runtime -> fancy_wrapper -> ccxt``). Read
statically (nothing is imported), through PEP 420 namespace packages and modules loaded by
name (``importlib.import_module("ccxt")``); the standard library is not followed. A
package whose code cannot be read (bytecode only, a compiled extension, a custom loader)
is reported, since nothing can be said about what it imports."""

from __future__ import annotations

import ast
import importlib.util
from importlib.machinery import SourceFileLoader
import sys
from collections import deque
from functools import cache
from pathlib import Path

from enforcement.dynamic_imports import uses_in

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
    if spec is None or spec.origin in ("built-in", "frozen"):
        return {}
    if spec.submodule_search_locations:  # a regular package, or a PEP 420 namespace package (no origin)
        files = sorted(f for location in spec.submodule_search_locations for f in Path(location).rglob("*.py"))
    else:
        files = [Path(str(spec.origin))] if str(spec.origin or "").endswith(".py") else []
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
    # importlib.import_module("ccxt"), __import__("ccxt"), exec("import ccxt"): loaded by name, followed all the same
    found += [(use.target.split(".")[0], use.line, use.text) for use in uses_in(file) if use.target]
    return found


def unreadable(package: str) -> str | None:
    """Why the installed ``package``'s imports cannot be read from source, or None when they can (or it is absent)."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin in ("built-in", "frozen"):
        return None
    origin = str(spec.origin or "")
    if origin.endswith(".pyc"):
        return f"{origin} is bytecode without its source"
    if origin.endswith((".so", ".pyd")):
        return f"{origin} is a compiled extension"
    if spec.origin is not None and spec.loader is not None and not isinstance(spec.loader, SourceFileLoader):
        return f"{origin} is loaded by {type(spec.loader).__name__}, not read from source files"
    for location in spec.submodule_search_locations or ():
        for file in sorted(Path(location).rglob("*")):
            if file.suffix in (".so", ".pyd"):
                return f"{file} is a compiled extension"
            if file.suffix == ".pyc" and file.parent.name != "__pycache__":
                return f"{file} is bytecode without its source"
    return None


def unreadable_reached(start: str, allowed: frozenset[str]) -> list[tuple[str, str, list[Hop]]]:
    """Each package reachable from ``start`` (itself included) whose code cannot be read: ``(package, why, hops)``."""
    previous: dict[str, Hop | None] = {start: None}
    queue = deque([start])
    found: list[tuple[str, str, list[Hop]]] = []
    while queue:
        package = queue.popleft()
        why = unreadable(package)
        if why is not None and package not in allowed:
            hops: list[Hop] = []
            hop = previous[package]
            while hop is not None:
                hops.append(hop)
                hop = previous[hop[0]]
            found.append((package, why, list(reversed(hops))))
        for imported, where in sorted(imports_of(package).items()):
            if imported not in previous and is_third_party(imported):
                previous[imported] = (package, imported, where)
                queue.append(imported)
    return found
