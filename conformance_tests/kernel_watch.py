"""The kernel as the guard: every attempt of the host to start a thread or a process, to
arm a timer, to open an internet socket or to connect is stopped by the kernel and
reported to the judge, through seccomp user notification (LOOP-1, ROUTE-1).

A trusted launcher (:data:`LAUNCH`, run with ``python -I`` before any team code) installs
the filter, hands the judge the listener, then becomes the host. It calls libseccomp
through ctypes: pyseccomp, the binding made for it, builds and loads notify filters but
does not hand out the listener's descriptor, which the judge needs in another process. A seccomp filter cannot
be removed by the process it holds, nor by anything it starts: unlike an audit hook or a
wrapped function, nothing in the host can unhook it, whether it uses ``ctypes``,
``_posixsubprocess``, a C extension or an ``atexit`` handler. Each attempt is answered
EPERM, so it fails where it was made, and is recorded here, where the host cannot reach.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import select
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass

LAUNCH = """
import ctypes, os, socket, sys
channel = socket.socket(fileno=int(sys.argv[1]))
try:
    lib = ctypes.CDLL("libseccomp.so.2", use_errno=True)
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_rule_add_array.argtypes = (ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint, ctypes.c_void_p)
    lib.seccomp_load.argtypes = lib.seccomp_notify_fd.argtypes = (ctypes.c_void_p,)
    class Compare(ctypes.Structure):
        _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("a", ctypes.c_uint64), ("b", ctypes.c_uint64)]
    ALLOW, NOTIFY, EQ = 0x7FFF0000, 0x7FC00000, 4
    context = lib.seccomp_init(ALLOW)
    def watch(name, *compare):
        number = lib.seccomp_syscall_resolve_name(name.encode())
        if number >= 0:
            array = (Compare * len(compare))(*compare) if compare else None
            if lib.seccomp_rule_add_array(context, NOTIFY, number, len(compare), array) < 0:
                raise OSError("seccomp_rule_add_array refused " + name)
    for name in ("clone", "clone3", "fork", "vfork", "setitimer", "alarm", "timer_create", "timerfd_create", "connect"):
        watch(name)
    for family in (socket.AF_INET, socket.AF_INET6):
        watch("socket", Compare(0, EQ, family, 0))
    if lib.seccomp_load(context) < 0:
        raise OSError("seccomp_load failed")
    socket.send_fds(channel, [b"watched"], [lib.seccomp_notify_fd(context)])
except Exception as error:
    channel.sendall(("unwatched: " + type(error).__name__ + ": " + str(error)).encode()[:500])
channel.close()
os.execv(sys.executable, [sys.executable, *sys.argv[3:]])
"""
"""The launcher's ``python -I -c`` program (argv: the socket to the judge, ``--``, then
the host's own command line)."""

_RECV = 0xC0502100
"""SECCOMP_IOCTL_NOTIF_RECV: _IOWR('!', 0, struct seccomp_notif), 80 bytes."""
_SEND = 0xC0182101
"""SECCOMP_IOCTL_NOTIF_SEND: _IOWR('!', 1, struct seccomp_notif_resp), 24 bytes."""
_NOTIFICATION = struct.Struct("=QIIiIQ6Q")
"""id, pid, flags, then seccomp_data: nr, arch, instruction pointer, six arguments."""
_RESPONSE = struct.Struct("=QqiI")
"""id, value, error (a negative errno), flags."""
_CLONE_THREAD = 0x00010000

_WHAT = {
    "clone": "concurrency", "clone3": "concurrency", "fork": "concurrency", "vfork": "concurrency",
    "setitimer": "concurrency", "alarm": "concurrency", "timer_create": "concurrency", "timerfd_create": "concurrency",
    "connect": "network", "socket": "network",
}


@dataclass(frozen=True)
class Attempt:
    """One system call the kernel stopped: which, by which task, and which list it
    belongs to (``network``: ROUTE-1, ``concurrency``: LOOP-1)."""

    kind: str
    call: str
    pid: int


def _numbers() -> dict[int, str]:
    """The watched calls' numbers on this machine, as libseccomp resolves them."""
    resolve = ctypes.CDLL("libseccomp.so.2").seccomp_syscall_resolve_name
    resolve.argtypes = (ctypes.c_char_p,)
    numbers = {int(resolve(name.encode())): name for name in _WHAT}
    return {number: name for number, name in numbers.items() if number >= 0}


class Watch:
    """Answers the host's watched system calls with EPERM and records each one."""

    def __init__(self, listener: int, record: Callable[[Attempt], None]) -> None:
        self._listener = listener
        self._record = record
        self._names = _numbers()
        self._stopped = False
        self._thread = threading.Thread(target=self._serve, name="qts-kernel-watch", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stopped:
            try:
                ready, _, _ = select.select([self._listener], [], [], 0.5)
                if not ready:
                    continue
                buffer = bytearray(_NOTIFICATION.size)
                fcntl.ioctl(self._listener, _RECV, buffer, True)
            except OSError:
                return  # the host ended: no task holds the filter any more
            notification, pid, _flags, number, _arch, _ip, *args = _NOTIFICATION.unpack(buffer)
            name = self._names.get(number, f"system call {number}")
            self._record(Attempt(_WHAT.get(name, "concurrency"), _describe(name, args), pid))
            try:
                fcntl.ioctl(self._listener, _SEND, bytearray(_RESPONSE.pack(notification, 0, -1, 0)), True)
            except OSError:
                continue  # the task was killed meanwhile

    def stop(self) -> None:
        self._stopped = True
        self._thread.join(timeout=2)
        os.close(self._listener)


def _describe(name: str, args: list[int]) -> str:
    if name == "clone":
        return "clone() of a thread" if args[0] & _CLONE_THREAD else "clone() of a process"
    if name == "clone3":
        return "clone3() (a thread or a process)"
    if name == "socket":
        return f"socket({socket.AddressFamily(args[0]).name})" if args[0] in (socket.AF_INET, socket.AF_INET6) else "socket()"
    return f"{name}()"


def receive_listener(sock: socket.socket, timeout: float) -> tuple[int | None, str]:
    """The listener the launcher sends, or None and why the host is not watched."""
    sock.settimeout(timeout)
    try:
        message, fds, _flags, _address = socket.recv_fds(sock, 512, 1)
    except OSError as error:
        return None, f"the launcher sent nothing ({error})"
    if fds:
        return fds[0], "seccomp user notification"
    return None, message.decode("utf-8", "replace") or "the launcher ended before sending"
