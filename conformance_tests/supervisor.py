"""The parent side of a conformance run: start the test process, read its result
channel, and keep going when the implementation ends or wedges that process.

The implementation never runs here. Every test's outcome comes from the channel; a test
that started and never finished is failed with the reason the process gave (its exit
status or signal, or the time budget it overran), and the remaining tests run in a fresh
test process. A run is bounded: each test by ``test_budget`` seconds, the whole run by
``total_budget``, memory by ``memory_limit`` bytes (RLIMIT_AS of the test process).
"""

from __future__ import annotations

import json
import os
import resource
import selectors
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from conformance_tests.harness import KNOWN_HANG_ENV
from conformance_tests.report import ClauseCollector

QUICK_BUDGET_S = 15.0
"""Per-test budget once the implementation has hung a test process: the successor fails
every call into the implementation at once, so a test needs only seconds."""


@dataclass(frozen=True)
class Limits:
    test_budget: float
    total_budget: float
    memory_limit: int


@dataclass
class Outcome:
    collector: ClauseCollector = field(default_factory=ClauseCollector)
    name: str | None = None
    reference: bool = False
    """The binding's loop, gate and machine are the kit's own reference objects."""
    binding_error: str | None = None
    incomplete: str | None = None
    """Why the run could not complete (tests are left untested), or None."""
    processes: int = 0
    peak_rss_bytes: int = 0


@dataclass
class _Child:
    process: subprocess.Popen[bytes]
    channel: IO[bytes]
    stderr_tail: deque[bytes]
    started: float
    buffer: bytes = b""
    in_flight: str | None = None
    in_flight_since: float = 0.0
    last_record: float = 0.0
    """When the last record arrived (between tests, the budget counts from it)."""
    bound: bool = False
    collected: bool = False
    done: bool = False


