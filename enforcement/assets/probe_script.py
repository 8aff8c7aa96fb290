"""What the assets really run, observed in a clean interpreter (docs/asset-lock.md,
"What is locked"). ``observe.py`` runs this file's text with ``python -c`` so that no
module of the kit is imported by the observer itself; it imports nothing but the
standard library, and only after its observations are made.

Input (``sys.argv[1]``, JSON): ``{"assets": [module, ...], "entry": [module, ...],
"root": dir, "exclude": [dir, ...], "kit": [package, ...], "out": path}``. It imports the assets, records every
module then loaded (and the modules interpreter start-up loaded: ``sitecustomize``,
``.pth`` files) with the place that imported it, imports the entry modules the way
production does (the team's binding), and then checks that every function and class
of each project or kit module the assets loaded is the one compiled from its file: a monkeypatch
from anywhere shows up as a code object that is not the file's.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # typing itself is not imported before the observation
if TYPE_CHECKING:
    from typing import Any

STARTUP = dict(sys.modules)
FRAMES_TO_SKIP = ("<frozen importlib", "<string>")


class _Tracer:
    """A meta-path finder that finds nothing: it notes who asked for each module."""

    def __init__(self) -> None:
        self.how: dict[str, str] = {}

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name in self.how:
            return None
        frame: Any = sys._getframe(1)  # pyright: ignore[reportPrivateUsage]  # the importer's frame: who asked
        while frame is not None and (frame.f_code.co_filename.startswith(FRAMES_TO_SKIP)
                                     or frame.f_code.co_filename.endswith(("importlib/__init__.py", "importlib\\__init__.py"))):
            frame = frame.f_back
        if frame is None:
            self.how[name] = "imported as an asset or one of its packages"
            return None
        importer = frame.f_globals.get("__name__", "?")
        self.how[name] = f"imported by {importer} ({frame.f_code.co_filename}:{frame.f_lineno})"
        return None


def _module_file(module: object) -> str | None:
    file = getattr(module, "__file__", None)
    return str(file) if file else None


def _import(names: list[str], phase: str, failures: list[str]) -> None:
    import importlib

    for name in names:
        try:
            importlib.import_module(name)
        except BaseException as error:  # noqa: BLE001 - whatever an asset raises is reported, not raised
            failures.append(f"importing {name} ({phase}) failed: {type(error).__name__}: {error}")


def main() -> None:
    import json

    request = json.loads(sys.argv[1])
    tracer = _Tracer()
    sys.meta_path.insert(0, tracer)
    failures: list[str] = []
    finders_before = [type(f) for f in sys.meta_path]
    _import(request["assets"], "the assets", failures)
    after_assets = dict(sys.modules)
    _import(request["entry"], "the entry point", failures)
    modules: list[dict[str, str | None]] = []
    for name, module in list(sys.modules.items()):
        phase = "startup" if name in STARTUP else "assets" if name in after_assets else "entry"
        how = ("loaded at interpreter start-up (site: sitecustomize or a .pth file)" if phase == "startup"
               else tracer.how.get(name, "imported as a package or by a loader the observer did not see"))
        modules.append({"name": name, "file": _module_file(module), "phase": phase, "how": how})
    hooks = [f"{type(f).__module__}.{type(f).__qualname__}" for f in sys.meta_path
             if type(f) not in finders_before and f is not tracer]
    problems = {m["name"]: _integrity(str(m["name"]), str(m["file"])) for m in modules
                if m["phase"] != "entry" and m["file"] and _checked(str(m["file"]), str(m["name"]), request)}
    with open(request["out"], "w", encoding="utf-8") as out:
        json.dump({"modules": modules, "failures": failures, "problems": problems, "hooks": hooks}, out)


def _checked(file: str, name: str, request: dict[str, Any]) -> bool:
    """A module of the project (under its root, outside the interpreter's own directories) or of the kit."""
    import os

    real = os.path.realpath(file)
    if not real.endswith(".py"):
        return False
    inside = real.startswith(request["root"] + os.sep) and not real.startswith(tuple(p + os.sep for p in request["exclude"]))
    return inside or name.split(".")[0] in request["kit"]


def _integrity(name: str, file: str) -> list[str]:
    """Every function and class ``file`` defines is what ``sys.modules[name]`` holds."""
    import ast
    import os

    module = sys.modules.get(name)
    if module is None:
        return []
    loaded = _module_file(module)
    if loaded is None or os.path.realpath(loaded) != os.path.realpath(file):
        return [f"{name} is loaded from {loaded or 'no file'}, not from the locked {file}: something shadows it"]
    with open(file, "rb") as source:
        text = source.read()
    codes: dict[str, list[Any]] = {}
    pending = [compile(text, file, "exec", dont_inherit=True)]
    while pending:
        code = pending.pop()
        codes.setdefault(code.co_qualname, []).append(code)
        pending += [c for c in code.co_consts if isinstance(c, type(code))]
    problems: list[str] = []
    _check_body(ast.parse(text).body, module.__dict__, module.__dict__, name, "", codes, problems)
    return problems


def _check_body(body: list[Any], namespace: dict[str, Any], module_globals: dict[str, Any], module: str, prefix: str,
                codes: dict[str, list[Any]], problems: list[str]) -> None:
    import ast

    statements = _top_level(body)
    # A name the source also binds otherwise (``try: from json import loads as f`` / ``except: def f``) may hold either.
    other = {getattr(n, "id", None) or getattr(n, "asname", None) or getattr(n, "name", None)
             for s in statements if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
             for n in ast.walk(s) if isinstance(n, ast.alias) or (isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store))}
    for statement in statements:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and statement.name in other:
            continue
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if statement.name not in namespace:
                if prefix:  # the class defines it, so a class without it is a stand-in (a subclass, a copy)
                    problems.append(f"{module}.{prefix}{statement.name} is missing from the class {module}."
                                    f"{prefix.rstrip('.')}: the class is not the one the locked source defines")
                continue
            _check_function(namespace[statement.name], prefix + statement.name, bool(statement.decorator_list),
                            module, module_globals, codes, problems)
        elif isinstance(statement, ast.ClassDef):
            live = namespace.get(statement.name)
            qualname = prefix + statement.name
            if live is None:
                continue
            if not isinstance(live, type) or live.__qualname__ != qualname or live.__module__ != module:
                problems.append(f"{module}.{qualname} is not the class the locked source defines: it is "
                                f"{_who(live)}")
                continue
            _check_body(statement.body, dict(vars(live)), module_globals, module, qualname + ".", codes, problems)


