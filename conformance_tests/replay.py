"""A failing example as a token the command line takes back (``qts-conformance --replay
TOKEN``): the test and the very arguments of its final failing call, so that one call is
run again, in seconds, without hypothesis searching.

The arguments are the suite's plain scenario data (dataclasses of ``conformance_tests``'
scenario and feed modules, the spec's enums and values, Decimals, tuples); they are
written as tagged JSON, compressed, base64url. Decoding builds only classes of those
modules, so a token cannot name anything else to construct.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import enum
import importlib
import inspect
import json
import typing
import zlib
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

_MODULES = ("conformance_tests.scenario", "conformance_tests.resting_feeds", "spec.values", "spec.resting", "spec.outcomes")
"""Where the classes a token may name live."""

VERSION = 1
"""Of the token's format: a token of another version is refused by name."""


class ReplayError(Exception):
    """The token cannot be read back: the message says why."""


@dataclass(frozen=True)
class Replay:
    test: str
    """``module::function`` of the conformance test (the same in every kind of run)."""
    arguments: dict[str, object]


def test_id(module: str, name: str) -> str:
    return f"{module}::{name}"


def token(test: str, arguments: dict[str, object]) -> str | None:
    """The token of one failing call, or None if an argument is not scenario data."""
    try:
        data = {"v": VERSION, "test": test, "args": {name: _encode(value) for name, value in arguments.items()}}
    except _NotData:
        return None
    packed = zlib.compress(json.dumps(data, separators=(",", ":")).encode(), 9)
    return base64.urlsafe_b64encode(packed).decode().rstrip("=")


def parse(text: str) -> Replay:
    """The token's test and arguments, each checked against the suite: a token that is
    not one, or names a test this kit does not have, or arguments that test does not
    draw, is a :class:`ReplayError` (the command line's mistake, never a verdict)."""
    try:
        replay = _parsed(text)
    except RecursionError:
        raise ReplayError("a replay token nested deeper than any the suite writes") from None
    _check(replay)
    return replay


def _parsed(text: str) -> Replay:
    try:
        packed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        data = json.loads(zlib.decompress(packed))
    except (binascii.Error, zlib.error, ValueError, UnicodeDecodeError):
        raise ReplayError("not a replay token: copy it whole from the verdict's `replay:` line") from None
    if not isinstance(data, dict) or data.get("v") != VERSION:  # pyright: ignore[reportUnknownMemberType]
        raise ReplayError("a replay token of another kit version: replay it with the kit that printed it")
    fields: dict[str, object] = {str(k): v for k, v in data.items()}  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
    test, arguments = fields.get("test"), fields.get("args")
    if not isinstance(test, str) or not isinstance(arguments, dict):
        raise ReplayError("a replay token without its test or arguments")
    return Replay(test, {str(k): _decode(v) for k, v in arguments.items()})  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]


def _check(replay: Replay) -> None:
    """The test exists in this kit, draws examples, and draws exactly these arguments,
    each of the type it declares."""
    module_name, _, name = replay.test.partition("::")
    missing = ReplayError(f"this kit has no test {replay.test}; replay with the kit that printed the token")
    if not module_name.startswith("conformance_tests.test_") or not name.isidentifier():
        raise missing
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        raise missing from None
    test: object = getattr(module, name, None)
    handle: object = getattr(test, "hypothesis", None)
    if not callable(test):
        raise missing
    inner: object = getattr(handle, "inner_test", None)
    if not callable(inner):
        raise ReplayError(f"{replay.test} draws no examples; run it by its clause")
    drawn = [p for p in inspect.signature(inner).parameters if p not in inspect.signature(test).parameters]
    if sorted(replay.arguments) != sorted(drawn):
        raise ReplayError(f"a replay token with the arguments {sorted(replay.arguments)}; {replay.test} draws {sorted(drawn)}")
    hints = typing.get_type_hints(inner)
    for argument, value in replay.arguments.items():
        kind = hints.get(argument)
        if isinstance(kind, type) and not isinstance(value, kind):
            raise ReplayError(f"a replay token whose {argument!r} is a {type(value).__name__}, not the {kind.__name__} "
                              f"{replay.test} draws")


class _NotData(Exception):
    pass


def _encode(value: object) -> object:
    if value is None or type(value) in (bool, int, float):
        return value
    if isinstance(value, enum.Enum):
        return {"$e": _key(type(value)), "v": value.name}
    if type(value) is str:
        return value
    if isinstance(value, str):
        return {"$s": _key(type(value)), "v": str.__str__(value)}
    if type(value) is Decimal:
        return {"$d": str(value)}
    kind: type = type(value)  # pyright: ignore[reportUnknownVariableType]
    if kind in (tuple, list):
        items = cast("tuple[object, ...]", value)
        return {"$t" if kind is tuple else "$l": [_encode(v) for v in items]}
    if dataclasses.is_dataclass(kind):
        fields = [(f.name, getattr(value, f.name), f.default) for f in dataclasses.fields(kind)]
        return {"$c": _key(kind), "f": {name: _encode(v) for name, v, default in fields if not _same(v, default)}}
    raise _NotData


def _same(value: object, default: object) -> bool:
    """Whether a field holds its default (left out of the token: the class fills it in)."""
    return default is not dataclasses.MISSING and type(value) is type(default) and value == default


def _key(cls: type) -> str:
    if cls.__module__ not in _MODULES:
        raise _NotData
    return f"{cls.__module__}:{cls.__qualname__}"


def _decode(data: object) -> object:
    if not isinstance(data, dict):
        if isinstance(data, list):
            raise ReplayError("a replay token with an untagged list")
        return data
    tagged: dict[str, object] = {str(k): v for k, v in data.items()}  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
    try:
        if "$d" in tagged:
            return Decimal(str(tagged["$d"]))
        if "$t" in tagged or "$l" in tagged:
            items = tagged.get("$t", tagged.get("$l"))
            if not isinstance(items, list):
                raise ReplayError("a replay token with a malformed sequence")
            decoded = [_decode(v) for v in cast("list[object]", items)]
            return tuple(decoded) if "$t" in tagged else decoded
        cls = _class(str(tagged.get("$e", tagged.get("$s", tagged.get("$c", "")))))
        if "$e" in tagged and issubclass(cls, enum.Enum):
            return cls[str(tagged["v"])]
        if "$s" in tagged and issubclass(cls, str):
            return cls(str(tagged["v"]))
        fields = tagged.get("f")
        if "$c" in tagged and dataclasses.is_dataclass(cls) and isinstance(fields, dict):
            return cls(**{str(k): _decode(v) for k, v in fields.items()})  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
    except ReplayError:
        raise
    except Exception as error:  # a constructor of the suite's data refusing the token's values (InvalidIntent, ...)
        raise ReplayError(f"a replay token this kit cannot rebuild ({type(error).__name__}: {error})") from None
    raise ReplayError("a replay token with a value of no known kind")


def _class(key: str) -> type:
    module, _, qualname = key.partition(":")
    if module not in _MODULES:
        raise ReplayError(f"a replay token naming {key!r}, which is no scenario data of the suite")
    found: object = importlib.import_module(module)
    for part in qualname.split("."):
        found = getattr(found, part, None)
    if not isinstance(found, type):
        raise ReplayError(f"a replay token naming {key!r}, which this kit does not have")
    return found
