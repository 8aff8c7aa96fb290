"""Imports that are not ``import`` statements: ``importlib.import_module(name)``,
``__import__``, ``exec``/``eval`` of code, ``importlib.metadata.entry_points`` (plugins
named in configuration), ``runpy``. An import graph cannot see what they load, so the
runtime layer may use them only where an allow-list names the call site
(docs/layering.md). Names are resolved through the module's own imports, so an alias
(``from importlib import import_module as load``) is found too."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

PRIMITIVES = frozenset({
    "importlib.import_module", "importlib.__import__", "builtins.__import__", "builtins.exec", "builtins.eval",
    "importlib.metadata.entry_points", "importlib_metadata.entry_points", "runpy.run_module", "runpy.run_path",
    "importlib.util.spec_from_file_location", "importlib.util.module_from_spec", "importlib.machinery.SourceFileLoader",
})


@dataclass(frozen=True)
class Use:
    primitive: str
    line: int
    text: str
    target: str | None
    """The module named by a constant argument (``import_module("desk.hooks")``, ``exec("import x")``), if any."""


def uses_in(file: Path) -> list[Use]:
    """Every reference to a dynamic-import primitive in ``file`` (a call or a name bound to one)."""
    try:
        source = file.read_text(encoding="utf-8")
        tree = ast.parse(source, filename=str(file))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return []
    lines = source.splitlines()
    bound = _bindings(tree)
    found: list[Use] = []
    seen: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _resolve(node.func, bound)
            if name in PRIMITIVES:
                seen.add(id(node.func))
                found.append(Use(name, node.lineno, lines[node.lineno - 1].strip(), _target(name, node)))
        elif isinstance(node, ast.Name | ast.Attribute) and isinstance(getattr(node, "ctx", None), ast.Load):
            name = _resolve(node, bound)
            if name in PRIMITIVES and id(node) not in seen and not _inside_call_func(node, tree):
                found.append(Use(name, node.lineno, lines[node.lineno - 1].strip(), None))
    return sorted(found, key=lambda u: (u.line, u.primitive))


def _inside_call_func(node: ast.AST, tree: ast.Module) -> bool:
    return any(isinstance(n, ast.Call) and (n.func is node or _contains(n.func, node)) for n in ast.walk(tree))


def _contains(outer: ast.AST, node: ast.AST) -> bool:
    return any(child is node for child in ast.walk(outer))


def _bindings(tree: ast.Module) -> dict[str, str]:
    """Local name -> the dotted name an import binds it to."""
    bound: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    bound[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    bound[top] = top
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return bound


def _resolve(node: ast.expr, bound: dict[str, str]) -> str | None:
    if isinstance(node, ast.Name):
        if node.id in bound:
            return bound[node.id]
        return f"builtins.{node.id}" if node.id in ("__import__", "exec", "eval") else None
    if isinstance(node, ast.Attribute):
        base = _resolve(node.value, bound)
        return f"{base}.{node.attr}" if base else None
    return None


def _target(name: str, call: ast.Call) -> str | None:
    first = call.args[0] if call.args else None
    if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
        return None
    if name.endswith(("exec", "eval")):
        try:
            code = ast.parse(first.value)
        except SyntaxError:
            return None
        names = [a.name for n in ast.walk(code) if isinstance(n, ast.Import) for a in n.names]
        names += [n.module for n in ast.walk(code) if isinstance(n, ast.ImportFrom) and n.module]
        return names[0] if names else None
    return first.value if name.endswith(("import_module", "__import__")) else None
