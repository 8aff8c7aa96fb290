"""The one protocol between the judge and the host of the implementation.

The judge (``qts-conformance``: pytest, hypothesis, the oracle and the suite's doubles)
never imports team code; the host (:mod:`conformance_tests.host`) holds only the
implementation and thin proxies. Every call crossing between them is a message on a pair
of pipes: a length-prefixed JSON object of one of three kinds, :data:`CALL`,
:data:`RETURN` or :data:`RAISE`. Either side may call the other while it waits for an
answer (the loop calls the judge's route while the judge waits for ``run()``), so both
sides run the same :class:`Peer`.

Values cross by value, tagged (``{"$": ...}``): builtins, ``Decimal``, enum members and
enum types, exceptions, and the spec's value classes (intents, responses, records,
reports, outcomes) and their subclasses. Everything else crosses as a handle: the other
side gets a proxy whose methods call back. A value that comes back to the side that sent
it is the very object it sent (its token travels with it), so identity survives the
round trip: a record's response *is* the route's answer.

This module imports the standard library and ``spec`` only: the host runs it.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import json
import os
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, cast

import spec.extension
import spec.outcomes
import spec.records
import spec.resting
import spec.values

CALL, RETURN, RAISE = "call", "return", "raise"
"""The three message kinds."""

HELLO, BINDING_ERROR = "hello", "binding-error"
"""What the host says first: its binding's handle and name, or why it could not bind."""

EXIT_PASS, EXIT_FAILED, EXIT_USAGE, EXIT_INCOMPLETE, EXIT_BINDING = 0, 1, 2, 3, 4
"""``qts-conformance``'s exit codes: every clause passed; a clause failed or went
untested; bad command line; the run could not complete; the implementation could not be
bound."""

MESSAGE_LIMIT = 8 << 20
"""Bytes one message may take: a run's report of thousands of orders fits; a host that
floods the channel is cut off."""

SHARED_MODULES = ("spec.", "builtins", "decimal", "enum")
"""Modules both sides import the same code of: their classes are rebuilt as themselves."""

def _value_classes() -> tuple[type[object], ...]:
    classes: list[type[object]] = []
    for module in (spec.values, spec.records, spec.outcomes, spec.resting, spec.extension):
        members: list[object] = list(vars(module).values())
        classes += [cast(type[object], m) for m in members if _is_value_class(m, module.__name__)]
    return tuple(classes)


def _is_value_class(member: object, module: str) -> bool:
    """A dataclass or named tuple defined in ``module``."""
    if not isinstance(member, type):
        return False
    cls = cast(type[object], member)
    return cls.__module__ == module and (dataclasses.is_dataclass(cls) or (issubclass(cls, tuple) and hasattr(cls, "_fields")))  # pyright: ignore[reportUnknownArgumentType]


VALUE_BASES = _value_classes()
"""The spec's value classes: instances of these (and of their subclasses) cross by
value; any other object crosses as a handle."""


_dumps = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode
"""Made when the protocol loads, before the host imports the binding: a binding that
replaces ``json.dumps`` changes its own JSON, not the channel's. One encoder for every
message (``json.dumps`` with arguments makes one per call); no circular check: a message
is built by :meth:`Peer.encode`, fresh lists and dicts all the way down."""

_raw_decode = json.JSONDecoder().raw_decode
"""Likewise made once: a message is one JSON value and nothing after it."""


class ChannelClosed(Exception):
    """The other side's end of the channel closed: its process ended."""


class ProtocolError(Exception):
    """The other side sent something that is not a message of this protocol."""


