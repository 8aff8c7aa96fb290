"""The suite has teeth: it fails each deliberately broken implementation on the clause
that defect breaks (with a message naming it), and passes a correct Phase 5 extension.

Every binding runs through the suite in this process (``pytest.main`` with the CLI's
own clause collector). A broken binding runs the tests of the clause it must fail,
without shrinking: whether a defect is caught, and on which clause, does not depend on
how small the counterexample gets, and shrinking made a failing run cost several times a
passing one. A correct Phase 5 extension runs the whole suite (the reference does in
``./scripts/test``'s conformance step). In the slow tier every defect also runs through
the whole suite, and the verdict's "start here" must name its clause. Two representative
defects also run through the real ``qts-conformance`` command in a subprocess, as an
implementer would, with the full ``ci`` profile, shrinking included: one on its clause,
one through the whole suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import Phase, settings

from spec import CLAUSES

from conformance_tests.plugin import SETTINGS_KEY
from conformance_tests.report import ClauseCollector, Status
from conformance_tests.start_here import start_here

import broken_impls
from broken_impls import EXPECTED_FAILURES, Phase5State

TESTS = Path(__file__).resolve().parent
CLI = Path(sys.executable).parent / "qts-conformance"
# Representative defects, with the clauses the CLI runs on them: one caught by the
# suite's network guard in the child process (ROUTE-1's tests only), one by a property
# whose counterexample hypothesis has to find and shrink (the whole suite).
THROUGH_THE_CLI = {"BROKER_HEALTH_CHECK": ("--clauses", "ROUTE-1"), "NOOP_GATE_RETURNS_NONE": ()}


class WithoutShrinking:
    """Keeps the ``ci`` profile but skips the shrink phase (the teeth only need the clause)."""

    @pytest.hookimpl(trylast=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        profile = config.stash[SETTINGS_KEY]
        config.stash[SETTINGS_KEY] = settings(profile, phases=[p for p in profile.phases if p is not Phase.shrink])


class StopOnceCaught:
    """Ends the run at the first failure the verdict puts on ``clause``: the teeth need
    to know the defect is caught there, not how often. (A failure blamed on another
    clause of a test that proves several does not stop it.)"""

    def __init__(self, clause: str, collector: ClauseCollector) -> None:
        self.clause, self.collector = clause, collector
        self.session: pytest.Session | None = None

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.session = session

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.failed and self.session is not None and any(
            r.id == self.clause and r.status is Status.FAIL for r in self.collector.verdict()
        ):
            self.session.shouldstop = f"{self.clause} caught"


def run_in_process(target: str, *options: str, stop_once: str | None = None) -> dict[str, str]:
    """The suite on ``target``, as ``qts-conformance`` runs it: clause id -> counterexample
    for every clause that does not hold (untested ones included); with ``stop_once``, up
    to the first failure on that clause."""
    return failures(run_suite(target, *options, stop_once=stop_once))


def failures(collector: ClauseCollector) -> dict[str, str]:
    return {r.id: r.violation.message if r.violation is not None else "" for r in collector.verdict() if not r.status.holds}


def run_suite(target: str, *options: str, stop_once: str | None = None) -> ClauseCollector:
    """The suite on ``target`` in this process, without shrinking; its clause collector."""
    collector = ClauseCollector()
    plugins: list[object] = [collector, WithoutShrinking()]
    if stop_once is not None:
        plugins.append(StopOnceCaught(stop_once, collector))
    code = pytest.main(
        ["--pyargs", "conformance_tests", "-o", "addopts=", "-p", "no:cacheprovider",
         "-W", "ignore::pytest.PytestAssertRewriteWarning", f"--qts-impl={target}",
         "-qq", "--tb=no", "--no-header", "-rN", *options],
        plugins=plugins,
    )
    stopped = (pytest.ExitCode.INTERRUPTED,) if stop_once is not None else ()  # session.shouldstop's code
    assert code in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED, *stopped), f"pytest stopped with {code!r}"
    return collector


def run_cli(target: str, tmp_path: Path, *options: str) -> tuple[int, dict[str, Any]]:
    report = tmp_path / "report.json"
    env = {**os.environ, "PYTHONPATH": str(TESTS)}
    done = subprocess.run(
        [str(CLI), "--impl", target, "--report", str(report), *options],
        capture_output=True, text=True, env=env, cwd=tmp_path, check=False, timeout=600,
    )
    assert report.exists(), done.stdout + done.stderr
    verdict: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    return done.returncode, verdict


def assert_caught_on(clause: str, failed: dict[str, str], binding: str) -> None:
    assert clause in failed, f"{binding}: expected {clause} to fail, failed: {sorted(failed)}"
    assert failed[clause].startswith(clause) or clause in failed[clause], failed[clause]


# The suite's own guards must be the ones that refuse a connection here, not pytest-socket's
# process-wide block of this repository's tests, which would hide the attempt from them.
@pytest.mark.enable_socket
@pytest.mark.parametrize(("binding", "clause"), sorted(EXPECTED_FAILURES.items()))
def test_the_suite_fails_each_defect_on_its_clause(binding: str, clause: str) -> None:
    caught = run_in_process(f"broken_impls:{binding}", f"--qts-clauses={clause}", stop_once=clause)
    assert_caught_on(clause, caught, binding)


@pytest.mark.slow
@pytest.mark.enable_socket
@pytest.mark.parametrize(("binding", "clause"), sorted(EXPECTED_FAILURES.items()))
def test_start_here_names_the_clause_each_defect_breaks(binding: str, clause: str) -> None:
    """The whole suite on each defect: the verdict's "start here" is the clause the
    defect breaks (the other failures are its consequences, or failures of their own)."""
    collector = run_suite(f"broken_impls:{binding}")
    first = start_here(collector.verdict())
    assert first is not None and first.clause == clause, (
        f"{binding}: {first and first.headline}; failed: "
        + "; ".join(f"{r.id} <- {sorted({t.violation.cause.clause if t.violation and t.violation.cause else r.id for t in r.tests})}"
                    for r in collector.verdict() if r.status is Status.FAIL))
    assert_caught_on(clause, failures(collector), binding)


@pytest.mark.slow
@pytest.mark.parametrize("binding", THROUGH_THE_CLI)
def test_the_cli_fails_representative_defects_on_their_clause(binding: str, tmp_path: Path) -> None:
    code, verdict = run_cli(f"broken_impls:{binding}", tmp_path, *THROUGH_THE_CLI[binding])
    assert code == 1
    failed: dict[str, str] = {c["id"]: c["violation"]["message"] if c["violation"] else "" for c in verdict["clauses"] if c["status"] != "pass"}
    assert_caught_on(EXPECTED_FAILURES[binding], failed, binding)
    assert verdict["start_here"]["clause"] == EXPECTED_FAILURES[binding], verdict["start_here"]


def test_the_suite_passes_the_correct_phase5_extension_the_extension_defects_are_made_from() -> None:
    """The control for the defects built on GOOD_EXTENSION, on their clauses: each of them
    fails because of its one defect. (A correct Phase 5 extension passes the whole suite
    in tests/test_example.py, the reference in ./scripts/test's conformance step.)"""
    clauses = sorted({clause for binding, clause in EXPECTED_FAILURES.items()
                      if type(getattr(broken_impls, binding).machine.initial) is Phase5State})
    assert len(clauses) >= 4
    failing = run_in_process("broken_impls:GOOD_EXTENSION", f"--qts-clauses={','.join(clauses)}")
    assert {clause: failing[clause] for clause in clauses if clause in failing} == {}


def test_the_suite_passes_a_team_resting_lifecycle_with_its_own_names_and_a_cancel_reject_row() -> None:
    """The control for the resting defects: a lifecycle a team declares itself, with
    requests, rejects, an amend and a fill on arrival, passes every RESTING clause."""
    clauses = [clause for clause in CLAUSES if clause.startswith("RESTING-")]
    failing = run_in_process("broken_impls:TEAM_RESTING", f"--qts-clauses={','.join(clauses)}")
    assert {clause: failing[clause] for clause in clauses if clause in failing} == {}


def test_there_are_at_least_fifteen_distinct_defects() -> None:
    assert len(EXPECTED_FAILURES) >= 15


def test_a_declared_answer_that_overfills_fails_resting_7_and_not_state_8() -> None:
    """The declared-outcome check of STATE-8 also finds RESTING-7 breaches; they are
    RESTING-7's alone (its own test checks every declared outcome too), so a start here
    in the model's tier cannot hide where the defect is."""
    failing = run_in_process("broken_impls:ANSWER_OVERFILLS", "--qts-clauses=STATE-8,RESTING-7")
    assert {clause for clause in failing if clause in ("STATE-8", "RESTING-7")} == {"RESTING-7"}, failing
