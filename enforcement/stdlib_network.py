"""Which standard-library modules can reach the network or another process, derived from
the standard library's own import graph rather than listed by hand (seed 3: the runtime
opens no connection of its own). A hand list misses ``xmlrpc.client``,
``logging.handlers`` or ``smtplib``; this reads every stdlib module's source (nothing is
imported) and keeps each module whose import, through the imports it runs when loaded,
reaches ``socket``, ``ssl``, ``subprocess`` or ``multiprocessing``.

Why not grimp: grimp builds graphs of named packages and squashes everything outside
them, so a graph of the whole standard library means naming all ~300 top-level modules
and gets submodule edges only for those; the standard library's own ``ast`` gives the
module-level edges directly and in well under a second.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
from collections import deque
from functools import cache
from pathlib import Path

REACHED = frozenset({"socket", "_socket", "ssl", "_ssl", "subprocess", "_posixsubprocess", "multiprocessing",
                     "_multiprocessing"})
"""What the runtime must not reach: a socket, TLS, or another process."""
NOT_READ = frozenset({"test", "idlelib", "tkinter", "turtledemo", "lib2to3", "ensurepip", "pydoc_data"})
"""Parts of the standard library no runtime imports (test suites, GUIs); not read, to keep this fast."""


@cache
def network_reaching() -> dict[str, tuple[str, ...]]:
    """``{stdlib module: the path of module imports by which it reaches REACHED}``."""
    edges = _graph()
    reverse: dict[str, set[str]] = {}
    for importer, imported in edges.items():
        for name in imported:
            reverse.setdefault(name, set()).add(importer)
    found: dict[str, tuple[str, ...]] = {name: (name,) for name in REACHED}
    queue = deque(sorted(REACHED))
    while queue:
        name = queue.popleft()
        for importer in sorted(reverse.get(name, ())):
            if importer not in found:
                found[importer] = (importer, *found[name])
                queue.append(importer)
    return found


def _graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for top in sorted(sys.stdlib_module_names - NOT_READ):
        try:
            spec = importlib.util.find_spec(top)
        except (ImportError, ValueError):
            continue
        if spec is None or not spec.origin or not spec.origin.endswith(".py"):
            continue
        origin = Path(spec.origin)
        if spec.submodule_search_locations:
            for file in origin.parent.rglob("*.py"):
                relative = file.relative_to(origin.parent).with_suffix("").parts
                if any(part in NOT_READ or part == "tests" for part in relative):
                    continue
                parts = (top, *relative[:-1]) if relative[-1] == "__init__" else (top, *relative)
                edges[".".join(parts)] = _imports(file, ".".join(parts), is_package=relative[-1] == "__init__")
        else:
            edges[top] = _imports(origin, top, is_package=False)
    return edges


def _imports(file: Path, module: str, *, is_package: bool) -> set[str]:
    """Modules ``file`` imports when it is loaded (not those imported only inside functions), and its parent."""
    try:
        tree = ast.parse(file.read_bytes(), filename=str(file))
    except (OSError, SyntaxError, ValueError):
        return set()
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = {package} if package and package != module else set()
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(p for p in (*anchor, base) if p)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
        else:
            pending.extend(ast.iter_child_nodes(node))
    return found
