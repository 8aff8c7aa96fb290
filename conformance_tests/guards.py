"""Guards around implementation code: no network and no other process (ROUTE-1), no
concurrency (LOOP-1), and a watchdog so that a loop that never returns fails instead of
hanging (TERMINAL-1).

The guards are PEP 578 audit hooks (``sys.addaudithook``), so no import path evades
them: ``_socket.socket(...).connect(...)``, ``os.fork()`` or ``subprocess`` fire the same
audit events as their friendly wrappers, and on CPython 3.12+ so does every thread start
(``_thread.start_new_thread``, and 3.13's ``_thread.start_joinable_thread`` behind
``threading.Thread``). What has no audit event on every supported CPython (thread start
on 3.11, asyncio event loops, signal timers) is wrapped through public names, in its own
module, when the guards are installed, before the binding is imported, so a name the
binding binds at import is the wrapper too. Whatever started it, a thread still alive
when a guarded call returns is noticed too (:func:`live_threads`, the backstop).

Audit hooks cannot be removed, so the hook consults whether it is armed. The arming
depth and the places attempts are recorded live in closure cells of :func:`install`, not
in module attributes: rebinding a name in this module changes nothing. A guard
*records* each attempt as well as refusing it: the loop under test is meant to turn
exceptions from the route into FAILED orders, so the refusal alone could be swallowed;
the record cannot. Residual risk (docs/implementers-guide.md): code that runs in the
same process can always reach the closure through introspection or ``ctypes``; the
guards stop careless and casual escapes, they are not a sandbox.
"""

from __future__ import annotations

import _thread
import asyncio
import inspect
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable, Generator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import Any, NoReturn


class NetworkBlocked(OSError):
    """Raised in place of a network operation or a new process (ROUTE-1)."""


class ConcurrencyBlocked(RuntimeError):
    """Raised in place of starting a thread or a process during a guarded call (LOOP-1)."""


class LoopDidNotReturn(BaseException):
    """The watchdog fired: the loop under test kept running past its time limit."""


@dataclass(eq=False)
class Attempts:
    network: list[str] = field(default_factory=list[str])
    """Sockets, name lookups and new processes: each a way to reach a venue (ROUTE-1)."""
    concurrency: list[str] = field(default_factory=list[str])
    """Threads, processes, event loops and timers (LOOP-1)."""

    @property
    def any(self) -> bool:
        return bool(self.network or self.concurrency)


_NETWORK_EVENTS = frozenset({
    "socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex",
    "socket.gethostbyaddr", "socket.getnameinfo", "socket.bind", "socket.sendto", "socket.sendmsg",
})
_PROCESS_EVENTS = frozenset({
    "subprocess.Popen", "os.system", "os.posix_spawn", "os.spawn", "os.exec", "os.fork",
    "os.forkpty", "pty.spawn", "os.startfile",
})
_THREAD_EVENTS = frozenset({"_thread.start_new_thread", "_thread.start_joinable_thread"})
"""Audit events of a thread start (CPython 3.12+; 3.11 has none: the wrappers see it there)."""
_INTERNET = (socket.AF_INET, socket.AF_INET6)


@dataclass(frozen=True)
class _Controls:
    arm: Callable[[Attempts], None]
    disarm: Callable[[Attempts], None]
    setitimer: Callable[..., object]
    signal: Callable[..., object]


_installed: list[_Controls] = []


def _where() -> str:
    """The innermost frame outside this module: who made the attempt. Read off the frame
    chain, not ``traceback.extract_stack``: that reads every frame's source line (a
    ``stat`` per frame), and a loop that retries a refused call makes thousands of
    attempts, each under LOOP-12's line tracer."""
    frame: FrameType | None = inspect.currentframe()
    while frame is not None and frame.f_code.co_filename == __file__:
        frame = frame.f_back
    return "<unknown>" if frame is None else f"{frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}"


