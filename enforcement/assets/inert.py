"""Which ``if TYPE_CHECKING:`` blocks never run, proved from the module's own imports: the
test must be ``typing.TYPE_CHECKING`` (or ``typing_extensions``'), reached through a name
that an import binds to it and that nothing else in the module rebinds. Any other
expression that ends in ``.TYPE_CHECKING`` (``__import__("types").SimpleNamespace(
TYPE_CHECKING=True).TYPE_CHECKING``) can be true, so its block counts as code: the lock
follows its imports and a tidy-up may not touch it (docs/asset-lock.md)."""

from __future__ import annotations

import ast
from dataclasses import dataclass

TYPING_MODULES = frozenset({"typing", "typing_extensions"})


@dataclass(frozen=True)
class TypeChecking:
    names: frozenset[str]
    """Names bound only to ``typing.TYPE_CHECKING`` (``from typing import TYPE_CHECKING [as X]``)."""
    modules: frozenset[str]
    """Names bound only to a typing module (``import typing [as t]``)."""

    @classmethod
    def of(cls, tree: ast.Module) -> TypeChecking:
        names: set[str] = set()
        modules: set[str] = set()
        trusted: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module in TYPING_MODULES:
                for alias in node.names:
                    if alias.name == "TYPE_CHECKING":
                        names.add(alias.asname or alias.name)
                        trusted.add(id(alias))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name in TYPING_MODULES:
                        modules.add(alias.asname or alias.name)
                        trusted.add(id(alias))
        rebound = {name for node in ast.walk(tree) for name in _bound_by(node, trusted)}
        return cls(frozenset(names - rebound), frozenset(modules - rebound))

    def is_guard(self, test: ast.expr) -> bool:
        """True only for a test that is ``typing.TYPE_CHECKING`` by name resolution."""
        if isinstance(test, ast.Name):
            return test.id in self.names
        return (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING" and isinstance(test.value, ast.Name)
                and test.value.id in self.modules)


def _bound_by(node: ast.AST, trusted: set[int]) -> list[str]:
    """The names ``node`` binds, other than the typing imports themselves."""
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
        return [node.id]
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [node.name]
    if isinstance(node, ast.alias) and id(node) not in trusted:
        return [node.asname or node.name.split(".")[0]]
    if isinstance(node, ast.arg):
        return [node.arg]
    if isinstance(node, ast.ExceptHandler) and node.name:
        return [node.name]
    if isinstance(node, ast.Global | ast.Nonlocal):
        return list(node.names)
    return []