class Channel:
    """Length-prefixed JSON messages over a pair of file descriptors."""

    def __init__(self, read_fd: int, write_fd: int) -> None:
        self.read_fd = read_fd
        self.write_fd = write_fd
        self._buffer = bytearray()

    def send(self, message: dict[str, Any]) -> None:
        data = _dumps(message).encode()
        frame = len(data).to_bytes(4, "big") + data
        while frame:
            frame = frame[os.write(self.write_fd, frame):]

    def receive(self, wait: Callable[[], None] = lambda: None) -> dict[str, Any]:
        """The next message; ``wait`` is called before each read (it may raise to give up)."""
        buffer = self._buffer
        while len(buffer) < 4:
            self._read(wait)
        size = int.from_bytes(buffer[:4], "big")
        if size > MESSAGE_LIMIT:
            raise ProtocolError(f"a message of {size} bytes (the limit is {MESSAGE_LIMIT})")
        end = 4 + size
        while len(buffer) < end:
            self._read(wait)
        try:
            text = buffer[4:end].decode()
            message, parsed = _raw_decode(text)
        except ValueError as error:
            raise ProtocolError(f"a message that is not JSON: {error}") from None
        finally:
            del buffer[:end]
        if parsed != len(text):
            raise ProtocolError(f"a message with something after its JSON value: {text[parsed:parsed + 200]!r}")
        if type(message) is not dict:
            raise ProtocolError(f"a message that is not an object: {str(cast(object, message))[:200]}")
        checked = cast("dict[str, Any]", message)
        if checked.get("kind") not in _KINDS:
            raise ProtocolError(f"a message of no known kind: {str(checked)[:200]}")
        return checked

    def _read(self, wait: Callable[[], None]) -> None:
        wait()
        chunk = os.read(self.read_fd, 1 << 16)
        if not chunk:
            raise ChannelClosed("the other side closed the channel")
        self._buffer += chunk


_KINDS = (RETURN, CALL, RAISE, HELLO, BINDING_ERROR)