def install() -> None:
    """Install the guards for the rest of the process (idempotent); they stay inert
    until :func:`guarded` arms them."""
    if _installed:
        return
    active: list[Attempts] = []
    original_setitimer = signal.setitimer
    original_signal = signal.signal

    def note(kind: str, what: str) -> None:
        where = f"{what} at {_where()}"
        for attempts in active:
            getattr(attempts, kind).append(where)

    def audit(event: str, args: tuple[Any, ...]) -> None:
        if not active:
            return
        if event in _NETWORK_EVENTS or (event == "socket.__new__" and args[1] in _INTERNET):
            note("network", f"{event}{_brief(args[1:])}")
            raise NetworkBlocked(
                f"ROUTE-1: {event} during a conformance run; the runtime must not reach a real "
                "venue (only the suite's in-memory route may be used)"
            )
        if event in _THREAD_EVENTS:
            note("concurrency", f"{event}()")
            raise ConcurrencyBlocked(f"LOOP-1: {event}() during a conformance run; the loop is synchronous")
        if event in _PROCESS_EVENTS:
            note("network", f"{event} (another process could reach a venue)")
            note("concurrency", event)
            raise ConcurrencyBlocked(
                f"LOOP-1/ROUTE-1: {event} during a conformance run; the loop runs in one "
                "thread of one process and reaches no venue but through its route"
            )

    def recording(what: str, kind: str, original: Callable[..., Any], refuse: bool) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if active:
                note(kind, what)
                if refuse:
                    raise ConcurrencyBlocked(f"LOOP-1: {what} during a conformance run; the loop is synchronous")
            return original(*args, **kwargs)

        wrapper.__name__ = getattr(original, "__name__", what)
        wrapper.__doc__ = original.__doc__
        return wrapper

    start_new_thread = recording("_thread.start_new_thread()", "concurrency", _thread.start_new_thread, True)
    patches: list[tuple[object, str, object]] = [
        (_thread, "start_new_thread", start_new_thread),
        (_thread, "start_new", start_new_thread),
        (threading.Thread, "start", recording("threading.Thread.start()", "concurrency", threading.Thread.start, True)),
        (asyncio.BaseEventLoop, "__init__",
         recording("an asyncio event loop", "concurrency", asyncio.BaseEventLoop.__init__, False)),
        (signal, "setitimer", recording("signal.setitimer()", "concurrency", signal.setitimer, False)),
        (signal, "alarm", recording("signal.alarm()", "concurrency", signal.alarm, False)),
    ]
    for owner, name, replacement in patches:
        if hasattr(owner, name):
            setattr(owner, name, replacement)
    sys.addaudithook(audit)
    _installed.append(_Controls(active.append, active.remove, original_setitimer, original_signal))


def _brief(args: tuple[Any, ...]) -> str:
    return f"{args!r:.120}" if args else "()"


def live_threads() -> int:
    """How many threads this process has now, however they were started (the kernel's
    count where there is one: a thread started through ``_thread`` or C code is not in
    ``threading.enumerate()``). Pure standard library, usable wherever the
    implementation runs."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


@contextmanager
def guarded() -> Generator[Attempts]:
    """Arm the guards for the body: every attempt is recorded in the yielded
    :class:`Attempts` (and in any enclosing one) and refused; a thread the body left
    running is recorded too (LOOP-1), whatever started it."""
    install()
    controls = _installed[0]
    attempts = Attempts()
    before = live_threads()
    controls.arm(attempts)
    try:
        yield attempts
    finally:
        controls.disarm(attempts)
        after = live_threads()
        if after > before:
            attempts.concurrency.append(
                f"{after - before} more thread(s) alive after the call than before it (started by a way no guard wraps)"
            )


@contextmanager
def watchdog(seconds: float) -> Generator[None]:
    """Raise :class:`LoopDidNotReturn` in the main thread after ``seconds``, and again
    every ``seconds`` after that until the body ends.

    Needs SIGALRM and the main thread; elsewhere it is a no-op, and the parent process's
    per-test budget is what stops a hang (conformance_tests.cli).
    """
    if not hasattr(signal, "SIGALRM") or threading.current_thread() is not threading.main_thread():
        yield
        return
    install()
    controls = _installed[0]

    def fire(_signum: int, _frame: object) -> NoReturn:
        raise LoopDidNotReturn(f"TERMINAL-1: the loop did not return within {seconds} s")

    previous = controls.signal(signal.SIGALRM, fire)
    controls.setitimer(signal.ITIMER_REAL, seconds, seconds)
    try:
        yield
    finally:
        controls.setitimer(signal.ITIMER_REAL, 0)
        controls.signal(signal.SIGALRM, previous)


def suite_timer() -> tuple[Callable[..., object], Callable[..., object]]:
    """The real ``signal.signal`` and ``signal.setitimer``, for a test's own timers
    (LOOP-12 fires real SIGALRM interrupts): calls through them are not the
    implementation's and are not recorded against LOOP-1."""
    install()
    controls = _installed[0]
    return controls.signal, controls.setitimer
