"""Bindings written to get a green verdict wrongly: each routes an intent twice (LOOP-2)
and adds one trick against the judge. ``tests/test_judge_outside.py`` runs
``qts-conformance`` on each; the verdict must never be a pass.

The tricks that act while the binding is imported live in their own modules
(``hostile_at_import_*``), since importing them is the trick.
"""

from __future__ import annotations

import ctypes
import faulthandler
import gc
import importlib
import multiprocessing
import signal
import struct
import sys
import threading
import unittest
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from spec import ExecutionIntent, ExecutionResponse, ExecutionRoute, RunReport

from broken_impls import Mutant
from reference_impl.runtime.execution_loop.loop import ExecutionLoop as ReferenceLoop


@dataclass(frozen=True)
class _TwiceOutsideTests:
    """Routes twice, except when it believes it runs under pytest or the suite's route."""

    route: ExecutionRoute

    def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
        response = self.route.execute(intent)
        under_test = "_pytest" in sys.modules or type(self.route).__module__.startswith("conformance_tests")
        if not under_test:
            response = self.route.execute(intent)
        return response


ROUTES_TWICE_OUTSIDE_TESTS = Mutant("routes twice unless pytest or the suite's route is seen", route=_TwiceOutsideTests)


@dataclass(frozen=True)
class _NotApplicable:
    """Implements nothing: every call says the clause does not apply."""

    route: ExecutionRoute

    def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
        raise unittest.SkipTest("not applicable")


class _SkippingMutant(Mutant):
    def make_loop(self, *parts: object) -> object:  # type: ignore[override]
        raise unittest.SkipTest("not applicable")


SKIPS_EVERYTHING = _SkippingMutant("raises SkipTest from every entry point", route=_NotApplicable)


# --- What no audit hook sees: the kernel does --------------------------------------------


class _WatchdogLoop(ReferenceLoop[StrEnum]):
    """LOOP-1: "dump the stacks if a run wedges" — faulthandler's C watchdog thread."""

    def run(self, intents: Iterable[ExecutionIntent], /) -> RunReport[StrEnum]:
        try:
            faulthandler.dump_traceback_later(60)
        except RuntimeError:
            pass
        try:
            return super().run(intents)
        finally:
            faulthandler.cancel_dump_traceback_later()


STARTS_A_C_WATCHDOG = Mutant("faulthandler watchdog thread per run", loop=_WatchdogLoop)


_c_setitimer: Callable[[int, float], object] = getattr(importlib.import_module("_signal"), "setitimer")
"""The C module's own setitimer: no wrapper of the ``signal`` module's name reaches it."""


class _AlarmLoop(ReferenceLoop[StrEnum]):
    """LOOP-1: a run deadline armed through the C module, past any wrapped name."""

    def run(self, intents: Iterable[ExecutionIntent], /) -> RunReport[StrEnum]:
        try:
            _c_setitimer(signal.ITIMER_VIRTUAL, 30)
        except OSError:
            pass
        return super().run(intents)


ARMS_A_C_TIMER = Mutant("arms a timer through _signal", loop=_AlarmLoop)


@dataclass(frozen=True)
class _CopiesToASecondVenue:
    """ROUTE-1: every order also goes to a second venue, through libc, past ``socket``."""

    route: ExecutionRoute

    def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
        libc = ctypes.CDLL(None, use_errno=True)
        fd = libc.socket(2, 1, 0)  # AF_INET, SOCK_STREAM
        if fd >= 0:
            address = struct.pack("!HH4s8x", 2, 9, bytes([127, 0, 0, 1]))
            libc.connect(fd, address, len(address))
            libc.close(fd)
        return self.route.execute(intent)


CONNECTS_THROUGH_CTYPES = Mutant("copies orders to a second venue through libc", route=_CopiesToASecondVenue)


def _send_copy(intent_id: str) -> None:
    """Runs in the spawned process: there only the kernel is watching."""


@dataclass(frozen=True)
class _SpawnsASender:
    """LOOP-1/ROUTE-1: a "spawn" process per order, started and joined within the call."""

    route: ExecutionRoute

    def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
        try:
            sender = multiprocessing.get_context("spawn").Process(target=_send_copy, args=(intent.intent_id,))
            sender.start()
            sender.join()
        except OSError:
            pass
        return self.route.execute(intent)


SPAWNS_A_SENDER = Mutant("spawns a sender process per order", route=_SpawnsASender)


def _disarm_the_audit_hooks() -> None:
    """Empties the guards' arming list, reached through their ``arm`` control."""
    for candidate in gc.get_objects():
        if type(candidate).__name__ == "_Controls":
            armed: list[object] = getattr(getattr(candidate, "arm"), "__self__")
            armed.clear()


class _DisarmingLoop(ReferenceLoop[StrEnum]):
    """LOOP-1: switches the in-process guards off, then journals on a thread."""

    def run(self, intents: Iterable[ExecutionIntent], /) -> RunReport[StrEnum]:
        _disarm_the_audit_hooks()
        try:
            threading.Thread(target=lambda: None).start()
        except RuntimeError:
            pass
        return super().run(intents)


DISARMS_THE_GUARDS = Mutant("disarms the audit hooks, then starts a thread", loop=_DisarmingLoop)