def _top_level(body: list[Any]) -> list[Any]:
    """Statements that run when the body runs, into if/try/with blocks but not into functions."""
    import ast

    found: list[Any] = []
    for statement in body:
        found.append(statement)
        if isinstance(statement, (ast.If, ast.Try, ast.With)):
            for block in ("body", "orelse", "finalbody", "handlers"):
                for inner in getattr(statement, block, []):
                    found += _top_level(inner.body) if isinstance(inner, ast.ExceptHandler) else _top_level([inner])
    return found


def _check_function(live: object, qualname: str, decorated: bool, module: str, globals_: dict[str, Any],
                    codes: dict[str, list[Any]], problems: list[str]) -> None:
    layers: list[Any] = [live]
    while type(layers[-1]) in (staticmethod, classmethod):  # also implicit: __new__, __init_subclass__
        layers.append(layers[-1].__func__)
    if decorated:
        for unwrap in ("__func__", "fget", "func", "__wrapped__"):
            while hasattr(layers[-1], unwrap) and getattr(layers[-1], unwrap) is not None and len(layers) < 16:
                layers.append(getattr(layers[-1], unwrap))
    inner = layers[-1]
    code = getattr(inner, "__code__", None)
    expected = codes.get(qualname, [])
    if code is None or not any(code == e for e in expected):
        problems.append(f"{module}.{qualname} is not the function the locked source compiles to: it is {_who(inner)}")
        return
    if getattr(inner, "__globals__", globals_) is not globals_:
        problems.append(f"{module}.{qualname} runs in another module's namespace: it is {_who(inner)}")


def _who(obj: object) -> str:
    code = getattr(obj, "__code__", None)
    if code is not None:
        return (f"{getattr(obj, '__qualname__', '?')} from {getattr(obj, '__module__', '?')} "
                f"({code.co_filename}:{code.co_firstlineno}), put there by that module")
    return f"a {type(obj).__module__}.{type(obj).__qualname__} object"


if __name__ == "__main__":
    main()
