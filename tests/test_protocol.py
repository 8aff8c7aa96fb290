"""The judge/host protocol: what crossed once is only named after, and a side that names
what never crossed is refused (fails closed), so the compaction cannot be used to
smuggle a value or a handle the judge never saw described."""

from __future__ import annotations

import enum
import os
import threading
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, cast

import pytest

from conformance_tests.protocol import MESSAGE_LIMIT, Channel, ChannelClosed, Peer, ProtocolError
from spec.values import ExecutionIntent, Side


class Venue(enum.Enum):
    """A team's own enum: not in a module both sides share, so it is described once."""

    XKRX = "xkrx"


class Recording(Channel):
    """A channel that keeps every message it sent, as sent."""

    def __init__(self, read_fd: int, write_fd: int) -> None:
        super().__init__(read_fd, write_fd)
        self.sent: list[dict[str, Any]] = []

    def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)
        super().send(message)


class Sink:
    """The host's object the judge calls: keeps what it was given."""

    def __init__(self) -> None:
        self.taken: list[object] = []

    def take(self, value: object) -> None:
        self.taken.append(value)


def _proxy(handle: int, methods: list[str], name: str, snapshot: dict[str, object]) -> object:
    return (handle, name)


@pytest.fixture
def sides() -> Iterator[tuple[Peer, Recording, Sink, int]]:
    """A judge peer, its recording channel, and a host's sink (by handle) served in a thread."""
    to_host_r, to_host_w = os.pipe()
    to_judge_r, to_judge_w = os.pipe()
    channel = Recording(to_judge_r, to_host_w)
    judge = Peer(channel, _proxy)
    host = Peer(Channel(to_host_r, to_judge_w), _proxy)
    sink = Sink()
    handle, _ = cast(tuple[int, str], judge.decode(host.encode(sink)))
    serving = threading.Thread(target=_serve, args=(host,), daemon=True)
    serving.start()
    yield judge, channel, sink, handle
    os.close(to_host_w)
    serving.join(timeout=5)
    for fd in (to_host_r, to_judge_r, to_judge_w):
        os.close(fd)


@pytest.fixture
def pipe() -> Iterator[Channel]:
    """One pipe, read and written through one channel; both ends closed after the test."""
    read_fd, write_fd = os.pipe()
    try:
        yield Channel(read_fd, write_fd)
    finally:
        os.close(read_fd)
        os.close(write_fd)


def _serve(host: Peer) -> None:
    try:
        host.serve()
    except ChannelClosed:
        pass


def test_a_value_sent_again_is_named_by_its_token_and_arrives_as_the_same_object(sides: tuple[Peer, Recording, Sink, int], pipe: Channel) -> None:
    """Identity survives compaction: the second call carries only the token, and the
    host hands its code the very object it rebuilt from the first."""
    judge, channel, sink, handle = sides
    intent = ExecutionIntent("o-1", "QTS", Side.BUY, Decimal(1))
    judge.call(handle, "take", (intent,))
    judge.call(handle, "take", (intent,))
    first, again = (message["args"][0] for message in channel.sent)
    assert "f" in first
    assert again == {"$": "obj", "id": first["id"]}
    assert sink.taken[0] == intent
    assert sink.taken[1] is sink.taken[0]


def test_a_teams_enum_is_described_once_then_named(sides: tuple[Peer, Recording, Sink, int]) -> None:
    """An enum of the team's crosses with its members the first time only."""
    judge, channel, sink, handle = sides
    judge.call(handle, "take", (Venue.XKRX,))
    judge.call(handle, "take", (Venue.XKRX,))
    first, again = (message["args"][0]["t"] for message in channel.sent)
    assert "members" in first
    assert "members" not in again
    assert [getattr(v, "value") for v in sink.taken] == ["xkrx", "xkrx"]
    assert type(sink.taken[1]) is type(sink.taken[0])


