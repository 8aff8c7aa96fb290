"""The judge: runs the conformance tests in this process against the implementation in
its host process, and keeps the verdict here, where the implementation cannot reach.

pytest runs isolated from the directory it was started in: no configuration file, no
``conftest.py`` but the suite's own, no ``PYTEST_ADDOPTS``, no plugin but the suite's own
and hypothesis'.
The team's configuration is for the team's own pytest run (the plugin path); a verdict
of ``qts-conformance`` depends on the implementation alone.
"""

from __future__ import annotations

import gc
import os
import resource
import sys
import tempfile
import time
from collections.abc import Generator
from contextlib import chdir, contextmanager, nullcontext, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conformance_tests import harness
from conformance_tests.coverage import DeclaredCoverage
from conformance_tests.guards import LoopDidNotReturn
from conformance_tests.progress import Progress
from conformance_tests.remote import BindingFailed, Containment, Host, HostEnded, TestBudgetExceeded
from conformance_tests.report import ClauseCollector
from conformance_tests.shrinking import counted_shrinking
from conformance_tests.violation import ClauseViolated

SHRINK_BUDGET_CALLS = 300
"""Test calls hypothesis may spend shrinking one failing property (its own limit is 300
seconds): a failing run must cost about what a passing one does, and the example shown,
the smallest found within the budget, is the same on every machine
(conformance_tests.shrinking)."""

KIT = Path(__file__).resolve().parent.parent
"""Where the suite's package lies: pytest's root directory in the judge."""

_SCRUBBED = ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTEST_CURRENT_TEST")
"""The environment's say in a pytest run: none, in the judge."""


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
    containment: str = ""
    host_judging_modules: list[str] | None = None
    """The suite's and the test stack's modules the host had loaded at the end (None: the
    host had ended); a binding that imports none of them leaves this empty."""
    judge_team_modules: list[str] = field(default_factory=list[str])
    """The binding's package as loaded in the judge at the end: always empty."""
    coverage: DeclaredCoverage | None = None
    """What of the declaration the generated runs exercised, as LOOP-10's test counted it."""


