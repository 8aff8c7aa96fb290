"""The judge holds the world: tricks that once turned a failing binding into exit 0 by
reaching what judged it. Each binding routes an intent twice (LOOP-2, failing
undisguised) and adds one trick; ``qts-conformance`` runs it as CI would, and the verdict
must still fail LOOP-2 (or refuse the binding), never pass."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conformance_tests.remote import containment
from test_verdict_teeth import EXIT_BINDING, EXIT_FAILED, failed, run_cli

TESTS = Path(__file__).resolve().parent


@pytest.mark.slow
@pytest.mark.parametrize(
    "binding",
    [
        "hostile_bindings:ROUTES_TWICE_OUTSIDE_TESTS",  # looks for _pytest, or the suite's route type
        "hostile_at_import_patches_judge",  # json.dumps, the plugin's loader, the assertion rewriter, PYTEST_PLUGINS, __main__
    ],
)
def test_a_binding_cannot_reach_what_judges_it(binding: str, tmp_path: Path) -> None:
    code, verdict, output = run_cli(tmp_path, "--impl", binding, "--clauses", "LOOP-2")
    assert code == EXIT_FAILED, output[-3000:]
    assert "duplicate submission" in failed(verdict)["LOOP-2"], failed(verdict)


def test_forged_channel_frames_are_never_a_pass(tmp_path: Path) -> None:
    code, verdict, output = run_cli(tmp_path, "--impl", "hostile_at_import_forges_channel", "--clauses", "LOOP-2")
    assert code in (EXIT_FAILED, EXIT_BINDING), output[-3000:]
    assert verdict["passed"] is False
    assert verdict["binding_error"] or "LOOP-2" in failed(verdict)


def test_a_skip_raised_by_the_implementation_fails_its_clause(tmp_path: Path) -> None:
    """n/a comes from the binding's declaration alone: a SkipTest the implementation
    raises is its failure, not a clause that does not apply."""
    code, verdict, output = run_cli(tmp_path, "--impl", "hostile_bindings:SKIPS_EVERYTHING", "--clauses", "LOOP-2,RISK-1")
    assert code == EXIT_FAILED, output[-3000:]
    statuses = {c["id"]: c["status"] for c in verdict["clauses"]}
    assert (statuses["LOOP-2"], statuses["RISK-1"]) == ("fail", "fail"), output[-3000:]


@pytest.mark.slow
def test_a_sitecustomize_on_the_teams_path_never_reaches_the_judge(tmp_path: Path) -> None:
    """The documented PYTHONPATH=src carries whatever is in src; the judge runs isolated
    (python -I), so only the host, which judges nothing, runs it."""
    team = tmp_path / "src"
    team.mkdir()
    (team / "sitecustomize.py").write_text(
        "try:\n"
        "    import conformance_tests.report as report\n"
        "    report.Status.holds = property(lambda self: True)\n"
        "    report.ClauseCollector.add_failure = lambda self, *args: None\n"
        "except Exception:\n"
        "    pass\n",
        encoding="utf-8",
    )
    code, verdict, output = run_cli(
        tmp_path, "--impl", "broken_impls_verdict:LIMIT_ROUTED_TWICE", "--clauses", "LOOP-2",
        env={"PYTHONPATH": f"{team}{os.pathsep}{TESTS}"},
    )
    assert code == EXIT_FAILED, output[-3000:]
    assert "duplicate submission" in failed(verdict)["LOOP-2"]


@pytest.mark.slow
@pytest.mark.skipif(not containment().prefix, reason="no usable bubblewrap on this machine: the kit's files are not read-only to the host")
def test_the_installed_kit_is_read_only_to_the_host(tmp_path: Path) -> None:
    import conformance_tests

    probe = Path(conformance_tests.__file__).parent / "poisoned_by_the_binding.py"
    try:
        code, verdict, output = run_cli(tmp_path, "--impl", "hostile_at_import_poisons_install", "--clauses", "LOOP-2")
        assert not probe.exists(), "the host wrote into the installed kit"
    finally:
        probe.unlink(missing_ok=True)
    assert code == EXIT_FAILED, output[-3000:]
    assert "duplicate submission" in failed(verdict)["LOOP-2"]


@pytest.mark.slow
def test_the_host_holds_no_judging_code_and_the_judge_no_team_code(tmp_path: Path) -> None:
    """Recorded in every verdict: the suite's modules the host had loaded, and the
    binding's modules the judge had loaded, at the end of the run."""
    code, verdict, output = run_cli(tmp_path, "--impl", "reference_impl.binding", "--clauses", "LOOP-2")
    assert code == EXIT_FAILED, output[-3000:]  # a partial run
    isolation = verdict["isolation"]
    assert isolation["host_judging_modules"] == [], isolation
    assert isolation["judge_team_modules"] == [], isolation


