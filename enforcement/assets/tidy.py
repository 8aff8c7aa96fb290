"""A tidy-up is a change that cannot alter behaviour: the same API surface and the same
code once docstrings, comments, ``if TYPE_CHECKING:`` blocks (``typing.TYPE_CHECKING`` by name
resolution, ``inert.py``) and annotations outside
class bodies are set aside (class-body annotations stay: they make dataclass fields).
In a package's ``__init__.py``, new re-exports are a tidy-up too: added
``from ... import ...`` lines and ``__all__`` entries, with every old export kept (Phase 5
adds to a package's namespace; the modules imported are themselves locked or declared).
It is accepted with a recorded reason instead of a failing test (``qts-assets tidy``),
and verify re-checks it against git history every time."""

from __future__ import annotations

import ast

from enforcement.assets.inert import TypeChecking
from enforcement.assets.surface import api_surface


def tidy_problem(path: str, old: bytes, new: bytes) -> str | None:
    """Why changing ``old`` into ``new`` is not a tidy-up, or None when it is one."""
    try:
        before, after = ast.parse(old, filename=path), ast.parse(new, filename=path)
    except SyntaxError as error:
        return f"{path} does not parse (line {error.lineno}: {error.msg})"
    old_api, new_api = api_surface(old.decode(), "", path), api_surface(new.decode(), "", path)
    if path.endswith("__init__.py"):
        if any(new_api.get(name) != value for name, value in old_api.items()) or any(
            not value.startswith("= ") for name, value in new_api.items() if name not in old_api
        ):
            return f"{path} changes or removes an export, or adds one that is not a re-export, so it is not a tidy-up"
        before, after = _without_reexports(before), _without_reexports(after)
    elif old_api != new_api:
        return f"{path} changes its public API surface, so it is not a tidy-up"
    if _normalised(before) != _normalised(after):
        return f"{path} changes code, not only comments, docstrings or annotations, so it is not a tidy-up"
    return None


def _without_reexports(tree: ast.Module) -> ast.Module:
    """The module without its top-level ``from ... import ...`` lines and ``__all__``."""
    tree.body = [s for s in tree.body if not isinstance(s, ast.ImportFrom) and not _assigns_all(s)]
    return tree


def _assigns_all(statement: ast.stmt) -> bool:
    targets = statement.targets if isinstance(statement, ast.Assign) else (
        [statement.target] if isinstance(statement, ast.AnnAssign | ast.AugAssign) else [])
    return any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets)


def _normalised(tree: ast.Module) -> str:
    return ast.dump(_Strip(TypeChecking.of(tree)).visit(tree), include_attributes=False)


class _Strip(ast.NodeTransformer):
    def __init__(self, type_checking: TypeChecking) -> None:
        self.type_checking = type_checking

    def generic_visit(self, node: ast.AST) -> ast.AST:
        for name in ("body", "orelse", "finalbody"):
            statements = getattr(node, name, None)
            if isinstance(statements, list):
                in_class = isinstance(node, ast.ClassDef)
                kept = [s for s in statements if isinstance(s, ast.stmt) and not _inert(s, self.type_checking, in_class=in_class)]  # pyright: ignore[reportUnknownVariableType]
                setattr(node, name, kept or ([ast.Pass()] if name == "body" else []))
        if isinstance(node, ast.ClassDef):
            for statement in node.body:
                if isinstance(statement, ast.AnnAssign):
                    statement.simple = -1  # a class-body annotation is kept (see the module docstring)
        return super().generic_visit(node)

    def visit_arg(self, node: ast.arg) -> ast.AST:
        node.annotation = None
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        node.returns = None
        return self.generic_visit(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.AST:
        node.returns = None
        return self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST:
        if node.simple != -1:
            node.annotation = ast.Constant(value=None)
        node.simple = 1
        return self.generic_visit(node)


def _inert(statement: ast.stmt, type_checking: TypeChecking, *, in_class: bool) -> bool:
    """A bare string (a docstring), a bare annotation outside a class body (``x: int``), or
    an ``if TYPE_CHECKING:`` block without ``else`` whose test really is ``typing.TYPE_CHECKING``."""
    if isinstance(statement, ast.AnnAssign) and statement.value is None and not in_class:
        return True
    if isinstance(statement, ast.Expr):
        return isinstance(statement.value, ast.Constant) and isinstance(statement.value.value, str)
    if isinstance(statement, ast.If) and not statement.orelse:
        return type_checking.is_guard(statement.test)
    return False