class JudgePlugin:
    """Hands the tests the host's implementation, keeps the budgets, and files what the
    judge saw the host do during each test under ROUTE-1 / LOOP-1."""

    def __init__(self, host: Host, outcome: Outcome, limits: Limits) -> None:
        self.host = host
        self.outcome = outcome
        self.limits = limits
        self.deadline = time.monotonic() + limits.total_budget

    @pytest.hookimpl(trylast=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        from conformance_tests.plugin import provide_implementation

        provide_implementation(config, self.host.implementation())

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        from conformance_tests.plugin import COVERAGE_KEY

        self.outcome.coverage = config.stash.get(COVERAGE_KEY, None)

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        self.host.take_attempts()
        self.host.test_deadline = time.monotonic() + self.limits.test_budget

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Generator[None, object, object]:
        if time.monotonic() >= self.deadline:
            self.outcome.incomplete = f"the run used up its time budget of {self.limits.total_budget:.0f} s"
            item.session.shouldstop = self.outcome.incomplete
            return True
        return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_pyfunc_call(self, pyfuncitem: pytest.Function) -> Generator[None, object, object]:
        """An interrupt or exit the implementation raised fails the test: only the suite
        raises interrupts in a run, and only a Ctrl-C of the judge's own ends the run."""
        try:
            return (yield)
        except (KeyboardInterrupt, SystemExit) as error:
            if not self.host.came_from_host(error):
                raise
            raise ClauseViolated(
                "TERMINAL-1", observed=f"{type(error).__name__}({error}) escaped the test although the suite raised no interrupt there",
                expected="run() returns, or passes on only the interrupt it got",
            ) from None

    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        seen = self.host.take_attempts()
        self.outcome.collector.add_guard_findings(nodeid, seen.network[:20], seen.concurrency[:20], [])
        _settle_garbage()

    def pytest_keyboard_interrupt(self) -> None:
        self.outcome.incomplete = "interrupted (Ctrl-C); the tests not yet run are untested"


FULL_COLLECTION_THRESHOLD = 50
"""``gc``'s third threshold in the judge (CPython's default: 10): with the objects of
earlier tests frozen, a full collection walks only the running test's, and need not
come as often."""


def _settle_garbage() -> None:
    """Collect the test's cyclic garbage, then exempt what survives from later automatic
    collections (``gc.freeze``): the channel keeps every value that crossed for the
    host's lifetime, and hypothesis its databases, so each full collection would walk
    every earlier test's objects again (5.5 of the judge's 30 CPU seconds on a ci run).
    What was frozen is still freed by reference counting when it is let go."""
    gc.collect()
    gc.freeze()


@contextmanager
def _garbage_settled_per_test() -> Generator[None]:
    """The suite's run with :func:`_settle_garbage` after each test; the process's
    collector as it was afterwards (the judge may run inside a test of the kit's)."""
    thresholds = gc.get_threshold()
    gc.set_threshold(thresholds[0], thresholds[1], FULL_COLLECTION_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


JUDGING_PACKAGES = frozenset({"pytest", "_pytest", "hypothesis", "conformance_tests"})


def _judging_modules(host: Host) -> list[str] | None:
    try:
        return sorted(m for m in host.modules() if m.split(".")[0] in JUDGING_PACKAGES)
    except (HostEnded, LoopDidNotReturn, TestBudgetExceeded):
        return None


def judge(
    *, target: str, profile: str, seed: int | None, limits: Limits, verbose: bool, clauses: str | None,
    containment: Containment, env: dict[str, str], cwd: str, replay: str | None = None,
) -> Outcome:
    outcome = Outcome(containment=containment.description)
    host = Host(target, limits.memory_limit, harness.RUN_TIME_LIMIT_S, containment, env=env, cwd=cwd)
    try:
        try:
            host.implementation()
        except BindingFailed as error:
            outcome.binding_error = str(error)
            return outcome
        outcome.name = host.name
        outcome.reference = host.reference
        harness.run_in_host(host)
        for name in _SCRUBBED:
            os.environ.pop(name, None)
        os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        with tempfile.TemporaryDirectory(prefix="qts-judge-") as scratch:
            ini = os.path.join(scratch, "pytest.ini")
            with open(ini, "w", encoding="utf-8") as empty:
                empty.write("[pytest]\n")
            arguments = [
                "--pyargs", "conformance_tests", "-c", ini, "--rootdir", str(KIT), "--confcutdir", str(KIT / "conformance_tests"),
                "-p", "conformance_tests.plugin", "-p", "_hypothesis_pytestplugin", "-p", "no:cacheprovider",
                # (its two full collections at the end cost seconds: the channel keeps every value a run sent)
                "-p", "no:unraisableexception",
                "-W", "ignore::pytest.PytestAssertRewriteWarning", "--capture=no",
                f"--qts-impl={target}", f"--qts-profile={profile}", "--tb=short",
            ]
            if seed is not None:
                arguments.append(f"--hypothesis-seed={seed}")
            if clauses is not None:
                arguments.append(f"--qts-clauses={clauses}")
            if replay is not None:
                arguments.append(f"--qts-replay={replay}")
            arguments += ["-v"] if verbose else ["-qq", "--no-header", "-rN"]
            plugins: list[object] = [outcome.collector, JudgePlugin(host, outcome, limits)]
            if not verbose:  # (pytest's own lines say it with -v)
                plugins.append(Progress(sys.stderr))
            with open(os.devnull, "w", encoding="utf-8") if not verbose else nullcontext(sys.stdout) as out:
                # (the team's directory holds no conftest for us)
                with redirect_stdout(out), chdir(scratch), _garbage_settled_per_test(), counted_shrinking(SHRINK_BUDGET_CALLS):
                    code = pytest.main(arguments, plugins=plugins)
            if code in (pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR) and outcome.incomplete is None:
                outcome.incomplete = f"the suite itself could not run (pytest said {pytest.ExitCode(code).name}; run with -v to see why)"
        outcome.host_judging_modules = _judging_modules(host)
        top = target.partition(":")[0].split(".")[0]
        outcome.judge_team_modules = sorted(m for m in sys.modules if m.split(".")[0] == top)
    finally:
        host.close()
        late = host.take_attempts()
        outcome.collector.add_guard_findings("(the host's exit, after the last test)", late.network[:20], late.concurrency[:20], [])
        outcome.processes = host.processes
        outcome.containment += f"; kernel watch: {host.watched}"
        outcome.peak_rss_bytes = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return outcome
