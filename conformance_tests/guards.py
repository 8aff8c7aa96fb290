"""Guards around every run the suite makes: no network (ROUTE-1), no concurrency
(LOOP-1), and a watchdog so that a loop that never returns fails instead of hanging.

A guard *records* each attempt as well as refusing it: the loop under test is meant to
turn exceptions from the route into FAILED orders, so the refusal alone could be
swallowed; the record cannot.
"""

from __future__ import annotations

import _thread
import asyncio
import signal
import socket
import threading
import traceback
from collections.abc import Callable, Generator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import NoReturn


class NetworkBlocked(OSError):
    """Raised in place of a network operation during a conformance run (ROUTE-1)."""


class LoopDidNotReturn(BaseException):
    """The watchdog fired: the loop under test kept running past its time limit."""


@dataclass
class Attempts:
    network: list[str] = field(default_factory=list[str])
    concurrency: list[str] = field(default_factory=list[str])


def _where() -> str:
    """The innermost frame outside this module: who made the attempt."""
    for frame in reversed(traceback.extract_stack()[:-2]):
        if frame.filename != __file__:
            return f"{frame.filename}:{frame.lineno} in {frame.name}"
    return "<unknown>"


@contextmanager
def guarded() -> Generator[Attempts]:
    attempts = Attempts()

    def refuse_network(what: str) -> Callable[..., NoReturn]:
        def refuse(*_args: object, **_kwargs: object) -> NoReturn:
            attempts.network.append(f"{what} at {_where()}")
            raise NetworkBlocked(
                f"ROUTE-1: {what} was called during a conformance run; the runtime must not "
                "reach a real venue (only the suite's in-memory route may be used)"
            )

        return refuse

    def note_concurrency(what: str, original: Callable[..., object]) -> Callable[..., object]:
        def record(*args: object, **kwargs: object) -> object:
            attempts.concurrency.append(f"{what} at {_where()}")
            return original(*args, **kwargs)

        return record

    class GuardedSocket(socket.socket):
        """Refuses internet sockets; local ones (asyncio's self-pipe) reach no venue."""

        def __init__(self, family: int = -1, type: int = -1, proto: int = -1, fileno: int | None = None) -> None:
            if family in (-1, socket.AF_INET, socket.AF_INET6):
                refuse_network("socket.socket()")()
            super().__init__(family, type, proto, fileno)

    patches: list[tuple[object, str, object]] = [
        (socket, "socket", GuardedSocket),
        (socket, "create_connection", refuse_network("socket.create_connection()")),
        (socket, "getaddrinfo", refuse_network("socket.getaddrinfo()")),
        (threading.Thread, "start", note_concurrency("threading.Thread.start()", threading.Thread.start)),
        (_thread, "start_new_thread", note_concurrency("_thread.start_new_thread()", _thread.start_new_thread)),
        (
            asyncio.BaseEventLoop,
            "__init__",
            note_concurrency("an asyncio event loop", asyncio.BaseEventLoop.__init__),
        ),
        (signal, "setitimer", note_concurrency("signal.setitimer()", signal.setitimer)),
        (signal, "alarm", note_concurrency("signal.alarm()", signal.alarm)),
    ]
    with ExitStack() as stack:
        for owner, name, replacement in patches:
            original = getattr(owner, name)
            setattr(owner, name, replacement)
            stack.callback(setattr, owner, name, original)
        yield attempts


@contextmanager
def watchdog(seconds: float) -> Generator[None]:
    """Raise :class:`LoopDidNotReturn` in the main thread after ``seconds``.

    Needs SIGALRM and the main thread; elsewhere it is a no-op, and a hanging loop hangs.
    """
    if not hasattr(signal, "SIGALRM") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def fire(_signum: int, _frame: object) -> None:
        raise LoopDidNotReturn(f"TERMINAL-1: the loop did not return within {seconds} s")

    previous = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
