"""The suite's guards (audit hooks and wrappers installed before the binding is imported)
record and refuse network use, new processes and threads, whichever import path the
code took, and stay inert when not armed."""

from __future__ import annotations

import _socket
import _thread
import asyncio
import faulthandler
import os
import socket
import subprocess
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from conformance_tests import guards
from conformance_tests.guards import ConcurrencyBlocked, LoopDidNotReturn, NetworkBlocked, guarded, watchdog

# The guards under test replace pytest-socket's blocker for the duration of each test.
pytestmark = pytest.mark.enable_socket


def test_network_use_is_refused_and_recorded_on_every_import_path() -> None:
    with guarded() as attempts:
        with pytest.raises(NetworkBlocked, match="ROUTE-1"):
            socket.create_connection(("192.0.2.1", 443))
        with pytest.raises(NetworkBlocked):
            socket.socket()
        with pytest.raises(NetworkBlocked):
            socket.getaddrinfo("broker.invalid", 443)
        with pytest.raises(NetworkBlocked):
            _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
    assert len(attempts.network) == 4
    assert any("test_guards.py" in a for a in attempts.network)


def test_local_socket_pairs_are_not_network() -> None:
    with guarded() as attempts:
        left, right = socket.socketpair()
        left.close()
        right.close()
    assert not attempts.any


def test_processes_are_refused_and_count_for_both_clauses() -> None:
    with guarded() as attempts:
        with pytest.raises(ConcurrencyBlocked, match="LOOP-1/ROUTE-1"):
            subprocess.run(["true"], check=False)
        with pytest.raises(ConcurrencyBlocked):
            os.posix_spawn("/bin/true", ["true"], {})
        with pytest.raises(ConcurrencyBlocked):
            os.fork()
    assert len(attempts.network) == len(attempts.concurrency) == 3


def test_threads_are_refused_also_when_bound_before_arming() -> None:
    guards.install()
    start = _thread.start_new_thread  # as a binding would bind it at import
    with guarded() as attempts:
        with pytest.raises(ConcurrencyBlocked, match="LOOP-1"):
            start(lambda: None, ())
        with pytest.raises(ConcurrencyBlocked):
            threading.Thread(target=lambda: None).start()
        asyncio.new_event_loop().close()
    assert len(attempts.concurrency) == 3
    assert any("event loop" in a for a in attempts.concurrency)


def test_unarmed_guards_let_everything_through() -> None:
    guards.install()
    worker = threading.Thread(target=lambda: None)
    worker.start()
    worker.join()
    left, right = socket.socketpair()
    left.close()
    right.close()


def test_nested_guards_record_in_both() -> None:
    with guarded() as outer, guarded() as inner:
        with pytest.raises(NetworkBlocked):
            socket.getaddrinfo("broker.invalid", 443)
    assert len(outer.network) == len(inner.network) == 1


def test_the_watchdog_stops_a_loop_that_never_returns() -> None:
    with pytest.raises(LoopDidNotReturn, match="TERMINAL-1"):
        with watchdog(0.05):
            while True:
                pass


def test_the_watchdog_fires_again_when_its_first_signal_is_swallowed() -> None:
    swallowed = 0
    with pytest.raises(LoopDidNotReturn):
        with watchdog(0.05):
            while True:
                try:
                    while True:
                        pass
                except LoopDidNotReturn:
                    swallowed += 1
                    if swallowed > 1:
                        raise
    assert swallowed == 2


def _thread_starts() -> list[tuple[str, Callable[[], object]]]:
    starts: list[tuple[str, Callable[[], object]]] = [
        ("threading.Thread", lambda: threading.Thread(target=lambda: None).start()),
        ("_thread.start_new_thread", lambda: _thread.start_new_thread(lambda: None, ())),
        ("concurrent.futures", lambda: ThreadPoolExecutor(max_workers=1).submit(lambda: None).result()),
        ("asyncio.to_thread", lambda: asyncio.run(asyncio.to_thread(lambda: None))),
    ]
    joinable = getattr(_thread, "start_joinable_thread", None)  # CPython 3.13+
    if joinable is not None:
        starts.append(("_thread.start_joinable_thread", lambda: joinable(lambda: None)))
    return starts


@pytest.mark.parametrize(("way", "start"), _thread_starts(), ids=[way for way, _ in _thread_starts()])
def test_every_way_to_start_a_thread_is_refused_and_recorded_on_this_python(way: str, start: Callable[[], object]) -> None:
    with guarded() as attempts:
        with pytest.raises(ConcurrencyBlocked, match="LOOP-1"):
            start()
    assert attempts.concurrency, f"{way} started a thread unseen"


def test_a_thread_left_running_by_a_way_no_guard_wraps_is_noticed() -> None:
    """The backstop: faulthandler's watchdog is a C thread with no audit event and no
    Python-level start; it is still alive when the guarded body ends."""
    with guarded() as attempts:
        faulthandler.dump_traceback_later(600)
    faulthandler.cancel_dump_traceback_later()
    assert any("more thread(s) alive" in attempt for attempt in attempts.concurrency), attempts


def test_the_thread_count_sees_threads_threading_does_not_list() -> None:
    before = guards.live_threads()
    faulthandler.dump_traceback_later(600)
    try:
        assert guards.live_threads() == before + 1
    finally:
        faulthandler.cancel_dump_traceback_later()


@pytest.mark.parametrize("clauses", ["LOOP-12", "LOOP-5,LOOP-11,TERMINAL-1"])
def test_the_plugin_path_refuses_the_network_in_every_test_that_calls_the_implementation(clauses: str) -> None:
    """In a team's own pytest run (no host process, no kernel containment) the guards are
    all that stands between a route wrapper and a venue: they hold in every conformance
    test, also in those that drive the loop directly (interrupts, re-entry, hostile
    values), and what they refused fails ROUTE-1."""
    import broken_impls
    from conformance_tests.report import ClauseCollector, Status

    broken_impls.REACHED_THE_NETWORK.clear()
    collector = ClauseCollector()
    pytest.main(["--pyargs", "conformance_tests", "-o", "addopts=", "-p", "no:cacheprovider", "-qq", "--tb=no",
                 "-W", "ignore::pytest.PytestAssertRewriteWarning", "--qts-impl=broken_impls:ADDRESS_LOOKED_UP",
                 f"--qts-clauses={clauses}", "--no-header", "-rN"], plugins=[collector])
    assert broken_impls.REACHED_THE_NETWORK == []
    route1 = next(r for r in collector.verdict() if r.id == "ROUTE-1")
    assert route1.status is Status.FAIL and route1.violation is not None and "getaddrinfo" in route1.violation.observed
