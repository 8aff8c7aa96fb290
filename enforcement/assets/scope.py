"""What is locked: the listed assets and whatever can change their behaviour without
touching them (seed section 4). For code assets that is every module executed when they
are imported: their packages' ``__init__.py`` files and, transitively, every module of
the project they import (imports under ``if TYPE_CHECKING:`` never run and are left
out). For test assets it is the ``conftest.py`` files pytest loads for them. What the imports
say is checked against what really runs: the modules loaded when the assets are imported
in a clean interpreter (``observe.py``: dynamic imports, ``sitecustomize``, shadowing
packages) are in scope too. A module in
that scope can be left unlocked only by naming it in ``[tool.qts] unlocked``;
verify then reports it every time.
"""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path, PurePosixPath

from enforcement.assets.config import Config, LockError, is_test_file
from enforcement.assets.inert import TypeChecking
from enforcement.assets.lock import Entry
from enforcement.assets.observe import Observed, observe
from enforcement.assets.surface import api_surface


def scope(config: Config, observed: Observed | None = None) -> dict[str, str | None]:
    """``{path: why}`` for every file the lock must cover (``why`` is None for listed assets): what the
    imports say, and what really ran when the assets were imported (``observe.py``)."""
    base = config.root
    found: dict[str, str | None] = {asset: None for asset in config.assets}
    queue = [a for a in config.assets if not is_test_file(a)]
    for asset in config.assets:
        if is_test_file(asset):
            for conftest in _conftests(base, asset):
                found.setdefault(conftest, f"conftest.py loaded for {asset}")
    seen: set[str] = set()
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        module = config.module_of(path)
        for imported, how in _executed_by(config, base, path, module):
            found.setdefault(imported, f"{how} {path}")
            queue.append(imported)
    roots = tuple(p.relative_to(config.root).as_posix() for p in config.pythonpath)
    for path, loaded in sorted((observed or observe(config)).closure.items()):
        if path.endswith(".py") and any(r in (".", "") or path.startswith(r + "/") for r in roots):
            found.setdefault(path, f"run with the assets as {loaded.module}: {loaded.how}")
    return found


def entry(config: Config, path: str, content: bytes, because: str | None) -> Entry:
    module = "" if is_test_file(path) else config.module_of(path)
    try:
        code = content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise LockError(f"{path} is not UTF-8 text ({error}); a locked file must be Python source") from error
    return Entry(hashlib.sha256(content).hexdigest(), api_surface(code, module, path), because)


def current(config: Config, wanted: dict[str, str | None]) -> dict[str, Entry]:
    """Entries for ``wanted`` as the working tree has them (missing files are left out)."""
    return {p: entry(config, p, (config.root / p).read_bytes(), why)
            for p, why in sorted(wanted.items()) if (config.root / p).is_file()}


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _conftests(base: Path, asset: str) -> list[str]:
    parents = list(reversed(PurePosixPath(asset).parents))
    return [(p / "conftest.py").as_posix().removeprefix("./") for p in parents if (base / p / "conftest.py").is_file()]


def _executed_by(config: Config, base: Path, path: str, module: str) -> list[tuple[str, str]]:
    """Project files that run when ``path`` (module ``module``) is imported, with how."""
    source = base / path
    if not source.is_file():
        raise LockError(f"asset {path} does not exist under {base}; restore it or remove it from {config.section} assets")
    try:
        syntax = ast.parse(source.read_bytes(), filename=path)
    except SyntaxError as error:
        raise LockError(f"{path} has a syntax error at line {error.lineno} ({error.msg}); fix it and rerun") from error
    is_package = PurePosixPath(path).name == "__init__.py"
    names = {*_parents(module, include_self=is_package)}
    finder = _ImportFinder(module if is_package else module.rpartition(".")[0], TypeChecking.of(syntax))
    finder.visit(syntax)
    found: list[tuple[str, str]] = []
    for name in sorted(names):
        found += [(f, "package of") for f in _files_of(config, base, name)]
    for name in sorted(finder.names):
        for prefix in _parents(name, include_self=True):
            found += [(f, "imported by") for f in _files_of(config, base, prefix)]
    return [(f, how) for f, how in found if f != path]


def _parents(module: str, *, include_self: bool) -> list[str]:
    parts = module.split(".")
    stop = len(parts) if include_self else len(parts) - 1
    return [".".join(parts[:i]) for i in range(1, stop + 1)]


def _files_of(config: Config, base: Path, module: str) -> list[str]:
    for entry_point in config.pythonpath:
        root = base / entry_point.relative_to(config.root)
        for candidate in (root.joinpath(*module.split("."), "__init__.py"), root.joinpath(*module.split(".")).with_suffix(".py")):
            if candidate.is_file():
                return [candidate.relative_to(base).as_posix()]
    return []


class _ImportFinder(ast.NodeVisitor):
    def __init__(self, package: str, type_checking: TypeChecking) -> None:
        self.package = package
        self.type_checking = type_checking
        self.names: set[str] = set()

    def visit_If(self, node: ast.If) -> None:
        if self.type_checking.is_guard(node.test):
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        self.names.update(alias.name for alias in node.names)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            anchor = self.package.split(".")
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join(p for p in (*anchor, base) if p)
        self.names.add(base)
        self.names.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
