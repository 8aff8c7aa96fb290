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
import json
import zlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
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
    except (KeyError, TypeError, InvalidOperation) as error:
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
