"""The suite's guards record and refuse network use and record concurrency, and put
everything back afterwards."""

from __future__ import annotations

import asyncio
import socket
import threading

import pytest

from conformance_tests.guards import LoopDidNotReturn, NetworkBlocked, guarded, watchdog

# The guards under test replace pytest-socket's blocker for the duration of each test.
pytestmark = pytest.mark.enable_socket


def test_network_use_is_refused_and_recorded() -> None:
    with guarded() as attempts:
        with pytest.raises(NetworkBlocked, match="ROUTE-1"):
            socket.create_connection(("broker.invalid", 443))
        with pytest.raises(NetworkBlocked):
            socket.socket()
        with pytest.raises(NetworkBlocked):
            socket.getaddrinfo("broker.invalid", 443)
    assert len(attempts.network) == 3
    assert all("test_guards.py" in a for a in attempts.network)


def test_threads_event_loops_and_timers_are_recorded() -> None:
    with guarded() as attempts:
        worker = threading.Thread(target=lambda: None)
        worker.start()
        worker.join()
        asyncio.new_event_loop().close()
    assert any("Thread.start" in a for a in attempts.concurrency)
    assert any("event loop" in a for a in attempts.concurrency)


def test_everything_is_restored() -> None:
    before = (socket.socket, socket.create_connection, threading.Thread.start, asyncio.BaseEventLoop.__init__)
    with guarded():
        pass
    assert (socket.socket, socket.create_connection, threading.Thread.start, asyncio.BaseEventLoop.__init__) == before


def test_the_watchdog_stops_a_loop_that_never_returns() -> None:
    with pytest.raises(LoopDidNotReturn, match="TERMINAL-1"):
        with watchdog(0.05):
            while True:
                pass