def type_key(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _shared(cls: type) -> bool:
    return cls.__module__ == "builtins" or cls.__module__.startswith(SHARED_MODULES)


@functools.cache
def _resolve(key: str) -> type | None:
    """The class ``key`` names, if it lives in a module both sides share (worked out
    once per name: a record's classes are named in every message that carries one)."""
    module_name, _, qualname = key.partition(":")
    if not (module_name == "builtins" or module_name.startswith(SHARED_MODULES)):
        return None
    import importlib

    try:
        owner: object = importlib.import_module(module_name)
    except ImportError:
        return None
    for part in qualname.split("."):
        owner = getattr(owner, part, None)
    return owner if isinstance(owner, type) else None


class Peer:
    """One side of the protocol: encodes values, keeps the handles it gave out and the
    proxies it made, answers calls while it waits for its own answer."""

    def __init__(
        self, channel: Channel, proxy: Callable[[int, list[str], str, dict[str, object]], object], *, callable_names: frozenset[str] | None = None,
    ) -> None:
        self.channel = channel
        self._proxy = proxy
        self._callable = callable_names
        """The methods the other side may call on this side's handles (None: any)."""
        self._objects: dict[int, object] = {}
        """Handles this side gave out: handle -> object (kept alive while handed out)."""
        self._handles: dict[int, int] = {}
        """id(object) -> handle, for objects given out as handles."""
        self._proxies: dict[int, object] = {}
        """The other side's handles: handle -> the proxy made for it."""
        self._proxied: dict[int, int] = {}
        """id(proxy) -> the other side's handle it stands for, to send it back as itself."""
        self._sent: dict[int, tuple[int, object]] = {}
        """id(value) -> (token, value) for values sent by value (kept alive)."""
        self._sent_ids: dict[int, int] = {}
        """id(value) -> its token, for values sent by value."""
        self._received: dict[int, object] = {}
        """The other side's tokens -> the value rebuilt here."""
        self._came_from: dict[int, int] = {}
        """id(rebuilt value) -> the other side's token, to send it back as itself."""
        self._next = 1
        self.current = 0
        """The id of the other side's call this side is answering (0: none)."""
        self.answered = 0
        """How many of the other side's calls this side has answered."""
        self._rebuilt: dict[str, type[object]] = {}
        self._described: set[str | int] = set()
        """Enum types and handles this side has described to the other side in a message
        that was sent: later messages name them only."""
        self._describing: set[str | int] | None = None
        """What the message being encoded describes (None: no message is being encoded,
        so everything is described in full)."""
        self.wait: Callable[[], None] = lambda: None
        """Called before each read: the judge raises from it when a deadline passes."""
        self.eager: frozenset[str] = frozenset()
        """Attributes sent along with a handle (the properties of the spec's read-only
        views), so that the other side reads them during the call without a round trip
        each; read after the call, they are asked for again."""
        self.forward_text = False
        """Whether an exception rebuilt here prints by asking the side that raised it
        (the host: a loop that records a fault reads what the original says, and
        whatever its ``__str__`` does happens, as it would in production)."""

    # -- calls ---------------------------------------------------------------

    def call(self, handle: int, method: str, args: tuple[object, ...]) -> object:
        request = self._token()
        self._send(lambda: {"kind": CALL, "id": request, "handle": handle, "method": method, "args": [self.encode(a) for a in args]})
        return self.serve(until=request)

    def serve(self, until: int | None = None) -> object:
        """Answer the other side's calls until the answer to ``until`` arrives (or, with
        None, until the channel closes)."""
        while True:
            message = self.channel.receive(self.wait)
            kind = message["kind"]
            if kind == CALL:
                self._answer(message)
            elif message.get("id") == until:
                if kind == RETURN:
                    return self.decode(message["value"])
                raise self._exception(message["error"])
            # An answer to a call abandoned by an interrupt here: dropped.

    def _answer(self, message: dict[str, Any]) -> None:
        self.answered += 1
        outer, self.current = self.current, int(message["id"])
        try:
            self._run(message)
        finally:
            self.current = outer

    def _run(self, message: dict[str, Any]) -> None:
        try:
            target = self._objects[int(message["handle"])]
            method = str(message["method"])
            if self._callable is not None and method.removeprefix(".") not in self._callable:
                raise ProtocolError(f"a call of {method!r}, which is no method of the specification's protocols")
            if method.startswith("."):  # an attribute read
                value = getattr(target, method[1:])
            else:
                function: Callable[..., object] = target if method == "__call__" else getattr(target, method)  # type: ignore[assignment]
                args = [self.decode(a) for a in message["args"]]
                value = function(*args)
        except BaseException as error:  # noqa: BLE001 - every exception crosses back as itself
            if isinstance(error, ChannelClosed):
                raise
            self._send(lambda: {"kind": RAISE, "id": message["id"], "error": self.encode(error)})
            return
        try:
            self._send(lambda: {"kind": RETURN, "id": message["id"], "value": self.encode(value)})
        except ChannelClosed:
            raise
        except BaseException as error:  # noqa: BLE001 - an answer that cannot be encoded is the answerer's fault
            self._send(lambda: {"kind": RAISE, "id": message["id"], "error": self.encode(ProtocolError(
                f"{message['method']} answered something that cannot cross: {type(error).__name__}: {error}"))})

    def _send(self, build: Callable[[], dict[str, Any]]) -> None:
        """Encode a message and send it. The enum types and handles it describes count
        as described once it is sent, so that later messages only name them; a message
        encoded while this one is (a property that calls across) keeps its own account."""
        outer, self._describing = self._describing, set()
        try:
            message = build()
            describes = self._describing
        finally:
            self._describing = outer
        try:
            self.channel.send(message)
        except BrokenPipeError:
            raise ChannelClosed("the other side closed the channel") from None
        self._described |= describes

    def _exception(self, encoded: object) -> BaseException:
        error = self.decode(encoded)
        if isinstance(error, BaseException):
            return error
        return ProtocolError(f"a raise of something that is not an exception: {error!r:.200}")

    def _token(self) -> int:
        self._next += 1
        return self._next

    # -- values --------------------------------------------------------------

    def encode(self, value: object) -> object:
        kind = type(value)
        if kind is str or kind is bool or kind is int or value is None:
            return value
        if kind is float:
            return {"$": "float", "v": repr(value)}
        back = self._came_from.get(id(value))
        if back is not None:
            return {"$": "back", "id": back}
        handle = self._proxied.get(id(value))
        if handle is not None:
            return {"$": "yours", "id": handle}
        how = _HOW.get(kind)
        if how is None:
            how = _HOW[kind] = _how(kind)
        if how is _VALUE:  # the common kinds first, by their class alone
            return self._encode_value(value)
        if how is _ENUM:
            return self._encode_member(cast("enum.Enum", value))
        if how is _SEQUENCE:
            items = cast("list[object] | tuple[object, ...] | set[object] | frozenset[object]", value)
            return {"$": kind.__name__, "v": [self.encode(v) for v in items]}
        if kind is Decimal:
            return {"$": "dec", "v": str(value)}
        if kind is dict:
            pairs = cast("dict[object, object]", value)
            return {"$": "dict", "v": [[self.encode(k), self.encode(v)] for k, v in pairs.items()]}
        if isinstance(value, enum.Enum):
            return self._encode_member(value)
        if isinstance(value, type) and issubclass(value, enum.Enum):
            return {"$": "enumtype", "t": self._enum_type(value)}
        if isinstance(value, str):
            return {"$": "str", "t": self._class(kind, str), "v": str.__str__(value)}
        if isinstance(value, BaseException):
            again = self._again(value, "exc")
            if again is not None:
                return again
            attributes = {k: _plain(v) for k, v in vars(value).items() if not k.startswith("_")}
            raised: dict[str, object] = {
                "$": "exc", "t": self._class(kind, BaseException), "args": [self.encode(_plain(a)) for a in value.args],
                "attrs": self.encode(attributes), "text": _text(value, own=False)}
            if not _shared(kind):
                raised["ref"] = self._handle(value)
            return self._remembered(value, raised)
        return self._encode_object(cast(object, value))  # type: ignore[redundant-cast]

    def _encode_value(self, value: object) -> object:
        """A spec value, by value: its fields the first time, its token after that."""
        again = self._again(value, "obj")
        if again is not None:
            return again
        return self._remembered(value, {"$": "obj", "t": self._class(type(value), object), "f": self._fields(value)})

    def _encode_member(self, member: enum.Enum) -> object:
        return {"$": "enum", "t": self._enum_type(type(member)), "v": self.encode(member.value)}

    def _encode_object(self, value: object) -> object:
        """A spec value by value; a mapping as a dict; anything else as a handle."""
        if _is_value(value):
            return self._encode_value(value)
        mapping = _mapping(value)
        if mapping is not None:
            return {"$": "dict", "v": [[self.encode(k), self.encode(v)] for k, v in mapping.items()]}
        handle = self._handle(value)
        encoded: dict[str, object] = {"$": "ref", "id": handle}
        if self._describe(handle):
            encoded |= {"m": _methods(value), "n": type(value).__name__}
        if self.eager:
            encoded["s"] = self._snapshot(value)
        return encoded

    def _snapshot(self, value: object) -> dict[str, object]:
        """The ``eager`` attributes ``value`` has, read now (one that raises is left to
        be read, and raise, when asked)."""
        snapshot: dict[str, object] = {}
        for name in self.eager:
            try:
                attribute = getattr(value, name, _UNKNOWN)  # (a missing one raises nothing to catch)
            except Exception:  # noqa: BLE001 - read again when asked, and raise then
                continue
            if attribute is not _UNKNOWN and not callable(attribute):
                snapshot[name] = self.encode(attribute)
        return snapshot

    def _again(self, value: object, tag: str) -> dict[str, object] | None:
        """A value already sent, by its token alone: the other side keeps what it
        rebuilt from the first message and returns that (values do not change)."""
        token = self._sent_ids.get(id(value))
        if token is None or self._describe(token):
            return None
        return {"$": tag, "id": token}

    def _remembered(self, value: object, encoded: dict[str, object]) -> dict[str, object]:
        """The same object sent again keeps its token, so the other side gets the same
        rebuilt object again: a gate is handed the very response the route gave."""
        token = self._sent_ids.get(id(value))
        if token is None:
            token = self._token()
            self._sent[token] = (token, value)
            self._sent_ids[id(value)] = token
        self._describe(token)
        encoded["id"] = token
        return encoded

    def _fields(self, value: object) -> dict[str, object]:
        kind = type(value)
        names = _FIELDS.get(kind)
        if names is None:
            names = _FIELDS[kind] = _field_names(kind)
        encode = self.encode
        if isinstance(value, tuple):
            named = cast("Any", value)
            return {name: encode(getattr(named, name)) for name in names}
        extra = [n for n in getattr(value, "__dict__", ()) if not n.startswith("_") and n not in names]
        unset = object()  # a field never set (a value made behind its constructor) stays unset
        present = {name: getattr(value, name, unset) for name in (*names, *extra)}
        return {name: encode(v) for name, v in present.items() if v is not unset}

    def _class(self, cls: type, root: type) -> list[str]:
        """``cls`` and its bases up to the first class both sides share."""
        return _chain(cls, root)

    def _enum_type(self, cls: type[enum.Enum]) -> dict[str, object]:
        """An enum type by its name; its members too, the first time, unless both sides
        share its module (the spec's enums are imported there as themselves)."""
        known = _ENUM_KEYS.get(cls)
        if known is None:
            known = _ENUM_KEYS[cls] = (type_key(cls), _shared(cls))
        key, shared = known
        if shared or not self._describe(key):
            return {"key": key}
        return {"key": key, "members": [[m.name, self.encode(m.value)] for m in cls], "str": issubclass(cls, str)}

    def _describe(self, what: str | int) -> bool:
        """Whether the message being encoded must describe ``what`` (not yet described
        in a message sent, nor earlier in this one)."""
        if what in self._described:
            return False
        if self._describing is not None:
            if what in self._describing:
                return False
            self._describing.add(what)
        return True

    def _handle(self, value: object) -> int:
        handle = self._handles.get(id(value))
        if handle is None:
            handle = self._token()
            self._handles[id(value)] = handle
            self._objects[handle] = value
        return handle

    def decode(self, encoded: object) -> object:
        if not isinstance(encoded, dict):
            if isinstance(encoded, list):
                raise ProtocolError("an untagged list")
            return encoded
        data = cast("dict[str, Any]", encoded)
        tag = data.get("$")
        if tag == "back":
            token = int(data["id"])
            if token not in self._sent:
                raise ProtocolError(f"a value sent back that was never sent (token {token})")
            return self._sent[token][1]
        if tag == "enum":
            return _member(self._enum(data["t"]), self.decode(data["v"]))
        if tag == "obj" or tag == "exc":
            return self._decode_value(data, tag)
        container = _CONTAINERS.get(tag) if type(tag) is str else None
        if container is not None:
            return container(self.decode(v) for v in data["v"])
        if tag == "float":
            return float(data["v"])
        if tag == "dec":
            return Decimal(str(data["v"]))
        if tag == "dict":
            return {self.decode(k): self.decode(v) for k, v in data["v"]}
        if tag == "enumtype":
            return self._enum(data["t"])
        if tag == "str":
            text_type = cast("type[str]", self._rebuild(data["t"], str))
            return text_type(data["v"])
        if tag == "yours":  # a handle of ours, handed back
            handle = int(data["id"])
            if handle not in self._objects:
                raise ProtocolError(f"a handle handed back that was never handed out ({handle})")
            return self._objects[handle]
        if tag == "ref":
            handle = int(data["id"])
            if handle in self._proxies and "s" in data:
                self._refresh(self._proxies[handle], {str(k): self.decode(v) for k, v in dict(data["s"]).items()})
            if handle not in self._proxies:
                if "m" not in data:
                    raise ProtocolError(f"a handle named before it was described ({handle})")
                snapshot = {str(k): self.decode(v) for k, v in dict(data.get("s", {})).items()}
                proxy = self._proxy(handle, [str(m) for m in data["m"]], str(data.get("n", "object")), snapshot)
                self._proxies[handle] = proxy
                self._proxied[id(proxy)] = handle
            return self._proxies[handle]
        raise ProtocolError(f"a value of no known tag: {str(data)[:200]}")

    def _decode_value(self, data: dict[str, Any], tag: str) -> object:
        """An exception or a spec value: the one rebuilt before if its token is known."""
        token = int(data["id"])
        known = self._received.get(token, _UNKNOWN)
        if known is not _UNKNOWN:
            return known
        if "t" not in data:
            raise ProtocolError(f"a value named before it was sent ({data['id']})")
        if tag == "exc":
            return self._received_as(data, self._exception_from(data))
        return self._received_as(data, self._object_from(data))

    def _refresh(self, proxy: object, snapshot: dict[str, object]) -> None:
        """A handle sent again: its snapshot is of now (hook for the judge's proxies)."""
        refresh = getattr(proxy, "refresh", None) if type(proxy).__name__ == "Remote" else None
        if callable(refresh):
            refresh(snapshot)

    def received(self, value: object) -> bool:
        """Whether ``value`` was rebuilt here from the other side (an exception the host
        raised, as opposed to one the judge raised and got back)."""
        return id(value) in self._came_from

    def _received_as(self, data: dict[str, Any], value: object) -> object:
        token = int(data["id"])
        self._received[token] = value
        self._came_from[id(value)] = token
        return value

    def _exception_from(self, data: dict[str, Any]) -> BaseException:
        cls = self._rebuild(data["t"], BaseException)
        exception_type = cast("type[BaseException]", cls)
        error = exception_type.__new__(exception_type)
        error.args = tuple(self.decode(a) for a in data["args"])
        for name, value in cast("dict[str, object]", self.decode(data["attrs"])).items():
            setattr(error, _public(name), value)
        if not _shared(cls):
            error.__dict__["_text"] = str(data["text"])
            if self.forward_text and "ref" in data:
                error.__dict__["_text_of"] = (self, int(data["ref"]))
        return error

    def _object_from(self, data: dict[str, Any]) -> object:
        cls = self._rebuild(data["t"], object)
        values = {_public(name): self.decode(v) for name, v in dict(data["f"]).items()}
        if issubclass(cls, tuple):
            return cast("Any", cls)(**values)
        instance: object = object.__new__(cls)
        for name, value in values.items():
            object.__setattr__(instance, name, value)
        return instance

    def _rebuild(self, chain: list[str], root: type[object]) -> type[object]:
        """The class named first in ``chain``: itself if shared, else a stand-in that
        subclasses the first shared class of the chain and carries the same name."""
        key = chain[0]
        known = _resolve(key) or self._rebuilt.get(key)
        if known is not None:
            return known
        base: type[object] = next((cls for cls in map(_resolve, chain[1:]) if cls is not None), root)
        name = key.rpartition(":")[2].rpartition(".")[2]
        namespace: dict[str, object] = {"__module__": "__main__", "__qualname__": name}
        if issubclass(base, BaseException):
            namespace["__str__"] = _transported_text
        stand_in = type(name, (base,), namespace)
        self._rebuilt[key] = stand_in
        return stand_in

    def _enum(self, described: dict[str, Any]) -> type[enum.Enum]:
        key = str(described["key"])
        known = _resolve(key) or self._rebuilt.get(key)
        if known is not None:
            return cast("type[enum.Enum]", known)
        if "members" not in described:
            raise ProtocolError(f"an enum named before it was described ({key})")
        members = [(str(name), self.decode(value)) for name, value in described["members"]]
        name = key.rpartition(":")[2].rpartition(".")[2]
        maker: Any = enum.StrEnum if described["str"] else enum.Enum
        made = cast(type[enum.Enum], maker(name, members))
        self._rebuilt[key] = made
        return made


@functools.cache
def _chain(cls: type, root: type) -> list[str]:
    chain: list[str] = []
    for base in cls.__mro__:
        chain.append(type_key(base))
        if _shared(base):
            break
    return chain if chain else [type_key(root)]


_VALUE, _ENUM, _SEQUENCE, _OTHER = "value", "enum", "sequence", "other"
_HOW: dict[type, str] = {}
"""How :meth:`Peer.encode` takes a value of each class, worked out once per class (the
order of its checks, which depend on the class alone, and only the three common kinds:
the rest goes the long way)."""


def _how(kind: type) -> str:
    if kind in (list, tuple, set, frozenset):
        return _SEQUENCE
    if kind in (Decimal, dict) or issubclass(kind, type):
        return _OTHER
    if issubclass(kind, enum.Enum):
        return _ENUM
    if issubclass(kind, (str, BaseException)):
        return _OTHER
    return _VALUE if issubclass(kind, VALUE_BASES) else _OTHER


_FIELDS: dict[type, tuple[str, ...]] = {}
"""A value class's fields (a named tuple's, a dataclass's), worked out once per class."""


def _public(name: object) -> str:
    """A field or attribute name a message may set: public only (the sender sends no
    other), so ``__class__``, ``__dict__`` or the receiver's own ``_text`` are refused."""
    if not isinstance(name, str) or name.startswith("_"):
        raise ProtocolError(f"a value or exception naming the attribute {name!r}: only public ones cross")
    return name


def _field_names(kind: type) -> tuple[str, ...]:
    """The public fields of a value class: the ones that cross (:func:`_public`)."""
    if issubclass(kind, tuple):
        return tuple(cast(Any, kind)._fields)
    return tuple(f.name for f in dataclasses.fields(cast(Any, kind)) if not f.name.startswith("_"))


_ENUM_KEYS: dict[type, tuple[str, bool]] = {}
"""An enum class's key, and whether both sides share its module, once per class."""


_CONTAINERS: dict[str, Callable[[Any], object]] = {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}
_UNKNOWN = object()


def _member(cls: type[enum.Enum], value: object) -> enum.Enum:
    """``cls(value)``, through the member table ``cls(value)`` looks in first."""
    try:
        member = cls._value2member_map_.get(value)
    except TypeError:  # an unhashable value: the enum's own lookup decides
        member = None
    return member if member is not None else cls(value)


def _is_value(value: object) -> bool:
    bases: tuple[type[object], ...] = VALUE_BASES
    return isinstance(value, bases)


def _mapping(value: object) -> Mapping[object, object] | None:
    """``value`` if it is a plain mapping (a declared table), not a callable object."""
    if isinstance(value, Mapping) and not callable(value):  # pyright: ignore[reportUnknownArgumentType]
        return cast(Mapping[object, object], value)  # pyright: ignore[reportUnknownArgumentType]
    return None


def _transported_text(error: BaseException) -> str:
    """How a stand-in exception prints: as the original prints on its side (asked
    again, where the peer forwards), else as it printed when it crossed."""
    origin = error.__dict__.get("_text_of")
    if origin is not None:
        peer, handle = origin
        return str(peer.call(handle, "__str__", ()))
    return str(error.__dict__.get("_text", BaseException.__str__(error)))


def _methods(value: object) -> list[str]:
    """The public methods of ``value``'s class (and the protocol dunders a loop may use
    on it), worked out once per class: views and contexts cross on every call."""
    cls = type(value)
    names = _METHODS.get(cls)
    if names is None:
        names = [n for n in dir(cls) if not n.startswith("_") and callable(getattr(cls, n, None))]
        names += [n for n in ("__call__", "__iter__", "__next__") if callable(getattr(cls, n, None))]
        _METHODS[cls] = names
    return names


_METHODS: dict[type, list[str]] = {}


def _plain(arg: object) -> object:
    """An exception's argument as something that can cross: itself, or its text."""
    if arg is None or type(arg) in (bool, int, float, str, Decimal) or isinstance(arg, enum.Enum):
        return arg
    return _text(arg)


def _text(value: object, *, own: bool = True) -> str:
    """``str(value)``; with ``own=False``, an exception's text from its arguments alone,
    without running its own ``__str__`` (the receiver asks for that when it reads it)."""
    try:
        return str(value) if own or not isinstance(value, BaseException) else BaseException.__str__(value)
    except Exception as error:  # noqa: BLE001 - an unprintable value is shown by its type
        return f"<unprintable {type(value).__name__}: str() raised {type(error).__name__}>"

