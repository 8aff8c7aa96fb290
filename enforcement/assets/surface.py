"""The public API surface of one Python file, as ``{symbol: signature}`` text.

Read statically from the source text with griffe (nothing is imported, no search path
is needed), so the surface of any version, including one read from git history, can be
compared with another and stored in a lock file people can read.
"""

from __future__ import annotations

from pathlib import Path

from enforcement.assets.config import LockError

try:
    import griffe
except ModuleNotFoundError as missing:  # pragma: no cover - exercised in a venv without the extra
    raise LockError('qts-assets needs the [assets] extra (griffe): pip install "qts-phase4-kit[assets]"') from missing

Surface = dict[str, str]


def api_surface(code: str, module: str, path: str) -> Surface:
    """Public classes, functions, attributes, enum members and re-exports of one file.

    A module with ``__all__`` exposes exactly those names (re-exports included, shown as
    ``= <target>``); otherwise its public names defined in the file.
    """
    try:
        loaded = griffe.visit(module or Path(path).stem, Path(path), code)
    except SyntaxError as error:
        raise LockError(f"{path} has a syntax error at line {error.lineno} ({error.msg}); "
                        "fix it: a file that does not parse has no API to compare") from error
    griffe.DataclassesExtension().on_package(pkg=loaded)  # dataclass __init__ signatures, as griffe.load gives them
    exported = _exported(loaded)
    surface: Surface = {}
    for name, member in loaded.members.items():
        if (exported is not None and name not in exported) or (exported is None and (_private(name) or member.is_alias)):
            continue
        _describe(member, name, surface)
    return dict(sorted(surface.items()))


def _exported(module: griffe.Module) -> set[str] | None:
    names = module.exports
    return None if names is None else {str(n) for n in names}


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _describe(member: griffe.Object | griffe.Alias, path: str, surface: Surface) -> None:
    if isinstance(member, griffe.Alias):
        surface[path] = f"= {member.target_path}"
    elif isinstance(member, griffe.Class):
        bases = ", ".join(str(b) for b in member.bases)
        surface[path] = f"class {member.name}({bases})"
        for name, child in member.members.items():
            if not _private(name) and name not in ("__slots__", "__module__", "__doc__"):
                _describe(child, f"{path}.{name}", surface)
    elif isinstance(member, griffe.Function):
        surface[path] = _signature(member)
    elif isinstance(member, griffe.Attribute):
        annotation = f": {member.annotation}" if member.annotation is not None else ""
        value = f" = {member.value}" if member.value is not None else ""
        surface[path] = f"{member.name}{annotation}{value}"


def _signature(function: griffe.Function) -> str:
    params: list[str] = []
    seen_keyword_only = False
    for index, p in enumerate(function.parameters):
        if p.kind is griffe.ParameterKind.keyword_only and not seen_keyword_only:
            params.append("*")
            seen_keyword_only = True
        text = p.name
        if p.kind is griffe.ParameterKind.var_positional:
            text, seen_keyword_only = f"*{p.name}", True
        elif p.kind is griffe.ParameterKind.var_keyword:
            text = f"**{p.name}"
        if p.annotation is not None:
            text += f": {p.annotation}"
        if p.default is not None:
            text += f" = {p.default}"
        params.append(text)
        following = function.parameters[index + 1] if index + 1 < len(function.parameters) else None
        if p.kind is griffe.ParameterKind.positional_only and (
            following is None or following.kind is not griffe.ParameterKind.positional_only
        ):
            params.append("/")
    returns = f" -> {function.returns}" if function.returns is not None else ""
    kind = "property" if "property" in function.labels else "def"
    return f"{kind} {function.name}({', '.join(params)}){returns}"
