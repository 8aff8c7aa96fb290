"""Progress of a ``qts-conformance`` run, so a run of a minute (ci) or of several
(thorough) does not sit silent: tests and clauses done out of all, and the time.

On a terminal, one line rewritten in place; not on a terminal, or with ``NO_COLOR`` set,
a plain line each time a test module is done (CI logs keep every line).
"""

from __future__ import annotations

import os
import time
from typing import TextIO

import pytest

from conformance_tests.plugin import MARKER


class Progress:
    """A pytest plugin writing the run's progress to ``stream`` (the judge's stderr: its
    stdout is the verdict)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.in_place = stream.isatty() and "NO_COLOR" not in os.environ
        self.started = time.monotonic()
        self.tests_left: dict[str, int] = {}
        """Clause -> how many of its tests have not finished."""
        self.clauses_of: dict[str, tuple[str, ...]] = {}
        self.module_left: dict[str, int] = {}
        self.total = 0
        self.done = 0

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.total = len(session.items)
        for item in session.items:
            clauses = tuple(cid for marker in item.iter_markers(MARKER) for cid in marker.args)
            self.clauses_of[item.nodeid] = clauses
            for cid in clauses:
                self.tests_left[cid] = self.tests_left.get(cid, 0) + 1
            module = item.nodeid.partition("::")[0]
            self.module_left[module] = self.module_left.get(module, 0) + 1

    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        self.done += 1
        for cid in self.clauses_of.get(nodeid, ()):
            self.tests_left[cid] -= 1
        module = nodeid.partition("::")[0]
        self.module_left[module] = self.module_left.get(module, 1) - 1
        if self.in_place:
            self.stream.write(f"\r{self._line()}\033[K")
        elif self.module_left[module] == 0:
            self.stream.write(f"{self._line()} ({module.rpartition('/')[2]} done)\n")
        self.stream.flush()

    def pytest_sessionfinish(self) -> None:
        if self.in_place and self.done:
            self.stream.write("\r\033[K")
            self.stream.flush()

    def _line(self) -> str:
        clauses = sum(left == 0 for left in self.tests_left.values())
        return (f"qts-conformance: {self.done}/{self.total} tests, {clauses}/{len(self.tests_left)} clauses done, "
                f"{time.monotonic() - self.started:.0f} s")