@pytest.mark.parametrize(
    "forged",
    [
        {"$": "ref", "id": 99},
        {"$": "obj", "id": 99},
        {"$": "exc", "id": 99},
        {"$": "enum", "t": {"key": "desk.venues:Venue"}, "v": "xkrx"},
        {"$": "enumtype", "t": {"key": "desk.venues:Venue"}},
    ],
    ids=["handle", "value", "exception", "enum-member", "enum-type"],
)
def test_naming_what_was_never_described_is_a_protocol_error(forged: dict[str, object], pipe: Channel) -> None:
    """A side that names a handle, a value or an enum it never described is refused:
    the receiver never makes up a proxy, a value or an enum for it."""
    receiver = Peer(pipe, _proxy)
    with pytest.raises(ProtocolError, match="before"):
        receiver.decode(forged)


def test_what_a_message_that_was_never_sent_described_is_described_again(sides: tuple[Peer, Recording, Sink, int]) -> None:
    """A message whose encoding fails part-way is not sent, so what it would have
    described still counts as undescribed: the next message describes it in full."""
    judge, channel, sink, handle = sides

    class Unreadable(dict[str, object]):
        def items(self) -> Any:
            raise RuntimeError("cannot encode")

    intent = ExecutionIntent("o-1", "QTS", Side.BUY, Decimal(1))
    with pytest.raises(RuntimeError, match="cannot encode"):
        judge.call(handle, "take", ([Venue.XKRX, Unreadable()],))
    assert channel.sent == []
    judge.call(handle, "take", (Venue.XKRX,))
    (message,) = channel.sent
    assert "members" in message["args"][0]["t"]
    judge.call(handle, "take", (intent,))
    assert getattr(sink.taken[0], "value") == "xkrx"
    assert sink.taken[1] == intent


@pytest.mark.parametrize(
    "frame",
    [
        b'{"kind":"return","id":1,"value":null} {}',
        b'{"kind":"return","id":1,"value":null}x',
        b' {"kind":"return","id":1,"value":null}',
        b'[{"kind":"return"}]',
        b'{"kind":["return"],"id":1}',
        b'{"kind":"return","id":1,"value":"\xff"}',
        b"",
    ],
    ids=["a-second-value", "trailing-bytes", "leading-space", "not-an-object", "unhashable-kind", "not-utf-8", "empty"],
)
def test_a_frame_that_is_not_exactly_one_message_object_is_a_protocol_error(frame: bytes, pipe: Channel) -> None:
    """The channel reads one JSON object per frame, nothing before or after it, in UTF-8,
    with a known kind: anything else is refused as the other side's fault."""
    os.write(pipe.write_fd, len(frame).to_bytes(4, "big") + frame)
    with pytest.raises(ProtocolError):
        pipe.receive()


def test_a_frame_longer_than_the_limit_is_refused_before_it_is_read(pipe: Channel) -> None:
    os.write(pipe.write_fd, (MESSAGE_LIMIT + 1).to_bytes(4, "big"))
    with pytest.raises(ProtocolError, match="limit"):
        pipe.receive()


def test_messages_that_arrive_in_one_read_are_taken_one_by_one(pipe: Channel) -> None:
    """Two frames written at once are two messages, in order (the buffer keeps the rest)."""
    pipe.send({"kind": "return", "id": 1, "value": 1})
    pipe.send({"kind": "return", "id": 2, "value": "two"})
    assert pipe.receive() == {"kind": "return", "id": 1, "value": 1}
    assert pipe.receive() == {"kind": "return", "id": 2, "value": "two"}


@pytest.mark.parametrize("name", ["__class__", "__dict__", "_text", "_text_of"])
def test_a_value_or_exception_that_names_a_private_attribute_is_a_protocol_error(name: str, pipe: Channel) -> None:
    """What crosses sets public fields only: a host that lists ``__class__`` or the
    judge's own ``_text`` among a value's fields or an exception's attributes would
    otherwise rewrite what the judge rebuilds."""
    from spec.values import ExecutionResponse

    sender, receiver = Peer(pipe, _proxy), Peer(pipe, _proxy)
    value = cast("dict[str, Any]", sender.encode(ExecutionResponse("o-1", True)))
    value["f"][name] = sender.encode("x")
    with pytest.raises(ProtocolError, match=repr(name)):
        receiver.decode(value)
    error = cast("dict[str, Any]", sender.encode(ValueError("no")))
    error["attrs"] = sender.encode({name: "x"})
    with pytest.raises(ProtocolError, match=repr(name)):
        receiver.decode(error)