def supervise(
    *, target: str, profile: str, seed: int | None, limits: Limits, verbose: bool, clauses: str | None = None,
    now: Callable[[], float] = time.monotonic,
) -> Outcome:
    outcome = Outcome()
    finished: set[str] = set()
    known_hang: str | None = None
    deadline = now() + limits.total_budget
    with tempfile.TemporaryDirectory(prefix="qts-conformance-") as scratch:
        skip_file = Path(scratch) / "skip"
        while True:
            skip_file.write_text("\n".join(sorted(finished)), encoding="utf-8")
            child = _start(target, profile, seed, clauses, skip_file, limits, verbose, known_hang, now)
            outcome.processes += 1
            ended = _follow(child, outcome, finished, limits, deadline, known_hang is not None, now)
            outcome.peak_rss_bytes = max(outcome.peak_rss_bytes, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
            if outcome.binding_error is not None or outcome.incomplete is not None:
                return outcome
            if child.done:
                return outcome
            if not child.bound:
                outcome.binding_error = (
                    f"the test process ended while importing {target} ({ended}); "
                    "a binding must not exit, abort or kill its process when imported"
                    + _tail(child)
                )
                return outcome
            if child.in_flight is None:
                outcome.incomplete = f"the test process ended outside any test ({ended})" + _tail(child)
                return outcome
            nodeid = child.in_flight
            hung = "did not finish within" in ended
            outcome.collector.add_result(nodeid, "failed", (
                f"TERMINAL-1: the test did not return: {ended}; the implementation hangs where the watchdog "
                "cannot stop it (SIGALRM ignored? BaseException swallowed?)" if hung else
                f"TERMINAL-1: {ended} during this test: the implementation ended the process "
                "(os._exit? a signal? out of memory?) instead of returning from run()"
            ))
            finished.add(nodeid)
            if hung:
                known_hang = f"{nodeid.rsplit('::', 1)[-1]} did not return and its process was killed"
            if now() >= deadline:
                outcome.incomplete = f"the run used up its time budget of {limits.total_budget:.0f} s"
                return outcome


def _start(
    target: str, profile: str, seed: int | None, clauses: str | None, skip_file: Path, limits: Limits, verbose: bool,
    known_hang: str | None, now: Callable[[], float],
) -> _Child:
    read_end, write_end = os.pipe()
    command = [sys.executable, "-m", "conformance_tests.child", "--impl", target, "--profile", profile,
               "--channel-fd", str(write_end), "--skip-file", str(skip_file),
               "--memory-limit", str(limits.memory_limit)]
    if seed is not None:
        command += ["--seed", str(seed)]
    if clauses is not None:
        command += ["--clauses", clauses]
    if verbose:
        command.append("--verbose")
    env = dict(os.environ)
    env.pop(KNOWN_HANG_ENV, None)
    if known_hang is not None:
        env[KNOWN_HANG_ENV] = known_hang
    process = subprocess.Popen(
        command, pass_fds=(write_end,), env=env, stdin=subprocess.DEVNULL,
        stdout=None if verbose else subprocess.DEVNULL, stderr=None if verbose else subprocess.PIPE,
        start_new_session=True,
    )
    os.close(write_end)
    tail: deque[bytes] = deque(maxlen=64)
    if process.stderr is not None:
        threading.Thread(target=_drain, args=(process.stderr, tail), daemon=True).start()
    started = now()
    return _Child(process, os.fdopen(read_end, "rb", buffering=0), tail, started, last_record=started)


def _drain(stream: IO[bytes], tail: deque[bytes]) -> None:
    """Keep the last lines of the test process's stderr: bounded whatever it prints."""
    for line in iter(lambda: stream.readline(4096), b""):
        tail.append(line)


def _tail(child: _Child) -> str:
    text = b"".join(child.stderr_tail).decode("utf-8", "replace").strip()
    return f"; its last output: {text[-600:]}" if text else ""


def _follow(
    child: _Child, outcome: Outcome, finished: set[str], limits: Limits, deadline: float,
    quick: bool, now: Callable[[], float],
) -> str:
    """Read records until the channel closes or a budget runs out; how the process ended."""
    selector = selectors.DefaultSelector()
    selector.register(child.channel, selectors.EVENT_READ)
    test_budget = min(limits.test_budget, QUICK_BUDGET_S) if quick else limits.test_budget
    killed: str | None = None
    try:
        while True:
            since = child.in_flight_since if child.in_flight is not None else child.last_record
            budget_end = min(since + test_budget, deadline)
            wait = budget_end - now()
            if wait <= 0:
                what = "the global time budget" if budget_end == deadline else f"the per-test budget of {test_budget:.0f} s"
                killed = f"the test process did not finish within {what} and was killed"
                _kill(child.process)
                break
            if not selector.select(timeout=min(wait, 1.0)):
                continue
            chunk = child.channel.read(65536)
            if not chunk:
                break
            child.buffer += chunk
            *lines, child.buffer = child.buffer.split(b"\n")
            for line in lines:
                _record(child, outcome, finished, line, now)
    except KeyboardInterrupt:
        _kill(child.process)
        outcome.incomplete = "interrupted (Ctrl-C); the tests not yet run are untested"
        killed = "interrupted"
    finally:
        selector.close()
        child.channel.close()
    try:
        status = child.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        _kill(child.process)
        status = child.process.wait()
    if killed is not None:
        return killed
    if status < 0:
        return f"the test process was killed by {signal.Signals(-status).name}"
    return f"the test process exited with status {status}"


def _kill(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _record(child: _Child, outcome: Outcome, finished: set[str], line: bytes, now: Callable[[], float]) -> None:
    try:
        record: dict[str, Any] = json.loads(line)
        kind = record["kind"]
    except (ValueError, KeyError, TypeError):
        return  # not a record of the suite's: ignored, it cannot make anything pass
    collector = outcome.collector
    child.last_record = now()
    if kind == "bound":
        child.bound = True
        outcome.name = str(record.get("name"))
        outcome.reference = record.get("reference") is True
    elif kind == "binding-error":
        outcome.binding_error = str(record.get("message"))
    elif kind == "collected" and not child.collected:
        child.collected = True
        for nodeid, clauses in dict(record["tests"]).items():
            collector.add_test(str(nodeid), tuple(str(c) for c in clauses))
    elif kind == "start":
        child.in_flight, child.in_flight_since = str(record["nodeid"]), now()
    elif kind == "report":
        collector.add_report(str(record["nodeid"]), str(record["when"]), str(record["outcome"]), str(record["text"]))
    elif kind == "finish":
        nodeid = str(record["nodeid"])
        collector.add_guard_findings(nodeid, list(record["network"]), list(record["concurrency"]), list(record["replaced"]))
        finished.add(nodeid)
        child.in_flight = None
    elif kind == "done":
        child.done = True