def test_the_judge_runs_isolated_from_the_environment(tmp_path: Path) -> None:
    """``python -m conformance_tests.cli`` re-runs itself with ``-I``: ``PYTHONPATH``
    reaches the host only."""
    done = subprocess.run(
        [sys.executable, "-m", "conformance_tests.cli", "--impl", "reference_impl.binding", "--clauses", "STATE-1"],
        capture_output=True, text=True, cwd=tmp_path, check=False, timeout=300,
        env={**os.environ, "PYTHONPATH": str(TESTS), "PYTHONSTARTUP": "", "PYTHONINSPECT": ""},
    )
    assert done.returncode == EXIT_FAILED, done.stdout[-2000:] + done.stderr[-2000:]
    assert "isolated judge: yes" in done.stdout


kernel = pytest.mark.skipif(
    not containment().prefix, reason="no usable bubblewrap on this machine: the kernel watch is checked where it runs")


@pytest.mark.slow
@kernel
@pytest.mark.parametrize(
    ("binding", "clause", "says"),
    [
        ("hostile_bindings:STARTS_A_C_WATCHDOG", "LOOP-1", "clone3() (a thread or a process), refused by the kernel"),
        ("hostile_bindings:ARMS_A_C_TIMER", "LOOP-1", "setitimer(), refused by the kernel"),
        ("hostile_bindings:SPAWNS_A_SENDER", "LOOP-1", "refused by the kernel"),
        ("hostile_bindings:DISARMS_THE_GUARDS", "LOOP-1", "clone3() (a thread or a process), refused by the kernel"),
        ("hostile_bindings:CONNECTS_THROUGH_CTYPES", "ROUTE-1", "socket(AF_INET), refused by the kernel"),
        ("hostile_at_import_logs_out_at_exit", "ROUTE-1", "the host's exit, after the last test"),
    ],
)
def test_what_no_audit_hook_sees_the_kernel_refuses_and_reports(binding: str, clause: str, says: str, tmp_path: Path) -> None:
    """A C thread, a timer armed through ``_signal``, a spawned process, a thread started
    after emptying the audit hooks' arming list, a connect through libc, a connect from an
    ``atexit`` handler: each passed LOOP-1/ROUTE-1 under the audit hooks alone. The seccomp filter the launcher installs stops each at the
    system call and tells the judge."""
    code, verdict, output = run_cli(tmp_path, "--impl", binding, "--clauses", "LOOP-1,ROUTE-1")
    assert code == EXIT_FAILED, output[-3000:]
    assert "seccomp user notification" in verdict["containment"]
    failures = failed(verdict)
    assert clause in failures and says in failures[clause], failures.get(clause, sorted(failures))


@pytest.mark.slow
def test_the_teams_pytest_configuration_never_reaches_the_verdict(tmp_path: Path) -> None:
    """A root conftest.py that fails on import, ``python_files = *_test.py``, an autouse
    fixture switching a "test mode" on, and ``PYTEST_ADDOPTS`` deselecting or
    distributing tests: the verdict is the one an empty directory gets."""
    empty = tmp_path / "empty"
    team = tmp_path / "team"
    empty.mkdir()
    team.mkdir()
    (team / "conftest.py").write_text("import os\nos.environ['DATABASE_URL']\n", encoding="utf-8")
    (team / "pytest.ini").write_text("[pytest]\npython_files = *_test.py\n", encoding="utf-8")
    (team / "test_mode").mkdir()
    (team / "test_mode" / "conftest.py").write_text(
        "import pytest\n\n@pytest.fixture(autouse=True)\ndef test_mode():\n    raise RuntimeError('test mode')\n",
        encoding="utf-8")

    def clauses(where: Path, env: dict[str, str]) -> tuple[int, dict[str, str]]:
        code, verdict, _ = run_cli(where, "--impl", "broken_impls_verdict:LIMIT_ROUTED_TWICE", "--clauses", "LOOP-2,STATE-1",
                                   env=env)
        return code, {c["id"]: c["status"] for c in verdict["clauses"]}

    baseline = clauses(empty, {})
    assert baseline[1]["LOOP-2"] == "fail" and baseline[1]["STATE-1"] == "pass", baseline
    for addopts in ("-k not_a_test", "-n 2", "-p no:hypothesispytest"):
        assert clauses(team, {"PYTEST_ADDOPTS": addopts}) == baseline, addopts
