"""The test process ``qts-conformance`` starts: the only process that imports the binding.

``python -m conformance_tests.child`` installs the guards, imports the binding under
them, then runs the suite with pytest, writing one JSON record per event to the result
channel (a pipe the parent reads) as it happens. It decides nothing: the parent
(conformance_tests.cli) turns the records into the verdict, so an implementation that
ends or wedges this process leaves a record that stops short, never a green table.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import resource
import sys
from collections.abc import Generator, Sequence
from pathlib import Path
from typing import Any

import pytest

from conformance_tests import guards, tamper

SHRINK_BUDGET_S = 6
"""Seconds hypothesis may spend shrinking one failing property (its default is 300): a
failing run must cost about what a passing one does; the example shown is then the
smallest found within the budget."""

SUITE_MODULES = tuple(f"conformance_tests.{name}" for name in (
    "binding", "conftest", "doubles", "facts", "guards", "harness", "interrupt_points", "model", "plugin", "report",
    "scenario", "strategies",
))

MESSAGE_LIMIT = 16_000
"""Characters of a failure's text kept (its end: the assertion and the example)."""


class Channel:
    """Writes records to the parent, one JSON object a line, flushed at once."""

    def __init__(self, fd: int) -> None:
        self._out = os.fdopen(fd, "w", encoding="utf-8", buffering=1)

    def send(self, kind: str, **fields: Any) -> None:
        self._out.write(json.dumps({"kind": kind, **fields}) + "\n")
        self._out.flush()


class ChildPlugin:
    """Reports each test as it starts and ends, runs its call under the guards, and
    checks that the implementation left the suite's code alone."""

    def __init__(self, channel: Channel, skip: set[str], prints: tamper.Fingerprint) -> None:
        self.channel = channel
        self.skip = skip
        self.prints = prints
        self.attempts: dict[str, guards.Attempts] = {}

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        kept = [item for item in items if item.nodeid not in self.skip]
        config.hook.pytest_deselected(items=[item for item in items if item.nodeid in self.skip])
        items[:] = kept
        self.channel.send("collected", tests={
            item.nodeid: [cid for marker in item.iter_markers("qts_clause") for cid in marker.args] for item in items
        })

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        self.channel.send("start", nodeid=nodeid)

    @pytest.hookimpl(wrapper=True)
    def pytest_pyfunc_call(self, pyfuncitem: pytest.Function) -> Generator[None, object, object]:
        with guards.guarded() as attempts:
            self.attempts[pyfuncitem.nodeid] = attempts
            try:
                return (yield)
            except (KeyboardInterrupt, SystemExit) as error:
                raise AssertionError(
                    f"TERMINAL-1: {type(error).__name__}({error}) escaped the test although the suite "
                    "raised no interrupt there: run() must return, or pass on only the interrupt it got"
                ) from None

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.failed:
            text = report.longreprtext[-MESSAGE_LIMIT:]
        else:  # a skip's reason: "not applicable: ..." makes the clause n/a
            text = str(report.longrepr[2]) if report.skipped and isinstance(report.longrepr, tuple) else ""
        self.channel.send("report", nodeid=report.nodeid, when=report.when, outcome=report.outcome, text=text)

    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        attempts = self.attempts.pop(nodeid, None)
        replaced = tamper.changes(self.prints, tamper.fingerprint())
        self.channel.send(
            "finish", nodeid=nodeid,
            network=attempts.network[:20] if attempts else [],
            concurrency=attempts.concurrency[:20] if attempts else [],
            replaced=replaced[:20],
        )
        if replaced:
            self.prints = tamper.fingerprint()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m conformance_tests.child")
    parser.add_argument("--impl", required=True)
    parser.add_argument("--profile", required=True)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--clauses")
    parser.add_argument("--channel-fd", type=int, required=True)
    parser.add_argument("--skip-file", type=Path)
    parser.add_argument("--memory-limit", type=int)
    parser.add_argument("--verbose", action="store_true")
    return parser


def _import_binding(target: str) -> str | None:
    """Import and check the binding under the guards; the one-line problem, or None."""
    from conformance_tests.binding import BindingError, load_implementation

    with guards.guarded() as attempts:
        try:
            implementation = load_implementation(target)
        except BindingError as error:
            return str(error)
        except BaseException as error:  # noqa: BLE001 - whatever the import does, it is the finding
            return f"importing {target} raised {type(error).__name__}({error}); a binding must import cleanly"
    if attempts.any:
        return (f"importing {target} tried {'; '.join(attempts.network + attempts.concurrency)[:600]}; "
                "a binding must not reach the network, start threads or processes while imported (ROUTE-1, LOOP-1)")
    del implementation
    return None


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    channel = Channel(args.channel_fd)
    if args.memory_limit:
        # Soft and hard alike, before the binding is imported: it cannot raise them again.
        resource.setrlimit(resource.RLIMIT_AS, (args.memory_limit, args.memory_limit))
    guards.install()
    # Everything the suite runs on is imported before the binding, so that the binding
    # cannot be first to define it, and fingerprinted, so that a rewrite is noticed.
    for module in SUITE_MODULES:
        importlib.import_module(module)

    before = tamper.fingerprint()
    problem = _import_binding(args.impl)
    if problem is None:
        replaced = tamper.changes(before, tamper.fingerprint())
        if replaced:
            problem = (f"importing {args.impl} replaced the conformance suite's own code ({', '.join(replaced[:5])}); "
                       "a binding must leave conformance_tests, spec, pytest and hypothesis alone")
    if problem is not None:
        channel.send("binding-error", message=problem)
        return 4
    from conformance_tests.binding import is_kit_reference, load_implementation

    bound = load_implementation(args.impl)
    channel.send("bound", name=bound.name, reference=is_kit_reference(bound))
    skip = set(args.skip_file.read_text(encoding="utf-8").split("\n")) - {""} if args.skip_file else set[str]()
    pytest_args = [
        "--pyargs", "conformance_tests", "-o", "addopts=", "-p", "no:cacheprovider", "-p", "no:xdist",
        "-p", "no:randomly", "-W", "ignore::pytest.PytestAssertRewriteWarning", "--capture=no",
        f"--qts-impl={args.impl}", f"--qts-profile={args.profile}", "--tb=short",
    ]
    if args.seed is not None:
        pytest_args.append(f"--hypothesis-seed={args.seed}")
    if args.clauses is not None:
        pytest_args.append(f"--qts-clauses={args.clauses}")
    pytest_args += ["-v"] if args.verbose else ["-qq", "--no-header", "-rN"]
    from hypothesis.internal.conjecture import engine

    engine.MAX_SHRINKING_SECONDS = SHRINK_BUDGET_S
    code = pytest.main(pytest_args, plugins=[ChildPlugin(channel, skip, tamper.fingerprint())])
    channel.send("done", exitstatus=int(code))
    return 0


if __name__ == "__main__":
    sys.exit(main())
